// axe-core (npm) on every page and state an agent or admin sees: no serious or critical
// violation. Its script is injected into the page, so this file bypasses the pages'
// Content-Security-Policy (the policy itself is checked in security.spec.ts).
import { expect, Page, test } from "@playwright/test";
import { newCallId, openWidget, seriousViolations, signInAsAdmin } from "./support";

test.use({ bypassCSP: true });


test("the widget, with a message sent and after Copy, has no serious accessibility violation", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
  expect(await seriousViolations(page)).toEqual([]);
  // Right after Copy, while the button says "Copied".
  await page.getByTestId("status-corner").getByRole("button", { name: /id$/ }).click();
  await expect(page.getByTestId("status-corner").locator(".copy-state")).toHaveText("Copied");
  expect(await seriousViolations(page)).toEqual([]);
});

test("the widget's country list, open, has no serious accessibility violation", async ({ page }) => {
  await openWidget(page, newCallId());
  await page.getByLabel("Country").click();
  await expect(page.getByRole("listbox", { name: "Countries" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the fields pop-up has no serious accessibility violation", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await page.getByRole("radio", { name: /Order update/ }).click();
  await page.getByRole("button", { name: "Fill in and send…" }).click();
  await expect(page.getByRole("dialog", { name: "Order update" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the sign-in and every settings tab have no serious accessibility violation", async ({ page }) => {
  await page.goto("/admin");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await signInAsAdmin(page);
  for (const tab of ["Templates", "Agent groups", "Agents", "Providers", "Opt-outs", "API keys", "Audit log"]) {
    await page.getByRole("tab", { name: tab }).click();
    await page.waitForLoadState("networkidle");
    expect(await seriousViolations(page), tab).toEqual([]);
  }
});

test("the history page, with a message open, has no serious accessibility violation", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
  const [history] = await Promise.all([
    page.context().waitForEvent("page"),
    page.getByRole("button", { name: "History" }).click(),
  ]);
  await history.locator("tbody tr[data-uuid] button.uuid").first().click();
  await expect(history.getByRole("list", { name: "Status history" })).toBeVisible();
  expect(await seriousViolations(history)).toEqual([]);
});

test("the delivery dashboard has no serious accessibility violation", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/dashboard");
  await expect(page.getByTestId("total")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
