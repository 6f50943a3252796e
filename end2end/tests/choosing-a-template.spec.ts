import { expect, test } from "@playwright/test";
import { newCallId, openWidget } from "./support";

test("switching the channel shows only that channel's templates, in the admin's order", async ({ page }) => {
  await openWidget(page, newCallId());
  const names = page.getByRole("radiogroup", { name: "Template" }).getByRole("radio").locator("strong");
  await expect(names).toHaveText(["Thanks for calling", "One-time code", "Payment link (DLT)"]);
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await expect(names).toHaveText(["Order update", "Thanks for calling"]);
  await page.getByRole("tab", { name: "RCS" }).click();
  await expect(names).toHaveText(["Appointment confirmation", "Welcome"]);
});

test("each template shows a preview of its text", async ({ page }) => {
  await openWidget(page, newCallId());
  await expect(page.getByRole("radio", { name: /One-time code/ })).toContainText(
    "Your Acme verification code is [One-time code].",
  );
});
