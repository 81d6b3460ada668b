// Card 36's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/focalLoss.ts): one three-arm run (CE, weighted CE, focal) per seed, read by every claim. The
// per-seed table is printed. The tests assert what we measure — each claim's verdict and the sign of its mean
// difference — so a change in either direction fails them.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {focalLossExperiment} from "../../src/experiments/focalLoss.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

async function check(id: string): Promise<ClaimResult> {
  const claim = focalLossExperiment.claims.find((c) => c.id === id)!;
  const [result] = await focalLossExperiment.check({claims: [id]});
  print(result);
  expect(result.rows).toHaveLength(claim.seeds.length);
  return result;
}

test("focal-recall: focal loss (γ = 2, no α) barely changes minority recall at ½ (right sign, below 2 points)", async () => {
  const r = await check("focal-recall");
  expect(r.mean).toBeGreaterThan(0);
  expect(r.mean).toBeLessThan(0.02);
  expect(r.verdict).toBe("smaller");
}, 300_000);

test("weighted-recall: class-weighted CE raises minority recall at ½ by far more than 2 points", async () => {
  const r = await check("weighted-recall");
  expect(r.mean).toBeGreaterThan(0.1);
  expect(r.verdict).toBe("reproduced");
}, 300_000);

test("auprc-comparable: focal loss's AUPRC falls more than 3 points below the better cross-entropy", async () => {
  const r = await check("auprc-comparable");
  expect(r.mean).toBeLessThan(-0.03);
  expect(r.verdict).toBe("contradicted");
}, 300_000);

test("focal-ece: focal loss's ECE is not consistently lower than CE's (inconclusive at toy scale)", async () => {
  const r = await check("focal-ece");
  expect(Math.abs(r.mean)).toBeLessThan(r.sd);
  expect(r.verdict).toBe("inconclusive");
}, 300_000);
