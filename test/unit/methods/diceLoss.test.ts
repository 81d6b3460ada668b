// The Dice-loss notebook's F1 and host metrics (src/methods/diceLoss.ts) against hand-counted values and the
// library's independent metrics (perClass, argmax).
import {describe, expect, test} from "vitest";
import {
  diceLossBestF1,
  diceLossF1,
  diceLossF1Curve,
  diceLossMetrics,
  diceLossPositiveProbs
} from "../../../src/methods/diceLoss.js";
import {argmax, perClass} from "../../../src/metrics/classification.js";
import {random} from "../../../src/random.js";

describe("diceLossPositiveProbs", () => {
  test("σ(z₁ − z₀), stable for large logit gaps", () => {
    const p = diceLossPositiveProbs([0, 0, 0, Math.log(3), 800, 0, 0, 800]);
    expect(p[0]).toBe(0.5);
    expect(p[1]).toBeCloseTo(0.75, 12);
    expect(p[2]).toBe(0);
    expect(p[3]).toBe(1);
  });
  test("rejects logits that are not [N, 2]", () => {
    expect(() => diceLossPositiveProbs([1, 2, 3])).toThrow("must be [N, 2]");
  });
});

describe("diceLossF1", () => {
  const p = [0.9, 0.8, 0.6, 0.4, 0.3, 0.1];
  const y = [1, 0, 1, 1, 0, 0];
  test("counts at threshold 0.5: tp 2, fp 1, fn 1", () => {
    const r = diceLossF1(p, y);
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
    expect(r.predictedPositive).toBeCloseTo(0.5, 12);
  });
  test("no predicted positive gives F1 0 (and NaN precision) when positives exist", () => {
    const r = diceLossF1(p, y, 0.95);
    expect(r.f1).toBe(0);
    expect(r.precision).toBeNaN();
  });
  test("at 0.5 it equals perClass(argmax(logits)).f1[1] on random logits", () => {
    const rng = random(3).fork("dice-f1");
    const logits = rng.normals(400, 2);
    const labels = Int32Array.from({length: 200}, () => (rng.uniform() < 0.2 ? 1 : 0));
    const ours = diceLossF1(diceLossPositiveProbs(logits), labels).f1;
    expect(ours).toBeCloseTo(perClass(argmax(logits, 2), labels, 2).f1[1], 12);
  });
  test("diceLossF1Curve evaluates each threshold", () => {
    expect(Array.from(diceLossF1Curve(p, y, [0.5, 0.95]))).toEqual([diceLossF1(p, y, 0.5).f1, 0]);
  });
});

describe("diceLossBestF1", () => {
  test("finds the best cut exactly, between two neighbouring scores", () => {
    // Ranked: 1, 0, 1, 1, 0, 0 → F1 by cut: 1/2, 2/5, 4/6, 6/7, 6/8, 6/9; best 6/7 between 0.4 and 0.3.
    const r = diceLossBestF1([0.9, 0.8, 0.6, 0.4, 0.3, 0.1], [1, 0, 1, 1, 0, 0]);
    expect(r.f1).toBeCloseTo(6 / 7, 12);
    expect(r.threshold).toBeCloseTo(0.35, 12);
    expect(diceLossF1([0.9, 0.8, 0.6, 0.4, 0.3, 0.1], [1, 0, 1, 1, 0, 0], r.threshold).f1).toBeCloseTo(6 / 7, 12);
  });
  test("ties are called together", () => {
    // Both 0.5s are positive or neither: cut after them gives 2·1/(2 + 1) = 2/3, not 1.
    expect(diceLossBestF1([0.5, 0.5], [0, 1]).f1).toBeCloseTo(2 / 3, 12);
  });
  test("at least the F1 of every grid threshold", () => {
    const rng = random(5).fork("dice-best");
    const p = Float64Array.from({length: 300}, () => rng.uniform());
    const y = Int32Array.from(p, (v) => (rng.uniform() < v * 0.4 ? 1 : 0));
    const best = diceLossBestF1(p, y).f1;
    const grid = Float64Array.from({length: 99}, (_, i) => (i + 1) / 100);
    for (const f of diceLossF1Curve(p, y, grid)) expect(best).toBeGreaterThanOrEqual(f - 1e-12);
  });
  test("NaN without positives", () => {
    expect(diceLossBestF1([0.2, 0.7], [0, 0]).f1).toBeNaN();
  });
});

test("diceLossMetrics reads the test split's logits", () => {
  const m = diceLossMetrics({
    data: {test: {y: Int32Array.of(1, 0, 1, 0)}, classes: 2} as never,
    testLogits: Float32Array.of(0, 2, 0, 1, 0, -1, 0, -3),
    probeLogits: new Float32Array(0),
    probeSize: 0,
    arm: {} as never,
    index: 0,
    step: 0
  });
  expect(m.f1).toBeCloseTo(0.5, 12); // tp 1, fp 1, fn 1
  expect(m.bestF1).toBeCloseTo(4 / 5, 12); // calling the top three: tp 2, fp 1, fn 0
  expect(m.predictedPositive).toBe(0.5);
  expect(m.ece).toBeGreaterThan(0);
});
