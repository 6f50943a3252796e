// What the specs share: tokens minted with Node's own HMAC (independently of the
// server's JWT code), unique call ids, and a look at what the server recorded.
import { createHmac, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { expect, Page } from "@playwright/test";

export const SECRET = "e2e-secret-0123456789abcdef-0123456789";
export const ADMIN_PASSWORD = "e2e admin password 123";
/** The origin of a softphone page on another site (global-setup.ts serves it), allowed
 * to embed the widget. */
export const hostOrigin = () => process.env.AGENT_NOTIFY_HOST_ORIGIN!;

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** An HS256 agent token for the demo group. */
export function agentToken(sub = "demo-agent", group = "demo"): string {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const now = Math.floor(Date.now() / 1000);
  const claims = b64url(JSON.stringify({ sub, role: "agent", grp: group, iat: now, exp: now + 3600 }));
  const signature = createHmac("sha256", SECRET).update(`${header}.${claims}`).digest("base64url");
  return `${header}.${claims}.${signature}`;
}

/** Opens the settings page signed in as the first-run admin. */
export async function signInAsAdmin(page: Page) {
  await page.goto("/admin");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("tab", { name: "Templates" })).toBeVisible();
}

/** A call id no other test uses. */
export const newCallId = (prefix = "call") => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The widget's URL for a call: parameters in the query, the token in the fragment
 * (which the browser never sends to a server). */
export function widgetUrl(callId: string, params: Record<string, string> = {}, token = agentToken()): string {
  const query = new URLSearchParams({ call_id: callId, ...params });
  return `/widget?${query}#${new URLSearchParams({ token })}`;
}

/** The demo softphone's URL for a call, the token in its fragment. */
export function softphoneUrl(callId: string, params: Record<string, string> = {}, token = agentToken()): string {
  const query = new URLSearchParams({ call_id: callId, ...params });
  return `/softphone.html?${query}#${new URLSearchParams({ token })}`;
}

/** Opens the widget for a call, with extra URL parameters. */
export async function openWidget(page: Page, callId: string, params: Record<string, string> = {}) {
  await page.goto(widgetUrl(callId, params));
  await expect(page.getByRole("tab", { name: "SMS" })).toBeVisible();
}

/** The messages the server recorded for a call (through the REST API). */
export async function sentForCall(page: Page, callId: string): Promise<Array<Record<string, unknown>>> {
  const response = await page.request.get(`/api/v1/notifications?call_id=${callId}`, {
    headers: { authorization: `Bearer ${agentToken()}` },
  });
  expect(response.ok()).toBeTruthy();
  return response.json();
}

/** The number box and its status line. */
export const numberBox = (page: Page) => page.getByLabel("Number", { exact: true });
export const numberStatus = (page: Page) => page.locator("#an-number-status");

/** axe-core's script: specs that run it use `test.use({ bypassCSP: true })`. */
const axePath = resolve(__dirname, "../node_modules/axe-core/axe.min.js");

/** The serious and critical violations axe finds on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const results = await (window as any).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return results.violations
      .filter((v: any) => v.impact === "serious" || v.impact === "critical")
      .map((v: any) => `${v.impact} ${v.id}: ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
  });
}

/** Saves the open group's Notification Type tab, then registers the agent `agent-<tag>`
 * in that group on the Agents tab; returns the group's id and the agent's. */
export async function saveTypesAndAddAgent(page: Page, tag: string) {
  await page.getByRole("button", { name: "Save notification types" }).click();
  await expect(page.getByRole("status")).toContainText("Saved the notification types");
  const groupId = (await page.locator(".group-list li.active").getAttribute("data-group"))!;
  const agentId = `agent-${tag}`;
  await page.getByRole("tab", { name: "Agents" }).click();
  await page.getByLabel("Agent id").fill(agentId);
  await page.getByLabel("Agent name").fill(`Agent ${tag}`);
  await page.getByLabel("Agent group").selectOption(groupId);
  await page.getByRole("button", { name: "Add agent" }).click();
  await expect(page.getByRole("status")).toContainText(`Saved agent ${agentId}.`);
  return { groupId, agentId };
}
