// Widget timings on localhost in headless Chromium (a measurement, not a test):
//  - cold load: 10 loads, each in a fresh browser context (empty cache); milliseconds
//    from navigation start until the number box is mounted (wasm loaded and running),
//    until a number typed the moment it mounts shows its verdict (the country's
//    numbering plan fetched and loaded, the first patterns compiled), and until the group's templates are
//    shown (after the first server call); bytes transferred by the first load and by
//    a second one in the same context (what the cache headers save);
//  - validation per keystroke: after warm-up, time from an input event to the status
//    line showing the new verdict (parse with the phonenumber crate + re-render), as
//    is and with Chromium's CPU throttled 4x.
// Usage: node widget-load.mjs <base-url> <agent-token>
import { chromium } from "playwright-core";

const [base, token] = process.argv.slice(2);
// The token in the fragment, as a softphone passes it (a token in the query is refused).
const url = `${base}/widget?call_id=bench#${new URLSearchParams({ token })}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const mounted = [];
const verdict = [];
const templates = [];
const transferred = { first: [], second: [] };
// Bytes on the wire (headers and compressed bodies) of one navigation, until the templates show.
const load = async (page, cdp) => {
  let bytes = 0;
  const count = (event) => (bytes += event.encodedDataLength);
  cdp.on("Network.loadingFinished", count);
  await page.goto(url);
  await page.waitForSelector(".template");
  await page.waitForLoadState("networkidle");
  cdp.off("Network.loadingFinished", count);
  return bytes;
};
for (let i = 0; i < 10; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await page.addInitScript(() => {
    window.__marks = {};
    new MutationObserver(() => {
      const now = performance.now();
      const input = document.querySelector("#an-number");
      if (!window.__marks.mounted && input) {
        window.__marks.mounted = now;
        const status = document.querySelector("#an-number-status");
        // The verdict, not "Checking the number…" while the country's numbering plan
        // is on its way: the status line carries a reason code once it judged.
        new MutationObserver((_, observer) => {
          if (!status.dataset.reason) return;
          observer.disconnect();
          window.__marks.verdict = performance.now();
        }).observe(status, { childList: true, subtree: true, characterData: true, attributes: true });
        input.value = "98765 43210";
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
      if (!window.__marks.templates && document.querySelector(".template")) window.__marks.templates = now;
    }).observe(document, { childList: true, subtree: true });
  });
  transferred.first.push(await load(page, cdp));
  const marks = await page.evaluate(() => window.__marks);
  mounted.push(marks.mounted);
  verdict.push(marks.verdict);
  templates.push(marks.templates);
  // A new navigation (not a reload, which revalidates), as an agent's next call opens it.
  await page.goto("about:blank");
  transferred.second.push(await load(page, cdp));
  await context.close();
}

const page = await browser.newPage();
await page.goto(url);
await page.waitForSelector(".template");
const typing = () => page.evaluate(async () => {
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
const keystrokes = await typing();
const cdp = await page.context().newCDPSession(page);
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
const throttled = await typing();
await browser.close();

const fmt = (x) => x.toFixed(1).padStart(8);
console.log("widget timings (ms)                 median      p95");
console.log(`cold load → number box ready     ${fmt(median(mounted))} ${fmt(p95(mounted))}`);
console.log(`cold load → first number judged  ${fmt(median(verdict))} ${fmt(p95(verdict))}`);
console.log(`cold load → templates shown      ${fmt(median(templates))} ${fmt(p95(templates))}`);
console.log(`keystroke → verdict shown        ${fmt(median(keystrokes))} ${fmt(p95(keystrokes))}`);
console.log(`  the same, CPU throttled 4x     ${fmt(median(throttled))} ${fmt(p95(throttled))}`);
const kb = (x) => (x / 1000).toFixed(1).padStart(8);
console.log("widget transfer (KB, on the wire)   median");
console.log(`first load, empty cache          ${kb(median(transferred.first))}`);
console.log(`second load, same browser        ${kb(median(transferred.second))}`);
