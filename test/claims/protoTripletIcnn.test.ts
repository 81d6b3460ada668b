// Card 26's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/protoTripletIcnn.ts): ProtoNet against ProtoNet + Proto-Triplet + ICNN on toy Gaussian classes, tested
// on 5-way 5-shot episodes of 10 classes neither arm trains on. The per-seed table is printed. Each check asserts the
// sign and verdict we measure (see `measured`), which need not be the paper's.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {protoTripletIcnnExperiment} from "../../src/experiments/protoTripletIcnn.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

/** What each check measured: the claimed sign (1) or the opposite one (−1), and the verdict. */
const measured: Record<string, {sign: 1 | -1; verdict: ClaimResult["verdict"]}> = {
  "few-shot-accuracy": {sign: 1, verdict: "reproduced"},
  "icnn-score": {sign: 1, verdict: "reproduced"}
};

for (const claim of protoTripletIcnnExperiment.claims) {
  test(`${claim.id}: ${claim.text}`, async () => {
    const [result] = await protoTripletIcnnExperiment.check({claims: [claim.id]});
    print(result);
    expect(result.rows).toHaveLength(claim.seeds.length);
    for (const r of result.rows) expect(Number.isFinite(r.baseline) && Number.isFinite(r.method)).toBe(true);
    const {sign, verdict} = measured[claim.id];
    const claimed = claim.direction === "higher" ? 1 : -1;
    expect(sign * claimed * result.mean).toBeGreaterThan(0);
    expect(result.rows.filter((r) => sign * claimed * r.difference > 0).length).toBeGreaterThan(result.rows.length / 2);
    expect(result.verdict).toBe(verdict);
  }, 600_000);
}
