/**
 * Float64 references for the spherical-family losses (de Brébisson & Vincent 2016), plain loops from
 * the definitions. Never bundled.
 */
import {logSoftmaxRow} from "./compSum.js";

/** Z-loss: μ, population σ (with the implementation's ε = 1e-8 under the root), z_c, softplus(a(b − z_c))/a. */
export function zLossOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  a: number,
  b: number,
  eps = 1e-8
): number {
  let total = 0;
  for (let i = 0; i < labels.length; ++i) {
    let mu = 0;
    for (let k = 0; k < classes; ++k) mu += logits[i * classes + k] / classes;
    let variance = 0;
    for (let k = 0; k < classes; ++k) variance += (logits[i * classes + k] - mu) ** 2 / classes;
    const z = (logits[i * classes + labels[i]] - mu) / Math.sqrt(variance + eps);
    const t = a * (b - z);
    total += (Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)))) / a;
  }
  return total / labels.length;
}

/** Σ_k (o_k − [k = y])² on the scores or on the softmax, batch mean. */
export function mseOneHotOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  output: "logits" | "softmax" = "logits"
): number {
  let total = 0;
  for (let i = 0; i < labels.length; ++i) {
    const logp = output === "softmax" ? logSoftmaxRow(logits, classes, i) : null;
    for (let k = 0; k < classes; ++k) {
      const o = logp ? Math.exp(logp[k]) : logits[i * classes + k];
      total += (o - (k === labels[i] ? 1 : 0)) ** 2;
    }
  }
  return total / labels.length;
}

/** The Taylor polynomial Σ_{j=0..n} x^j / j! of exp, term by term. */
export function taylorExp(x: number, order: number): number {
  let term = 1,
    sum = 1;
  for (let j = 1; j <= order; ++j) {
    term *= x / j;
    sum += term;
  }
  return sum;
}

/** Taylor-softmax probabilities of one row. */
export function taylorSoftmaxRow(logits: ArrayLike<number>, classes: number, row: number, order: number): Float64Array {
  const f = Float64Array.from({length: classes}, (_, k) => taylorExp(logits[row * classes + k], order));
  const sum = f.reduce((s, v) => s + v, 0);
  return f.map((v) => v / sum);
}

export function taylorSoftmaxOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  order: number
): number {
  let total = 0;
  for (let i = 0; i < labels.length; ++i) total -= Math.log(taylorSoftmaxRow(logits, classes, i, order)[labels[i]]);
  return total / labels.length;
}
