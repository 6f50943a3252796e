// The call the widget serves: the host tells it (agent-notify:call, or URL parameters),
// the widget shows it, narrows the templates to the call's queue, and after the call
// ends keeps sending open for the grace period (4 s in these tests) before closing it.
import { expect, Page, test } from "@playwright/test";
import { newCallId, openWidget, signInAsAdmin } from "./support";

/** Posts an agent-notify:call message to the widget, as a host on its own origin would. */
async function callNews(page: Page, news: Record<string, string>) {
  await page.evaluate((data) => window.postMessage({ type: "agent-notify:call", ...data }, "*"), news);
}

test("an admin narrows a queue's templates and the widget offers only those on its calls", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Call queues" }).click();
  await page.getByLabel("Queue id").fill("collections");
  await page.getByLabel("Queue name").fill("Collections");
  await page.getByLabel("Only some SMS templates").check();
  await page.getByRole("group", { name: "SMS" }).getByLabel("Payment link (DLT)").check();
  await page.getByRole("group", { name: "SMS" }).getByLabel("Thanks for calling").check();
  await page.screenshot({ path: "test-results/call-queues-tab.png", fullPage: true });
  await page.getByRole("button", { name: "Add queue" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved call queue collections.");
  await expect(page.locator("tr[data-queue=collections]")).toContainText("SMS: t_sms_payment, t_sms_thanks");

  const call = newCallId("queue");
  await openWidget(page, call, { number: "98765 43210", queue_id: "collections" });
  await expect(page.getByTestId("call-info")).toHaveText(`Call ${call} · Queue Collections`);
  const sms = page.getByRole("radio");
  await expect(sms).toHaveCount(2);
  await expect(page.getByRole("radio", { name: /One-time code/ })).toHaveCount(0);
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await expect(page.getByRole("radio", { name: /Order update/ })).toBeVisible();

  // The host moves the agent to a call from another queue: the group's templates again.
  const next = newCallId("queue");
  await callNews(page, { call_id: next, queue_id: "general", state: "active" });
  await expect(page.getByTestId("call-info")).toHaveText(`Call ${next} · Queue general · On the call`);
  await page.getByRole("tab", { name: "SMS" }).click();
  await expect(page.getByRole("radio", { name: /One-time code/ })).toBeVisible();
});

test("after the call ends sending stays open for the grace period, then closes until the next call", async ({ page }) => {
  const call = newCallId("grace");
  await openWidget(page, call, { number: "98765 43210" });
  await callNews(page, { call_id: call, state: "active" });
  await expect(page.getByTestId("call-info")).toHaveText(`Call ${call} · On the call`);
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent")).toHaveCount(1);

  await callNews(page, { call_id: call, state: "ended" });
  await expect(page.getByTestId("call-info")).toContainText("Call ended");
  await expect(page.getByTestId("call-note")).toHaveText(/^The call ended: you can still send for 0:0[1-4]\.$/);
  await page.screenshot({ path: "test-results/call-grace.png" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await expect(page.getByRole("button", { name: "Send" })).toBeEnabled();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent")).toHaveCount(2);

  await expect(page.getByTestId("call-note")).toHaveText("The call ended: sending is closed until the next call.", { timeout: 8_000 });
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
  await page.screenshot({ path: "test-results/call-closed.png" });

  const next = newCallId("grace");
  await callNews(page, { call_id: next, state: "ringing" });
  await expect(page.getByTestId("call-info")).toHaveText(`Call ${next} · Ringing`);
  await expect(page.getByTestId("call-note")).toHaveCount(0);
  await expect(page.locator(".sent")).toHaveCount(0);
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await expect(page.getByRole("button", { name: "Send" })).toBeEnabled();
});
