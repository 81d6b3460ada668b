import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {milNce, vattLosses, vattNce} from "../../../src/losses/vatt.js";
import type {LossInputs, LossSpec} from "../../../src/losses/defineLoss.js";
import {random} from "../../../src/random.js";
import {miechMilNce, nceOracle} from "../../oracles/vatt.js";
import type {NceOracleOptions} from "../../oracles/vatt.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 5;
const K = 3;
const D = 4;
useCpuBackend();

/** Seeded anchors [B, D] and candidates [B, K, D]; candidates are noisy copies of their anchor. */
function fixture(seed = 1, k = K, noise = 0.8, scale = 1) {
  const rng = random(seed).fork("vatt");
  const anchors = Float32Array.from(rng.normals(B * D), (v) => v * scale);
  const candidates = new Float32Array(B * k * D);
  const n = rng.normals(B * k * D);
  for (let i = 0; i < B; ++i)
    for (let j = 0; j < k; ++j)
      for (let d = 0; d < D; ++d)
        candidates[(i * k + j) * D + d] = anchors[i * D + d] + noise * scale * n[(i * k + j) * D + d];
  return {anchors, candidates};
}

function milValue(
  anchors: Float32Array,
  candidates: Float32Array,
  k: number,
  params?: object,
  mask?: Float32Array
): number {
  return tf.tidy(() => {
    const inputs: LossInputs = {
      embeddings: tf.tensor2d(anchors, [B, D]),
      candidates: tf.tensor3d(candidates, [B, k, D])
    };
    if (mask) inputs.candidateMask = tf.tensor2d(mask, [B, k]);
    return milNce.fn(inputs, params).dataSync()[0];
  });
}

function vattValue(x: Float32Array, y: Float32Array, params?: object, mask?: Float32Array): number {
  return tf.tidy(() => {
    const inputs: LossInputs = {embeddings: tf.tensor2d(x, [B, D]), otherEmbeddings: tf.tensor2d(y, [B, D])};
    if (mask) inputs.otherMask = tf.tensor1d(mask);
    return vattNce.fn(inputs, params).dataSync()[0];
  });
}

function reducedTerms(loss: LossSpec<any>, inputs: () => LossInputs, params?: object): Record<string, number> {
  return tf.tidy(() => {
    const terms = loss.terms(inputs(), params);
    const out: Record<string, number> = {};
    for (const [name, t] of Object.entries(terms)) {
      const w = t.weights;
      out[name] = (w ? tf.div(tf.sum(tf.mul(t.values, w)), tf.sum(w)) : tf.mean(t.values)).dataSync()[0];
    }
    return out;
  });
}

describe("values match the float64 reference", () => {
  const cases: [string, NceOracleOptions & object][] = [
    ["{}", {}],
    ['{variant: "symmetric"}', {variant: "symmetric"}],
    ["{temperature: 0.2}", {temperature: 0.2}],
    ["{normalize: false, temperature: 1}", {normalize: false, temperature: 1}]
  ];
  for (const [label, params] of cases) {
    test(`milNce(${label}) equals the official NCE over K = ${K} candidates`, () => {
      const {anchors, candidates} = fixture(2, K, 0.8, params.normalize === false ? 0.4 : 1);
      const expected = nceOracle(anchors, candidates, B, K, D, params).value;
      expectClose([milValue(anchors, candidates, K, params)], [expected]);
    });
    test(`vattNce(${label}) equals the official NCE between two modalities`, () => {
      const {anchors, candidates} = fixture(3, 1, 0.8, params.normalize === false ? 0.4 : 1);
      const expected = nceOracle(anchors, candidates, B, 1, D, params).value;
      expectClose([vattValue(anchors, candidates, params)], [expected]);
    });
  }
  test("milNce({candidateMask}) skips padded candidates and averages over samples with a valid one", () => {
    const {anchors, candidates} = fixture(4);
    const mask = Float32Array.from([1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1]);
    for (const variant of ["asymmetric", "symmetric"] as const) {
      const expected = nceOracle(anchors, candidates, B, K, D, {variant, mask}).value;
      expectClose([milValue(anchors, candidates, K, {variant}, mask)], [expected]);
    }
  });
  test("vattNce({otherMask}) drops samples without the second modality, as VATT's audio_mask does", () => {
    const {anchors, candidates} = fixture(5, 1);
    const mask = Float32Array.from([1, 0, 1, 1, 0]);
    const expected = nceOracle(anchors, candidates, B, 1, D, {mask}).value;
    expectClose([vattValue(anchors, candidates, {}, mask)], [expected]);
    // A masked sample's own loss is not averaged in but its anchor still serves as a negative.
    expect(Math.abs(expected - nceOracle(anchors, candidates, B, 1, D).value)).toBeGreaterThan(1e-3);
  });
  test("milNce({normalize: false, temperature: 1}) equals Miech et al.'s released MIL-NCE", () => {
    const {anchors, candidates} = fixture(6, K, 0.5, 0.5);
    const expected = miechMilNce(anchors, candidates, B, K, D);
    expectClose([milValue(anchors, candidates, K, {normalize: false, temperature: 1})], [expected]);
  });
  test("vattNce() on orthonormal aligned pairs equals log(2e^{1/τ} + 2(B − 1)) − 1/τ", () => {
    const x = new Float32Array(B * D * 2);
    const Dw = 2 * D; // B ≤ Dw orthonormal rows
    for (let i = 0; i < B; ++i) x[i * Dw + i] = 1;
    const tau = 0.5;
    const v = tf.tidy(
      () =>
        vattNce
          .fn({embeddings: tf.tensor2d(x, [B, Dw]), otherEmbeddings: tf.tensor2d(x, [B, Dw])}, {temperature: tau})
          .dataSync()[0]
    );
    expectClose([v], [Math.log(2 * Math.exp(1 / tau) + 2 * (B - 1)) - 1 / tau]);
  });
});

describe("properties", () => {
  for (const variant of ["asymmetric", "symmetric"] as const) {
    test(`milNce({variant: "${variant}"}) with K = 1 equals vattNce, direction by direction`, () => {
      const {anchors, candidates} = fixture(7, 1);
      const mil = reducedTerms(
        milNce,
        () => ({embeddings: tf.tensor2d(anchors, [B, D]), candidates: tf.tensor3d(candidates, [B, 1, D])}),
        {variant}
      );
      const nce = reducedTerms(
        vattNce,
        () => ({embeddings: tf.tensor2d(anchors, [B, D]), otherEmbeddings: tf.tensor2d(candidates, [B, D])}),
        {variant}
      );
      expect(Object.keys(mil)).toEqual(Object.keys(nce));
      expect(Object.keys(mil).length).toBe(variant === "asymmetric" ? 1 : 2);
      for (const name of Object.keys(mil)) expectClose([mil[name]], [nce[name]]);
      // and each direction matches the reference's per-direction mean
      const ref = nceOracle(anchors, candidates, B, 1, D, {variant}).perSample;
      const names = Object.keys(nce);
      ref.forEach((perSample, d) => expectClose([nce[names[d]]], [perSample.reduce((a, b) => a + b, 0) / B]));
    });
  }
  test("vattNce() (asymmetric) is symmetric in the two modalities", () => {
    const {anchors, candidates} = fixture(8, 1);
    expectClose([vattValue(anchors, candidates)], [vattValue(candidates, anchors)]);
  });
  test('vattNce({variant: "symmetric"}) swaps its two directions when the modalities swap', () => {
    const {anchors, candidates} = fixture(9, 1);
    const ab = reducedTerms(
      vattNce,
      () => ({embeddings: tf.tensor2d(anchors, [B, D]), otherEmbeddings: tf.tensor2d(candidates, [B, D])}),
      {variant: "symmetric"}
    );
    const ba = reducedTerms(
      vattNce,
      () => ({embeddings: tf.tensor2d(candidates, [B, D]), otherEmbeddings: tf.tensor2d(anchors, [B, D])}),
      {variant: "symmetric"}
    );
    expectClose([ab.anchorToOther, ab.otherToAnchor], [ba.otherToAnchor, ba.anchorToOther]);
    expect(Math.abs(ab.anchorToOther - ab.otherToAnchor)).toBeGreaterThan(1e-3);
  });
  test("vattNce() is invariant to the scale of either modality (embeddings are normalised)", () => {
    const {anchors, candidates} = fixture(10, 1);
    expectClose(
      [
        vattValue(
          anchors.map((v) => 3 * v),
          candidates.map((v) => 0.2 * v)
        )
      ],
      [vattValue(anchors, candidates)]
    );
  });
  test("milNce() is lower when the extra candidates are true positives than when they are another sample's", () => {
    const {anchors, candidates} = fixture(11, K, 0.3);
    const shuffled = new Float32Array(candidates);
    // candidates 1..K-1 of sample i taken from sample i+1: misaligned narrations
    for (let i = 0; i < B; ++i)
      for (let k = 1; k < K; ++k)
        for (let d = 0; d < D; ++d) shuffled[(i * K + k) * D + d] = candidates[(((i + 1) % B) * K + k) * D + d];
    expect(milValue(anchors, candidates, K)).toBeLessThan(milValue(anchors, shuffled, K));
  });
  test("an all-ones candidateMask changes nothing", () => {
    const {anchors, candidates} = fixture(12);
    expectClose(
      [milValue(anchors, candidates, K, {}, new Float32Array(B * K).fill(1))],
      [milValue(anchors, candidates, K)]
    );
  });
});

describe("gradients", () => {
  for (const variant of ["asymmetric", "symmetric"] as const) {
    test(`milNce({variant: "${variant}"}): autograd matches the float64 oracle w.r.t. embeddings and candidates`, () => {
      const {anchors, candidates} = fixture(13);
      const mask = Float32Array.from([1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1]);
      const x0 = tf.tensor2d(anchors, [B, D]);
      const c0 = tf.tensor3d(candidates, [B, K, D]);
      const m = tf.tensor2d(mask, [B, K]);
      gradcheck(
        (x) => milNce.fn({embeddings: x as tf.Tensor2D, candidates: c0, candidateMask: m}, {variant, temperature: 0.3}),
        (x) => nceOracle(x, candidates, B, K, D, {variant, mask, temperature: 0.3}).value,
        x0
      );
      gradcheck(
        (c) => milNce.fn({embeddings: x0, candidates: c as tf.Tensor3D, candidateMask: m}, {variant, temperature: 0.3}),
        (c) => nceOracle(anchors, c, B, K, D, {variant, mask, temperature: 0.3}).value,
        c0
      );
      tf.dispose([x0, c0, m]);
    });
  }
  test("vattNce(): autograd matches the float64 oracle w.r.t. both modalities", () => {
    const {anchors, candidates} = fixture(14, 1);
    const x0 = tf.tensor2d(anchors, [B, D]);
    const y0 = tf.tensor2d(candidates, [B, D]);
    gradcheck(
      (x) => vattNce.fn({embeddings: x as tf.Tensor2D, otherEmbeddings: y0}, {temperature: 0.2}),
      (x) => nceOracle(x, candidates, B, 1, D, {temperature: 0.2}).value,
      x0
    );
    gradcheck(
      (y) => vattNce.fn({embeddings: x0, otherEmbeddings: y as tf.Tensor2D}, {temperature: 0.2}),
      (y) => nceOracle(anchors, y, B, 1, D, {temperature: 0.2}).value,
      y0
    );
    tf.dispose([x0, y0]);
  });
});

describe("numerics and bad input", () => {
  test("vattNce() and milNce() stay finite for embeddings of ±1e4 (normalised) and ±50 raw", () => {
    for (const [scale, params] of [
      [1e4, {}],
      [50, {normalize: false}],
      [50, {normalize: false, variant: "symmetric"}]
    ] as const) {
      const {anchors, candidates} = fixture(15, K, 1, scale);
      const [v, g] = tf.tidy(() => {
        const c = tf.tensor3d(candidates, [B, K, D]);
        const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
          milNce.fn({embeddings: x as tf.Tensor2D, candidates: c}, params)
        )(tf.tensor2d(anchors, [B, D]));
        return [value.dataSync()[0], grad.dataSync()];
      });
      expect(Number.isFinite(v), `value ${v}`).toBe(true);
      expect(Array.from(g).every(Number.isFinite), "gradient").toBe(true);
    }
  });
  test("milNce() with every candidate masked is exactly 0 with a zero gradient", () => {
    const {anchors, candidates} = fixture(16);
    const [v, g] = tf.tidy(() => {
      const c = tf.tensor3d(candidates, [B, K, D]);
      const m = tf.zeros([B, K]) as tf.Tensor2D;
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
        milNce.fn({embeddings: x as tf.Tensor2D, candidates: c, candidateMask: m})
      )(tf.tensor2d(anchors, [B, D]));
      return [value.dataSync()[0], grad.dataSync()];
    });
    expect(v).toBe(0);
    expect(Array.from(g).every((x) => x === 0)).toBe(true);
  });
  test("a one-sample batch is finite (its only negatives are the positive itself)", () => {
    const v = tf.tidy(
      () => vattNce.fn({embeddings: tf.tensor2d([[1, 2]]), otherEmbeddings: tf.tensor2d([[2, 1]])}).dataSync()[0]
    );
    expectClose([v], [Math.log(2)]);
  });
  test("a candidate count mismatch in candidateMask names the loss and the argument", () => {
    expect(() =>
      tf.tidy(() =>
        milNce.fn({
          embeddings: tf.zeros([B, D]) as tf.Tensor2D,
          candidates: tf.zeros([B, K, D]) as tf.Tensor3D,
          candidateMask: tf.ones([B, K + 1]) as tf.Tensor2D
        })
      )
    ).toThrow(/^mil-nce: candidateMask has K = 4, expected 3/);
  });
  test("invalid hyper-parameters throw with the loss id and value", () => {
    const {anchors, candidates} = fixture(17, 1);
    expect(() => vattValue(anchors, candidates, {temperature: 0})).toThrow("vatt-nce: invalid temperature: 0");
    expect(() => milValue(anchors, candidates, 1, {variant: "clip"})).toThrow('mil-nce: invalid variant: "clip"');
  });
  test("vattLosses lists both losses", () => {
    expect(vattLosses.map((l) => l.id)).toEqual(["vatt-nce", "mil-nce"]);
  });
});

lossContract(vattNce, {params: [{}, {variant: "symmetric"}, {normalize: false, temperature: 1}]});
lossContract(milNce, {params: [{}, {variant: "symmetric"}]});
