// Card 02's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/unpg.ts): TAR at FAR = 1e-2 on three held-out identities, UNPG against the plain margin softmax, and
// UNPG with its whisker filter against UNPG without it when a duplicate identity adds noisy negatives. The per-seed table is printed. Each test
// asserts what the check measured at toy scale (see `measured`): the sign of the mean difference, that most seeds
// agree with it, and the verdict.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {unpgExperiment} from "../../src/experiments/unpg.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

// unpg-tar: the claimed sign on average and on most seeds (2 of 3 at toy scale; the spread is large).
// whisker-noisy: with a 3-D embedding the negative similarities spread over most of [−1, 1], so the window
// [Q1 − 1.5·IQR, Q3 + 1.5·IQR] covers every possible cosine and the filter drops nothing: both arms train identically
// and every seed's difference is exactly 0 (verdict "inconclusive"). The test asserts that, so it fails as soon as the
// filter acts.
test(
  "unpg-tar: " + unpgExperiment.claims[0].text,
  async () => {
    const [result] = await unpgExperiment.check({claims: ["unpg-tar"]});
    print(result);
    expect(result.rows).toHaveLength(unpgExperiment.claims[0].seeds.length);
    expect(result.mean).toBeGreaterThan(0);
    expect(result.rows.filter((r) => r.difference > 0).length).toBeGreaterThan(result.rows.length / 2);
    expect(result.verdict).toBe("reproduced");
  },
  300_000
);

test(
  "whisker-noisy: " + unpgExperiment.claims[1].text,
  async () => {
    const [result] = await unpgExperiment.check({claims: ["whisker-noisy"]});
    print(result);
    expect(result.rows).toHaveLength(unpgExperiment.claims[1].seeds.length);
    for (const r of result.rows) expect(r.difference).toBe(0);
    expect(result.verdict).toBe("inconclusive");
  },
  300_000
);
