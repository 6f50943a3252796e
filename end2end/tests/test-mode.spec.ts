import { expect, test } from "@playwright/test";
import { newCallId, openWidget, signInAsAdmin } from "./support";

// The e2e server runs on the embedded defaults with no default provider account: every
// channel's messages go to the sandbox, which sends nothing. Nobody may think otherwise.

test("the widget says when the chosen channel is in test mode", async ({ page }) => {
  await openWidget(page, newCallId());
  await page.getByRole("tab", { name: "SMS" }).click();
  await expect(page.getByTestId("test-mode")).toHaveText("Test mode: SMS messages are not really sent.");
  await page.getByRole("tab", { name: "RCS" }).click();
  await expect(page.getByTestId("test-mode")).toHaveText("Test mode: RCS messages are not really sent.");
});

test("the providers tab says how each channel sends, and that the sandbox sends nothing", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Providers" }).click();
  const setups = page.getByRole("list", { name: "How each channel sends" });
  await expect(setups.locator('[data-channel="sms"]')).toHaveText(
    "SMS: no default account — the sandbox is in use (test mode: messages are not really sent)",
  );
  await expect(setups.locator("li")).toHaveCount(3);
});
