// The history page: an agent's own messages from the widget, an admin's from the
// settings; filters, a message's whole status history, pages, and the CSV download.
import { expect, Page, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { agentToken, newCallId, openWidget, sentForCall, signInAsAdmin } from "./support";

test.use({ viewport: { width: 1280, height: 900 } });

/** Sends the selected template of the open channel on the widget, and waits for it. */
async function sendOne(page: Page, channel: string, template: RegExp, count: number) {
  await page.getByRole("tab", { name: channel }).click();
  await page.getByRole("radio", { name: template }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent")).toHaveCount(count);
}

test("an agent opens their history from the widget, filters it and opens a message's status history", async ({ page, context }) => {
  const call = newCallId("hist");
  await openWidget(page, call, { number: "98765 43210" });
  await sendOne(page, "SMS", /Thanks for calling/, 1);
  await sendOne(page, "WhatsApp", /Thanks for calling/, 2);
  await expect(page.locator(".sent .badge")).toHaveText([/Delivered|Read/, "Delivered"]);

  const [history] = await Promise.all([
    context.waitForEvent("page"),
    page.getByRole("button", { name: "History" }).click(),
  ]);
  await expect(history.getByRole("heading", { name: "Message history" })).toBeVisible();
  await expect(history.getByTestId("reader")).toHaveText("The messages you sent");
  expect(history.url()).not.toContain("token=");
  await expect(history.getByLabel("Agent")).toHaveCount(0);

  await history.getByLabel("Call id").fill(call);
  await history.getByRole("button", { name: "Apply" }).click();
  const rows = history.locator("tbody tr[data-uuid]");
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText("WhatsApp");
  await expect(rows.first()).toContainText("+919876543210");
  expect(history.url()).toContain(`call_id=${call}`);

  await history.getByLabel("Channel").selectOption("sms");
  await history.getByLabel("Template").selectOption("t_sms_thanks");
  await history.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Thanks for calling");
  const uuid = (await rows.first().getAttribute("data-uuid"))!;
  const details = history.getByRole("button", { name: `Details of message ${uuid}` });
  await details.click();
  await expect(details).toHaveAttribute("aria-expanded", "true");
  const steps = history.getByRole("list", { name: "Status history" });
  await expect(steps.locator(".badge")).toHaveText(["Queued", "Sending", "Sent", "Delivered"]);
  await expect(history.locator(".message-details code")).toHaveText(uuid);
  await history.screenshot({ path: "test-results/history-agent.png", fullPage: true });

  // The filters are in the URL: a reload keeps them.
  await history.reload();
  await expect(history.getByLabel("Call id")).toHaveValue(call);
  await expect(history.getByLabel("Channel")).toHaveValue("sms");
  await expect(history.getByLabel("Template")).toHaveValue("t_sms_thanks");
  await expect(rows).toHaveCount(1);

  await history.getByLabel("Status").selectOption("failed");
  await history.getByRole("button", { name: "Apply" }).click();
  await expect(history.getByTestId("no-messages")).toHaveText("No messages match these filters.");
});

test("the filtered history downloads as a CSV file", async ({ page, context }) => {
  const call = newCallId("csv");
  await openWidget(page, call, { number: "98765 43210" });
  await sendOne(page, "SMS", /Thanks for calling/, 1);
  await sendOne(page, "WhatsApp", /Thanks for calling/, 2);
  const [history] = await Promise.all([
    context.waitForEvent("page"),
    page.getByRole("button", { name: "History" }).click(),
  ]);
  await history.getByLabel("Call id").fill(call);
  await history.getByRole("button", { name: "Apply" }).click();
  await expect(history.locator("tbody tr[data-uuid]")).toHaveCount(2);
  const shown = 2;
  const [download] = await Promise.all([
    history.waitForEvent("download"),
    history.getByRole("button", { name: "Download CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^notifications-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = (await readFile((await download.path())!, "utf8")).trim().split("\r\n");
  expect(lines[0]).toBe("uuid,created_at,updated_at,channel,status,to,template_id,template_name,agent_id,group_id,call_id,provider,error_code,error_message,resend_of");
  expect(lines).toHaveLength(shown + 1);
  expect(lines.slice(1).every((l) => l.includes(`,${call},`))).toBeTruthy();
});

test("an admin reaches every group's history from the settings and pages through it", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Message history" }).click();
  await expect(page.getByTestId("reader")).toHaveText("Every group's messages");
  await expect(page.getByLabel("Agent")).toBeVisible();
  await expect(page.getByLabel("Group")).toBeVisible();
  // Enough messages for a second page.
  const call = newCallId("pages");
  for (let i = 0; i < 26; i++) {
    const r = await page.request.post("/api/v1/notifications", {
      headers: { authorization: `Bearer ${agentToken()}` },
      data: { to: "+919876543210", channel: "sms", template_id: "t_sms_thanks", call_id: call },
    });
    expect(r.status()).toBe(202);
  }
  await page.getByLabel("Call id").fill(call);
  await page.getByRole("button", { name: "Apply" }).click();
  const rows = page.locator("tbody tr[data-uuid]");
  // The call's newest message first: the list before Apply (every group's messages, other
  // specs' among them) has 25 rows too, so the count alone does not say the filter is on.
  const first = String((await sentForCall(page, call))[0].uuid);
  await expect(rows.first()).toHaveAttribute("data-uuid", first);
  await expect(rows).toHaveCount(25);
  await expect(page.getByRole("button", { name: "Newer" })).toBeDisabled();
  await page.getByRole("button", { name: "Older" }).click();
  await expect(page.getByText("Page 2")).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Older" })).toBeDisabled();
  await page.getByRole("button", { name: "Newer" }).click();
  await expect(rows.first()).toHaveAttribute("data-uuid", first);
  await page.screenshot({ path: "test-results/history-admin.png", fullPage: true });
});

test("the history without a sign-in says how to get one", async ({ page }) => {
  await page.goto("/history");
  await expect(page.getByRole("alert")).toContainText("You are not signed in.");
  await expect(page.getByRole("link", { name: "Sign in to the settings" })).toHaveAttribute("href", "/admin");
});

test("an admin goes back to the settings from the history and the dashboard, and a wrong period is told once, by name", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Message history" }).click();
  await expect(page.getByTestId("reader")).toHaveText("Every group's messages");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.getByLabel("From", { exact: true }).fill("2026-12-05");
  await page.getByLabel("To", { exact: true }).fill("2026-12-01");
  await page.getByRole("button", { name: "Apply" }).click();
  const problem = page.getByRole("alert");
  await expect(problem.locator('[data-field="to"]')).toHaveText("To: must be after the start (From)");
  await expect(problem).not.toContainText("to: must");
  await page.getByRole("link", { name: "Delivery dashboard" }).click();
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("tab", { name: "Templates" })).toBeVisible();
});
