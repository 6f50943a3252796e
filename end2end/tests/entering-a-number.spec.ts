import { expect, test } from "@playwright/test";
import { newCallId, numberBox, numberStatus, openWidget } from "./support";

test("the country picker starts on India", async ({ page }) => {
  await openWidget(page, newCallId());
  await expect(page.locator("#boot")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Send a notification" })).toHaveCount(1);
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("India (+91)");
});

test("each invalid number shows its own message", async ({ page }) => {
  await openWidget(page, newCallId());
  const cases: Array<[string, string, RegExp]> = [
    ["hello", "not_a_number", /Enter a phone number using digits/],
    ["0412 345 678 ext. 12", "has_extension", /An extension cannot receive messages: enter the customer's mobile number, without the extension/],
    ["+999 1234 5678", "invalid_country_code", /country code is not recognised/],
    ["98765", "too_short", /too short for India/],
    ["9876 5432 1012 3456", "too_long", /too long for India/],
    ["55555 55555", "invalid", /not a valid phone number for India/],
  ];
  for (const [typed, reason, message] of cases) {
    await numberBox(page).fill(typed);
    await expect(numberStatus(page)).toHaveAttribute("data-reason", reason);
    await expect(numberStatus(page)).toHaveText(message);
  }
});

test("a valid number is confirmed in international format and Send waits for a template", async ({ page }) => {
  await openWidget(page, newCallId());
  await numberBox(page).fill("98765 43210");
  await expect(numberStatus(page)).toHaveText("✓ +91 98765 43210 · India");
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
  await page.getByRole("radio", { name: /Thanks for calling/ }).click();
  await expect(page.getByRole("button", { name: "Send" })).toBeEnabled();
  await numberBox(page).fill("98765");
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
});

test("a landline is accepted with a warning that it probably cannot take the message", async ({ page }) => {
  await openWidget(page, newCallId());
  await numberBox(page).fill("011 2345 6789");
  await expect(numberStatus(page)).toHaveText("✓ +91 11 2345 6789 · India");
  const warning = page.getByTestId("landline");
  await expect(warning).toHaveText("This looks like a landline: it probably cannot receive text messages.");
  await page.getByRole("tab", { name: "WhatsApp" }).click();
  await expect(warning).toHaveText("This looks like a landline: it is probably not on WhatsApp.");
  await numberBox(page).fill("98765 43210");
  await expect(warning).toHaveCount(0);
});

test("an international number switches the country", async ({ page }) => {
  await openWidget(page, newCallId());
  await numberBox(page).fill("+44 7400 123456");
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("United Kingdom (+44)");
  await expect(numberStatus(page)).toHaveAttribute("data-reason", "valid");
});

test("when the + goes, a national number is read in the country the picker had before", async ({ page }) => {
  await openWidget(page, newCallId());
  const picker = page.getByRole("combobox", { name: "Country" });
  await numberBox(page).fill("+1 415");
  await expect(picker).toHaveValue("United States (+1)");
  await numberBox(page).fill("98765 43210");
  await expect(picker).toHaveValue("India (+91)");
  await expect(numberStatus(page)).toHaveAttribute("data-reason", "valid");
  await expect(numberStatus(page)).toContainText("+91 98765 43210");
});

test("the picker is searchable by name and dial code and works from the keyboard", async ({ page }) => {
  await openWidget(page, newCallId());
  const picker = page.getByRole("combobox", { name: "Country" });
  await picker.click();
  await picker.fill("+49");
  await expect(page.getByRole("option").first()).toContainText("Germany");
  await picker.press("Enter");
  await expect(picker).toHaveValue("Germany (+49)");
  await picker.click();
  await picker.fill("ind");
  await picker.press("ArrowDown");
  await picker.press("Enter");
  await expect(picker).toHaveValue("Indonesia (+62)");
  // Letters beyond ASCII match in either case (the browser's own lower-casing).
  await picker.click();
  await picker.fill("CÔTE D");
  await expect(page.getByRole("option").first()).toContainText("Côte d'Ivoire");
});

test("a country's numbering plan is fetched when a number first needs it; a failed fetch is said, and typing tries again", async ({ page }) => {
  const asked: string[] = [];
  page.on("request", (r) => {
    const code = new URL(r.url()).pathname.match(/^\/numbering\/[0-9a-f]{16}\/(\d+)$/)?.[1];
    if (code) asked.push(code);
  });
  let offline = true;
  await page.route(/\/numbering\/[0-9a-f]{16}\/44$/, (route) => (offline ? route.abort() : route.continue()));
  await openWidget(page, newCallId());
  await numberBox(page).fill("98765 43210");
  await expect(numberStatus(page)).toHaveText("✓ +91 98765 43210 · India");
  expect(asked).toContain("91");
  expect(asked).not.toContain("44");
  // The page preloaded India's plan under the version the widget asks for (one fetch).
  const preloaded = await page.locator('link[rel="preload"][href^="/numbering/"]').getAttribute("href");
  const fetched = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.endsWith("/91")),
  );
  expect(fetched).toEqual([preloaded]);

  await numberBox(page).fill("+44 7400 123456");
  await expect(numberStatus(page)).toHaveText(
    "The numbering plan for +44 did not load: check the connection, then type the number again.",
  );
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();

  offline = false;
  await numberBox(page).press("Backspace");
  await numberBox(page).press("6");
  await expect(numberStatus(page)).toHaveText("✓ +44 7400 123456 · United Kingdom");
  expect(asked.filter((c) => c === "44")).toHaveLength(2);
  expect(asked).not.toContain("1");
});
