// Save-time problems on the settings page appear under the input they are about, in
// words, and the banner says only what failed.
import { expect, test } from "@playwright/test";
import { signInAsAdmin } from "./support";

test.use({ viewport: { width: 1100, height: 900 } });

test("an agent without a name is refused with the problem under the name", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Agents" }).click();
  const form = page.getByRole("form", { name: "Agent" });
  await form.getByLabel("Agent id").fill("nameless");
  await form.getByLabel("Agent group").selectOption({ label: "Demo agents" });
  await form.getByRole("button", { name: "Add agent" }).click();
  const problem = form.locator('[data-field="name"]');
  await expect(problem).toHaveText("Name: 1 to 100 characters");
  await expect(page.getByRole("alert")).not.toContainText("name:");
  // The problem sits right under its own input.
  const input = (await form.getByLabel("Agent name").boundingBox())!;
  const below = (await problem.boundingBox())!;
  expect(below.y).toBeGreaterThanOrEqual(input.y + input.height);
  expect(below.y - (input.y + input.height)).toBeLessThan(20);
  await form.getByLabel("Agent name").fill("Nameless Agent");
  await form.getByRole("button", { name: "Add agent" }).click();
  await expect(problem).toHaveCount(0);
});

test("a Twilio account without its credentials names each missing one at its input", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Providers" }).click();
  const form = page.getByRole("form", { name: "Provider account" });
  await form.getByLabel("Provider type").selectOption("twilio");
  await form.getByLabel("Display name").fill("Twilio test");
  await form.getByRole("button", { name: "Add account" }).click();
  await expect(form.locator('[data-field^="credentials."]').first()).toBeVisible();
  await page.screenshot({ path: "test-results/provider-form-errors.png", fullPage: true });
});

test("an API key and a call queue without a name say so under the name", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "API keys" }).click();
  await page.getByRole("button", { name: "Create key" }).click();
  const keyForm = page.getByRole("form", { name: "New API key" });
  await expect(keyForm.locator('[data-field="name"]')).toBeVisible();
  await expect(keyForm.locator('[data-field="groups"]')).toHaveText("Groups: at least one group");
  await page.getByRole("tab", { name: "Call queues" }).click();
  await page.getByLabel("Queue id").fill("nameless");
  await page.getByRole("button", { name: "Add queue" }).click();
  await expect(page.getByRole("form", { name: "Call queue" }).locator('[data-field="name"]')).toHaveText("Name: required");
});

test("an agent without an id or a group: each problem under its input, the focus on the first, the banner gone once fixed", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Agents" }).click();
  const form = page.getByRole("form", { name: "Agent" });
  await form.getByRole("button", { name: "Add agent" }).click();
  await expect(form.locator('[data-field="id"]')).toHaveText("Id: letters, digits and - _ . : @ only");
  await expect(form.locator('[data-field="group_id"]')).toHaveText("Group id: choose the agent's group");
  await expect(form.getByLabel("Agent id")).toBeFocused();
  await expect(page.getByRole("alert")).toBeVisible();
  await form.getByLabel("Agent id").fill("ravi");
  await expect(form.locator('[data-field="id"]')).toHaveCount(0);
  await form.getByLabel("Agent group").selectOption({ label: "Demo agents" });
  await expect(form.locator('[data-field="group_id"]')).toHaveCount(0);
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a group without a name, a bad opt-out number and a queue without an id are each refused at their input", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Agent groups" }).click();
  const group = page.getByRole("form", { name: "New group" });
  await group.getByRole("button", { name: "Create group" }).click();
  await expect(group.locator('[data-field="name"]')).toBeVisible();
  await expect(group.getByLabel("New group's name")).toBeFocused();

  await page.getByRole("tab", { name: "Opt-outs" }).click();
  const optOut = page.getByRole("form", { name: "Add an opt-out" });
  await optOut.getByLabel("Number, with its country code").fill("98765 43210");
  await optOut.getByRole("button", { name: "Add" }).click();
  await expect(optOut.locator('[data-field="number"]')).toHaveText("Number: start it with + and the country code, like +91 98765 43210");
  await expect(optOut.getByLabel("Number, with its country code")).toBeFocused();

  await page.getByRole("tab", { name: "Call queues" }).click();
  const queue = page.getByRole("form", { name: "Call queue" });
  await queue.getByRole("button", { name: "Add queue" }).click();
  await expect(queue.locator('[data-field="id"]')).toHaveText("Id: must not be empty");
  await expect(page.getByRole("alert")).not.toContainText("No such endpoint");
  await expect(queue.getByLabel("Queue id")).toBeFocused();
});

test("cancelling the delete of a template in use keeps it and shows no error", async ({ page }) => {
  await signInAsAdmin(page);
  page.once("dialog", (d) => d.dismiss());
  await page.locator('tr[data-template="t_otp"]').getByRole("button", { name: "Delete" }).click();
  await page.waitForTimeout(500);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.locator('tr[data-template="t_otp"]')).toHaveCount(1);
});

test("Edit takes the focus to the template editor, and a refused save to the first problem", async ({ page }) => {
  await signInAsAdmin(page);
  await page.locator('tr[data-template="t_otp"]').getByRole("button", { name: "Edit" }).click();
  const editor = page.getByRole("form", { name: "Template editor" });
  const name = editor.getByRole("textbox", { name: "Name", exact: true });
  await expect(name).toBeFocused();
  await name.fill("");
  await editor.getByRole("button", { name: "Save template" }).click();
  await expect(editor.locator('[data-field="name"]')).toBeVisible();
  // The label now holds its problem too; the input is the same one.
  await expect(editor.locator("#template-name")).toBeFocused();
});

test("the settings tabs follow the arrow keys", async ({ page }) => {
  await signInAsAdmin(page);
  const tabs = page.getByRole("tablist", { name: "Settings" });
  await tabs.getByRole("tab", { name: "Templates" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(tabs.getByRole("tab", { name: "Agent groups" })).toBeFocused();
  await expect(tabs.getByRole("tab", { name: "Agent groups" })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("End");
  await expect(tabs.getByRole("tab", { name: "Audit log" })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowRight");
  await expect(tabs.getByRole("tab", { name: "Templates" })).toBeFocused();
});

test("a list's action buttons sit in its row, on the row's line", async ({ page }) => {
  await page.setViewportSize({ width: 440, height: 900 });
  await signInAsAdmin(page);
  await page.getByRole("tab", { name: "Agents" }).click();
  const row = page.locator('tr[data-agent="demo-agent"]');
  const bottoms = await row.locator("td").evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().bottom));
  expect(new Set(bottoms).size).toBe(1);
});
