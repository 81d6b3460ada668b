/**
 * Method code of the Z-loss notebook (card 16, de Brébisson & Vincent 2016): float64 host-side values of the
 * spherical-family losses on read-back logits, the shift/scale demo built on them, the top-k curve, the loss's
 * profile, and the invariance study that runs the registry's own (float32) losses. No DOM.
 */
import * as tf from "../tf.js";
import {crossEntropy} from "../losses/compSum.js";
import {mseOneHot, taylorSoftmaxLoss, zLoss, zLossEps} from "../losses/sphericalLosses.js";
import {checkScores, topK} from "../metrics/classification.js";
import type {Numbers} from "../metrics/classification.js";
import {defineSchema} from "../params/schema.js";
import {random} from "../random.js";
import type {HostMetricContext} from "../train/train.js";

/** Z-loss hyper-parameters: sharpness a > 0 and target z-score b. */
export interface ZLossShape {
  a: number;
  b: number;
}

/**
 * Per-sample z-score of the label's logit, z_y = (o_y − μ)/σ with μ, σ the row's mean and population standard
 * deviation (σ² gets the registry's ε = 1e-8, so equal logits give z = 0).
 */
export function zLossLabelScores(logits: Numbers, labels: Numbers, classes: number): Float64Array {
  const n = checkScores("zLossLabelScores", "logits", logits, labels, classes);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const o = i * classes;
    let mu = 0;
    for (let c = 0; c < classes; ++c) mu += logits[o + c];
    mu /= classes;
    let v = 0;
    for (let c = 0; c < classes; ++c) v += (logits[o + c] - mu) ** 2;
    out[i] = (logits[o + labels[i]] - mu) / Math.sqrt(v / classes + zLossEps);
  }
  return out;
}

/** softplus(x) = log(1 + eˣ), without overflow for large x. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** The Z-loss of a z-score, softplus(a(b − z))/a, for each z in `zs` (the curve the loss draws against z_y). */
export function zLossProfile(zs: Numbers, {a, b}: ZLossShape): Float64Array {
  return Float64Array.from({length: zs.length}, (_, i) => softplus(a * (b - zs[i])) / a);
}

/** Batch-mean Z-loss of flat [N, C] logits, in float64 (the registry's `z-loss` computes the same in float32). */
export function zLossMean(logits: Numbers, labels: Numbers, classes: number, shape: ZLossShape): number {
  const z = zLossLabelScores(logits, labels, classes);
  return mean(zLossProfile(z, shape));
}

/** Batch-mean cross-entropy −log softmax(o)_y, in float64 (max-shifted). */
export function zLossCrossEntropy(logits: Numbers, labels: Numbers, classes: number): number {
  const n = checkScores("zLossCrossEntropy", "logits", logits, labels, classes);
  let sum = 0;
  for (let i = 0; i < n; ++i) {
    const o = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; ++c) max = Math.max(max, logits[o + c]);
    let s = 0;
    for (let c = 0; c < classes; ++c) s += Math.exp(logits[o + c] - max);
    sum += max + Math.log(s) - logits[o + labels[i]];
  }
  return sum / n;
}

/** Batch-mean squared error to the one-hot label, Σ_k (o_k − [k = y])², on the raw scores (the registry default). */
export function zLossMseOneHot(logits: Numbers, labels: Numbers, classes: number): number {
  const n = checkScores("zLossMseOneHot", "logits", logits, labels, classes);
  let sum = 0;
  for (let i = 0; i < n; ++i) {
    for (let c = 0; c < classes; ++c) sum += (logits[i * classes + c] - (c === labels[i] ? 1 : 0)) ** 2;
  }
  return sum / n;
}

/** Batch-mean log-Taylor-softmax loss −log(f(o_y)/Σ_k f(o_k)) with f(o) = Σ_{i ≤ order} oⁱ/i! (even order). */
export function zLossTaylorSoftmax(logits: Numbers, labels: Numbers, classes: number, order = 2): number {
  const n = checkScores("zLossTaylorSoftmax", "logits", logits, labels, classes);
  if (!(Number.isInteger(order) && order >= 2 && order % 2 === 0)) {
    throw new Error(`zLossTaylorSoftmax: invalid order: ${order}`);
  }
  const f = (x: number) => {
    let term = 1,
      s = 1;
    for (let i = 1; i <= order; ++i) s += term *= x / i;
    return s;
  };
  let sum = 0;
  for (let i = 0; i < n; ++i) {
    let total = 0;
    for (let c = 0; c < classes; ++c) total += f(logits[i * classes + c]);
    sum += Math.log(total) - Math.log(f(logits[i * classes + labels[i]]));
  }
  return sum / n;
}

/** k·o + s for every logit: the rescaling (k > 0) and shift the Z-loss ignores. */
export function zLossTransform(logits: Numbers, k: number, s: number): Float64Array {
  if (!(k > 0 && Number.isFinite(k))) throw new Error(`zLossTransform: invalid k: ${k} (must be > 0)`);
  if (!Number.isFinite(s)) throw new Error(`zLossTransform: invalid s: ${s}`);
  return Float64Array.from({length: logits.length}, (_, i) => k * logits[i] + s);
}

/** What the shift/scale demo reports for one quantity: its value before and after the transform. */
export interface ZLossDemoRow {
  key: "cross-entropy" | "z-loss" | "mse-onehot" | "taylor-softmax" | "top1" | "topk";
  label: string;
  before: number;
  after: number;
}

/** The four spherical-family comparison losses and both accuracies of flat [N, C] logits. */
export function zLossQuantities(
  logits: Numbers,
  labels: Numbers,
  classes: number,
  {a, b, k = 3}: ZLossShape & {k?: number}
): Record<ZLossDemoRow["key"], number> {
  return {
    "cross-entropy": zLossCrossEntropy(logits, labels, classes),
    "z-loss": zLossMean(logits, labels, classes, {a, b}),
    "mse-onehot": zLossMseOneHot(logits, labels, classes),
    "taylor-softmax": zLossTaylorSoftmax(logits, labels, classes),
    top1: topK(logits, labels, classes, {k: 1}),
    topk: topK(logits, labels, classes, {k})
  };
}

/** Display names of the demo's quantities. */
export function zLossQuantityLabels({a, b, k = 3}: ZLossShape & {k?: number}): Record<ZLossDemoRow["key"], string> {
  return {
    "cross-entropy": "cross-entropy",
    "z-loss": `Z-loss (a = ${a}, b = ${b})`,
    "mse-onehot": "squared error to one-hot",
    "taylor-softmax": "Taylor-softmax loss",
    top1: "top-1 accuracy",
    topk: `top-${k} accuracy`
  };
}

/**
 * The shift/scale demo: every quantity of the trained logits o and of k·o + s, computed here in float64. The
 * Z-loss and both accuracies are unchanged for any k > 0 and s; cross-entropy ignores s but not k; the squared
 * error and the Taylor-softmax loss change with both.
 */
export function zLossShiftDemo(
  logits: Numbers,
  labels: Numbers,
  classes: number,
  options: ZLossShape & {k: number; s: number; topk?: number}
): ZLossDemoRow[] {
  const shape = {a: options.a, b: options.b, k: options.topk ?? 3};
  const before = zLossQuantities(logits, labels, classes, shape);
  const after = zLossQuantities(zLossTransform(logits, options.k, options.s), labels, classes, shape);
  const labelsOf = zLossQuantityLabels(shape);
  return (Object.keys(before) as ZLossDemoRow["key"][]).map((key) => ({
    key,
    label: labelsOf[key],
    before: before[key],
    after: after[key]
  }));
}

/** One curve of a sweep: x and y for LossCurve, keyed by the quantity. */
export interface ZLossSweepCurve {
  key: string;
  label: string;
  role: string;
  x: Float64Array;
  y: Float64Array;
  dashed?: boolean;
}

/**
 * Each loss (and top-1 accuracy) of k·o + s divided by its value at k = 1, s = 0, along a sweep of one of the two
 * (the other held at `fixed`). A flat line at 1 is invariance. `over: "scale"` sweeps log₁₀ k over [−1, 1], `"shift"`
 * sweeps s over [−5, 5].
 */
export function zLossSweep(
  logits: Numbers,
  labels: Numbers,
  classes: number,
  options: ZLossShape & {over: "scale" | "shift"; fixed: number; points?: number}
): ZLossSweepCurve[] {
  const {over, fixed, points = 41} = options;
  const shape = {a: options.a, b: options.b, k: 1};
  const base = zLossQuantities(logits, labels, classes, shape);
  const x = Float64Array.from(
    {length: points},
    (_, i) => (over === "scale" ? -1 : -5) + (i * (over === "scale" ? 2 : 10)) / (points - 1)
  );
  const values = Array.from(x, (t) =>
    zLossQuantities(
      over === "scale" ? zLossTransform(logits, 10 ** t, fixed) : zLossTransform(logits, fixed, t),
      labels,
      classes,
      shape
    )
  );
  const labelsOf = zLossQuantityLabels(shape);
  const keys = ["cross-entropy", "z-loss", "mse-onehot", "taylor-softmax", "top1"] as const;
  return keys.map((key) => ({
    key,
    label: labelsOf[key],
    role: key === "cross-entropy" ? "baseline" : key === "z-loss" ? "method" : key,
    x,
    y: Float64Array.from(values, (v) => v[key] / base[key]),
    ...(key === "top1" ? {dashed: true} : {})
  }));
}

/** Top-k accuracy for k = 1 … C of flat [N, C] logits: the top-k curve (it reaches 1 at k = C). */
export function zLossTopKCurve(logits: Numbers, labels: Numbers, classes: number): Float64Array {
  return Float64Array.from({length: classes}, (_, i) => topK(logits, labels, classes, {k: i + 1}));
}

/**
 * Mean over samples of the standard deviation of a sample's logits: the scale cross-entropy keeps growing to shrink
 * its loss, and which the Z-loss leaves free (its value does not depend on it).
 */
export function zLossLogitScale(logits: Numbers, classes: number): number {
  const n = logits.length / classes;
  let sum = 0;
  for (let i = 0; i < n; ++i) {
    let mu = 0;
    for (let c = 0; c < classes; ++c) mu += logits[i * classes + c];
    mu /= classes;
    let v = 0;
    for (let c = 0; c < classes; ++c) v += (logits[i * classes + c] - mu) ** 2;
    sum += Math.sqrt(v / classes);
  }
  return n ? sum / n : NaN;
}

/**
 * The notebook's host metrics for every arm at each evaluation: `topKAccuracy` (top-k accuracy of the test logits)
 * and `logitScale` (their mean per-sample standard deviation).
 */
export function zLossMetrics(k: number): (ctx: HostMetricContext) => Record<string, number> {
  return ({data, testLogits}) => ({
    topKAccuracy: topK(testLogits, data.test.y, data.classes, {k}),
    logitScale: zLossLogitScale(testLogits, data.classes)
  });
}

/** What the invariance study measured on one seed's logits, over all its (k, s) draws. */
export interface ZLossInvariance {
  /** Largest |ℓ(k·o + s) − ℓ(o)| over samples and draws, for the registry's Z-loss (float32, current backend). */
  zLoss: number;
  /** The same for the registry's cross-entropy. */
  crossEntropy: number;
  /** The same for cross-entropy over shifts alone (k = 1): it is shift-invariant, up to float32 rounding. */
  crossEntropyShiftOnly: number;
  draws: number;
}

/**
 * The card's numerical invariance check, run with the registry's own losses (float32 on the current backend, as
 * training computes them): seeded logits o (n × C normals of std 3 with a random offset per row), `draws` random
 * rescalings k = 10^U(−1, 1) and shifts s ~ U(−10, 10); returns the largest per-sample change of each loss.
 */
export async function zLossInvarianceStudy(
  seed: number,
  {
    n = 256,
    classes = 10,
    draws = 20,
    a = 1,
    b = 2
  }: {n?: number; classes?: number; draws?: number} & Partial<ZLossShape> = {}
): Promise<ZLossInvariance> {
  const rng = random(seed).fork("z-loss-invariance");
  const logits = new Float32Array(n * classes);
  const labels = new Int32Array(n);
  const values = rng.fork("logits");
  for (let i = 0; i < n; ++i) {
    const offset = values.range(-5, 5);
    for (let c = 0; c < classes; ++c) logits[i * classes + c] = offset + 3 * values.normal();
    labels[i] = values.int(classes);
  }
  const transforms = rng.fork("transforms");
  const perSample = async (loss: typeof zLoss | typeof crossEntropy, o: Numbers, params: object) => {
    const values = tf.tidy(
      () =>
        loss.terms(
          {logits: tf.tensor2d(Float32Array.from(o), [n, classes]), labels: tf.tensor1d(labels, "int32")},
          params
        ).loss.values
    );
    try {
      return (await values.data()) as Float32Array;
    } finally {
      values.dispose();
    }
  };
  const z0 = await perSample(zLoss, logits, {a, b});
  const ce0 = await perSample(crossEntropy, logits, {});
  const maxChange = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
  let z = 0,
    ce = 0,
    ceShift = 0;
  for (let d = 0; d < draws; ++d) {
    const k = 10 ** transforms.range(-1, 1);
    const s = transforms.range(-10, 10);
    const moved = zLossTransform(logits, k, s);
    z = Math.max(z, maxChange(await perSample(zLoss, moved, {a, b}), z0));
    ce = Math.max(ce, maxChange(await perSample(crossEntropy, moved, {}), ce0));
    ceShift = Math.max(ceShift, maxChange(await perSample(crossEntropy, zLossTransform(logits, 1, s), {}), ce0));
  }
  return {zLoss: z, crossEntropy: ce, crossEntropyShiftOnly: ceShift, draws};
}

/**
 * Controls of the shift/scale demo (not part of the run, so not in the URL): which trained model's test logits, and
 * the rescaling k and shift s applied to every one of them.
 */
export const zLossDemoSchema = defineSchema({
  arm: {
    type: "enum",
    default: "method",
    options: ["method", "baseline"],
    labels: {method: "the method's model", baseline: "the cross-entropy model"},
    label: "logits of",
    doc: "whose test logits are transformed"
  },
  k: {
    type: "number",
    default: 3,
    min: 0.1,
    max: 10,
    step: 0.01,
    scale: "log",
    symbol: "k",
    label: "rescale k",
    doc: "every logit is multiplied by k > 0"
  },
  s: {
    type: "number",
    default: 2,
    min: -10,
    max: 10,
    step: 0.1,
    symbol: "s",
    label: "shift s",
    doc: "then s is added to every logit"
  }
});

/** The registry losses the notebook compares, by id (the method selector's options). */
export const zLossSphericalLosses = {"z-loss": zLoss, "mse-onehot": mseOneHot, "taylor-softmax": taylorSoftmaxLoss};

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; ++i) s += values[i];
  return values.length ? s / values.length : NaN;
}
