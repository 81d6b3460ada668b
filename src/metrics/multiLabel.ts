/**
 * Multi-label metrics over flat row-major [N, L] arrays (scores or 0/1 predictions, and multi-hot targets), float64
 * host arithmetic like the rest of src/metrics/. A score counts as a positive prediction when it is ≥ `threshold`
 * (0.5 for probabilities; pass 0 for logits).
 */
import type {Numbers} from "./classification.js";

function rowsOf(name: string, scores: Numbers, targets: Numbers, labels: number): number {
  if (!(Number.isInteger(labels) && labels >= 1)) throw new Error(`${name}: invalid labels: ${labels}`);
  if (scores.length !== targets.length || scores.length % labels !== 0) {
    throw new Error(`${name}: scores (${scores.length}) and targets (${targets.length}) must both be [N, ${labels}]`);
  }
  return scores.length / labels;
}

export interface MultiLabelScores {
  /** F1 of the pooled counts over all labels. */
  microF1: number;
  /** Mean of the per-label F1 (labels absent from both targets and predictions count as NaN and are skipped). */
  macroF1: number;
  perLabelF1: number[];
  /** Mean over samples of |P ∩ T| / |P ∪ T| (1 for a sample with both sets empty). */
  jaccard: number;
  /** Fraction of the N·L label decisions that are wrong. */
  hamming: number;
  /** Fraction of samples whose predicted set equals the target set exactly. */
  subsetAccuracy: number;
}

/** F1 (micro, macro, per label), sample-averaged Jaccard index, Hamming loss and subset accuracy. */
export function multiLabelScores(scores: Numbers, targets: Numbers, labels: number, threshold = 0.5): MultiLabelScores {
  const n = rowsOf("multiLabelScores", scores, targets, labels);
  const tp = new Array<number>(labels).fill(0);
  const fp = new Array<number>(labels).fill(0);
  const fn = new Array<number>(labels).fill(0);
  let jaccard = 0,
    wrong = 0,
    exact = 0;
  for (let i = 0; i < n; ++i) {
    let inter = 0,
      union = 0,
      rowWrong = 0;
    for (let k = 0; k < labels; ++k) {
      const p = scores[i * labels + k] >= threshold;
      const t = targets[i * labels + k] > 0.5;
      if (p && t) (tp[k]++, inter++);
      if (p && !t) fp[k]++;
      if (!p && t) fn[k]++;
      if (p || t) union++;
      if (p !== t) rowWrong++;
    }
    jaccard += union ? inter / union : 1;
    wrong += rowWrong;
    if (rowWrong === 0) exact++;
  }
  const f1 = (a: number, b: number, c: number) => (a + b + c ? (2 * a) / (2 * a + b + c) : NaN);
  const perLabelF1 = tp.map((t, k) => f1(t, fp[k], fn[k]));
  const defined = perLabelF1.filter((v) => !Number.isNaN(v));
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  return {
    microF1: f1(sum(tp), sum(fp), sum(fn)),
    macroF1: defined.length ? sum(defined) / defined.length : NaN,
    perLabelF1,
    jaccard: n ? jaccard / n : NaN,
    hamming: n ? wrong / (n * labels) : NaN,
    subsetAccuracy: n ? exact / n : NaN
  };
}

/**
 * Precision@k: the mean over samples of the share of relevant labels among the k highest-scored ones (ties broken by
 * the lower label index). Samples with no relevant label are skipped, as in extreme multi-label benchmarks.
 */
export function precisionAtK(scores: Numbers, targets: Numbers, labels: number, k: number): number {
  const n = rowsOf("precisionAtK", scores, targets, labels);
  if (!(Number.isInteger(k) && k >= 1 && k <= labels)) throw new Error(`precisionAtK: invalid k: ${k} (1 … ${labels})`);
  let total = 0,
    counted = 0;
  const order = Array.from({length: labels}, (_, j) => j);
  for (let i = 0; i < n; ++i) {
    let any = false;
    for (let j = 0; j < labels; ++j) if (targets[i * labels + j] > 0.5) any = true;
    if (!any) continue;
    order.sort((a, b) => scores[i * labels + b] - scores[i * labels + a] || a - b);
    let hits = 0;
    for (let j = 0; j < k; ++j) if (targets[i * labels + order[j]] > 0.5) hits++;
    total += hits / k;
    counted++;
  }
  return counted ? total / counted : NaN;
}

/**
 * The label co-occurrence matrix P(j | i) = #(i and j) / #i of a multi-hot [N, L] array (row i: how often label j
 * accompanies label i; NaN rows for labels that never occur), row-major [L, L].
 */
export function cooccurrenceMatrix(targets: Numbers, labels: number): Float64Array {
  const n = rowsOf("cooccurrenceMatrix", targets, targets, labels);
  const counts = new Float64Array(labels * labels);
  for (let r = 0; r < n; ++r) {
    for (let i = 0; i < labels; ++i) {
      if (!(targets[r * labels + i] > 0.5)) continue;
      for (let j = 0; j < labels; ++j) if (targets[r * labels + j] > 0.5) counts[i * labels + j]++;
    }
  }
  const out = new Float64Array(labels * labels);
  for (let i = 0; i < labels; ++i) {
    const own = counts[i * labels + i];
    for (let j = 0; j < labels; ++j) out[i * labels + j] = own ? counts[i * labels + j] / own : NaN;
  }
  return out;
}
