// Card 18's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/anyLoss.ts). The per-seed table is printed. Only the balanced-accuracy claim reproduces at toy
// scale; the tests assert what we do measure (each claim's verdict and the sign of its mean difference), so a change
// in either direction fails them.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {anyLossExperiment} from "../../src/experiments/anyLoss.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

async function check(id: string): Promise<ClaimResult> {
  const claim = anyLossExperiment.claims.find((c) => c.id === id)!;
  const [result] = await anyLossExperiment.check({claims: [id]});
  print(result);
  expect(result.rows).toHaveLength(claim.seeds.length);
  return result;
}

test("f1: AnyLoss-F1 does not beat BCE's F1 at threshold ½ on the toy (the claim does not reproduce)", async () => {
  const r = await check("f1");
  expect(r.mean).toBeLessThan(0);
  expect(r.verdict).toBe("contradicted");
}, 300_000);

test("balanced-accuracy: AnyLoss-BAcc beats BCE's balanced accuracy by more than 5 points on average", async () => {
  const r = await check("balanced-accuracy");
  expect(r.mean).toBeGreaterThan(0.05);
  expect(r.verdict).toBe("reproduced");
}, 300_000);

test("f1-tuned-threshold: BCE with an F1-tuned threshold beats AnyLoss-F1 by more than the 2-point margin", async () => {
  const r = await check("f1-tuned-threshold");
  expect(r.mean).toBeLessThan(-0.02);
  expect(r.verdict).toBe("contradicted");
}, 300_000);
