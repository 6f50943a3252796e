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
