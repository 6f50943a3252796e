import { expect, test } from "@playwright/test";
import { newCallId, numberBox, openWidget } from "./support";

test("Refresh can be used once every 15 seconds and shows the countdown", async ({ page }) => {
  await page.clock.install();
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const refresh = page.getByTestId("refresh");
  await expect(refresh).toHaveText("Refresh");
  await refresh.click();
  await expect(refresh).toHaveText("Refresh in 15s");
  await expect(refresh).toBeDisabled();
  await page.clock.runFor(5_000);
  await expect(refresh).toHaveText("Refresh in 10s");
  await expect(refresh).toBeDisabled();
  await page.clock.runFor(10_000);
  await expect(refresh).toHaveText("Refresh");
  await expect(refresh).toBeEnabled();
});

test("a widget in a call follows all its messages over the call's one event stream", async ({ page }) => {
  const streams: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/events")) streams.push(new URL(r.url()).pathname);
  });
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent .badge")).toHaveText(["Delivered"]);
  await page.getByRole("tab", { name: "RCS" }).click();
  await page.getByRole("radio", { name: /Welcome/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent .badge")).toHaveText(["Delivered", "Delivered"]);
  expect(streams.length).toBeGreaterThan(0);
  expect(new Set(streams)).toEqual(new Set([`/api/v1/calls/${callId}/events`]));
});

test("a message the provider refuses at once shows Failed without a Refresh, on a call that already has messages", async ({ page }) => {
  const callId = newCallId();
  await openWidget(page, callId, { number: "98765 43210" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".sent .badge")).toHaveText(["Delivered"]);
  // The call's stream stays open (a reply may still come); each refusal below is final
  // on the server milliseconds after its 202, often before the widget has the 202.
  await numberBox(page).fill("98765 40001");
  const expected = ["Delivered"];
  for (let i = 0; i < 4; i++) {
    await page.getByRole("button", { name: "Send" }).click();
    expected.unshift("Failed");
    await expect(page.locator(".sent .badge")).toHaveText(expected, { timeout: 5_000 });
  }
});
