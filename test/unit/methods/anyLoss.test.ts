import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {softConfusion} from "../../../src/losses/anyLoss.js";
import {balancedAccuracy, gMean, perClass} from "../../../src/metrics/classification.js";
import {classCounts} from "../../../src/datasets/dataset.js";
import {
  anyLossApproximation,
  anyLossBestThreshold,
  anyLossCellMetrics,
  anyLossConfusion,
  anyLossF1At,
  anyLossGaussians,
  anyLossHostMetrics,
  anyLossPositiveProbs
} from "../../../src/methods/anyLoss.js";
import {anyLossArmLabel, anyLossClassWeights, anyLossDataset, anyLossSchema} from "../../../src/experiments/anyLoss.js";
import {resolveParams} from "../../../src/params/schema.js";
import {expectClose} from "../../util/close.js";

useCpuBackend();

describe("anyLossApproximation", () => {
  test("anyLossApproximation(½, L) is ½ for every L, and symmetric: A(½ + d) + A(½ − d) = 1", () => {
    for (const L of [1, 5, 73]) {
      expect(anyLossApproximation(0.5, L)).toBe(0.5);
      for (const d of [0.01, 0.2, 0.5]) {
        expect(anyLossApproximation(0.5 + d, L) + anyLossApproximation(0.5 - d, L)).toBeCloseTo(1, 12);
      }
    }
  });

  test("anyLossApproximation(p, 73) at hand-computed points", () => {
    // σ(73 · 0.1) = 1/(1 + e^{−7.3}); σ(73 · 0.5) = 1/(1 + e^{−36.5}).
    expect(anyLossApproximation(0.6, 73)).toBeCloseTo(1 / (1 + Math.exp(-7.3)), 14);
    expect(anyLossApproximation(0, 73)).toBeCloseTo(1 / (1 + Math.exp(36.5)), 20);
    expect(anyLossApproximation(1, 73)).toBeGreaterThan(1 - 1e-15);
  });
});

describe("anyLossPositiveProbs", () => {
  test("anyLossPositiveProbs([z₀, z₁]) is σ(z₁ − z₀), finite for huge logits", () => {
    const p = anyLossPositiveProbs([0, 0, 1, 3, 3, 1, -800, 800, 800, -800]);
    expectClose(p, [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2)), 1, 0], {rtol: 1e-12, atol: 1e-300});
  });

  test("anyLossPositiveProbs throws on an odd number of entries", () => {
    expect(() => anyLossPositiveProbs([1, 2, 3])).toThrow(/not \[N, 2\]/);
  });
});

describe("anyLossCellMetrics", () => {
  test("anyLossCellMetrics of TN 50, FP 10, FN 5, TP 15 matches the hand-computed values", () => {
    const m = anyLossCellMetrics({tn: 50, fp: 10, fn: 5, tp: 15});
    expect(m.accuracy).toBeCloseTo(65 / 80, 14);
    expect(m.f1).toBeCloseTo(30 / 45, 14);
    // TPR = 15/20 = 0.75, TNR = 50/60.
    expect(m.balancedAccuracy).toBeCloseTo((0.75 + 50 / 60) / 2, 14);
    expect(m.gMean).toBeCloseTo(Math.sqrt(0.75 * (50 / 60)), 14);
  });
});

/** Probabilities and labels with some certain, some uncertain samples. */
const probs = [0.02, 0.3, 0.49, 0.51, 0.7, 0.95, 0.1, 0.55, 0.45, 0.99];
const labels = [0, 0, 0, 0, 1, 1, 0, 1, 1, 1];

describe("anyLossConfusion", () => {
  test("anyLossConfusion(…).hard counts decisions at p > ½ and agrees with src/metrics", () => {
    const {hard} = anyLossConfusion(probs, labels, 73);
    // Predicted positive: 0.51 (y 0), 0.7, 0.95, 0.55, 0.99 (y 1); 0.45 (y 1) is a false negative.
    expect([hard.tn, hard.fp, hard.fn, hard.tp]).toEqual([4, 1, 1, 4]);
    const predictions = probs.map((p) => (p > 0.5 ? 1 : 0));
    expect(hard.metrics.f1).toBeCloseTo(perClass(predictions, labels, 2).f1[1], 14);
    expect(hard.metrics.balancedAccuracy).toBeCloseTo(balancedAccuracy(predictions, labels, 2), 14);
    expect(hard.metrics.gMean).toBeCloseTo(gMean(predictions, labels, 2), 14);
  });

  test("anyLossConfusion(…).raw sums p itself; every cell set adds up to the sample count", () => {
    const c = anyLossConfusion(probs, labels, 73);
    expect(c.raw.tp).toBeCloseTo(0.7 + 0.95 + 0.55 + 0.45 + 0.99, 12);
    expect(c.raw.fp).toBeCloseTo(0.02 + 0.3 + 0.49 + 0.51 + 0.1, 12);
    for (const cells of [c.hard, c.amplified, c.raw]) {
      expect(cells.tn + cells.fp + cells.fn + cells.tp).toBeCloseTo(probs.length, 12);
    }
  });

  test("anyLossConfusion: amplified cells approach the hard ones as L grows (and a small L is blurrier than p)", () => {
    const gap = (L: number) => {
      const c = anyLossConfusion(probs, labels, L);
      return Math.abs(c.amplified.tp - c.hard.tp) + Math.abs(c.amplified.fp - c.hard.fp);
    };
    const raw = anyLossConfusion(probs, labels, 1);
    const rawGap = Math.abs(raw.raw.tp - raw.hard.tp) + Math.abs(raw.raw.fp - raw.hard.fp);
    // A(p) has slope L/4 at ½ but A(0) = σ(−L/2) > 0: at L = 5 confident samples count less fully than with p itself.
    expect(gap(5)).toBeGreaterThan(rawGap);
    expect(gap(30)).toBeLessThan(rawGap);
    expect(gap(73)).toBeLessThan(gap(30));
    expect(gap(1000)).toBeLessThan(gap(73));
  });

  test("anyLossConfusion(…).amplified equals the loss's softConfusion on the same logits (TF.js, float32)", () => {
    const logits = probs.flatMap((p) => [0, Math.log(p / (1 - p))]);
    const c = anyLossConfusion(anyLossPositiveProbs(logits), labels, 30);
    const tfCells = tf.tidy(() => {
      const m = softConfusion(tf.tensor2d(logits, [probs.length, 2]), tf.tensor1d(labels, "int32"), 30);
      return [m.tn, m.fp, m.fn, m.tp].map((t) => t.dataSync()[0]);
    });
    expectClose(tfCells, [c.amplified.tn, c.amplified.fp, c.amplified.fn, c.amplified.tp]);
  });

  test("anyLossConfusion throws on non-binary labels, a length mismatch or a bad amplifier", () => {
    expect(() => anyLossConfusion([0.5], [2], 73)).toThrow(/not 0 or 1/);
    expect(() => anyLossConfusion([0.5, 0.2], [1], 73)).toThrow(/expected 2/);
    expect(() => anyLossConfusion([0.5], [1], 0)).toThrow(/invalid amplifier/);
  });
});

describe("anyLossBestThreshold", () => {
  test("anyLossBestThreshold picks the threshold of the best F1 among all cut points (brute force)", () => {
    const t = anyLossBestThreshold(probs, labels);
    let best = -1;
    for (const c of probs) best = Math.max(best, anyLossF1At(probs, labels, c));
    expect(anyLossF1At(probs, labels, t)).toBe(best);
    // "Positive at p ≥ 0.55" catches four of the five positives with no false positive: F1 = 8/9 (≥ 0.45 catches all
    // five with two false positives, 10/12).
    expect(t).toBe(0.55);
    expect(best).toBeCloseTo(8 / 9, 14);
  });

  test("anyLossBestThreshold is ½ without positives", () => {
    expect(anyLossBestThreshold([0.2, 0.9], [0, 0])).toBe(0.5);
  });
});

describe("anyLossHostMetrics", () => {
  test("anyLossHostMetrics reads the test logits at p > ½ and tunes the threshold on the probe", () => {
    const data = anyLossGaussians({n: 100, seed: 3});
    const testLogits = Float32Array.from({length: data.test.n * 2}, (_, k) =>
      k % 2 ? data.test.x[k - 1] + data.test.x[k] : 0
    );
    const probeLogits = Float32Array.from({length: data.train.n * 2}, (_, k) =>
      k % 2 ? data.train.x[k - 1] + data.train.x[k] : 0
    );
    const m = anyLossHostMetrics({data, testLogits, probeLogits, probeSize: data.train.n});
    const predictions = Array.from({length: data.test.n}, (_, i) => (testLogits[2 * i + 1] > 0 ? 1 : 0));
    expect(m.f1).toBeCloseTo(perClass(predictions, data.test.y, 2).f1[1], 12);
    expect(m.balancedAccuracy).toBeCloseTo(balancedAccuracy(predictions, data.test.y, 2), 12);
    expect(m.gMean).toBeCloseTo(gMean(predictions, data.test.y, 2), 12);
    const trainProbs = anyLossPositiveProbs(probeLogits);
    expect(m.threshold).toBe(anyLossBestThreshold(trainProbs, data.train.y));
    expect(m.f1Tuned).toBe(anyLossF1At(anyLossPositiveProbs(testLogits), data.test.y, m.threshold));
  });
});

describe("anyLossGaussians", () => {
  test("anyLossGaussians({n: 1000, positives: 0.1}) has 10 % positives in both splits, 70/30", () => {
    const d = anyLossGaussians({n: 1000, positives: 0.1, seed: 1});
    expect(d.train.n + d.test.n).toBe(1000);
    expect(d.test.n).toBe(300);
    expect(classCounts(d.train.y, 2)).toEqual([630, 70]);
    expect(classCounts(d.test.y, 2)).toEqual([270, 30]);
  });

  test("anyLossGaussians places the class means 2·separation apart on the diagonal", () => {
    const d = anyLossGaussians({n: 4000, positives: 0.5, separation: 1.2, seed: 2});
    const mean = [0, 0, 0, 0];
    const count = [0, 0];
    for (const s of [d.train, d.test]) {
      for (let i = 0; i < s.n; ++i) {
        mean[2 * s.y[i]] += s.x[2 * i];
        mean[2 * s.y[i] + 1] += s.x[2 * i + 1];
        count[s.y[i]]++;
      }
    }
    const m = mean.map((v, k) => v / count[k >> 1]);
    const c = 1.2 / Math.SQRT2;
    // Standard error of a mean of 2000 unit normals ≈ 0.022.
    expectClose(m, [-c, -c, c, c], {atol: 0.08, rtol: 0});
  });

  test("anyLossGaussians is a pure function of its seed", () => {
    expect(anyLossGaussians({seed: 5}).train.x).toEqual(anyLossGaussians({seed: 5}).train.x);
    expect(anyLossGaussians({seed: 5}).train.x).not.toEqual(anyLossGaussians({seed: 6}).train.x);
  });

  test("anyLossGaussians rejects bad options", () => {
    expect(() => anyLossGaussians({positives: 0.7})).toThrow(/invalid positives/);
    expect(() => anyLossGaussians({n: 3})).toThrow(/invalid n/);
  });
});

describe("the AnyLoss experiment's helpers", () => {
  test("anyLossDataset gives the toy shapes the same share of positives (class 1 the minority)", () => {
    const p = resolveParams(anyLossSchema, {dataset: "moons", positives: 0.2, n: 1000});
    const d = anyLossDataset(p);
    const counts = classCounts([...d.train.y, ...d.test.y], 2);
    expect(counts).toEqual([800, 200]);
  });

  test("anyLossClassWeights are N/(2·n_c) of the training split", () => {
    const d = anyLossGaussians({n: 1000, positives: 0.1, seed: 1});
    expectClose(anyLossClassWeights(d), [700 / (2 * 630), 700 / (2 * 70)]);
  });

  test("anyLossArmLabel names the metric and L", () => {
    expect(anyLossArmLabel({metric: "f1", amplifier: 73, beta: 1})).toBe("AnyLoss-F1 (L = 73)");
    expect(anyLossArmLabel({metric: "f1", amplifier: 30, beta: 2})).toBe("AnyLoss-F2 (L = 30)");
    expect(anyLossArmLabel({metric: "balanced-accuracy", amplifier: 73, beta: 1})).toBe("AnyLoss-BAcc (L = 73)");
  });
});
