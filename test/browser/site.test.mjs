// Browser tests of the built site (dist/) in headless Chromium: every page opens without console
// errors, page errors, failed requests or requests to other hosts; the live notebooks train on webgpu
// (SwiftShader adapter) and wasm — data-step advances and every arm's loss falls; permalinks
// round-trip; bad URLs fall back with a notice; a lost WebGPU device moves the run to another backend.
//   node --test test/browser/   (after npm run build)
import assert from "node:assert/strict";
import {existsSync, readFileSync, readdirSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {after, before, describe, test} from "node:test";
import {notebooks} from "./notebooks.mjs";
import {launchChromium, serve} from "./serve.mjs";

const dist = new URL("../../dist/", import.meta.url).pathname;
const trainTimeout = Number(process.env.LOSSLAB_TRAIN_TIMEOUT ?? 240_000);

function pages(dir = dist) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) {
      if (!name.startsWith("_")) out.push(...pages(file));
    } else if (name.endsWith(".html") && name !== "404.html") {
      out.push(
        "/" +
          relative(dist, file)
            .replace(/\.html$/, "")
            .replace(/(^|\/)index$/, "")
      );
    }
  }
  return out.sort();
}

let server;
let browser;
before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), "dist/ is missing: run `npm run build` first");
  server = await serve(dist);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens a page and records every problem: console errors, page errors, failed or foreign requests. */
async function open(path) {
  const context = await browser.newContext({viewport: {width: 1280, height: 1000}});
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(server.origin) && !url.startsWith("data:") && !url.startsWith("blob:")) {
      problems.push(`request to another host: ${url}`);
    }
  });
  await page.goto(server.origin + path, {waitUntil: "load"});
  return {page, problems, close: () => context.close()};
}

/** Reads the run root's data attributes. */
function runState(page) {
  return page.$eval(".losslab-run", (el) => ({
    step: Number(el.dataset.step ?? -1),
    status: el.dataset.status,
    backend: el.dataset.backend,
    losses: (el.dataset.losses ?? "").split(",").filter(Boolean).map(Number)
  }));
}

/** Waits until the run has taken `steps` steps, returning the first and the last states seen. */
async function trainUntil(page, steps, timeout = trainTimeout) {
  await page.waitForSelector(".losslab-run[data-step]", {timeout});
  const first = await runState(page);
  await page.waitForFunction((n) => Number(document.querySelector(".losslab-run")?.dataset.step ?? 0) >= n, steps, {
    timeout,
    polling: 250
  });
  return {first, last: await runState(page)};
}

describe("every page", () => {
  test("the build produced the gallery and every live notebook", () => {
    const all = pages();
    assert.ok(all.includes("/"), `pages: ${all}`);
    for (const {path} of notebooks) assert.ok(all.includes(path), `${path} is missing from ${all}`);
  });
  for (const path of pages()) {
    test(`${path} loads with no error and no request to another host`, async () => {
      const {page, problems, close} = await open(`${path}?backend=wasm`);
      try {
        await page.waitForLoadState("networkidle");
        await page.waitForTimeout(1500);
        assert.deepEqual(problems, []);
        assert.equal(await page.locator(".observablehq--error").count(), 0, "a cell shows an error");
      } finally {
        await close();
      }
    });
  }
});

describe("the gallery", () => {
  test("lists every method by family, with live notebooks linked", async () => {
    const {page, problems, close} = await open("/");
    try {
      await page.waitForSelector(".losslab-card");
      assert.equal(await page.locator(".losslab-card").count(), 39);
      const liveCards = await page.$$eval(".losslab-card[data-status=live]", (els) =>
        els.map((e) => e.getAttribute("href"))
      );
      for (const {path} of notebooks) {
        assert.ok(
          liveCards.some((href) => href?.endsWith(path.slice(1))),
          `${path} is not a live card: ${liveCards}`
        );
      }
      // Every live card shows a preview image of a real run.
      const images = await page.$$eval(".losslab-card[data-status=live] img", (els) => els.map((e) => e.naturalWidth));
      assert.equal(images.length, liveCards.length, "a live card has no preview");
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});

describe("the loss library", () => {
  test("shows a card for every registered loss, renders formulas as MathML, and filters from ?q=", async () => {
    const registry = JSON.parse(
      readFileSync(
        join(
          dist,
          "_file/data",
          readdirSync(join(dist, "_file/data")).find((f) => f.startsWith("losses."))
        ),
        "utf8"
      )
    );
    const {page, problems, close} = await open("/library/losses");
    try {
      await page.waitForSelector(".losslab-loss");
      assert.equal(await page.locator(".losslab-loss").count(), registry.losses.length);
      assert.ok(registry.losses.length >= 44, `only ${registry.losses.length} losses`);
      assert.equal((await page.locator(".losslab-loss math").count()) >= registry.losses.length, true);
      await page.fill(".losslab-reference-filter input", "triplet");
      const shown = await page.$$eval(".losslab-loss", (els) => els.map((e) => e.dataset.loss));
      assert.ok(shown.includes("triplet-margin") && shown.length < registry.losses.length, `shown: ${shown}`);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
    const filtered = await open("/library/losses?q=focal");
    try {
      await filtered.page.waitForSelector(".losslab-loss");
      const ids = await filtered.page.$$eval(".losslab-loss", (els) => els.map((e) => e.dataset.loss));
      assert.ok(ids.includes("focal") && !ids.includes("triplet-margin"), `shown: ${ids}`);
    } finally {
      await filtered.close();
    }
  });
});

describe("widgets outside the notebooks", () => {
  test("a plain HTML page renders two custom elements from one script tag and updates them in place", async () => {
    const {page, problems, close} = await open("/widgets/example.html");
    try {
      await page.waitForSelector("losslab-embedding-plot svg");
      await page.waitForSelector("losslab-loss-curve svg");
      const before = await page.evaluate(() => {
        window.__curveSvg = document.querySelector("losslab-loss-curve svg");
        window.__embeddingSvg = document.querySelector("losslab-embedding-plot svg");
        return document.querySelectorAll("losslab-embedding-plot svg circle, losslab-embedding-plot svg .points *")
          .length;
      });
      assert.ok(before > 0, "the embedding draws its points");
      await page.waitForFunction(() => Number(document.getElementById("curve").dataset.updates) >= 10);
      await page.waitForFunction(() => document.getElementById("embedding").dataset.updated === "true");
      const same = await page.evaluate(
        () =>
          document.querySelector("losslab-loss-curve svg") === window.__curveSvg &&
          document.querySelector("losslab-embedding-plot svg") === window.__embeddingSvg
      );
      assert.ok(same, "update() redrew in place instead of re-creating the figures");
      const download = page.waitForEvent("download");
      await page.click("losslab-loss-curve .losslab-export button:text('CSV')");
      const file = await download;
      assert.match(file.suggestedFilename(), /\.csv$/);
      const csv = readFileSync(await file.path(), "utf8");
      assert.match(csv, /^series,role,step,value\r\ncross-entropy,baseline,0,/);
      for (const [kind, check] of [
        ["SVG", (bytes) => assert.match(bytes.toString("utf8"), /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)],
        ["PNG", (bytes) => assert.equal(bytes.subarray(1, 4).toString("latin1"), "PNG")]
      ]) {
        const next = page.waitForEvent("download");
        await page.click(`losslab-embedding-plot .losslab-export button:text('${kind}')`);
        const saved = await next;
        assert.match(saved.suggestedFilename(), new RegExp(`\\.${kind.toLowerCase()}$`));
        check(readFileSync(await saved.path()));
      }
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
  test("an anywidget module renders, follows model changes and cleans up", async () => {
    const {page, problems, close} = await open("/widgets/example.html");
    try {
      const result = await page.evaluate(async () => {
        const {default: widget} = await import("./anywidget/loss-curve.js");
        const listeners = {};
        const state = {
          data: [{key: "a", label: "cross-entropy", role: "baseline", x: [0, 1], y: [1, 0.5]}],
          options: {width: 400}
        };
        const model = {
          get: (name) => state[name],
          on: (event, f) => (listeners[event] ??= new Set()).add(f),
          off: (event, f) => listeners[event]?.delete(f)
        };
        const el = document.createElement("div");
        document.body.append(el);
        const cleanup = widget.render({model, el});
        const svg = el.querySelector("svg");
        state.data = [...state.data, {key: "b", label: "focal", role: "method", x: [0, 1], y: [0.8, 0.3]}];
        for (const f of listeners["change:data"] ?? []) f();
        const afterUpdate = {same: el.querySelector("svg") === svg, legend: el.textContent.includes("focal")};
        cleanup();
        return {...afterUpdate, empty: el.childElementCount === 0};
      });
      assert.deepEqual(result, {same: true, legend: true, empty: true});
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
  test("?embed=1 shows a notebook's figures and controls only", async () => {
    const {page, problems, close} = await open("/classification/comp-sum?embed=1&backend=wasm");
    try {
      await page.waitForSelector(".losslab-layout .losslab-run");
      assert.equal(await page.locator("#observablehq-sidebar").isVisible(), false, "sidebar hidden");
      assert.equal(await page.locator("#observablehq-main > h1").isVisible(), false, "title hidden");
      assert.equal(await page.locator(".losslab-layout").isVisible(), true, "figures shown");
      await page.waitForFunction(() => Number(document.querySelector(".losslab-run")?.dataset.step) > 0);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});

/** Waits for the first event with finite losses, then until every arm's loss is below `factor` × that. */
async function lossFalls(page, factor = 0.5, timeout = trainTimeout) {
  await page.waitForFunction(
    () => {
      const el = document.querySelector(".losslab-run");
      const losses = (el?.dataset.losses ?? "").split(",").filter(Boolean).map(Number);
      return Number(el?.dataset.step) > 0 && losses.length > 0 && losses.every(Number.isFinite);
    },
    null,
    {timeout, polling: 100}
  );
  const first = await runState(page);
  await page.waitForFunction(
    ([initial, f]) => {
      const losses = (document.querySelector(".losslab-run")?.dataset.losses ?? "").split(",").map(Number);
      return losses.length === initial.length && losses.every((l, i) => l < f * initial[i]);
    },
    [first.losses, factor],
    {timeout, polling: 250}
  );
  return {first, last: await runState(page)};
}

for (const notebook of notebooks) {
  for (const backend of notebook.backends ?? ["wasm", "webgpu"]) {
    describe(`${notebook.path} on ${backend}`, () => {
      const what =
        notebook.smoke.kind === "loss-falls" ? "every arm's loss falls" : `it reaches step ${notebook.smoke.steps}`;
      test(`trains live: data-backend is right, data-step advances and ${what}`, async () => {
        const {page, problems, close} = await open(`${notebook.path}?backend=${backend}${notebook.hash ?? ""}`);
        try {
          const {first, last} =
            notebook.smoke.kind === "loss-falls"
              ? await lossFalls(page, notebook.smoke.factor ?? 0.5)
              : await trainUntil(page, notebook.smoke.steps);
          assert.equal(last.backend, backend);
          assert.ok(last.losses.length >= 1 && last.losses.every(Number.isFinite), `losses ${last.losses}`);
          // A short study may finish before the first read; reaching the smoke's step count from 0 is then the advance.
          const advanced = last.step > first.step || (notebook.smoke.steps && last.step >= notebook.smoke.steps);
          assert.ok(advanced, `step ${first.step} → ${last.step}`);
          assert.ok(["running", "paused", "done"].includes(last.status), `status ${last.status}`);
          assert.ok((await page.locator("math").count()) > 0, "KaTeX formulas render as MathML");
          assert.ok((await page.locator(".losslab-claims tr[data-claim]").count()) >= 1, "claim table");
          for (const selector of notebook.selectors ?? []) {
            assert.ok((await page.locator(selector).count()) >= 1, `${selector} is on the page`);
          }
          assert.equal(await page.locator(".observablehq--error").count(), 0, "a cell shows an error");
          assert.deepEqual(problems, []);
        } finally {
          await close();
        }
      });
    });
  }
}

describe("the loss-landscape notebook", () => {
  test("on wasm: both arms train, the landscapes, the slice and the sharpness table appear", async () => {
    const {page, problems, close} = await open("/views/loss-landscapes?backend=wasm");
    try {
      await page.waitForFunction(
        () => /Landscapes at step/.test(document.querySelector(".losslab-landscape-status")?.textContent ?? ""),
        null,
        {timeout: trainTimeout}
      );
      const state = await runState(page);
      assert.equal(state.backend, "wasm");
      assert.equal(state.losses.length, 2);
      const contours = await page.$$eval(".losslab-loss-contour", (els) => els.length);
      assert.ok(contours >= 2, `${contours} contour maps`);
      assert.ok((await page.locator(".losslab-loss-slice path").count()) > 0, "the 1-D slice is drawn");
      await page.click("button:text('Measure sharpness now')");
      await page.waitForSelector("table.losslab-sharpness", {timeout: trainTimeout});
      const rows = await page.$$eval("table.losslab-sharpness tr", (trs) =>
        trs.slice(1).map((tr) => [...tr.children].map((td) => td.textContent))
      );
      assert.equal(rows.length, 2);
      for (const [, top] of rows) assert.ok(Number.isFinite(parseFloat(top)), `top eigenvalue ${top}`);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
  test("on webgpu: both arms train", async () => {
    const {page, problems, close} = await open("/views/loss-landscapes?backend=webgpu");
    try {
      const {first, last} = await trainUntil(page, 40);
      assert.equal(last.backend, "webgpu");
      assert.ok(last.step > first.step && last.losses.every(Number.isFinite), JSON.stringify(last));
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});

describe("numerics across backends", () => {
  test("the same seed gives agreeing losses on webgpu, webgl and wasm (and identical data and weights)", async () => {
    const {page, problems, close} = await open("/classification/comp-sum?backend=wasm");
    try {
      // Pause the page's own run so that switching backends below cannot touch its tensors.
      await page.waitForSelector(".losslab-run[data-step]");
      await page.click("button.losslab-play");
      await page.waitForSelector(".losslab-run[data-status=paused]");
      // The page's own build of the library, so the check runs exactly the code the notebooks run.
      const preloads = await page.$$eval("link[rel=modulepreload]", (links) => links.map((l) => l.href));
      const href = preloads.find((h) => /\/_lib\/losslab\.[^/]*js$/.test(h));
      const experimentHref = preloads.find((h) => /\/_lib\/experiments\/compSum\.[^/]*js$/.test(h));
      assert.ok(href, "the page preloads /_lib/losslab.js");
      assert.ok(experimentHref, "the page preloads /_lib/experiments/compSum.js");
      const runs = await page.evaluate(
        async ([url, experimentUrl]) => {
          const lib = {...(await import(url)), ...(await import(experimentUrl))};
          const out = {};
          for (const backend of ["wasm", "webgpu", "webgl"]) {
            const info = await lib.selectBackend({override: backend});
            const p = lib.resolveParams(lib.compSumExperiment.schema, {labelNoise: 0.2, n: 200});
            const model = lib.mlp({inputs: 2, hidden: [8], classes: 3, seed: 5});
            const weights = (await model.read()).map((w) => Array.from(w));
            model.dispose();
            const last = await lib.runToEnd(
              lib.train({...lib.compSumExperiment.setup(p), steps: 30, stepsPerYield: 30, evalEvery: 30})
            );
            out[backend] = {
              name: info.name,
              weights,
              loss: last.history.loss,
              accuracy: last.arms.map((a) => a.metrics.testAccuracy)
            };
          }
          return out;
        },
        [href, experimentHref]
      );
      for (const backend of ["webgpu", "webgl"]) {
        assert.equal(runs[backend].name, backend);
        assert.deepEqual(runs[backend].weights, runs.wasm.weights, `${backend}: initial weights differ`);
        for (let arm = 0; arm < 2; ++arm) {
          runs[backend].loss[arm].forEach((v, step) => {
            const w = runs.wasm.loss[arm][step];
            assert.ok(
              Math.abs(v - w) <= 1e-3 + 1e-3 * Math.abs(w),
              `${backend} arm ${arm} step ${step + 1}: ${v} vs wasm ${w}`
            );
          });
        }
      }
      assert.deepEqual(
        problems.filter((p) => !/GPU stall due to ReadPixels/.test(p)),
        []
      );
    } finally {
      await close();
    }
  });
});

describe("permalinks", () => {
  test("every control round-trips through the URL", async () => {
    const hash = "#method=comp-sum&tau=0.5&dataset=moons&labelNoise=0.2&lr=0.003&batch=32&seed=7&embed=false";
    const {page, problems, close} = await open(`/classification/comp-sum?backend=wasm${hash}`);
    try {
      await page.waitForSelector(".losslab-params");
      const values = await page.$$eval(".losslab-params select, .losslab-params input", (els) =>
        Object.fromEntries(
          els
            .filter((e) => e.id)
            .map((e) => [e.id.replace(/^losslab-params-\d+-/, ""), e.type === "checkbox" ? String(e.checked) : e.value])
        )
      );
      assert.equal(values.method, "comp-sum");
      assert.equal(values.dataset, "moons");
      assert.equal(values.embed, "false");
      assert.equal(Number(await page.inputValue("input[type=number][aria-label='τ value']")), 0.5);
      // The page writes the complete state back, so a copied link reproduces the run.
      await page.selectOption(".losslab-params select >> nth=0", "mean-absolute-error");
      const url = new URL(page.url());
      const params = new URLSearchParams(url.hash.slice(1));
      assert.equal(params.get("method"), "mean-absolute-error");
      assert.equal(params.get("seed"), "7");
      assert.equal(params.get("lr"), "0.003");
      assert.equal(url.searchParams.get("backend"), "wasm");
      assert.equal(await page.locator(".losslab-params .losslab-notice").isVisible(), false);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
  test("bad URL values fall back to the defaults with a visible notice", async () => {
    const {page, problems, close} = await open(
      "/classification/comp-sum?backend=nonsense#lr=banana&classes=999&method=focal"
    );
    try {
      const notice = page.locator(".losslab-params .losslab-notice");
      await notice.waitFor({state: "visible"});
      const text = await notice.innerText();
      assert.match(text, /lr="banana" is not valid/);
      assert.match(text, /classes="999" is not valid/);
      assert.match(text, /method="focal" is not valid/);
      const backendNotice = page.locator(".losslab-backend .losslab-notice");
      await backendNotice.waitFor({state: "visible"});
      assert.match(await backendNotice.innerText(), /unknown backend "nonsense"/);
      await trainUntil(page, 5, 60_000);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});

describe("robustness", () => {
  test("a diverging run pauses with an explanation", async () => {
    const hash = "#method=sum-exponential&optimizer=sgd&lr=1&width=256&depth=4&labelNoise=0.4";
    const {page, problems, close} = await open(`/classification/comp-sum?backend=wasm${hash}`);
    try {
      await page.waitForSelector(".losslab-run[data-status=diverged]", {timeout: 60_000});
      const message = await page.locator(".losslab-message").innerText();
      assert.match(message, /diverged at step \d+.*Training is paused\. Lower the learning rate/s);
      assert.equal(await page.locator("button.losslab-play").isDisabled(), true);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
  test("a lost WebGPU device moves the run to another backend and keeps training", async () => {
    const {page, problems, close} = await open("/classification/comp-sum?backend=webgpu");
    try {
      const {last} = await trainUntil(page, 20);
      assert.equal(last.backend, "webgpu");
      // TF.js keeps its engine on the global object; destroying the device is what a GPU reset does.
      await page.evaluate(() => globalThis._tfengine.backendInstance.device.destroy());
      await page.waitForFunction(() => document.querySelector(".losslab-run")?.dataset.backend !== "webgpu", null, {
        timeout: trainTimeout
      });
      const notice = await page.locator(".losslab-run .losslab-notice").innerText();
      assert.match(
        notice,
        /The webgpu device was lost at step \d+ .*The run continues on (webgl|wasm|cpu) from step \d+/
      );
      const moved = await runState(page);
      await trainUntil(page, moved.step + 20);
      // Destroying the device makes Chromium log WebGPU errors for work already queued on it; those
      // are expected here. Anything else is a problem.
      const unexpected = problems.filter((p) => !/WebGPU|GPU|device|destroyed|lost/i.test(p));
      assert.deepEqual(unexpected, []);
    } finally {
      await close();
    }
  });
});
