import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {mlcd, sampleClasses} from "../../../src/losses/mlcd.js";
import {random} from "../../../src/random.js";
import {crossEntropyOracle} from "../../oracles/compSum.js";
import {cosines, mlcdOracle, sampledClasses, thresholdPairsOracle} from "../../oracles/mlcd.js";
import type {ClusterBatch} from "../../oracles/mlcd.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

useCpuBackend();

const D = 5;
const C = 9;
// Six samples with 3, 1, 2, 3, 0 and 9 positive clusters among nine.
const targetRows = [
  [1, 0, 0, 1, 0, 0, 1, 0, 0],
  [0, 1, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 1, 0, 1, 0, 0, 0, 0],
  [0, 1, 0, 0, 0, 1, 0, 0, 1],
  [0, 0, 0, 0, 0, 0, 0, 0, 0],
  [1, 1, 1, 1, 1, 1, 1, 1, 1]
];

function fixture(seed = 1, rows = targetRows, dim = D, classes = C): ClusterBatch {
  const rng = random(seed).fork("mlcd-fixture");
  return {
    embeddings: rng.normals(rows.length * dim),
    prototypes: rng.normals(classes * dim),
    targets: rows.flat(),
    dim
  };
}

function inputs(c: ClusterBatch) {
  const b = c.embeddings.length / c.dim;
  const k = c.prototypes.length / c.dim;
  return {
    embeddings: tf.tensor2d(Float32Array.from(c.embeddings), [b, c.dim]),
    prototypes: tf.tensor2d(Float32Array.from(c.prototypes), [k, c.dim]),
    targets: tf.tensor2d(Float32Array.from(c.targets), [b, k])
  };
}

function value(c: ClusterBatch, params?: object): number {
  return tf.tidy(() => mlcd.fn(inputs(c), params).dataSync()[0]);
}

describe("values match the float64 reference", () => {
  const cases = [
    {},
    {scale: 32, margin: 0.2},
    {threshold: false},
    {threshold: false, margin: 0.3, scale: 8},
    {ratio: 0.5},
    {ratio: 0.5, draw: 7, seed: 3},
    {ratio: 0.1},
    {ratio: 0.05}
  ];
  for (const params of cases) {
    test(`mlcd(${JSON.stringify(params)}) equals the reference`, () => {
      for (const seed of [1, 2, 3]) {
        const c = fixture(seed);
        expectClose([value(c, params)], [mlcdOracle(c, params)]);
      }
    });
  }
});

describe("gradients", () => {
  for (const params of [{}, {threshold: false, margin: 0.2}, {ratio: 0.5, draw: 2}]) {
    for (const name of ["embeddings", "prototypes"] as const) {
      test(`mlcd(${JSON.stringify(params)}): autograd with respect to ${name} matches central differences`, () => {
        const c = fixture(4);
        const t = inputs(c);
        gradcheck(
          (x) => mlcd.fn({...t, [name]: x}, params),
          (x) => mlcdOracle({...c, [name]: x}, params),
          t[name]
        );
        tf.dispose(t);
      });
    }
  }
});

lossContract(mlcd, {params: [{}, {threshold: false}, {ratio: 0.5}, {margin: 0.2, scale: 64}]});

describe("properties", () => {
  test("mlcd({threshold: false}) on single-label targets is softmax cross-entropy over σ·cos", () => {
    const labels = [0, 4, 8, 2, 2];
    const rows = labels.map((y) => Array.from({length: C}, (_, k) => (k === y ? 1 : 0)));
    const c = fixture(5, rows);
    const logits = cosines(c)
      .flat()
      .map((v) => 16 * v);
    expectClose([value(c, {threshold: false})], [crossEntropyOracle(logits, labels, C)]);
    const reference = tf.tidy(
      () => tf.losses.softmaxCrossEntropy(tf.tensor2d(rows.flat(), [5, C]), tf.tensor2d(logits, [5, C])).dataSync()[0]
    );
    expectClose([value(c, {threshold: false})], [reference]);
    // With a margin it is CosFace: the target logit becomes σ(cos θ_y − m).
    const cosface = cosines(c)
      .flat()
      .map((v, i) => 16 * (v - (i % C === labels[Math.floor(i / C)] ? 0.25 : 0)));
    expectClose([value(c, {threshold: false, margin: 0.25})], [crossEntropyOracle(cosface, labels, C)]);
    // The default keeps the 0 threshold class, which is not plain cross-entropy.
    expect(Math.abs(value(c) - reference)).toBeGreaterThan(1e-3);
  });

  test("mlcd() is the pairwise softmax over (Ω_p ∪ {0}) × (Ω_n ∪ {0}): the 0-score threshold class", () => {
    const c = fixture(6);
    expectClose([value(c)], [thresholdPairsOracle(c)]);
    expectClose([value(c, {scale: 40, margin: 0.15})], [thresholdPairsOracle(c, {scale: 40, margin: 0.15})]);
  });

  test("mlcd() puts the decision threshold at 0, the pairwise form only ranks", () => {
    // Two positive centres (x, y axes) and two negative ones (−z, −y).
    const batch = (f: number[]): ClusterBatch => ({
      embeddings: f,
      prototypes: [1, 0, 0, 0, 1, 0, 0, 0, -1, 0, -1, 0],
      targets: [1, 1, 0, 0],
      dim: 3
    });
    // Positives at cos 0.3 and 0.6, negatives at −0.74 and −0.6: both forms are near 0.
    const good = batch([0.3, 0.6, 0.74]);
    expect(value(good, {scale: 32})).toBeLessThan(1e-3);
    expect(value(good, {scale: 32, threshold: false})).toBeLessThan(1e-3);
    // One positive slips to cos ≈ −0.05: still ranked far above every negative, but below 0. ZLPR pays
    // log(1 + e^{1.6}) ≈ 1.8 for it; the pairwise (threshold-free) form does not notice.
    const slipped = batch([-0.05, 0.6, 0.8]);
    expect(value(slipped, {scale: 32})).toBeGreaterThan(1.5);
    expect(value(slipped, {scale: 32, threshold: false})).toBeLessThan(1e-6);
  });

  test("sampleClasses(targets, ratio) keeps every batch positive and fills up to ⌊ratio·C⌋ at random", () => {
    const c = fixture(7, targetRows.slice(0, 4));
    const masks: number[][] = [];
    for (const draw of [0, 1, 2, 3]) {
      const m = tf.tidy(() => Array.from(sampleClasses(inputs(c).targets, 0.8, 0, draw).dataSync()));
      // Positives of the batch: 0, 1, 2, 3, 4, 5, 6, 8 → eight classes; ⌊0.8·9⌋ = 7 < 8 → positives only.
      expect(m).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 1]);
      masks.push(m);
    }
    const few = fixture(8, [targetRows[1]]);
    const draws = [0, 1, 2, 3, 4, 5].map((draw) =>
      tf.tidy(() => Array.from(sampleClasses(inputs(few).targets, 0.5, 0, draw).dataSync()))
    );
    for (const [draw, m] of draws.entries()) {
      expect(m[1], `draw ${draw} keeps the positive`).toBe(1);
      expect(m.reduce((a, v) => a + v, 0)).toBe(4);
      expect(m).toEqual(sampledClasses(few, 0.5, 0, draw).map(Number));
    }
    expect(new Set(draws.map((m) => m.join(""))).size).toBeGreaterThan(2);
  });

  test("mlcd({ratio: 1}) uses every negative; a batch whose positives cover all classes ignores the ratio", () => {
    const c = fixture(9);
    expectClose([value(c, {ratio: 1})], [value(c)]);
    // Row 5 is positive for every class, so every class is kept whatever the ratio.
    expectClose([value(c, {ratio: 0.2, draw: 4})], [value(c)]);
    const noAll = fixture(9, targetRows.slice(0, 5));
    expect(Math.abs(value(noAll, {ratio: 0.2, draw: 4}) - value(noAll))).toBeGreaterThan(1e-4);
  });

  test("a sample with no positive pays only the negative term, one positive for every class only the positive term", () => {
    const c = fixture(10, [targetRows[4], targetRows[5]]);
    const cos = cosines(c);
    const negOnly = Math.log1p(cos[0].reduce((a, v) => a + Math.exp(16 * v), 0));
    const posOnly = Math.log1p(cos[1].reduce((a, v) => a + Math.exp(-16 * v), 0));
    expectClose([value(c)], [(negOnly + posOnly) / 2]);
    // The pairwise form has no pair in either row: exactly 0 with a zero gradient.
    expect(value(c, {threshold: false})).toBe(0);
    const g = tf.tidy(() => {
      const t = inputs(c);
      return tf
        .grad((x: tf.Tensor) => mlcd.fn({...t, embeddings: x as tf.Tensor2D}, {threshold: false}))(t.embeddings)
        .dataSync();
    });
    expect(Array.from(g).every((v) => v === 0)).toBe(true);
  });

  test("mlcd() stays finite for embeddings and centres of ±1e4 and a scale of 128", () => {
    const c = fixture(11);
    const big = {
      ...c,
      embeddings: Array.from(c.embeddings).map((v) => v * 1e4),
      prototypes: Array.from(c.prototypes).map((v) => v * 1e4)
    };
    for (const threshold of [true, false]) {
      const [v, g] = tf.tidy(() => {
        const t = inputs(big);
        const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
          mlcd.fn({...t, embeddings: x as tf.Tensor2D}, {scale: 128, threshold})
        )(t.embeddings);
        return [value.dataSync()[0], grad.dataSync()];
      });
      expect(Number.isFinite(v)).toBe(true);
      expect(Array.from(g).every(Number.isFinite)).toBe(true);
    }
  });
});

describe("bad input", () => {
  test("bad hyper-parameters throw naming the loss and the value", () => {
    expect(() => value(fixture(), {ratio: 1.5})).toThrow("mlcd: invalid ratio: 1.5");
    expect(() => value(fixture(), {scale: 0})).toThrow("mlcd: invalid scale: 0");
    expect(() => value(fixture(), {draw: -1})).toThrow("mlcd: invalid draw: -1");
  });
  test("targets must have one column per centre", () => {
    const c = fixture();
    expect(() =>
      tf.tidy(() =>
        mlcd.fn({
          embeddings: tf.tensor2d(Float32Array.from(c.embeddings), [6, D]),
          prototypes: tf.tensor2d(Float32Array.from(c.prototypes), [C, D]),
          targets: tf.zeros([6, C + 1]) as tf.Tensor2D
        })
      )
    ).toThrow(/^mlcd: targets has classes 10, expected 9/);
  });
});
