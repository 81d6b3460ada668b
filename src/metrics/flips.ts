/**
 * Model-update regression metrics: negative and positive flips between an old and a new model's predictions on the
 * same samples (Yan et al. 2021, "Positive-Congruent Training"; MPT [39], miccunifi/negative_flip_MPT:utils.py).
 * Inputs are predicted class indices (use `argmax(logits, classes)` for logits) and labels, one per sample.
 * Restrict the arrays yourself where a protocol asks for it (MPT scores only test samples of the old classes).
 */
import {checkClassIndices, checkLength, checkPredictions} from "./classification.js";
import type {Numbers} from "./classification.js";

/** All flip statistics at once (see {@link flips}). */
export interface Flips {
  /** Samples compared. */
  total: number;
  /** Count of samples the old model got right and the new one gets wrong. */
  negativeFlips: number;
  /** Count of samples the old model got wrong and the new one gets right. */
  positiveFlips: number;
  oldErrorRate: number;
  newErrorRate: number;
  negativeFlipRate: number;
  positiveFlipRate: number;
  negativeFlipImpact: number;
  relativeNegativeFlipRate: number;
}

function tally(fn: string, oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers) {
  const n = oldPredictions.length;
  checkLength(fn, "newPredictions", newPredictions, n, "one per entry of oldPredictions");
  checkLength(fn, "labels", labels, n, "one per entry of oldPredictions");
  checkClassIndices(fn, "oldPredictions", oldPredictions);
  checkClassIndices(fn, "newPredictions", newPredictions);
  checkClassIndices(fn, "labels", labels);
  let negative = 0,
    positive = 0,
    oldWrong = 0,
    newWrong = 0;
  for (let i = 0; i < n; ++i) {
    const oldRight = oldPredictions[i] === labels[i],
      newRight = newPredictions[i] === labels[i];
    if (!oldRight) oldWrong++;
    if (!newRight) newWrong++;
    if (oldRight && !newRight) negative++;
    if (!oldRight && newRight) positive++;
  }
  return {n, negative, positive, oldWrong, newWrong};
}

/**
 * Negative flip rate (Yan et al. 2021, eq. 1): the fraction of all samples that the old model classifies correctly
 * and the new model incorrectly, NFR = (1/N) Σ_i 1[ŷ_old = y ∧ ŷ_new ≠ y], as `compute_negative_flip_rate` in MPT's
 * utils.py. NaN for N = 0.
 */
export function negativeFlipRate(oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers): number {
  const {n, negative} = tally("negativeFlipRate", oldPredictions, newPredictions, labels);
  return negative / n;
}

/** Positive flip rate: the fraction of all samples the old model gets wrong and the new model right. NaN for N = 0. */
export function positiveFlipRate(oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers): number {
  const {n, positive} = tally("positiveFlipRate", oldPredictions, newPredictions, labels);
  return positive / n;
}

/**
 * Negative flip impact: NFR relative to the new model's error rate, NFI = NFR / ER_new — the share of the new
 * model's errors that are regressions. 0 when the new model makes no error (then NFR = 0 too), following MPT's
 * zero-denominator convention; NaN for N = 0. MPT [39] normalises differently, by the NFR that independent errors
 * would give: see {@link relativeNegativeFlipRate}.
 */
export function negativeFlipImpact(oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers): number {
  const {n, negative, newWrong} = tally("negativeFlipImpact", oldPredictions, newPredictions, labels);
  if (n === 0) return NaN;
  return newWrong ? negative / newWrong : 0;
}

/**
 * Relative negative flip rate, as MPT's `compute_relative_negative_flip_rate` ([39], utils.py):
 * RNFR = NFR / ((1 − ER_old)·ER_new), the observed NFR over the NFR expected if the new model's errors were
 * independent of the old model's correctness; 1 means "no better than independent", below 1 fewer regressions than
 * chance. 0 when the denominator is 0 (as in utils.py); NaN for N = 0.
 */
export function relativeNegativeFlipRate(oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers): number {
  const {n, negative, oldWrong, newWrong} = tally("relativeNegativeFlipRate", oldPredictions, newPredictions, labels);
  if (n === 0) return NaN;
  const expected = (1 - oldWrong / n) * (newWrong / n);
  return expected === 0 ? 0 : negative / n / expected;
}

/** Every flip statistic of one (old, new) pair of predictions in a single pass (definitions as above). */
export function flips(oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers): Flips {
  const {n, negative, positive, oldWrong, newWrong} = tally("flips", oldPredictions, newPredictions, labels);
  const expected = (1 - oldWrong / n) * (newWrong / n);
  return {
    total: n,
    negativeFlips: negative,
    positiveFlips: positive,
    oldErrorRate: oldWrong / n,
    newErrorRate: newWrong / n,
    negativeFlipRate: negative / n,
    positiveFlipRate: positive / n,
    negativeFlipImpact: n === 0 ? NaN : newWrong ? negative / newWrong : 0,
    relativeNegativeFlipRate: n === 0 ? NaN : expected === 0 ? 0 : negative / n / expected
  };
}

/**
 * Flip matrix over the samples the old model got right: `matrix[a][b]` counts samples of class a (= the old
 * prediction) that the new model predicts as b. The diagonal holds samples still right; every off-diagonal count is
 * a negative flip, so the off-diagonal sum divided by N is the {@link negativeFlipRate}. C × C, including classes that
 * never occur; predictions and labels must lie in [0, classes).
 */
export function flipMatrix(
  oldPredictions: Numbers,
  newPredictions: Numbers,
  labels: Numbers,
  classes: number
): number[][] {
  const fn = "flipMatrix";
  const n = checkPredictions(fn, oldPredictions, labels, classes, "oldPredictions");
  checkLength(fn, "newPredictions", newPredictions, n, "one per entry of oldPredictions");
  checkClassIndices(fn, "newPredictions", newPredictions, classes);
  const m = Array.from({length: classes}, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < n; ++i) if (oldPredictions[i] === labels[i]) m[labels[i]][newPredictions[i]]++;
  return m;
}
