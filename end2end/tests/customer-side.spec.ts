// The customer's side as the agent and the admin see it: a WhatsApp reply under the
// message it answers and the 24-hour window it opens, a number that opted out flagged
// before the agent sends, and the settings page's opt-out list (add, import, export,
// remove). Meta's webhooks are signed here with Node's own HMAC.
import { createHmac } from "node:crypto";
import { APIRequestContext, expect, test } from "@playwright/test";
import { ADMIN_PASSWORD, agentToken, newCallId, numberBox, signInAsAdmin, widgetUrl } from "./support";

const APP_SECRET = "e2e-meta-app-secret";
const PHONE_ID = "106540352242922";

async function adminToken(request: APIRequestContext): Promise<string> {
  const r = await request.post("/api/v1/admin/login", { data: { id: "admin", password: ADMIN_PASSWORD } });
  expect(r.ok()).toBeTruthy();
  return (await r.json()).token;
}

/** Calls the admin API and expects `status`. */
async function admin(request: APIRequestContext, token: string, method: string, path: string, data: unknown, status = 201) {
  const r = await request.fetch(path, { method, data, headers: { authorization: `Bearer ${token}` } });
  expect(r.status(), await r.text()).toBe(status);
}

/** A group of its own whose WhatsApp goes through a Meta account (the fake Cloud API),
 * with one agent and one template; the demo group stays on the sandbox. */
async function whatsappGroup(request: APIRequestContext, tag: string): Promise<{ group: string; agent: string }> {
  const token = await adminToken(request);
  const [group, agent, account, template] = [`g-${tag}`, `a-${tag}`, `meta-${tag}`, `t-${tag}`];
  await admin(request, token, "POST", "/api/v1/admin/providers", {
    id: account, channel: "whatsapp", provider: "meta", display_name: `WhatsApp ${tag}`, sender: PHONE_ID,
    default: false, credentials: { access_token: "e2e-token", app_secret: APP_SECRET, verify_token: "e2e-verify" },
  });
  await admin(request, token, "POST", "/api/v1/admin/templates", {
    id: template, name: `Delivery slot ${tag}`, channel: "whatsapp", language: "en",
    body: "Your parcel arrives tomorrow. Reply with a time that suits you.", fields: [],
    provider_ref: { whatsapp_name: "delivery_slot", whatsapp_language: "en" },
  });
  await admin(request, token, "POST", "/api/v1/admin/groups", { id: group, name: `Replies ${tag}` });
  await admin(request, token, "PUT", `/api/v1/admin/groups/${group}/notification-types`, {
    sms: { enabled: false, templates: [] },
    whatsapp: { enabled: true, templates: [template], account },
    rcs: { enabled: false, templates: [] },
  }, 200);
  await admin(request, token, "POST", "/api/v1/admin/agents", { id: agent, name: "Reply Agent", group_id: group });
  return { group, agent };
}

/** A webhook as Meta posts it (`value` holds `statuses` or `messages`), signed with the
 * app secret. */
async function metaPosts(request: APIRequestContext, account: string, value: Record<string, unknown>) {
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "102290129340398", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: PHONE_ID },
      ...value,
    } }] }],
  });
  const signature = "sha256=" + createHmac("sha256", APP_SECRET).update(body).digest("hex");
  const r = await request.post(`/webhooks/meta/${account}`, {
    data: body, headers: { "content-type": "application/json", "x-hub-signature-256": signature },
  });
  expect(r.status()).toBe(200);
}

/** A customer's WhatsApp message. */
async function customerWrites(request: APIRequestContext, account: string, from: string, text: string) {
  await metaPosts(request, account, {
    messages: [{ from, id: `wamid.IN${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }],
  });
}

test("a customer's WhatsApp reply shows under the message it answers and opens the window", async ({ page, request }) => {
  const tag = newCallId("r");
  const { group, agent } = await whatsappGroup(request, tag);
  await page.goto(widgetUrl(newCallId(), {}, agentToken(agent, group)));
  await numberBox(page).fill("98765 43111");
  const notes = page.getByTestId("recipient-notes");
  await expect(notes).toContainText("WhatsApp window closed: only approved templates reach this customer.");
  await page.getByRole("radio", { name: new RegExp(`Delivery slot ${tag}`) }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const sent = page.locator(".sent").first();
  await expect(sent).toBeVisible();
  // Once the (fake) Cloud API has the message, the customer answers it.
  const fake = process.env.AGENT_NOTIFY_FAKE_META!;
  await expect.poll(async () => (await (await request.get(`${fake}/count`)).json()).taken).toBeGreaterThan(0);
  await expect(sent).toHaveAttribute("data-status", "sending");
  // The customer reads it (its status is final), and only then answers: the widget
  // still shows the answer live.
  const uuid = (await sent.getAttribute("data-uuid"))!;
  await metaPosts(request, `meta-${tag}`, { statuses: [{ id: "wamid.E2E", status: "read", timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: "919876543111", biz_opaque_callback_data: uuid }] });
  await expect(sent).toHaveAttribute("data-status", "read");
  await customerWrites(request, `meta-${tag}`, "919876543111", "Tomorrow after 5 pm please");
  await expect(sent.getByTestId("reply")).toHaveText("Customer replied: Tomorrow after 5 pm please");
  await expect(notes).toContainText(/WhatsApp window open until \w{3},? .*\d{1,2}[:.]\d{2}/);
  await page.screenshot({ path: "test-results/customer-reply.png" });
});

test("a number that opted out is flagged before the agent sends, and the send is refused", async ({ page, request }) => {
  const token = await adminToken(request);
  await admin(request, token, "POST", "/api/v1/admin/opt-outs", { number: "+919876500099", channel: "sms" });
  await page.goto(widgetUrl(newCallId()));
  await expect(page.getByRole("tab", { name: "SMS" })).toBeVisible();
  await numberBox(page).fill("98765 00099");
  await expect(page.getByTestId("recipient-notes")).toHaveText("This customer opted out of SMS messages: a send will be refused.");
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toContainText("This customer opted out of SMS messages; nothing was sent.");
  await expect(page.locator(".sent")).toHaveCount(0);
  await page.screenshot({ path: "test-results/opted-out.png" });
});

test("an admin keeps the opt-out list: add, import a CSV, export it, remove", async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 800 });
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Opt-outs" }).click();
  const form = page.getByRole("form", { name: "Add an opt-out" });
  await form.getByLabel("Number, with its country code").fill("+91 98765 00111");
  await form.getByLabel("Channel").selectOption("whatsapp");
  await form.getByRole("button", { name: "Add" }).click();
  await expect(page.getByRole("status")).toContainText("+919876500111 may no longer be sent WhatsApp messages.");
  const table = page.getByRole("table", { name: "Opt-outs" });
  await expect(table.locator('tr[data-number="+919876500111"]')).toContainText("Added by an admin");

  await page.getByTestId("opt-out-import").setInputFiles({
    name: "stop-list.csv", mimeType: "text/csv",
    buffer: Buffer.from("number,channel\n+919876500112,sms\n+919876500113,rcs\n"),
  });
  await expect(page.getByRole("status")).toContainText("Imported 2 numbers (2 new).");
  await expect(table.locator('tr[data-number="+919876500113"]')).toContainText("Imported");

  await page.getByTestId("opt-out-import").setInputFiles({
    name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("number,channel\n12345,sms\n"),
  });
  await expect(page.getByRole("alert")).toContainText("nothing was imported");
  await expect(page.getByRole("alert").locator('[data-field="line 2.number"]')).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("opt-outs.csv");
  const text = await (await file.createReadStream()).toArray();
  expect(Buffer.concat(text).toString()).toContain("+919876500112,sms,,import,");

  await table.locator('tr[data-number="+919876500111"]').getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("status")).toContainText("+919876500111 is off the opt-out list for WhatsApp.");
  await expect(table.locator('tr[data-number="+919876500111"]')).toHaveCount(0);
  await page.screenshot({ path: "test-results/opt-outs-tab.png", fullPage: true });
});

test("an admin creates an API key, sees its secret once, and revokes it", async ({ page, request }) => {
  await page.setViewportSize({ width: 1100, height: 900 });
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "API keys" }).click();
  const form = page.getByRole("form", { name: "New API key" });
  const name = `IVR ${newCallId("k")}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("read the notifications it sent (notifications:read)").check();
  await form.getByRole("checkbox", { name: "Demo agents" }).check();
  await form.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-secret");
  await expect(shown).toContainText("Copy this key now: it will not be shown again.");
  const secret = (await shown.locator("code").textContent())!;
  expect(secret).toMatch(/^ank_[0-9a-f]{64}$/);
  const row = page.getByRole("table", { name: "API keys" }).locator("tr", { hasText: name });
  await expect(row).toContainText("notifications:send, notifications:read");
  await expect(row).toContainText("Never");
  await page.screenshot({ path: "test-results/api-keys-tab.png", fullPage: true });

  // The key works as an integrator would use it.
  const sent = await request.post("/api/v1/notifications", {
    headers: { authorization: `Bearer ${secret}` },
    data: { group_id: "demo", to: "+919876500123", channel: "sms", template_id: "t_sms_thanks" },
  });
  expect(sent.status()).toBe(202);
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(shown).toHaveCount(0);

  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("status")).toContainText(`Revoked the key ${name}: it no longer works.`);
  await expect(row).toHaveCount(0);
  const refused = await request.post("/api/v1/notifications", {
    headers: { authorization: `Bearer ${secret}` },
    data: { group_id: "demo", to: "+919876500123", channel: "sms", template_id: "t_sms_thanks" },
  });
  expect(refused.status()).toBe(401);
});

test("a field with a contact code is pre-filled from the CRM in the pop-up", async ({ page, request }) => {
  const tag = newCallId("c");
  const token = await adminToken(request);
  const [group, agent, template] = [`g-${tag}`, `a-${tag}`, `t-${tag}`];
  await admin(request, token, "POST", "/api/v1/admin/templates", {
    id: template, name: `Callback ${tag}`, channel: "rcs",
    body: "Hi {{greeting}}, we will call you back about {{topic}}.",
    fields: [
      { name: "greeting", label: "Greeting name", type: "text", required: true, source: "contact.name" },
      { name: "topic", label: "Topic", type: "text", required: true, source: "contact.order_id" },
    ],
  });
  await admin(request, token, "POST", "/api/v1/admin/groups", { id: group, name: `CRM ${tag}` });
  await admin(request, token, "PUT", `/api/v1/admin/groups/${group}/notification-types`, {
    rcs: { enabled: true, templates: [template] },
  }, 200);
  await admin(request, token, "POST", "/api/v1/admin/agents", { id: agent, name: "CRM Agent", group_id: group });
  // The fake CRM knows call `crm-known…`: Asha Rao, order A-17.
  await page.goto(widgetUrl(newCallId("crm-known"), {}, agentToken(agent, group)));
  // The CRM's number arrives with the widget's first answer; typing only after it
  // keeps the two from racing in the box (the widget fills only an empty box).
  await expect(numberBox(page)).toHaveValue("+919812345678");
  await numberBox(page).fill("98765 00124");
  await page.getByRole("radio", { name: new RegExp(`Callback ${tag}`) }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const dialog = page.getByRole("dialog", { name: `Callback ${tag}` });
  await expect(dialog.getByLabel("Greeting name")).toHaveValue("Asha Rao");
  await expect(dialog.getByLabel("Topic")).toHaveValue("A-17");
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // A number the CRM links to someone else is flagged, not refused.
  await numberBox(page).fill("98765 11111");
  await expect(page.getByTestId("recipient-notes")).toHaveText(
    "This number belongs to Ravi Kumar in the CRM, not to this call's customer.",
  );
  await page.screenshot({ path: "test-results/profile-conflict.png" });
});

test("an SMS template without DLT ids is flagged in the editor and when a group in India maps it", async ({ page }) => {
  const tag = newCallId("d");
  await page.setViewportSize({ width: 1000, height: 900 });
  await signInAsAdmin(page);
  await page.getByRole("button", { name: "New template" }).click();
  const editor = page.getByRole("form", { name: "Template editor" });
  await editor.getByLabel("Name", { exact: true }).fill(`Unregistered ${tag}`);
  await editor.getByLabel("Body").fill("Your request is received.");
  await expect(editor.getByTestId("dlt-warning")).toHaveText(
    "Without its DLT registration (DLT entity id, DLT content template id, DLT header), this template's SMS to Indian numbers are refused.",
  );
  await editor.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByRole("status")).toContainText(`Saved Unregistered ${tag}.`);

  await page.getByRole("tab", { name: "Agent groups" }).click();
  await page.getByLabel("New group's name").fill(`India ${tag}`);
  await page.getByRole("button", { name: "Create group" }).click();
  const sms = page.locator('.channel-column[data-channel="sms"]');
  await sms.getByLabel("Enable SMS").check();
  await sms.getByLabel("Add a SMS template").selectOption({ label: `Unregistered ${tag}` });
  await page.getByRole("button", { name: "Save notification types" }).click();
  await expect(page.getByRole("status")).toContainText(
    `Warning: SMS template Unregistered ${tag} lacks its DLT registration (DLT entity id, DLT content template id, DLT header): its messages to Indian numbers will be refused.`,
  );

  // A group whose agents work with the UK is not warned.
  page.once("dialog", (dialog) => dialog.accept("GB"));
  await page.locator(".group-list li.active").getByRole("button", { name: "Country" }).click();
  await expect(page.locator(".group-list li.active")).toContainText("numbers read in United Kingdom");
  await page.locator(".group-list li.active button.link").click();
  await page.getByRole("button", { name: "Save notification types" }).click();
  await expect(page.getByRole("status")).toHaveText(/^Saved the notification types of [^.]+\.$/);
});
