import { expect, test } from "@playwright/test";
import { newCallId, numberBox, numberStatus, openWidget, softphoneUrl, widgetUrl } from "./support";

test("the host page receives the sent and status events", async ({ page }) => {
  const callId = newCallId();
  await page.goto(softphoneUrl(callId));
  const widget = page.frameLocator("#widget");
  await widget.getByRole("radio", { name: /Thanks for calling/ }).click();
  await widget.getByRole("button", { name: "Send" }).click();
  await expect(widget.locator(".sent .badge")).toHaveText("Delivered");
  const events = await page.evaluate(() => (window as any).receivedEvents);
  const sent = events.find((e: any) => e.type === "agent-notify:sent");
  expect(sent).toMatchObject({ channel: "sms", template_id: "t_sms_thanks", call_id: callId });
  const statuses = events.filter((e: any) => e.type === "agent-notify:status" && e.uuid === sent.uuid);
  expect(statuses.map((e: any) => e.status)).toContain("delivered");
});

test("the number can be prefilled from the URL and stays editable", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "+44 7400 123456" });
  await expect(numberBox(page)).toHaveValue("+44 7400 123456");
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("United Kingdom (+44)");
  // Still editable; without its +, a number is read in the country the picker had.
  await numberBox(page).fill("+44 7400 123457");
  await expect(numberStatus(page)).toHaveText("✓ +44 7400 123457 · United Kingdom");
  await numberBox(page).fill("98765 43210");
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("India (+91)");
  await expect(numberStatus(page)).toHaveText("✓ +91 98765 43210 · India");
});

test("the host can prefill the number by postMessage", async ({ page }) => {
  const callId = newCallId();
  await page.goto(softphoneUrl(callId, { number: "1" }));
  const widget = page.frameLocator("#widget");
  await expect(widget.getByRole("tab", { name: "SMS" })).toBeVisible();
  await page.getByLabel("Caller number").fill("99887 76655");
  await page.getByRole("button", { name: "Send number to the widget" }).click();
  await expect(widget.getByLabel("Number", { exact: true })).toHaveValue("99887 76655");
});

test("customer details from the CRM pre-fill the number and the pop-up", async ({ page }) => {
  const callId = newCallId("crm-known");
  await page.goto(widgetUrl(callId));
  await expect(numberBox(page)).toHaveValue("+919812345678");
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await page.getByRole("radio", { name: /Order update/ }).click();
  await page.getByRole("button", { name: "Fill in and send…" }).click();
  const dialog = page.getByRole("dialog", { name: "Order update" });
  await expect(dialog.getByLabel("Customer name")).toHaveValue("Asha Rao");
  await expect(dialog.getByLabel("Order number")).toHaveValue("A-17");
});

test("a slow CRM does not block the widget", async ({ page }) => {
  await openWidget(page, newCallId("crm-slow"), { number: "98765 43210" });
  await expect(page.getByText("Customer details unavailable — you can still send.")).toBeVisible();
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
});
