import { expect, test } from "@playwright/test";
import { newCallId, openWidget, signInAsAdmin, widgetUrl } from "./support";

/** A server function's answer when the settings store does not answer (what a real
 * outage sends); the REST API wraps the same error in {"error": …}. */
const outage = {
  status: 503,
  contentType: "application/json",
  body: JSON.stringify({ code: "unavailable", message: "The settings store is not answering.", fields: {} }),
};

test("a widget opened without a token shows only the problem and what to do", async ({ page }) => {
  await page.goto(widgetUrl(newCallId(), {}, ""));
  const problem = page.getByTestId("widget-problem");
  await expect(problem).toContainText("You are not signed in to the widget");
  await expect(problem).toContainText("Open the widget again from your softphone");
  await expect(page.getByLabel("Number", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Send" })).toHaveCount(0);
});

test("a widget whose first load fails says so, and Try again brings the form", async ({ page }) => {
  let failures = 1;
  await page.route("**/api/fn/widget_bootstrap*", (route) => (failures-- > 0 ? route.fulfill(outage) : route.continue()));
  await page.goto(widgetUrl(newCallId()));
  const problem = page.getByTestId("widget-problem");
  await expect(problem).toContainText("The settings store is not answering.");
  await expect(page.getByRole("tab", { name: "SMS" })).toHaveCount(0);
  await problem.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("tab", { name: "SMS" })).toBeVisible();
  await expect(problem).toHaveCount(0);
});

test("a settings list that fails to load is an error with Try again, not an empty list", async ({ page }) => {
  await signInAsAdmin(page);
  let failures = 1;
  const restOutage = { ...outage, body: JSON.stringify({ error: JSON.parse(outage.body) }) };
  await page.route("**/api/v1/admin/agents", (route) => (failures-- > 0 ? route.fulfill(restOutage) : route.continue()));
  await page.getByRole("tab", { name: "Agents" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Could not load the agents: The settings store is not answering.");
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect(page.locator('tr[data-agent="demo-agent"]')).toBeVisible();
  await expect(alert).toHaveCount(0);
});

test("an ended admin session returns to the sign-in form, which says why", async ({ page }) => {
  await signInAsAdmin(page);
  const token = await page.evaluate(() => sessionStorage.getItem("agent-notify-admin-token"));
  const ended = await page.request.post("/api/v1/admin/logout", { headers: { authorization: `Bearer ${token}` } });
  expect(ended.status()).toBe(204);
  await page.getByRole("tab", { name: "Providers" }).click();
  await expect(page.getByRole("alert")).toHaveText("Your session has ended. Sign in again.");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("the browser's icon request finds the icon", async ({ page }) => {
  const icon = await page.request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
});
