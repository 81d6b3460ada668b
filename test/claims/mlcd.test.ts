// Card 10's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/mlcd.ts). The per-seed table is printed. What we measure: MLCD's scores do settle on the right side
// of 0 far more often than a softmax over the centres (the card's second check; its 95 % bar is met on some seeds, not
// all), but the linear-probe gain of ≥ 3 points does not appear at this scale — the differences change sign across
// seeds — so that test asserts the verdict "inconclusive" and a mean gain below the claimed 3 points.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {mlcdExperiment} from "../../src/experiments/mlcd.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r, 4);

async function check(id: string): Promise<ClaimResult> {
  const [result] = await mlcdExperiment.check({claims: [id]});
  print(result);
  const claim = mlcdExperiment.claims.find((c) => c.id === id)!;
  expect(result.rows).toHaveLength(claim.seeds.length);
  return result;
}

test("linear-probe: the probe gain is not the claimed ≥ 3 points (inconclusive at toy scale)", async () => {
  const r = await check("linear-probe");
  expect(r.verdict).toBe("inconclusive");
  expect(r.mean).toBeLessThan(0.03);
  for (const row of r.rows) expect(row.method).toBeGreaterThan(0.5); // both probes learn the classes (chance ≈ 0.17)
}, 180_000);

test("zero-threshold: MLCD puts more of its scores on the right side of 0 than softmax CE, on every seed", async () => {
  const r = await check("zero-threshold");
  expect(r.verdict).toBe("reproduced");
  expect(r.agree).toBe(r.rows.length);
  for (const row of r.rows) expect(row.difference).toBeGreaterThan(0.2);
}, 180_000);
