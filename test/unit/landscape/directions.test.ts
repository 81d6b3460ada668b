import {describe, expect, test} from "vitest";
import {mlp} from "../../../src/models/mlp.js";
import {
  checkpointPlane,
  filterNormalizedDirection,
  pcaPlane,
  randomPlane,
  topTwoEigen
} from "../../../src/landscape/directions.js";
import {flattenWeights, layoutOf, paramDot, paramLayout, paramNorm, planePoint} from "../../../src/landscape/params.js";
import type {ParamLayout} from "../../../src/landscape/params.js";
import {random} from "../../../src/random.js";
import {useCpuBackend} from "../../util/backend.js";
import {expectClose} from "../../util/close.js";

useCpuBackend();

// Column f of the dense weight k (a filter: one output unit), as a plain array.
function filter(v: ArrayLike<number>, layout: ParamLayout, k: number, f: number): number[] {
  const [rows, cols] = layout.shapes[k];
  return Array.from({length: rows}, (_, r) => v[layout.offsets[k] + r * cols + f]);
}
const l2 = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

async function weightsOf(config: Parameters<typeof mlp>[0]) {
  const model = mlp(config);
  const layout = layoutOf(model);
  const weights = await model.read();
  // Non-zero biases, so that "bias directions are zero" is not true by accident.
  weights.forEach((w, k) => {
    if (layout.shapes[k].length === 1) w.forEach((_, i) => (w[i] = 0.1 * (i + 1)));
  });
  model.dispose();
  return {layout, theta: flattenWeights(weights, layout)};
}

function gaussian(n: number, seed: number): Float64Array {
  const rng = random(seed);
  return Float64Array.from({length: n}, () => rng.normal());
}

describe("filterNormalizedDirection(weights, layout, {seed, ignoreBias})", () => {
  // Exact up to the official code's 1e-10 guard in the denominator.
  test("every filter (column of a dense [in, out] matrix) has exactly the norm of the weights' filter", async () => {
    const {layout, theta} = await weightsOf({inputs: 2, hidden: [16, 8], classes: 3, seed: 1});
    const d = filterNormalizedDirection(theta, layout, {seed: 4});
    let checked = 0;
    layout.shapes.forEach((shape, k) => {
      if (shape.length !== 2) return;
      for (let f = 0; f < shape[1]; ++f) {
        const want = l2(filter(theta, layout, k, f));
        expect(Math.abs(l2(filter(d, layout, k, f)) - want)).toBeLessThanOrEqual(1e-7 * want);
        checked++;
      }
    });
    expect(checked).toBe(16 + 8 + 3);
    // Not a copy of the weights: a random direction.
    expect(Math.abs(paramDot(d, theta)) / (paramNorm(d) * paramNorm(theta))).toBeLessThan(0.5);
  });
  test("rows are not normalised: the convention is per output unit, not per input", async () => {
    const {layout, theta} = await weightsOf({inputs: 2, hidden: [16], classes: 3, seed: 2});
    const d = filterNormalizedDirection(theta, layout, {seed: 1});
    const row = (v: ArrayLike<number>, r: number) => Array.from({length: 16}, (_, f) => v[r * 16 + f]);
    const ratio = l2(row(d, 0)) / l2(row(theta, 0));
    expect(Math.abs(ratio - 1)).toBeGreaterThan(1e-3);
  });
  test("bias directions are zero by default; with ignoreBias: false they copy the biases (official code)", async () => {
    const {layout, theta} = await weightsOf({inputs: 2, hidden: [8], classes: 3, seed: 3});
    const zero = filterNormalizedDirection(theta, layout, {seed: 5});
    const copy = filterNormalizedDirection(theta, layout, {seed: 5, ignoreBias: false});
    layout.shapes.forEach((shape, k) => {
      const o = layout.offsets[k];
      const n = shape.reduce((a, b) => a * b, 1);
      if (shape.length === 1) {
        expect(Array.from(zero.subarray(o, o + n)).every((x) => x === 0)).toBe(true);
        expect(Array.from(copy.subarray(o, o + n))).toEqual(Array.from(theta.subarray(o, o + n)));
      } else {
        expect(Array.from(copy.subarray(o, o + n))).toEqual(Array.from(zero.subarray(o, o + n)));
      }
    });
  });
  test("deterministic per seed, different across seeds and streams", async () => {
    const {layout, theta} = await weightsOf({hidden: [8], seed: 4});
    const a = filterNormalizedDirection(theta, layout, {seed: 7});
    const b = filterNormalizedDirection(theta, layout, {seed: 7});
    const c = filterNormalizedDirection(theta, layout, {seed: 8});
    const s = filterNormalizedDirection(theta, layout, {seed: 7, stream: "other"});
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(a)).not.toEqual(Array.from(s));
  });
  test("a zero filter of the weights gives a zero filter of the direction", () => {
    const layout = paramLayout([[3, 2]]);
    const theta = Float64Array.of(1, 0, 2, 0, 2, 0);
    const d = filterNormalizedDirection(theta, layout, {seed: 1});
    expect([d[1], d[3], d[5]].map(Math.abs)).toEqual([0, 0, 0]);
    expect(l2([d[0], d[2], d[4]])).toBeCloseTo(3, 8);
  });
  test("randomPlane: two different filter-normalised directions through the weights, and says so", async () => {
    const {layout, theta} = await weightsOf({hidden: [8], seed: 5});
    const plane = randomPlane(theta, layout, {seed: 3});
    expect(plane.kind).toBe("random-filter-normalized");
    expect(plane.label).toMatch(/filter/);
    expect(plane.label).toMatch(/seed 3/);
    expect(Array.from(plane.origin)).toEqual(Array.from(theta));
    expect(Array.from(plane.d1)).toEqual(Array.from(filterNormalizedDirection(theta, layout, {seed: 3, stream: "d1"})));
    expect(Array.from(plane.d1)).not.toEqual(Array.from(plane.d2));
  });
});

describe("checkpointPlane(θ0, θa, θb, layout)", () => {
  const layout = paramLayout([[4, 3]]);
  const t0 = gaussian(12, 1),
    ta = gaussian(12, 2),
    tb = gaussian(12, 3);
  for (const axes of ["orthogonal", "raw"] as const) {
    test(`origin θb; the anchors' coordinates reproduce all three checkpoints (axes: ${axes})`, () => {
      const plane = checkpointPlane(t0, ta, tb, layout, {axes, names: ["init", "mid", "now"]});
      expect(plane.kind).toBe("checkpoints");
      expect(plane.label).toMatch(/centred on now/);
      expect(Array.from(plane.origin)).toEqual(Array.from(tb));
      const points = [t0, ta, tb];
      plane.anchors!.forEach(({a, b}, i) =>
        expectClose(planePoint(plane.origin, a, plane.d1, b, plane.d2), points[i], {rtol: 0, atol: 1e-12})
      );
      expect(plane.anchors!.map((p) => p.label)).toEqual(["init", "mid", "now"]);
      expect([plane.anchors![0].a, plane.anchors![0].b]).toEqual([1, 0]);
      if (axes === "orthogonal") {
        expect(Math.abs(paramDot(plane.d1, plane.d2))).toBeLessThan(1e-10);
        expect(paramNorm(plane.d2)).toBeCloseTo(paramNorm(plane.d1), 10);
      } else expect([plane.anchors![1].a, plane.anchors![1].b]).toEqual([0, 1]);
    });
  }
  test("collinear checkpoints have no plane", () => {
    const mid = t0.map((x, i) => 0.5 * x + 0.5 * tb[i]);
    expect(() => checkpointPlane(t0, mid, tb, layout)).toThrow(/collinear/);
  });
});

describe("pcaPlane(trajectory, layout)", () => {
  const layout = paramLayout([[10, 6], [6]]);
  const P = layout.size;
  // Two orthonormal directions u, v and an end point.
  const u0 = gaussian(P, 11);
  const u = u0.map((x) => x / paramNorm(u0));
  const v0 = gaussian(P, 12);
  const along = paramDot(v0, u);
  const vr = v0.map((x, i) => x - along * u[i]);
  const v = vr.map((x) => x / paramNorm(vr));
  const end = gaussian(P, 13);
  // θ_t = θ_T + 3 cos(2πt/T)·u + sin(2πt/T)·v minus its value at T: centred coefficients are orthogonal, variances 9 : 1.
  const T = 24;
  const trajectory = Array.from({length: T + 1}, (_, t) => {
    const s = (2 * Math.PI * t) / T;
    return planePoint(end, 3 * (Math.cos(s) - 1), u, Math.sin(s), v);
  });
  test("recovers the two directions (up to sign) with explained variance ≈ 1 (9 : 1)", () => {
    const plane = pcaPlane(trajectory, layout);
    expect(plane.kind).toBe("pca");
    expect(Array.from(plane.origin)).toEqual(Array.from(trajectory[T]));
    expect(Math.abs(paramDot(plane.d1, u))).toBeCloseTo(1, 9);
    expect(Math.abs(paramDot(plane.d2, v))).toBeCloseTo(1, 9);
    expect(paramNorm(plane.d1)).toBeCloseTo(1, 12);
    const [e1, e2] = plane.explainedVariance!;
    expect(e1 + e2).toBeCloseTo(1, 9);
    // Centred: the first T points are a full period (variances 9/2 and 1/2); the last repeats the first.
    expect(e1).toBeGreaterThan(0.85);
    expect(plane.label).toMatch(/explain/);
  });
  test("signs put the first checkpoint at non-positive coordinates", () => {
    const plane = pcaPlane(trajectory, layout);
    const first = trajectory[0].map((x, i) => x - trajectory[T][i]);
    expect(paramDot(first, plane.d1)).toBeLessThanOrEqual(0);
    expect(paramDot(first, plane.d2)).toBeLessThanOrEqual(0);
  });
  test("off-plane noise lowers the explained variance below 1", () => {
    const noisy = trajectory.map((p, t) => {
      const n = gaussian(P, 100 + t);
      return p.map((x, i) => x + 0.3 * n[i]);
    });
    const [e1, e2] = pcaPlane(noisy, layout).explainedVariance!;
    expect(e1 + e2).toBeLessThan(0.95);
    expect(e1 + e2).toBeGreaterThan(0.2);
  });
  test("a straight trajectory gives explained variance [1, 0] and a unit d2 orthogonal to d1", () => {
    const line = Array.from({length: 6}, (_, t) => planePoint(end, t - 5, u));
    const plane = pcaPlane(line, layout);
    expect(plane.explainedVariance![0]).toBeCloseTo(1, 9);
    expect(plane.explainedVariance![1]).toBeCloseTo(0, 9);
    expect(Math.abs(paramDot(plane.d1, u))).toBeCloseTo(1, 9);
    expect(Math.abs(paramDot(plane.d1, plane.d2))).toBeLessThan(1e-9);
    expect(paramNorm(plane.d2)).toBeCloseTo(1, 12);
  });
  test("topTwoEigen finds the two largest eigenpairs of a known symmetric matrix", () => {
    // K = Q diag(5, 3, 1, 0.5) Qᵀ with Q a rotation in the (0, 1) and (2, 3) planes.
    const c = Math.cos(0.3),
      s = Math.sin(0.3);
    const Q = [
      [c, -s, 0, 0],
      [s, c, 0, 0],
      [0, 0, c, s],
      [0, 0, -s, c]
    ];
    const lambda = [5, 3, 1, 0.5];
    const K = new Float64Array(16);
    for (let i = 0; i < 4; ++i)
      for (let j = 0; j < 4; ++j) for (let k = 0; k < 4; ++k) K[i * 4 + j] += Q[i][k] * lambda[k] * Q[j][k];
    const {values, vectors} = topTwoEigen(K, 4);
    expect(values[0]).toBeCloseTo(5, 9);
    expect(values[1]).toBeCloseTo(3, 9);
    expect(Math.abs(paramDot(vectors[0], [c, s, 0, 0]))).toBeCloseTo(1, 9);
    expect(Math.abs(paramDot(vectors[1], [-s, c, 0, 0]))).toBeCloseTo(1, 9);
  });
});
