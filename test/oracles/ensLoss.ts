/**
 * Float64 reference for EnsLoss, written as plain loops from the official code (statmlben/ensLoss,
 * losses.py, ensLoss.forward). The random numbers come from the project's seeded stream, the same one
 * the loss draws from; everything after the draw is recomputed here. Never bundled; tests only.
 */
import {random} from "../../src/random.js";

export function inverseBoxCoxOracle(z: number, lambda: number): number {
  if (lambda === 0) return Math.exp(z);
  const base = 1 + lambda * z;
  return base > 0 ? Math.pow(base, 1 / lambda) : Math.pow(0, 1 / lambda);
}

/** Margins s_i = (2t_i − 1)(z_i1 − z_i0) of two-column logits. */
export function marginsOracle(logits: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
  return Float64Array.from(
    {length: labels.length},
    (_, i) => (2 * labels[i] - 1) * (logits[2 * i + 1] - logits[2 * i])
  );
}

/** The per-sample derivatives g_i the official code assigns to the margins s. */
export function ensLossDerivativesOracle(
  s: ArrayLike<number>,
  seed: number,
  draw: number,
  boxCox: number
): Float64Array {
  const B = s.length;
  const eps = random(seed).fork("ensloss").fork(draw).normals(B);
  const r: number[] = [];
  for (let j = 0; j < B; ++j) r.push(-inverseBoxCoxOracle(eps[j], boxCox));
  r.sort((a, b) => a - b);
  for (let j = 0; j < B; ++j) r[j] = Math.max(r[j], -1);
  // indices of the margins in increasing order (ties by index)
  const order = Array.from({length: B}, (_, i) => i).sort((a, b) => s[a] - s[b] || a - b);
  const g = new Float64Array(B);
  for (let k = 0; k < B; ++k) g[order[k]] = r[k];
  for (let i = 0; i < B; ++i) {
    if (s[i] > 1) g[i] /= s[i];
    g[i] -= 1e-6;
  }
  return g;
}

/** The surrogate value mean_i g_i·s_i; with `derivatives`, uses those g (held fixed, as the gradient does). */
export function ensLossOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  seed: number,
  draw: number,
  boxCox: number,
  derivatives?: ArrayLike<number>
): number {
  const s = marginsOracle(logits, labels);
  const g = derivatives ?? ensLossDerivativesOracle(s, seed, draw, boxCox);
  let total = 0;
  for (let i = 0; i < s.length; ++i) total += g[i] * s[i];
  return total / s.length;
}
