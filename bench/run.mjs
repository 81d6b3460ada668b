// The benchmark suite (issue 6): training speed in headless Chromium and in Node, the longest main-thread task of
// a live page, page weight, and (with --landscape) the loss-landscape benchmark. Prints Markdown tables and writes
// bench/train.json. Needs the built site and library (`npm run build`; Node alone needs `npm run build:lib`).
//   npm run bench [-- flags]
//   --browser=webgpu,webgl,wasm,cpu   backends measured in headless Chromium ("--browser=" for none)
//   --node=wasm,cpu                   backends measured in Node, on lib/index.js ("--node=" for none)
//   --workloads=mlp,contrastive       --paths=stock,autodiff,fast
//   --seconds=8 --max-steps=5000      time box of each timed phase (whichever comes first) …
//   --long-seconds=30                 … widened to this where max-steps fit in it (tensor drift over 5 000 steps)
//   --longtask=webgpu,wasm            pages whose live run is observed for long tasks ("--longtask=" for none)
//   --play-seconds=15                 how long each page plays (and the stock requestAnimationFrame loop runs)
//   --no-page-weight                  skip bench/pageWeight.mjs
//   --landscape[=wasm,webgpu]         also run bench/landscape.mjs (minutes on SwiftShader webgpu)
// The measuring code is bench/train.mjs; in Chromium it runs inside a built page with that page's own library
// bundle (one TF.js engine), so it measures what a visitor's browser runs.
import {execFile} from "node:child_process";
import {existsSync, readFileSync, writeFileSync} from "node:fs";
import os from "node:os";
import {fileURLToPath} from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const args = process.argv.slice(2);

function progress(host, r) {
  return (
    `  ${host} ${r.backend} ${r.workload} ${r.path}: ${r.stepsPerSecond.toFixed(1)} steps/s ` +
    `(${r.timedSteps} steps in ${r.timedSeconds.toFixed(1)} s), ${r.kernelsPerStep.toFixed(1)} kernels/step`
  );
}

if (args[0] === "--child") {
  // A Node measurement in its own process (a fresh TF.js engine per backend): prints one RESULT line.
  const [, backend, json] = args;
  const lib = await import("../lib/index.js");
  const {benchTrain} = await import("./train.mjs");
  const info = await lib.selectBackend({override: backend});
  const results =
    info.name === backend
      ? await benchTrain(lib, {...JSON.parse(json), log: (r) => console.error(progress("node", r))})
      : [];
  console.log(`RESULT ${JSON.stringify({info, results})}`);
  process.exit(0);
}

function flag(name, fallback) {
  const hit = args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return fallback;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : true;
}
const list = (name, fallback) => {
  const v = flag(name, fallback);
  return v === true ? fallback.split(",") : v.split(",").filter(Boolean);
};
const known = [
  "browser",
  "node",
  "workloads",
  "paths",
  "seconds",
  "max-steps",
  "long-seconds",
  "longtask",
  "play-seconds",
  "no-page-weight",
  "landscape"
];
for (const a of args) {
  const name = a.replace(/^--/, "").split("=")[0];
  if (!known.includes(name)) throw new Error(`unknown flag ${a} (known: ${known.map((k) => `--${k}`).join(" ")})`);
}
const options = {
  workloads: list("workloads", "mlp,contrastive"),
  paths: list("paths", "stock,autodiff,fast"),
  seconds: Number(flag("seconds", "8")),
  maxSteps: Number(flag("max-steps", "5000")),
  longSeconds: Number(flag("long-seconds", "30"))
};
const browserBackends = list("browser", "webgpu,webgl,wasm,cpu");
const nodeBackends = list("node", "wasm,cpu");
const longTaskBackends = list("longtask", "webgpu,wasm");
const playSeconds = Number(flag("play-seconds", "15"));

const started = Date.now();
const report = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  node: process.version,
  chromium: null,
  options,
  train: [],
  longTasks: [],
  pageWeights: null,
  skipped: []
};

const distDir = here("../dist/");
const libFile = here("../lib/index.js");

// ---- Chromium: training speed per backend, then long tasks of live pages ----
if ((browserBackends.length || longTaskBackends.length) && !existsSync(distDir)) {
  report.skipped.push("Chromium: dist/ is missing (run npm run build)");
} else if (browserBackends.length || longTaskBackends.length) {
  const {launchChromium, serve} = await import("../test/browser/serve.mjs");
  const server = await serve(distDir);
  const browser = await launchChromium();
  report.chromium = browser.version();
  const core = readFileSync(here("./train.mjs"), "utf8");
  const coreUrl = `${server.origin}/__bench/train.mjs`;
  // A page of the built site with its live run started, then paused; returns the URL of its library bundle.
  const openPage = async (backend, {pause = true, setup} = {}) => {
    const page = await browser.newPage();
    await page.route(coreUrl, (route) => route.fulfill({body: core, contentType: "text/javascript"}));
    page.on("pageerror", (error) => console.error(`  page error: ${error.message}`));
    if (setup) await page.addInitScript(setup);
    await page.goto(`${server.origin}/classification/comp-sum?backend=${backend}`);
    await page.waitForSelector(".losslab-run[data-step]", {timeout: 180000});
    if (pause) await pauseRun(page);
    const libUrl = await page.$$eval("link[rel=modulepreload]", (links) =>
      links.map((l) => l.href).find((h) => /\/_lib\/losslab\.[^/]*js$/.test(h))
    );
    return {page, libUrl};
  };
  const pauseRun = async (page) => {
    await page.click("button.losslab-play");
    await page.waitForFunction(() => document.querySelector(".losslab-run")?.dataset.status !== "running", null, {
      timeout: 180000
    });
  };
  try {
    for (const backend of browserBackends) {
      console.error(`Chromium ${backend}`);
      // The page starts on wasm (quick to load); the benchmark then selects the backend under test.
      const {page, libUrl} = await openPage("wasm");
      page.on("console", (m) => m.text().startsWith("bench ") && console.error(m.text().slice(6)));
      try {
        const out = await page.evaluate(
          async ({libUrl, coreUrl, backend, options}) => {
            const lib = await import(libUrl);
            const {benchTrain} = await import(coreUrl);
            const info = await lib.selectBackend({override: backend});
            if (info.name !== backend) return {info, results: []};
            const log = (r) =>
              console.log(
                `bench   chromium ${r.backend} ${r.workload} ${r.path}: ${r.stepsPerSecond.toFixed(1)} steps/s ` +
                  `(${r.timedSteps} steps in ${r.timedSeconds.toFixed(1)} s), ${r.kernelsPerStep.toFixed(1)} kernels/step`
              );
            return {info, results: await benchTrain(lib, {...options, log})};
          },
          {libUrl, coreUrl, backend, options}
        );
        if (out.info.name !== backend) report.skipped.push(`Chromium ${backend}: ${out.info.notice}`);
        for (const r of out.results) report.train.push({host: "chromium", adapter: out.info.adapter, ...r});
      } catch (error) {
        report.skipped.push(`Chromium ${backend}: ${error.message.split("\n")[0]}`);
        console.error(`  failed: ${error.message}`);
      } finally {
        await page.close();
      }
    }
    for (const backend of longTaskBackends) {
      console.error(`Long tasks, ${backend}`);
      try {
        report.longTasks.push(...(await longTasks(backend)));
      } catch (error) {
        report.skipped.push(`long tasks ${backend}: ${error.message.split("\n")[0]}`);
        console.error(`  failed: ${error.message}`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  // The comp-sum page playing at its default settings, then (same page, its run paused) a stock minimize loop
  // driven by requestAnimationFrame. Long tasks come from a PerformanceObserver installed before the page loads.
  async function longTasks(backend) {
    const setup = () => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({start: e.startTime, duration: e.duration});
      }).observe({type: "longtask", buffered: true});
    };
    const {page, libUrl} = await openPage(backend, {pause: false, setup});
    const state = () =>
      page.evaluate(() => {
        const run = document.querySelector(".losslab-run");
        return {t: performance.now(), step: Number(run.dataset.step), backend: run.dataset.backend};
      });
    const tasksIn = (t0, t1) =>
      page.evaluate(
        ([t0, t1]) => window.__longTasks.filter((e) => e.start + e.duration > t0 && e.start < t1),
        [t0, t1]
      );
    const summary = (what, tasks, steps, seconds, extra) => ({
      backend,
      what,
      longest: Math.max(0, ...tasks.map((e) => e.duration)),
      count: tasks.length,
      blocked: tasks.reduce((s, e) => s + e.duration, 0),
      steps,
      seconds,
      ...extra
    });
    try {
      const loaded = await page.evaluate(() => performance.now());
      await page.waitForFunction(() => Number(document.querySelector(".losslab-run")?.dataset.step) > 0, null, {
        timeout: 180000
      });
      const a = await state();
      await page.waitForTimeout(playSeconds * 1000);
      const b = await state();
      const rows = [
        summary(
          "comp-sum page, live run (twin arms, 5 steps/frame, views)",
          await tasksIn(a.t, b.t),
          b.step - a.step,
          (b.t - a.t) / 1000,
          {
            backend: b.backend,
            startup: Math.max(0, ...(await tasksIn(0, a.t)).map((e) => e.duration)),
            loadedAt: loaded
          }
        )
      ];
      await pauseRun(page);
      await page.waitForTimeout(500);
      const c = await state();
      const stock = await page.evaluate(
        async ({libUrl, coreUrl, backend, playSeconds}) => {
          const lib = await import(libUrl);
          const {stockFrameLoop} = await import(coreUrl);
          await lib.selectBackend({override: backend});
          return stockFrameLoop(lib, {workload: "mlp", seconds: playSeconds, stepsPerFrame: 5});
        },
        {libUrl, coreUrl, backend, playSeconds}
      );
      const d = await state();
      rows.push(
        summary(
          "stock minimize loop on requestAnimationFrame (one model, 5 steps/frame, loss read per frame)",
          await tasksIn(c.t, d.t),
          stock.steps,
          (d.t - c.t) / 1000,
          {frames: stock.frames}
        )
      );
      for (const r of rows) console.error(`  ${r.what}: longest ${r.longest.toFixed(0)} ms, ${r.count} long tasks`);
      return rows;
    } finally {
      await page.close();
    }
  }
}

// ---- Node: training speed on lib/index.js, one process per backend ----
if (nodeBackends.length && !existsSync(libFile)) {
  report.skipped.push("Node: lib/index.js is missing (run npm run build:lib)");
} else {
  for (const backend of nodeBackends) {
    console.error(`Node ${backend}`);
    try {
      const out = await child(backend);
      if (out.info.name !== backend) report.skipped.push(`Node ${backend}: ${out.info.notice}`);
      for (const r of out.results) report.train.push({host: "node", adapter: out.info.adapter, ...r});
    } catch (error) {
      report.skipped.push(`Node ${backend}: ${error.message.split("\n")[0]}`);
      console.error(`  failed: ${error.message}`);
    }
  }
}

function child(backend) {
  return new Promise((resolve, reject) => {
    const p = execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), "--child", backend, JSON.stringify(options)],
      {maxBuffer: 1 << 26},
      (error, stdout) => {
        const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
        if (line) resolve(JSON.parse(line.slice(7)));
        else reject(error ?? new Error("no result"));
      }
    );
    p.stderr.on("data", (d) => {
      const text = String(d)
        .split("\n")
        .filter((l) => l.startsWith("  "))
        .join("\n");
      if (text) console.error(text);
    });
  });
}

// ---- Page weight (bench/pageWeight.mjs, when present) ----
let pageWeightTable = null;
if (!flag("no-page-weight", false) && existsSync(here("./pageWeight.mjs")) && existsSync(distDir)) {
  const pw = await import("./pageWeight.mjs");
  report.pageWeights = await pw.pageWeights(distDir);
  pageWeightTable = pw.markdown?.(report.pageWeights) ?? null;
}

// ---- Loss landscapes (--landscape): its own script (it writes bench/landscape.json), its table printed below ----
const landscape = flag("landscape", false);
let landscapeTable = null;
if (landscape) {
  console.error("Loss landscapes (bench/landscape.mjs)");
  const backends = landscape === true ? [] : landscape.split(",").filter(Boolean);
  landscapeTable = await new Promise((resolve) => {
    const p = execFile(process.execPath, [here("./landscape.mjs"), ...backends], (error, stdout) =>
      resolve(error ? `bench/landscape.mjs failed: ${error.message.split("\n")[0]}` : stdout.trim())
    );
    p.stderr.pipe(process.stderr);
  });
}

report.seconds = (Date.now() - started) / 1000;
writeFileSync(here("./train.json"), JSON.stringify(report, null, 2) + "\n");
console.log(markdown(report));
if (pageWeightTable) console.log(`\n## Page weight (JavaScript loaded at start)\n\n${pageWeightTable}`);
if (landscapeTable) console.log(`\n## Loss landscapes (bench/landscape.mjs)\n\n${landscapeTable}`);
console.log(
  `\n${report.date}; ${report.machine}; headless Chromium ${report.chromium ?? "(not run)"}; Node ${report.node}; ` +
    `${Math.round(report.seconds)} s in all.`
);
for (const s of report.skipped) console.log(`- not measured: ${s}`);

function markdown(r) {
  const out = [];
  const notes = [];
  const fmt = (v, digits = 1) => (v === undefined || v === null || Number.isNaN(v) ? "–" : v.toFixed(digits));
  const rate = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  for (const name of r.options.workloads) {
    const rows = r.train.filter((t) => t.workload === name);
    if (!rows.length) continue;
    out.push(`## Training: ${name}, batch 256, Adam, toy2d spirals n = 1024\n`);
    out.push(
      "| host · backend | path (taken) | steps/s | × stock | kernels/step | GPU programs/step | reads/step | tensor drift (over steps) | tensors left |"
    );
    out.push("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const t of rows) {
      const stock = rows.find((s) => s.host === t.host && s.backend === t.backend && s.path === "stock");
      let took = t.took === t.path ? t.path : `${t.path} → ${t.took}`;
      if (t.note) {
        if (!notes.includes(t.note)) notes.push(t.note);
        took += `[^${notes.indexOf(t.note) + 1}]`;
      }
      out.push(
        `| ${t.host} · ${t.backend} | ${took} | ${rate(t.stepsPerSecond)} | ${stock ? fmt(t.stepsPerSecond / stock.stepsPerSecond, 2) : "–"} | ` +
          `${fmt(t.kernelsPerStep)} | ${fmt(t.programsPerStep)} | ${fmt(t.readsPerStep, 2)} | ` +
          `${t.tensorDrift} (${t.timedSteps}) | ${t.tensorsLeft} |`
      );
    }
    out.push("");
  }
  if (r.train.length) {
    out.push(
      "Steps/s after warm-up, each path timed for up to " +
        `${r.options.maxSteps} steps or ${r.options.seconds} s (${r.options.longSeconds} s where ${r.options.maxSteps} ` +
        "steps fit in it; checked per chunk); one loss read per chunk " +
        "(train()'s stepsPerYield, ≤ 50, smaller where a chunk would take over a second). Kernels/step: tf.profile " +
        "over 5 steps (engine kernels, backward included). GPU programs/step: shader dispatches. Reads/step: " +
        "tensor.data()/dataSync() calls (on cpu and wasm the loss's label check reads the labels each step; no GPU is " +
        "involved there). Tensor drift: tf.memory().numTensors after minus before the timed phase.\n"
    );
    notes.forEach((note, i) => out.push(`[^${i + 1}]: ${note}`));
    if (notes.length) out.push("");
  }
  if (r.longTasks.length) {
    out.push(`## Longest main-thread task while training live (${playSeconds} s each)\n`);
    out.push("| backend | what | longest task | long tasks | blocked | steps/s |");
    out.push("|---|---|---:|---:|---:|---:|");
    for (const l of r.longTasks) {
      out.push(
        `| ${l.backend} | ${l.what} | ${l.longest.toFixed(0)} ms | ${l.count} | ${(l.blocked / 1000).toFixed(1)} s | ${rate(l.steps / l.seconds)} |`
      );
    }
    const startup = r.longTasks.filter((l) => l.startup !== undefined);
    if (startup.length) {
      out.push(
        `\nStart-up (page load to the first step, not in the table): longest task ` +
          startup.map((l) => `${l.backend} ${l.startup.toFixed(0)} ms`).join(", ") +
          ".\n"
      );
    }
  }
  return out.join("\n");
}
