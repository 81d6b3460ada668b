/**
 * Method-specific code of the focal-loss notebook (card 36): a synthetic ICU cohort (heart rate and systolic blood
 * pressure per half hour, a share of patients deteriorating toward shock), the analytic focal loss and its pull as
 * functions of p_t, ranking metrics (AUROC, average precision, the precision–recall curve) and the per-evaluation
 * metrics the experiment records through train()'s `host` hook (minority recall, ECE, AUPRC, the gradient share of
 * easy and of minority samples). Plain float64, no TF.js.
 */
import {stratifiedSplit} from "../datasets/dataset.js";
import type {Dataset, Split} from "../datasets/dataset.js";
import {ece} from "../metrics/calibration.js";
import {softmax} from "../metrics/classification.js";
import {random} from "../random.js";
import type {Random} from "../random.js";
import type {HostMetricContext} from "../train/train.js";

/** Half-hour epochs observed per stay (24 h), and the same again in which the label is read. */
export const focalLossEpochs = 48;
/** Epochs per summary window (6 h). */
const windowEpochs = 12;
const signals = ["HR", "SBP", "SI"] as const;
const stats = ["mean", "min", "max", "slope"] as const;

/** The names of the ICU features in column order: "HR mean 0–6 h", …, "SI slope 18–24 h". */
export const focalLossFeatureNames: readonly string[] = Array.from(
  {length: focalLossEpochs / windowEpochs},
  (_, w) => w
).flatMap((w) => signals.flatMap((s) => stats.map((st) => `${s} ${st} ${w * 6}–${(w + 1) * 6} h`)));

export interface FocalLossIcuOptions {
  /** Patients (stays) before the split. */
  patients?: number;
  /** Share of patients with a latent deterioration starting in the observed day. */
  deteriorating?: number;
  testFraction?: number;
  seed?: number;
}

/** One simulated stay: heart rate and systolic pressure for 2 × 48 half-hour epochs. */
export interface FocalLossStay {
  hr: Float64Array;
  sbp: Float64Array;
  deteriorating: boolean;
}

const shockIndex = 0.7;

/**
 * One ICU stay: per patient a baseline heart rate ~ N(75, 10²) bpm and systolic pressure ~ N(135, 15²) mmHg (at least 95), each
 * with AR(1) fluctuations (φ = 0.85; innovations 3 bpm and 4 mmHg); a deteriorating patient's heart rate rises and
 * pressure falls linearly (0.2–0.8 per epoch each) from an onset in the last 12 observed hours.
 */
export function focalLossStay(rng: Random, deteriorating: boolean): FocalLossStay {
  const n = 2 * focalLossEpochs;
  const hr = new Float64Array(n);
  const sbp = new Float64Array(n);
  const hr0 = 75 + 10 * rng.normal();
  const sbp0 = Math.max(95, 135 + 15 * rng.normal());
  const onset = focalLossEpochs / 4 + rng.int(focalLossEpochs / 2);
  const riseHr = deteriorating ? rng.range(0.1, 0.5) : 0;
  const fallSbp = deteriorating ? rng.range(0.1, 0.5) : 0;
  let dh = 0,
    ds = 0;
  for (let t = 0; t < n; ++t) {
    dh = 0.85 * dh + 3 * rng.normal();
    ds = 0.85 * ds + 4 * rng.normal();
    const drift = Math.max(0, t - onset);
    hr[t] = hr0 + dh + riseHr * drift;
    sbp[t] = sbp0 + ds - fallSbp * drift;
  }
  return {hr, sbp, deteriorating};
}

/** Whether SI = HR/SBP stays below 0.7 throughout [from, to) (the cohort needs a normal observed day). */
function normalSpan(s: FocalLossStay, from: number, to: number): boolean {
  for (let t = from; t < to; ++t) if (s.hr[t] / s.sbp[t] >= shockIndex) return false;
  return true;
}

/** The label: an abnormal episode (SI ≥ 0.7 for more than 30 min, i.e. two consecutive epochs) on the next day. */
export function focalLossLabel(s: FocalLossStay): 0 | 1 {
  let run = 0;
  for (let t = focalLossEpochs; t < 2 * focalLossEpochs; ++t) {
    run = s.hr[t] / s.sbp[t] >= shockIndex ? run + 1 : 0;
    if (run >= 2) return 1;
  }
  return 0;
}

/** Least-squares slope of v[from .. from + n) against the epoch index. */
function slope(v: ArrayLike<number>, from: number, n: number): number {
  const tMean = (n - 1) / 2;
  let vMean = 0;
  for (let k = 0; k < n; ++k) vMean += v[from + k];
  vMean /= n;
  let num = 0,
    den = 0;
  for (let k = 0; k < n; ++k) {
    num += (k - tMean) * (v[from + k] - vMean);
    den += (k - tMean) ** 2;
  }
  return num / den;
}

/**
 * The 48 features of a stay, from its observed day only: for each 6-h window and each of HR, SBP and SI = HR/SBP,
 * the mean, minimum, maximum and least-squares slope per epoch (order as focalLossFeatureNames).
 */
export function focalLossFeatures(s: FocalLossStay): Float64Array {
  const si = Float64Array.from({length: focalLossEpochs}, (_, t) => s.hr[t] / s.sbp[t]);
  const series = [s.hr, s.sbp, si];
  const out: number[] = [];
  for (let w = 0; w < focalLossEpochs / windowEpochs; ++w) {
    const from = w * windowEpochs;
    for (const v of series) {
      let sum = 0,
        min = Infinity,
        max = -Infinity;
      for (let k = 0; k < windowEpochs; ++k) {
        const x = v[from + k];
        sum += x;
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      out.push(sum / windowEpochs, min, max, slope(v, from, windowEpochs));
    }
  }
  return Float64Array.from(out);
}

/** Standardises every column with the training split's mean and standard deviation (test uses the same). */
function standardize(train: Split, test: Split, d: number): void {
  for (let j = 0; j < d; ++j) {
    let mean = 0;
    for (let i = 0; i < train.n; ++i) mean += train.x[i * d + j];
    mean /= train.n;
    let v = 0;
    for (let i = 0; i < train.n; ++i) v += (train.x[i * d + j] - mean) ** 2;
    const sd = Math.sqrt(v / train.n) || 1;
    for (const s of [train, test]) for (let i = 0; i < s.n; ++i) s.x[i * d + j] = (s.x[i * d + j] - mean) / sd;
  }
}

/**
 * The card's synthetic ICU cohort: stays whose observed day is normal (SI < 0.7 throughout; others are redrawn, as
 * the paper's cohort requires 24 h of normal SI), 48 summary features of that day, and the label "a new abnormal
 * shock-index episode the next day". A share `deteriorating` of patients drift toward shock; the label follows the
 * simulated next day, so some drifting patients stay normal and a few stable ones cross by chance. Features are
 * standardised with the training split's statistics; stratified 70/30 split.
 */
export function focalLossIcu(options: FocalLossIcuOptions = {}): Dataset {
  const {patients = 1000, deteriorating = 0.2, testFraction = 0.3, seed = 0} = options;
  if (!(Number.isInteger(patients) && patients >= 20)) throw new Error(`focalLossIcu: invalid patients: ${patients}`);
  if (!(deteriorating > 0 && deteriorating < 1)) {
    throw new Error(`focalLossIcu: invalid deteriorating: ${deteriorating}`);
  }
  const rng = random(seed).fork("focal-icu");
  const stays = rng.fork("stays");
  const d = focalLossFeatureNames.length;
  const x = new Float32Array(patients * d);
  const y = new Int32Array(patients);
  for (let i = 0; i < patients; ++i) {
    const sick = stays.uniform() < deteriorating;
    let s = focalLossStay(stays, sick);
    while (!normalSpan(s, 0, focalLossEpochs)) s = focalLossStay(stays, sick);
    x.set(focalLossFeatures(s), i * d);
    y[i] = focalLossLabel(s);
  }
  const {train, test} = stratifiedSplit({x, y, inputs: d, classes: 2}, testFraction, rng.fork("split"));
  standardize(train, test, d);
  return {name: "icu", inputs: d, classes: 2, train, test, noiseRate: 0};
}

/** The focal loss −(1 − p_t)^γ log p_t of a sample whose label has probability p_t (γ = 0: cross-entropy). */
export function focalLossValue(pt: number, gamma: number): number {
  return -((1 - pt) ** gamma) * Math.log(pt);
}

/**
 * The pull of the focal loss: |dℓ/du| for the margin u = ±(z₁ − z₀) of the label, with p_t = σ(u):
 * (1 − p_t)^γ ((1 − p_t) − γ p_t log p_t). Cross-entropy's pull (γ = 0) is 1 − p_t; focal shrinks it most where
 * p_t is already large (easy samples).
 */
export function focalLossPull(pt: number, gamma: number): number {
  return (1 - pt) ** gamma * (1 - pt - gamma * pt * Math.log(pt));
}

/** P(class 1) per row of two-column logits: σ(z₁ − z₀). */
export function focalLossPositiveProbs(logits: ArrayLike<number>): Float64Array {
  if (logits.length % 2 !== 0)
    throw new Error(`focalLossPositiveProbs: logits has ${logits.length} entries, not [N, 2]`);
  return Float64Array.from({length: logits.length / 2}, (_, i) => {
    const f = logits[2 * i + 1] - logits[2 * i];
    return f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f));
  });
}

function checkBinary(fn: string, scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (scores.length !== labels.length) {
    throw new Error(`${fn}: labels has ${labels.length} entries, expected ${scores.length} (one per score)`);
  }
  let positives = 0;
  for (let i = 0; i < labels.length; ++i) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`${fn}: labels[${i}] = ${labels[i]} is not 0 or 1`);
    positives += labels[i];
  }
  return positives;
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative, ties counting ½
 * (the Mann–Whitney statistic; scikit-learn's roc_auc_score). NaN without positives or without negatives.
 */
export function focalLossAuroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const positives = checkBinary("focalLossAuroc", scores, labels);
  const negatives = labels.length - positives;
  if (!positives || !negatives) return NaN;
  const order = Array.from({length: scores.length}, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Sum of the positives' mid-ranks (1-based), ties sharing their average rank.
  let rankSum = 0;
  for (let k = 0; k < order.length;) {
    let j = k;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[k]]) j++;
    const mid = (k + j + 2) / 2;
    for (let m = k; m <= j; ++m) if (labels[order[m]] === 1) rankSum += mid;
    k = j + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The precision–recall curve, one point per distinct score from the highest down (recall non-decreasing). */
export function focalLossPrCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>
): {recall: Float64Array; precision: Float64Array; threshold: Float64Array} {
  const positives = checkBinary("focalLossPrCurve", scores, labels);
  const order = Array.from({length: scores.length}, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const recall: number[] = [],
    precision: number[] = [],
    threshold: number[] = [];
  let tp = 0;
  for (let k = 0; k < order.length; ++k) {
    if (labels[order[k]] === 1) tp++;
    if (k + 1 < order.length && scores[order[k + 1]] === scores[order[k]]) continue;
    recall.push(positives ? tp / positives : NaN);
    precision.push(tp / (k + 1));
    threshold.push(scores[order[k]]);
  }
  return {
    recall: Float64Array.from(recall),
    precision: Float64Array.from(precision),
    threshold: Float64Array.from(threshold)
  };
}

/**
 * Average precision, the area under the precision–recall curve as scikit-learn's average_precision_score computes
 * it: Σ_k (R_k − R_{k−1}) P_k over the distinct thresholds (a step function, no interpolation). NaN without positives.
 */
export function focalLossAveragePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const {recall, precision} = focalLossPrCurve(scores, labels);
  if (!recall.length || !(recall[recall.length - 1] > 0)) return NaN;
  let ap = 0,
    previous = 0;
  for (let k = 0; k < recall.length; ++k) {
    ap += (recall[k] - previous) * precision[k];
    previous = recall[k];
  }
  return ap;
}

/** Recall, precision and F1 of class 1 for "positive when p ≥ threshold" (p > ½ when threshold is omitted). */
export function focalLossBinaryScores(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold?: number
): {recall: number; precision: number; f1: number; specificity: number} {
  checkBinary("focalLossBinaryScores", probs, labels);
  let tp = 0,
    fp = 0,
    fn = 0,
    tn = 0;
  for (let i = 0; i < probs.length; ++i) {
    const positive = threshold === undefined ? probs[i] > 0.5 : probs[i] >= threshold;
    if (labels[i] === 1) positive ? tp++ : fn++;
    else positive ? fp++ : tn++;
  }
  return {
    recall: tp / (tp + fn),
    precision: tp + fp ? tp / (tp + fp) : NaN,
    f1: (2 * tp) / (2 * tp + fp + fn),
    specificity: tn / (tn + fp)
  };
}

/** The F1-optimal threshold on p (among the samples' own p, from the PR curve); ½ without positives. */
export function focalLossBestThreshold(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  const {recall, precision, threshold} = focalLossPrCurve(probs, labels);
  let best = 0.5,
    bestF1 = -1;
  for (let k = 0; k < threshold.length; ++k) {
    const f1 = recall[k] + precision[k] > 0 ? (2 * recall[k] * precision[k]) / (recall[k] + precision[k]) : 0;
    if (f1 > bestF1) {
      bestF1 = f1;
      best = threshold[k];
    }
  }
  return bestF1 >= 0 && Number.isFinite(best) ? best : 0.5;
}

/** What the gradient-share metric needs of an arm: its focusing parameter and class weights (1 when absent). */
export interface FocalLossArmWeights {
  gamma: number;
  /** Weight of each class's samples (classWeights of weighted CE, classAlpha of focal); [1, 1] when absent. */
  classWeights: ArrayLike<number>;
}

/**
 * How an arm's gradient splits between samples: of Σ_i w_{y_i}·pull(p_t,i) (the magnitude of each sample's
 * derivative with respect to its logit margin, times its class weight), the share that comes from easy samples
 * (p_t > `easy`, default 0.8) and the share from the minority class 1. Cross-entropy lets the many easy negatives
 * carry a large share; focal loss and class weights move it to hard and minority samples.
 */
export function focalLossGradientShares(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  arm: FocalLossArmWeights,
  easy = 0.8
): {easy: number; minority: number} {
  checkBinary("focalLossGradientShares", probs, labels);
  let total = 0,
    easyPart = 0,
    minorityPart = 0;
  for (let i = 0; i < probs.length; ++i) {
    const y = labels[i];
    // p_t clipped away from 0 and 1 so that log p_t and the pull stay finite in float64.
    const pt = Math.min(Math.max(y === 1 ? probs[i] : 1 - probs[i], 1e-300), 1);
    const g = arm.classWeights[y] * focalLossPull(pt, arm.gamma);
    total += g;
    if (pt > easy) easyPart += g;
    if (y === 1) minorityPart += g;
  }
  return {easy: total ? easyPart / total : NaN, minority: total ? minorityPart / total : NaN};
}

/** The γ and class weights of an arm of the focal-loss experiment, read from its spec. */
export function focalLossArmWeights(arm: HostMetricContext["arm"]): FocalLossArmWeights {
  const gamma = arm.loss.id === "focal" ? Number(arm.params?.gamma ?? 2) : 0;
  const w = arm.constants?.classAlpha ?? arm.constants?.classWeights;
  return {gamma, classWeights: w ? (w instanceof Float32Array ? w : w.values) : [1, 1]};
}

/**
 * The focal-loss experiment's metrics at one evaluation (train()'s `host` hook), on the test split unless named:
 * minority recall, precision, F1 and specificity at p > ½, balanced accuracy, ECE (15 equal-width bins of top-label
 * confidence, src/metrics/calibration.ts), AUROC, AUPRC (average precision), F1 at the threshold that maximises F1
 * on the training probe (`f1Tuned`), and the arm's gradient shares on the training probe (`gradEasy`,
 * `gradMinority`).
 */
export function focalLossHostMetrics(
  ctx: Pick<HostMetricContext, "data" | "arm" | "testLogits" | "probeLogits" | "probeSize">
): Record<string, number> {
  const {data, testLogits, probeLogits, probeSize} = ctx;
  const labels = data.test.y;
  const probs = focalLossPositiveProbs(testLogits);
  const at = focalLossBinaryScores(probs, labels);
  const probeProbs = focalLossPositiveProbs(probeLogits);
  const probeLabels = data.train.y.subarray(0, probeSize);
  const threshold = focalLossBestThreshold(probeProbs, probeLabels);
  const shares = focalLossGradientShares(probeProbs, probeLabels, focalLossArmWeights(ctx.arm));
  return {
    recall: at.recall,
    precision: at.precision,
    f1: at.f1,
    specificity: at.specificity,
    balancedAccuracy: (at.recall + at.specificity) / 2,
    ece: ece(softmax(testLogits, 2), labels, 2),
    auroc: focalLossAuroc(probs, labels),
    auprc: focalLossAveragePrecision(probs, labels),
    threshold,
    f1Tuned: focalLossBinaryScores(probs, labels, threshold).f1,
    gradEasy: shares.easy,
    gradMinority: shares.minority
  };
}
