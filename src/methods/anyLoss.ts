/**
 * Method-specific code of the AnyLoss notebook (card 18): the imbalanced two-Gaussian data of the card's toy, the
 * approximation function A(p) = σ(L(p − ½)) as plain numbers, the soft-versus-hard confusion matrix of a model's
 * predictions, and the per-evaluation metrics (F1, balanced accuracy, G-mean, F1 at a tuned threshold) the
 * experiment records through train()'s `host` hook. Plain float64, no TF.js.
 */
import {imbalancedCounts, stratifiedSplit} from "../datasets/dataset.js";
import type {Dataset} from "../datasets/dataset.js";
import {random} from "../random.js";
import type {HostMetricContext} from "../train/train.js";

export interface AnyLossGaussiansOptions {
  /** Points before the split. */
  n?: number;
  /** Fraction of positives (class 1), in (0, ½]. */
  positives?: number;
  /**
   * Half the distance between the two class centres in units of the clusters' standard deviation: scikit-learn's
   * `class_sep` (centres on the vertices of a hypercube of side 2·class_sep, here two vertices on a diagonal).
   */
  separation?: number;
  testFraction?: number;
  seed?: number;
}

/**
 * The card's synthetic set in two dimensions: two isotropic unit Gaussians, negatives (class 0, the majority) around
 * −c·(1, 1)/√2 and positives (class 1) around +c·(1, 1)/√2 with c = `separation`, so the centres are 2c apart as
 * two neighbouring vertices of make_classification's hypercube are (the official notebooks: weights [0.9, 0.1],
 * class_sep 1.2, one cluster per class). Stratified 70/30 split; no label noise. make_classification also applies a
 * random linear map to each cluster; we keep them round so the Bayes boundary is a straight line.
 */
export function anyLossGaussians(options: AnyLossGaussiansOptions = {}): Dataset {
  const {n = 1000, positives = 0.1, separation = 1.2, testFraction = 0.3, seed = 0} = options;
  if (!(Number.isInteger(n) && n >= 10)) throw new Error(`anyLossGaussians: invalid n: ${n}`);
  if (!(positives > 0 && positives <= 0.5)) throw new Error(`anyLossGaussians: invalid positives: ${positives}`);
  if (!(separation >= 0)) throw new Error(`anyLossGaussians: invalid separation: ${separation}`);
  const counts = imbalancedCounts(n, 2, (1 - positives) / positives);
  const rng = random(seed).fork("anyloss-gaussians");
  const points = rng.fork("points");
  const total = counts[0] + counts[1];
  const x = new Float32Array(2 * total);
  const y = new Int32Array(total);
  const offset = separation / Math.SQRT2;
  let i = 0;
  for (let k = 0; k < 2; ++k) {
    const centre = k === 0 ? -offset : offset;
    for (let j = 0; j < counts[k]; ++j, ++i) {
      x[2 * i] = centre + points.normal();
      x[2 * i + 1] = centre + points.normal();
      y[i] = k;
    }
  }
  const {train, test} = stratifiedSplit({x, y, inputs: 2, classes: 2}, testFraction, rng.fork("split"));
  return {name: "gaussians", inputs: 2, classes: 2, train, test, noiseRate: 0};
}

/** The approximation function of AnyLoss, A(p) = 1/(1 + e^{−L(p − ½)}): a steep sigmoid around ½ (L the amplifier). */
export function anyLossApproximation(p: number, amplifier: number): number {
  const t = amplifier * (p - 0.5);
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

/** Probability of the positive class from two-column logits: p = σ(z₁ − z₀), as the loss and the model define it. */
export function anyLossPositiveProbs(logits: ArrayLike<number>): Float64Array {
  if (logits.length % 2 !== 0) throw new Error(`anyLossPositiveProbs: logits has ${logits.length} entries, not [N, 2]`);
  const n = logits.length / 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const f = logits[2 * i + 1] - logits[2 * i];
    out[i] = f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f));
  }
  return out;
}

/** The four cells of a binary confusion matrix (counts, or soft counts). */
export interface AnyLossCells {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
}

/** Accuracy, F1, balanced accuracy and G-mean of a binary confusion matrix (hard or soft). */
export interface AnyLossCellMetrics {
  accuracy: number;
  f1: number;
  balancedAccuracy: number;
  gMean: number;
}

/**
 * The four metrics of binary confusion cells: accuracy (TP + TN)/N, F1 = 2TP/(2TP + FP + FN), balanced accuracy
 * (TPR + TNR)/2 and G-mean √(TPR·TNR). Works for soft counts too (then these are the values the loss sees, without
 * its 1e-5 smoothing). NaN where a ratio is 0/0.
 */
export function anyLossCellMetrics(c: AnyLossCells): AnyLossCellMetrics {
  const n1 = c.tp + c.fn;
  const n0 = c.tn + c.fp;
  const tpr = c.tp / n1;
  const tnr = c.tn / n0;
  return {
    accuracy: (c.tp + c.tn) / (n1 + n0),
    f1: (2 * c.tp) / (2 * c.tp + c.fp + c.fn),
    balancedAccuracy: (tpr + tnr) / 2,
    gMean: Math.sqrt(tpr * tnr)
  };
}

/**
 * Confusion cells of positive-class probabilities against 0/1 labels, where each sample counts as ŷ = g(p) positive
 * and 1 − ŷ negative: TP = Σ y ŷ, FN = Σ y (1 − ŷ), FP = Σ (1 − y) ŷ, TN = Σ (1 − y)(1 − ŷ).
 */
function cells(probs: ArrayLike<number>, labels: ArrayLike<number>, g: (p: number) => number): AnyLossCells {
  if (probs.length !== labels.length) {
    throw new Error(`anyLossConfusion: labels has ${labels.length} entries, expected ${probs.length} (one per sample)`);
  }
  const c: AnyLossCells = {tn: 0, fp: 0, fn: 0, tp: 0};
  for (let i = 0; i < probs.length; ++i) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new Error(`anyLossConfusion: labels[${i}] = ${y} is not 0 or 1`);
    const yhat = g(probs[i]);
    if (y === 1) {
      c.tp += yhat;
      c.fn += 1 - yhat;
    } else {
      c.fp += yhat;
      c.tn += 1 - yhat;
    }
  }
  return c;
}

/** The hard confusion matrix and the two soft ones AnyLoss could use, with their metrics. */
export interface AnyLossConfusion {
  /** Decisions at p > ½ (what a classification report counts). */
  hard: AnyLossCells & {metrics: AnyLossCellMetrics};
  /** Soft counts of ŷ = A(p) = σ(L(p − ½)), what AnyLoss optimises. */
  amplified: AnyLossCells & {metrics: AnyLossCellMetrics};
  /** Soft counts of the raw probability ŷ = p (no approximation function): the blurred matrix A(p) corrects. */
  raw: AnyLossCells & {metrics: AnyLossCellMetrics};
  amplifier: number;
}

/**
 * How far AnyLoss's soft confusion matrix is from the hard one: the cells of the same predictions counted with hard
 * decisions (p > ½), with the approximation A(p) at amplifier L, and with the raw probability p. With a large L the
 * amplified cells match the hard ones; with the raw p, every uncertain sample is split between two cells, and a
 * metric computed from them is not the metric the model is judged on.
 */
export function anyLossConfusion(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  amplifier: number
): AnyLossConfusion {
  if (!(amplifier > 0)) throw new Error(`anyLossConfusion: invalid amplifier: ${amplifier}`);
  const withMetrics = (c: AnyLossCells) => ({...c, metrics: anyLossCellMetrics(c)});
  return {
    hard: withMetrics(cells(probs, labels, (p) => (p > 0.5 ? 1 : 0))),
    amplified: withMetrics(cells(probs, labels, (p) => anyLossApproximation(p, amplifier))),
    raw: withMetrics(cells(probs, labels, (p) => p)),
    amplifier
  };
}

/**
 * The F1-optimal decision threshold on p for the given probabilities and labels: the p of one of the samples (or ½
 * when there are no positives), chosen to maximise F1 of "positive when p ≥ t"; ties keep the threshold closest to ½.
 */
export function anyLossBestThreshold(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = probs.length;
  const order = Array.from({length: n}, (_, i) => i).sort((a, b) => probs[b] - probs[a]);
  let positives = 0;
  for (let i = 0; i < n; ++i) positives += labels[i] === 1 ? 1 : 0;
  if (!positives) return 0.5;
  let best = 0.5;
  let bestF1 = -1;
  let tp = 0;
  for (let k = 0; k < n; ++k) {
    const i = order[k];
    if (labels[i] === 1) tp++;
    // Predicting the k + 1 highest as positive is "p ≥ probs[i]" only where the next probability is lower.
    if (k + 1 < n && probs[order[k + 1]] === probs[i]) continue;
    const f1 = (2 * tp) / (k + 1 + positives);
    if (f1 > bestF1 || (f1 === bestF1 && Math.abs(probs[i] - 0.5) < Math.abs(best - 0.5))) {
      bestF1 = f1;
      best = probs[i];
    }
  }
  return best;
}

/** F1 of "positive when p ≥ threshold" (the threshold rule of anyLossBestThreshold). */
export function anyLossF1At(probs: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): number {
  return anyLossCellMetrics(cells(probs, labels, (p) => (p >= threshold ? 1 : 0))).f1;
}

/**
 * The AnyLoss experiment's metrics at one evaluation (train()'s `host` hook): F1 of the positive class, balanced
 * accuracy and G-mean of the test predictions at p > ½, and `f1Tuned`, the test F1 at the threshold that maximises
 * F1 on the training probe (the card's "BCE with a tuned threshold, for fairness"; tuned on training data, never on
 * the test split).
 */
export function anyLossHostMetrics(ctx: Pick<HostMetricContext, "data" | "testLogits" | "probeLogits" | "probeSize">) {
  const {data, testLogits, probeLogits, probeSize} = ctx;
  const probs = anyLossPositiveProbs(testLogits);
  const m = anyLossCellMetrics(cells(probs, data.test.y, (p) => (p > 0.5 ? 1 : 0)));
  const probeProbs = anyLossPositiveProbs(probeLogits);
  const threshold = anyLossBestThreshold(probeProbs, data.train.y.subarray(0, probeSize));
  return {
    f1: m.f1,
    balancedAccuracy: m.balancedAccuracy,
    gMean: m.gMean,
    threshold,
    f1Tuned: anyLossF1At(probs, data.test.y, threshold)
  };
}
