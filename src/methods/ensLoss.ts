// Method-specific code of the EnsLoss notebook (card 06): the official simulator, the hinge baseline on two-logit
// scores, the random derivatives EnsLoss would apply at given margins (the "derivative cloud") and the losses they
// integrate to, and the train–test accuracy gap.
import * as tf from "../tf.js";
import {take} from "../datasets/dataset.js";
import type {Dataset, Split} from "../datasets/dataset.js";
import {binaryInputs, binaryScore, ensLossDraw} from "../losses/ensLoss.js";
import {defineLoss} from "../losses/defineLoss.js";
import {defineSchema} from "../params/schema.js";
import {random} from "../random.js";

export interface EnsLossSimOptions {
  /** Points before the 70/30 split. */
  n: number;
  /** Input dimension. */
  d: number;
  seed: number;
}

/**
 * The official simulator (`loader.py`, `sim_data`): X ~ N(0, I_d), score = Σ_j relu(X_j), standardised over the
 * sample (unbiased std, as torch.std) and doubled, clipped to ±5, y ~ Bernoulli(σ(score)); a random 30 % test split.
 * The labels are noisy by design: `yClean` holds the Bayes rule's label 1[score > 0], so `memorized` measures how
 * many training labels that disagree with it the model reproduces, and `noiseRate` is the share of such labels.
 */
export function ensLossSimData({n, d, seed}: EnsLossSimOptions): Dataset {
  if (!(Number.isInteger(n) && n >= 4)) throw new Error(`invalid n: ${n}`);
  if (!(Number.isInteger(d) && d >= 1)) throw new Error(`invalid d: ${d}`);
  const rng = random(seed).fork("ensloss-sim");
  const x = rng.fork("x").normals(n * d);
  const score = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    let s = 0;
    for (let j = 0; j < d; ++j) s += Math.max(x[i * d + j], 0);
    score[i] = s;
  }
  const mean = score.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(score.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const labels = rng.fork("labels");
  const y = new Int32Array(n);
  const bayes = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const s = Math.min(Math.max(((score[i] - mean) / std) * 2, -5), 5);
    y[i] = labels.uniform() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
    bayes[i] = s > 0 ? 1 : 0;
  }
  const order = rng.fork("split").permutation(n);
  const nTest = Math.round(0.3 * n);
  const split = (rows: Int32Array): Split => {
    const s = take({x, y, inputs: d, classes: 2}, rows);
    return {...s, yClean: Int32Array.from(rows, (r) => bayes[r])};
  };
  const train = split(order.subarray(nTest));
  const test = split(order.subarray(0, nTest));
  let disagree = 0;
  for (let i = 0; i < train.n; ++i) if (train.y[i] !== train.yClean[i]) disagree++;
  return {name: "ensloss-sim", inputs: d, classes: 2, train, test, noiseRate: train.n ? disagree / train.n : 0};
}

/**
 * Binary hinge loss max(0, 1 − y·f) on the score f = z₁ − z₀ of two logits, batch mean: the official `Hinge`
 * baseline of EnsLoss (losses.py), the one fixed convex calibrated loss of the card's three that the registry does
 * not have in two-logit form (logistic = cross-entropy and exponential = sum-exponential at C = 2).
 */
export const ensLossHinge = defineLoss({
  id: "ensloss-hinge",
  title: "Hinge loss (binary, two logits)",
  family: "classification",
  paper: null,
  code: "statmlben/ensLoss:losses.py (Hinge)",
  schema: defineSchema({}),
  needs: ["logits", "labels"],
  inputs: binaryInputs,
  tex: String.raw`\ell = \max\bigl(0,\, 1 - y f(x)\bigr),\quad f = z_1 - z_0,\; y = 2t - 1`,
  cite: "Cortes & Vapnik 1995; the EnsLoss code's Hinge baseline",
  summary: "The SVM's loss: linear in the margin below 1, zero beyond it.",
  terms: ({logits, labels}) => {
    const f = binaryScore("ensloss-hinge", logits!);
    const y = tf.sub(tf.mul(tf.cast(labels!, "float32"), 2), 1);
    return {loss: {values: tf.relu(tf.sub(1, tf.mul(f, y))), kind: "element"}};
  }
});

/** Binary margins sᵢ = yᵢ·(z_{i1} − z_{i0}) from row-major two-class logits [n, 2] and 0/1 labels. */
export function ensLossMargins(logits: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
  if (logits.length !== 2 * labels.length) {
    throw new Error(`ensLossMargins: logits has ${logits.length} entries, expected ${2 * labels.length} ([n, 2])`);
  }
  return Float64Array.from(labels, (t, i) => (2 * t - 1) * (logits[2 * i + 1] - logits[2 * i]));
}

/**
 * The derivative gᵢ EnsLoss applies at each margin of a batch for one draw (seed, draw), in plain JS, as the registry's
 * `ensloss` assigns it: the B sorted, clipped draws go to the margins in increasing order (ties by index), divided by
 * sᵢ where sᵢ > 1, minus 1e-6. Margins are rounded to float32 first, as the loss sees them.
 */
export function ensLossDerivatives(margins: ArrayLike<number>, seed: number, draw: number, boxCox = 0): Float64Array {
  const B = margins.length;
  const s = Float64Array.from(margins, (m) => Math.fround(m));
  const r = ensLossDraw(B, seed, draw, boxCox);
  const order = Array.from({length: B}, (_, i) => i).sort((a, b) => s[a] - s[b] || a - b);
  const g = new Float64Array(B);
  order.forEach((i, k) => (g[i] = Math.fround(r[k] / Math.max(s[i], 1)) - 1e-6));
  return g;
}

/** One random loss of the ensemble over a batch's margins: its derivative and its integral, sorted by margin. */
export interface EnsLossCurve {
  /** The batch's margins, ascending. */
  margin: Float64Array;
  /** The derivative g at each margin. */
  derivative: Float64Array;
  /** The loss φ with φ' = g (trapezoid rule between margins), shifted to 0 at the largest margin. */
  loss: Float64Array;
}

/**
 * The random loss EnsLoss realises at one draw on a batch: its derivatives at the sorted margins and the loss they
 * integrate to. Convex where g is non-decreasing — true below margin 1, where the draws are assigned in order — and
 * decreasing everywhere since every g < 0.
 */
export function ensLossCurve(margins: ArrayLike<number>, seed: number, draw: number, boxCox = 0): EnsLossCurve {
  const g = ensLossDerivatives(margins, seed, draw, boxCox);
  const order = Array.from({length: margins.length}, (_, i) => i).sort(
    (a, b) => Math.fround(margins[a]) - Math.fround(margins[b]) || a - b
  );
  const margin = Float64Array.from(order, (i) => Math.fround(margins[i]));
  const derivative = Float64Array.from(order, (i) => g[i]);
  const loss = new Float64Array(order.length);
  for (let k = order.length - 2; k >= 0; --k) {
    loss[k] = loss[k + 1] - ((derivative[k] + derivative[k + 1]) / 2) * (margin[k + 1] - margin[k]);
  }
  return {margin, derivative, loss};
}

/** The derivative φ'(s) of the card's fixed losses: logistic (BCE), hinge and exponential. */
export const ensLossFixedDerivatives = {
  logistic: (s: number) => -1 / (1 + Math.exp(s)),
  hinge: (s: number) => (s < 1 ? -1 : 0),
  exponential: (s: number) => -Math.exp(-s)
} as const;

/** The card's fixed losses φ(s) themselves (for the implied-loss figure). */
export const ensLossFixedLosses = {
  logistic: (s: number) => Math.log1p(Math.exp(-Math.abs(s))) + Math.max(-s, 0),
  hinge: (s: number) => Math.max(0, 1 - s),
  exponential: (s: number) => Math.exp(-s)
} as const;

/** Top-1 accuracy of two-class logits [n, 2] against labels. */
function binaryAccuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, n: number): number {
  let hits = 0;
  for (let i = 0; i < n; ++i) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) === labels[i]) hits++;
  return n ? hits / n : NaN;
}

/**
 * Train accuracy (on the probe, the first `probeSize` training samples, against their given labels) minus test
 * accuracy, from read-back logits: the overfitting gap the paper's claim is about.
 */
export function ensLossAccuracyGap(
  data: Dataset,
  probeLogits: ArrayLike<number>,
  probeSize: number,
  testLogits: ArrayLike<number>
): number {
  return binaryAccuracy(probeLogits, data.train.y, probeSize) - binaryAccuracy(testLogits, data.test.y, data.test.n);
}
