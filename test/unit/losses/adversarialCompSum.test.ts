import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {compSum} from "../../../src/losses/compSum.js";
import {
  adversarialCompSumLosses,
  rowDistance,
  smoothAdversarialCompSum
} from "../../../src/losses/adversarialCompSum.js";
import {random} from "../../../src/random.js";
import {compSumOracle} from "../../oracles/compSum.js";
import {smoothAdversarialCompSumOracle} from "../../oracles/adversarialCompSum.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 6;
const C = 4;
useCpuBackend();

/** Clean logits, a perturbation of them (as h(x′) would be) and labels covering every class. */
function fixture(seed = 1, scale = 3, move = 0.5) {
  const rng = random(seed).fork("adv-fixture");
  const logits = rng.uniforms(B * C, -scale, scale);
  const noise = rng.fork("noise").uniforms(B * C, -move, move);
  const adversarialLogits = logits.map((v, j) => v + noise[j]);
  const labels = Int32Array.from({length: B}, (_, i) => i % C);
  return {logits, adversarialLogits, labels};
}

function value(logits: Float32Array, adversarialLogits: Float32Array, labels: Int32Array, params?: object): number {
  return tf.tidy(
    () =>
      smoothAdversarialCompSum
        .fn(
          {
            logits: tf.tensor2d(logits, [B, C]),
            adversarialLogits: tf.tensor2d(adversarialLogits, [B, C]),
            labels: tf.tensor1d(labels, "int32")
          },
          params
        )
        .dataSync()[0]
  );
}

describe("smooth-adversarial-comp-sum", () => {
  for (const [tau, nu] of [
    [1.5, 1],
    [1, 6],
    [0, 0.5],
    [2, 1]
  ]) {
    test(`smoothAdversarialCompSum({tau: ${tau}, nu: ${nu}}) equals Φ^τ(u) + ν‖h(x′) − h(x)‖₂ averaged over the batch`, () => {
      const {logits, adversarialLogits, labels} = fixture(2);
      expectClose(
        [value(logits, adversarialLogits, labels, {tau, nu})],
        [smoothAdversarialCompSumOracle(logits, adversarialLogits, labels, C, tau, nu)]
      );
    });
  }
  test("smoothAdversarialCompSum({nu: 0}) equals the plain comp-sum loss", () => {
    const {logits, adversarialLogits, labels} = fixture(3);
    for (const tau of [0.5, 1.5]) {
      const plain = tf.tidy(
        () =>
          compSum.fn({logits: tf.tensor2d(logits, [B, C]), labels: tf.tensor1d(labels, "int32")}, {tau}).dataSync()[0]
      );
      expectClose([value(logits, adversarialLogits, labels, {tau, nu: 0})], [plain]);
      expectClose([plain], [compSumOracle(logits, labels, C, tau)]);
      // and the penalty is really there when ν > 0
      expect(value(logits, adversarialLogits, labels, {tau, nu: 1})).toBeGreaterThan(plain + 0.1);
    }
  });
  test("smoothAdversarialCompSum() equals the plain comp-sum loss when adversarialLogits = logits, with a finite gradient", () => {
    const {logits, labels} = fixture(4);
    const plain = compSumOracle(logits, labels, C, 1.5);
    expectClose([value(logits, logits, labels, {nu: 6})], [plain]);
    const g = tf.tidy(() => {
      const y = tf.tensor1d(labels, "int32");
      const x = tf.tensor2d(logits, [B, C]);
      const [gx, ga] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        smoothAdversarialCompSum.fn({logits: a as tf.Tensor2D, adversarialLogits: b as tf.Tensor2D, labels: y}, {nu: 6})
      )([x, x]);
      return [...gx.dataSync(), ...ga.dataSync()];
    });
    expect(g.every(Number.isFinite), "gradient").toBe(true);
  });
  test("rowDistance(a, b) is the Euclidean distance per row and exactly 0 for equal rows", () => {
    const d = tf.tidy(() =>
      Array.from(rowDistance(tf.tensor2d([3, 4, 1, 1], [2, 2]), tf.tensor2d([0, 0, 1, 1], [2, 2])).dataSync())
    );
    expect(d).toEqual([5, 0]);
  });
  test("smoothAdversarialCompSum() gradients in logits and adversarialLogits match the float64 oracle", () => {
    const {logits, adversarialLogits, labels} = fixture(5, 1.5);
    const y = tf.tensor1d(labels, "int32");
    const x0 = tf.tensor2d(logits, [B, C]);
    const a0 = tf.tensor2d(adversarialLogits, [B, C]);
    gradcheck(
      (x) => smoothAdversarialCompSum.fn({logits: x as tf.Tensor2D, adversarialLogits: a0, labels: y}, {nu: 2}),
      (x) => smoothAdversarialCompSumOracle(x, adversarialLogits, labels, C, 1.5, 2),
      x0
    );
    gradcheck(
      (a) => smoothAdversarialCompSum.fn({logits: x0, adversarialLogits: a as tf.Tensor2D, labels: y}, {nu: 2}),
      (a) => smoothAdversarialCompSumOracle(logits, a, labels, C, 1.5, 2),
      a0
    );
    tf.dispose([x0, a0, y]);
  });
  test("smoothAdversarialCompSum rejects a negative ν and mismatched adversarialLogits", () => {
    const {logits, adversarialLogits, labels} = fixture(6);
    expect(() => value(logits, adversarialLogits, labels, {nu: -1})).toThrow(
      "smooth-adversarial-comp-sum: invalid nu: -1"
    );
    expect(() =>
      tf.tidy(() =>
        smoothAdversarialCompSum.fn({
          logits: tf.tensor2d(logits, [B, C]),
          adversarialLogits: tf.zeros([B, C + 1]) as tf.Tensor2D,
          labels: tf.tensor1d(labels, "int32")
        })
      )
    ).toThrow(/^smooth-adversarial-comp-sum: adversarialLogits has classes 5, expected 4/);
  });
});

test("adversarialCompSumLosses lists the loss", () => {
  expect(adversarialCompSumLosses.map((l) => l.id)).toEqual(["smooth-adversarial-comp-sum"]);
});

lossContract(smoothAdversarialCompSum, {params: [{}, {tau: 0, nu: 6}, {nu: 0}]});
