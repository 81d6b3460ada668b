import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import {correctnessAware, correctnessAwareLosses} from "../../../src/losses/correctnessAware.js";
import {random} from "../../../src/random.js";
import {correctnessAwareOracle} from "../../oracles/correctnessAware.js";
import {argmaxRow} from "../../oracles/flipDistillation.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 8;
const C = 4;
useCpuBackend();

/** Seeded logits in [−3, 3] with the label raised on every third row, so the batch is partly right. */
function fixture(seed = 1, scale = 3) {
  const rng = random(seed).fork("ca-fixture");
  const labels = Int32Array.from({length: B}, (_, i) => i % C);
  const logits = rng.uniforms(B * C, -scale, scale);
  for (let i = 0; i < B; i += 3) logits[i * C + labels[i]] += 3;
  return {logits, labels};
}

function value(logits: Float32Array, labels: Int32Array, params?: object, weights?: Float32Array, rows = B): number {
  return tf.tidy(
    () =>
      correctnessAware
        .fn(
          {
            logits: tf.tensor2d(logits, [rows, C]),
            labels: tf.tensor1d(labels, "int32"),
            ...(weights ? {weights: tf.tensor1d(weights)} : {})
          },
          params
        )
        .dataSync()[0]
  );
}

/** Gradient of the loss of logits z / T with respect to per-sample temperatures T [B]. */
function temperatureGradient(
  logits: Float32Array,
  labels: Int32Array,
  temperatures: Float32Array,
  loss: (z: tf.Tensor2D, y: tf.Tensor1D) => tf.Scalar = (z, y) => correctnessAware.fn({logits: z, labels: y})
): Float32Array {
  const rows = labels.length;
  return tf.tidy(() => {
    const z = tf.tensor2d(logits, [rows, C]);
    const y = tf.tensor1d(labels, "int32");
    const g = tf.grad((t: tf.Tensor) => loss(tf.div(z, tf.reshape(t, [rows, 1])) as tf.Tensor2D, y))(
      tf.tensor1d(temperatures)
    );
    return g.dataSync() as Float32Array;
  });
}

describe("correctness-aware", () => {
  test("correctnessAware() equals Σ wᵢ(confᵢ − correctᵢ)² / Σ wᵢ with weights 1 − acc / acc", () => {
    const {logits, labels} = fixture(2);
    expectClose([value(logits, labels)], [correctnessAwareOracle(logits, labels, C)]);
  });

  test("correctnessAware({balance: false}) is the plain mean of (conf − correct)²", () => {
    const {logits, labels} = fixture(3);
    expectClose(
      [value(logits, labels, {balance: false})],
      [correctnessAwareOracle(logits, labels, C, {balance: false})]
    );
  });

  test("the fixture mixes right and wrong predictions with unequal counts (the weights matter)", () => {
    const {logits, labels} = fixture(2);
    const right = Array.from(labels).filter((y, i) => argmaxRow(logits, C, i) === y).length;
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(B);
    expect(right * 2).not.toBe(B);
    expect(Math.abs(value(logits, labels) - value(logits, labels, {balance: false}))).toBeGreaterThan(1e-3);
  });

  test("correctnessAware raises the confidence of right predictions and lowers that of wrong ones", () => {
    // Per-sample temperatures as the calibrator outputs them: ∂L/∂Tᵢ > 0 on right samples (descent
    // sharpens them), < 0 on wrong ones (descent softens them).
    const {logits, labels} = fixture(4);
    const g = temperatureGradient(
      logits,
      labels,
      Float32Array.from({length: B}, (_, i) => 0.8 + 0.1 * i)
    );
    for (let i = 0; i < B; ++i) {
      const right = argmaxRow(logits, C, i) === labels[i];
      if (right) expect(g[i], `sample ${i} (right)`).toBeGreaterThan(0);
      else expect(g[i], `sample ${i} (wrong)`).toBeLessThan(0);
    }
  });

  test("on a narrow mistake cross-entropy sharpens the wrong prediction while correctnessAware softens it", () => {
    // Row 0: predicted class 0, true class 1 a close second; row 1: a right prediction (acc = ½).
    const logits = new Float32Array([2, 1.9, -2, -2, 3, 0, 0, 0]);
    const labels = new Int32Array([1, 0]);
    const T = new Float32Array([1, 1]);
    const ca = temperatureGradient(logits, labels, T);
    const ce = temperatureGradient(logits, labels, T, (z, y) => crossEntropy.fn({logits: z, labels: y}));
    expect(ce[0], "cross-entropy lowers T: more confidence in the wrong class").toBeGreaterThan(0);
    expect(ca[0], "CA raises T: less confidence in the wrong class").toBeLessThan(0);
  });

  test("correctnessAware is 0 with a zero gradient when every prediction in the batch is right (or wrong)", () => {
    const labels = new Int32Array([0, 1]);
    for (const logits of [new Float32Array([3, 0, 0, 0, 0, 2, 1, 0]), new Float32Array([0, 3, 0, 0, 2, 0, 1, 0])]) {
      expect(value(logits, labels, undefined, undefined, 2)).toBe(0);
      const g = temperatureGradient(logits, labels, new Float32Array([1.2, 0.7]));
      expect(Array.from(g, Math.abs)).toEqual([0, 0]);
    }
  });

  test("correctnessAware on a single sample is 0 (batch accuracy 0 or 1 zeroes its weight)", () => {
    expect(value(new Float32Array([1, 2, 0, 0]), new Int32Array([1]), undefined, undefined, 1)).toBe(0);
    expect(value(new Float32Array([1, 2, 0, 0]), new Int32Array([1]), {balance: false}, undefined, 1)).toBeGreaterThan(
      0
    );
  });

  test("correctnessAware with per-sample weights multiplies them into the balance weights", () => {
    const {logits, labels} = fixture(5);
    const w = Float32Array.from({length: B}, (_, i) => 0.5 + (i % 3));
    const right = Array.from(labels, (y, i) => (argmaxRow(logits, C, i) === y ? 1 : 0));
    const acc = right.reduce((a: number, b) => a + b, 0) / B;
    let num = 0,
      den = 0;
    for (let i = 0; i < B; ++i) {
      const row = Array.from(logits.subarray(i * C, (i + 1) * C));
      const max = Math.max(...row);
      const conf = 1 / row.reduce((s, v) => s + Math.exp(v - max), 0);
      const wi = w[i] * (right[i] ? 1 - acc : acc);
      num += wi * (conf - right[i]) ** 2;
      den += wi;
    }
    expectClose([value(logits, labels, undefined, w)], [num / den]);
  });

  test("correctnessAware: autograd matches the float64 oracle", () => {
    const {logits, labels} = fixture(6, 2);
    for (const params of [{}, {balance: false}]) {
      tf.tidy(() => {
        const y = tf.tensor1d(labels, "int32");
        gradcheck(
          (x) => correctnessAware.fn({logits: x as tf.Tensor2D, labels: y}, params),
          (x) => correctnessAwareOracle(x, labels, C, params),
          tf.tensor2d(logits, [B, C])
        );
      });
    }
  });

  test("correctnessAware stays finite in value and gradient for logits of ±1e4", () => {
    const {logits, labels} = fixture(7);
    const big = logits.map((v) => Math.sign(v) * 1e4);
    expect(Number.isFinite(value(big, labels))).toBe(true);
    expect(temperatureGradient(big, labels, new Float32Array(B).fill(1)).every(Number.isFinite)).toBe(true);
  });

  test("correctnessAware rejects invalid hyper-parameters naming them", () => {
    const {logits, labels} = fixture(1);
    expect(() => value(logits, labels, {balance: "yes"})).toThrow('correctness-aware: invalid balance: "yes"');
  });
});

test("correctnessAwareLosses lists correctness-aware", () => {
  expect(correctnessAwareLosses.map((l) => l.id)).toEqual(["correctness-aware"]);
});

lossContract(correctnessAware, {params: [{}, {balance: false}]});
