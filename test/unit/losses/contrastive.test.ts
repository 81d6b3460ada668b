import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {contrastive} from "../../../src/losses/contrastive.js";
import {distanceNames} from "../../../src/losses/distances.js";
import {random} from "../../../src/random.js";
import {clusteredEmbeddings, contrastiveOracle} from "../../oracles/metric.js";
import type {ContrastiveOptions} from "../../oracles/metric.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const D = 3;
// Three classes of two and a class of one sample.
const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 3]);
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
      contrastive
        .fn({embeddings: tf.tensor2d(emb, [y.length, D]), labels: tf.tensor1d(y, "int32")}, params)
        .dataSync()[0]
  );
}

function valueAndGrad(emb: Float32Array, y: Int32Array, params: object = {}, dim = D): [number, Float32Array] {
  return tf.tidy(() => {
    const labelsT = tf.tensor1d(y, "int32");
    const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
      contrastive.fn({embeddings: x as tf.Tensor2D, labels: labelsT}, params)
    )(tf.tensor2d(emb, [y.length, dim]));
    return [value.dataSync()[0], grad.dataSync() as Float32Array];
  });
}

describe("contrastive matches the float64 PML reference", () => {
  for (const distance of distanceNames) {
    for (const margins of [{}, {posMargin: 0.3, negMargin: 0.8}]) {
      test(`contrastive(${JSON.stringify({distance, ...margins})}) equals ContrastiveLoss`, () => {
        const emb = fixture(1);
        const params = {distance, ...margins};
        expectClose([value(emb, labels, params)], [contrastiveOracle(emb, labels, D, params as ContrastiveOptions)]);
      });
    }
  }
  for (const miner of ["batch-hard", "multi-similarity"] as const) {
    for (const distance of ["euclidean", "cosine"] as const) {
      test(`contrastive({miner: "${miner}", distance: "${distance}"}) equals ContrastiveLoss after the PML miner`, () => {
        const emb = fixture(2);
        const params = {miner, distance, ...(distance === "cosine" ? {posMargin: 0.9, negMargin: 0.2} : {})};
        const expected = contrastiveOracle(emb, labels, D, params);
        expect(expected).toBeGreaterThan(0);
        expectClose([value(emb, labels, params)], [expected]);
      });
    }
  }
  test("contrastive({miner: 'multi-similarity', epsilon: 0.5}) equals the reference with ε = 0.5", () => {
    const emb = fixture(3);
    const params = {miner: "multi-similarity", epsilon: 0.5} as const;
    expectClose([value(emb, labels, params)], [contrastiveOracle(emb, labels, D, params)]);
  });
});

describe("gradients", () => {
  for (const params of [{}, {distance: "cosine", posMargin: 0.9, negMargin: 0.2}, {miner: "batch-hard"}] as const) {
    test(`contrastive(${JSON.stringify(params)}): autograd matches central differences`, () => {
      const emb = fixture(4);
      const y = tf.tensor1d(labels, "int32");
      const x0 = tf.tensor2d(emb, [B, D]);
      gradcheck(
        (x) => contrastive.fn({embeddings: x as tf.Tensor2D, labels: y}, params),
        (x) => contrastiveOracle(x, labels, D, params as ContrastiveOptions),
        x0
      );
      x0.dispose();
      y.dispose();
    });
  }
});

describe("properties", () => {
  test("contrastive() with no negative pairs equals its positive part", () => {
    const same = new Int32Array(5).fill(2);
    const emb = fixture(5, same);
    const expected = contrastiveOracle(emb, same, D, {parts: "pos"});
    expect(expected).toBeGreaterThan(0);
    expectClose([value(emb, same)], [expected]);
  });
  test("contrastive() with no positive pairs equals its negative part", () => {
    const distinct = Int32Array.from([0, 1, 2, 3, 4]);
    const emb = fixture(6, distinct, 0.3);
    const expected = contrastiveOracle(emb, distinct, D, {parts: "neg", negMargin: 1.5});
    expect(expected).toBeGreaterThan(0);
    expectClose([value(emb, distinct, {negMargin: 1.5})], [expected]);
  });
  test("contrastive() is exactly 0 with a zero gradient when no pair violates its margin", () => {
    // Two tight clusters on opposite sides: positives within 0.3, negatives beyond 1.5.
    const emb = Float32Array.from([1, 0.05, 0, 1, -0.05, 0, -1, 0.05, 0, -1, -0.05, 0, 1, 0, 0.05]);
    const y = Int32Array.from([0, 0, 1, 1, 0]);
    const [v, g] = valueAndGrad(emb, y, {posMargin: 0.3, negMargin: 1.5});
    expect(v).toBe(0);
    expect(Array.from(g).every((x) => x === 0)).toBe(true);
    // and the same batch with a larger positive margin violation is not 0 (the test can fail)
    expect(value(emb, y, {posMargin: 0, negMargin: 1.5})).toBeGreaterThan(0);
  });
  test("contrastive() on a one-sample batch (no pairs) is exactly 0 with a zero, finite gradient", () => {
    const [v, g] = valueAndGrad(Float32Array.from([0.3, -1, 2]), Int32Array.from([0]));
    expect(v).toBe(0);
    expect(Array.from(g)).toEqual([0, 0, 0]);
  });
  test("contrastive({miner: 'multi-similarity'}) is 0 when the miner keeps one positive and one negative pair (PML's early exit)", () => {
    // d01 = 1, d02 = 0.5, d12 = 1.5 (raw Euclidean): only anchor 0 keeps (0, 1) and (0, 2).
    const emb = Float32Array.from([0, 0, 0, 1, 0, 0, -0.5, 0, 0]);
    const y = Int32Array.from([0, 0, 1]);
    const params = {miner: "multi-similarity", distance: "euclidean-raw"} as const;
    expect(contrastiveOracle(emb, y, D, params)).toBe(0);
    const [v, g] = valueAndGrad(emb, y, params);
    expect(v).toBe(0);
    expect(Array.from(g).every((x) => x === 0)).toBe(true);
    expect(value(emb, y, {distance: "euclidean-raw"})).toBeGreaterThan(0);
  });
  test("contrastive() stays finite for embeddings of ±1e4 and for coincident points", () => {
    const emb = fixture(7).map((v) => v * 1e4);
    emb.set(emb.subarray(0, D), D); // sample 1 (another class) sits on sample 0
    for (const distance of distanceNames) {
      const [v, g] = valueAndGrad(emb, labels, {distance});
      expect(Number.isFinite(v), `${distance} value`).toBe(true);
      expect(Array.from(g).every(Number.isFinite), `${distance} gradient`).toBe(true);
    }
  });
  test("contrastive with bad hyper-parameters throws naming the loss and the value", () => {
    const emb = fixture(8);
    expect(() => value(emb, labels, {negMargin: 5})).toThrow("contrastive: invalid negMargin: 5");
    expect(() => value(emb, labels, {distance: "manhattan"})).toThrow('contrastive: invalid distance: "manhattan"');
    expect(() => value(emb, labels, {miner: "semihard"})).toThrow('contrastive: invalid miner: "semihard"');
  });
});

lossContract(contrastive, {
  params: [{}, {distance: "cosine", posMargin: 0.9, negMargin: 0.2}, {miner: "batch-hard"}, {miner: "multi-similarity"}]
});
