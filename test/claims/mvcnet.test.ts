// Card 01's measurable check (MVCNet), run headless on the WASM backend with the notebook's code
// (src/experiments/mvcnet.ts). The per-seed table is printed. The claim does not reproduce at toy scale (two MLPs,
// 0.5 s synthetic trials, 200 steps): the test asserts what we measure, a mean gain below the card's 2 points
// (no consistent difference between the full loss and CE on the same views), not a reproduction.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {mvcnetExperiment} from "../../src/experiments/mvcnet.js";
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
    `${r.id} (${r.metricLabel}, ${r.steps} steps, ${r.seconds.toFixed(1)} s): mean Δ ${r.mean.toFixed(3)} ± ${r.sd.toFixed(3)}, ${r.agree}/${r.rows.length} agree → ${r.verdict}\n${rows.join("\n")}`
  );
}

for (const claim of mvcnetExperiment.claims) {
  test(`${claim.id}: ${claim.text}`, async () => {
    const [result] = await mvcnetExperiment.check({claims: [claim.id]});
    print(result);
    expect(result.rows).toHaveLength(claim.seeds.length);
    expect(result.rows.every((r) => r.baseline >= 0 && r.baseline <= 1 && r.method >= 0 && r.method <= 1)).toBe(true);
    expect(result.verdict).not.toBe("reproduced");
    expect(result.mean).toBeLessThan(claim.threshold!);
  }, 600_000);
}
