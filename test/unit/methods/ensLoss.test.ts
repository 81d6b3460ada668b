// The EnsLoss notebook's own code: the official simulator, the two-logit hinge baseline, the random derivatives and
// the losses they integrate to (checked against the registry's TF.js ensloss gradient and by hand), and the gap metric.
import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {ensLoss} from "../../../src/losses/ensLoss.js";
import {ensLossArms, ensLossMetrics, ensLossSchema, ensLossSetup} from "../../../src/experiments/ensLoss.js";
import {
  ensLossAccuracyGap,
  ensLossCurve,
  ensLossDerivatives,
  ensLossFixedDerivatives,
  ensLossFixedLosses,
  ensLossHinge,
  ensLossMargins,
  ensLossSimData
} from "../../../src/methods/ensLoss.js";
import {defaults, resolveParams} from "../../../src/params/schema.js";
import {expectClose} from "../../util/close.js";
import {useCpuBackend} from "../../util/backend.js";

useCpuBackend();

describe("ensLossSimData", () => {
  test("a 70/30 split of n points in d dimensions with 0/1 labels, the same for the same seed", () => {
    const a = ensLossSimData({n: 600, d: 20, seed: 3});
    expect([a.train.n, a.test.n, a.inputs, a.classes]).toEqual([420, 180, 20, 2]);
    expect(a.train.x).toHaveLength(420 * 20);
    expect(new Set([...a.train.y, ...a.test.y])).toEqual(new Set([0, 1]));
    const ids = [...a.train.ids, ...a.test.ids].sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({length: 600}, (_, i) => i));
    const b = ensLossSimData({n: 600, d: 20, seed: 3});
    expect(Array.from(b.train.y)).toEqual(Array.from(a.train.y));
    expect(Array.from(b.test.x)).toEqual(Array.from(a.test.x));
    expect(Array.from(ensLossSimData({n: 600, d: 20, seed: 4}).train.y)).not.toEqual(Array.from(a.train.y));
  });

  test("labels follow σ(clip(2·standardised Σ relu(x), ±5)) and yClean is the Bayes label", () => {
    const n = 20000;
    const d = 5;
    const data = ensLossSimData({n, d, seed: 1});
    // Recompute the score from the inputs, in float64, for both splits together.
    const rows = [data.train, data.test];
    const raw: number[] = [];
    for (const s of rows)
      for (let i = 0; i < s.n; ++i)
        raw.push(Array.from(s.x.subarray(i * d, (i + 1) * d)).reduce((a, v) => a + Math.max(v, 0), 0));
    const mean = raw.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    let k = 0;
    let expected = 0;
    let labelled = 0;
    let bayesWrong = 0;
    for (const s of rows) {
      for (let i = 0; i < s.n; ++i, ++k) {
        const score = Math.min(Math.max(((raw[k] - mean) / std) * 2, -5), 5);
        const p = 1 / (1 + Math.exp(-score));
        expected += p;
        labelled += s.y[i];
        expect(s.yClean[i]).toBe(score > 0 ? 1 : 0);
        bayesWrong += Math.min(p, 1 - p);
      }
    }
    // The share of positives matches E[σ(score)] to within 4 standard errors (sd ≤ 0.5/√n).
    expect(Math.abs(labelled - expected) / n).toBeLessThan(4 * (0.5 / Math.sqrt(n)));
    const disagree = [...data.train.y].filter((y, i) => y !== data.train.yClean[i]).length / data.train.n;
    expect(data.noiseRate).toBe(disagree);
    expect(Math.abs(disagree - bayesWrong / n)).toBeLessThan(0.02);
  });

  test("invalid sizes throw", () => {
    expect(() => ensLossSimData({n: 2, d: 3, seed: 1})).toThrow("invalid n: 2");
    expect(() => ensLossSimData({n: 10, d: 0, seed: 1})).toThrow("invalid d: 0");
  });
});

describe("ensLossHinge", () => {
  test("ensLossHinge is the batch mean of max(0, 1 − y·(z₁ − z₀))", () => {
    const logits = [0, 2, 1, 0.5, -1, 0.3, 0.2, 0.2];
    const labels = [1, 1, 0, 0];
    // scores 2, −0.5, 1.3, 0 → y·f = 2, −0.5, −1.3, −0 → hinge 0, 1.5, 2.3, 1.
    const value = tf.tidy(
      () => ensLossHinge.fn({logits: tf.tensor2d(logits, [4, 2]), labels: tf.tensor1d(labels, "int32")}).dataSync()[0]
    );
    expect(value).toBeCloseTo((0 + 1.5 + 2.3 + 1) / 4, 6);
  });

  test("its gradient in the score is −y/B below margin 1 and 0 beyond", () => {
    const labels = tf.tensor1d([1, 0, 1], "int32");
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => ensLossHinge.fn({logits: x as tf.Tensor2D, labels}))(
          tf.tensor2d([0, 3, 0, 0.5, 0, 0.2], [3, 2])
        )
        .arraySync()
    ) as number[][];
    labels.dispose();
    expectClose(g.flat(), [0, 0, -1 / 3, 1 / 3, 1 / 3, -1 / 3]);
  });
});

describe("ensLossDerivatives", () => {
  test("ensLossMargins are y·(z₁ − z₀) with y = 2t − 1", () => {
    expect(Array.from(ensLossMargins([0, 1, 2, 0.5], [1, 0]))).toEqual([1, 1.5]);
    expect(() => ensLossMargins([0, 1, 2], [1, 0])).toThrow("expected 4");
  });

  test("the derivative at each margin is the registry ensloss gradient (B·∂L/∂s), ties and tail included", () => {
    const B = 12;
    const margins = [0.3, -1.2, 2.5, 0.3, 4, -0.1, 1.5, 0.7, 0.3, -3, 1, 6];
    const labels = Int32Array.from({length: B}, (_, i) => i % 2);
    // Logits [0, y·s] give score y·s and margin s.
    const logits = new Float32Array(2 * B);
    margins.forEach((s, i) => (logits[2 * i + 1] = (2 * labels[i] - 1) * s));
    for (const [seed, draw, boxCox] of [
      [1, 0, 0],
      [5, 17, 0],
      [2, 3, 0.5]
    ]) {
      const grad = tf.tidy(() => {
        const y = tf.tensor1d(labels, "int32");
        return tf
          .grad((x: tf.Tensor) => ensLoss.fn({logits: x as tf.Tensor2D, labels: y}, {seed, draw, boxCox}))(
            tf.tensor2d(logits, [B, 2])
          )
          .dataSync();
      });
      const fromTf = Array.from({length: B}, (_, i) => B * grad[2 * i + 1] * (2 * labels[i] - 1));
      expectClose(fromTf, ensLossDerivatives(margins, seed, draw, boxCox), {rtol: 1e-4, atol: 1e-6});
    }
  });

  test("every derivative is negative, at least −1, and non-decreasing in the margin up to margin 1", () => {
    const margins = Array.from({length: 64}, (_, i) => -3 + i * 0.0625);
    const g = ensLossDerivatives(margins, 7, 2);
    for (let i = 0; i < 64; ++i) {
      expect(g[i]).toBeLessThan(0);
      expect(g[i]).toBeGreaterThanOrEqual(-1 - 1e-6);
      if (i > 0 && margins[i] <= 1) expect(g[i]).toBeGreaterThanOrEqual(g[i - 1]);
    }
  });
});

describe("ensLossCurve", () => {
  test("sorts the margins and integrates the derivative by the trapezoid rule, zero at the largest margin", () => {
    const margins = [0.5, -1, 0];
    const c = ensLossCurve(margins, 3, 1);
    expect(Array.from(c.margin)).toEqual([-1, 0, 0.5]);
    const g = ensLossDerivatives(margins, 3, 1);
    expectClose(c.derivative, [g[1], g[2], g[0]], {rtol: 0, atol: 0});
    const l1 = -((g[2] + g[0]) / 2) * 0.5;
    const l0 = l1 - ((g[1] + g[2]) / 2) * 1;
    expectClose(c.loss, [l0, l1, 0], {rtol: 1e-12, atol: 1e-15});
    // Every derivative is negative, so the loss decreases.
    expect(c.loss[0]).toBeGreaterThan(c.loss[1]);
  });

  test("the fixed losses' derivatives are the derivatives of the fixed losses (central differences)", () => {
    for (const name of ["logistic", "hinge", "exponential"] as const) {
      for (const s of [-2.3, -0.4, 0.6, 1.7, 3.1]) {
        const h = 1e-6;
        const fd = (ensLossFixedLosses[name](s + h) - ensLossFixedLosses[name](s - h)) / (2 * h);
        expect(ensLossFixedDerivatives[name](s)).toBeCloseTo(fd, 6);
      }
    }
  });
});

describe("the EnsLoss experiment", () => {
  test("ensLossAccuracyGap is train accuracy on the probe minus test accuracy", () => {
    const data = ensLossSimData({n: 10, d: 2, seed: 1});
    // Predict class 1 everywhere: accuracies are the shares of label 1.
    const probe = new Float32Array(2 * 4).map((_, i) => i % 2);
    const test = new Float32Array(2 * data.test.n).map((_, i) => i % 2);
    const trainAcc = [...data.train.y.subarray(0, 4)].filter((y) => y === 1).length / 4;
    const testAcc = [...data.test.y].filter((y) => y === 1).length / data.test.n;
    expect(ensLossAccuracyGap(data, probe, 4, test)).toBeCloseTo(trainAcc - testAcc, 12);
    const ctx = {
      data,
      arm: ensLossArms(defaults(ensLossSchema))[1],
      index: 1,
      probeLogits: probe,
      probeSize: 4,
      testLogits: test,
      step: 0
    };
    expect(ensLossMetrics.host!(ctx).accuracyGap).toBeCloseTo(trainAcc - testAcc, 12);
  });

  test("the arms: the chosen fixed loss, EnsLoss with a new draw per step, then the other fixed losses", () => {
    const p = resolveParams(ensLossSchema, {baseline: "hinge", allLosses: true, seed: 9});
    const arms = ensLossArms(p);
    expect(arms.map((a) => a.id)).toEqual(["hinge", "ensloss", "logistic", "exponential"]);
    expect(arms.map((a) => a.role)).toEqual(["baseline", "method", "baseline", "baseline"]);
    expect(arms[1].params).toEqual({seed: 9, boxCox: 0});
    expect(arms[1].paramsAt?.(41)).toEqual({draw: 41});
    expect(ensLossArms(defaults(ensLossSchema)).map((a) => a.id)).toEqual(["logistic", "ensloss"]);
    const moons = ensLossSetup(resolveParams(ensLossSchema, {dataset: "moons"}));
    expect([moons.data.inputs, moons.data.classes]).toEqual([2, 2]);
    expect(moons.data.noiseRate).toBeCloseTo(0.15, 2);
  });
});
