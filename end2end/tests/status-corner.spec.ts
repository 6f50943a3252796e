import { expect, test } from "@playwright/test";
import { newCallId, openWidget } from "./support";

test.use({ viewport: { width: 480, height: 800 } });

test("the status corner sits top right above the form, and sends never move the form", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  const send = page.getByRole("button", { name: "Send" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  const before = await send.boundingBox();
  for (let i = 1; i <= 4; i++) {
    await page.getByRole("radio", { name: /Thanks for calling/ }).click();
    await send.click();
    await expect(page.locator(".sent")).toHaveCount(i);
  }
  await expect(page.locator(".sent .badge")).toHaveText(Array(4).fill("Delivered"));
  expect(await send.boundingBox()).toEqual(before);

  const corner = page.getByTestId("status-corner");
  await expect(corner.getByTestId("corner-status")).toHaveText("Delivered");
  const box = (await corner.boundingBox())!;
  const main = (await page.locator("main.widget").boundingBox())!;
  const padding = await page.locator("main.widget").evaluate((m) => parseFloat(getComputedStyle(m).paddingRight));
  expect(Math.abs(box.x + box.width - (main.x + main.width - padding))).toBeLessThan(1);
  const numberBox = (await page.getByLabel("Number", { exact: true }).boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(numberBox.y);

  // The latest message is the corner's; the others are one click away.
  const latest = await page.locator(".sent").first().getAttribute("data-uuid");
  await expect(corner.getByTestId("corner-uuid")).toHaveAttribute("title", latest!);
  await corner.getByRole("button", { name: "All 4" }).click();
  await expect(page.getByRole("region", { name: "Sent in this call" })).toBeFocused();
});

test("Copy in the corner puts the latest message's UUID on the clipboard and says so", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const uuid = await page.locator(".sent").first().getAttribute("data-uuid");
  const copy = page.getByRole("button", { name: "Copy the latest message's id" });
  await copy.click();
  await expect(copy).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(uuid);
  await expect(copy).toHaveText("Copy");
});

test("each sent message shows its masked recipient and time, and the status is announced", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("sent-meta")).toHaveText(/^To \+91\*{6}3210 · \d{1,2}:\d{2}/);
  await expect(page.getByTestId("status-announcement")).toHaveText("Latest message Thanks for calling: Delivered");
  await expect(page.getByTestId("status-announcement")).toHaveAttribute("role", "status");
});
