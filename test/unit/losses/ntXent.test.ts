import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {distanceNames} from "../../../src/losses/distances.js";
import {infoNce, ntXent} from "../../../src/losses/ntXent.js";
import {random} from "../../../src/random.js";
import {clusteredEmbeddings, distanceMatrix, ntXentOracle, rowsOf} from "../../oracles/metric.js";
import type {DistanceName} from "../../oracles/metric.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const D = 3;
const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 3, 0]);
const B = labels.length;
const ids = Int32Array.from({length: B}, (_, i) => i);
useCpuBackend();

function fixture(seed: number, y: Int32Array = labels, spread = 0.9, dim = D): Float32Array {
  return clusteredEmbeddings(
    random(seed)
      .fork("embeddings")
      .uniforms(y.length * (dim + 1)),
    y,
    dim,
    {spread}
  );
}
/** A second view: the first jittered. */
function jitter(emb: Float32Array, seed: number, scale = 0.3): Float32Array {
  const noise = random(seed).fork("view").normals(emb.length);
  return emb.map((v, i) => v + scale * noise[i]);
}

type Inputs = {emb: Float32Array; y?: Int32Array; other?: Float32Array; dim?: number};
function tensors({emb, y, other, dim = D}: Inputs) {
  const n = emb.length / dim;
  return {
    embeddings: tf.tensor2d(emb, [n, dim]),
    ...(y ? {labels: tf.tensor1d(y, "int32")} : {}),
    ...(other ? {otherEmbeddings: tf.tensor2d(other, [n, dim])} : {})
  };
}
function value(loss: typeof ntXent | typeof infoNce, inputs: Inputs, params: object = {}): number {
  return tf.tidy(() => loss.fn(tensors(inputs), params).dataSync()[0]);
}
function valueAndGrad(
  loss: typeof ntXent | typeof infoNce,
  inputs: Inputs,
  params: object = {},
  wrt: "embeddings" | "otherEmbeddings" = "embeddings"
): [number, Float32Array] {
  return tf.tidy(() => {
    const t = tensors(inputs);
    const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => loss.fn({...t, [wrt]: x}, params))(t[wrt]!);
    return [value.dataSync()[0], grad.dataSync() as Float32Array];
  });
}

describe("ntXent matches the float64 PML reference", () => {
  for (const distance of distanceNames) {
    for (const temperature of [0.07, 0.5]) {
      test(`ntXent(${JSON.stringify({distance, temperature})}) equals NTXentLoss(embeddings, labels)`, () => {
        const emb = fixture(1);
        const params = {distance, temperature};
        expectClose([value(ntXent, {emb, y: labels}, params)], [ntXentOracle(emb, labels, D, params)]);
      });
    }
  }
  for (const symmetric of [true, false]) {
    test(`ntXent({symmetric: ${symmetric}}) with otherEmbeddings pairs the views as SelfSupervisedLoss, with class labels`, () => {
      const emb = fixture(2);
      const other = jitter(emb, 2);
      const params = {temperature: 0.2, symmetric};
      const expected = ntXentOracle(emb, labels, D, params, other);
      expectClose([value(ntXent, {emb, y: labels, other}, params)], [expected]);
      // class labels add same-class positives across the views: not the same as sample ids
      expect(Math.abs(expected - ntXentOracle(emb, ids, D, params, other))).toBeGreaterThan(1e-3);
    });
  }
});

describe("infoNce is the two-view form with each sample its own class", () => {
  for (const distance of ["cosine", "dot", "euclidean"] as DistanceName[]) {
    for (const symmetric of [true, false]) {
      test(`infoNce(${JSON.stringify({distance, symmetric})}) equals the reference and ntXent with labels 0…B−1`, () => {
        const emb = fixture(3);
        const other = jitter(emb, 3);
        const params = {distance, symmetric, temperature: 0.3};
        const expected = ntXentOracle(emb, null, D, params, other, B);
        expectClose([value(infoNce, {emb, other}, params)], [expected]);
        expectClose([value(ntXent, {emb, y: ids, other}, params)], [expected]);
      });
    }
  }
  test("infoNce() equals tf.losses.softmaxCrossEntropy over the 2B × 2B logits with self-similarity masked (MVCNet's NTXentLoss)", () => {
    const emb = fixture(4);
    const other = jitter(emb, 4);
    const tau = 0.2;
    const reference = tf.tidy(() => {
      const r = tf.concat([tf.tensor2d(emb, [B, D]), tf.tensor2d(other, [B, D])]);
      const unit = tf.div(r, tf.norm(r, 2, 1, true));
      const s = tf.div(tf.matMul(unit, unit, false, true), tau);
      const logits = tf.sub(s, tf.mul(tf.eye(2 * B), 1e9));
      const positives = tf.oneHot(
        tf.tensor1d(
          Array.from({length: 2 * B}, (_, k) => (k + B) % (2 * B)),
          "int32"
        ),
        2 * B
      );
      return tf.losses.softmaxCrossEntropy(positives, logits).dataSync()[0];
    });
    expectClose([value(infoNce, {emb, other}, {temperature: tau})], [reference]);
  });
});

describe("gradients", () => {
  test("ntXent({temperature: 0.3}): autograd matches central differences", () => {
    const emb = fixture(5);
    const y = tf.tensor1d(labels, "int32");
    const x0 = tf.tensor2d(emb, [B, D]);
    gradcheck(
      (x) => ntXent.fn({embeddings: x as tf.Tensor2D, labels: y}, {temperature: 0.3}),
      (x) => ntXentOracle(x, labels, D, {temperature: 0.3}),
      x0
    );
    tf.dispose([x0, y]);
  });
  for (const [name, params] of [
    ["symmetric, cosine", {temperature: 0.5}],
    ["not symmetric, euclidean", {temperature: 0.5, symmetric: false, distance: "euclidean"}]
  ] as const) {
    test(`infoNce (${name}): autograd matches central differences in both views`, () => {
      const emb = fixture(6);
      const other = jitter(emb, 6);
      const a = tf.tensor2d(emb, [B, D]);
      const b = tf.tensor2d(other, [B, D]);
      gradcheck(
        (x) => infoNce.fn({embeddings: x as tf.Tensor2D, otherEmbeddings: b}, params),
        (x) => ntXentOracle(x, null, D, params, other, B),
        a
      );
      gradcheck(
        (x) => infoNce.fn({embeddings: a, otherEmbeddings: x as tf.Tensor2D}, params),
        (x) => ntXentOracle(emb, null, D, params, x, B),
        b
      );
      tf.dispose([a, b]);
    });
  }
});

describe("temperature as a hardness knob (Wang & Liu 2021)", () => {
  test("ntXent({temperature}) · τ approaches the hardest-negative hinge max(max_n s_an − s_ap, 0) as τ → 0", () => {
    const emb = fixture(7, labels, 1.2);
    const s = distanceMatrix("cosine", rowsOf(emb, B, D));
    let hinge = 0;
    let pairs = 0;
    let negatives = 0;
    for (let a = 0; a < B; ++a) {
      const negs = [...Array(B).keys()].filter((k) => labels[k] !== labels[a]);
      negatives = Math.max(negatives, negs.length);
      const hardest = Math.max(...negs.map((k) => s[a][k]));
      for (let p = 0; p < B; ++p) {
        if (p === a || labels[p] !== labels[a]) continue;
        hinge += Math.max(hardest - s[a][p], 0);
        ++pairs;
      }
    }
    hinge /= pairs;
    expect(hinge).toBeGreaterThan(0.05); // some positive pair is beaten by a negative
    const gaps = [0.5, 0.1, 0.02].map((tau) => {
      const gap = tau * value(ntXent, {emb, y: labels}, {temperature: tau}) - hinge;
      // log-sum-exp bounds: max ≤ τ·lse(x/τ) ≤ max + τ·log(1 + #negatives)
      expect(gap).toBeGreaterThanOrEqual(-1e-5);
      expect(gap).toBeLessThanOrEqual(tau * Math.log(1 + negatives) + 1e-5);
      return gap;
    });
    expect(gaps[1]).toBeLessThan(gaps[0]);
    expect(gaps[2]).toBeLessThan(gaps[1]);
  });
  test("infoNce({symmetric: false}) puts ∂L/∂s_ij = P_ij/(Bτ) on negatives and −Σ_{k≠i} P_ik/(Bτ) on the positive (Wang & Liu 2021, eq. 3–4)", () => {
    // Anchors are the unit vectors e_i, so s_ij = ⟨e_i, o_j⟩ = o_j[i] and ∂L/∂o_j[i] = ∂L/∂s_ij.
    const n = 4;
    const tau = 0.25;
    const anchors = new Float32Array(n * n);
    for (let i = 0; i < n; ++i) anchors[i * n + i] = 1;
    const other = Float32Array.from(
      random(8)
        .fork("other")
        .normals(n * n),
      (v) => 0.7 * v
    );
    const [, grad] = valueAndGrad(
      infoNce,
      {emb: anchors, other, dim: n},
      {distance: "dot", symmetric: false, temperature: tau},
      "otherEmbeddings"
    );
    for (let i = 0; i < n; ++i) {
      const logits = Array.from({length: n}, (_, j) => other[j * n + i] / tau);
      const m = Math.max(...logits);
      const z = logits.reduce((acc, x) => acc + Math.exp(x - m), 0);
      const P = logits.map((x) => Math.exp(x - m) / z);
      const expected = P.map((p, j) => (j === i ? -(1 - p) : p) / (n * tau));
      const actual = Array.from({length: n}, (_, j) => grad[j * n + i]);
      expectClose(actual, expected, {rtol: 1e-4, atol: 1e-6});
      // relative penalties on the negatives form a Boltzmann distribution over their similarities / τ
      const negWeights = actual.filter((_, j) => j !== i);
      const total = negWeights.reduce((a, b) => a + b, 0);
      const negLogits = logits.filter((_, j) => j !== i);
      const nm = Math.max(...negLogits);
      const nz = negLogits.reduce((acc, x) => acc + Math.exp(x - nm), 0);
      expectClose(
        negWeights.map((w) => w / total),
        negLogits.map((x) => Math.exp(x - nm) / nz),
        {rtol: 1e-4, atol: 1e-6}
      );
    }
  });
});

describe("edge cases", () => {
  for (const [name, y] of [
    ["all labels distinct (no positive)", Int32Array.from([0, 1, 2, 3, 4])],
    ["all labels equal (no negative)", Int32Array.from([3, 3, 3, 3, 3])]
  ] as const) {
    test(`ntXent() with ${name} is exactly 0 with a zero, finite gradient`, () => {
      const [v, g] = valueAndGrad(ntXent, {emb: fixture(9, y), y});
      expect(v).toBe(0);
      expect(Array.from(g).every((x) => x === 0)).toBe(true);
    });
  }
  test("ntXent() with two views and all labels equal (no negative) is exactly 0 with a zero gradient", () => {
    const y = Int32Array.from([1, 1, 1, 1]);
    const emb = fixture(10, y);
    const [v, g] = valueAndGrad(ntXent, {emb, y, other: jitter(emb, 10)});
    expect(v).toBe(0);
    expect(Array.from(g).every((x) => x === 0)).toBe(true);
  });
  test("infoNce() on a one-sample batch (its two views, no negative) is exactly 0 with a zero gradient", () => {
    for (const symmetric of [true, false]) {
      const [v, g] = valueAndGrad(
        infoNce,
        {emb: Float32Array.from([1, 2, 3]), other: Float32Array.from([1, 2, 2.5])},
        {symmetric}
      );
      expect(v).toBe(0);
      expect(Array.from(g)).toEqual([0, 0, 0]);
    }
  });
  test("ntXent({temperature: 0.01}) stays finite for embeddings of ±1e4 and coincident points", () => {
    const emb = fixture(11).map((v) => v * 1e4);
    emb.set(emb.subarray(0, D), D);
    for (const distance of distanceNames)
      for (const temperature of [0.01, 0.07]) {
        const [v, g] = valueAndGrad(ntXent, {emb, y: labels}, {distance, temperature});
        expect(Number.isFinite(v), `${distance} value`).toBe(true);
        expect(Array.from(g).every(Number.isFinite), `${distance} gradient`).toBe(true);
      }
  });
  test("ntXent({temperature: 0.01}) does not saturate: it keeps growing past PML's float32 cap of 87.3", () => {
    // a positive pair pointing apart and a negative on anchor 0: pair (0, 1) costs (1 + 1)/0.01 = 200, (1, 0) log 2
    const emb = Float32Array.from([1, 0, 0, -1, 0, 0, 1, 0, 0]);
    const y = Int32Array.from([0, 0, 1]);
    const v = value(ntXent, {emb, y}, {temperature: 0.01});
    expect(v).toBeGreaterThan(100); // (200 + log 2)/2: PML would give at most (87.3 + log 2)/2
    expectClose([v], [ntXentOracle(emb, y, D, {temperature: 0.01})], {rtol: 1e-4, atol: 1e-3});
  });
  test("nt-xent and info-nce name bad hyper-parameters, missing inputs and mismatched views", () => {
    const emb = fixture(13);
    expect(() => value(ntXent, {emb, y: labels}, {temperature: 0})).toThrow("nt-xent: invalid temperature: 0");
    expect(() => value(ntXent, {emb})).toThrow("nt-xent: missing input labels");
    expect(() => value(infoNce, {emb})).toThrow("info-nce: missing input otherEmbeddings");
    expect(() =>
      tf.tidy(() =>
        infoNce.fn({embeddings: tf.tensor2d(emb, [B, D]), otherEmbeddings: tf.zeros([B - 1, D]) as tf.Tensor2D})
      )
    ).toThrow(/^info-nce: otherEmbeddings has batch size 7, expected 8/);
    expect(() =>
      tf.tidy(() =>
        ntXent.fn({
          embeddings: tf.tensor2d(emb, [B, D]),
          labels: tf.tensor1d(labels, "int32"),
          otherEmbeddings: tf.zeros([B, D + 1]) as tf.Tensor2D
        })
      )
    ).toThrow(/^nt-xent: otherEmbeddings has D = 4, expected 3/);
  });
});

lossContract(ntXent, {params: [{}, {temperature: 0.5, distance: "euclidean"}]});
lossContract(infoNce, {params: [{}, {symmetric: false}, {temperature: 0.5, distance: "dot"}]});
