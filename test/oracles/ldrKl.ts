/**
 * Float64 references for LDR-KL and ALDR-KL, written as plain loops from the official code
 * (Optimization-AI/ICML2023_LDR, loss.py: LDRLoss_V1, ALDRLoss_V1). Never bundled; used by the tests only.
 */

/** softplus(x) = log(1 + eˣ), without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** LDR-KL's scores: softplus, then the row divided by its mean. */
export function ldrScoresOracle(row: ArrayLike<number>): Float64Array {
  const f = Float64Array.from(row, softplus);
  let mean = 0;
  for (const v of f) mean += v / f.length;
  return f.map((v) => v / mean);
}

/** ALDR-KL's scores: optional softplus, then the row divided by its mean absolute value. */
export function aldrScoresOracle(row: ArrayLike<number>, useSoftplus: boolean): Float64Array {
  const f = Float64Array.from(row, (v) => (useSoftplus ? softplus(v) : v));
  let scale = 0;
  for (const v of f) scale += Math.abs(v) / f.length;
  return f.map((v) => v / scale);
}

/** d_k = c·[k ≠ y] + f_k − f_y. */
export function gapsOracle(scores: ArrayLike<number>, label: number, margin: number): Float64Array {
  return Float64Array.from(scores, (f, k) => (k === label ? 0 : margin) + f - scores[label]);
}

/** λ·log((1/C) Σ_k exp(d_k/λ)), max-shifted. */
export function logMeanExpScaled(gaps: ArrayLike<number>, lambda: number): number {
  let max = -Infinity;
  for (let k = 0; k < gaps.length; ++k) max = Math.max(max, gaps[k] / lambda);
  let sum = 0;
  for (let k = 0; k < gaps.length; ++k) sum += Math.exp(gaps[k] / lambda - max);
  return lambda * (Math.log(sum / gaps.length) + max);
}

function row(logits: ArrayLike<number>, classes: number, i: number): Float64Array {
  const out = new Float64Array(classes);
  for (let k = 0; k < classes; ++k) out[k] = logits[i * classes + k];
  return out;
}

/** Batch mean of LDR-KL. */
export function ldrKlOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  lambda: number,
  margin: number
): number {
  let total = 0;
  for (let i = 0; i < labels.length; ++i) {
    const d = gapsOracle(ldrScoresOracle(row(logits, classes, i)), labels[i], margin);
    total += logMeanExpScaled(d, lambda);
  }
  return total / labels.length;
}

export interface AldrParams {
  lambda0: number;
  alpha: number;
  margin: number;
  softplus: boolean;
}

/** The closed-form λ update of one sample from its logits and its previous λ (official ALDRLoss_V1). */
export function aldrLambdaOracle(logitsRow: ArrayLike<number>, previous: number, p: AldrParams): number {
  const C = logitsRow.length;
  const f = aldrScoresOracle(logitsRow, p.softplus);
  let max = -Infinity;
  for (const v of f) max = Math.max(max, v / previous);
  const e = f.map((v) => Math.exp(v / previous - max));
  let z = 0;
  for (const v of e) z += v;
  const shifted = e.map((v) => v / z + 1e-5);
  let norm = 0;
  for (const v of shifted) norm += v;
  let kl = 0;
  for (const v of shifted) kl += (v / norm) * Math.log((C * v) / norm);
  return p.lambda0 - (p.lambda0 * kl) / (p.alpha * Math.log(C));
}

/**
 * One ALDR-KL step: reads λ from `state` (≤ 0 means λ0), updates it in place for the given ids, and
 * returns the batch-mean loss with the new λ. With `fixed`, uses those λ instead and leaves the state
 * alone (the gradient treats λ as a constant).
 */
export function aldrKlOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  ids: ArrayLike<number>,
  classes: number,
  state: Float64Array,
  p: AldrParams,
  fixed?: ArrayLike<number>
): {loss: number; lambdas: Float64Array} {
  const B = labels.length;
  const lambdas = new Float64Array(B);
  let total = 0;
  for (let i = 0; i < B; ++i) {
    const z = row(logits, classes, i);
    const previous = state[ids[i]] > 0 ? state[ids[i]] : p.lambda0;
    const lambda = fixed ? fixed[i] : aldrLambdaOracle(z, previous, p);
    lambdas[i] = lambda;
    const d = gapsOracle(aldrScoresOracle(z, p.softplus), labels[i], p.margin);
    const penalty = ((p.alpha * Math.log(classes)) / (2 * p.lambda0)) * (lambda - p.lambda0) ** 2;
    total += logMeanExpScaled(d, lambda) - penalty;
  }
  if (!fixed) for (let i = 0; i < B; ++i) state[ids[i]] = lambdas[i];
  return {loss: total / B, lambdas};
}
