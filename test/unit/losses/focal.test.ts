import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import type {LossInputs, LossSpec} from "../../../src/losses/defineLoss.js";
import {
  clusterLikelihoods,
  datasetEquityWeight,
  focal,
  focalLosses,
  generalizedFocal
} from "../../../src/losses/focal.js";
import {random} from "../../../src/random.js";
import {sampleState} from "../../../src/losses/state.js";
import {crossEntropyOracle, labelProbability} from "../../oracles/compSum.js";
import {focalOracle, generalizedFocalOracle, sigmoidFocalOracle} from "../../oracles/focal.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 6;
const C = 4;
useCpuBackend();

/** Readable seeded logits in [−scale, scale] and labels covering every class. */
function fixture(seed = 1, scale = 3, classes = C) {
  const rng = random(seed).fork("focal-fixture");
  const logits = rng.uniforms(B * classes, -scale, scale);
  const labels = Int32Array.from({length: B}, (_, i) => i % classes);
  return {logits, labels};
}

type Arrays = Record<string, {data: Float32Array | Int32Array; shape: number[]}>;

function value(loss: LossSpec<any>, arrays: Arrays, params?: object): number {
  return tf.tidy(() => {
    const inputs: LossInputs = {};
    for (const [name, {data, shape}] of Object.entries(arrays)) inputs[name] = tf.tensor(data, shape);
    return loss.fn(inputs, params).dataSync()[0];
  });
}

function classification(logits: Float32Array, labels: Int32Array, classes = C): Arrays {
  return {logits: {data: logits, shape: [labels.length, classes]}, labels: {data: labels, shape: [labels.length]}};
}

describe("focal", () => {
  for (const gamma of [2, 0.5, 5]) {
    test(`focal({gamma: ${gamma}}) equals −(1 − p_y)^γ log p_y averaged over the batch`, () => {
      const {logits, labels} = fixture(2);
      expectClose([value(focal, classification(logits, labels), {gamma})], [focalOracle(logits, labels, C, gamma)]);
    });
  }
  test("focal({gamma: 0}) equals cross-entropy", () => {
    const {logits, labels} = fixture(3);
    const ce = crossEntropyOracle(logits, labels, C);
    expectClose([value(focal, classification(logits, labels), {gamma: 0})], [ce]);
    expectClose(
      [value(focal, classification(logits, labels), {gamma: 0})],
      [value(crossEntropy, classification(logits, labels))]
    );
    // and γ > 0 is strictly below it: the modulating factor (1 − p_y)^γ < 1 whenever p_y > 0.
    expect(value(focal, classification(logits, labels), {gamma: 2})).toBeLessThan(ce - 1e-3);
  });
  test("focal({gamma}) decreases as γ grows", () => {
    const {logits, labels} = fixture(4);
    const values = [0, 1, 2, 5].map((gamma) => value(focal, classification(logits, labels), {gamma}));
    for (let i = 1; i < values.length; ++i) expect(values[i]).toBeLessThan(values[i - 1]);
  });
  test("focal() down-weights an easy sample far more than a hard one, relative to cross-entropy", () => {
    // p_y ≈ 0.9 (easy) and p_y ≈ 0.1 (hard): factors (0.1)² = 0.01 and (0.9)² = 0.81.
    const logits = new Float32Array([Math.log(9), 0, 0, Math.log(9)]);
    const labels = new Int32Array([0, 0]);
    const arrays = classification(logits, labels, 2);
    const ce = tf.tidy(() =>
      Array.from(
        crossEntropy
          .terms({logits: tf.tensor2d(logits, [2, 2]), labels: tf.tensor1d(labels, "int32")})
          .loss.values.dataSync()
      )
    );
    const fl = tf.tidy(() =>
      Array.from(
        focal.terms({logits: tf.tensor2d(logits, [2, 2]), labels: tf.tensor1d(labels, "int32")}).loss.values.dataSync()
      )
    );
    expectClose([fl[0] / ce[0], fl[1] / ce[1]], [0.01, 0.81]);
    expect(value(focal, arrays)).toBeGreaterThan(0);
  });
  test("focal({gamma, classAlpha}) multiplies each sample by α of its class", () => {
    const {logits, labels} = fixture(5);
    const classAlpha = new Float32Array([0.25, 1, 2, 0.5]);
    const arrays = {...classification(logits, labels), classAlpha: {data: classAlpha, shape: [C]}};
    expectClose([value(focal, arrays, {gamma: 2})], [focalOracle(logits, labels, C, 2, classAlpha)]);
  });
  for (const [alpha, gamma] of [
    [0.25, 2],
    [0.8, 2],
    [-1, 2],
    [0.5, 0]
  ]) {
    test(`focal({alpha: ${alpha}, gamma: ${gamma}}) on two logits equals torchvision's sigmoid_focal_loss of z₁ − z₀`, () => {
      const {logits, labels} = fixture(6, 3, 2);
      const diff = Float64Array.from(labels, (_, i) => logits[i * 2 + 1] - logits[i * 2]);
      const expected = sigmoidFocalOracle(diff, Float64Array.from(labels), alpha, gamma);
      expectClose([value(focal, classification(logits, labels, 2), {alpha, gamma})], [expected]);
    });
  }
  test("focal() stays finite in value and gradient at logits of ±1e4 and for a confidently right sample with γ < 1", () => {
    const logits = new Float32Array([1e4, -1e4, 0, 0, -1e4, 1e4, 0, 0, 50, -50, -50, -50]);
    const labels = new Int32Array([0, 0, 0]);
    for (const gamma of [2, 0.5]) {
      const [v, g] = tf.tidy(() => {
        const y = tf.tensor1d(labels, "int32");
        const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
          focal.fn({logits: x as tf.Tensor2D, labels: y}, {gamma})
        )(tf.tensor2d(logits, [3, C]));
        return [value.dataSync()[0], Array.from(grad.dataSync())];
      });
      expect(Number.isFinite(v), `value ${v}`).toBe(true);
      expect(g.every(Number.isFinite), `gradient ${g}`).toBe(true);
      // the badly wrong middle sample dominates: loss ≈ 2e4 / 3
      expect(v).toBeCloseTo(2e4 / 3, -1);
    }
  });
  test("focal() gradient matches the float64 oracle (γ = 2 and γ = 0.5)", () => {
    const {logits, labels} = fixture(7, 1.5);
    const y = tf.tensor1d(labels, "int32");
    const x0 = tf.tensor2d(logits, [B, C]);
    for (const gamma of [2, 0.5]) {
      gradcheck(
        (x) => focal.fn({logits: x as tf.Tensor2D, labels: y}, {gamma}),
        (x) => focalOracle(x, labels, C, gamma),
        x0
      );
    }
    x0.dispose();
    y.dispose();
  });
  test("focal({alpha}) needs two classes, and alpha and classAlpha exclude each other", () => {
    const {logits, labels} = fixture(8);
    expect(() => value(focal, classification(logits, labels), {alpha: 0.25})).toThrow(/^focal: invalid alpha: 0.25/);
    const two = fixture(8, 3, 2);
    const arrays = {
      ...classification(two.logits, two.labels, 2),
      classAlpha: {data: new Float32Array([1, 2]), shape: [2]}
    };
    expect(() => value(focal, arrays, {alpha: 0.25})).toThrow(/^focal: give either alpha/);
  });
  test("focal rejects bad hyper-parameters and a classAlpha of the wrong length", () => {
    const {logits, labels} = fixture(9);
    expect(() => value(focal, classification(logits, labels), {gamma: -1})).toThrow("focal: invalid gamma: -1");
    const arrays = {...classification(logits, labels), classAlpha: {data: new Float32Array([1, 2, 3]), shape: [3]}};
    expect(() => value(focal, arrays)).toThrow(/^focal: classAlpha has classes 3, expected 4/);
  });
});

describe("generalized-focal (DatasetEquity)", () => {
  const likelihood = new Float32Array([1, 0.5, 0.1, 0.02, 0.75, 0.3]);
  const withLikelihood = (logits: Float32Array, labels: Int32Array, p = likelihood): Arrays => ({
    ...classification(logits, labels),
    sampleLikelihood: {data: p, shape: [labels.length]}
  });
  for (const [eta, gamma] of [
    [1, 5],
    [0.5, 5],
    [0.3, 2]
  ]) {
    test(`generalizedFocal({eta: ${eta}, gamma: ${gamma}}) equals w(p)·CE averaged over the batch`, () => {
      const {logits, labels} = fixture(10);
      expectClose(
        [value(generalizedFocal, withLikelihood(logits, labels), {eta, gamma})],
        [generalizedFocalOracle(logits, labels, C, likelihood, eta, gamma)]
      );
    });
  }
  test("likelihoods kept in a sampleState keyed by id and gathered per batch give the same loss", () => {
    const {logits, labels} = fixture(10);
    const state = sampleState({size: 20});
    const ids = Int32Array.from([3, 17, 5, 0, 11, 8]);
    tf.tidy(() => state.write(tf.tensor1d(ids, "int32"), tf.tensor1d(likelihood)));
    const gathered = tf.tidy(
      () =>
        generalizedFocal
          .fn({
            logits: tf.tensor2d(logits, [B, C]),
            labels: tf.tensor1d(labels, "int32"),
            sampleLikelihood: state.gather(tf.tensor1d(ids, "int32"))
          })
          .dataSync()[0]
    );
    state.dispose();
    expectClose([gathered], [generalizedFocalOracle(logits, labels, C, likelihood, 1, 5)]);
  });
  test("generalizedFocal({gamma: 0}) equals cross-entropy whatever the likelihoods", () => {
    const {logits, labels} = fixture(11);
    expectClose(
      [value(generalizedFocal, withLikelihood(logits, labels), {gamma: 0})],
      [crossEntropyOracle(logits, labels, C)]
    );
  });
  test("generalizedFocal({eta}) weighs the most common cluster (p = 1) by η/(η + 1)", () => {
    const {logits, labels} = fixture(12);
    const ones = new Float32Array(B).fill(1);
    expectClose(
      [value(generalizedFocal, withLikelihood(logits, labels, ones), {eta: 0.5})],
      [(0.5 / 1.5) * crossEntropyOracle(logits, labels, C)]
    );
  });
  test("generalizedFocal({eta: 0, gamma}) with the model's p_y as likelihood equals focal({gamma})", () => {
    const {logits, labels} = fixture(13);
    const py = Float32Array.from(labels, (y, i) => labelProbability(logits, C, i, y));
    expectClose(
      [value(generalizedFocal, withLikelihood(logits, labels, py), {eta: 0, gamma: 2})],
      [value(focal, classification(logits, labels), {gamma: 2})]
    );
  });
  test("datasetEquityWeight(p, η, γ) falls from 1 (rare) to η/(η + 1) (most common)", () => {
    expect(datasetEquityWeight(0, 1, 5)).toBe(1);
    expect(datasetEquityWeight(1, 1, 5)).toBe(0.5);
    expect(datasetEquityWeight(0.3, 1, 0)).toBe(1);
    const ws = [0.01, 0.1, 0.5, 0.9].map((p) => datasetEquityWeight(p, 0.5, 2));
    for (let i = 1; i < ws.length; ++i) expect(ws[i]).toBeLessThan(ws[i - 1]);
  });
  test("clusterLikelihoods(ids) divides cluster sizes by the largest, noise as one cluster or as singletons", () => {
    const ids = [0, 0, 0, 0, 1, 1, -1, -1, 2];
    expectClose(clusterLikelihoods(ids), [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
    expectClose(clusterLikelihoods(ids, {noise: "singleton"}), [1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25]);
  });
  test("generalizedFocal() gradient matches the float64 oracle", () => {
    const {logits, labels} = fixture(14, 1.5);
    const y = tf.tensor1d(labels, "int32");
    const p = tf.tensor1d(likelihood);
    const x0 = tf.tensor2d(logits, [B, C]);
    gradcheck(
      (x) => generalizedFocal.fn({logits: x as tf.Tensor2D, labels: y, sampleLikelihood: p}),
      (x) => generalizedFocalOracle(x, labels, C, likelihood, 1, 5),
      x0
    );
    tf.dispose([x0, y, p]);
  });
  test("generalizedFocal rejects likelihoods outside [0, 1] and bad hyper-parameters", () => {
    const {logits, labels} = fixture(15);
    const bad = likelihood.slice();
    bad[3] = 1.5;
    expect(() => value(generalizedFocal, withLikelihood(logits, labels, bad))).toThrow(
      "generalized-focal: sampleLikelihood[3] = 1.5 is outside [0, 1]"
    );
    expect(() => value(generalizedFocal, withLikelihood(logits, labels), {eta: -1})).toThrow(
      "generalized-focal: invalid eta: -1"
    );
  });
});

test("focalLosses lists both losses", () => {
  expect(focalLosses.map((l) => l.id)).toEqual(["focal", "generalized-focal"]);
});

lossContract(focal, {params: [{}, {gamma: 0}, {gamma: 0.5}]});
lossContract(focal, {
  dims: {B: 8, C: 2},
  params: [{alpha: 0.25}, {alpha: 0.8, gamma: 1}]
});
lossContract(generalizedFocal, {params: [{}, {eta: 0.5, gamma: 5}, {gamma: 0}]});
