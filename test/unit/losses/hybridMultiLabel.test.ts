import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {hybridMultiLabel, hybridMultiLabelLosses, labelCooccurrence} from "../../../src/losses/hybridMultiLabel.js";
import type {LossInputs} from "../../../src/losses/defineLoss.js";
import {random} from "../../../src/random.js";
import {bceOracle, hybridOracle, lcaOracle, supConOracle} from "../../oracles/hybridMultiLabel.js";
import type {HybridOracleParams, Weighting} from "../../oracles/hybridMultiLabel.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 6;
const C = 4;
const D = 3;
// Multi-hot targets with co-occurring labels, an imbalanced class 3, no empty and no full row.
const targets = Float32Array.from([1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0]);
useCpuBackend();

function fixture(seed = 1, scale = 2) {
  const rng = random(seed).fork("hybrid");
  return {logits: rng.uniforms(B * C, -scale, scale), embeddings: rng.normals(B * D)};
}

function makeInputs(
  logits: ArrayLike<number>,
  embeddings: ArrayLike<number>,
  y: ArrayLike<number> = targets,
  extra: {classWeights?: number[]; labelCorrelation?: tf.Tensor2D} = {}
): LossInputs {
  const n = y.length / C;
  const inputs: LossInputs = {
    logits: tf.tensor2d(Float32Array.from(logits), [n, C]),
    targets: tf.tensor2d(Float32Array.from(y), [n, C]),
    embeddings: tf.tensor2d(Float32Array.from(embeddings), [n, D])
  };
  if (extra.classWeights) inputs.classWeights = tf.tensor1d(extra.classWeights);
  if (extra.labelCorrelation) inputs.labelCorrelation = extra.labelCorrelation;
  return inputs;
}

function value(
  logits: ArrayLike<number>,
  embeddings: ArrayLike<number>,
  params?: object,
  y?: ArrayLike<number>,
  extra = {}
) {
  return tf.tidy(() => hybridMultiLabel.fn(makeInputs(logits, embeddings, y, extra), params).dataSync()[0]);
}

function termMeans(logits: ArrayLike<number>, embeddings: ArrayLike<number>, params?: object): Record<string, number> {
  return tf.tidy(() => {
    const t = hybridMultiLabel.terms(makeInputs(logits, embeddings), params);
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, tf.mean(v.values).dataSync()[0]]));
  });
}

describe("values match the float64 reference", () => {
  const weightings: Weighting[] = ["batch-inverse-frequency", "batch-positive-weight", "none"];
  for (const classWeighting of weightings)
    for (const correlation of ["lca", "cooccurrence"] as const) {
      test(`hybridMultiLabel({classWeighting: "${classWeighting}", correlation: "${correlation}"}) equals the reference`, () => {
        const {logits, embeddings} = fixture(2);
        const params: HybridOracleParams = {
          classWeighting,
          correlation,
          correlationWeight: 0.3,
          contrastiveWeight: 0.5
        };
        expectClose(
          [value(logits, embeddings, params)],
          [hybridOracle(logits, targets, embeddings, B, C, D, params).total]
        );
      });
    }
  test('hybridMultiLabel({classWeighting: "given"}) weighs every BCE element by classWeights', () => {
    const {logits, embeddings} = fixture(3);
    const classWeights = [0.5, 1, 2, 4];
    const expected = hybridOracle(logits, targets, embeddings, B, C, D, {classWeighting: "given"}, {classWeights});
    expectClose([value(logits, embeddings, {classWeighting: "given"}, targets, {classWeights})], [expected.total]);
  });
  test("terms() returns bce, correlation and contrastive, each already weighted", () => {
    const {logits, embeddings} = fixture(4);
    const t = termMeans(logits, embeddings);
    const expected = hybridOracle(logits, targets, embeddings, B, C, D);
    expect(Object.keys(t)).toEqual(["bce", "correlation", "contrastive"]);
    expectClose([t.bce, t.correlation, t.contrastive], [expected.bce, expected.correlation, expected.contrastive]);
    for (const v of Object.values(t)) expect(v).toBeGreaterThan(1e-3);
  });
  test('correlation "cooccurrence" with labelCorrelation = labelCooccurrence(targets) equals the batch estimate', () => {
    const {logits, embeddings} = fixture(5);
    const params = {correlation: "cooccurrence", correlationWeight: 1, contrastiveWeight: 0} as const;
    const fromBatch = value(logits, embeddings, params);
    const given = tf.tidy(() => {
      const R = labelCooccurrence(tf.tensor2d(targets, [B, C]));
      return hybridMultiLabel.fn(makeInputs(logits, embeddings, targets, {labelCorrelation: R}), params).dataSync()[0];
    });
    expectClose([given], [fromBatch]);
    const R = Array.from({length: C * C}, (_, i) => (i % (C + 1) === 0 ? 1 : 0.25));
    const withR = tf.tidy(
      () =>
        hybridMultiLabel
          .fn(makeInputs(logits, embeddings, targets, {labelCorrelation: tf.tensor2d(R, [C, C])}), params)
          .dataSync()[0]
    );
    expectClose([withR], [hybridOracle(logits, targets, embeddings, B, C, D, params, {labelCorrelation: R}).total]);
  });
});

describe("properties", () => {
  for (const classWeighting of ["batch-inverse-frequency", "batch-positive-weight", "none"] as const) {
    test(`hybridMultiLabel({correlationWeight: 0, contrastiveWeight: 0, classWeighting: "${classWeighting}"}) equals class-weighted BCE`, () => {
      const {logits, embeddings} = fixture(6);
      expectClose(
        [value(logits, embeddings, {correlationWeight: 0, contrastiveWeight: 0, classWeighting})],
        [bceOracle(logits, targets, B, C, classWeighting)]
      );
    });
  }
  test('hybridMultiLabel({classWeighting: "none", correlationWeight: 0, contrastiveWeight: 0}) agrees with tf.losses.sigmoidCrossEntropy', () => {
    const {logits, embeddings} = fixture(7);
    const reference = tf.tidy(
      () => tf.losses.sigmoidCrossEntropy(tf.tensor2d(targets, [B, C]), tf.tensor2d(logits, [B, C])).dataSync()[0]
    );
    expectClose(
      [value(logits, embeddings, {classWeighting: "none", correlationWeight: 0, contrastiveWeight: 0})],
      [reference]
    );
  });
  test('hybridMultiLabel({classWeighting: "none", contrastiveWeight: 0}) is SpanEmo\'s joint loss (1 − α)·BCE + α·LCA, α = 0.2', () => {
    const {logits, embeddings} = fixture(8);
    const spanEmo = 0.8 * bceOracle(logits, targets, B, C) + 0.2 * lcaOracle(logits, targets, B, C);
    expectClose([value(logits, embeddings, {classWeighting: "none", contrastiveWeight: 0})], [spanEmo]);
  });
  test("the LCA term lies in [e^−1, e] for samples with both positive and negative labels", () => {
    for (const scale of [0.5, 30]) {
      const {logits, embeddings} = fixture(9, scale);
      const t = tf.tidy(() =>
        Array.from(
          hybridMultiLabel.terms(makeInputs(logits, embeddings), {correlationWeight: 1}).correlation.values.dataSync()
        )
      );
      for (const v of t) {
        expect(v).toBeGreaterThanOrEqual(Math.exp(-1) - 1e-6);
        expect(v).toBeLessThanOrEqual(Math.E + 1e-6);
      }
    }
  });
  test("the LCA term is lower when true labels score above absent ones", () => {
    const {embeddings} = fixture(10);
    const good = Float32Array.from(targets, (y) => (y ? 3 : -3));
    const bad = Float32Array.from(targets, (y) => (y ? -3 : 3));
    const lca = (l: Float32Array) => termMeans(l, embeddings, {correlationWeight: 1}).correlation;
    expect(lca(good)).toBeLessThan(lca(bad));
  });
  test("with one-hot targets the contrastive term is Khosla et al.'s SupCon", () => {
    const rng = random(11).fork("supcon");
    const n = 8;
    const labels = [0, 0, 1, 1, 1, 2, 3, 3];
    const y = new Float32Array(n * C);
    labels.forEach((l, i) => (y[i * C + l] = 1));
    const emb = rng.normals(n * D);
    const logits = rng.uniforms(n * C, -1, 1);
    const con = tf.tidy(
      () =>
        tf
          .mean(
            hybridMultiLabel.terms(makeInputs(logits, emb, y), {contrastiveWeight: 1, temperature: 0.3}).contrastive
              .values
          )
          .dataSync()[0]
    );
    expectClose([con], [supConOracle(emb, labels, D, 0.3)]);
  });
  test("the contrastive term ignores the scale of the embeddings", () => {
    const {logits, embeddings} = fixture(12);
    expectClose(
      [
        termMeans(
          logits,
          embeddings.map((v) => 7 * v)
        ).contrastive
      ],
      [termMeans(logits, embeddings).contrastive]
    );
  });
  test("batch inverse-frequency weights favour the rare class", () => {
    // Same error on every element: the weighted loss puts more mass where n_c is small.
    const logits = new Float32Array(B * C).fill(0);
    const rareOnly = Float32Array.from(targets, (_, i) => (i % C === 3 ? 5 : 0));
    const commonOnly = Float32Array.from(targets, (_, i) => (i % C === 0 ? 5 : 0));
    const {embeddings} = fixture(13);
    const p = {correlationWeight: 0, contrastiveWeight: 0};
    const diff = (l: Float32Array) => value(l, embeddings, p) - value(logits, embeddings, p);
    expect(Math.abs(diff(rareOnly))).toBeGreaterThan(Math.abs(diff(commonOnly)));
  });
});

describe("gradients", () => {
  for (const [label, params] of [
    ["defaults", {}],
    [
      "cooccurrence, positive weights",
      {correlation: "cooccurrence", classWeighting: "batch-positive-weight", contrastiveWeight: 0.7}
    ]
  ] as const) {
    test(`hybridMultiLabel(${label}): autograd matches the float64 oracle for logits and embeddings`, () => {
      const {logits, embeddings} = fixture(14);
      const base = makeInputs(logits, embeddings);
      gradcheck(
        (z) => hybridMultiLabel.fn({...base, logits: z as tf.Tensor2D}, params),
        (z) => hybridOracle(z, targets, embeddings, B, C, D, params).total,
        base.logits as tf.Tensor
      );
      gradcheck(
        (e) => hybridMultiLabel.fn({...base, embeddings: e as tf.Tensor2D}, params),
        (e) => hybridOracle(logits, targets, e, B, C, D, params).total,
        base.embeddings as tf.Tensor
      );
      tf.dispose(Object.values(base) as tf.Tensor[]);
    });
  }
});

describe("numerics and bad input", () => {
  test("BCE is exact and its gradient finite at |logits| = 1e4 (softplus form)", () => {
    const logits = Float32Array.from(targets, (y, i) => (i % 3 === 0 ? (y ? 1e4 : -1e4) : y ? -1e4 : 1e4));
    const {embeddings} = fixture(15);
    for (const classWeighting of ["batch-inverse-frequency", "batch-positive-weight", "none"] as const) {
      const params = {classWeighting};
      const [v, g] = tf.tidy(() => {
        const base = makeInputs(logits, embeddings);
        const {value: val, grad} = tf.valueAndGrad((z: tf.Tensor) =>
          hybridMultiLabel.fn({...base, logits: z as tf.Tensor2D}, params)
        )(base.logits as tf.Tensor);
        return [val.dataSync()[0], grad.dataSync()];
      });
      expectClose([v], [hybridOracle(logits, targets, embeddings, B, C, D, params).total]);
      expect(Array.from(g).every(Number.isFinite), "gradient").toBe(true);
      expect(v).toBeGreaterThan(1e3);
    }
  });
  test("empty and full label rows and absent classes stay finite; their LCA is 0", () => {
    const y = Float32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0]);
    const {logits, embeddings} = fixture(16);
    for (const correlation of ["lca", "cooccurrence"] as const) {
      const [v, g] = tf.tidy(() => {
        const base = makeInputs(logits, embeddings, y);
        const {value: val, grad} = tf.valueAndGrad((z: tf.Tensor) =>
          hybridMultiLabel.fn({...base, logits: z as tf.Tensor2D}, {correlation})
        )(base.logits as tf.Tensor);
        return [val.dataSync()[0], grad.dataSync()];
      });
      expectClose([v], [hybridOracle(logits, y, embeddings, B, C, D, {correlation}).total]);
      expect(Array.from(g).every(Number.isFinite)).toBe(true);
    }
    const lca = tf.tidy(() =>
      Array.from(hybridMultiLabel.terms(makeInputs(logits, embeddings, y)).correlation.values.dataSync())
    );
    expect(lca[0]).toBe(0);
    expect(lca[1]).toBe(0);
  });
  test('classWeighting "given" needs classWeights, and classWeights needs "given"', () => {
    const {logits, embeddings} = fixture(17);
    expect(() => value(logits, embeddings, {classWeighting: "given"})).toThrow(
      'hybrid-multilabel: classWeighting "given" needs input classWeights [C]'
    );
    expect(() => value(logits, embeddings, {}, targets, {classWeights: [1, 1, 1, 1]})).toThrow(
      /^hybrid-multilabel: classWeights is given but classWeighting is "batch-inverse-frequency"/
    );
    expect(() => value(logits, embeddings, {classWeighting: "given"}, targets, {classWeights: [1, 1, 1]})).toThrow(
      /^hybrid-multilabel: classWeights has classes 3, expected 4/
    );
  });
  test("invalid hyper-parameters throw with the loss id and value", () => {
    const {logits, embeddings} = fixture(18);
    expect(() => value(logits, embeddings, {correlationWeight: 1.5})).toThrow(
      "hybrid-multilabel: invalid correlationWeight: 1.5"
    );
    expect(() => value(logits, embeddings, {temperature: 0})).toThrow("hybrid-multilabel: invalid temperature: 0");
    expect(hybridMultiLabelLosses).toEqual([hybridMultiLabel]);
  });
});

lossContract(hybridMultiLabel, {
  params: [
    {},
    {classWeighting: "batch-positive-weight", correlation: "cooccurrence"},
    {classWeighting: "none", correlationWeight: 0, contrastiveWeight: 0}
  ]
});
