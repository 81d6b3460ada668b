import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {distanceNames} from "../../../src/losses/distances.js";
import {multiSimilarity} from "../../../src/losses/multiSimilarity.js";
import {random} from "../../../src/random.js";
import {
  clusteredEmbeddings,
  distanceMatrix,
  multiSimilarityMinerOf,
  multiSimilarityOracle,
  rowsOf
} from "../../oracles/metric.js";
import type {MultiSimilarityOptions} from "../../oracles/metric.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const D = 3;
const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 3, 0]);
const B = labels.length;
// Seed of the gradient fixture, chosen so that no pair is within 0.01 of a mining threshold (tested below).
const gradSeed = 14;
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
      multiSimilarity
        .fn({embeddings: tf.tensor2d(emb, [y.length, D]), labels: tf.tensor1d(y, "int32")}, params)
        .dataSync()[0]
  );
}

function valueAndGrad(emb: Float32Array, y: Int32Array, params: object = {}): [number, Float32Array] {
  return tf.tidy(() => {
    const labelsT = tf.tensor1d(y, "int32");
    const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
      multiSimilarity.fn({embeddings: x as tf.Tensor2D, labels: labelsT}, params)
    )(tf.tensor2d(emb, [y.length, D]));
    return [value.dataSync()[0], grad.dataSync() as Float32Array];
  });
}

describe("multiSimilarity matches the float64 PML reference", () => {
  for (const distance of distanceNames) {
    for (const variant of [{}, {mine: true}, {alpha: 1, beta: 20, base: 0.3}] as MultiSimilarityOptions[]) {
      test(`multiSimilarity(${JSON.stringify({distance, ...variant})}) equals MultiSimilarityLoss`, () => {
        const emb = fixture(1);
        const params = {distance, ...variant};
        expectClose([value(emb, labels, params)], [multiSimilarityOracle(emb, labels, D, params)]);
      });
    }
  }
  test("multiSimilarity({mine: true}) drops pairs: it differs from the loss over all pairs", () => {
    const emb = fixture(2);
    const mat = distanceMatrix("cosine", rowsOf(emb, B, D));
    const mined = multiSimilarityMinerOf(mat, labels, true, 0.1);
    expect(mined.pos.length + mined.neg.length).toBeLessThan(2 * 2 * 4 + 2 * (B * B - 14));
    const all = multiSimilarityOracle(emb, labels, D);
    const withMining = multiSimilarityOracle(emb, labels, D, {mine: true});
    expect(Math.abs(all - withMining)).toBeGreaterThan(1e-3);
    expectClose([value(emb, labels, {mine: true})], [withMining]);
  });
});

describe("gradients", () => {
  test("the gradient fixture is at least 0.01 away from every mining threshold (no mask flips in the FD steps)", () => {
    const mat = distanceMatrix("cosine", rowsOf(fixture(gradSeed), B, D));
    let closest = Infinity;
    for (let a = 0; a < B; ++a) {
      const P = [...Array(B).keys()].filter((k) => k !== a && labels[k] === labels[a]);
      const N = [...Array(B).keys()].filter((k) => labels[k] !== labels[a]);
      if (!P.length || !N.length) continue;
      const maxNeg = Math.max(...N.map((k) => mat[a][k]));
      const minPos = Math.min(...P.map((k) => mat[a][k]));
      for (const p of P) closest = Math.min(closest, Math.abs(mat[a][p] - 0.1 - maxNeg));
      for (const n of N) closest = Math.min(closest, Math.abs(mat[a][n] + 0.1 - minPos));
    }
    expect(closest).toBeGreaterThan(0.01);
  });
  for (const params of [{}, {mine: true}, {distance: "euclidean", beta: 10}, {alpha: 5, beta: 10}] as const) {
    test(`multiSimilarity(${JSON.stringify(params)}): autograd matches central differences`, () => {
      const emb = fixture(gradSeed);
      const y = tf.tensor1d(labels, "int32");
      const x0 = tf.tensor2d(emb, [B, D]);
      gradcheck(
        (x) => multiSimilarity.fn({embeddings: x as tf.Tensor2D, labels: y}, params),
        (x) => multiSimilarityOracle(x, labels, D, params as MultiSimilarityOptions),
        x0
      );
      x0.dispose();
      y.dispose();
    });
  }
});

describe("properties", () => {
  test("multiSimilarity() gives each pair the paper's weight: ∂ℓ/∂S_ap = −w⁺_ap, ∂ℓ/∂S_an = w⁻_an (Wang et al. 2019, eq. 12–13)", () => {
    // Dot-product similarity S = E Eᵀ, so ∂L/∂E = (G + Gᵀ) E with G_ij = ∂L/∂S_ij = ±w_ij / B.
    const emb = fixture(4).map((v) => v * 0.8);
    const [alpha, beta, lambda] = [2, 10, 0.5];
    const E = rowsOf(emb, B, D);
    const S = distanceMatrix("dot", E);
    const G = S.map(() => new Array<number>(B).fill(0));
    for (let i = 0; i < B; ++i) {
      const P = [...Array(B).keys()].filter((k) => k !== i && labels[k] === labels[i]);
      const N = [...Array(B).keys()].filter((k) => labels[k] !== labels[i]);
      for (const j of P) {
        let den = Math.exp(alpha * (S[i][j] - lambda));
        for (const k of P) den += Math.exp(-alpha * (S[i][k] - S[i][j]));
        G[i][j] = -1 / den / B;
      }
      for (const j of N) {
        let den = Math.exp(beta * (lambda - S[i][j]));
        for (const k of N) den += Math.exp(beta * (S[i][k] - S[i][j]));
        G[i][j] = 1 / den / B;
      }
    }
    const expected: number[] = [];
    for (let a = 0; a < B; ++a)
      for (let c = 0; c < D; ++c) {
        let g = 0;
        for (let j = 0; j < B; ++j) g += (G[a][j] + G[j][a]) * E[j][c];
        expected.push(g);
      }
    const [, grad] = valueAndGrad(emb, labels, {distance: "dot", alpha, beta, base: lambda});
    expectClose(grad, expected, {rtol: 1e-3, atol: 1e-6});
  });
  test("multiSimilarity() with all labels distinct is its negative part alone (PML skips no anchor)", () => {
    const distinct = Int32Array.from([0, 1, 2, 3, 4]);
    const emb = fixture(5, distinct);
    const expected = multiSimilarityOracle(emb, distinct, D);
    expect(expected).toBeGreaterThan(0);
    expectClose([value(emb, distinct)], [expected]);
  });
  for (const [name, y] of [
    ["all labels distinct (no positive)", Int32Array.from([0, 1, 2, 3, 4])],
    ["all labels equal (no negative)", Int32Array.from([2, 2, 2, 2, 2])]
  ] as const) {
    test(`multiSimilarity({mine: true}) with ${name} is exactly 0 with a zero, finite gradient`, () => {
      const [v, g] = valueAndGrad(fixture(6, y), y, {mine: true});
      expect(v).toBe(0);
      expect(Array.from(g).every((x) => x === 0)).toBe(true);
      expect(value(fixture(6, y), y)).toBeGreaterThan(0); // without the miner a side still counts
    });
  }
  test("multiSimilarity({mine: true, epsilon: 2}) keeps every cosine pair and equals the loss without mining", () => {
    // Every anchor needs a positive: the miner keeps no negative of an anchor that has none (class 3 above).
    const paired = Int32Array.from([0, 1, 2, 0, 1, 2, 1, 0]);
    const emb = fixture(7, paired);
    expectClose([value(emb, paired, {mine: true, epsilon: 2})], [value(emb, paired)], {rtol: 1e-6, atol: 1e-7});
    expect(Math.abs(value(emb, labels, {mine: true, epsilon: 2}) - value(emb, labels))).toBeGreaterThan(1e-3);
  });
  test("multiSimilarity() on a one-sample batch is exactly 0 with a zero gradient", () => {
    const [v, g] = valueAndGrad(Float32Array.from([0.3, -1, 2]), Int32Array.from([0]));
    expect(v).toBe(0);
    expect(Array.from(g)).toEqual([0, 0, 0]);
  });
  test("multiSimilarity() stays finite for embeddings of ±1e4 and for coincident points", () => {
    const emb = fixture(8).map((v) => v * 1e4);
    emb.set(emb.subarray(0, D), D);
    for (const distance of distanceNames)
      for (const mine of [false, true]) {
        const [v, g] = valueAndGrad(emb, labels, {distance, mine});
        expect(Number.isFinite(v), `${distance} value`).toBe(true);
        expect(Array.from(g).every(Number.isFinite), `${distance} gradient`).toBe(true);
      }
  });
  test("multiSimilarity with bad hyper-parameters throws naming the loss and the value", () => {
    const emb = fixture(9);
    expect(() => value(emb, labels, {alpha: 0})).toThrow("multi-similarity: invalid alpha: 0");
    expect(() => value(emb, labels, {beta: 1000})).toThrow("multi-similarity: invalid beta: 1000");
  });
});

lossContract(multiSimilarity, {params: [{}, {mine: true}, {distance: "euclidean"}, {distance: "dot", beta: 10}]});
