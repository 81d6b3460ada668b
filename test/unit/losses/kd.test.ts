import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import {dhkd, kd, kdLosses, nd} from "../../../src/losses/kd.js";
import {random} from "../../../src/random.js";
import {binaryKlOracle, ceRow, dhkdOracle, kdOracle, klRow, ndOracle, ndTermOracle} from "../../oracles/kd.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 6;
const C = 4;
const D = 3;
useCpuBackend();

/** Readable seeded inputs: logits in [−3, 3], labels covering every class, embeddings in [−2, 2]. */
function fixture(seed = 1, scale = 3) {
  const rng = random(seed).fork("kd-fixture");
  return {
    logits: rng.uniforms(B * C, -scale, scale),
    teacherLogits: rng.uniforms(B * C, -scale, scale),
    auxLogits: rng.uniforms(B * C, -scale, scale),
    labels: Int32Array.from({length: B}, (_, i) => i % C),
    embeddings: rng.uniforms(B * D, -2, 2),
    teacherEmbeddings: rng.uniforms(B * D, -2, 2),
    classCenters: rng.uniforms(C * D, -2, 2)
  };
}
type Fixture = ReturnType<typeof fixture>;

function tensors(f: Partial<Fixture>) {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, data] of Object.entries(f)) {
    if (name === "labels") out[name] = tf.tensor1d(data as Int32Array, "int32");
    else {
      const cols = name.endsWith("Logits") || name === "logits" ? C : D;
      const rows = name === "classCenters" ? C : B;
      out[name] = tf.tensor2d(data as Float32Array, [rows, cols]);
    }
  }
  return out;
}

function value(loss: (typeof kdLosses)[number], f: Partial<Fixture>, params?: object): number {
  return tf.tidy(() => (loss.fn as (i: object, p?: object) => tf.Scalar)(tensors(f), params).dataSync()[0]);
}

/** Gradient of the loss with respect to one named input, as a plain array. */
function gradient(loss: (typeof kdLosses)[number], f: Partial<Fixture>, name: string, params?: object): Float32Array {
  return tf.tidy(() => {
    const inputs = tensors(f);
    const g = tf.grad((x: tf.Tensor) =>
      (loss.fn as (i: object, p?: object) => tf.Scalar)({...inputs, [name]: x}, params)
    )(inputs[name]);
    return g.dataSync() as Float32Array;
  });
}

function check(
  loss: (typeof kdLosses)[number],
  f: Fixture,
  name: keyof Fixture,
  oracle: (x: Float64Array) => number,
  params?: object
) {
  tf.tidy(() => {
    const inputs = tensors(f);
    gradcheck(
      (x) => (loss.fn as (i: object, p?: object) => tf.Scalar)({...inputs, [name]: x}, params),
      oracle,
      inputs[name]
    );
  });
}

describe("kd", () => {
  for (const params of [{}, {temperature: 1, alpha: 0.5}, {temperature: 20, alpha: 0}, {temperature: 0.5, alpha: 1}]) {
    test(`kd(${JSON.stringify(params)}) equals α·CE + (1 − α)·T²·KL, batch mean`, () => {
      const f = fixture(2);
      const {temperature = 4, alpha = 0.1} = params as {temperature?: number; alpha?: number};
      expectClose([value(kd, f, params)], [kdOracle(f.logits, f.teacherLogits, f.labels, C, temperature, alpha)]);
    });
  }

  test("kd.terms({alpha: 0.3}) returns the cross-entropy and the distillation part as separate terms", () => {
    const f = fixture(3);
    const [ce, distillation] = tf.tidy(() => {
      const terms = kd.terms(tensors(f) as never, {alpha: 0.3});
      expect(Object.keys(terms).sort()).toEqual(["ce", "distillation"]);
      return [Array.from(terms.ce.values.dataSync()), Array.from(terms.distillation.values.dataSync())];
    });
    expectClose(
      ce,
      Array.from(f.labels, (y, i) => 0.3 * ceRow(f.logits, C, i, y))
    );
    expectClose(
      distillation,
      Array.from(f.labels, (_, i) => 0.7 * 16 * klRow(f.logits, f.teacherLogits, C, i, 4))
    );
  });

  test("kd({alpha: 1}) equals cross-entropy", () => {
    const f = fixture(4);
    const ce = tf.tidy(() => crossEntropy.fn(tensors({logits: f.logits, labels: f.labels}) as never).dataSync()[0]);
    expectClose([value(kd, f, {alpha: 1})], [ce]);
  });

  test("kd({alpha: 0}) is 0 with a zero gradient when the teacher equals the student", () => {
    const f = fixture(5);
    const same = {...f, teacherLogits: f.logits};
    expect(Math.abs(value(kd, same, {alpha: 0}))).toBeLessThan(1e-6);
    const g = gradient(kd, same, "logits", {alpha: 0});
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-7);
  });

  test("kd's distillation part ignores a constant shift of each teacher row (softmax invariance)", () => {
    const f = fixture(6);
    const shifted = Float32Array.from(f.teacherLogits, (v, j) => v + 2 + Math.floor(j / C));
    expectClose([value(kd, {...f, teacherLogits: shifted})], [value(kd, f)]);
  });

  test("kd's T² factor keeps the soft-target gradient at (z − v)/(C·B) for zero-mean logits and large T", () => {
    // Hinton et al. 2015, §2.1: at high temperature ∂KL/∂z_i ≈ (z_i − v_i)/(N T²); T² cancels the 1/T².
    const f = fixture(7);
    const centre = (x: Float32Array) =>
      Float32Array.from(x, (v, j) => {
        const row = Math.floor(j / C);
        let m = 0;
        for (let k = 0; k < C; ++k) m += x[row * C + k];
        return v - m / C;
      });
    const z = centre(f.logits);
    const v = centre(f.teacherLogits);
    const expected = Array.from(z, (zi, j) => (zi - v[j]) / (C * B));
    const g50 = Array.from(gradient(kd, {...f, logits: z, teacherLogits: v}, "logits", {alpha: 0, temperature: 50}));
    const norm = (a: number[]) => Math.hypot(...a);
    expect(norm(g50.map((g, j) => g - expected[j])) / norm(expected)).toBeLessThan(0.02);
    // Across temperatures the scale stays put (without T² it would change by (40/10)² = 16).
    const g10 = norm(
      Array.from(gradient(kd, {...f, logits: z, teacherLogits: v}, "logits", {alpha: 0, temperature: 10}))
    );
    const g40 = norm(
      Array.from(gradient(kd, {...f, logits: z, teacherLogits: v}, "logits", {alpha: 0, temperature: 40}))
    );
    expect(g10 / g40).toBeGreaterThan(0.8);
    expect(g10 / g40).toBeLessThan(1.25);
  });

  test("kd: autograd matches the float64 oracle for student and teacher logits", () => {
    const f = fixture(8, 1.5);
    check(kd, f, "logits", (x) => kdOracle(x, f.teacherLogits, f.labels, C, 4, 0.1));
    check(kd, f, "teacherLogits", (x) => kdOracle(f.logits, x, f.labels, C, 4, 0.1));
    check(kd, f, "logits", (x) => kdOracle(x, f.teacherLogits, f.labels, C, 1, 0.5), {temperature: 1, alpha: 0.5});
  });

  test("kd stays finite in value and gradient for logits of ±1e4", () => {
    const f = fixture(9);
    const big = {
      ...f,
      logits: f.logits.map((v) => Math.sign(v) * 1e4),
      teacherLogits: f.teacherLogits.map((v) => -Math.sign(v) * 1e4)
    };
    for (const temperature of [0.5, 4]) {
      expect(Number.isFinite(value(kd, big, {temperature}))).toBe(true);
      expect(gradient(kd, big, "logits", {temperature}).every(Number.isFinite)).toBe(true);
      expect(gradient(kd, big, "teacherLogits", {temperature}).every(Number.isFinite)).toBe(true);
    }
  });

  test("kd rejects invalid hyper-parameters naming them", () => {
    const f = fixture(1);
    expect(() => value(kd, f, {temperature: 0})).toThrow("kd: invalid temperature: 0");
    expect(() => value(kd, f, {alpha: 1.5})).toThrow("kd: invalid alpha: 1.5");
  });
});

describe("dhkd", () => {
  for (const params of [
    {},
    {temperature: 3, gamma: 0.5, alpha: 2},
    {form: "binary-kl"},
    {form: "binary-kl", temperature: 1, alpha: 0.1}
  ] as const) {
    test(`dhkd(${JSON.stringify(params)}) equals γ·CE(logits) + α·T²/N·Σ BinaryKL(auxLogits, teacher)`, () => {
      const f = fixture(10);
      expectClose([value(dhkd, f, params)], [dhkdOracle(f.logits, f.auxLogits, f.teacherLogits, f.labels, C, params)]);
    });
  }

  test("dhkd({gamma: 0}) is 0 with a zero gradient exactly when auxLogits equal teacherLogits", () => {
    const f = fixture(11);
    const same = {...f, auxLogits: f.teacherLogits};
    expect(Math.abs(value(dhkd, same, {gamma: 0}))).toBeLessThan(1e-6);
    expect(Math.max(...gradient(dhkd, same, "auxLogits", {gamma: 0}).map(Math.abs))).toBeLessThan(1e-7);
    expect(value(dhkd, f, {gamma: 0})).toBeGreaterThan(0.01);
  });

  test("dhkd's BinaryKL-Norm sees the absolute logit level that softmax KD ignores", () => {
    const f = fixture(12);
    const same = {...f, auxLogits: f.teacherLogits};
    const up = {...f, auxLogits: f.teacherLogits.map((v) => v + 1)};
    // a common shift of aux and teacher changes nothing; shifting the aux head alone is penalised
    const both = {...f, auxLogits: f.teacherLogits.map((v) => v + 1), teacherLogits: f.teacherLogits.map((v) => v + 1)};
    expectClose([value(dhkd, both, {gamma: 0})], [value(dhkd, same, {gamma: 0})]);
    expect(value(dhkd, up, {gamma: 0})).toBeGreaterThan(0.1);
    expect(Math.abs(value(kd, {...f, logits: f.teacherLogits.map((v) => v + 1)}, {alpha: 0}))).toBeLessThan(1e-5);
  });

  test("dhkd: the aux-head gradient is α·T·(σ((z' − t)/T) − ½)/N and cross-entropy reaches only logits", () => {
    const f = fixture(13);
    const [T, alpha] = [2, 0.7];
    const g = gradient(dhkd, f, "auxLogits", {temperature: T, alpha});
    const expected = Array.from(
      f.auxLogits,
      (a, j) => (alpha * T * (1 / (1 + Math.exp(-(a - f.teacherLogits[j]) / T)) - 0.5)) / B
    );
    expectClose(g, expected);
    const ceGrad = tf.tidy(() => {
      const y = tf.tensor1d(f.labels, "int32");
      return tf
        .grad((x: tf.Tensor) => crossEntropy.fn({logits: x as tf.Tensor2D, labels: y}))(tf.tensor2d(f.logits, [B, C]))
        .dataSync();
    });
    expectClose(
      gradient(dhkd, f, "logits", {gamma: 0.5}),
      Array.from(ceGrad, (v) => 0.5 * v)
    );
  });

  test("dhkd saturates like the official clamp (probabilities in [1e-8, 1 − 1e-8]) for logit gaps of 1e4", () => {
    const f = fixture(14);
    const far = {
      ...f,
      auxLogits: f.auxLogits.map((v) => Math.sign(v) * 1e4),
      teacherLogits: f.teacherLogits.map((v) => -Math.sign(v) * 50)
    };
    for (const form of ["binary-kl-norm", "binary-kl"] as const) {
      const v = value(dhkd, far, {gamma: 0, form});
      expectClose([v], [binaryKlOracle(far.auxLogits, far.teacherLogits, C, 2, form)]);
      expect(gradient(dhkd, far, "auxLogits", {form}).every(Number.isFinite)).toBe(true);
      expect(gradient(dhkd, far, "teacherLogits", {form}).every(Number.isFinite)).toBe(true);
    }
  });

  test("dhkd: autograd matches the float64 oracle", () => {
    const f = fixture(15, 2);
    check(dhkd, f, "auxLogits", (x) => dhkdOracle(f.logits, x, f.teacherLogits, f.labels, C));
    check(dhkd, f, "logits", (x) => dhkdOracle(x, f.auxLogits, f.teacherLogits, f.labels, C));
    check(dhkd, f, "auxLogits", (x) => dhkdOracle(f.logits, x, f.teacherLogits, f.labels, C, {form: "binary-kl"}), {
      form: "binary-kl"
    });
    check(dhkd, f, "teacherLogits", (x) => dhkdOracle(f.logits, f.auxLogits, x, f.labels, C, {form: "binary-kl"}), {
      form: "binary-kl"
    });
  });

  test("dhkd rejects invalid hyper-parameters naming them", () => {
    const f = fixture(1);
    expect(() => value(dhkd, f, {temperature: 0})).toThrow("dhkd: invalid temperature: 0");
    expect(() => value(dhkd, f, {form: "softmax"})).toThrow('dhkd: invalid form: "softmax"');
  });
});

describe("nd", () => {
  test("nd() equals CE + T²·KL + ND with the official defaults", () => {
    const f = fixture(20);
    expectClose([value(nd, f)], [ndOracle(f, C, D)]);
  });

  test("nd({ndWeight: 2, kdWeight: 3.5, clsWeight: 0.5, temperature: 2}) weighs each part", () => {
    const f = fixture(21);
    const params = {ndWeight: 2, kdWeight: 3.5, clsWeight: 0.5, temperature: 2};
    expectClose([value(nd, f, params)], [ndOracle(f, C, D, params)]);
  });

  test("nd({clsWeight: 0, kdWeight: 0}) is DirectNormLoss: mean of 1 − ⟨s, e_y⟩ / max(‖s‖, ‖t‖)", () => {
    const f = fixture(22);
    expectClose(
      [value(nd, f, {clsWeight: 0, kdWeight: 0})],
      [ndTermOracle(f.embeddings, f.teacherEmbeddings, f.classCenters, f.labels, D)]
    );
  });

  test("nd's ND term is 1 − cos(s, c_y) when the student's norm exceeds the teacher's", () => {
    const f = fixture(23);
    const small = {...f, teacherEmbeddings: f.teacherEmbeddings.map((v) => v * 1e-3)};
    let expected = 0;
    for (let i = 0; i < B; ++i) {
      const y = f.labels[i];
      let dot = 0,
        ss = 0,
        cc = 0;
      for (let d = 0; d < D; ++d) {
        dot += f.embeddings[i * D + d] * f.classCenters[y * D + d];
        ss += f.embeddings[i * D + d] ** 2;
        cc += f.classCenters[y * D + d] ** 2;
      }
      expected += 1 - dot / Math.sqrt(ss * cc);
    }
    expectClose([value(nd, small, {clsWeight: 0, kdWeight: 0})], [expected / B]);
  });

  test("nd's ND term grows the projection linearly while the student's norm is below the teacher's", () => {
    const f = fixture(24);
    const big = {...f, teacherEmbeddings: f.teacherEmbeddings.map((v) => v * 1e3)};
    const at = (k: number) =>
      value(nd, {...big, embeddings: f.embeddings.map((v) => v * k)}, {clsWeight: 0, kdWeight: 0});
    // 1 − k⟨s, e⟩/‖t‖ is affine in k: ND(3s) − 1 = 3 (ND(s) − 1)
    expectClose([at(3) - 1], [3 * (at(1) - 1)], {rtol: 1e-4, atol: 1e-6});
  });

  test("nd ignores the scale of classCenters (only their directions count)", () => {
    const f = fixture(25);
    expectClose([value(nd, {...f, classCenters: f.classCenters.map((v) => v * 7.5)})], [value(nd, f)]);
  });

  test("nd with a zero student embedding has the finite gradient −λ·e_y/(‖t‖·B)", () => {
    const f = fixture(26);
    const zero = {...f, embeddings: new Float32Array(B * D)};
    const g = gradient(nd, zero, "embeddings", {clsWeight: 0, kdWeight: 0, ndWeight: 2});
    const expected: number[] = [];
    for (let i = 0; i < B; ++i) {
      const y = f.labels[i];
      const c = Array.from({length: D}, (_, d) => f.classCenters[y * D + d]);
      const t = Math.hypot(...Array.from({length: D}, (_, d) => f.teacherEmbeddings[i * D + d]));
      const cn = Math.hypot(...c);
      for (let d = 0; d < D; ++d) expected.push((-2 * c[d]) / cn / t / B);
    }
    expectClose(g, expected);
  });

  test("nd: autograd matches the float64 oracle for embeddings, logits and teacher embeddings", () => {
    const f = fixture(27, 2);
    check(nd, f, "embeddings", (x) => ndOracle({...f, embeddings: x}, C, D));
    check(nd, f, "logits", (x) => ndOracle({...f, logits: x}, C, D));
    check(nd, f, "classCenters", (x) => ndOracle({...f, classCenters: x}, C, D));
  });

  test("nd stays finite for logits of ±1e4 and embeddings of ±1e4", () => {
    const f = fixture(28);
    const big = {
      ...f,
      logits: f.logits.map((v) => Math.sign(v) * 1e4),
      teacherLogits: f.teacherLogits.map((v) => -Math.sign(v) * 1e4),
      embeddings: f.embeddings.map((v) => v * 5e3)
    };
    expect(Number.isFinite(value(nd, big))).toBe(true);
    for (const name of ["logits", "embeddings"]) expect(gradient(nd, big, name).every(Number.isFinite)).toBe(true);
  });

  test("nd rejects invalid hyper-parameters naming them", () => {
    const f = fixture(1);
    expect(() => value(nd, f, {ndWeight: -1})).toThrow("nd: invalid ndWeight: -1");
  });

  test("nd names classCenters when its class count disagrees with the logits", () => {
    const f = fixture(1);
    expect(() => tf.tidy(() => nd.fn({...tensors(f), classCenters: tf.zeros([C + 1, D])} as never))).toThrow(
      /^nd: classCenters has classes 5, expected 4/
    );
  });
});

test("kdLosses lists kd, dhkd and nd", () => {
  expect(kdLosses.map((l) => l.id)).toEqual(["kd", "dhkd", "nd"]);
  expect(Object.isFrozen(kdLosses)).toBe(true);
});

lossContract(kd);
lossContract(dhkd);
lossContract(dhkd, {params: [{form: "binary-kl"}]});
lossContract(nd);
