/**
 * Calibration metrics: reliability-diagram bins, ECE and MCE for top-label confidence, binned exactly as netcal
 * (EFS-OpenSource/calibration-framework: netcal/metrics/confidence/ECE.py, MCE.py on the `_Miscalibration` base in
 * netcal/metrics/Miscalibration.py) bins them. Plain float64 over arrays; see classification.ts for the input
 * conventions.
 */
import {argmaxAt, checkInt, checkLength, checkProbs, checkScores, quantileSorted} from "./classification.js";
import type {Numbers} from "./classification.js";

/** How bin edges are placed: equal width on [0, 1], or equal mass (quantiles of the confidences). */
export type BinStrategy = "width" | "mass";

/** Options shared by the binned calibration metrics. */
export interface BinOptions {
  /** Number of bins (default 15). */
  bins?: number;
  /** "width" (default): edges k/B; "mass": quantiles of the confidences, as netcal's `equal_intervals=False`. */
  strategy?: BinStrategy;
}

/** Reliability-diagram bins (see {@link reliabilityBins}). Arrays have one entry per bin, edges one more. */
export interface ReliabilityBins {
  /** Bin edges, ascending, edges[0] = 0 and edges[B] = 1; bin b is [edges[b], edges[b+1]), the last bin is closed. */
  edges: Float64Array;
  /** Samples in each bin. */
  count: Int32Array;
  /** Mean (clipped) confidence of each bin; NaN for an empty bin. */
  confidence: Float64Array;
  /** Fraction of correct predictions in each bin; NaN for an empty bin. */
  accuracy: Float64Array;
  /** confidence − accuracy (positive = over-confident); NaN for an empty bin. */
  gap: Float64Array;
  /** Number of samples binned. */
  total: number;
}

/**
 * netcal clips every confidence into [ε, 1 − ε] with ε = `np.finfo(X.dtype).eps` before binning, so that 0 and 1
 * fall inside the outer bins; means of confidence are taken over the clipped values. We compute in float64, so ε is
 * 2⁻⁵², what netcal uses for float64 input (for float32 input it clips at 2⁻²³, which moves only confidences within
 * 1.2e-7 of 0 or 1).
 */
const eps = Number.EPSILON;

/** Edges as netcal builds them: np.linspace(0, 1, B + 1) (k·(1/B), last set to 1), or its quantiles with 0 and 1 ends. */
function binEdges(conf: Float64Array, bins: number, strategy: BinStrategy): Float64Array {
  const edges = new Float64Array(bins + 1);
  const step = 1 / bins;
  for (let k = 0; k < bins; ++k) edges[k] = k * step;
  edges[bins] = 1;
  if (strategy === "mass") {
    const sorted = Float64Array.from(conf).sort();
    for (let k = 1; k < bins; ++k) edges[k] = quantileSorted(sorted, edges[k]);
  }
  return edges;
}

/** Index of the bin holding v: the last edge ≤ v (np.searchsorted side "right" − 1), with v = 1 in the last bin. */
function binOf(edges: Float64Array, v: number): number {
  const last = edges.length - 2;
  let lo = 0,
    hi = edges.length; // first index with edges[index] > v lies in (lo, hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= v) lo = mid;
    else hi = mid;
  }
  return Math.min(lo, last);
}

/**
 * Bins samples by confidence and reports per bin the count, mean confidence, accuracy and their gap, as netcal's
 * `_Miscalibration.binning` does: confidences clipped into [ε, 1 − ε] (ε = 2⁻⁵²); bins closed on the left and open
 * on the right, [e_b, e_{b+1}), except the last, [e_{B−1}, 1] (np.histogramdd / scipy's binned_statistic_dd).
 * With `strategy: "mass"` the inner edges are np.quantile of the clipped confidences at k/B (linear interpolation,
 * reproduced bit for bit) and the outer edges are 0 and 1. Ties: equal confidences always share a bin; when ties
 * make quantile edges coincide, the zero-width bins between them stay empty (count 0) and the tied values go to the
 * last bin that starts at their value, the rule np.histogramdd applies to such edges (netcal itself stops there with
 * scipy's "The smallest edge difference is numerically 0."). Empty bins have count 0 and NaN means.
 *
 * This is the core shared by {@link reliabilityBins}; use it directly for binary confidences, e.g. netcal's binary
 * mode (confidences = p(class 1), correct = labels in {0, 1}).
 * @param confidences one confidence in [0, 1] per sample.
 * @param correct one 0/1 (or boolean) per sample: whether the prediction behind that confidence was right.
 */
export function binConfidences(
  confidences: Numbers,
  correct: ArrayLike<number | boolean>,
  {bins = 15, strategy = "width"}: BinOptions = {}
): ReliabilityBins {
  const fn = "binConfidences";
  checkInt(fn, "bins", bins);
  if (strategy !== "width" && strategy !== "mass") throw new Error(`${fn}: invalid strategy: ${strategy}`);
  checkLength(fn, "correct", correct, confidences.length, "one per confidence");
  const n = confidences.length;
  if (n === 0) throw new Error(`${fn}: no samples (confidences has 0 entries)`);
  const conf = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const c = confidences[i];
    if (!(c >= 0 && c <= 1)) throw new Error(`${fn}: confidences[${i}] = ${c} is not a probability in [0, 1]`);
    conf[i] = Math.min(Math.max(c, eps), 1 - eps);
    const r = correct[i];
    if (r !== 0 && r !== 1 && r !== true && r !== false) {
      throw new Error(`${fn}: correct[${i}] = ${r} is not 0, 1, true or false`);
    }
  }
  return binned(conf, correct, bins, strategy);
}

function binned(conf: Float64Array, correct: ArrayLike<number | boolean>, bins: number, strategy: BinStrategy) {
  const n = conf.length;
  const edges = binEdges(conf, bins, strategy);
  const count = new Int32Array(bins);
  const confSum = new Float64Array(bins),
    hitSum = new Float64Array(bins);
  for (let i = 0; i < n; ++i) {
    const b = binOf(edges, conf[i]);
    count[b]++;
    confSum[b] += conf[i];
    hitSum[b] += correct[i] ? 1 : 0;
  }
  const confidence = new Float64Array(bins),
    accuracy = new Float64Array(bins),
    gap = new Float64Array(bins);
  for (let b = 0; b < bins; ++b) {
    confidence[b] = count[b] ? confSum[b] / count[b] : NaN;
    accuracy[b] = count[b] ? hitSum[b] / count[b] : NaN;
    gap[b] = confidence[b] - accuracy[b];
  }
  return {edges, count, confidence, accuracy, gap, total: n};
}

/**
 * Reliability-diagram bins of top-label confidence: for each row of `probs` (flat [N, C] probabilities, rows summing
 * to 1) the confidence is max_c p_c and the prediction argmax_c p_c (first index on ties), correct when it equals the
 * label; then {@link binConfidences} (15 equal-width bins by default; netcal's default is 10). This is netcal's
 * multi-class path, used here for every C ≥ 2. netcal itself switches to its binary mode whenever the labels hold at
 * most two distinct values: it then bins p(class 1) against the 0/1 labels for C = 2 and raises for C > 2; for that
 * binary reading call binConfidences(p1, labels). Throws for N = 0, as netcal does.
 */
export function reliabilityBins(
  probs: Numbers,
  labels: Numbers,
  classes: number,
  options: BinOptions = {}
): ReliabilityBins {
  const fn = "reliabilityBins";
  const n = checkScores(fn, "probs", probs, labels, classes);
  checkProbs(fn, "probs", probs, classes);
  const {bins = 15, strategy = "width"} = options;
  checkInt(fn, "bins", bins);
  if (strategy !== "width" && strategy !== "mass") throw new Error(`${fn}: invalid strategy: ${strategy}`);
  if (n === 0) throw new Error(`${fn}: no samples (probs has 0 rows)`);
  const conf = new Float64Array(n),
    correct = new Uint8Array(n);
  for (let i = 0; i < n; ++i) {
    // netcal clips the whole row before taking argmax and max; clipping is monotone, so only ties at the clip
    // boundaries could differ, and argmax on the clipped row keeps even those identical.
    const o = i * classes;
    let best = 0,
      max = -Infinity;
    for (let c = 0; c < classes; ++c) {
      const p = Math.min(Math.max(probs[o + c], eps), 1 - eps);
      if (p > max) {
        max = p;
        best = c;
      }
    }
    conf[i] = max;
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return binned(conf, correct, bins, strategy);
}

/** ECE and MCE of already computed bins: Σ_b (n_b/N)·|gap_b| and max_b |gap_b| over non-empty bins. */
export function calibrationErrors(bins: ReliabilityBins): {ece: number; mce: number} {
  let ece = 0,
    mce = 0;
  for (let b = 0; b < bins.count.length; ++b) {
    if (!bins.count[b]) continue; // empty bins carry no weight (netcal zeroes their NaN means)
    const g = Math.abs(bins.gap[b]);
    ece += (bins.count[b] / bins.total) * g;
    mce = Math.max(mce, g);
  }
  return {ece, mce};
}

/**
 * Expected calibration error of top-label confidence (Naeini et al. 2015; Guo et al. 2017):
 * ECE = Σ_b (n_b/N)·|acc_b − conf_b| over the bins of {@link reliabilityBins} (15 equal-width bins by default,
 * `strategy: "mass"` for equal-mass bins); empty bins contribute nothing. Matches netcal's `ECE(bins).measure(probs,
 * labels)` for labels with at least three distinct values (see reliabilityBins for netcal's binary switch).
 */
export function ece(probs: Numbers, labels: Numbers, classes: number, options: BinOptions = {}): number {
  return calibrationErrors(reliabilityBins(probs, labels, classes, options)).ece;
}

/**
 * Maximum calibration error of top-label confidence: max_b |acc_b − conf_b| over the non-empty bins of
 * {@link reliabilityBins}, as netcal's `MCE` (which takes the max over all bins after zeroing empty ones — the same).
 */
export function mce(probs: Numbers, labels: Numbers, classes: number, options: BinOptions = {}): number {
  return calibrationErrors(reliabilityBins(probs, labels, classes, options)).mce;
}
