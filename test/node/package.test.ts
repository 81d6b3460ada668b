// The package as users and the site get it: `import … from "losslab"` in plain Node (the build:lib
// output), one TF.js engine shared by pages and library (one tfjs-core version; _lib/ keeps packages
// external apart from the WASM backend's browser build).
import {execFileSync} from "node:child_process";
import {existsSync, readFileSync} from "node:fs";
import {describe, expect, test} from "vitest";

const root = new URL("../../", import.meta.url).pathname;

describe("the Node package (lib/)", () => {
  test('import {losses, toy2d, train} from "losslab" computes a loss and trains on cpu and wasm', () => {
    expect(existsSync(`${root}lib/index.js`), "lib/ is missing: run npm run build:lib").toBe(true);
    const script = `
      import {losses, mlp, toy2d, train, runToEnd, selectBackend, tf} from "losslab";
      import {loadDigits} from "losslab/node";
      const out = {};
      for (const backend of ["cpu", "wasm"]) {
        const info = await selectBackend({override: backend});
        const logits = tf.tensor2d([[2, 0, -1], [0, 1, 0]]);
        const labels = tf.tensor1d([0, 2], "int32");
        const ce = losses["cross-entropy"].fn({logits, labels}).dataSync()[0];
        const last = await runToEnd(train({
          data: toy2d({n: 120, seed: 1}), model: {hidden: [8]},
          arms: [{id: "ce", label: "CE", loss: losses["cross-entropy"]}],
          optimizer: {type: "adam", lr: 0.05}, batchSize: 32, seed: 1, steps: 40, stepsPerYield: 40
        }));
        out[backend] = {name: info.name, ce, first: last.history.loss[0][0], last: last.history.loss[0].at(-1)};
      }
      out.digits = (await loadDigits()).train.n;
      console.log(JSON.stringify(out));`;
    const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", script], {cwd: root, encoding: "utf8"});
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
    const expected = (Math.log(Math.exp(2) + 1 + Math.exp(-1)) - 2 + Math.log(2 + Math.E) - 0) / 2;
    for (const backend of ["cpu", "wasm"]) {
      expect(out[backend].name).toBe(backend);
      expect(out[backend].ce).toBeCloseTo(expected, 5);
      expect(out[backend].last).toBeLessThan(out[backend].first);
    }
    expect(out.digits).toBeGreaterThan(1000);
  }, 60_000);
});

describe("the README's Node examples", () => {
  // The examples users copy must run as written against the built package.
  const readme = readFileSync(`${root}README.md`, "utf8");
  const section = readme.slice(readme.indexOf("## In Node"), readme.indexOf("## Layout"));
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  test("the section has its examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });
  blocks.forEach((code, i) => {
    test(`example ${i + 1} runs and prints finite numbers`, () => {
      expect(existsSync(`${root}lib/index.js`), "lib/ is missing: run npm run build:lib").toBe(true);
      const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", code], {
        cwd: root,
        encoding: "utf8"
      });
      const numbers = [...stdout.matchAll(/-?\d+\.\d+(e-?\d+)?/g)].map((m) => Number(m[0]));
      expect(numbers.length, stdout).toBeGreaterThan(0);
      expect(numbers.every(Number.isFinite), stdout).toBe(true);
      expect(stdout).not.toMatch(/NaN|Infinity/);
    }, 60_000);
  });
});

describe("one TF.js engine", () => {
  test("npm ls lists a single version of @tensorflow/tfjs-core", () => {
    const tree = JSON.parse(
      execFileSync("npm", ["ls", "@tensorflow/tfjs-core", "--all", "--json"], {cwd: root, encoding: "utf8"})
    );
    const versions = new Set<string>();
    const walk = (deps: Record<string, {version: string; dependencies?: object}> = {}) => {
      for (const [name, d] of Object.entries(deps)) {
        if (name === "@tensorflow/tfjs-core") versions.add(d.version);
        walk(d.dependencies as never);
      }
    };
    walk(tree.dependencies);
    expect([...versions]).toEqual(["4.22.0"]);
  });
  test("notebooks/_lib bundles TF.js once and no other package", () => {
    expect(existsSync(`${root}notebooks/_lib/meta.json`), "notebooks/_lib is missing: run npm run build:web").toBe(
      true
    );
    const meta = JSON.parse(readFileSync(`${root}notebooks/_lib/meta.json`, "utf8"));
    // "(disabled):…" inputs are modules a package's "browser" field switches off (tfjs-core's node-fetch).
    const packages = Object.keys(meta.inputs).filter(
      (p) => p.includes("node_modules/") && !p.startsWith("(disabled):")
    );
    // TF.js and its own dependencies only; d3, KaTeX and plotly stay external (Framework resolves them).
    const foreign = packages.filter((p) => !/node_modules\/(@tensorflow\/|long\/|seedrandom\/)/.test(p));
    expect(foreign).toEqual([]);
    // One copy of tfjs-core's engine: its entry file is an input exactly once.
    expect(packages.filter((p) => p.endsWith("@tensorflow/tfjs-core/dist/engine.js"))).toHaveLength(1);
    const external = new Set<string>();
    for (const output of Object.values(meta.outputs) as {imports: {path: string; external?: boolean}[]}[]) {
      for (const i of output.imports) if (i.external) external.add(i.path);
    }
    expect([...external].filter((p) => p.startsWith("@tensorflow/"))).toEqual([]);
    expect(external).toContain("d3-selection");
  });
});
