// Loss-landscape benchmark (issue 5): a 41 × 41 grid on a 512-sample probe batch for the reference MLP
// (2→64→64→3, cross-entropy), batched (a row of grid points per forward pass) against the per-point
// loop, measured in the same run in headless Chromium on each backend. Needs the built site
// (`npm run build`). Writes bench/landscape.json and prints a Markdown table for bench/RESULTS.md.
//   node bench/landscape.mjs [backend …]      default: wasm webgpu
// On slow backends the per-point loop is timed over the first rows only and scaled to the full grid
// (the table says so); both paths evaluate exactly the same points.
import {writeFileSync} from "node:fs";
import os from "node:os";
import {launchChromium, serve} from "../test/browser/serve.mjs";

const backends = process.argv.slice(2).length ? process.argv.slice(2) : ["wasm", "webgpu"];
const server = await serve(new URL("../dist/", import.meta.url).pathname);
const browser = await launchChromium();
const results = [];
try {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/views/loss-landscapes?backend=wasm`);
  // Pause the page's own run; the benchmark uses the page's build of the library (one TF.js engine).
  await page.waitForSelector(".losslab-run[data-step]");
  await page.click("button.losslab-play");
  const href = await page.$$eval("link[rel=modulepreload]", (links) =>
    links.map((l) => l.href).find((h) => /\/_lib\/losslab\.[^/]*js$/.test(h))
  );
  for (const backend of backends) {
    const result = await page.evaluate(
      async ({url, backend}) => {
        const lib = await import(url);
        const info = await lib.selectBackend({override: backend});
        const data = lib.toy2d({shape: "spirals", n: 800, classes: 3, seed: 1});
        const model = lib.mlp({inputs: 2, hidden: [64, 64], classes: 3, seed: 1});
        const weights = lib.flattenWeights(await model.read());
        const layout = lib.layoutOf(model);
        const plane = lib.randomPlane(weights, layout, {seed: 1});
        const probe = lib.landscapeProbe(data, 512);
        const base = {model, probe, loss: lib.losses["cross-entropy"], plane, steps: 41, range: 1};
        const time = async (f) => {
          const t = performance.now();
          const out = await f();
          return {ms: performance.now() - t, out};
        };
        await lib.planeGrid({...base, steps: 5, path: "batched"}); // warm-up: shader compilation, allocations
        const batched = await time(() => lib.planeGrid({...base, path: "batched"}));
        // Per point: whole grid on fast backends; the first rows, scaled, on slow ones.
        const controller = new AbortController();
        let rows = 0;
        const budgetMs = 60000;
        const started = performance.now();
        const perPoint = await time(async () => {
          try {
            await lib.perPointGrid({
              ...base,
              signal: controller.signal,
              onRow: () => {
                rows++;
                if (performance.now() - started > budgetMs) controller.abort();
              }
            });
          } catch (error) {
            if (error.name !== "AbortError") throw error;
          }
        });
        const perPointMs = (perPoint.ms * 41) / rows;
        lib.tf.dispose([probe.x, probe.labels]);
        model.dispose();
        return {
          backend: info.name,
          adapter: info.adapter ?? "",
          batchedMs: batched.ms,
          path: batched.out.path,
          perPointMs,
          perPointRows: rows,
          ratio: perPointMs / batched.ms
        };
      },
      {url: href, backend}
    );
    results.push(result);
    console.error(JSON.stringify(result));
  }
} finally {
  await browser.close();
  await server.close();
}
const machine = `${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
const browserVersion = browser.version?.() ?? "chromium";
const date = new Date().toISOString().slice(0, 10);
writeFileSync(
  new URL("./landscape.json", import.meta.url),
  JSON.stringify({date, machine, browserVersion, results}, null, 2)
);
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
console.log(`| backend | batched 41×41 | per-point 41×41 | per-point ÷ batched |\n|---|---|---|---|`);
for (const r of results) {
  const scaled = r.perPointRows < 41 ? ` (${r.perPointRows} rows timed, scaled)` : "";
  console.log(
    `| ${r.backend}${r.adapter ? ` (${r.adapter})` : ""} | ${fmt(r.batchedMs)} | ${fmt(r.perPointMs)}${scaled} | ${r.ratio.toFixed(2)}× |`
  );
}
console.log(`\n${date}, headless Chromium, ${machine}`);
