/**
 * Per-sample flip masks and per-step flip histories, the data behind the negative-flip views (Yan et al. 2021,
 * "Positive-Congruent Training"; MPT [39]): masks mark which samples to highlight in an input or embedding plot, a
 * history collects the rates of {@link flips} step by step for a curve. Plain arrays in, plain arrays out; the
 * statistics themselves come from ./flips.js so the views and the metrics never disagree.
 */
import {checkClassIndices, checkLength} from "./classification.js";
import type {Numbers} from "./classification.js";
import {flips} from "./flips.js";
import type {Flips} from "./flips.js";

function checkTriple(fn: string, oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers): number {
  const n = oldPredictions.length;
  checkLength(fn, "newPredictions", newPredictions, n, "one per entry of oldPredictions");
  checkLength(fn, "labels", labels, n, "one per entry of oldPredictions");
  checkClassIndices(fn, "oldPredictions", oldPredictions);
  checkClassIndices(fn, "newPredictions", newPredictions);
  checkClassIndices(fn, "labels", labels);
  return n;
}

/**
 * Negative-flip mask: 1 for each sample the old model classifies correctly and the new model incorrectly
 * (ŷ_old = y ∧ ŷ_new ≠ y, the samples NFR counts), else 0; its sum divided by N is the negative flip rate.
 */
export function flippedMask(oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers): Uint8Array {
  const n = checkTriple("flippedMask", oldPredictions, newPredictions, labels);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; ++i) mask[i] = oldPredictions[i] === labels[i] && newPredictions[i] !== labels[i] ? 1 : 0;
  return mask;
}

/** Positive-flip mask: 1 for each sample the old model gets wrong and the new model right (what PFR counts). */
export function positiveFlippedMask(oldPredictions: Numbers, newPredictions: Numbers, labels: Numbers): Uint8Array {
  const n = checkTriple("positiveFlippedMask", oldPredictions, newPredictions, labels);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; ++i) mask[i] = oldPredictions[i] !== labels[i] && newPredictions[i] === labels[i] ? 1 : 0;
  return mask;
}

/** A cell of a flip matrix: the class the old model got right and the new model's prediction. */
export interface FlipCell {
  old: number;
  new: number;
}

/**
 * The samples behind one cell of {@link flipMatrix}: 1 where the old model is right with class `cell.old`
 * (ŷ_old = y = cell.old) and the new model predicts `cell.new`. Its sum is `matrix[cell.old][cell.new]`; a diagonal
 * cell selects the samples kept right. A page links a FlipMatrix's selected cell to a scatter plot with it.
 */
export function flipCellMask(
  oldPredictions: Numbers,
  newPredictions: Numbers,
  labels: Numbers,
  cell: FlipCell
): Uint8Array {
  const fn = "flipCellMask";
  const n = checkTriple(fn, oldPredictions, newPredictions, labels);
  if (!Number.isInteger(cell.old) || cell.old < 0) throw new Error(`${fn}: invalid cell.old: ${cell.old}`);
  if (!Number.isInteger(cell.new) || cell.new < 0) throw new Error(`${fn}: invalid cell.new: ${cell.new}`);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; ++i) {
    mask[i] = labels[i] === cell.old && oldPredictions[i] === cell.old && newPredictions[i] === cell.new ? 1 : 0;
  }
  return mask;
}

/**
 * Flip statistics over training steps, one entry per recorded step in every array (the shape FlipCurves draws;
 * spread it into an arm: `{name: "PCT", role: "method", ...history}`).
 */
export interface FlipHistory {
  step: number[];
  negativeFlipRate: number[];
  negativeFlipImpact: number[];
  relativeNegativeFlipRate: number[];
  positiveFlipRate: number[];
}

/** An empty {@link FlipHistory}. */
export function flipHistory(): FlipHistory {
  return {step: [], negativeFlipRate: [], negativeFlipImpact: [], relativeNegativeFlipRate: [], positiveFlipRate: []};
}

/**
 * Appends the flip statistics of the new model's predictions at `step` (against the fixed old model's) to `history`
 * and returns them. Steps must not decrease, so curves can be drawn and searched in order.
 */
export function recordFlips(
  history: FlipHistory,
  step: number,
  oldPredictions: Numbers,
  newPredictions: Numbers,
  labels: Numbers
): Flips {
  const fn = "recordFlips";
  if (!Number.isFinite(step)) throw new Error(`${fn}: invalid step: ${step}`);
  const last = history.step[history.step.length - 1];
  if (last !== undefined && step < last) throw new Error(`${fn}: step ${step} comes after step ${last}`);
  const f = flips(oldPredictions, newPredictions, labels);
  history.step.push(step);
  history.negativeFlipRate.push(f.negativeFlipRate);
  history.negativeFlipImpact.push(f.negativeFlipImpact);
  history.relativeNegativeFlipRate.push(f.relativeNegativeFlipRate);
  history.positiveFlipRate.push(f.positiveFlipRate);
  return f;
}
