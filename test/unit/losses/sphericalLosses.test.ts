import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import type {LossSpec} from "../../../src/losses/defineLoss.js";
import {
  mseOneHot,
  sphericalLosses,
  taylorSoftmax,
  taylorSoftmaxLoss,
  zLoss
} from "../../../src/losses/sphericalLosses.js";
import {random} from "../../../src/random.js";
import {
  mseOneHotOracle,
  taylorExp,
  taylorSoftmaxOracle,
  taylorSoftmaxRow,
  zLossOracle
} from "../../oracles/sphericalLosses.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 6;
const C = 5;
useCpuBackend();

function fixture(seed = 1, scale = 3, classes = C, rows = B) {
  const rng = random(seed).fork("spherical-fixture");
  const logits = rng.uniforms(rows * classes, -scale, scale);
  const labels = Int32Array.from({length: rows}, (_, i) => i % classes);
  return {logits, labels};
}

function value(loss: LossSpec<any>, logits: ArrayLike<number>, labels: Int32Array, params?: object, classes = C) {
  return tf.tidy(
    () =>
      loss
        .fn(
          {
            logits: tf.tensor2d(Float32Array.from(logits), [labels.length, classes]),
            labels: tf.tensor1d(labels, "int32")
          },
          params
        )
        .dataSync()[0]
  );
}

/** Per-sample loss values. */
function perSample(loss: LossSpec<any>, logits: ArrayLike<number>, labels: Int32Array, params?: object) {
  return tf.tidy(() =>
    Array.from(
      loss
        .terms(
          {logits: tf.tensor2d(Float32Array.from(logits), [labels.length, C]), labels: tf.tensor1d(labels, "int32")},
          params
        )
        .loss.values.dataSync()
    )
  );
}

function gradientCheck(loss: LossSpec<any>, oracle: (x: Float64Array, labels: Int32Array) => number, params?: object) {
  const {logits, labels} = fixture(21, 1.5);
  const y = tf.tensor1d(labels, "int32");
  const x0 = tf.tensor2d(logits, [B, C]);
  gradcheck(
    (x) => loss.fn({logits: x as tf.Tensor2D, labels: y}, params),
    (x) => oracle(x, labels),
    x0
  );
  tf.dispose([x0, y]);
}

describe("z-loss", () => {
  for (const [a, b] of [
    [1, 2],
    [4, 1],
    [0.5, 2.5]
  ]) {
    test(`zLoss({a: ${a}, b: ${b}}) equals softplus(a(b − z_y))/a averaged over the batch`, () => {
      const {logits, labels} = fixture(2);
      expectClose([value(zLoss, logits, labels, {a, b})], [zLossOracle(logits, labels, C, a, b)]);
    });
  }
  test("zLoss() is invariant to adding a constant to every logit of a sample", () => {
    const {logits, labels} = fixture(3);
    const rng = random(3).fork("shifts");
    const shifts = rng.uniforms(B, -20, 20);
    const shifted = logits.map((v, j) => v + shifts[Math.floor(j / C)]);
    const a = perSample(zLoss, logits, labels),
      b = perSample(zLoss, shifted, labels);
    for (let i = 0; i < B; ++i) expect(Math.abs(a[i] - b[i]), `sample ${i}`).toBeLessThan(1e-5);
    // cross-entropy shares this invariance (a sanity check on the shifts themselves)
    expectClose([value(crossEntropy, shifted, labels)], [value(crossEntropy, logits, labels)], {
      rtol: 1e-4,
      atol: 1e-4
    });
  });
  test("zLoss() is invariant to positive rescaling of a sample's logits, unlike cross-entropy", () => {
    const {logits, labels} = fixture(4);
    const rng = random(4).fork("scales");
    const scales = rng.uniforms(B, 0.2, 5);
    const scaled = logits.map((v, j) => v * scales[Math.floor(j / C)]);
    const a = perSample(zLoss, logits, labels),
      b = perSample(zLoss, scaled, labels);
    for (let i = 0; i < B; ++i) expect(Math.abs(a[i] - b[i]), `sample ${i}`).toBeLessThan(1e-5);
    expect(Math.abs(value(crossEntropy, scaled, labels) - value(crossEntropy, logits, labels))).toBeGreaterThan(0.1);
    // a negative factor reverses the ranking and must change the loss
    const flipped = logits.map((v) => -v);
    expect(Math.abs(value(zLoss, flipped, labels) - value(zLoss, logits, labels))).toBeGreaterThan(0.1);
  });
  test("zLoss({a, b: √(C − 1)}) is log 2 / a when all other logits are equal (the largest z-score)", () => {
    const logits = new Float32Array([3, -1, -1, -1, -1, 0.5, 0.5, 7, 0.5, 0.5]);
    const labels = new Int32Array([0, 2]);
    const b = Math.sqrt(C - 1);
    expectClose([value(zLoss, logits, labels, {a: 2, b})], [Math.log(2) / 2]);
  });
  test("zLoss() is finite with a finite gradient when all logits of a sample are equal (σ = 0)", () => {
    const [v, g] = tf.tidy(() => {
      const y = tf.tensor1d([1, 0], "int32");
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => zLoss.fn({logits: x as tf.Tensor2D, labels: y}))(
        tf.tensor2d([0, 0, 0, 0, 0, 2, 2, 2, 2, 2], [2, C])
      );
      return [value.dataSync()[0], Array.from(grad.dataSync())];
    });
    expectClose([v], [Math.log1p(Math.exp(2))]);
    expect(g.every(Number.isFinite)).toBe(true);
  });
  test("zLoss() stays finite at logits of ±1e4", () => {
    const logits = Float32Array.from({length: B * C}, (_, j) => (j % 3 === 0 ? 1e4 : -1e4));
    const {labels} = fixture(5);
    expect(Number.isFinite(value(zLoss, logits, labels))).toBe(true);
  });
  test("zLoss() gradient matches the float64 oracle", () => {
    gradientCheck(zLoss, (x, labels) => zLossOracle(x, labels, C, 1, 2));
  });
  test("zLoss rejects a non-positive sharpness", () => {
    const {logits, labels} = fixture(6);
    expect(() => value(zLoss, logits, labels, {a: 0})).toThrow("z-loss: invalid a: 0");
  });
});

describe("mse-onehot", () => {
  test("mseOneHot() equals Σ_k (o_k − [k = y])² on the raw scores, averaged over the batch", () => {
    const {logits, labels} = fixture(7);
    expectClose([value(mseOneHot, logits, labels)], [mseOneHotOracle(logits, labels, C)]);
  });
  test("mseOneHot({output: 'softmax'}) equals the Brier score of the softmax", () => {
    const {logits, labels} = fixture(8);
    expectClose(
      [value(mseOneHot, logits, labels, {output: "softmax"})],
      [mseOneHotOracle(logits, labels, C, "softmax")]
    );
  });
  test("mseOneHot() is 0 exactly at the one-hot scores and is spherical: Σo² − 2o_y + 1", () => {
    const oneHot = new Float32Array([1, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(value(mseOneHot, oneHot, new Int32Array([0, 2]))).toBe(0);
    const {logits, labels} = fixture(9);
    let expected = 0;
    for (let i = 0; i < B; ++i) {
      let sumSquares = 0;
      for (let k = 0; k < C; ++k) sumSquares += logits[i * C + k] ** 2;
      expected += sumSquares - 2 * logits[i * C + labels[i]] + 1;
    }
    expectClose([value(mseOneHot, logits, labels)], [expected / B]);
  });
  test("mseOneHot({output: 'softmax'}) on two classes is 2(1 − p_y)²", () => {
    const logits = new Float32Array([0.3, -1.2]);
    const p0 = 1 / (1 + Math.exp(-1.5));
    expectClose([value(mseOneHot, logits, new Int32Array([0]), {output: "softmax"}, 2)], [2 * (1 - p0) ** 2]);
  });
  test("mseOneHot() gradients match the float64 oracle", () => {
    gradientCheck(mseOneHot, (x, labels) => mseOneHotOracle(x, labels, C));
    gradientCheck(mseOneHot, (x, labels) => mseOneHotOracle(x, labels, C, "softmax"), {output: "softmax"});
  });
  test("mseOneHot rejects an unknown output", () => {
    const {logits, labels} = fixture(10);
    expect(() => value(mseOneHot, logits, labels, {output: "probs"})).toThrow('mse-onehot: invalid output: "probs"');
  });
});

describe("taylor-softmax", () => {
  for (const order of [2, 4, 6]) {
    test(`taylorSoftmaxLoss({order: ${order}}) equals −log of the normalised Taylor polynomial`, () => {
      const {logits, labels} = fixture(11);
      expectClose([value(taylorSoftmaxLoss, logits, labels, {order})], [taylorSoftmaxOracle(logits, labels, C, order)]);
    });
  }
  test("taylorSoftmaxLoss() uses f(o) = 1 + o + o²/2 by default", () => {
    const logits = new Float32Array([2, -1, 0, 1, -3]);
    const f = Array.from(logits, (o) => 1 + o + (o * o) / 2);
    const sum = f.reduce((a, b) => a + b, 0);
    expectClose([value(taylorSoftmaxLoss, logits, new Int32Array([3]), undefined)], [-Math.log(f[3] / sum)]);
  });
  test("taylorSoftmax(logits, order) gives positive rows that sum to 1 for every even order", () => {
    // −3 makes odd orders negative (1 − 3 + 4.5 − 4.5 = −2 at order 3); even orders stay positive.
    const rows = [
      [-3, -3, 0, 2, 5],
      [-8, -1, -1, -2.5, 0],
      [40, -40, 1, -6, 3]
    ].flat();
    for (const order of [2, 4, 6, 8, 10]) {
      const p = tf.tidy(() => Array.from(taylorSoftmax(tf.tensor2d(rows, [3, C]), order).dataSync()));
      for (let i = 0; i < 3; ++i) {
        const row = p.slice(i * C, (i + 1) * C);
        expect(
          row.every((v) => v > 0),
          `order ${order} row ${i}: ${row}`
        ).toBe(true);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expectClose(row, taylorSoftmaxRow(rows, C, i, order), {rtol: 1e-4, atol: 1e-6});
      }
    }
    expect(taylorExp(-3, 3)).toBeLessThan(0);
  });
  test("taylorSoftmaxLoss rejects odd orders", () => {
    const {logits, labels} = fixture(12);
    expect(() => value(taylorSoftmaxLoss, logits, labels, {order: 3})).toThrow("taylor-softmax: invalid order: 3");
    expect(() => value(taylorSoftmaxLoss, logits, labels, {order: 0})).toThrow("taylor-softmax: invalid order: 0");
  });
  test("taylorSoftmaxLoss() gradient matches the float64 oracle (orders 2 and 4)", () => {
    gradientCheck(taylorSoftmaxLoss, (x, labels) => taylorSoftmaxOracle(x, labels, C, 2));
    gradientCheck(taylorSoftmaxLoss, (x, labels) => taylorSoftmaxOracle(x, labels, C, 4), {order: 4});
  });
  test("taylorSoftmaxLoss() stays finite at logits of ±1e4 (order 2)", () => {
    const logits = Float32Array.from({length: B * C}, (_, j) => (j % 2 ? 1e4 : -1e4));
    const {labels} = fixture(13);
    expect(Number.isFinite(value(taylorSoftmaxLoss, logits, labels))).toBe(true);
  });
});

test("sphericalLosses lists the three losses", () => {
  expect(sphericalLosses.map((l) => l.id)).toEqual(["z-loss", "mse-onehot", "taylor-softmax"]);
});

lossContract(zLoss, {params: [{}, {a: 4, b: 1}]});
lossContract(mseOneHot, {params: [{}, {output: "softmax"}]});
lossContract(taylorSoftmaxLoss, {params: [{}, {order: 4}, {order: 10}]});
