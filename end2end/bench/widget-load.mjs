// Widget timings on localhost in headless Chromium (a measurement, not a test):
//  - cold load: 10 loads, each in a fresh browser context (empty cache); milliseconds
//    from navigation start until the number box is mounted (wasm loaded and running)
//    and until the group's templates are shown (after the first server call);
//  - validation per keystroke: after warm-up, time from an input event to the status
//    line showing the new verdict (parse with the phonenumber crate + re-render).
// Usage: node widget-load.mjs <base-url> <agent-token>
import { chromium } from "playwright-core";

const [base, token] = process.argv.slice(2);
const url = `${base}/widget?token=${encodeURIComponent(token)}&call_id=bench`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const mounted = [];
const templates = [];
for (let i = 0; i < 10; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__marks = {};
    new MutationObserver(() => {
      const now = performance.now();
      if (!window.__marks.mounted && document.querySelector("#an-number")) window.__marks.mounted = now;
      if (!window.__marks.templates && document.querySelector(".template")) window.__marks.templates = now;
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.waitForSelector(".template");
  const marks = await page.evaluate(() => window.__marks);
  mounted.push(marks.mounted);
  templates.push(marks.templates);
  await context.close();
}

const page = await browser.newPage();
await page.goto(url);
await page.waitForSelector(".template");
const keystrokes = await page.evaluate(async () => {
  const input = document.querySelector("#an-number");
  const status = document.querySelector("#an-number-status");
  const once = (value) =>
    new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        observer.disconnect();
        resolve(performance.now() - t0);
      });
      observer.observe(status, { childList: true, subtree: true, characterData: true, attributes: true });
      input.value = value;
      const t0 = performance.now();
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  const values = ["98765", "98765 43210"];
  for (let i = 0; i < 50; i++) await once(values[i % 2]); // warm-up
  const times = [];
  for (let i = 0; i < 400; i++) times.push(await once(values[i % 2]));
  return times;
});
await browser.close();

const fmt = (x) => x.toFixed(1).padStart(8);
console.log("widget timings (ms)                 median      p95");
console.log(`cold load → number box ready     ${fmt(median(mounted))} ${fmt(p95(mounted))}`);
console.log(`cold load → templates shown      ${fmt(median(templates))} ${fmt(p95(templates))}`);
console.log(`keystroke → verdict shown        ${fmt(median(keystrokes))} ${fmt(p95(keystrokes))}`);
