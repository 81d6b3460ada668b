import {random} from "../random.js";
import {paramDot, paramNorm, paramSubtract} from "./params.js";
import type {ParamLayout} from "./params.js";

/** What a plane is: the view shows it with the plane's label, always. */
export type PlaneKind = "random-filter-normalized" | "checkpoints" | "pca";

/**
 * A 2-D affine slice of parameter space: the point (a, b) is origin + a·d1 + b·d2. Vectors are flat float64
 * parameter vectors in `layout` order.
 */
export interface Plane {
  readonly kind: PlaneKind;
  readonly layout: ParamLayout;
  readonly origin: Float64Array;
  readonly d1: Float64Array;
  readonly d2: Float64Array;
  /** One sentence saying exactly which plane this is (for the view's caption). */
  readonly label: string;
  /** PCA planes: the fraction of the trajectory's variance along d1 and along d2. */
  readonly explainedVariance?: readonly [number, number];
  /** Named points the plane was built through, in (a, b) coordinates (the checkpoints of a checkpoint plane). */
  readonly anchors?: readonly {readonly label: string; readonly a: number; readonly b: number}[];
}

export interface DirectionOptions {
  seed?: number;
  /** Zero the direction on biases (rank-1 weights), as the official code's default `ignore="biasbn"`. Default true. */
  ignoreBias?: boolean;
  /** Label of the random stream (two directions drawn with one seed need different streams). */
  stream?: string;
}

function checkVector(name: string, v: ArrayLike<number>, layout: ParamLayout): void {
  if (v.length !== layout.size) throw new Error(`${name}: expected ${layout.size} parameters, got ${v.length}`);
}

/**
 * A random direction normalised filter by filter (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets",
 * §4, eq. 1): a Gaussian direction whose every filter is rescaled to the norm of the same filter of the weights,
 * d_f ← d_f · ‖θ_f‖ / (‖d_f‖ + 1e-10), so that a step of 1 along it perturbs each filter by its own scale and
 * plots of networks with different weight scales are comparable.
 *
 * A filter is one output unit. The official code (tomgoldstein/loss-landscape:net_plotter.py,
 * `normalize_direction` and `normalize_directions_for_weights`) iterates over the first dimension of PyTorch's
 * weight tensors, which for a fully connected layer ([out, in]) is one output unit's incoming weights; our dense
 * matrices are [in, out], so a filter is a column (and in general a slice along the last axis). Rank-1 weights
 * (biases) get a zero direction by default (`ignore="biasbn"`); with `ignoreBias: false` they get a copy of the
 * weights, as the official code does for any other `ignore` value.
 */
export function filterNormalizedDirection(
  weights: ArrayLike<number>,
  layout: ParamLayout,
  {seed = 0, ignoreBias = true, stream = "direction"}: DirectionOptions = {}
): Float64Array {
  checkVector("filterNormalizedDirection", weights, layout);
  const rng = random(seed).fork("landscape").fork(stream);
  // Draw every coordinate, biases included, so that ignoreBias does not shift the weights' draws.
  const d = new Float64Array(layout.size);
  for (let i = 0; i < d.length; ++i) d[i] = rng.normal();
  layout.shapes.forEach((shape, k) => {
    const offset = layout.offsets[k];
    if (shape.length <= 1) {
      const n = shape.length === 0 ? 1 : shape[0];
      for (let i = 0; i < n; ++i) d[offset + i] = ignoreBias ? 0 : weights[offset + i];
      return;
    }
    const filters = shape[shape.length - 1];
    const rows = shape.slice(0, -1).reduce((p, q) => p * q, 1);
    for (let f = 0; f < filters; ++f) {
      let dd = 0,
        ww = 0;
      for (let r = 0; r < rows; ++r) {
        const i = offset + r * filters + f;
        dd += d[i] * d[i];
        ww += weights[i] * weights[i];
      }
      const s = Math.sqrt(ww) / (Math.sqrt(dd) + 1e-10);
      for (let r = 0; r < rows; ++r) d[offset + r * filters + f] *= s;
    }
  });
  return d;
}

/**
 * The plane through `weights` spanned by two independent filter-normalised random directions (streams "d1"
 * and "d2" of the seed): Li et al. 2018's 2-D plot. The directions are not orthogonalised; in high dimension
 * two random directions are nearly orthogonal, as the paper notes.
 */
export function randomPlane(
  weights: ArrayLike<number>,
  layout: ParamLayout,
  {seed = 0, ignoreBias = true}: Omit<DirectionOptions, "stream"> = {}
): Plane {
  const origin = Float64Array.from(weights);
  return Object.freeze({
    kind: "random-filter-normalized",
    layout,
    origin,
    d1: filterNormalizedDirection(weights, layout, {seed, ignoreBias, stream: "d1"}),
    d2: filterNormalizedDirection(weights, layout, {seed, ignoreBias, stream: "d2"}),
    label:
      `Random plane through the current weights: two Gaussian directions (seed ${seed}), each filter rescaled ` +
      `to the norm of the weights' filter (Li et al. 2018)${ignoreBias ? ", biases held fixed" : ""}`
  });
}

export interface CheckpointPlaneOptions {
  /**
   * "orthogonal" (default): d1 = θ0 − θb and d2 = the part of θa − θb orthogonal to d1, rescaled to ‖d1‖, so the
   * picture is undistorted (equal, perpendicular axes). "raw": d1 = θ0 − θb, d2 = θa − θb (θa sits at (0, 1)).
   */
  axes?: "orthogonal" | "raw";
  /** Names of the three checkpoints, for the label and anchors. */
  names?: readonly [string, string, string];
}

/**
 * The plane through three checkpoints θ0, θa, θb (e.g. θ_0, θ_{t−k}, θ_t) with origin θb: d1 = θ0 − θb, so θ0 is
 * at (1, 0) and θb at (0, 0); d2 comes from θa − θb (see `axes`), and θa's coordinates are in `anchors`.
 * Throws when the three are collinear (no plane passes through them uniquely).
 */
export function checkpointPlane(
  theta0: ArrayLike<number>,
  thetaA: ArrayLike<number>,
  thetaB: ArrayLike<number>,
  layout: ParamLayout,
  {axes = "orthogonal", names = ["θ0", "θa", "θb"]}: CheckpointPlaneOptions = {}
): Plane {
  for (const [n, v] of [
    ["theta0", theta0],
    ["thetaA", thetaA],
    ["thetaB", thetaB]
  ] as const)
    checkVector(`checkpointPlane: ${n}`, v, layout);
  if (axes !== "orthogonal" && axes !== "raw") throw new Error(`checkpointPlane: invalid axes: ${axes}`);
  const origin = Float64Array.from(thetaB);
  const d1 = paramSubtract(theta0, thetaB);
  const u = paramSubtract(thetaA, thetaB);
  const n1 = paramDot(d1, d1);
  if (!(n1 > 0)) throw new Error(`checkpointPlane: ${names[0]} and ${names[2]} coincide`);
  const along = paramDot(u, d1) / n1;
  const r = u.map((x, i) => x - along * d1[i]);
  const nr = paramNorm(r);
  if (!(nr > 1e-12 * Math.sqrt(n1))) throw new Error(`checkpointPlane: the three checkpoints are collinear`);
  let d2: Float64Array;
  let anchorA: {a: number; b: number};
  if (axes === "raw") {
    d2 = u;
    anchorA = {a: 0, b: 1};
  } else {
    const s = Math.sqrt(n1) / nr;
    d2 = r.map((x) => x * s);
    anchorA = {a: along, b: 1 / s};
  }
  const how =
    axes === "raw"
      ? `axes ${names[0]} − ${names[2]} and ${names[1]} − ${names[2]}`
      : `axes ${names[0]} − ${names[2]} and the perpendicular part of ${names[1]} − ${names[2]}, equal in length`;
  return Object.freeze({
    kind: "checkpoints",
    layout,
    origin,
    d1,
    d2,
    label: `Plane through the checkpoints ${names.join(", ")}, centred on ${names[2]}; ${how}`,
    anchors: [
      {label: names[0], a: 1, b: 0},
      {label: names[1], ...anchorA},
      {label: names[2], a: 0, b: 0}
    ]
  });
}

export interface PcaPlaneOptions {
  /** Subtract the mean of θ_t − θ_T before the PCA, as scikit-learn's PCA (used by the official code) does. Default true. */
  center?: boolean;
  /** Leave biases out (zero their coordinates in d1, d2), as the official code's `ignore="biasbn"`. Default false. */
  ignoreBias?: boolean;
  /** Seeds the start of the subspace iteration (the result does not depend on it beyond sign-free rounding). */
  seed?: number;
  maxIterations?: number;
}

/**
 * The plane of the trajectory's two principal directions (Li et al. 2018, §7; tomgoldstein/loss-landscape:
 * projection.py): rows m_t = θ_t − θ_T over all checkpoints (θ_T the last one, the plane's origin), centred by
 * default, and d1, d2 the top-2 right singular vectors of that matrix, unit length. Computed without an SVD:
 * subspace iteration with Rayleigh–Ritz on the small T×T Gram matrix K = M Mᵀ, then d_k = Mᵀ q_k / ‖Mᵀ q_k‖.
 * `explainedVariance` is λ_k / trace(K), scikit-learn's explained_variance_ratio_. Signs are chosen so that the
 * first checkpoint has a non-positive coordinate on each axis (the path runs towards +a, +b).
 */
export function pcaPlane(
  trajectory: readonly ArrayLike<number>[],
  layout: ParamLayout,
  {center = true, ignoreBias = false, seed = 0, maxIterations = 1000}: PcaPlaneOptions = {}
): Plane {
  const T = trajectory.length;
  if (T < 2) throw new Error(`pcaPlane: need at least 2 checkpoints, got ${T}`);
  trajectory.forEach((t, i) => checkVector(`pcaPlane: checkpoint ${i}`, t, layout));
  const P = layout.size;
  const last = trajectory[T - 1];
  const keep = new Uint8Array(P).fill(1);
  if (ignoreBias) {
    layout.shapes.forEach((shape, k) => {
      if (shape.length <= 1) keep.fill(0, layout.offsets[k], layout.offsets[k] + (shape[0] ?? 1));
    });
  }
  const rows = trajectory.map((t) => {
    const m = new Float64Array(P);
    for (let i = 0; i < P; ++i) m[i] = keep[i] ? t[i] - last[i] : 0;
    return m;
  });
  if (center) {
    const mean = new Float64Array(P);
    for (const m of rows) for (let i = 0; i < P; ++i) mean[i] += m[i] / T;
    for (const m of rows) for (let i = 0; i < P; ++i) m[i] -= mean[i];
  }
  const K = new Float64Array(T * T);
  for (let i = 0; i < T; ++i) {
    for (let j = i; j < T; ++j) K[i * T + j] = K[j * T + i] = paramDot(rows[i], rows[j]);
  }
  let total = 0;
  for (let i = 0; i < T; ++i) total += K[i * T + i];
  if (!(total > 0)) throw new Error("pcaPlane: the checkpoints do not move");

  const {values, vectors} = topTwoEigen(K, T, seed, maxIterations);
  const directions = vectors.map((q, k) => {
    const d = new Float64Array(P);
    for (let t = 0; t < T; ++t) for (let i = 0; i < P; ++i) d[i] += q[t] * rows[t][i];
    const n = paramNorm(d);
    return n > 1e-12 * Math.sqrt(total) ? d.map((x) => x / n) : null;
  });
  const d1 = directions[0]!;
  // A trajectory on a line has no second direction: any unit vector orthogonal to d1 spans the plane.
  const d2 = directions[1] ?? orthogonalUnit(d1, keep, seed);
  const first = paramSubtract(trajectory[0], last);
  for (const d of [d1, d2]) if (paramDot(first, d) > 0) for (let i = 0; i < P; ++i) d[i] = -d[i];
  const ratio: [number, number] = [Math.max(0, values[0]) / total, Math.max(0, values[1]) / total];
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return Object.freeze({
    kind: "pca",
    layout,
    origin: Float64Array.from(last),
    d1,
    d2,
    explainedVariance: ratio,
    label:
      `PCA plane of the trajectory (${T} checkpoints${center ? ", centred" : ""}${ignoreBias ? ", biases left out" : ""}), ` +
      `centred on the last checkpoint; the two axes explain ${pct(ratio[0])} and ${pct(ratio[1])} of its variance`
  });
}

function orthogonalUnit(d1: Float64Array, keep: Uint8Array, seed: number): Float64Array {
  const rng = random(seed).fork("landscape").fork("pca-complement");
  const v = new Float64Array(d1.length);
  for (let i = 0; i < v.length; ++i) v[i] = keep[i] ? rng.normal() : 0;
  const along = paramDot(v, d1);
  for (let i = 0; i < v.length; ++i) v[i] -= along * d1[i];
  const n = paramNorm(v);
  return v.map((x) => x / n);
}

/**
 * The two largest eigenpairs of a symmetric positive semi-definite T×T matrix (row-major): orthogonal (subspace)
 * iteration with a Rayleigh–Ritz step, stopped when both Ritz pairs have residual ‖Kq − λq‖ ≤ 1e-10·λ₁.
 */
export function topTwoEigen(
  K: Float64Array,
  T: number,
  seed = 0,
  maxIterations = 1000
): {values: [number, number]; vectors: [Float64Array, Float64Array]} {
  const rng = random(seed).fork("landscape").fork("pca-start");
  const times = (q: Float64Array) => {
    const z = new Float64Array(T);
    for (let i = 0; i < T; ++i) {
      let s = 0;
      for (let j = 0; j < T; ++j) s += K[i * T + j] * q[j];
      z[i] = s;
    }
    return z;
  };
  const fresh = () => Float64Array.from({length: T}, () => rng.normal());
  // Gram–Schmidt; a column that vanishes (rank < 2) is replaced by a fresh random vector.
  const orthonormalize = (a: Float64Array, b: Float64Array): [Float64Array, Float64Array] => {
    let na = paramNorm(a);
    if (!(na > 1e-300)) {
      a = fresh();
      na = paramNorm(a);
    }
    const q1 = a.map((x) => x / na);
    for (let attempt = 0; ; ++attempt) {
      const along = paramDot(b, q1);
      const r = b.map((x, i) => x - along * q1[i]);
      const nr = paramNorm(r);
      if (nr > 1e-10 * paramNorm(b) && nr > 1e-300) return [q1, r.map((x) => x / nr)];
      if (attempt > 3 || T < 2) return [q1, new Float64Array(T)];
      b = fresh();
    }
  };
  if (T === 1) return {values: [K[0], 0], vectors: [Float64Array.of(1), new Float64Array(1)]};
  let [q1, q2] = orthonormalize(fresh(), fresh());
  let values: [number, number] = [0, 0];
  for (let iteration = 0; iteration < maxIterations; ++iteration) {
    const z1 = times(q1),
      z2 = times(q2);
    // Rayleigh–Ritz: eigen-decomposition of the 2×2 matrix H = Qᵀ K Q.
    const h11 = paramDot(q1, z1),
      h12 = paramDot(q1, z2),
      h22 = paramDot(q2, z2);
    const mid = (h11 + h22) / 2,
      rad = Math.hypot((h11 - h22) / 2, h12);
    const l1 = mid + rad,
      l2 = mid - rad;
    // Eigenvector of H for l1: (h12, l1 − h11) or (l1 − h22, h12), whichever is better conditioned.
    let c = h12,
      s = l1 - h11;
    if (Math.hypot(c, s) < Math.hypot(l1 - h22, h12)) {
      c = l1 - h22;
      s = h12;
    }
    const n = Math.hypot(c, s);
    if (n > 0) {
      c /= n;
      s /= n;
    } else {
      c = 1;
      s = 0;
    }
    const r1 = q1.map((x, i) => c * x + s * q2[i]),
      r2 = q1.map((x, i) => -s * x + c * q2[i]);
    const y1 = z1.map((x, i) => c * x + s * z2[i]),
      y2 = z1.map((x, i) => -s * x + c * z2[i]);
    values = [l1, l2];
    q1 = r1;
    q2 = r2;
    const res1 = paramNorm(y1.map((x, i) => x - l1 * r1[i])),
      res2 = paramNorm(y2.map((x, i) => x - l2 * r2[i]));
    if (Math.max(res1, res2) <= 1e-10 * Math.abs(l1)) break;
    [q1, q2] = orthonormalize(y1, y2);
  }
  return {values, vectors: [q1, q2]};
}
