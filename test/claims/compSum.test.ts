// Card 29's measurable checks, run headless on the WASM backend with the same code as the notebook
// (src/experiments/compSum.ts). Each test asserts the direction the paper claims: the mean difference
// (method − baseline) has the claimed sign and most seeds agree. The per-seed table is printed.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {compSumExperiment} from "../../src/experiments/compSum.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

function print(r: ClaimResult): void {
  const rows = r.rows.map(
    (x) =>
      `  seed ${x.seed}: ${r.baseline} ${x.baseline.toFixed(3)}  ${r.method} ${x.method.toFixed(3)}  Δ ${x.difference.toFixed(3)}`
  );
  console.log(
    `${r.id} (${r.metricLabel}, ${r.steps} steps): mean Δ ${r.mean.toFixed(3)} ± ${r.sd.toFixed(3)}, ${r.agree}/${r.rows.length} agree → ${r.verdict}\n${rows.join("\n")}`
  );
}

for (const claim of compSumExperiment.claims) {
  test(`${claim.id}: ${claim.text}`, async () => {
    const [result] = await compSumExperiment.check({claims: [claim.id]});
    print(result);
    expect(result.rows).toHaveLength(claim.seeds.length);
    const sign = claim.direction === "higher" ? 1 : -1;
    expect(sign * result.mean).toBeGreaterThan(0);
    expect(result.agree).toBeGreaterThan(result.rows.length / 2);
    expect(result.verdict).toBe("reproduced");
  }, 120_000);
}
