// Opens one notebook in headless Chromium through Framework's preview server and reports what a visitor would see:
// console and page errors, failed requests, cells in error, the run's state after some steps, and a screenshot.
// Lighter than `npm run build` + the browser suite (only this page's data loaders run), for working on one page.
//   node scripts/check-page.mjs /classification/z-loss [--backend wasm] [--hash "#seed=2"] [--steps 40]
//                               [--screenshot /tmp/z-loss.png] [--timeout 240]
import {spawn} from "node:child_process";
import {createServer} from "node:net";
import * as esbuild from "esbuild";
import {nodeOptions, webOptions} from "../lib.config.mjs";
import {launchChromium} from "../test/browser/serve.mjs";

const argv = process.argv.slice(2);
const path = argv.find((a) => a.startsWith("/"));
if (!path) throw new Error("usage: node scripts/check-page.mjs /family/slug [--backend wasm] [--steps 40] …");
const option = (name, fallback) => {
  const k = argv.indexOf(`--${name}`);
  return k >= 0 ? argv[k + 1] : fallback;
};
const backend = option("backend", "wasm");
const steps = Number(option("steps", 40));
const timeout = Number(option("timeout", 240)) * 1000;
const screenshot = option("screenshot", undefined);
const hash = option("hash", "");

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
await esbuild.build({...nodeOptions, logLevel: "error"});
await esbuild.build({...webOptions, logLevel: "error"});
const preview = spawn("npx", ["observable", "preview", "--no-open", "--port", String(port)], {
  env: {...process.env, OBSERVABLE_TELEMETRY_DISABLE: "true"},
  stdio: ["ignore", "pipe", "pipe"]
});
let log = "";
preview.stdout.on("data", (d) => (log += d));
preview.stderr.on("data", (d) => (log += d));
const origin = `http://127.0.0.1:${port}`;
const report = {path, backend, problems: [], cellErrors: [], state: null};
let browser;
try {
  for (let i = 0; ; ++i) {
    try {
      if ((await fetch(origin)).ok) break;
    } catch {}
    if (i > 120) throw new Error(`the preview server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await launchChromium();
  const page = await browser.newPage({viewport: {width: 1280, height: 1000}});
  page.on("console", (m) => m.type() === "error" && report.problems.push(`console error: ${m.text()}`));
  page.on("pageerror", (e) => report.problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => report.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => r.status() >= 400 && report.problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(`${origin}${path}?backend=${backend}${hash}`, {waitUntil: "load"});
  try {
    await page.waitForFunction((n) => Number(document.querySelector(".losslab-run")?.dataset.step ?? -1) >= n, steps, {
      timeout,
      polling: 250
    });
  } catch {
    report.problems.push(`the run did not reach step ${steps} within ${timeout / 1000} s`);
  }
  await page.waitForTimeout(1000);
  report.state = await page.evaluate(() => {
    const el = document.querySelector(".losslab-run");
    return el ? {...el.dataset} : null;
  });
  report.cellErrors = await page.$$eval(".observablehq--error", (els) => els.map((e) => e.textContent));
  report.claimRows = await page.locator(".losslab-claims tr[data-claim]").count();
  report.mathElements = await page.locator("math").count();
  if (screenshot) await page.screenshot({path: screenshot, fullPage: true});
} finally {
  await browser?.close();
  preview.kill();
}
console.log(JSON.stringify(report, null, 2));
process.exit(report.problems.length || report.cellErrors.length ? 1 : 0);
