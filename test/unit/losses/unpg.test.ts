import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {marginTarget, unpg, whiskerMask} from "../../../src/losses/unpg.js";
import {random} from "../../../src/random.js";
import {unpgOracle, unpgPairs} from "../../oracles/unpg.js";
import type {UnpgOptions} from "../../oracles/unpg.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

useCpuBackend();

const B = 8;
const C = 4;
const D = 4;
const labels = [0, 1, 2, 3, 0, 1, 2, 3];

function fixture(seed = 1) {
  const rng = random(seed).fork("unpg");
  return {embeddings: rng.normals(B * D), prototypes: rng.normals(C * D), labels};
}
type Fixture = ReturnType<typeof fixture>;

function inputs(f: Fixture) {
  const n = f.labels.length;
  const dim = f.embeddings.length / n;
  return {
    embeddings: tf.tensor2d(f.embeddings, [n, dim]),
    labels: tf.tensor1d(Int32Array.from(f.labels), "int32"),
    prototypes: tf.tensor2d(f.prototypes, [f.prototypes.length / dim, dim])
  };
}

function value(f: Fixture, params?: UnpgOptions): number {
  return tf.tidy(() => unpg.fn(inputs(f), params).dataSync()[0]);
}

function oracle(f: Fixture, params?: UnpgOptions): number {
  const dim = f.embeddings.length / f.labels.length;
  return unpgOracle(f.embeddings, f.labels, f.prototypes, f.prototypes.length / dim, dim, params);
}

describe("values match the float64 reference", () => {
  const cases: UnpgOptions[] = [
    {},
    {head: "cosface"},
    {scale: 16, margin: 0.2},
    {wisk: 0},
    {wisk: 0.3, head: "cosface", scale: 30, margin: 0.35},
    {filter: false},
    {pairNegatives: false}
  ];
  for (const params of cases) {
    test(`unpg(${JSON.stringify(params)}) equals the reference`, () => {
      for (const seed of [1, 2, 3]) {
        const f = fixture(seed);
        expectClose([value(f, params)], [oracle(f, params)]);
      }
    });
  }
});

describe("gradients", () => {
  for (const params of [{scale: 16, margin: 0.3}, {}, {head: "cosface", wisk: 0.5}] as UnpgOptions[]) {
    for (const name of ["embeddings", "prototypes"] as const) {
      test(`unpg(${JSON.stringify(params)}): autograd with respect to ${name} matches central differences`, () => {
        const f = fixture(4);
        const t = inputs(f);
        gradcheck(
          (x) => unpg.fn({...t, [name]: x}, params),
          (x) => oracle({...f, [name]: x} as unknown as Fixture, params),
          t[name],
          {rtol: 2e-3}
        );
        tf.dispose(t);
      });
    }
  }
});

lossContract(unpg, {params: [{}, {head: "cosface"}, {filter: false}, {pairNegatives: false}]});

describe("properties", () => {
  test("unpg({pairNegatives: false}) is the ArcFace / CosFace margin-softmax cross-entropy", () => {
    const f = fixture(5);
    // The base head, written out here with acos: −log softmax(s·[cos(θ_y + m), cos θ_j]).
    const base = (head: "arcface" | "cosface") => {
      const x = f.embeddings,
        w = f.prototypes;
      let total = 0;
      for (let i = 0; i < B; ++i) {
        const nx = Math.hypot(...x.slice(i * D, (i + 1) * D));
        const z: number[] = [];
        for (let c = 0; c < C; ++c) {
          const nw = Math.hypot(...w.slice(c * D, (c + 1) * D));
          let cos = 0;
          for (let k = 0; k < D; ++k) cos += (x[i * D + k] / nx) * (w[c * D + k] / nw);
          if (c === labels[i]) cos = head === "arcface" ? Math.cos(Math.acos(cos) + 0.5) : cos - 0.5;
          z.push(64 * cos);
        }
        const max = Math.max(...z);
        total -= z[labels[i]] - max - Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
      }
      return total / B;
    };
    expectClose([value(f, {pairNegatives: false})], [base("arcface")]);
    expectClose([value(f, {pairNegatives: false, head: "cosface"})], [base("cosface")]);
    // The feature negatives do add to the denominator.
    expect(value(f) - base("arcface")).toBeGreaterThan(1e-3);
  });

  test("unpg() on a batch with no negative pair (one identity) reduces to the base head", () => {
    const f = {...fixture(6), labels: labels.map(() => 2)};
    expectClose([value(f)], [value(f, {pairNegatives: false})]);
    expectClose([value(f, {filter: false})], [value(f, {pairNegatives: false})]);
  });

  test("unpg({filter: false}) appends every negative pair; the whisker filter drops an outlier pair", () => {
    // In 16 dimensions random pairs have small cosines; samples 0 and 5 are near-duplicates with
    // different identities: a noisy negative pair far above the upper whisker.
    const wide = 16;
    const rng = random(7).fork("wide");
    const emb = rng.normals(B * wide);
    for (let k = 0; k < wide; ++k) emb[5 * wide + k] = emb[k] + 0.01 * (k % 3);
    const noisy = {embeddings: emb, prototypes: rng.normals(C * wide), labels};
    const {all, kept, keptPairs} = unpgPairs(emb, labels, wide);
    expect(all.length).toBe(24);
    expect(kept.length).toBe(23);
    expect(keptPairs.some(([a, b]) => a === 0 && b === 5)).toBe(false);
    expectClose([value(noisy)], [oracle(noisy)]);
    expectClose([value(noisy, {filter: false})], [oracle(noisy, {filter: false})]);
    // The dropped pair (cosine ≈ 1, scale 64) dominates the unfiltered denominator.
    expect(value(noisy, {filter: false}) - value(noisy)).toBeGreaterThan(10);
  });

  test("whiskerMask(values, keep, w) keeps [Q1 − w·IQR, Q3 + w·IQR] of the kept entries only", () => {
    tf.tidy(() => {
      const values = tf.tensor1d([0.1, 0.2, 0.3, 0.4, 5, -7, 0.25, 100]);
      const keep = tf.tensor1d([1, 1, 1, 1, 1, 1, 1, 0]);
      // Kept sorted: −7, 0.1, 0.2, 0.25, 0.3, 0.4, 5 (M = 7): Q1 = sorted[1] = 0.1, Q3 = sorted[5] = 0.4.
      expectClose(whiskerMask(values, keep, 1.5).dataSync(), [1, 1, 1, 1, 0, 0, 1, 0]);
      // w = 20 widens the window to [−5.9, 6.4]: 5 is back in, −7 still out.
      expectClose(whiskerMask(values, keep, 20).dataSync(), [1, 1, 1, 1, 1, 0, 1, 0]);
      expectClose(whiskerMask(values, tf.zerosLike(keep), 1.5).dataSync(), [0, 0, 0, 0, 0, 0, 0, 0]);
    });
  });

  test("marginTarget(cos, 'arcface', m) equals cos(acos(cos) + m), also past θ + m > π", () => {
    const cosines = [-0.999, -0.9, -0.3, 0, 0.5, 0.99];
    const got = tf.tidy(() => marginTarget(tf.tensor1d(cosines), "arcface", 0.5).dataSync());
    expectClose(
      got,
      cosines.map((c) => Math.cos(Math.acos(c) + 0.5))
    );
  });

  test("the ArcFace target has a finite gradient where an embedding equals its class weight (cos θ = 1)", () => {
    const f = fixture(8);
    const emb = Float32Array.from(f.embeddings);
    for (let i = 0; i < B; ++i) for (let k = 0; k < D; ++k) emb[i * D + k] = f.prototypes[labels[i] * D + k];
    const g = tf.tidy(() => {
      const t = inputs({...f, embeddings: emb});
      return tf
        .grad((x: tf.Tensor) => unpg.fn({...t, embeddings: x as tf.Tensor2D}))(t.embeddings)
        .dataSync();
    });
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });

  test("unpg() stays finite for embeddings and weights of ±1e4", () => {
    const f = fixture(9);
    const big = {...f, embeddings: f.embeddings.map((v) => v * 1e4), prototypes: f.prototypes.map((v) => v * 1e4)};
    const [v, g] = tf.tidy(() => {
      const t = inputs(big);
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => unpg.fn({...t, embeddings: x as tf.Tensor2D}))(
        t.embeddings
      );
      return [value.dataSync()[0], grad.dataSync()];
    });
    expect(Number.isFinite(v)).toBe(true);
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
});

describe("bad input", () => {
  test("bad hyper-parameters throw naming the loss and the value", () => {
    expect(() => value(fixture(), {wisk: -1})).toThrow("unpg: invalid wisk: -1");
    expect(() => value(fixture(), {scale: 0})).toThrow("unpg: invalid scale: 0");
    expect(() => value(fixture(), {head: "sphereface" as never})).toThrow('unpg: invalid head: "sphereface"');
  });
  test("labels beyond the classifier's classes are rejected", () => {
    const f = {...fixture(), labels: labels.map((l, i) => (i === 3 ? 9 : l))};
    expect(() => value(f)).toThrow("unpg: labels[3] = 9 is out of range [0, 4)");
  });
  test("prototypes of the wrong width name the argument", () => {
    const f = {...fixture(), prototypes: new Float32Array(C * (D + 1))};
    expect(() =>
      tf.tidy(() =>
        unpg.fn({
          embeddings: tf.tensor2d(f.embeddings, [B, D]),
          labels: tf.tensor1d(Int32Array.from(labels), "int32"),
          prototypes: tf.tensor2d(f.prototypes, [C, D + 1])
        })
      )
    ).toThrow(/^unpg: prototypes has D = 5, expected 4/);
  });
});
