import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {angularMarginLosses, arcFace, cosFace} from "../../../src/losses/angularMargin.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import type {LossSpec} from "../../../src/losses/defineLoss.js";
import {random} from "../../../src/random.js";
import {arcFaceOracle, cosFaceOracle} from "../../oracles/angularMargin.js";
import {crossEntropyOracle} from "../../oracles/compSum.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 6;
const C = 4;
useCpuBackend();

/** Cosines of unit embeddings at seeded angles against unit class weights, in 2-D: readable and in [−1, 1]. */
function fixture(seed = 1) {
  const rng = random(seed).fork("angular-fixture");
  const embeddingAngles = rng.uniforms(B, 0, 2 * Math.PI);
  const classAngles = [0, 0.5 * Math.PI, Math.PI, 1.5 * Math.PI];
  const cosines = new Float32Array(B * C);
  for (let i = 0; i < B; ++i)
    for (let k = 0; k < C; ++k) cosines[i * C + k] = Math.cos(embeddingAngles[i] - classAngles[k]);
  const labels = Int32Array.from({length: B}, (_, i) => i % C);
  return {cosines, labels};
}

function value(loss: LossSpec<any>, cosines: Float32Array, labels: Int32Array, params?: object): number {
  return tf.tidy(
    () =>
      loss
        .fn({logits: tf.tensor2d(cosines, [labels.length, C]), labels: tf.tensor1d(labels, "int32")}, params)
        .dataSync()[0]
  );
}

function perSample(loss: LossSpec<any>, cosines: Float32Array, labels: Int32Array, params?: object): number[] {
  return tf.tidy(() =>
    Array.from(
      loss
        .terms({logits: tf.tensor2d(cosines, [labels.length, C]), labels: tf.tensor1d(labels, "int32")}, params)
        .loss.values.dataSync()
    )
  );
}

describe("cosface", () => {
  for (const params of [{}, {margin: 0.2, scale: 16}, {margin: 0.5, scale: 30}]) {
    test(`cosFace(${JSON.stringify(params)}) equals pytorch-metric-learning's CosFaceLoss on the cosines`, () => {
      const {cosines, labels} = fixture(2);
      const {margin = 0.35, scale = 64} = params as {margin?: number; scale?: number};
      expectClose([value(cosFace, cosines, labels, params)], [cosFaceOracle(cosines, labels, C, margin, scale)]);
    });
  }
  test("cosFace({margin: 0, scale}) is cross-entropy of the scaled cosines", () => {
    const {cosines, labels} = fixture(3);
    const scaled = cosines.map((c) => 16 * c);
    expectClose([value(cosFace, cosines, labels, {margin: 0, scale: 16})], [crossEntropyOracle(scaled, labels, C)]);
  });
  test("cosFace({margin}) raises every sample's loss above the margin-free one", () => {
    const {cosines, labels} = fixture(4);
    const plain = perSample(cosFace, cosines, labels, {margin: 0, scale: 16});
    const margined = perSample(cosFace, cosines, labels, {margin: 0.35, scale: 16});
    for (let i = 0; i < B; ++i) expect(margined[i], `sample ${i}`).toBeGreaterThan(plain[i]);
  });
  test("cosFace() gradient matches the float64 oracle", () => {
    const {cosines, labels} = fixture(5);
    const y = tf.tensor1d(labels, "int32");
    const x0 = tf.tensor2d(cosines, [B, C]);
    gradcheck(
      (x) => cosFace.fn({logits: x as tf.Tensor2D, labels: y}, {scale: 16}),
      (x) => cosFaceOracle(x, labels, C, 0.35, 16),
      x0
    );
    tf.dispose([x0, y]);
  });
});

describe("arcface", () => {
  for (const params of [{}, {margin: 11.5, scale: 16}, {margin: 45, scale: 30}]) {
    test(`arcFace(${JSON.stringify(params)}) equals pytorch-metric-learning's ArcFaceLoss on the cosines`, () => {
      const {cosines, labels} = fixture(6);
      const {margin = 28.6, scale = 64} = params as {margin?: number; scale?: number};
      expectClose([value(arcFace, cosines, labels, params)], [arcFaceOracle(cosines, labels, C, margin, scale)]);
    });
  }
  test("arcFace() switches to cos θ − m·sin m where θ_y + m would pass π, as PML does", () => {
    // Label cosines −0.95 (θ ≈ 2.82 > π − 0.4992) and 0.3 (the ordinary branch).
    const cosines = new Float32Array([-0.95, 0.1, 0.2, -0.3, 0.3, -0.2, 0.4, 0.1]);
    const labels = new Int32Array([0, 0]);
    const m = (28.6 * Math.PI) / 180;
    const target = -0.95 - m * Math.sin(m);
    const row0 = [target, 0.1, 0.2, -0.3].map((c) => 16 * c);
    const logZ = Math.log(row0.reduce((s, v) => s + Math.exp(v), 0));
    const [first] = perSample(arcFace, cosines, labels, {scale: 16});
    expectClose([first], [logZ - row0[0]]);
    expectClose([value(arcFace, cosines, labels, {scale: 16})], [arcFaceOracle(cosines, labels, C, 28.6, 16)]);
  });
  test("arcFace({margin: 0, scale}) is cross-entropy of the scaled cosines", () => {
    const {cosines, labels} = fixture(7);
    const scaled = cosines.map((c) => 16 * c);
    expectClose([value(arcFace, cosines, labels, {margin: 0, scale: 16})], [crossEntropyOracle(scaled, labels, C)]);
  });
  test("arcFace({margin}) raises every sample's loss above the margin-free one", () => {
    const {cosines, labels} = fixture(8);
    const plain = perSample(arcFace, cosines, labels, {margin: 0, scale: 16});
    const margined = perSample(arcFace, cosines, labels, {margin: 28.6, scale: 16});
    for (let i = 0; i < B; ++i) expect(margined[i], `sample ${i}`).toBeGreaterThan(plain[i]);
  });
  test("arcFace() has a finite gradient at label cosines of exactly ±1", () => {
    const cosines = new Float32Array([1, 0, -1, 0, -1, 0, 1, 0]);
    const labels = new Int32Array([0, 0]);
    const [v, g] = tf.tidy(() => {
      const y = tf.tensor1d(labels, "int32");
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => arcFace.fn({logits: x as tf.Tensor2D, labels: y}))(
        tf.tensor2d(cosines, [2, C])
      );
      return [value.dataSync()[0], Array.from(grad.dataSync())];
    });
    expect(Number.isFinite(v)).toBe(true);
    expect(g.every(Number.isFinite), `gradient ${g}`).toBe(true);
    expectClose([v], [arcFaceOracle(cosines, labels, C, 28.6, 64)], {rtol: 1e-3, atol: 1e-3});
  });
  test("arcFace() gradient matches the float64 oracle", () => {
    const {cosines, labels} = fixture(9);
    const y = tf.tensor1d(labels, "int32");
    const x0 = tf.tensor2d(cosines, [B, C]);
    gradcheck(
      (x) => arcFace.fn({logits: x as tf.Tensor2D, labels: y}, {scale: 16}),
      (x) => arcFaceOracle(x, labels, C, 28.6, 16),
      x0
    );
    tf.dispose([x0, y]);
  });
});

describe("cosine inputs and parameters", () => {
  test("both declare their logits as cosines", () => {
    for (const loss of angularMarginLosses) expect(loss.inputSpecs.logits.values).toBe("cosine");
    expect(angularMarginLosses.map((l) => l.id)).toEqual(["cosface", "arcface"]);
  });
  test("bad margins and scales throw with the loss id", () => {
    const {cosines, labels} = fixture(10);
    expect(() => value(cosFace, cosines, labels, {margin: -0.1})).toThrow("cosface: invalid margin: -0.1");
    expect(() => value(arcFace, cosines, labels, {scale: 0})).toThrow("arcface: invalid scale: 0");
  });
  test("a class with one sample is fine", () => {
    const {cosines} = fixture(11);
    const labels = new Int32Array([0, 1, 1, 1, 1, 1]);
    for (const loss of angularMarginLosses) expect(Number.isFinite(value(loss, cosines, labels))).toBe(true);
    // sanity: CE on identical inputs is also defined (the losses are per-sample)
    expect(
      Number.isFinite(
        tf.tidy(
          () =>
            crossEntropy.fn({logits: tf.tensor2d(cosines, [B, C]), labels: tf.tensor1d(labels, "int32")}).dataSync()[0]
        )
      )
    ).toBe(true);
  });
});

lossContract(cosFace, {params: [{}, {margin: 0, scale: 16}]});
lossContract(arcFace, {params: [{}, {margin: 0, scale: 16}, {margin: 60}]});
