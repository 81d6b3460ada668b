// The MVCNet notebook's own code: NT-Xent against a float64 loop and the library's info-nce, the Hilbert frequency
// shift against a shifted cosine, the views, the combined loss against its parts, and the synthetic cohort.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import {infoNce} from "../../../src/losses/ntXent.js";
import {
  mvcnetData,
  mvcnetLoss,
  mvcnetNtXent,
  mvcnetReflection,
  mvcnetShiftMatrix,
  mvcnetViews
} from "../../../src/methods/mvcnet.js";
import {random} from "../../../src/random.js";
import {mvcnetExperiment} from "../../../src/experiments/mvcnet.js";
import {runToEnd, train} from "../../../src/train/train.js";
import {resolveParams} from "../../../src/params/schema.js";
import {expectClose} from "../../util/close.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Float64 SimCLR NT-Xent: rows [P; Q], positive of row k is k ± N, denominator every row but k itself. */
function ntXentOracle(p: Float32Array, q: Float32Array, n: number, d: number, tau: number): number {
  const rows: number[][] = [];
  for (const src of [p, q]) {
    for (let i = 0; i < n; ++i) {
      const v = Array.from(src.subarray(i * d, (i + 1) * d));
      const norm = Math.hypot(...v);
      rows.push(v.map((a) => a / norm));
    }
  }
  let total = 0;
  for (let k = 0; k < 2 * n; ++k) {
    const pos = (k + n) % (2 * n);
    let denominator = 0;
    for (let j = 0; j < 2 * n; ++j) {
      if (j === k) continue;
      denominator += Math.exp(rows[k].reduce((a, v, t) => a + v * rows[j][t], 0) / tau);
    }
    const s = rows[k].reduce((a, v, t) => a + v * rows[pos][t], 0) / tau;
    total += Math.log(denominator) - s;
  }
  return total / (2 * n);
}

describe("mvcnetNtXent", () => {
  const rng = random(3).fork("mvcnet-test");
  const n = 5,
    d = 4;
  const p = rng.normals(n * d);
  const q = rng.normals(n * d);

  test("mvcnetNtXent(P, Q, τ) matches a float64 loop over the 2N rows", () => {
    for (const tau of [0.2, 1]) {
      const v = tf.tidy(() => mvcnetNtXent(tf.tensor2d(p, [n, d]), tf.tensor2d(q, [n, d]), tau).dataSync()[0]);
      expectClose([v], [ntXentOracle(p, q, n, d, tau)]);
    }
  });

  test("mvcnetNtXent equals the library's symmetric info-nce", () => {
    const [a, b] = tf.tidy(() => {
      const P = tf.tensor2d(p, [n, d]),
        Q = tf.tensor2d(q, [n, d]);
      return [
        mvcnetNtXent(P, Q, 0.2).dataSync()[0],
        infoNce.fn({embeddings: P, otherEmbeddings: Q}, {temperature: 0.2}).dataSync()[0]
      ];
    });
    expectClose([a], [b]);
  });
});

describe("augmentations", () => {
  test("mvcnetShiftMatrix(T, 0) is the identity", () => {
    const a = mvcnetShiftMatrix(16, 0);
    expectClose(
      a,
      Float32Array.from({length: 256}, (_, k) => (k % 17 === 0 ? 1 : 0)),
      {atol: 1e-6}
    );
  });

  test("mvcnetShiftMatrix shifts an on-bin cosine by f·dt cycles per sample", () => {
    const T = 64,
      f = 10,
      dt = 1 / 250,
      omega = (2 * Math.PI * 5) / T;
    const a = mvcnetShiftMatrix(T, f, dt);
    const x = Float64Array.from({length: T}, (_, t) => Math.cos(omega * t));
    const expected = Float64Array.from({length: T}, (_, t) => Math.cos(omega * t + 2 * Math.PI * f * dt * t));
    const shifted = Float64Array.from({length: T}, (_, r) => {
      let s = 0;
      for (let m = 0; m < T; ++m) s += a[r * T + m] * x[m];
      return s;
    });
    expectClose(shifted, expected, {atol: 1e-5, rtol: 1e-4});
  });

  test("mvcnetViews stacks x, −x, the shifted and the hemisphere-mirrored trials", () => {
    const C = 4,
      T = 3,
      B = 2;
    const x = Float32Array.from({length: B * C * T}, (_, k) => k + 1);
    const identity = Float32Array.from({length: T * T}, (_, k) => (k % (T + 1) === 0 ? 1 : 0));
    const v = tf.tidy(() => mvcnetViews(tf.tensor2d(x, [B, C * T]), C, T, tf.tensor2d(identity, [T, T])).arraySync());
    expect(v.length).toBe(4 * B);
    expect(v[0]).toEqual(Array.from(x.subarray(0, C * T)));
    expect(v[B]).toEqual(Array.from(x.subarray(0, C * T), (a) => -a));
    expect(v[2 * B + 1]).toEqual(Array.from(x.subarray(C * T)));
    // Channel c of the reflected trial is channel C − 1 − c of the original.
    expect(Array.from(mvcnetReflection(C))).toEqual([3, 2, 1, 0]);
    expect(v[3 * B].slice(0, T)).toEqual(Array.from(x.subarray(3 * T, 4 * T)));
    expect(v[3 * B].slice(3 * T)).toEqual(Array.from(x.subarray(0, T)));
  });
});

describe("mvcnetLoss", () => {
  const rng = random(5).fork("mvcnet-loss");
  const B = 3,
    D = 4;
  const logits = rng.normals(4 * B * 2);
  const f = rng.normals(4 * B * D);
  const z = rng.normals(4 * B * D);
  const labels = Int32Array.from([0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0]);

  test("mvcnetLoss({λ₁: 0, λ₂: 0}) is the sum of the four views' mean cross-entropies", () => {
    const [a, b] = tf.tidy(() => {
      const inputs = {
        viewLogits: tf.tensor2d(logits, [4 * B, 2]),
        viewLabels: tf.tensor1d(labels, "int32"),
        viewEmbeddings: tf.tensor2d(f, [4 * B, D]),
        otherEmbeddings: tf.tensor2d(z, [4 * B, D])
      };
      const parts = [0, 1, 2, 3].map(
        (v) =>
          crossEntropy
            .fn({
              logits: tf.slice(inputs.viewLogits, [v * B, 0], [B, -1]) as tf.Tensor2D,
              labels: tf.slice(inputs.viewLabels, [v * B], [B]) as tf.Tensor1D
            })
            .dataSync()[0]
      );
      return [mvcnetLoss.fn(inputs, {lambda1: 0, lambda2: 0}).dataSync()[0], parts.reduce((s, x) => s + x, 0)];
    });
    expectClose([a], [b]);
  });

  test("mvcnetLoss adds λ₁/3 Σ_j NT-Xent([f(x); z(x)], [f(a_j); z(a_j)]) and λ₂ NT-Xent(f, z), by float64 loops", () => {
    const full = tf.tidy(
      () =>
        mvcnetLoss
          .fn(
            {
              viewLogits: tf.tensor2d(logits, [4 * B, 2]),
              viewLabels: tf.tensor1d(labels, "int32"),
              viewEmbeddings: tf.tensor2d(f, [4 * B, D]),
              otherEmbeddings: tf.tensor2d(z, [4 * B, D])
            },
            {lambda1: 0.3, lambda2: 0.7, temperature: 0.5}
          )
          .dataSync()[0]
    );
    const ceOnly = tf.tidy(
      () =>
        mvcnetLoss
          .fn(
            {
              viewLogits: tf.tensor2d(logits, [4 * B, 2]),
              viewLabels: tf.tensor1d(labels, "int32"),
              viewEmbeddings: tf.tensor2d(f, [4 * B, D]),
              otherEmbeddings: tf.tensor2d(z, [4 * B, D])
            },
            {lambda1: 0, lambda2: 0}
          )
          .dataSync()[0]
    );
    const rows = (src: Float32Array, v: number) => src.subarray(v * B * D, (v + 1) * B * D);
    const cat = (a: Float32Array, b: Float32Array) => Float32Array.from([...a, ...b]);
    let crossView = 0;
    for (const j of [1, 2, 3]) {
      crossView += ntXentOracle(cat(rows(f, 0), rows(z, 0)), cat(rows(f, j), rows(z, j)), 2 * B, D, 0.5);
    }
    const crossModel = ntXentOracle(f, z, 4 * B, D, 0.5);
    expectClose([full], [ceOnly + (0.3 / 3) * crossView + 0.7 * crossModel]);
  });
});

describe("mvcnetData", () => {
  test("mvcnetData holds one subject out as the test split, balanced classes, subjects in groups", () => {
    const d = mvcnetData({subjects: 3, trials: 20, testSubject: 1, seed: 2});
    expect(d.inputs).toBe(8 * 64);
    expect(d.train.n).toBe(40);
    expect(d.test.n).toBe(20);
    expect(new Set(d.test.groups)).toEqual(new Set([1]));
    expect(new Set(d.train.groups)).toEqual(new Set([0, 2]));
    expect(d.train.y.reduce((a, b) => a + b, 0)).toBe(20);
  });

  test("mvcnetData: the desynchronised hemisphere carries less power, on the side the class says", () => {
    const d = mvcnetData({subjects: 2, trials: 200, noise: 0.2, subjectSpread: 0, erd: 0.3, seed: 4});
    const power = (i: number, lo: number, hi: number) => {
      let s = 0;
      for (let c = lo; c < hi; ++c) {
        const row = d.train.x.subarray(i * 512 + c * 64, i * 512 + (c + 1) * 64);
        const mean = row.reduce((a, b) => a + b, 0) / 64;
        s += row.reduce((a, b) => a + (b - mean) ** 2, 0);
      }
      return s;
    };
    let agree = 0;
    for (let i = 0; i < d.train.n; ++i) {
      const leftWeaker = power(i, 0, 4) < power(i, 4, 8);
      if (leftWeaker === (d.train.y[i] === 1)) agree++;
    }
    expect(agree / d.train.n).toBeGreaterThan(0.9);
  });

  test("mvcnetData is deterministic in its seed", () => {
    expect(mvcnetData({seed: 1, trials: 4}).train.x).toEqual(mvcnetData({seed: 1, trials: 4}).train.x);
    expect(mvcnetData({seed: 1, trials: 4}).train.x).not.toEqual(mvcnetData({seed: 2, trials: 4}).train.x);
  });
});

describe("mvcnetExperiment", () => {
  test("a short twin run reports per-view accuracy and agreement, trains, and leaves no tensor behind", async () => {
    const before = tf.memory().numTensors;
    const last = await runToEnd(
      train({
        ...mvcnetExperiment.setup(resolveParams(mvcnetExperiment.schema, {trials: 20, batch: 8, seed: 3})),
        steps: 6,
        evalEvery: 3
      })
    );
    expect(last.arms.map((a: {id: string}) => a.id)).toEqual(["augmented-ce", "full"]);
    for (const k of ["flipAccuracy", "shiftAccuracy", "reflectAccuracy", "crossViewCosine"]) {
      expect(Number.isFinite(last.arms[1].metrics[k])).toBe(true);
    }
    expect(Number.isFinite(last.arms[1].metrics.crossModelCosine)).toBe(true);
    expect(Number.isNaN(last.arms[0].metrics.crossModelCosine)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
