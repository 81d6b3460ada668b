import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {distanceNames} from "../../../src/losses/distances.js";
import {tripletMargin} from "../../../src/losses/tripletMargin.js";
import {random} from "../../../src/random.js";
import {
  clusteredEmbeddings,
  distanceMatrix,
  isInverted,
  rowsOf,
  tripletMarginMinerOf,
  tripletMarginOracle
} from "../../oracles/metric.js";
import type {TripletOptions} from "../../oracles/metric.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const D = 3;
const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 3, 0]);
const B = labels.length;
useCpuBackend();

function fixture(seed: number, y: Int32Array = labels, spread = 0.9): Float32Array {
  return clusteredEmbeddings(
    random(seed)
      .fork("embeddings")
      .uniforms(y.length * (D + 1)),
    y,
    D,
    {spread}
  );
}

function value(emb: Float32Array, y: Int32Array, params: object = {}): number {
  return tf.tidy(
    () =>
      tripletMargin
        .fn({embeddings: tf.tensor2d(emb, [y.length, D]), labels: tf.tensor1d(y, "int32")}, params)
        .dataSync()[0]
  );
}

function valueAndGrad(emb: Float32Array, y: Int32Array, params: object = {}): [number, Float32Array] {
  return tf.tidy(() => {
    const labelsT = tf.tensor1d(y, "int32");
    const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
      tripletMargin.fn({embeddings: x as tf.Tensor2D, labels: labelsT}, params)
    )(tf.tensor2d(emb, [y.length, D]));
    return [value.dataSync()[0], grad.dataSync() as Float32Array];
  });
}

describe("tripletMargin matches the float64 PML reference", () => {
  const variants: TripletOptions[] = [{}, {margin: 0.3}, {swap: true, margin: 0.3}, {smoothLoss: true}];
  for (const distance of distanceNames) {
    for (const variant of variants) {
      test(`tripletMargin(${JSON.stringify({distance, ...variant})}) equals TripletMarginLoss`, () => {
        const emb = fixture(1);
        const params = {distance, ...variant};
        const expected = tripletMarginOracle(emb, labels, D, params);
        expect(expected).toBeGreaterThan(0);
        expectClose([value(emb, labels, params)], [expected]);
      });
    }
  }
  for (const miner of ["semihard", "hard", "batch-hard"] as const) {
    for (const distance of ["euclidean", "cosine"] as const) {
      test(`tripletMargin({miner: "${miner}", distance: "${distance}"}) equals TripletMarginLoss after the PML miner`, () => {
        const emb = fixture(2);
        const params = {miner, distance, margin: 0.2, minerMargin: 0.3};
        const expected = tripletMarginOracle(emb, labels, D, params);
        expect(expected).toBeGreaterThan(0);
        expectClose([value(emb, labels, params)], [expected]);
      });
    }
  }
  test("tripletMargin({miner: 'semihard'}) keeps only triplets with 0 < d_an − d_ap ≤ minerMargin", () => {
    const emb = fixture(3);
    const mat = distanceMatrix("euclidean", rowsOf(emb, B, D));
    const mined = tripletMarginMinerOf(mat, labels, isInverted("euclidean"), 0.3, "semihard");
    expect(mined.length).toBeGreaterThan(0);
    // margin 0 makes every semi-hard triplet's loss [d_ap − d_an]₊ = 0: the loss is 0 exactly when only those count
    expect(value(emb, labels, {miner: "semihard", minerMargin: 0.3, margin: 0})).toBe(0);
    expect(value(emb, labels, {miner: "all", margin: 0})).toBeGreaterThan(0);
  });
});

describe("gradients", () => {
  const cases: TripletOptions[] = [
    {margin: 0.3},
    {distance: "cosine", swap: true, margin: 0.3},
    {smoothLoss: true, distance: "squared-euclidean"},
    {miner: "batch-hard", margin: 0.2},
    {miner: "semihard", minerMargin: 0.3, margin: 0.5}
  ];
  for (const params of cases) {
    test(`tripletMargin(${JSON.stringify(params)}): autograd matches central differences`, () => {
      const emb = fixture(4);
      const y = tf.tensor1d(labels, "int32");
      const x0 = tf.tensor2d(emb, [B, D]);
      gradcheck(
        (x) => tripletMargin.fn({embeddings: x as tf.Tensor2D, labels: y}, params),
        (x) => tripletMarginOracle(x, labels, D, params),
        x0
      );
      x0.dispose();
      y.dispose();
    });
  }
});

describe("properties", () => {
  // Two tight clusters 2 apart on the unit circle: every negative is ≈ 1.99 farther than every positive.
  const separated = Float32Array.from([1, 0.01, 0, 1, -0.01, 0, -1, 0.01, 0, -1, -0.01, 0, 1, 0, 0.01]);
  const separatedLabels = Int32Array.from([0, 0, 1, 1, 0]);
  test("tripletMargin({margin}) is zero when every negative is farther than every positive by margin", () => {
    for (const margin of [0.05, 1, 1.9]) {
      const [v, g] = valueAndGrad(separated, separatedLabels, {margin});
      expect(v, `margin ${margin}`).toBe(0);
      expect(Array.from(g).every((x) => x === 0)).toBe(true);
    }
    // a margin beyond the gap is violated by every triplet
    expect(value(separated, separatedLabels, {margin: 2})).toBeGreaterThan(0);
    expectClose(
      [value(separated, separatedLabels, {margin: 2})],
      [tripletMarginOracle(separated, separatedLabels, D, {margin: 2})]
    );
  });
  for (const [name, y] of [
    ["all labels distinct (no positive)", Int32Array.from([0, 1, 2, 3, 4])],
    ["all labels equal (no negative)", Int32Array.from([1, 1, 1, 1, 1])]
  ] as const) {
    test(`tripletMargin() with ${name} is exactly 0 with a zero, finite gradient`, () => {
      for (const miner of ["all", "semihard", "hard", "batch-hard"]) {
        const [v, g] = valueAndGrad(fixture(5, y), y, {miner, margin: 0.5});
        expect(v, miner).toBe(0);
        expect(Array.from(g).every((x) => x === 0)).toBe(true);
      }
    });
  }
  test("tripletMargin({smoothLoss: true}) is softplus of the violation, never exactly 0 on valid triplets", () => {
    const [v] = valueAndGrad(separated, separatedLabels, {smoothLoss: true});
    expect(v).toBeGreaterThan(0);
    expectClose([v], [tripletMarginOracle(separated, separatedLabels, D, {smoothLoss: true})]);
  });
  test("tripletMargin({swap: true}) never lowers the loss of a triplet and raises some", () => {
    const emb = fixture(6);
    const [plain, swapped] = tf.tidy(() => {
      const inputs = {embeddings: tf.tensor2d(emb, [B, D]), labels: tf.tensor1d(labels, "int32")};
      const a = tripletMargin.terms(inputs, {margin: 0.3}).loss;
      const b = tripletMargin.terms(inputs, {margin: 0.3, swap: true}).loss;
      return [tf.mul(a.values, a.weights!).dataSync(), tf.mul(b.values, b.weights!).dataSync()];
    });
    let raised = 0;
    for (let i = 0; i < plain.length; ++i) {
      expect(swapped[i]).toBeGreaterThanOrEqual(plain[i]);
      if (swapped[i] > plain[i] + 1e-6) ++raised;
    }
    expect(raised).toBeGreaterThan(0);
  });
  test("tripletMargin() stays finite for embeddings of ±1e4 and for coincident points", () => {
    const emb = fixture(7).map((v) => v * 1e4);
    emb.set(emb.subarray(0, D), D); // sample 1 (another class) sits on sample 0
    emb.set(emb.subarray(0, D), 3 * D); // sample 3 (same class) too
    for (const distance of distanceNames) {
      const [v, g] = valueAndGrad(emb, labels, {distance, swap: true});
      expect(Number.isFinite(v), `${distance} value`).toBe(true);
      expect(Array.from(g).every(Number.isFinite), `${distance} gradient`).toBe(true);
    }
  });
  test("tripletMargin with bad hyper-parameters throws naming the loss and the value", () => {
    const emb = fixture(8);
    expect(() => value(emb, labels, {margin: -0.1})).toThrow("triplet-margin: invalid margin: -0.1");
    expect(() => value(emb, labels, {miner: "easy"})).toThrow('triplet-margin: invalid miner: "easy"');
  });
});

lossContract(tripletMargin, {
  params: [
    {},
    {distance: "cosine", swap: true},
    {miner: "semihard"},
    {miner: "hard"},
    {miner: "batch-hard"},
    {smoothLoss: true}
  ]
});
