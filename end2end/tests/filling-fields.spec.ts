import { expect, test } from "@playwright/test";
import { newCallId, openWidget, sentForCall } from "./support";

test("the pop-up blocks Send until every required field is valid, and the preview matches", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await page.getByRole("radio", { name: /Order update/ }).click();
  await page.getByRole("button", { name: "Fill in and send…" }).click();
  const dialog = page.getByRole("dialog", { name: "Order update" });
  await expect(dialog).toBeVisible();
  const send = dialog.getByRole("button", { name: "Send" });
  await expect(send).toBeDisabled();
  await dialog.getByLabel("Customer name").fill("Asha");
  await dialog.getByLabel("Order number").fill("A-17");
  await dialog.getByLabel("Delivery date").fill("2026-12-01");
  await dialog.getByLabel("Tracking link").fill("not a link");
  await expect(send).toBeDisabled();
  await expect(dialog.locator("#an-field-link-error")).toHaveText(/https:\/\//);
  await dialog.getByLabel("Tracking link").fill("https://t.example.com/A-17");
  await expect(dialog.getByTestId("preview")).toHaveText(
    "Hi Asha, your order A-17 has shipped and should arrive on 2026-12-01. Track it at https://t.example.com/A-17.",
  );
  await expect(send).toBeEnabled();
  await send.click();
  await expect(dialog).toBeHidden();
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
  expect(await sentForCall(page, callId)).toHaveLength(1);
});

test("Escape closes the pop-up without sending", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("radio", { name: /One-time code/ }).click();
  await page.getByRole("button", { name: "Fill in and send…" }).click();
  const dialog = page.getByRole("dialog", { name: "One-time code" });
  await expect(dialog.getByLabel("One-time code")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  expect(await sentForCall(page, callId)).toHaveLength(0);
});

test("the SMS counter switches to Unicode on a non-GSM character", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Payment link/ }).click();
  await page.getByRole("button", { name: "Fill in and send…" }).click();
  const dialog = page.getByRole("dialog", { name: "Payment link (DLT)" });
  await dialog.getByLabel("Customer name").fill("Asha");
  await expect(dialog.getByTestId("sms-counter")).toHaveText(/^\d+ of 160 characters · 1 SMS$/);
  await dialog.getByLabel("Customer name").fill("आशा");
  await expect(dialog.getByTestId("sms-counter")).toHaveText(/^\d+ of 134 characters · 2 SMS \(special characters leave less room\)$/);
});

test("a link longer than its field allows is kept whole and refused in words, never cut short", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Payment link/ }).click();
  await page.getByRole("button", { name: "Fill in and send…" }).click();
  const dialog = page.getByRole("dialog", { name: "Payment link (DLT)" });
  await dialog.getByLabel("Customer name").fill("Asha");
  await dialog.getByLabel("Amount (Rs)").fill("1,250");
  const link = dialog.getByLabel("Payment link");
  const long = "https://pay.example.com/invoice/2026/ABC-123456";
  await link.fill(long);
  await expect(link).toHaveValue(long);
  await expect(dialog.locator("#an-field-link-error")).toHaveText("at most 30 characters (this has 47): use a shorter link");
  await expect(dialog.locator("#an-field-link-error")).toBeVisible();
  const send = dialog.getByRole("button", { name: "Send" });
  await expect(send).toBeDisabled();
  await link.fill("https://pay.example.com/ABC12");
  await expect(dialog.locator("#an-field-link-error")).toHaveText("");
  await expect(send).toBeEnabled();
});
