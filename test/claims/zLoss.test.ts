// Card 16's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/zLoss.ts). Each test asserts what the claim measures; the per-seed table is printed.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {zLossExperiment} from "../../src/experiments/zLoss.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

function print(r: ClaimResult): void {
  const rows = r.rows.map(
    (x) =>
      `  seed ${x.seed}: ${r.baseline} ${x.baseline.toPrecision(4)}  ${r.method} ${x.method.toPrecision(4)}  Δ ${x.difference.toPrecision(4)}`
  );
  console.log(
    `${r.id} (${r.metricLabel}, ${r.steps} steps, ${r.seconds.toFixed(1)} s): mean Δ ${r.mean.toPrecision(4)} ± ${r.sd.toPrecision(3)}, ${r.agree}/${r.rows.length} agree → ${r.verdict}\n${rows.join("\n")}`
  );
}

async function check(id: string): Promise<ClaimResult> {
  const [result] = await zLossExperiment.check({claims: [id]});
  print(result);
  const claim = zLossExperiment.claims.find((c) => c.id === id)!;
  expect(result.rows).toHaveLength(claim.seeds.length);
  return result;
}

test("invariance: the registry's Z-loss moves by less than 1e-5 under k·o + s on every seed", async () => {
  const r = await check("invariance");
  for (const row of r.rows) expect(row.method).toBeLessThan(10); // the card's bound 1e-5, in units of 1e-6 (float32)
  expect(r.verdict).toBe("reproduced");
}, 60_000);

test("top1-vs-spherical: the Z-loss's top-1 accuracy is at least the better other spherical loss's on average, by a small margin", async () => {
  const r = await check("top1-vs-spherical");
  expect(r.mean).toBeGreaterThan(0);
  expect(r.agree).toBeGreaterThan(r.rows.length / 2);
  expect(r.verdict).toBe("reproduced");
  // What we measure beyond the claim: the advantage is small, within about one test-set standard error (≈ 1.6 pp).
  expect(Math.abs(r.mean)).toBeLessThan(0.02);
}, 180_000);

test("topk-matches-ce: the Z-loss's top-3 accuracy is within 1 pp of cross-entropy's (non-inferiority)", async () => {
  const r = await check("topk-matches-ce");
  expect(r.mean).toBeGreaterThan(-0.01);
  expect(r.agree).toBeGreaterThan(r.rows.length / 2);
  expect(r.verdict).toBe("reproduced");
}, 180_000);
