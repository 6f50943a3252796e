import { expect, Page, test } from "@playwright/test";
import { agentToken, hostOrigin, newCallId, signInAsAdmin, softphoneUrl, widgetUrl } from "./support";

/** What the browser says it blocked by a Content-Security-Policy. */
function policyViolations(page: Page): string[] {
  const blocked: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) blocked.push(message.text());
  });
  return blocked;
}

/** Every URL the page (and its frames) asks a server for. */
function requestedUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => urls.push(request.url()));
  return urls;
}

async function sendThanks(frame: { getByRole: Page["getByRole"]; locator: Page["locator"] }) {
  await frame.getByRole("radio", { name: /Thanks for calling/ }).click();
  await frame.getByRole("button", { name: "Send" }).click();
  await expect(frame.locator(".sent .badge")).toHaveText("Delivered");
}

test("the token never appears in a URL the browser requests, and leaves the address bar", async ({ page }) => {
  const token = agentToken();
  const urls = requestedUrls(page);
  const blocked = policyViolations(page);
  await page.goto(widgetUrl(newCallId(), { number: "98765 43210" }, token));
  await sendThanks(page);
  expect(page.url()).not.toContain("token");
  expect(urls.some((u) => u.includes("/events?ticket="))).toBeTruthy();
  expect(urls.filter((u) => u.includes(token))).toEqual([]);
  expect(blocked, "the page's policy lets the widget do all it does").toEqual([]);
});

test("the demo softphone hands the token over in the fragment or by postMessage", async ({ page }) => {
  const token = agentToken();
  const urls = requestedUrls(page);
  for (const deliver of ["fragment", "message"]) {
    await page.goto(softphoneUrl(newCallId(), { deliver }, token));
    await sendThanks(page.frameLocator("#widget"));
  }
  expect(urls.filter((u) => u.includes(token))).toEqual([]);
});

test("a softphone on another origin posts the token and gets the widget's events", async ({ page, baseURL }) => {
  const token = agentToken();
  const callId = newCallId();
  const urls = requestedUrls(page);
  const widget = `${baseURL}/widget?${new URLSearchParams({ call_id: callId, number: "98765 43210" })}`;
  const host = `${hostOrigin()}/phone.html?${new URLSearchParams({ widget, call_id: callId })}`;
  await page.goto(`${host}#${new URLSearchParams({ token })}`);
  await sendThanks(page.frameLocator("#widget"));
  const received = await page.evaluate(() => (window as any).received.map((m: any) => m.type));
  expect(received).toEqual(expect.arrayContaining(["agent-notify:ready", "agent-notify:sent", "agent-notify:status"]));
  expect(urls.filter((u) => u.includes(token))).toEqual([]);
});

test("the settings page works under its policy", async ({ page }) => {
  const blocked = policyViolations(page);
  await signInAsAdmin(page);
  for (const tab of ["Templates", "Agent groups", "Agents", "Providers", "Audit log"]) {
    await page.getByRole("tab", { name: tab }).click();
  }
  expect(blocked).toEqual([]);
});

test("the settings page may not be framed, and pages carry their safety headers", async ({ page }) => {
  for (const path of ["/admin", "/widget", "/softphone.html", "/api/v1/openapi.json"]) {
    const response = await page.request.get(path);
    const headers = response.headers();
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("no-referrer");
    expect(headers["content-security-policy"], path).toBeTruthy();
  }
  const admin = (await page.request.get("/admin")).headers()["content-security-policy"];
  expect(admin).toContain("frame-ancestors 'none'");
  const widget = (await page.request.get("/widget")).headers()["content-security-policy"];
  expect(widget).toContain(`frame-ancestors 'self' ${hostOrigin()}`);
});
