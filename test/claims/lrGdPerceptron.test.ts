// Card 14's measurable checks (src/experiments/lrGdPerceptron.ts), run headless. They are studies on host-side Float64
// code (no TF.js), so no backend is needed. Each test asserts what the check measures on these seeds; the per-seed
// table is printed.
import {expect, test} from "vitest";
import {lrGdPerceptronExperiment} from "../../src/experiments/lrGdPerceptron.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";

function print(r: ClaimResult): void {
  const rows = r.rows.map(
    (x) =>
      `  seed ${x.seed}: ${r.baseline} ${x.baseline.toPrecision(6)}  ${r.method} ${x.method.toPrecision(6)}  Δ ${x.difference.toPrecision(4)}`
  );
  console.log(
    `${r.id} (${r.metricLabel}): mean Δ ${r.mean.toPrecision(4)} ± ${r.sd.toPrecision(3)}, ${r.agree}/${r.rows.length} agree → ${r.verdict} (${r.seconds.toFixed(2)} s)\n${rows.join("\n")}`
  );
}

const results = new Map<string, ClaimResult>();
async function result(id: string): Promise<ClaimResult> {
  if (!results.has(id)) {
    const [r] = await lrGdPerceptronExperiment.check({claims: [id]});
    print(r);
    results.set(id, r);
  }
  return results.get(id)!;
}

test("large-steps-separate-sooner: γ = 1000 separates in fewer iterations than γ = 1 on every seed", async () => {
  const r = await result("large-steps-separate-sooner");
  expect(r.rows).toHaveLength(4);
  for (const row of r.rows) expect(row.method).toBeLessThan(row.baseline);
  expect(r.verdict).toBe("reproduced");
});

test("perceptron-direction: at γ = 1e4 the cosine is high but not above 0.999 on most seeds (the card's check fails here)", async () => {
  const r = await result("perceptron-direction");
  // What we measure: LR+GD(1e4) stays within about 8° of the perceptron (cosine > 0.99) on every seed…
  for (const row of r.rows) expect(row.method).toBeGreaterThan(0.99);
  // …but not within the card's 0.999 on most seeds, so the check is not reproduced at γ = 1e4.
  expect(r.rows.filter((row) => row.method > 0.999).length).toBeLessThanOrEqual(r.rows.length / 2);
  expect(r.verdict).not.toBe("reproduced");
});

test("perceptron-limit: at γ = 1e6 LR+GD separates in exactly as many iterations as the batch perceptron", async () => {
  const r = await result("perceptron-limit");
  for (const row of r.rows) expect(row.difference).toBe(0);
  expect(r.verdict).toBe("reproduced");
});

test("loss-misleading: the γ = 1000 run peaks far above log 2, where the γ = 1 run's loss never rises", async () => {
  const r = await result("loss-misleading");
  for (const row of r.rows) {
    expect(row.baseline).toBeCloseTo(Math.LN2, 12);
    expect(row.method).toBeGreaterThan(100 * row.baseline);
  }
  expect(r.verdict).toBe("reproduced");
});

test("normalized-faster: Normalized LR+GD (γ = 1) separates sooner than LR+GD (γ = 1) on every seed", async () => {
  const r = await result("normalized-faster");
  for (const row of r.rows) expect(row.method).toBeLessThan(row.baseline);
  expect(r.verdict).toBe("reproduced");
});
