import { expect, Page, test } from "@playwright/test";
import { agentToken, newCallId, numberBox, saveTypesAndAddAgent, seriousViolations, signInAsAdmin, widgetUrl } from "./support";

// axe-core is injected into the pages (see accessibility.spec.ts).
test.use({ bypassCSP: true });

/** Fills the provider form with `fields` (label → value) and adds the account. */
async function addAccount(page: Page, type: string, channel: string, fields: Record<string, string>) {
  const form = page.getByRole("form", { name: "Provider account" });
  await form.getByLabel("Provider type").selectOption(type);
  await form.getByLabel("Provider channel").selectOption(channel);
  for (const [label, value] of Object.entries(fields)) {
    await form.getByLabel(label, { exact: true }).fill(value);
  }
  await form.getByLabel("Default for the channel").uncheck();
  await form.getByRole("button", { name: "Add account" }).click();
}

/** Creates a group and an agent in it; returns the group's id and the agent's. */
async function groupWithAgent(page: Page, tag: string, setUp: (page: Page) => Promise<void>) {
  await page.getByRole("tab", { name: "Agent groups" }).click();
  await page.getByLabel("New group's name").fill(`Group ${tag}`);
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("region", { name: "Notification Type" })).toBeVisible();
  await setUp(page);
  return saveTypesAndAddAgent(page, tag);
}

test("an admin adds a Kaleyra and a Sinch account and chains them for a group's SMS; its agents see the key", async ({ page }) => {
  const tag = newCallId("chain");
  const key = `K${Math.floor(1000 + Math.random() * 9000)}`;
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Providers" }).click();

  // Kaleyra: India SMS with DLT and WhatsApp; a key typed in, a description.
  const form = page.getByRole("form", { name: "Provider account" });
  await form.getByLabel("Provider type").selectOption("kaleyra");
  await expect(form.getByLabel("Provider channel").locator("option")).toHaveText(["SMS", "WhatsApp"]);
  await addAccount(page, "kaleyra", "sms", {
    "Display name": `Kaleyra ${tag}`,
    Key: key.toLowerCase(),
    Sender: "ACMEIN",
    "Account SID": "HXIN1700000000IN",
    "API key": `kaleyra-secret-${tag}`,
    Description: "India transactional SMS (DLT entity ACME)",
  });
  await expect(page.getByRole("status")).toContainText(`Added provider account Kaleyra ${tag}.`);
  const kaleyra = page.getByRole("row", { name: new RegExp(`Kaleyra ${tag}`) });
  await expect(kaleyra).toContainText("India transactional SMS (DLT entity ACME)");
  await expect(kaleyra.locator("td").nth(1)).toHaveText(key);
  await expect(kaleyra).toContainText("API key, Account SID set");
  // Kaleyra signs nothing: the URL to paste carries a token for customers' messages.
  await expect(kaleyra.locator("code.webhook")).toHaveText(/\/webhooks\/kaleyra\/kaleyra-[0-9a-f]{8}\?message=inbound&token=[0-9a-f]{64}$/);

  // The same key again is refused at the key.
  await addAccount(page, "kaleyra", "sms", {
    "Display name": `Kaleyra again ${tag}`,
    Key: key,
    Sender: "ACMEIN",
    "Account SID": "HXIN1700000000IN",
    "API key": "another",
  });
  await expect(page.getByRole("alert")).toContainText(`Another provider account has the key ${key}; give this one another.`);
  await expect(form.getByText("Key: taken")).toBeVisible();

  // Sinch SMS: no key typed, one is made from the type.
  await form.getByLabel("Key", { exact: true }).fill("");
  await addAccount(page, "sinch", "sms", {
    "Display name": `Sinch ${tag}`,
    Sender: "+447520651234",
    "Service plan id": "4d2f3c1b0a9e8d7c6b5a4f3e2d1c0b9a",
    "API token": `sinch-secret-${tag}`,
    Description: "",
  });
  await expect(page.getByRole("status")).toContainText(`Added provider account Sinch ${tag}.`);
  const sinch = page.getByRole("row", { name: new RegExp(`Sinch ${tag}`) });
  await expect(sinch.locator("td").nth(1)).toHaveText(/^SIN\d*$/);
  const sinchKey = (await sinch.locator("td").nth(1).textContent())!;
  await expect(page.locator("body")).not.toContainText(`secret-${tag}`);

  // The Conversation API sends WhatsApp and RCS and asks for its four credentials.
  await form.getByLabel("Provider type").selectOption("sinch_conversation");
  await expect(form.getByLabel("Provider channel").locator("option")).toHaveText(["WhatsApp", "RCS"]);
  for (const credential of ["Project id", "Access key id", "Access key secret", "Webhook secret"]) {
    await expect(form.getByLabel(credential, { exact: true })).toBeVisible();
  }
  await page.screenshot({ path: "test-results/provider-accounts.png", fullPage: true });
  expect(await seriousViolations(page)).toEqual([]);

  const { groupId, agentId } = await groupWithAgent(page, tag, async (page) => {
    const sms = page.locator('.channel-column[data-channel="sms"]');
    await sms.getByLabel("Enable SMS").check();
    await sms.getByLabel("Add a SMS template").selectOption({ label: "Thanks for calling" });
    await sms.getByLabel("SMS provider account").selectOption({ label: `Kaleyra ${tag} (${key})` });
    const fallback = sms.getByLabel("Add a SMS fallback account");
    // The first account is not offered again.
    await expect(fallback.locator("option", { hasText: `Kaleyra ${tag}` })).toHaveCount(0);
    await fallback.selectOption({ label: `Sinch ${tag} (${sinchKey})` });
    await expect(sms.locator("[data-fallback] .chosen-name")).toHaveText([`Sinch ${tag} (${sinchKey})`]);
    await page.screenshot({ path: "test-results/fallback-chain.png", fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  });

  // Saved: the chain is there after a reload of the tab.
  await page.getByRole("tab", { name: "Agent groups" }).click();
  await page.locator(`.group-list li[data-group="${groupId}"] button`).first().click();
  await expect(page.locator('.channel-column[data-channel="sms"] [data-fallback] .chosen-name')).toHaveText(new RegExp(`^Sinch ${tag}`));

  await page.goto(widgetUrl(newCallId(), {}, agentToken(agentId, groupId)));
  const tab = page.getByRole("tab", { name: /SMS/ });
  await expect(tab.locator(".account-key")).toHaveText(key);
  await expect(tab).toHaveAttribute("aria-selected", "true");
  await page.screenshot({ path: "test-results/widget-account-key.png" });
  expect(await seriousViolations(page)).toEqual([]);
});

test("with the WhatsApp window closed the widget offers the account's recontact template first", async ({ page }) => {
  const tag = newCallId("recontact");
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Providers" }).click();
  const form = page.getByRole("form", { name: "Provider account" });
  await form.getByLabel("Provider type").selectOption("kaleyra");
  await form.getByLabel("Provider channel").selectOption("whatsapp");
  await form.getByLabel("Recontact template (after the 24-hour window)").selectOption({ label: "Thanks for calling" });
  await addAccount(page, "kaleyra", "whatsapp", {
    "Display name": `Kaleyra WA ${tag}`,
    Sender: "+918041234567",
    "Account SID": "HXIN1700000000IN",
    "API key": "kaleyra-key",
  });
  await expect(page.getByRole("status")).toContainText(`Added provider account Kaleyra WA ${tag}.`);
  const row = page.getByRole("row", { name: new RegExp(`Kaleyra WA ${tag}`) });
  await expect(row).toContainText("Recontact: t_wa_thanks");
  const key = (await row.locator("td").nth(1).textContent())!;

  const { groupId, agentId } = await groupWithAgent(page, tag, async (page) => {
    const wa = page.locator('.channel-column[data-channel="whatsapp"]');
    await wa.getByLabel("Enable WhatsApp").check();
    await wa.getByLabel("Add a WhatsApp template").selectOption({ label: "Order update" });
    await wa.getByLabel("Add a WhatsApp template").selectOption({ label: "Thanks for calling" });
    await wa.getByLabel("WhatsApp provider account").selectOption({ label: `Kaleyra WA ${tag} (${key})` });
  });

  await page.goto(widgetUrl(newCallId(), {}, agentToken(agentId, groupId)));
  const names = page.getByRole("radiogroup", { name: "Template" }).getByRole("radio").locator("strong");
  // Before a number is known: the admin's order.
  await expect(names).toHaveText(["Order update", "Thanks for calling"]);
  await numberBox(page).fill("+919812345678");
  await expect(page.getByText("WhatsApp window closed")).toContainText("The recontact template comes first.");
  await expect(names).toHaveText(["Thanks for calling Recontact", "Order update"]);
  await expect(names.first().locator(".tag.recontact")).toBeVisible();
  await page.screenshot({ path: "test-results/widget-recontact-first.png" });
  expect(await seriousViolations(page)).toEqual([]);
});
