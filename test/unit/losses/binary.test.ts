import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {batchPerceptron, binaryLosses, logistic} from "../../../src/losses/binary.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import type {LossSpec} from "../../../src/losses/defineLoss.js";
import {random} from "../../../src/random.js";
import {batchPerceptronOracle, logisticOracle} from "../../oracles/binary.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const N = 8;
useCpuBackend();

/** Seeded scores away from 0 (the perceptron's kink) and alternating ±1 signs. */
function fixture(seed = 1, scale = 3) {
  const rng = random(seed).fork("binary-fixture");
  const scores = rng.uniforms(N, 0.2, scale).map((v, i) => (i % 3 === 0 ? -v : v));
  const signs = Float32Array.from({length: N}, (_, i) => (i % 2 ? 1 : -1));
  return {scores, signs};
}

function value(loss: LossSpec<any>, scores: ArrayLike<number>, signs: ArrayLike<number>): number {
  return tf.tidy(
    () =>
      loss
        .fn({scores: tf.tensor1d(Float32Array.from(scores)), signs: tf.tensor1d(Float32Array.from(signs))})
        .dataSync()[0]
  );
}

function gradient(loss: LossSpec<any>, scores: ArrayLike<number>, signs: ArrayLike<number>): [number, number[]] {
  return tf.tidy(() => {
    const y = tf.tensor1d(Float32Array.from(signs));
    const {value, grad} = tf.valueAndGrad((s: tf.Tensor) => loss.fn({scores: s as tf.Tensor1D, signs: y}))(
      tf.tensor1d(Float32Array.from(scores))
    );
    return [value.dataSync()[0], Array.from(grad.dataSync())];
  });
}

describe("logistic", () => {
  test("logistic() equals (1/n) Σ log(1 + e^{−y f})", () => {
    const {scores, signs} = fixture(2);
    expectClose([value(logistic, scores, signs)], [logisticOracle(scores, signs)]);
  });
  test("logistic() equals two-class cross-entropy on logits [0, f] with label (y + 1)/2", () => {
    const {scores, signs} = fixture(3);
    const logits = new Float32Array(2 * N);
    scores.forEach((s, i) => (logits[2 * i + 1] = s));
    const labels = Int32Array.from(signs, (y) => (y + 1) / 2);
    const ce = tf.tidy(
      () => crossEntropy.fn({logits: tf.tensor2d(logits, [N, 2]), labels: tf.tensor1d(labels, "int32")}).dataSync()[0]
    );
    expectClose([value(logistic, scores, signs)], [ce]);
  });
  test("logistic() is log 2 with gradient −y/(2n) at f = 0", () => {
    const signs = [1, -1, 1, 1];
    const [v, g] = gradient(logistic, [0, 0, 0, 0], signs);
    expectClose([v], [Math.log(2)]);
    expectClose(
      g,
      signs.map((y) => -y / 8)
    );
  });
  test("logistic() stays finite and exact at margins of ±1e4", () => {
    const scores = [1e4, -1e4, 1e4, -1e4];
    const signs = [1, 1, -1, -1];
    const [v, g] = gradient(logistic, scores, signs);
    // softplus(−1e4) ≈ 0 and softplus(1e4) = 1e4: two of the four samples contribute 1e4 each.
    expectClose([v], [(2 * 1e4) / 4]);
    expectClose(g, [0, -0.25, 0.25, 0], {atol: 1e-6});
  });
  test("logistic() gradient matches the float64 oracle", () => {
    const {scores, signs} = fixture(4);
    const y = tf.tensor1d(signs);
    const x0 = tf.tensor1d(scores);
    gradcheck(
      (s) => logistic.fn({scores: s as tf.Tensor1D, signs: y}),
      (s) => logisticOracle(s, signs),
      x0
    );
    tf.dispose([x0, y]);
  });
});

describe("batch-perceptron", () => {
  test("batchPerceptron() equals (1/n) Σ max(0, −y f)", () => {
    const {scores, signs} = fixture(5);
    const v = value(batchPerceptron, scores, signs);
    expect(v).toBeGreaterThan(0);
    expectClose([v], [batchPerceptronOracle(scores, signs)]);
  });
  test("batchPerceptron() is 0 with a zero gradient on separated data", () => {
    const {scores} = fixture(6);
    const signs = Array.from(scores, (s) => Math.sign(s));
    const [v, g] = gradient(batchPerceptron, scores, signs);
    expect(v).toBe(0);
    expect(g.every((x) => x === 0)).toBe(true);
  });
  test("batchPerceptron() gradient adds each misclassified point in full and each tie by half", () => {
    // margins: 2 (right), −1 (wrong), 0 (tie), −3 (wrong)
    const scores = [2, 1, 0, -3];
    const signs = [1, -1, 1, 1];
    const [v, g] = gradient(batchPerceptron, scores, signs);
    expectClose([v], [(1 + 3) / 4]);
    expectClose(g, [0, 1 / 4, -1 / 8, -1 / 4]);
  });
  test("one step on batchPerceptron from w = 0 is the first batch-perceptron step v₁ = (1/2n) Σ yᵢaᵢ", () => {
    const a = [
      [1, 2],
      [-1, 0.5],
      [0.3, -2],
      [2, 1]
    ];
    const signs = [1, -1, -1, 1];
    const g = tf.tidy(() => {
      const A = tf.tensor2d(a);
      const y = tf.tensor1d(signs);
      const grad = tf.grad((w: tf.Tensor) =>
        batchPerceptron.fn({scores: tf.squeeze(tf.matMul(A, tf.reshape(w, [2, 1])), [1]) as tf.Tensor1D, signs: y})
      )(tf.zeros([2]));
      return Array.from(grad.dataSync());
    });
    const v1 = [0, 1].map((d) => a.reduce((s, row, i) => s + signs[i] * row[d], 0) / (2 * a.length));
    expectClose(
      g.map((x) => -x),
      v1
    );
  });
  test("batchPerceptron() stays finite at margins of ±1e4", () => {
    const [v, g] = gradient(batchPerceptron, [1e4, -1e4], [1, 1]);
    expectClose([v], [5e3]);
    expectClose(g, [0, -0.5]);
  });
  test("batchPerceptron() gradient matches the float64 oracle away from ties", () => {
    const {scores, signs} = fixture(7);
    const y = tf.tensor1d(signs);
    const x0 = tf.tensor1d(scores);
    gradcheck(
      (s) => batchPerceptron.fn({scores: s as tf.Tensor1D, signs: y}),
      (s) => batchPerceptronOracle(s, signs),
      x0
    );
    tf.dispose([x0, y]);
  });
});

describe("inputs", () => {
  test("scores and signs must have the same length", () => {
    expect(() =>
      tf.tidy(() => logistic.fn({scores: tf.zeros([4]) as tf.Tensor1D, signs: tf.ones([3]) as tf.Tensor1D}))
    ).toThrow(/^logistic: signs has batch size 3, expected 4/);
  });
  test("binaryLosses lists both losses", () => {
    expect(binaryLosses.map((l) => l.id)).toEqual(["logistic", "batch-perceptron"]);
  });
});

const signs = (dims: Record<string, number>) => ({
  signs: Float32Array.from({length: dims.B}, (_, i) => (i % 2 ? 1 : -1))
});
lossContract(logistic, {fixed: signs, gradInputs: ["scores"]});
lossContract(logistic, {fixed: signs, gradInputs: ["scores"], large: 1e4});
lossContract(batchPerceptron, {fixed: signs, gradInputs: ["scores"]});
