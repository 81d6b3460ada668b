// The Z-loss notebook's host-side values (float64, src/methods/zLoss.ts) against the registry losses that train
// (float32 TF.js, cpu backend) and against values worked out by hand.
import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import type {LossSpec} from "../../../src/losses/defineLoss.js";
import {mseOneHot, taylorSoftmaxLoss, zLoss} from "../../../src/losses/sphericalLosses.js";
import {
  zLossCrossEntropy,
  zLossInvarianceStudy,
  zLossLabelScores,
  zLossLogitScale,
  zLossMean,
  zLossMetrics,
  zLossMseOneHot,
  zLossProfile,
  zLossShiftDemo,
  zLossSweep,
  zLossTaylorSoftmax,
  zLossTopKCurve,
  zLossTransform
} from "../../../src/methods/zLoss.js";
import {random} from "../../../src/random.js";
import {useCpuBackend} from "../../util/backend.js";

useCpuBackend();

const C = 5;
const N = 12;
function fixture(seed = 1) {
  const rng = random(seed).fork("z-loss-method");
  const logits = Float32Array.from({length: N * C}, () => 3 * rng.normal() + 1);
  const labels = Int32Array.from({length: N}, (_, i) => i % C);
  return {logits, labels};
}

function registry(loss: LossSpec<any>, logits: ArrayLike<number>, labels: Int32Array, params?: object): number {
  return tf.tidy(
    () =>
      loss
        .fn(
          {logits: tf.tensor2d(Float32Array.from(logits), [labels.length, C]), labels: tf.tensor1d(labels, "int32")},
          params
        )
        .dataSync()[0]
  );
}

describe("host-side losses match the registry's", () => {
  const {logits, labels} = fixture();
  test("zLossMean ≡ z-loss for several (a, b)", () => {
    for (const [a, b] of [
      [1, 2],
      [4, 1],
      [0.5, -1]
    ]) {
      expect(zLossMean(logits, labels, C, {a, b})).toBeCloseTo(registry(zLoss, logits, labels, {a, b}), 5);
    }
  });
  test("zLossCrossEntropy ≡ cross-entropy", () => {
    expect(zLossCrossEntropy(logits, labels, C)).toBeCloseTo(registry(crossEntropy, logits, labels), 5);
  });
  test("zLossMseOneHot ≡ mse-onehot (raw scores)", () => {
    expect(zLossMseOneHot(logits, labels, C)).toBeCloseTo(registry(mseOneHot, logits, labels), 3);
  });
  test("zLossTaylorSoftmax ≡ taylor-softmax (orders 2 and 4)", () => {
    expect(zLossTaylorSoftmax(logits, labels, C)).toBeCloseTo(registry(taylorSoftmaxLoss, logits, labels), 5);
    expect(zLossTaylorSoftmax(logits, labels, C, 4)).toBeCloseTo(
      registry(taylorSoftmaxLoss, logits, labels, {order: 4}),
      5
    );
  });
});

describe("hand-computed values", () => {
  test("zLossLabelScores: logits (0, 0, 3) → μ = 1, σ = √2, z of class 2 = 2/√2", () => {
    const z = zLossLabelScores([0, 0, 3, 0, 0, 3], [2, 0], 3);
    expect(z[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(z[1]).toBeCloseTo(-1 / Math.SQRT2, 6);
  });
  test("zLossLabelScores: equal logits give z = 0 (the ε in σ)", () => {
    expect(zLossLabelScores([2, 2, 2], [1], 3)[0]).toBe(0);
  });
  test("zLossProfile: softplus(a(b − z))/a, log 2 / a at z = b", () => {
    const [atB, far] = zLossProfile([2, 102], {a: 4, b: 2});
    expect(atB).toBeCloseTo(Math.log(2) / 4, 12);
    expect(far).toBeCloseTo(Math.exp(-400) / 4, 12);
    expect(zLossProfile([-50], {a: 1, b: 2})[0]).toBeCloseTo(52, 10);
  });
  test("zLossMseOneHot: (1, 0) with label 0 is 0; (0, 0) is 1", () => {
    expect(zLossMseOneHot([1, 0, 0, 0], [0, 0], 2)).toBeCloseTo(0.5, 12);
  });
  test("zLossTaylorSoftmax: logits (0, 0) give log 2", () => {
    expect(zLossTaylorSoftmax([0, 0], [1], 2)).toBeCloseTo(Math.log(2), 12);
    // f(1) = 2.5, f(−1) = 0.5: −log(2.5/3)
    expect(zLossTaylorSoftmax([1, -1], [0], 2)).toBeCloseTo(-Math.log(2.5 / 3), 12);
  });
  test("zLossLogitScale: the mean per-row population standard deviation", () => {
    expect(zLossLogitScale([0, 2, 1, 1], 2)).toBeCloseTo(0.5, 12);
  });
  test("zLossTopKCurve: rising to 1 at k = C, top-1 = accuracy", () => {
    const curve = zLossTopKCurve([3, 2, 1, 1, 2, 3, 3, 1, 2], [1, 1, 0], 3);
    expect(Array.from(curve)).toEqual([1 / 3, 1, 1]);
  });
  test("zLossTransform rejects k ≤ 0", () => {
    expect(() => zLossTransform([1], 0, 0)).toThrow("invalid k: 0");
  });
});

describe("the shift/scale demo", () => {
  const {logits, labels} = fixture(2);
  const rows = (k: number, s: number) =>
    Object.fromEntries(zLossShiftDemo(logits, labels, C, {a: 1, b: 2, k, s, topk: 2}).map((r) => [r.key, r]));
  test("Z-loss and both accuracies are unchanged by k·o + s", () => {
    for (const [k, s] of [
      [0.1, -7],
      [9, 4],
      [1, 30]
    ]) {
      const r = rows(k, s);
      // Exact up to the ε = 1e-8 added to σ², whose share grows as k shrinks the variance.
      expect(Math.abs(r["z-loss"].after - r["z-loss"].before)).toBeLessThan(1e-6);
      expect(r.top1.after).toBe(r.top1.before);
      expect(r.topk.after).toBe(r.topk.before);
    }
  });
  test("cross-entropy ignores a shift but not a rescaling", () => {
    expect(rows(1, 6)["cross-entropy"].after).toBeCloseTo(rows(1, 6)["cross-entropy"].before, 10);
    expect(Math.abs(rows(3, 0)["cross-entropy"].after - rows(3, 0)["cross-entropy"].before)).toBeGreaterThan(0.1);
  });
  test("squared error and Taylor-softmax move with a shift", () => {
    const r = rows(1, 2);
    expect(Math.abs(r["mse-onehot"].after - r["mse-onehot"].before)).toBeGreaterThan(0.1);
    expect(Math.abs(r["taylor-softmax"].after - r["taylor-softmax"].before)).toBeGreaterThan(0.01);
  });
  test("zLossSweep: ratio 1 at k = 1 (log₁₀ k = 0) and flat for the Z-loss", () => {
    const curves = zLossSweep(logits, labels, C, {a: 1, b: 2, over: "scale", fixed: 0, points: 21});
    const z = curves.find((c) => c.key === "z-loss")!;
    const ce = curves.find((c) => c.key === "cross-entropy")!;
    expect(z.x[10]).toBeCloseTo(0, 12);
    expect(ce.y[10]).toBeCloseTo(1, 12);
    for (const v of z.y) expect(v).toBeCloseTo(1, 6);
    expect(Math.max(...ce.y) / Math.min(...ce.y)).toBeGreaterThan(1.5);
  });
});

test("zLossMetrics: top-k accuracy and logit scale of the test logits", () => {
  const metrics = zLossMetrics(2)({
    data: {test: {y: Int32Array.of(1, 0)}, classes: 3} as never,
    testLogits: Float32Array.of(3, 2, 1, 1, 2, 3),
    probeLogits: new Float32Array(0),
    probeSize: 0,
    arm: {} as never,
    index: 0,
    step: 0
  });
  expect(metrics.topKAccuracy).toBe(0.5);
  expect(metrics.logitScale).toBeCloseTo(Math.sqrt(2 / 3), 6);
});

test("zLossInvarianceStudy: the registry's Z-loss moves by < 1e-5, cross-entropy by a lot, and not under shifts", async () => {
  const r = await zLossInvarianceStudy(7, {n: 64, draws: 8});
  expect(r.zLoss).toBeLessThan(1e-5);
  expect(r.crossEntropy).toBeGreaterThan(1);
  expect(r.crossEntropyShiftOnly).toBeLessThan(1e-4);
});
