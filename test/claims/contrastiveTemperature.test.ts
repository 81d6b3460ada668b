// Card 25's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/contrastiveTemperature.ts); the per-seed table is printed. Each test asserts the direction the
// paper claims — the mean difference (method − baseline) has the claimed sign, most seeds agree — and the verdict.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {contrastiveTemperatureExperiment} from "../../src/experiments/contrastiveTemperature.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

for (const claim of contrastiveTemperatureExperiment.claims) {
  test(`${claim.id}: ${claim.text}`, async () => {
    const [result] = await contrastiveTemperatureExperiment.check({claims: [claim.id]});
    print(result);
    expect(result.rows).toHaveLength(claim.seeds.length);
    const claimed = claim.direction === "higher" ? 1 : -1;
    if (claim.test === "non-inferiority") {
      // No worse than the margin on average and on most seeds.
      expect(claimed * result.mean).toBeGreaterThan(-claim.margin!);
      expect(result.agree).toBeGreaterThan(result.rows.length / 2);
    } else {
      expect(claimed * result.mean).toBeGreaterThan(0);
      expect(result.rows.filter((r) => claimed * r.difference > 0).length).toBeGreaterThan(result.rows.length / 2);
    }
    expect(result.verdict).toBe("reproduced");
  }, 600_000);
}
