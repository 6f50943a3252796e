import { expect, test } from "@playwright/test";
import { newCallId, openWidget, softphoneUrl } from "./support";

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
  await corner.getByRole("button", { name: "All 4 messages" }).click();
  await expect(page.getByRole("region", { name: "Sent in this call" })).toBeFocused();
});

test("Copy in the corner puts the latest message's UUID on the clipboard and says so", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const uuid = await page.locator(".sent").first().getAttribute("data-uuid");
  const copy = page.getByTestId("status-corner").getByRole("button", { name: /the latest message's id$/ });
  await expect(copy).toHaveAccessibleName("Copy the latest message's id");
  await copy.click();
  await expect(copy.locator(".copy-state")).toHaveText("Copied");
  // What it says and what assistive technology hears agree.
  await expect(copy).toHaveAccessibleName("Copied the latest message's id");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(uuid);
  await expect(copy.locator(".copy-state")).toHaveText("Copy");
});

test("each sent message shows its masked recipient and time, and the status is announced", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("sent-meta")).toHaveText(/^To \+91\*{6}3210 · \d{1,2}:\d{2}/);
  await expect(page.getByTestId("status-announcement")).toHaveText("Latest message Thanks for calling: Delivered");
  await expect(page.getByTestId("status-announcement")).toHaveAttribute("role", "status");
});

for (const width of [360, 440]) {
  test(`at ${width} px the corner shows the status, eight characters of the UUID and its actions, with no sideways scroll`, async ({ page }) => {
    await page.setViewportSize({ width, height: 800 });
    await openWidget(page, newCallId(), { number: "98765 43210" });
    await expect(page.getByText("Nothing sent yet")).toBeVisible();
    const send = page.getByRole("button", { name: "Send" });
    await page.getByRole("radio", { name: /Thanks for calling/ }).click();
    // Where Send is on the page (not on screen: clicking it may scroll it into view).
    const top = () => send.evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
    const before = await top();
    await send.click();
    const corner = page.getByTestId("status-corner");
    await expect(corner.getByTestId("corner-status")).toHaveText("Delivered");
    expect(await top()).toEqual(before);
    const latest = (await page.locator(".sent").first().getAttribute("data-uuid"))!;
    const uuid = corner.getByTestId("corner-uuid");
    await expect(uuid).toHaveText(`${latest.slice(0, 8)}…`);
    // Nothing of it is cut: the text fits its box, and every part of the corner is on screen.
    expect(await uuid.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    for (const part of [corner.getByTestId("corner-status"), uuid, corner.getByRole("button", { name: /id$/ }), corner.getByRole("button", { name: "Details" })]) {
      const box = (await part.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  });
}

test("inside the demo softphone the corner fits its panel", async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 800 });
  const callId = newCallId();
  await page.goto(softphoneUrl(callId));
  const widget = page.frameLocator("iframe");
  await widget.getByLabel("Number", { exact: true }).fill("98765 43210");
  await widget.getByRole("radio", { name: /Thanks for calling/ }).click();
  await widget.getByRole("button", { name: "Send" }).click();
  const uuid = widget.getByTestId("corner-uuid");
  await expect(uuid).toHaveText(/^[0-9a-f]{8}…$/);
  const frame = page.frames().find((f) => f.url().includes("/widget"))!;
  expect(await frame.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  expect(await uuid.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
});
