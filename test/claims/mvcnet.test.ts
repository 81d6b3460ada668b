// Card 01's measurable check (MVCNet), run headless on the WASM backend with the notebook's code
// (src/experiments/mvcnet.ts). The per-seed table is printed. The claim does not reproduce at toy scale (two MLPs,
// 0.5 s synthetic trials, 200 steps): the test asserts what we measure, a mean gain below the card's 2 points
// (no consistent difference between the full loss and CE on the same views), not a reproduction.
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {mvcnetExperiment} from "../../src/experiments/mvcnet.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

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
