import { expect, Page, test } from "@playwright/test";
import { agentToken, ADMIN_PASSWORD, newCallId, saveTypesAndAddAgent, signInAsAdmin, widgetUrl } from "./support";

/** Fills the template editor and saves it. */
async function createTemplate(page: Page, name: string, body: string, fields: Array<[string, string]> = []) {
  await page.getByRole("button", { name: "New template" }).click();
  const editor = page.getByRole("form", { name: "Template editor" });
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await editor.getByLabel("Body").fill(body);
  for (const [field, label] of fields) {
    await editor.getByRole("button", { name: "Add field" }).click();
    await editor.getByLabel("Field name").last().fill(field);
    await editor.getByLabel("Field label").last().fill(label);
  }
  await editor.getByRole("button", { name: "Save template" }).click();
  await expect(editor).toBeHidden();
}

test("a wrong password is refused and the right one signs in; signing out returns to the form", async ({ page }) => {
  await page.goto("/admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("The admin id or password is wrong.");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("tab", { name: "Templates" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("an admin creates a static and a dynamic template with a field", async ({ page }) => {
  const tag = newCallId("t");
  await signInAsAdmin(page);
  await createTemplate(page, `Static ${tag}`, "We have received your request.");
  await expect(page.getByRole("status")).toContainText(`Saved Static ${tag}.`);
  await createTemplate(page, `Dynamic ${tag}`, "Hello {{name}}, your ticket is open.", [["name", "Customer name"]]);
  await expect(page.getByRole("status")).toContainText(`Saved Dynamic ${tag}.`);
  const rows = page.getByRole("table", { name: "Templates" }).locator("tr", { hasText: tag });
  await expect(rows).toHaveCount(2);
  // The Kind column in words, not the code's "static"/"dynamic".
  await expect(rows.filter({ hasText: `Dynamic ${tag}` }).locator("td").nth(2)).toHaveText("1 field");
  await expect(rows.filter({ hasText: `Static ${tag}` }).locator("td").nth(2)).toHaveText("Fixed text");
});

test("save-time problems are shown at their inputs, all of them, in words", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("button", { name: "New template" }).click();
  const editor = page.getByRole("form", { name: "Template editor" });
  await editor.getByLabel("Body").fill("Hi {{name}}, see you on {{date}}.");
  await expect(editor.getByTestId("template-preview")).toHaveText("Hi {{name}}, see you on {{date}}.");
  await editor.getByRole("button", { name: "Save template" }).click();
  // The banner says what failed; each problem sits under its input.
  await expect(page.getByRole("alert")).not.toContainText("fields:");
  const name = editor.locator('[data-field="name"]');
  await expect(name).toHaveText(/^Name: .*required/);
  expect(await name.evaluate((p) => p.closest("label")?.textContent)).toContain("Name");
  await expect(editor.locator('[data-field="fields"]')).toHaveText(
    "Fields: the placeholder {{name}} has no field; the placeholder {{date}} has no field",
  );
});

test("a WhatsApp template sends a field to the header; a wrong component is refused by field", async ({ page }) => {
  const tag = newCallId("w");
  await signInAsAdmin(page);
  await page.getByRole("button", { name: "New template" }).click();
  const editor = page.getByRole("form", { name: "Template editor" });
  await editor.getByLabel("Name", { exact: true }).fill(`Header ${tag}`);
  await editor.getByLabel("Channel").selectOption("whatsapp");
  await editor.getByLabel("Body").fill("Your order {{order}} is ready.");
  await editor.getByRole("button", { name: "Add field" }).click();
  await editor.getByLabel("Field name").last().fill("order");
  await editor.getByLabel("Field label").last().fill("Order number");
  await editor.getByText("Provider references").click();
  await editor.getByLabel("WhatsApp template name").fill("order_ready");
  await editor.getByLabel("WhatsApp header / button fields").fill("order=footer");
  await editor.getByRole("button", { name: "Save template" }).click();
  await expect(editor.locator('[data-field="provider_ref.whatsapp_components.order"]'))
    .toHaveText(/^Order: `footer` is not a WhatsApp component/);
  await editor.getByLabel("WhatsApp header / button fields").fill("order=header");
  await editor.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByRole("status")).toContainText(`Saved Header ${tag}.`);
});

test("a group takes five SMS templates in order, refuses a sixth, and the widget shows exactly those", async ({ page }) => {
  const tag = newCallId("g");
  await signInAsAdmin(page);
  for (let i = 1; i <= 6; i++) await createTemplate(page, `${tag} SMS ${i}`, `Message ${i} from ${tag}.`);
  await expect(page.getByRole("status")).toContainText(`Saved ${tag} SMS 6.`);

  await page.getByRole("tab", { name: "Agent groups" }).click();
  await expect(page.getByTestId("choose-group")).toContainText("Choose a group's name");
  await page.getByLabel("New group's name").fill(`Group ${tag}`);
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("region", { name: "Notification Type" })).toBeVisible();
  const sms = page.locator('.channel-column[data-channel="sms"]');
  await sms.getByLabel("Enable SMS").check();
  const add = sms.getByLabel("Add a SMS template");
  for (let i = 1; i <= 5; i++) await add.selectOption({ label: `${tag} SMS ${i}` });
  await expect(sms.locator(".chosen li")).toHaveCount(5);
  await expect(add).toBeDisabled();
  await expect(add).toHaveValue("");
  await expect(add.locator("option:checked")).toHaveText("Limit of 5 reached");
  await expect(sms.getByTestId("limit")).toHaveText("Limit of 5 reached: remove one to add another.");
  // Reorder: the second moves to the top.
  await sms.locator(".chosen li").nth(1).getByRole("button", { name: "Move up" }).click();
  // Only an agent the settings hold may use the widget: register one in the group.
  const { groupId, agentId } = await saveTypesAndAddAgent(page, tag);
  await page.goto(widgetUrl(newCallId(), {}, agentToken(agentId, groupId)));
  const names = page.getByRole("radiogroup", { name: "Template" }).getByRole("radio").locator("strong");
  await expect(names).toHaveText([2, 1, 3, 4, 5].map((i) => `${tag} SMS ${i}`));
  await expect(page.getByRole("tab")).toHaveText(["SMS"]);
});

test("an agent switched off on the Agents tab can no longer use the widget", async ({ page }) => {
  const agentId = `off-${newCallId("a")}`;
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Agents" }).click();
  await page.getByLabel("Agent id").fill(agentId);
  await page.getByLabel("Agent name").fill("Soon off");
  await page.getByLabel("Agent group").selectOption("demo");
  await page.getByRole("button", { name: "Add agent" }).click();
  const row = page.locator(`tr[data-agent="${agentId}"]`);
  await expect(row).toContainText("Active");

  const widget = await page.context().newPage();
  await widget.goto(widgetUrl(newCallId(), {}, agentToken(agentId, "demo")));
  await expect(widget.getByRole("tab", { name: "SMS" })).toBeVisible();

  await row.getByRole("button", { name: "Edit" }).click();
  await page.getByRole("checkbox", { name: "Active" }).uncheck();
  await page.getByRole("button", { name: "Save agent" }).click();
  await expect(row).toContainText("Switched off");
  await widget.reload();
  await expect(widget.getByRole("alert")).toContainText("Your agent account is switched off. Ask an admin.");
});

test("the audit log shows who changed what", async ({ page }) => {
  const tag = newCallId("a");
  await signInAsAdmin(page);
  await createTemplate(page, `Audited ${tag}`, "Audited message.");
  await expect(page.getByRole("status")).toContainText(`Saved Audited ${tag}.`);
  await page.getByRole("tab", { name: "Audit log" }).click();
  await page.getByLabel("Kind of change").selectOption("template");
  const entry = page.locator(".audit-entry", { hasText: `Created template t_sms_audited_${tag.replace("-", "_")}` });
  await expect(entry).toContainText("admin");
  await entry.getByText(/^\d+ fields$/).click();
  await expect(entry.locator(".audit-changes")).toContainText(`Name: Audited ${tag}`);
  await expect(entry.locator(".audit-changes")).not.toContainText("{");
});

test("an admin adds a Twilio account: its credentials are typed in once and never shown, its webhook URL is", async ({ page }) => {
  const tag = newCallId("p");
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Providers" }).click();
  const form = page.getByRole("form", { name: "Provider account" });
  await form.getByLabel("Provider type").selectOption("twilio");
  // Twilio sends SMS and WhatsApp, not RCS.
  await expect(form.getByLabel("Provider channel").locator("option")).toHaveText(["SMS", "WhatsApp"]);
  await form.getByLabel("Provider channel").selectOption("whatsapp");
  await form.getByLabel("Display name").fill(`Twilio ${tag}`);
  await form.getByLabel("Sender").fill("+14155238886");
  await form.getByLabel("Account SID").fill("AC0123456789abcdef0123456789abcdef");
  await form.getByLabel("Auth token").fill(`secret-${tag}`);
  await form.getByLabel("Default for the channel").uncheck();
  await form.getByRole("button", { name: "Add account" }).click();
  await expect(page.getByRole("status")).toContainText(`Added provider account Twilio ${tag}.`);
  const row = page.getByRole("row", { name: new RegExp(`Twilio ${tag}`) });
  await expect(row).toContainText("Account SID, Auth token set");
  await expect(row.locator("code.webhook")).toHaveText(/\/webhooks\/twilio\/twilio-[0-9a-f]{8}$/);
  await expect(form.getByLabel("Auth token")).toHaveValue("");
  await expect(page.locator("body")).not.toContainText(`secret-${tag}`);

  // A missing credential is refused with the list of what the provider needs.
  await form.getByLabel("Provider type").selectOption("meta");
  await form.getByLabel("Display name").fill(`WhatsApp ${tag}`);
  await form.getByLabel("Sender").fill("106540352242922");
  await form.getByLabel("Access token").fill("EAAG-token");
  await form.getByRole("button", { name: "Add account" }).click();
  await expect(page.getByRole("alert")).toContainText("needs these credentials: access_token, app_secret, verify_token");
});

test("at a side panel's width every settings tab scrolls only its own lists sideways, never the page", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await signInAsAdmin(page);
  for (const tab of ["Templates", "Agent groups", "Agents", "Call queues", "Providers", "Opt-outs", "API keys", "Audit log"]) {
    await page.getByRole("tab", { name: tab }).click();
    await expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
    await page.waitForLoadState("networkidle");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${tab} scrolls the page sideways`).toBeLessThanOrEqual(0);
  }
});
