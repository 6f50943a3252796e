import { expect, test } from "@playwright/test";
import { newCallId, numberBox, openWidget, sentForCall } from "./support";

test("a static template is sent at once and its status reaches Delivered without a reload", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const sent = page.locator(".sent").first();
  await expect(sent.locator(".badge")).toHaveText("Delivered");
  const uuid = await sent.getAttribute("data-uuid");
  expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
  await expect(sent.locator("code.uuid")).toHaveText(uuid!);
  const recorded = await sentForCall(page, callId);
  expect(recorded.map((n) => n.uuid)).toEqual([uuid]);
});

test("a double click sends once", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).dblclick();
  await expect(page.locator(".sent")).toHaveCount(1);
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
  expect(await sentForCall(page, callId)).toHaveLength(1);
});

test("each send appears in the call's comments with its UUID", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("tab", { name: "RCS" }).click();
  await page.getByRole("radio", { name: /Welcome/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const uuid = await page.locator(".sent").first().getAttribute("data-uuid");
  await expect(page.locator(".comment")).toHaveText([`Notification ${uuid} sent via RCS template Welcome`]);
});

test("several sends in one call are listed newest first", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent")).toHaveCount(1);
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent .sent-template")).toHaveText(["WhatsApp · Thanks for calling", "SMS · Thanks for calling"]);
});

test("a failed message shows the provider's reason, and Resend sends a new linked message", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId);
  await numberBox(page).fill("98765 40000");
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const failed = page.locator(".sent").first();
  await expect(failed.locator(".badge")).toHaveText("Failed");
  await expect(failed.getByTestId("failure-reason")).toHaveText(/could not be reached/);
  const failedUuid = await failed.getAttribute("data-uuid");
  await failed.getByRole("button", { name: "Resend" }).click();
  await expect(page.locator(".sent")).toHaveCount(2);
  const resent = page.locator(".sent").first();
  expect(await resent.getAttribute("data-uuid")).not.toEqual(failedUuid);
  const recorded = await sentForCall(page, callId);
  expect(recorded).toHaveLength(2);
  expect(recorded[0].resend_of).toEqual(failedUuid);
});

test("a refusal about the number offers no Resend: sending again could only fail again", async ({ page }) => {
  await openWidget(page, newCallId());
  await numberBox(page).fill("98765 40001");
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const failed = page.locator(".sent").first();
  await expect(failed.locator(".badge")).toHaveText("Failed");
  await expect(failed.getByTestId("failure-reason")).toHaveText(/opted out/);
  await expect(failed.getByRole("button", { name: "Resend" })).toHaveCount(0);
});

test("the sent list survives a reload of the widget", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
  await page.reload();
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
});

test("an RCS message to a phone without RCS goes by SMS, and the agent sees why", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId);
  await numberBox(page).fill("98765 40404");
  await page.getByRole("tab", { name: "RCS" }).click();
  await page.getByRole("radio", { name: /Welcome/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const sent = page.locator(".sent").first();
  await expect(sent.getByTestId("channel-switch")).toHaveText(
    "The customer's phone cannot receive RCS messages. Sending by SMS instead.",
  );
  await expect(sent.locator(".badge")).toHaveText("Delivered");
});

test("a call without messages says what its comments will hold", async ({ page }) => {
  await openWidget(page, newCallId());
  const comments = page.getByRole("region", { name: "Call comments" });
  await expect(comments).toContainText("Each message you send adds a line here.");
});
