import { expect, test } from "@playwright/test";
import { agentToken, newCallId, numberBox, openWidget } from "./support";

// Desktop alerts go through the browser's own Notifications API; the spec records what
// the page asks it to show (and the sounds it plays) without replacing it.
// Both change the demo agent's saved preferences: one at a time.
test.describe.configure({ mode: "serial" });

test.beforeEach(async ({ page, context }) => {
  await context.grantPermissions(["notifications"]);
  await page.addInitScript(() => {
    const shown: Array<{ title: string; body: string }> = [];
    const played: string[] = [];
    (window as any).__alerts = shown;
    (window as any).__sounds = played;
    const Real = window.Notification;
    (window as any).Notification = class extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? "" });
      }
    };
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function () {
      played.push(this.currentSrc || this.src);
      return play.call(this).catch(() => undefined);
    };
  });
});

/** The agent's preferences, as the server keeps them. */
async function savedPreferences(page: import("@playwright/test").Page) {
  const r = await page.request.get("/api/v1/me/preferences", { headers: { authorization: `Bearer ${agentToken()}` } });
  expect(r.ok()).toBeTruthy();
  return r.json();
}

test("a failure while the widget is not in front is a desktop alert, with a sound when asked", async ({ page }) => {
  await openWidget(page, newCallId());
  const menu = page.getByRole("button", { name: /demo-agent/ });
  await menu.click();
  const settings = page.getByRole("group", { name: "Alert settings" });
  await expect(settings.getByRole("radio", { name: "Failures and replies" })).toBeChecked();
  await expect(settings.getByTestId("alert-permission")).toHaveText("Alerts show while the widget is not in front.");
  await settings.getByRole("checkbox", { name: "Play a sound" }).check();
  await expect.poll(() => savedPreferences(page)).toEqual({ alerts: "failures_and_replies", sound: true });
  await menu.click();

  await numberBox(page).fill("98765 40000");
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send", exact: true }).click();
  // The agent turns to another window while the message is on its way.
  await page.evaluate(() => window.dispatchEvent(new Event("blur")));
  await expect(page.locator(".sent .badge")).toHaveText("Failed");
  await expect.poll(() => page.evaluate(() => (window as any).__alerts)).toEqual([
    { title: "Message failed", body: expect.stringMatching(/^Thanks for calling to \+91\*{6}0000: .*could not be reached/) },
  ]);
  expect(await page.evaluate(() => (window as any).__sounds)).toEqual([expect.stringMatching(/\/alert\.wav$/)]);
});

test("a delivery is an alert only for an agent who asked for all, and never while the widget is in front", async ({ page }) => {
  await openWidget(page, newCallId(), { number: "98765 43210" });
  await page.getByRole("button", { name: /demo-agent/ }).click();
  await page.getByRole("radio", { name: "Failures, deliveries and replies" }).check();
  await expect.poll(() => savedPreferences(page)).toMatchObject({ alerts: "all" });
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.locator(".sent .badge")).toHaveText("Delivered");
  expect(await page.evaluate(() => (window as any).__alerts)).toEqual([]);

  await page.evaluate(() => window.dispatchEvent(new Event("blur")));
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.locator(".sent .badge")).toHaveText(["Delivered", "Delivered"]);
  await expect.poll(() => page.evaluate(() => (window as any).__alerts.map((a: any) => a.title))).toEqual(["Message delivered"]);

  // Back to the default for the other specs' agent (the menu closed when the focus
  // left it for the form).
  await page.getByRole("button", { name: /demo-agent/ }).click();
  await page.getByRole("radio", { name: "Failures and replies" }).check();
  await expect.poll(() => savedPreferences(page)).toMatchObject({ alerts: "failures_and_replies" });
  await page.getByRole("checkbox", { name: "Play a sound" }).uncheck();
  await expect.poll(() => savedPreferences(page)).toEqual({ alerts: "failures_and_replies", sound: false });
});
