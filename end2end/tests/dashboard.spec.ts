// The delivery dashboard: an admin's figures from the settings, drawn as SVG, and
// following new messages while the page is open.
import { expect, test } from "@playwright/test";
import { agentToken, newCallId, signInAsAdmin } from "./support";

test.use({ viewport: { width: 1280, height: 900 } });

test("an admin opens the dashboard from the settings and sees the figures follow new messages", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByRole("heading", { name: "Delivery dashboard" })).toBeVisible();
  const total = page.getByTestId("total");
  await expect(total).toHaveText(/^\d+$/);
  const before = Number(await total.textContent());

  // Two messages and a failure while the page is open.
  const call = newCallId("dash");
  for (const to of ["+919876543210", "+919876543210", "+919876540000"]) {
    const r = await page.request.post("/api/v1/notifications", {
      headers: { authorization: `Bearer ${agentToken()}` },
      data: { to, channel: "sms", template_id: "t_sms_thanks", call_id: call },
    });
    expect(r.status()).toBe(202);
  }
  // Other specs send meanwhile: at least these three more.
  await expect.poll(async () => Number(await total.textContent()), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 3);
  await expect(page.getByTestId("rate")).toHaveText(/^\d+\.\d %$/);
  await expect(page.getByTestId("p50")).toHaveText(/\d+(\.\d)? (ms|s)$/);

  const failures = page.getByRole("region", { name: "Failures by reason" });
  await expect(failures.locator("li[data-key=unreachable]")).toBeVisible();
  const channel = page.getByRole("region", { name: "By channel" });
  // The bar names the statuses as the history does ("3 Delivered"), not by their keys.
  await expect(channel.getByRole("img", { name: /^SMS: \d+ (Queued|Sending|Sent|Delivered|Read|Failed)(, |$)/ })).toBeVisible();
  const bar = channel.locator("li", { hasText: "SMS" }).locator("rect.seg-delivered");
  expect(Number(await bar.getAttribute("width"))).toBeGreaterThan(0);
  await expect(bar.locator("title")).toHaveText(/^\d+ Delivered$/);
  await expect(page.getByRole("region", { name: "Top templates" })).toContainText("Thanks for calling");
  await expect(page.getByRole("region", { name: "Providers' answers" })).toContainText("Sandbox (no real messages)");
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });

  // One group, the last hour: the messages just sent are the demo group's.
  await page.getByLabel("Group").selectOption({ label: "Demo agents" });
  await page.getByLabel("Period").selectOption({ label: "Last hour" });
  await expect(page.getByTestId("period")).toHaveText(/ – /);
  expect(Number(await total.textContent())).toBeGreaterThanOrEqual(3);
});

test("an agent is told the figures are for supervisors and admins", async ({ page }) => {
  await page.goto(`/dashboard#${new URLSearchParams({ token: agentToken() })}`);
  await expect(page.getByRole("alert")).toContainText("The figures did not load: The delivery figures are for supervisors and admins.");
  expect(page.url()).not.toContain("token=");
});
