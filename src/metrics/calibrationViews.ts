/**
 * The transforms behind the calibration views: a seeded bootstrap band around reliability-diagram bins, temperature
 * scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks", §4.2) with the NLL at a temperature and the
 * NLL-optimal temperature, and one call that computes everything a reliability diagram draws for one arm. Plain
 * float64 over arrays, no TF.js; input conventions as in classification.ts (flat row-major [N, C] scores).
 */
import {random} from "../random.js";
import {calibrationErrors, reliabilityBins} from "./calibration.js";
import type {BinOptions, BinStrategy, ReliabilityBins} from "./calibration.js";
import {brier, checkInt, checkScores, quantileSorted, softmax} from "./classification.js";
import type {Numbers} from "./classification.js";

/** The two binnings as the reliability diagram's toggle names them. */
export type Binning = "equal-width" | "equal-mass";

/** The bin strategy of reliabilityBins for the diagram's toggle value: "equal-width" → "width", "equal-mass" → "mass". */
export function binStrategy(binning: Binning): BinStrategy {
  if (binning === "equal-width") return "width";
  if (binning === "equal-mass") return "mass";
  throw new Error(`binStrategy: invalid binning: ${String(binning)}`);
}

/** Options of {@link bootstrapReliability}. */
export interface BootstrapOptions extends BinOptions {
  /** Bootstrap resamples (default 200). */
  resamples?: number;
  /** Seed of the resampling stream (default 0); the same seed gives the same band. */
  seed?: number | string;
  /** Coverage of the percentile intervals, in (0, 1) (default 0.9: the 5 % and 95 % quantiles). */
  level?: number;
}

/** Reliability bins with a bootstrap band (see {@link bootstrapReliability}). */
export interface BootstrapReliability {
  /** The bins of the full sample, exactly reliabilityBins(probs, labels, classes, {bins, strategy}). */
  bins: ReliabilityBins;
  /** Per bin, the (1 − level)/2 quantile of the bin's accuracy over the resamples; NaN for an empty bin. */
  lower: Float64Array;
  /** Per bin, the (1 + level)/2 quantile of the bin's accuracy over the resamples; NaN for an empty bin. */
  upper: Float64Array;
  /** ECE and MCE of the full sample (calibrationErrors of `bins`). */
  ece: number;
  mce: number;
  /** Percentile interval of the ECE over the resamples, at `level`. */
  eceInterval: [number, number];
  level: number;
  resamples: number;
}

// Confidences are clipped into [ε, 1 − ε] before binning, as reliabilityBins does (netcal's rule, ε = 2⁻⁵²), so the
// per-sample bin assignment below lands every sample in the bin reliabilityBins counted it in.
const eps = Number.EPSILON;

/** Top-label confidence and correctness of every row, as reliabilityBins computes them (clipped, first argmax). */
function topLabel(probs: Numbers, labels: Numbers, classes: number, n: number) {
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; ++i) {
    const o = i * classes;
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < classes; ++c) {
      const p = Math.min(Math.max(probs[o + c], eps), 1 - eps);
      if (p > max) {
        max = p;
        best = c;
      }
    }
    confidence[i] = max;
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return {confidence, correct};
}

/** The bin of v: the last edge ≤ v, with v = 1 in the last bin (reliabilityBins' rule, np.histogramdd's). */
function binIndex(edges: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= v) lo = mid;
    else hi = mid;
  }
  return Math.min(lo, edges.length - 2);
}

/**
 * Reliability bins with a percentile-bootstrap band: resamples the N samples with replacement `resamples` times
 * (seeded, from src/random.ts), keeps the bin edges of the full sample (so for equal-mass bins the quantile edges are
 * not re-estimated per resample and every resample's bin b is the full sample's bin b), and reports per bin the
 * lower and upper quantiles of the bin's accuracy and the percentile interval of the ECE. A bin that a resample
 * leaves empty has no accuracy in that resample: its band is taken over the resamples in which it holds samples.
 * Bins empty in the full sample get NaN bounds. Quantiles use numpy's linear interpolation. Cost O(resamples · N).
 */
export function bootstrapReliability(
  probs: Numbers,
  labels: Numbers,
  classes: number,
  {bins = 15, strategy = "width", resamples = 200, seed = 0, level = 0.9}: BootstrapOptions = {}
): BootstrapReliability {
  const fn = "bootstrapReliability";
  checkInt(fn, "resamples", resamples);
  if (!(level > 0 && level < 1)) throw new Error(`${fn}: invalid level: ${level}`);
  const full = reliabilityBins(probs, labels, classes, {bins, strategy}); // validates probs, labels, bins
  const n = full.total;
  const {confidence, correct} = topLabel(probs, labels, classes, n);
  const bin = new Int32Array(n);
  for (let i = 0; i < n; ++i) bin[i] = binIndex(full.edges, confidence[i]);

  const rng = random(seed).fork("bootstrap");
  const count = new Int32Array(bins);
  const confSum = new Float64Array(bins);
  const hitSum = new Float64Array(bins);
  const accuracy = new Float64Array(bins * resamples); // [bin, resample]; NaN where the resample leaves the bin empty
  const eces = new Float64Array(resamples);
  for (let r = 0; r < resamples; ++r) {
    count.fill(0);
    confSum.fill(0);
    hitSum.fill(0);
    for (let j = 0; j < n; ++j) {
      const i = rng.int(n);
      const b = bin[i];
      count[b]++;
      confSum[b] += confidence[i];
      hitSum[b] += correct[i];
    }
    let e = 0;
    for (let b = 0; b < bins; ++b) {
      if (count[b] === 0) {
        accuracy[b * resamples + r] = NaN;
        continue;
      }
      const acc = hitSum[b] / count[b];
      accuracy[b * resamples + r] = acc;
      e += (count[b] / n) * Math.abs(confSum[b] / count[b] - acc);
    }
    eces[r] = e;
  }

  const lo = (1 - level) / 2;
  const hi = (1 + level) / 2;
  const lower = new Float64Array(bins).fill(NaN);
  const upper = new Float64Array(bins).fill(NaN);
  for (let b = 0; b < bins; ++b) {
    if (full.count[b] === 0) continue;
    const values = accuracy.subarray(b * resamples, (b + 1) * resamples).filter((v) => !Number.isNaN(v));
    if (values.length === 0) continue;
    values.sort();
    lower[b] = quantileSorted(values, lo);
    upper[b] = quantileSorted(values, hi);
  }
  eces.sort();
  const {ece, mce} = calibrationErrors(full);
  return {
    bins: full,
    lower,
    upper,
    ece,
    mce,
    eceInterval: [quantileSorted(eces, lo), quantileSorted(eces, hi)],
    level,
    resamples
  };
}

function checkTemperature(fn: string, temperature: number): void {
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new Error(`${fn}: invalid temperature: ${temperature}`);
}

/**
 * Temperature scaling (Guo et al. 2017, eq. in §4.2): the probabilities softmax(z / T) of every row of `logits`
 * (flat [N, C]). T > 1 softens over-confident predictions, T < 1 sharpens them; the argmax, and so the accuracy, never
 * changes.
 */
export function temperatureScale(logits: Numbers, classes: number, temperature: number): Float64Array {
  checkTemperature("temperatureScale", temperature);
  const scaled = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; ++i) scaled[i] = logits[i] / temperature;
  return softmax(scaled, classes);
}

/** Mean NLL at temperature T of samples with validated logits: the one loop behind nllAtTemperature and the search. */
function meanNll(logits: Numbers, labels: Numbers, classes: number, n: number, temperature: number): number {
  const beta = 1 / temperature;
  let sum = 0;
  for (let i = 0; i < n; ++i) {
    const o = i * classes;
    let top = 0;
    for (let c = 1; c < classes; ++c) if (logits[o + c] > logits[o + top]) top = c;
    const max = logits[o + top] * beta;
    // −log softmax(βz)_y = (βz_top − βz_y) + log(1 + Σ_{c≠top} exp(βz_c − βz_top)): log1p keeps the tiny losses of
    // confident correct rows exact, so the NLL keeps falling as T shrinks instead of flattening at 0.
    let rest = 0;
    for (let c = 0; c < classes; ++c) if (c !== top) rest += Math.exp(logits[o + c] * beta - max);
    sum += max - logits[o + labels[i]] * beta + Math.log1p(rest);
  }
  return sum / n;
}

/**
 * Mean negative log-likelihood of the labels under softmax(logits / T), computed from the logits with log-sum-exp
 * (no clipping, unlike nll(probs), so it stays exact and smooth for confident rows); NaN for N = 0.
 */
export function nllAtTemperature(logits: Numbers, labels: Numbers, classes: number, temperature: number): number {
  const n = checkScores("nllAtTemperature", "logits", logits, labels, classes);
  checkTemperature("nllAtTemperature", temperature);
  return n === 0 ? NaN : meanNll(logits, labels, classes, n, temperature);
}

/** Options of {@link optimalTemperature}. */
export interface TemperatureSearchOptions {
  /** Search bounds for T (defaults 0.05 and 20). */
  min?: number;
  max?: number;
  /** Width of the final bracket in ln T (default 1e-6: T to about 6 significant digits). */
  tolerance?: number;
}

const invPhi = (Math.sqrt(5) - 1) / 2; // 1/φ ≈ 0.618

/**
 * The temperature in [min, max] that minimises nllAtTemperature: golden-section search on u = ln T until the bracket
 * is narrower than `tolerance` in ln T. The search is exact in kind, not only local: with β = 1/T the mean NLL is
 * mean_i [logsumexp(β z_i) − β z_{i,y_i}], convex in β, so it is unimodal in ln T and the bracket keeps the global
 * minimum. The bounds themselves are candidates too, so data the model already fits with full confidence (every
 * prediction right: the NLL falls as T → 0) returns `min` exactly and data it gets wrong in a way that only softening
 * helps returns `max`. Among equal NLLs (a flat NLL: one class, or confidences that round to 1) the candidate nearest
 * T = 1 wins, and T = 1 itself is a candidate. Throws for N = 0.
 */
export function optimalTemperature(
  logits: Numbers,
  labels: Numbers,
  classes: number,
  {min = 0.05, max = 20, tolerance = 1e-6}: TemperatureSearchOptions = {}
): number {
  const fn = "optimalTemperature";
  const n = checkScores(fn, "logits", logits, labels, classes);
  if (n === 0) throw new Error(`${fn}: no samples (logits has 0 rows)`);
  if (!(min > 0 && Number.isFinite(min))) throw new Error(`${fn}: invalid min: ${min}`);
  if (!(max >= min && Number.isFinite(max))) throw new Error(`${fn}: invalid max: ${max}`);
  if (!(tolerance > 0)) throw new Error(`${fn}: invalid tolerance: ${tolerance}`);
  const f = (u: number) => meanNll(logits, labels, classes, n, Math.exp(u));
  let a = Math.log(min);
  let b = Math.log(max);
  let c = b - invPhi * (b - a);
  let d = a + invPhi * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - invPhi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + invPhi * (b - a);
      fd = f(d);
    }
  }
  const found = fc <= fd ? c : d;
  // T = 1 (u = 0) is a candidate too when it lies in the bounds, so that a flat NLL leaves the model unscaled.
  const candidates = [found, Math.log(min), Math.log(max), ...(min <= 1 && 1 <= max ? [0] : [])];
  let best = candidates[0];
  let value = f(best);
  for (const u of candidates.slice(1)) {
    const v = f(u);
    if (v < value || (v === value && Math.abs(u) < Math.abs(best))) {
      best = u;
      value = v;
    }
  }
  // Bounds are returned as given, not as exp(log(bound)), which may differ in the last bit.
  if (best === candidates[1]) return min;
  if (best === candidates[2]) return max;
  return Math.exp(best);
}

/** Options of {@link reliabilityView}. */
export interface ReliabilityViewOptions extends BinOptions {
  /** Temperature the probabilities are scaled with before binning (default 1: the model as it is). */
  temperature?: number;
  /** Bootstrap band settings, or false for none (default: 200 resamples, seed 0, level 0.9). */
  bootstrap?: Pick<BootstrapOptions, "resamples" | "seed" | "level"> | false;
  /** Search the NLL-optimal temperature (default true; O(40 · N · C)), with these bounds. */
  optimal?: boolean | TemperatureSearchOptions;
}

/** Everything the reliability diagram draws for one arm; ReliabilityDiagram takes it as an arm of its data. */
export interface ReliabilityView {
  bins: ReliabilityBins;
  band?: {lower: Float64Array; upper: Float64Array};
  ece: number;
  eceInterval?: [number, number];
  mce: number;
  brier: number;
  nll: number;
  temperature: number;
  optimalTemperature?: number;
}

/**
 * One arm of a reliability diagram from logits and labels: probabilities at `temperature`, their bins (equal width
 * or equal mass), a bootstrap band and ECE interval, ECE, MCE, Brier score and NLL at that temperature, and the
 * NLL-optimal temperature (which does not depend on `temperature`, so pages may cache it).
 */
export function reliabilityView(
  logits: Numbers,
  labels: Numbers,
  classes: number,
  {bins = 15, strategy = "width", temperature = 1, bootstrap = {}, optimal = true}: ReliabilityViewOptions = {}
): ReliabilityView {
  const probs = temperatureScale(logits, classes, temperature);
  const boot = bootstrap ? bootstrapReliability(probs, labels, classes, {bins, strategy, ...bootstrap}) : null;
  const binned = boot ? boot.bins : reliabilityBins(probs, labels, classes, {bins, strategy});
  const view: ReliabilityView = {
    bins: binned,
    ...calibrationErrors(binned),
    brier: brier(probs, labels, classes),
    nll: nllAtTemperature(logits, labels, classes, temperature),
    temperature
  };
  if (boot) {
    view.band = {lower: boot.lower, upper: boot.upper};
    view.eceInterval = boot.eceInterval;
  }
  if (optimal) {
    view.optimalTemperature = optimalTemperature(logits, labels, classes, optimal === true ? {} : optimal);
  }
  return view;
}
