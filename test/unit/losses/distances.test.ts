import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {
  cosineSimilarity,
  distanceByName,
  distanceNames,
  dotProductSimilarity,
  l2Normalize,
  lpDistance
} from "../../../src/losses/distances.js";
import {random} from "../../../src/random.js";
import {distanceMatrix, normalizeRow, rowsOf} from "../../oracles/metric.js";
import type {DistanceName} from "../../oracles/metric.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";

const D = 3;
useCpuBackend();

/** Seeded embeddings of norms between 0.5 and 2 (so that normalising matters). */
function points(seed: number, n: number, dim = D): Float32Array {
  const rng = random(seed).fork("points");
  const out = rng.normals(n * dim);
  for (let i = 0; i < n; ++i) {
    const row = Array.from(out.subarray(i * dim, (i + 1) * dim));
    const unit = normalizeRow(row);
    const r = rng.range(0.5, 2);
    for (let k = 0; k < dim; ++k) out[i * dim + k] = r * unit[k];
  }
  return out;
}

function matrixOf(name: string, a: Float32Array, n: number, b?: Float32Array, m = n): number[] {
  return tf.tidy(() =>
    Array.from(
      distanceByName(name)
        .matrix(tf.tensor2d(a, [n, D]), b ? tf.tensor2d(b, [m, D]) : undefined)
        .dataSync()
    )
  );
}

describe("distances match float64 references (PML's LpDistance, CosineSimilarity, DotProductSimilarity)", () => {
  for (const name of distanceNames) {
    test(`distanceByName("${name}").matrix(a) equals the element-by-element reference`, () => {
      const a = points(1, 6);
      expectClose(matrixOf(name, a, 6), distanceMatrix(name, rowsOf(a, 6, D)).flat());
    });
    test(`distanceByName("${name}").matrix(a, b) is the n × m matrix between two sets`, () => {
      const a = points(2, 5);
      const b = points(3, 4);
      const actual = tf.tidy(() => distanceByName(name).matrix(tf.tensor2d(a, [5, D]), tf.tensor2d(b, [4, D])).shape);
      expect(actual).toEqual([5, 4]);
      expectClose(matrixOf(name, a, 5, b, 4), distanceMatrix(name, rowsOf(a, 5, D), rowsOf(b, 4, D)).flat());
    });
  }
  test("lpDistance({p: 1}) is the Manhattan distance of rows normalised to unit L1 norm, as PML's BaseDistance.normalize(p=self.p)", () => {
    const a = points(5, 4);
    const l1 = rowsOf(a, 4, D).map((v) => {
      const s = v.reduce((t, x) => t + Math.abs(x), 0);
      return v.map((x) => x / s);
    });
    const expected = l1.flatMap((u) => l1.map((v) => u.reduce((s, x, k) => s + Math.abs(x - v[k]), 0)));
    const actual = tf.tidy(() =>
      Array.from(
        lpDistance({p: 1})
          .matrix(tf.tensor2d(a, [4, D]))
          .dataSync()
      )
    );
    expectClose(actual, expected);
  });
  test("lpDistance({power: 3}) raises the Euclidean distance to the power, as PML's mat ** power", () => {
    const a = points(6, 4);
    const expected = distanceMatrix("euclidean", rowsOf(a, 4, D))
      .flat()
      .map((d) => d ** 3);
    const actual = tf.tidy(() =>
      Array.from(
        lpDistance({power: 3})
          .matrix(tf.tensor2d(a, [4, D]))
          .dataSync()
      )
    );
    expectClose(actual, expected);
  });
  test("dotProductSimilarity({normalize: true}) equals cosineSimilarity()", () => {
    const a = points(7, 5);
    const [x, y] = tf.tidy(() => {
      const t = tf.tensor2d(a, [5, D]);
      return [
        Array.from(dotProductSimilarity({normalize: true}).matrix(t).dataSync()),
        Array.from(cosineSimilarity().matrix(t).dataSync())
      ];
    });
    expectClose(x, y, {rtol: 1e-6, atol: 1e-7});
  });
});

describe("identities and flags", () => {
  test("on unit vectors ‖a − b‖² = 2 − 2·cos(a, b)", () => {
    const a = points(8, 6);
    const sq = matrixOf("squared-euclidean", a, 6);
    const cos = matrixOf("cosine", a, 6);
    expectClose(
      sq,
      cos.map((c) => 2 - 2 * c),
      {rtol: 1e-5, atol: 1e-6}
    );
    // and the raw (unnormalised) squared distance is not 2 − 2 cos: the identity needs unit vectors
    const raw = matrixOf("euclidean-raw", a, 6).map((d) => d * d);
    expect(raw.some((d, i) => Math.abs(d - (2 - 2 * cos[i])) > 0.1)).toBe(true);
  });
  test("similarities are inverted and distances are not; margin(near, far) > 0 when far is farther", () => {
    for (const name of distanceNames) {
      const distance = distanceByName(name);
      expect(distance.inverted, name).toBe(name === "cosine" || name === "dot");
      expect(distance.normalize, name).toBe(name !== "euclidean-raw" && name !== "dot");
      const [near, far] = distance.inverted ? [0.9, 0.2] : [0.2, 0.9];
      const m = tf.tidy(() => distance.margin(tf.scalar(near), tf.scalar(far)).dataSync()[0]);
      expect(m, name).toBeCloseTo(0.7, 6);
    }
  });
  test("l2Normalize gives unit rows and leaves a zero row at 0 with a finite gradient (F.normalize's eps)", () => {
    const a = Float32Array.from([3, 4, 0, 0, 0, 0, -1, 2, 2]);
    const [rows, grad] = tf.tidy(() => {
      const x = tf.tensor2d(a, [3, D]);
      const w = tf.tensor2d([1, 2, 3, -1, 0.5, 2, 0.3, 0.2, -1], [3, D]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(l2Normalize(t as tf.Tensor2D), w)))(x);
      return [Array.from(l2Normalize(x).dataSync()), Array.from(g.dataSync())];
    });
    expectClose(rows, [0.6, 0.8, 0, 0, 0, 0, -1 / 3, 2 / 3, 2 / 3], {rtol: 1e-6, atol: 1e-7});
    expect(grad.every(Number.isFinite)).toBe(true);
  });
  test("Euclidean distances have a zero, finite gradient at coincident points (the diagonal)", () => {
    const a = points(9, 4);
    a.set(a.subarray(0, D), D); // rows 0 and 1 coincide
    for (const name of ["euclidean", "euclidean-raw", "squared-euclidean"]) {
      const [m, g] = tf.tidy(() => {
        const x = tf.tensor2d(a, [4, D]);
        const f = (t: tf.Tensor) => tf.sum(distanceByName(name).matrix(t as tf.Tensor2D));
        return [Array.from(distanceByName(name).matrix(x).dataSync()), Array.from(tf.grad(f)(x).dataSync())];
      });
      expect(m[0 * 4 + 0], name).toBe(0);
      expect(m[0 * 4 + 1], name).toBe(0);
      expect(g.every(Number.isFinite), name).toBe(true);
    }
  });
  test("Euclidean distances of nearby unit vectors keep float32 accuracy of a few 1e-4 relative", () => {
    // Rows 0.01 apart: an expansion ‖a‖² + ‖b‖² − 2ab would lose digits to cancellation.
    const a = new Float32Array([1, 0, 0, Math.cos(0.01), Math.sin(0.01), 0]);
    const d = matrixOf("euclidean", a, 2)[1];
    const exact = 2 * Math.sin(0.005);
    expect(Math.abs(d - exact) / exact).toBeLessThan(5e-3);
  });
  test("a raw Euclidean self-distance is exactly 0 for rows of norm 1e4 (the expansion would give √(rounding) ≈ 2)", () => {
    const a = Float32Array.from(
      random(12)
        .fork("big")
        .normals(4 * D),
      (v) => v * 1e4
    );
    const m = matrixOf("euclidean-raw", a, 4);
    for (let i = 0; i < 4; ++i) expect(m[i * 4 + i]).toBe(0);
  });
  test("Euclidean distance of unit vectors 1e-3 apart is accurate to 1e-3 relative, as cdist (the expansion: 2.3%)", () => {
    const a = new Float32Array([1, 0, 0, Math.cos(1e-3), Math.sin(1e-3), 0]);
    const exact = 2 * Math.sin(5e-4);
    expect(Math.abs(matrixOf("euclidean", a, 2)[1] - exact) / exact).toBeLessThan(1e-3);
  });
  test("distanceByName names the known distances when given an unknown one", () => {
    expect(() => distanceByName("manhattan")).toThrow(
      "invalid distance: manhattan (expected euclidean, squared-euclidean, euclidean-raw, cosine or dot)"
    );
    expect(() => lpDistance({p: 3 as 2})).toThrow("invalid p: 3");
    expect(() => lpDistance({power: 0})).toThrow("invalid power: 0");
  });
});

describe("gradients", () => {
  for (const name of distanceNames) {
    test(`distanceByName("${name}"): autograd of Σ W ⊙ matrix matches central differences`, () => {
      const a = points(10, 5);
      // The diagonal is included: a point's distance to itself is identically 0 with a zero derivative.
      const W = random(11).fork("weights").normals(25);
      const x0 = tf.tensor2d(a, [5, D]);
      const w = tf.tensor2d(W, [5, 5]);
      gradcheck(
        (x) => tf.sum(tf.mul(distanceByName(name).matrix(x as tf.Tensor2D), w)) as tf.Scalar,
        (x) =>
          distanceMatrix(name as DistanceName, rowsOf(x, 5, D))
            .flat()
            .reduce((s, v, i) => s + v * W[i], 0),
        x0
      );
      tf.dispose([x0, w]);
    });
  }
});
