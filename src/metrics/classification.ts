/**
 * Classification metrics: plain float64 arithmetic over arrays read back from any backend (no TF.js).
 *
 * Conventions shared by every metric in src/metrics/:
 * - A matrix of scores (logits or probabilities) is a flat row-major array of N·C numbers (what
 *   `await tensor.data()` returns for a [N, C] tensor) followed by its column count `classes`; row i holds
 *   sample i. Any `ArrayLike<number>` works: number[], Float32Array, Float64Array, Int32Array.
 * - Labels and predictions are integer class indices in [0, classes), one per row.
 * - Arguments come in the order (predictions or scores, labels, classes, options).
 * - Averages over zero samples are NaN (as `np.mean([])`), not an exception (only the binned calibration metrics
 *   throw on no samples, as netcal does); malformed input throws an Error that starts with the function's name and
 *   names the argument, the expected and the actual size.
 * - argmax picks the first maximal class on ties, as numpy and PyTorch do.
 */

/** Any array of numbers: number[], Float32Array, Float64Array, Int32Array … */
export type Numbers = ArrayLike<number>;

/** Per-class precision, recall, F1 and support (see {@link perClass}). */
export interface PerClass {
  /** tp / (tp + fp); NaN for a class that is never predicted. */
  precision: number[];
  /** tp / (tp + fn); NaN for a class absent from the labels. */
  recall: number[];
  /** 2·tp / (2·tp + fp + fn); NaN only for a class absent from both labels and predictions. */
  f1: number[];
  /** Number of samples whose label is the class. */
  support: number[];
}

/** Logit-margin statistics (see {@link logitMargins}). */
export interface LogitMargins {
  /** z_y − max_{k≠y} z_k for each sample, in sample order. */
  margins: Float64Array;
  mean: number;
  min: number;
  max: number;
  /** Requested quantiles of the margins (numpy's default linear interpolation). */
  quantiles: {q: number; value: number}[];
  /** Fraction of samples with a strictly negative margin (a margin of exactly 0 is a tie, not counted). */
  fractionNegative: number;
}

// ---------------------------------------------------------------------------------------------------------
// Validation and small numeric helpers shared by the metric modules (exported for them, not re-exported by
// src/metrics/index.ts).

/** @internal Throws `<fn>: invalid <name>: <value>` unless value is an integer ≥ min. */
export function checkInt(fn: string, name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${fn}: invalid ${name}: ${value}`);
  return value;
}

/** @internal Throws unless values[i] is finite for every i. */
export function checkFinite(fn: string, name: string, values: Numbers): void {
  for (let i = 0; i < values.length; ++i) {
    if (!Number.isFinite(values[i])) throw new Error(`${fn}: ${name}[${i}] is ${values[i]}, expected a finite number`);
  }
}

/**
 * @internal Checks that `values` is a flat row-major [N, cols] matrix of finite numbers and returns N.
 * `colsName` names the column count ("classes", "dims") in messages.
 */
export function checkMatrix(fn: string, name: string, values: Numbers, cols: number, colsName = "classes"): number {
  checkInt(fn, colsName, cols);
  if (values.length % cols !== 0) {
    throw new Error(
      `${fn}: ${name} has ${values.length} entries, not a multiple of ${colsName} = ${cols} (expected a flat row-major [N, ${cols}] array)`
    );
  }
  checkFinite(fn, name, values);
  return values.length / cols;
}

/** @internal Throws unless `values` has `expected` entries; `why` says where that number comes from. */
export function checkLength(fn: string, name: string, values: ArrayLike<unknown>, expected: number, why: string): void {
  if (values.length !== expected) {
    throw new Error(`${fn}: ${name} has ${values.length} entries, expected ${expected} (${why})`);
  }
}

/** @internal Throws unless every entry is an integer class index in [0, classes) (or ≥ 0 when classes is omitted). */
export function checkClassIndices(fn: string, name: string, values: Numbers, classes?: number): void {
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || (classes !== undefined && v >= classes)) {
      const range = classes === undefined ? "a non-negative integer" : `an integer in [0, ${classes})`;
      throw new Error(`${fn}: ${name}[${i}] = ${v} is not a class index (expected ${range})`);
    }
  }
}

/** Slack allowed when checking that a row of probabilities sums to 1 (float32 softmax is off by ~1e-7). */
const rowSumTolerance = 1e-3;

/** @internal Checks entries in [0, 1] and rows summing to 1 ± 1e-3, which catches logits passed as probabilities. */
export function checkProbs(fn: string, name: string, probs: Numbers, classes: number): void {
  const n = probs.length / classes;
  for (let i = 0; i < n; ++i) {
    let sum = 0;
    for (let c = 0; c < classes; ++c) {
      const p = probs[i * classes + c];
      if (!(p >= 0 && p <= 1)) {
        throw new Error(`${fn}: ${name}[${i * classes + c}] = ${p} is not a probability in [0, 1]`);
      }
      sum += p;
    }
    if (Math.abs(sum - 1) > rowSumTolerance) {
      throw new Error(
        `${fn}: ${name} row ${i} sums to ${sum}, expected 1 (±${rowSumTolerance}); for logits use softmax(logits, classes)`
      );
    }
  }
}

/** @internal Validates a [N, C] score matrix and its labels; returns N. */
export function checkScores(fn: string, name: string, scores: Numbers, labels: Numbers, classes: number): number {
  const n = checkMatrix(fn, name, scores, classes);
  checkLength(fn, "labels", labels, n, `one per row of ${name}`);
  checkClassIndices(fn, "labels", labels, classes);
  return n;
}

/** @internal Validates predictions and labels of equal length (class indices in [0, classes)); returns N. */
export function checkPredictions(
  fn: string,
  predictions: Numbers,
  labels: Numbers,
  classes: number,
  name = "predictions"
): number {
  checkInt(fn, "classes", classes);
  checkLength(fn, "labels", labels, predictions.length, `one per entry of ${name}`);
  checkClassIndices(fn, name, predictions, classes);
  checkClassIndices(fn, "labels", labels, classes);
  return predictions.length;
}

/** @internal Index of the largest of values[offset .. offset + cols), the first one on ties. */
export function argmaxAt(values: Numbers, offset: number, cols: number): number {
  let best = 0;
  let max = values[offset];
  for (let c = 1; c < cols; ++c) {
    if (values[offset + c] > max) {
      max = values[offset + c];
      best = c;
    }
  }
  return best;
}

/**
 * @internal The q-quantile (0 ≤ q ≤ 1) of ascending `sorted` values with numpy's default "linear" method:
 * position h = (n − 1)·q between neighbours, interpolated as numpy's `_lerp` does (from the upper neighbour when the
 * weight is ≥ 0.5), so results agree with `np.quantile` to the last bit.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  if (h >= n - 1) return sorted[n - 1];
  if (h <= 0) return sorted[0];
  const lo = Math.floor(h);
  const t = h - lo;
  const a = sorted[lo],
    b = sorted[lo + 1];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// ---------------------------------------------------------------------------------------------------------

/** Row-wise softmax of a flat [N, C] logit matrix in float64 (max-shifted, so any finite logits are safe). */
export function softmax(logits: Numbers, classes: number): Float64Array {
  const n = checkMatrix("softmax", "logits", logits, classes);
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; ++i) {
    const o = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; ++c) max = Math.max(max, logits[o + c]);
    let sum = 0;
    for (let c = 0; c < classes; ++c) sum += out[o + c] = Math.exp(logits[o + c] - max);
    for (let c = 0; c < classes; ++c) out[o + c] /= sum;
  }
  return out;
}

/** Predicted class of each row of a flat [N, C] score matrix: the argmax, the first maximal class on ties. */
export function argmax(scores: Numbers, classes: number): Int32Array {
  const n = checkMatrix("argmax", "scores", scores, classes);
  const out = new Int32Array(n);
  for (let i = 0; i < n; ++i) out[i] = argmaxAt(scores, i * classes, classes);
  return out;
}

/**
 * Top-1 accuracy: the fraction of rows of `scores` (flat [N, C] logits or probabilities) whose argmax equals the
 * label; NaN for N = 0. Equals scikit-learn's `accuracy_score(labels, scores.argmax(1))`.
 */
export function accuracy(scores: Numbers, labels: Numbers, classes: number): number {
  const n = checkScores("accuracy", "scores", scores, labels, classes);
  let hits = 0;
  for (let i = 0; i < n; ++i) if (argmaxAt(scores, i * classes, classes) === labels[i]) hits++;
  return hits / n;
}

/**
 * Top-k accuracy: the fraction of rows of `scores` (flat [N, C]) whose label is among the k highest scores; NaN for
 * N = 0. Ties are broken toward the lower class index, as {@link argmax} does, so `topK(…, {k: 1})` equals
 * {@link accuracy}; scikit-learn's `top_k_accuracy_score` breaks exact ties toward the higher index instead and agrees
 * everywhere else. k ≥ C gives 1 (every class is in the top k), as scikit-learn does with a warning.
 */
export function topK(scores: Numbers, labels: Numbers, classes: number, {k = 2}: {k?: number} = {}): number {
  const n = checkScores("topK", "scores", scores, labels, classes);
  checkInt("topK", "k", k);
  let hits = 0;
  for (let i = 0; i < n; ++i) {
    const o = i * classes,
      y = labels[i],
      s = scores[o + y];
    // Rank of the label = classes that beat it: strictly higher scores, or equal scores at a lower index.
    let above = 0;
    for (let c = 0; c < classes; ++c) if (scores[o + c] > s || (scores[o + c] === s && c < y)) above++;
    if (above < k) hits++;
  }
  return hits / n;
}

/**
 * Confusion matrix as rows: `matrix[label][prediction]` counts samples of true class `label` predicted as
 * `prediction` (scikit-learn's `confusion_matrix(labels, predictions)` orientation), C × C including classes that
 * never occur.
 */
export function confusionMatrix(predictions: Numbers, labels: Numbers, classes: number): number[][] {
  const n = checkPredictions("confusionMatrix", predictions, labels, classes);
  const m = Array.from({length: classes}, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < n; ++i) m[labels[i]][predictions[i]]++;
  return m;
}

function counts(fn: string, predictions: Numbers, labels: Numbers, classes: number) {
  const n = checkPredictions(fn, predictions, labels, classes);
  const tp = new Array<number>(classes).fill(0),
    predicted = new Array<number>(classes).fill(0),
    support = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; ++i) {
    predicted[predictions[i]]++;
    support[labels[i]]++;
    if (predictions[i] === labels[i]) tp[labels[i]]++;
  }
  return {tp, predicted, support};
}

/**
 * Per-class precision, recall, F1 and support from predicted and true class indices. Where a ratio is undefined
 * (0/0) it is NaN, not scikit-learn's `zero_division` fill of 0: precision of a never-predicted class, recall of a
 * class absent from the labels. F1 is 2·tp / (2·tp + fp + fn), which equals scikit-learn's value wherever the class
 * occurs in the labels or the predictions and is NaN only when it occurs in neither.
 */
export function perClass(predictions: Numbers, labels: Numbers, classes: number): PerClass {
  const {tp, predicted, support} = counts("perClass", predictions, labels, classes);
  const precision = tp.map((t, c) => (predicted[c] ? t / predicted[c] : NaN));
  const recall = tp.map((t, c) => (support[c] ? t / support[c] : NaN));
  const f1 = tp.map((t, c) => {
    const d = predicted[c] + support[c]; // 2·tp + fp + fn
    return d ? (2 * t) / d : NaN;
  });
  return {precision, recall, f1, support};
}

/**
 * Balanced accuracy: the mean of per-class recalls over the classes present in `labels`. A class absent from the
 * labels has no recall and is left out of the mean, as scikit-learn's `balanced_accuracy_score` does (it warns); NaN
 * when there are no samples.
 */
export function balancedAccuracy(predictions: Numbers, labels: Numbers, classes: number): number {
  const {tp, support} = counts("balancedAccuracy", predictions, labels, classes);
  let sum = 0,
    present = 0;
  for (let c = 0; c < classes; ++c) {
    if (support[c]) {
      sum += tp[c] / support[c];
      present++;
    }
  }
  return present ? sum / present : NaN;
}

/**
 * G-mean: the geometric mean of per-class recalls over the classes present in `labels` ((Π_c recall_c)^(1/C'), as
 * imbalanced-learn's `geometric_mean_score`; for two classes √(TPR·TNR), the AnyLoss target [18]). Classes absent
 * from the labels are left out, as in {@link balancedAccuracy}; any present class with zero recall makes it 0; NaN
 * when there are no samples.
 */
export function gMean(predictions: Numbers, labels: Numbers, classes: number): number {
  const {tp, support} = counts("gMean", predictions, labels, classes);
  let logSum = 0,
    present = 0;
  for (let c = 0; c < classes; ++c) {
    if (support[c]) {
      if (tp[c] === 0) return 0;
      logSum += Math.log(tp[c] / support[c]);
      present++;
    }
  }
  return present ? Math.exp(logSum / present) : NaN;
}

/**
 * Negative log-likelihood of the labels under `probs` (flat [N, C] rows of probabilities), mean over samples:
 * mean_i −log max(p_{i,y_i}, eps), eps = 1e-15 by default (scikit-learn's historical `log_loss` clip, which keeps a
 * zero probability finite at ≈ 34.5). Rows are not renormalised (they must sum to 1 ± 1e-3). For logits, pass
 * `softmax(logits, classes)`. NaN for N = 0.
 */
export function nll(probs: Numbers, labels: Numbers, classes: number, {eps = 1e-15}: {eps?: number} = {}): number {
  const n = checkScores("nll", "probs", probs, labels, classes);
  checkProbs("nll", "probs", probs, classes);
  if (!(eps > 0 && eps < 1)) throw new Error(`nll: invalid eps: ${eps}`);
  let sum = 0;
  for (let i = 0; i < n; ++i) sum -= Math.log(Math.max(probs[i * classes + labels[i]], eps));
  return sum / n;
}

/**
 * Multi-class Brier score (Brier 1950): mean over samples of Σ_c (p_{i,c} − 1[c = y_i])², in [0, 2]. For C = 2 this
 * is twice scikit-learn's binary `brier_score_loss`, which scores only the positive-class column. NaN for N = 0.
 */
export function brier(probs: Numbers, labels: Numbers, classes: number): number {
  const n = checkScores("brier", "probs", probs, labels, classes);
  checkProbs("brier", "probs", probs, classes);
  let sum = 0;
  for (let i = 0; i < n; ++i) {
    for (let c = 0; c < classes; ++c) {
      const d = probs[i * classes + c] - (c === labels[i] ? 1 : 0);
      sum += d * d;
    }
  }
  return sum / n;
}

/**
 * Logit margins m_i = z_{i,y_i} − max_{k≠y_i} z_{i,k} (positive: correct with room to spare; negative: wrong) and
 * their summary: mean, min, max, quantiles (numpy's linear interpolation; default 0.05, 0.25, 0.5, 0.75, 0.95) and
 * the fraction of negative margins. These are the margins MPT [39] protects for old classes. Needs C ≥ 2; with no
 * samples the summary numbers are NaN.
 */
export function logitMargins(
  logits: Numbers,
  labels: Numbers,
  classes: number,
  {quantiles = [0.05, 0.25, 0.5, 0.75, 0.95]}: {quantiles?: readonly number[]} = {}
): LogitMargins {
  const n = checkScores("logitMargins", "logits", logits, labels, classes);
  if (classes < 2) throw new Error(`logitMargins: invalid classes: ${classes} (a margin needs at least 2 classes)`);
  for (const q of quantiles) if (!(q >= 0 && q <= 1)) throw new Error(`logitMargins: invalid quantile: ${q}`);
  const margins = new Float64Array(n);
  let sum = 0,
    negative = 0;
  for (let i = 0; i < n; ++i) {
    const o = i * classes,
      y = labels[i];
    let other = -Infinity;
    for (let c = 0; c < classes; ++c) if (c !== y) other = Math.max(other, logits[o + c]);
    const m = logits[o + y] - other;
    margins[i] = m;
    sum += m;
    if (m < 0) negative++;
  }
  const sorted = Float64Array.from(margins).sort();
  return {
    margins,
    mean: sum / n,
    min: n ? sorted[0] : NaN,
    max: n ? sorted[n - 1] : NaN,
    quantiles: quantiles.map((q) => ({q, value: quantileSorted(sorted, q)})),
    fractionNegative: negative / n
  };
}
