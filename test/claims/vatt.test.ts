// Card 09's measurable check, run headless on the WASM backend with the same code as the notebook
// (src/experiments/vatt.ts): NCE on each clip's first caption against MIL-NCE on all L = 3 captions when a third of the
// training captions describe other clips, measured by A → B Recall@1 on test clips with clean captions. The per-seed
// table is printed; the test asserts the sign and verdict we measure (see `measured`).
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {vattExperiment} from "../../src/experiments/vatt.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

/** What each check measured: the claimed sign (1) or the opposite one (−1), and the verdict. */
const measured: Record<string, {sign: 1 | -1; verdict: ClaimResult["verdict"]}> = {
  "mil-nce-misaligned": {sign: 1, verdict: "reproduced"},
  "clean-captions-control": {sign: 1, verdict: "reproduced"}
};

for (const claim of vattExperiment.claims) {
  test(`${claim.id}: ${claim.text}`, async () => {
    const [result] = await vattExperiment.check({claims: [claim.id]});
    print(result);
    expect(result.rows).toHaveLength(claim.seeds.length);
    for (const r of result.rows) expect(Number.isFinite(r.baseline) && Number.isFinite(r.method)).toBe(true);
    const {sign, verdict} = measured[claim.id];
    const claimed = claim.direction === "higher" ? 1 : -1;
    // Superiority: the effect's sign; non-inferiority: the effect stays above −margin (on average and on most seeds).
    const bound = claim.test === "non-inferiority" ? -(claim.margin ?? 0) : 0;
    expect(sign * (claimed * result.mean - bound)).toBeGreaterThan(0);
    expect(result.rows.filter((r) => sign * (claimed * r.difference - bound) > 0).length).toBeGreaterThan(
      result.rows.length / 2
    );
    expect(result.verdict).toBe(verdict);
  }, 600_000);
}
