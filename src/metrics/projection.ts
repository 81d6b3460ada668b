/**
 * Linear projections of embeddings for plotting: float64 host arithmetic over flat row-major [n, dims] arrays, like the
 * rest of src/metrics/.
 */
import type {Numbers} from "./classification.js";

/**
 * The points' coordinates on their first `components` principal axes, [n, components] row-major: the axes of the
 * covariance found by power iteration with deflation from a fixed start (deterministic), each signed so that its
 * largest-magnitude loading is positive. Axes beyond the data's rank come out as zeros.
 */
export function principalProjection(points: Numbers, dims: number, components = 2): Float32Array {
  if (!(Number.isInteger(dims) && dims >= 1)) throw new Error(`principalProjection: invalid dims: ${dims}`);
  if (points.length % dims !== 0) {
    throw new Error(`principalProjection: ${points.length} values are not rows of ${dims}`);
  }
  const n = points.length / dims;
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; ++i) for (let j = 0; j < dims; ++j) mean[j] += points[i * dims + j] / n;
  const cov = new Float64Array(dims * dims);
  for (let i = 0; i < n; ++i) {
    for (let a = 0; a < dims; ++a) {
      const xa = points[i * dims + a] - mean[a];
      for (let b = 0; b < dims; ++b) cov[a * dims + b] += (xa * (points[i * dims + b] - mean[b])) / Math.max(n - 1, 1);
    }
  }
  const axes: Float64Array[] = [];
  for (let k = 0; k < Math.min(components, dims); ++k) {
    let v = Float64Array.from({length: dims}, (_, j) => 1 + j / dims);
    let found = false;
    for (let it = 0; it < 200; ++it) {
      const w = new Float64Array(dims);
      for (let a = 0; a < dims; ++a) for (let b = 0; b < dims; ++b) w[a] += cov[a * dims + b] * v[b];
      for (const u of axes) {
        let dot = 0;
        for (let j = 0; j < dims; ++j) dot += u[j] * w[j];
        for (let j = 0; j < dims; ++j) w[j] -= dot * u[j];
      }
      const norm = Math.hypot(...w);
      if (!(norm > 1e-12)) break;
      v = w.map((x) => x / norm);
      found = true;
    }
    if (!found) v = new Float64Array(dims);
    let big = 0;
    for (let j = 0; j < dims; ++j) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    if (v[big] < 0) v = v.map((x) => -x);
    axes.push(v);
  }
  const out = new Float32Array(n * components);
  for (let i = 0; i < n; ++i) {
    axes.forEach((u, k) => {
      let s = 0;
      for (let j = 0; j < dims; ++j) s += (points[i * dims + j] - mean[j]) * u[j];
      out[i * components + k] = s;
    });
  }
  return out;
}
