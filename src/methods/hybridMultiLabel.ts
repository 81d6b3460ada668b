/**
 * Method-specific code of the hybrid multi-label loss notebook (card 28): the plain per-label BCE baseline (no loss in
 * the registry reads multi-hot targets with a plain sigmoid cross-entropy, so it is defined here), the training-split
 * class weights and label-correlation matrix the hybrid loss gets as constants, per-label precision/recall/F1 for the
 * bar chart, the distance between the predicted and the true label co-occurrence, and the per-evaluation metrics the
 * experiment records through train()'s `host` hook. Host arithmetic is float64.
 */
import {defineSchema} from "../params/schema.js";
import {principalProjection} from "../metrics/projection.js";
import {defineLoss} from "../losses/defineLoss.js";
import {weightedBce} from "../losses/hybridMultiLabel.js";
import type {PerClass} from "../metrics/classification.js";
import {multiLabelScores} from "../metrics/multiLabel.js";
import type {Numbers} from "../metrics/classification.js";
import type {HostMetricContext} from "../train/train.js";

/**
 * Plain binary cross-entropy over every label, the multi-label baseline: (1/C) Σ_c [softplus(z_c) − y_c z_c] per
 * sample, batch mean — PyTorch's `BCEWithLogitsLoss()` with no weights, and the hybrid loss with α = β = 0 and no class
 * weighting.
 */
export const hybridMultiLabelBce = defineLoss({
  id: "multilabel-bce",
  title: "Binary cross-entropy per label",
  family: "classification",
  paper: null,
  schema: defineSchema({}),
  needs: ["logits", "targets"],
  tex: String.raw`\ell = -\frac{1}{C}\sum_{c=1}^{C}\big[y_c\log\sigma(z_c) + (1-y_c)\log(1-\sigma(z_c))\big]`,
  cite: "standard multi-label baseline (one sigmoid per label)",
  summary: "One independent sigmoid cross-entropy per label, averaged: the usual multi-label baseline.",
  terms: ({logits, targets}) => ({bce: {values: weightedBce(logits!, targets!), kind: "element"}})
});

/** Positives of each label in a multi-hot [n, L] array. */
export function hybridMultiLabelCounts(targets: Numbers, labels: number): number[] {
  const counts = new Array<number>(labels).fill(0);
  for (let i = 0; i < targets.length; ++i) if (targets[i] > 0.5) counts[i % labels]++;
  return counts;
}

/**
 * Inverse-frequency class weights from the training labels, w_c = N / (C · n_c) (n_c at least 1): the standard
 * "balanced" weighting (scikit-learn's `compute_class_weight`), computed on the training split only (card 28's pitfall).
 */
export function hybridMultiLabelClassWeights(targets: Numbers, labels: number): Float32Array {
  const n = targets.length / labels;
  return Float32Array.from(hybridMultiLabelCounts(targets, labels), (c) => n / (labels * Math.max(c, 1)));
}

/**
 * The label-correlation matrix of the training labels, R_cd = P(y_d = 1 | y_c = 1) = #(c and d) / #c, as the shaped
 * constant the hybrid loss reads (`labelCorrelation`, [C, C]); rows of labels that never occur are 0.
 */
export function hybridMultiLabelCorrelation(
  targets: Numbers,
  labels: number
): {values: Float32Array; shape: [number, number]} {
  const n = targets.length / labels;
  const joint = new Float64Array(labels * labels);
  for (let r = 0; r < n; ++r) {
    for (let c = 0; c < labels; ++c) {
      if (!(targets[r * labels + c] > 0.5)) continue;
      for (let d = 0; d < labels; ++d) if (targets[r * labels + d] > 0.5) joint[c * labels + d]++;
    }
  }
  const values = new Float32Array(labels * labels);
  for (let c = 0; c < labels; ++c) {
    const own = joint[c * labels + c];
    for (let d = 0; d < labels; ++d) values[c * labels + d] = own ? joint[c * labels + d] / own : 0;
  }
  return {values, shape: [labels, labels]};
}

/**
 * Per-label precision, recall, F1 and support (positives in the targets) of thresholded scores, in the shape
 * PerClassBars draws: a score ≥ `threshold` predicts the label (0 for logits, 0.5 for probabilities).
 */
export function hybridMultiLabelPerLabel(scores: Numbers, targets: Numbers, labels: number, threshold = 0): PerClass {
  if (scores.length !== targets.length || scores.length % labels !== 0) {
    throw new Error(`hybridMultiLabelPerLabel: scores and targets must both be [N, ${labels}]`);
  }
  const tp = new Array<number>(labels).fill(0);
  const predicted = new Array<number>(labels).fill(0);
  const support = new Array<number>(labels).fill(0);
  for (let i = 0; i < scores.length; ++i) {
    const k = i % labels;
    const p = scores[i] >= threshold;
    const t = targets[i] > 0.5;
    if (p) predicted[k]++;
    if (t) support[k]++;
    if (p && t) tp[k]++;
  }
  return {
    precision: tp.map((t, k) => (predicted[k] ? t / predicted[k] : NaN)),
    recall: tp.map((t, k) => (support[k] ? t / support[k] : NaN)),
    f1: tp.map((t, k) => (predicted[k] + support[k] ? (2 * t) / (predicted[k] + support[k]) : NaN)),
    support
  };
}

/**
 * The model's soft label co-occurrence, P̂_cd = Σ_i p_ic p_id / Σ_i p_ic with p = σ(logits), row-major [C, C]: the
 * predicted counterpart of R_cd = P(y_d | y_c), defined even for a label the model never predicts (diagonal: Σp²/Σp).
 */
export function hybridMultiLabelPredictedCooccurrence(logits: Numbers, labels: number): Float64Array {
  const n = logits.length / labels;
  const p = Float64Array.from(logits, (z) => 1 / (1 + Math.exp(-z)));
  const out = new Float64Array(labels * labels);
  for (let c = 0; c < labels; ++c) {
    let own = 0;
    for (let i = 0; i < n; ++i) own += p[i * labels + c];
    for (let d = 0; d < labels; ++d) {
      let joint = 0;
      for (let i = 0; i < n; ++i) joint += p[i * labels + c] * p[i * labels + d];
      out[c * labels + d] = joint / Math.max(own, 1e-12);
    }
  }
  return out;
}

/**
 * How far the model's label co-occurrence is from the true one: the Frobenius norm, over the off-diagonal entries,
 * of P̂ − R (hybridMultiLabelPredictedCooccurrence against R on the targets). Rows of labels absent from the targets
 * are skipped.
 */
export function hybridMultiLabelCooccurrenceGap(logits: Numbers, targets: Numbers, labels: number): number {
  const P = hybridMultiLabelPredictedCooccurrence(logits, labels);
  const R = hybridMultiLabelCorrelation(targets, labels).values;
  const counts = hybridMultiLabelCounts(targets, labels);
  let sq = 0;
  for (let c = 0; c < labels; ++c) {
    if (!counts[c]) continue;
    for (let d = 0; d < labels; ++d) if (d !== c) sq += (P[c * labels + d] - R[c * labels + d]) ** 2;
  }
  return Math.sqrt(sq);
}

/**
 * The rare labels whose F1 the "minority F1" metric averages: the `share` of labels with the fewest positives in the
 * training split (ties by index; at least one).
 */
export function hybridMultiLabelMinority(trainTargets: Numbers, labels: number, share = 0.5): number[] {
  const counts = hybridMultiLabelCounts(trainTargets, labels);
  const order = Array.from({length: labels}, (_, k) => k).sort((a, b) => counts[a] - counts[b] || a - b);
  return order.slice(0, Math.max(1, Math.round(share * labels))).sort((a, b) => a - b);
}

/**
 * Multi-label test metrics at every evaluation (train()'s `host` hook), thresholding the logits at 0 (σ = ½): micro and
 * macro F1, Jaccard index, Hamming loss, subset accuracy, the mean F1 of the rarer half of the labels (by training
 * frequency) and the co-occurrence gap.
 */
export function hybridMultiLabelMetrics({data, testLogits}: HostMetricContext): Record<string, number> {
  const targets = data.test.targets!;
  const L = data.classes;
  const s = multiLabelScores(testLogits, targets, L, 0);
  const minority = hybridMultiLabelMinority(data.train.targets!, L);
  const f1 = minority.map((k) => s.perLabelF1[k]).filter((v) => !Number.isNaN(v));
  return {
    microF1: s.microF1,
    macroF1: s.macroF1,
    jaccard: s.jaccard,
    hamming: s.hamming,
    subsetAccuracy: s.subsetAccuracy,
    minorityF1: f1.length ? f1.reduce((a, b) => a + b, 0) / f1.length : NaN,
    cooccurrenceGap: hybridMultiLabelCooccurrenceGap(testLogits, targets, L)
  };
}

/** The card's "2-D PCA of h": the first two principal coordinates of row-major [n, d] points (`principalProjection`). */
export function hybridMultiLabelPca(points: Numbers, n: number, d: number): Float32Array {
  if (points.length !== n * d)
    throw new Error(`hybridMultiLabelPca: expected ${n} × ${d} values, got ${points.length}`);
  return principalProjection(points, d, 2);
}
