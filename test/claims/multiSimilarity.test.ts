// Card 30's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/multiSimilarity.ts): Recall@1 on eight unseen Gaussian classes, multi-similarity (official form,
// with mining) against contrastive, semi-hard triplet and MS without mining. The per-seed table is printed. Each test
// asserts what the check measured at toy scale (see `measured`): the sign of the mean difference, that most seeds
// agree with it, and the verdict.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {multiSimilarityExperiment} from "../../src/experiments/multiSimilarity.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

/** What each check measured: the claimed sign (1) or the opposite one (−1), and the verdict. */
const measured: Record<string, {sign: 1 | -1; verdict: ClaimResult["verdict"]}> = {
  "ms-vs-contrastive": {sign: 1, verdict: "reproduced"},
  "ms-vs-triplet": {sign: 1, verdict: "reproduced"},
  "mining-helps": {sign: 1, verdict: "reproduced"}
};

for (const claim of multiSimilarityExperiment.claims) {
  test(`${claim.id}: ${claim.text}`, async () => {
    const [result] = await multiSimilarityExperiment.check({claims: [claim.id]});
    print(result);
    expect(result.rows).toHaveLength(claim.seeds.length);
    const {sign, verdict} = measured[claim.id];
    const claimed = claim.direction === "higher" ? 1 : -1;
    expect(sign * claimed * result.mean).toBeGreaterThan(0);
    expect(result.rows.filter((r) => sign * claimed * r.difference > 0).length).toBeGreaterThan(result.rows.length / 2);
    expect(result.verdict).toBe(verdict);
  }, 300_000);
}
