import { expect, Page, test } from "@playwright/test";
import { newCallId, openWidget } from "./support";

/** Whether the keyboard's focus is inside the open dialog. */
const focusInDialog = (page: Page) => page.evaluate(() => !!document.activeElement?.closest("dialog[open]"));

test("the whole agent flow works with the keyboard only", async ({ page }) => {
  await openWidget(page, newCallId());
  // First the agent's bar at the top right (their history, their menu), then the form.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "History" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: /demo-agent/ })).toBeFocused();
  await page.keyboard.press("Tab");
  const country = page.getByRole("combobox", { name: "Country" });
  await expect(country).toBeFocused();
  // Focus alone does not open the list: Tab then Enter leaves the country as it was.
  await expect(country).toHaveAttribute("aria-expanded", "false");
  await page.keyboard.press("Enter");
  await expect(country).toHaveValue("India (+91)");
  // The list opens at the current country; Tab closes it and moves on.
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("option", { selected: true })).toContainText("India");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Number", { exact: true })).toBeFocused();
  await page.keyboard.type("98765 43210");
  await expect(page.getByText("✓ +91 98765 43210")).toBeVisible();

  // The channel tabs: Tab reaches the chosen one, arrows move between them.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("tab", { name: "SMS" })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "WhatsApp" })).toBeFocused();
  await expect(page.getByRole("tab", { name: "WhatsApp" })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByRole("tab", { name: "SMS" })).toHaveAttribute("aria-selected", "true");

  // A template, then Send, which keeps the focus while and after it sends.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("radio", { name: /Thanks for calling/ })).toBeFocused();
  await page.keyboard.press("Space");
  await expect(page.getByRole("radio", { name: /Thanks for calling/ })).toHaveAttribute("aria-checked", "true");
  const send = page.getByRole("button", { name: "Send" });
  while (!(await send.evaluate((b) => b === document.activeElement))) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
  await expect(send).toBeFocused();
});

test("the fields pop-up keeps the keyboard inside until it is sent or closed", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await page.getByRole("radio", { name: /Order update/ }).click();
  await page.getByRole("button", { name: "Fill in and send…" }).focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Order update" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Customer name")).toBeFocused();
  // However often Tab is pressed, the focus stays in the dialog.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    expect(await focusInDialog(page), `after ${i + 1} Tab presses`).toBe(true);
  }
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Shift+Tab");
    expect(await focusInDialog(page), `after ${i + 1} Shift+Tab presses`).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Fill in and send…" })).toBeFocused();
});
