/**
 * Method code of the Dice-loss notebook (card 20, Li et al. 2020): F1 of the rare positive class from read-back
 * logits, at the default threshold and at every threshold, and the notebook's host metrics. Plain float64 over
 * arrays; no TF.js, no DOM.
 */
import {ece} from "../metrics/calibration.js";
import {checkScores, softmax} from "../metrics/classification.js";
import type {Numbers} from "../metrics/classification.js";
import type {HostMetricContext} from "../train/train.js";

/** Precision, recall and F1 of the positive class (label 1). */
export interface DiceLossF1 {
  precision: number;
  recall: number;
  f1: number;
  /** Share of samples predicted positive. */
  predictedPositive: number;
}

/**
 * p(positive) = softmax(z)₁ = σ(z₁ − z₀) of each row of flat [N, 2] logits, in float64 (the probability the Dice
 * loss's binary mode scores).
 */
export function diceLossPositiveProbs(logits: Numbers): Float64Array {
  if (logits.length % 2 !== 0)
    throw new Error(`diceLossPositiveProbs: logits must be [N, 2], got ${logits.length} entries`);
  const n = logits.length / 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const f = logits[2 * i + 1] - logits[2 * i];
    out[i] = f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f));
  }
  return out;
}

function checkBinary(fn: string, p: Numbers, labels: Numbers): void {
  if (p.length !== labels.length) {
    throw new Error(`${fn}: labels has ${labels.length} entries, expected ${p.length} (one per probability)`);
  }
  for (let i = 0; i < labels.length; ++i) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`${fn}: labels[${i}] = ${labels[i]} is not 0 or 1`);
  }
}

/**
 * Positive-class precision, recall and F1 when a sample is called positive iff p > threshold (at 0.5 this is the
 * argmax of two logits, which breaks ties toward class 0). F1 = 2·tp/(2·tp + fp + fn); NaN only when there is no
 * positive in either the labels or the predictions.
 */
export function diceLossF1(p: Numbers, labels: Numbers, threshold = 0.5): DiceLossF1 {
  checkBinary("diceLossF1", p, labels);
  let tp = 0,
    fp = 0,
    fn = 0;
  for (let i = 0; i < p.length; ++i) {
    const yes = p[i] > threshold;
    if (yes && labels[i] === 1) tp++;
    else if (yes) fp++;
    else if (labels[i] === 1) fn++;
  }
  return {
    precision: tp + fp ? tp / (tp + fp) : NaN,
    recall: tp + fn ? tp / (tp + fn) : NaN,
    f1: 2 * tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : NaN,
    predictedPositive: p.length ? (tp + fp) / p.length : NaN
  };
}

/** Positive-class F1 at each of `thresholds` (the F1-against-threshold curve). */
export function diceLossF1Curve(p: Numbers, labels: Numbers, thresholds: Numbers): Float64Array {
  return Float64Array.from({length: thresholds.length}, (_, k) => diceLossF1(p, labels, thresholds[k]).f1);
}

/**
 * The best positive-class F1 any threshold gives, and a threshold that gives it (the midpoint between the last score
 * called positive and the next one down), found exactly by sorting the scores: an oracle that picks the threshold on
 * the very samples it scores, so an upper bound for every model alike.
 */
export function diceLossBestF1(p: Numbers, labels: Numbers): {f1: number; threshold: number} {
  checkBinary("diceLossBestF1", p, labels);
  const n = p.length;
  const order = Array.from({length: n}, (_, i) => i).sort((a, b) => p[b] - p[a]);
  let positives = 0;
  for (let i = 0; i < n; ++i) positives += labels[i];
  if (!positives) return {f1: NaN, threshold: NaN};
  let best = 0,
    threshold = 1,
    tp = 0;
  for (let r = 0; r < n; ++r) {
    tp += labels[order[r]];
    // Only cut between distinct scores: tied samples are called alike.
    if (r + 1 < n && p[order[r + 1]] === p[order[r]]) continue;
    const called = r + 1;
    const f1 = (2 * tp) / (called + positives);
    if (f1 > best) {
      best = f1;
      threshold = r + 1 < n ? (p[order[r]] + p[order[r + 1]]) / 2 : p[order[r]] / 2;
    }
  }
  return {f1: best, threshold};
}

/**
 * The notebook's host metrics for every arm at each evaluation, on the test split: positive-class `f1`, `precision`,
 * `recall` at p > 0.5, `bestF1` and `bestThreshold` (the oracle threshold, see {@link diceLossBestF1}),
 * `predictedPositive`, and `ece` (top-label ECE of the softmax, 15 equal-width bins).
 */
export function diceLossMetrics(ctx: HostMetricContext): Record<string, number> {
  const {data, testLogits} = ctx;
  checkScores("diceLossMetrics", "testLogits", testLogits, data.test.y, 2);
  const p = diceLossPositiveProbs(testLogits);
  const at = diceLossF1(p, data.test.y);
  const best = diceLossBestF1(p, data.test.y);
  return {
    f1: at.f1,
    precision: at.precision,
    recall: at.recall,
    predictedPositive: at.predictedPositive,
    bestF1: best.f1,
    bestThreshold: best.threshold,
    ece: ece(softmax(testLogits, 2), data.test.y, 2)
  };
}
