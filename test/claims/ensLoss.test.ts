// Card 06's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/ensLoss.ts). Both claims read one four-arm run (logistic, EnsLoss, hinge, exponential) per seed.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {ensLossExperiment} from "../../src/experiments/ensLoss.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";

let results: ClaimResult[];

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
  results = await ensLossExperiment.check();
  for (const r of results) {
    const rows = r.rows.map(
      (x) =>
        `  seed ${x.seed}: ${r.baseline} ${x.baseline.toFixed(3)}  ${r.method} ${x.method.toFixed(3)}  Δ ${x.difference.toFixed(3)}`
    );
    console.log(
      `${r.id} (${r.metricLabel}, ${r.steps} steps, ${r.seconds.toFixed(1)} s): mean Δ ${r.mean.toFixed(3)} ± ${r.sd.toFixed(3)}, ${r.agree}/${r.rows.length} agree → ${r.verdict}\n${rows.join("\n")}`
    );
  }
}, 900_000);

const result = (id: string) => results.find((r) => r.id === id)!;

test("every claim has one row per seed and compares EnsLoss with the best of the three fixed losses", () => {
  for (const claim of ensLossExperiment.claims) {
    const r = result(claim.id);
    expect(r.rows).toHaveLength(claim.seeds.length);
    expect(r.method).toBe("EnsLoss");
    expect(r.baseline).toBe("best of Logistic (BCE), Hinge, Exponential");
  }
});

test("the runs overfit: every loss ends with a train − test accuracy gap above 0.2 on every seed", () => {
  for (const row of result("smallest-gap").rows) {
    expect(row.baseline).toBeGreaterThan(0.2);
    expect(row.method).toBeGreaterThan(0.2);
  }
});

// At toy scale (64-wide MLP, 420 noisy training points, 600 steps, 3 seeds) neither claim reproduces. The final test
// accuracy shows no consistent difference (EnsLoss wins one seed, ties one, loses one), and EnsLoss's train − test gap is
// larger than the best fixed loss's on every seed: it fits the noisy training labels faster. The tests assert those
// measurements, not the paper's claim.
test("final-accuracy does not reproduce at toy scale: no consistent difference from the best fixed loss", () => {
  const r = result("final-accuracy");
  expect(r.verdict).not.toBe("reproduced");
  expect(Math.abs(r.mean)).toBeLessThan(0.03);
});

test("smallest-gap does not reproduce at toy scale: EnsLoss's gap is larger than the best fixed loss's", () => {
  const r = result("smallest-gap");
  expect(r.mean).toBeGreaterThan(0);
  expect(r.verdict).not.toBe("reproduced");
});
