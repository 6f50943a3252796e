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

test("the template cards are a radio group: arrow keys choose the next card and move there", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  const cards = page.getByRole("radiogroup", { name: "Template" }).getByRole("radio");
  await cards.first().focus();
  await page.keyboard.press("ArrowDown");
  await expect(cards.nth(1)).toBeFocused();
  await expect(cards.nth(1)).toHaveAttribute("aria-checked", "true");
  await page.keyboard.press("End");
  await expect(cards.last()).toBeFocused();
  await expect(cards.last()).toHaveAttribute("aria-checked", "true");
  await page.keyboard.press("ArrowRight");
  await expect(cards.first()).toBeFocused();
  await expect(cards.first()).toHaveAttribute("aria-checked", "true");
  // Tab leaves the group from the chosen card: one stop, not one per card.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Send" })).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(cards.first()).toBeFocused();
  // On another channel, whose cards the chosen one is not among, Tab reaches its first.
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await page.keyboard.press("Tab");
  await expect(cards.first()).toBeFocused();
  await expect(cards.first()).toContainText(/Order update|Thanks for calling/);
});

test("Escape closes the agent menu and gives the focus back; leaving it closes it too", async ({ page }) => {
  await openWidget(page, newCallId());
  const menu = page.getByRole("button", { name: /demo-agent/ });
  await menu.click();
  const settings = page.getByRole("group", { name: "Alert settings" });
  await expect(settings).toBeVisible();
  await settings.getByRole("radio").first().focus();
  await page.keyboard.press("Escape");
  await expect(settings).toBeHidden();
  await expect(menu).toBeFocused();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(settings).toBeVisible();
  await page.getByLabel("Number", { exact: true }).focus();
  await expect(settings).toBeHidden();
});
