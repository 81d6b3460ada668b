/**
 * Card 14 (Tyurin 2024): logistic regression trained by full-batch gradient descent with large step sizes, the batch
 * perceptron it turns into as γ → ∞, and Normalized LR+GD.
 *
 * Why plain host-side Float64 code and not train(): the model is a linear classifier with three weights on a few hundred
 * points, and the point of the notebook is what happens at γ = 1e3 … 1e6, where margins reach 1e4–1e6. Float32 (all that
 * TF.js offers) saturates σ(−m) and loses the small differences between LR+GD and the perceptron there, while Float64
 * does not; and an iteration costs microseconds on the CPU, less than one GPU dispatch. The losses themselves are the
 * registry's `logistic` and `batch-perceptron` (src/losses/binary.ts); the unit tests check this file's values and
 * updates against them. The live page is an async generator (`lrGdPerceptronRun`) that honours a TrainControl and
 * yields TrainEvent-shaped events, so the Player, LossCurve and the view helpers work as on every other page.
 */
import type {Dataset, Split} from "../datasets/dataset.js";
import {random} from "../random.js";
import type {TrainControl} from "../train/control.js";
import type {ArmEvent, GridSpec, History, RunStatus, TrainEvent, TrainSummary} from "../train/train.js";

// ---------------------------------------------------------------------------------------------------------------------
// Data

/** Separable data as the update rules see it: rows a_i = (x₁, x₂, 1) and signs y_i ∈ {−1, +1}. */
export interface LrGdPerceptronDesign {
  n: number;
  /** Row-major [n, 3]: the two inputs and a constant 1 for the bias. */
  a: Float64Array;
  /** Signs ±1. */
  y: Float64Array;
}

export interface LrGdPerceptronDataOptions {
  /** Training points kept after the margin filter (default 400, the card's n). */
  n?: number;
  /** Test points, drawn the same way (default 200). */
  testN?: number;
  /** Points closer than this to the true boundary are discarded (default 0.02, the card's). */
  minMargin?: number;
  seed?: number;
}

/**
 * The labelling rule: y = sign(x₂ − x₁/4 − ½), scaled to unit length so that |rule(x)| is the distance to the boundary.
 * It passes through the centre of the cloud (2, 1), so the classes are about even and the bias is needed (the data
 * are off-centre), and it is steep against the long axis of the cloud, so the informative direction is the one with
 * little variance: an ill-conditioned problem, on which small-step gradient descent is slow.
 */
export const lrGdPerceptronRule = (() => {
  const norm = Math.hypot(-0.25, 1);
  return {w: [-0.25 / norm, 1 / norm], b: -0.5 / norm} as const;
})();

/**
 * The card's toy data: x ~ N((2, 1), diag(9, 0.25)), labelled by `lrGdPerceptronRule`, points with |margin| below
 * `minMargin` discarded (so the data are separable with a margin of at least that), `n` training and `testN` test points.
 * Class 1 is y = +1, class 0 is y = −1.
 */
export function lrGdPerceptronData(options: LrGdPerceptronDataOptions = {}): {
  dataset: Dataset;
  train: LrGdPerceptronDesign;
  test: LrGdPerceptronDesign;
} {
  const {n = 400, testN = 200, minMargin = 0.02, seed = 0} = options;
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`invalid n: ${n}`);
  if (!(Number.isInteger(testN) && testN >= 0)) throw new Error(`invalid testN: ${testN}`);
  if (!(minMargin >= 0 && minMargin < 1)) throw new Error(`invalid minMargin: ${minMargin}`);
  const rng = random(seed).fork("lr-gd-perceptron");
  const draw = (count: number, stream: string, offset: number): {split: Split; design: LrGdPerceptronDesign} => {
    const r = rng.fork(stream);
    const x = new Float32Array(2 * count);
    const a = new Float64Array(3 * count);
    const y = new Float64Array(count);
    const labels = new Int32Array(count);
    for (let i = 0; i < count;) {
      // Round to float32 first, so that the page's points and the rows the updates see are the same numbers.
      const x1 = Math.fround(2 + 3 * r.normal());
      const x2 = Math.fround(1 + 0.5 * r.normal());
      const m = lrGdPerceptronRule.w[0] * x1 + lrGdPerceptronRule.w[1] * x2 + lrGdPerceptronRule.b;
      if (Math.abs(m) < minMargin || m === 0) continue;
      x[2 * i] = x1;
      x[2 * i + 1] = x2;
      a[3 * i] = x1;
      a[3 * i + 1] = x2;
      a[3 * i + 2] = 1;
      y[i] = m > 0 ? 1 : -1;
      labels[i] = m > 0 ? 1 : 0;
      ++i;
    }
    const ids = Int32Array.from({length: count}, (_, i) => offset + i);
    return {split: {n: count, x, y: labels, yClean: labels.slice(), ids}, design: {n: count, a, y}};
  };
  const train = draw(n, "train", 0);
  const test = draw(testN, "test", n);
  return {
    dataset: {name: "separable-2d", inputs: 2, classes: 2, train: train.split, test: test.split, noiseRate: 0},
    train: train.design,
    test: test.design
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The objective and the three update rules

/** softplus(z) = log(1 + e^z) without overflow (z up to ±1e300). */
export function lrGdPerceptronSoftplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** σ(−m) = 1 / (1 + e^m) without overflow. */
function sigmoidNeg(m: number): number {
  if (m >= 0) {
    const e = Math.exp(-m);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(m));
}

/** Margins m_i = y_i a_iᵀ w into `out`. */
export function lrGdPerceptronMargins(
  d: LrGdPerceptronDesign,
  w: ArrayLike<number>,
  out: Float64Array = new Float64Array(d.n)
): Float64Array {
  for (let i = 0; i < d.n; ++i) out[i] = d.y[i] * (d.a[3 * i] * w[0] + d.a[3 * i + 1] * w[1] + d.a[3 * i + 2] * w[2]);
  return out;
}

/** The logistic loss f(w) = (1/n) Σ log(1 + e^{−m_i}) from the margins. */
export function lrGdPerceptronLogisticLoss(margins: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < margins.length; ++i) s += lrGdPerceptronSoftplus(-margins[i]);
  return s / margins.length;
}

/** The perceptron criterion (1/n) Σ max(0, −m_i), the batch perceptron's objective, from the margins. */
export function lrGdPerceptronCriterion(margins: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < margins.length; ++i) s += Math.max(0, -margins[i]);
  return s / margins.length;
}

/** Points not strictly on the right side (m_i ≤ 0; at w = 0 every point is a tie and counts). */
export function lrGdPerceptronMisclassified(margins: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < margins.length; ++i) if (!(margins[i] > 0)) k++;
  return k;
}

/** ∇f(w) = −(1/n) Σ y_i a_i σ(−m_i) of the logistic loss. */
export function lrGdPerceptronGradient(d: LrGdPerceptronDesign, w: ArrayLike<number>): Float64Array {
  const g = new Float64Array(3);
  for (let i = 0; i < d.n; ++i) {
    const m = d.y[i] * (d.a[3 * i] * w[0] + d.a[3 * i + 1] * w[1] + d.a[3 * i + 2] * w[2]);
    const c = d.y[i] * sigmoidNeg(m);
    for (let j = 0; j < 3; ++j) g[j] -= (c * d.a[3 * i + j]) / d.n;
  }
  return g;
}

/** How one method updates w: LR+GD, Normalized LR+GD (both with a step size γ), or the batch perceptron. */
export type LrGdPerceptronMethod =
  {kind: "lr-gd"; gamma: number} | {kind: "normalized"; gamma: number} | {kind: "perceptron"};

/** A display name: "LR+GD (γ = 1000)", "Normalized LR+GD (γ = 1)", "Batch perceptron". */
export function lrGdPerceptronLabel(m: LrGdPerceptronMethod): string {
  switch (m.kind) {
    case "lr-gd":
      return `LR+GD (γ = ${lrGdPerceptronFormatGamma(m.gamma)})`;
    case "normalized":
      return `Normalized LR+GD (γ = ${lrGdPerceptronFormatGamma(m.gamma)})`;
    case "perceptron":
      return "Batch perceptron";
  }
}

/** 1000 → "1000", 1e5 → "1e5", 0.1 → "0.1", 3.162… → "3.16". */
export function lrGdPerceptronFormatGamma(g: number): string {
  const k = Math.log10(g);
  if (Number.isInteger(k) && k >= 5) return `1e${k}`;
  return String(+g.toPrecision(3));
}

/**
 * One update of w in place; returns the margins at w *before* the update (the ones the step used).
 *
 * - LR+GD: w ← w − γ∇f(w), i.e. w ← w + (γ/n) Σ y_i a_i σ(−m_i).
 * - Normalized LR+GD (the card's reconstructed form, unconfirmed: no official code): w ← w − (γ/f(w)) ∇f(w). The ratio
 *   ∇f/f is computed with both sums scaled by e^{s}, s = max(0, min_i m_i), so that it stays finite after separation,
 *   when f and ∇f both underflow (f ≈ (1/n) Σ e^{−m_i}).
 * - Batch perceptron: v ← v + (1/n) Σ y_i a_i (1[m_i < 0] + ½·1[m_i = 0]), the γ → ∞ limit of LR+GD with v = w/γ.
 */
export function lrGdPerceptronStep(
  method: LrGdPerceptronMethod,
  d: LrGdPerceptronDesign,
  w: Float64Array,
  margins: Float64Array = new Float64Array(d.n)
): Float64Array {
  lrGdPerceptronMargins(d, w, margins);
  const u = [0, 0, 0];
  if (method.kind === "lr-gd") {
    for (let i = 0; i < d.n; ++i) {
      const c = d.y[i] * sigmoidNeg(margins[i]);
      for (let j = 0; j < 3; ++j) u[j] += c * d.a[3 * i + j];
    }
    for (let j = 0; j < 3; ++j) w[j] += (method.gamma * u[j]) / d.n;
  } else if (method.kind === "perceptron") {
    for (let i = 0; i < d.n; ++i) {
      const m = margins[i];
      const c = m < 0 ? 1 : m === 0 ? 0.5 : 0;
      if (c) for (let j = 0; j < 3; ++j) u[j] += c * d.y[i] * d.a[3 * i + j];
    }
    for (let j = 0; j < 3; ++j) w[j] += u[j] / d.n;
  } else {
    let s = Infinity;
    for (let i = 0; i < d.n; ++i) s = Math.min(s, margins[i]);
    s = Math.max(0, s);
    let f = 0;
    for (let i = 0; i < d.n; ++i) {
      const m = margins[i];
      // σ(−m)·e^s and softplus(−m)·e^s; for m ≥ s ≥ 0 both are e^{−(m−s)} times a factor in (0, 1].
      let sig: number, sp: number;
      if (s === 0) {
        sig = sigmoidNeg(m);
        sp = lrGdPerceptronSoftplus(-m);
      } else {
        const e = Math.exp(-m);
        const scaled = Math.exp(-(m - s));
        sig = scaled / (1 + e);
        sp = scaled * (e > 1e-8 ? Math.log1p(e) / e : 1 - e / 2);
      }
      f += sp;
      const c = d.y[i] * sig;
      for (let j = 0; j < 3; ++j) u[j] += c * d.a[3 * i + j];
    }
    for (let j = 0; j < 3; ++j) w[j] += (method.gamma * u[j]) / f;
  }
  return margins;
}

/** Cosine of the angle between two weight vectors (NaN when either is 0). */
export function lrGdPerceptronCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let j = 0; j < a.length; ++j) {
    ab += a[j] * b[j];
    aa += a[j] * a[j];
    bb += b[j] * b[j];
  }
  return aa > 0 && bb > 0 ? Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb))) : NaN;
}

export interface LrGdPerceptronTrace {
  /** Iterations until every training point has m_i > 0 (first t with w_t separating); Infinity if not within the budget. */
  separatedAt: number;
  /** The logistic loss f(w_t) for t = 0 … iterations (the perceptron's iterates too, for comparison). */
  loss: Float64Array;
  /** Misclassified points (m_i ≤ 0) at w_t, t = 0 … iterations. */
  misclassified: Int32Array;
  /** The iterates w_0 … w_T, row-major [T + 1, 3] (only with keepWeights). */
  weights?: Float64Array;
}

/**
 * Runs a method from w₀ = 0 for `iterations` steps (or until the data are separated, with stopAtSeparation) and records
 * its loss and misclassification count at every iterate.
 */
export function lrGdPerceptronTrace(
  method: LrGdPerceptronMethod,
  d: LrGdPerceptronDesign,
  iterations: number,
  options: {stopAtSeparation?: boolean; keepWeights?: boolean} = {}
): LrGdPerceptronTrace {
  const w = new Float64Array(3);
  const margins = new Float64Array(d.n);
  const loss: number[] = [];
  const misclassified: number[] = [];
  const weights: number[] = [];
  let separatedAt = Infinity;
  for (let t = 0; ; ++t) {
    lrGdPerceptronMargins(d, w, margins);
    loss.push(lrGdPerceptronLogisticLoss(margins));
    const wrong = lrGdPerceptronMisclassified(margins);
    misclassified.push(wrong);
    if (options.keepWeights) weights.push(w[0], w[1], w[2]);
    if (wrong === 0 && separatedAt === Infinity) separatedAt = t;
    if (t === iterations || (options.stopAtSeparation && separatedAt < Infinity)) break;
    lrGdPerceptronStep(method, d, w, margins);
  }
  return {
    separatedAt,
    loss: Float64Array.from(loss),
    misclassified: Int32Array.from(misclassified),
    ...(options.keepWeights ? {weights: Float64Array.from(weights)} : {})
  };
}

/** Iterations LR+GD / Normalized LR+GD / the perceptron needs to separate the data (Infinity beyond maxIterations). */
export function lrGdPerceptronIterationsToSeparate(
  method: LrGdPerceptronMethod,
  d: LrGdPerceptronDesign,
  maxIterations: number
): number {
  return lrGdPerceptronTrace(method, d, maxIterations, {stopAtSeparation: true}).separatedAt;
}

/** The largest logistic loss over iterates w_0 … w_T (the card's "maximum loss in the first 50 steps"). */
export function lrGdPerceptronPeakLoss(
  method: LrGdPerceptronMethod,
  d: LrGdPerceptronDesign,
  iterations: number
): number {
  const {loss} = lrGdPerceptronTrace(method, d, iterations);
  let peak = -Infinity;
  for (const v of loss) peak = Math.max(peak, v);
  return peak;
}

/** The smallest cosine between LR+GD(γ)'s iterates w_t and the batch perceptron's v_t over t = 1 … T. */
export function lrGdPerceptronMinCosine(gamma: number, d: LrGdPerceptronDesign, iterations: number): number {
  const a = lrGdPerceptronTrace({kind: "lr-gd", gamma}, d, iterations, {keepWeights: true}).weights!;
  const b = lrGdPerceptronTrace({kind: "perceptron"}, d, iterations, {keepWeights: true}).weights!;
  let min = Infinity;
  for (let t = 1; t <= iterations; ++t) {
    min = Math.min(min, lrGdPerceptronCosine(a.subarray(3 * t, 3 * t + 3), b.subarray(3 * t, 3 * t + 3)));
  }
  return min;
}

/** One γ of the step-size sweep. */
export interface LrGdPerceptronSweepRow {
  gamma: number;
  /** Iterations to separation of LR+GD and Normalized LR+GD (Infinity: not within the budget). */
  lrGd: number;
  normalized: number;
  /** Largest logistic loss of LR+GD over its first `peakWindow` iterations. */
  peakLoss: number;
}

export interface LrGdPerceptronSweep {
  rows: LrGdPerceptronSweepRow[];
  /** Iterations to separation of the batch perceptron (independent of γ). */
  perceptron: number;
  maxIterations: number;
  peakWindow: number;
}

/** The step sizes of the sweep: half decades from 1e−1 to 1e6. */
export const lrGdPerceptronGammas: readonly number[] = Array.from({length: 15}, (_, k) => 10 ** (-1 + k / 2));

/**
 * The step-size sweep, one γ at a time (a generator, so a page can draw it as it grows): iterations to separation of
 * LR+GD and Normalized LR+GD and LR+GD's peak loss over its first `peakWindow` iterations, for each γ.
 */
export function* lrGdPerceptronSweepSteps(
  d: LrGdPerceptronDesign,
  options: {gammas?: readonly number[]; maxIterations?: number; peakWindow?: number} = {}
): Generator<LrGdPerceptronSweep, LrGdPerceptronSweep, void> {
  const {gammas = lrGdPerceptronGammas, maxIterations = 3000, peakWindow = 50} = options;
  const sweep: LrGdPerceptronSweep = {
    rows: [],
    perceptron: lrGdPerceptronIterationsToSeparate({kind: "perceptron"}, d, maxIterations),
    maxIterations,
    peakWindow
  };
  for (const gamma of gammas) {
    sweep.rows.push({
      gamma,
      lrGd: lrGdPerceptronIterationsToSeparate({kind: "lr-gd", gamma}, d, maxIterations),
      normalized: lrGdPerceptronIterationsToSeparate({kind: "normalized", gamma}, d, maxIterations),
      peakLoss: lrGdPerceptronPeakLoss({kind: "lr-gd", gamma}, d, peakWindow)
    });
    yield sweep;
  }
  return sweep;
}

/** The whole sweep at once. */
export function lrGdPerceptronSweep(
  d: LrGdPerceptronDesign,
  options: {gammas?: readonly number[]; maxIterations?: number; peakWindow?: number} = {}
): LrGdPerceptronSweep {
  const steps = lrGdPerceptronSweepSteps(d, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Decision field on a grid (for DecisionMargin)

/** A grid over the data's bounding box padded by 8 %: nx × ny cells, wider than tall like the data. */
export function lrGdPerceptronGrid(data: Dataset, nx = 64, ny = 32): GridSpec {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const s of [data.train, data.test]) {
    for (let i = 0; i < s.n; ++i) {
      x0 = Math.min(x0, s.x[2 * i]);
      x1 = Math.max(x1, s.x[2 * i]);
      y0 = Math.min(y0, s.x[2 * i + 1]);
      y1 = Math.max(y1, s.x[2 * i + 1]);
    }
  }
  const px = 0.08 * (x1 - x0),
    py = 0.08 * (y1 - y0);
  return {nx, ny, x0: x0 - px, x1: x1 + px, y0: y0 - py, y1: y1 + py};
}

/**
 * The classifier w over the grid as DecisionMargin reads it: probabilities [1 − σ(s), σ(s)] of the classes −1 and +1
 * (s = w₁x₁ + w₂x₂ + w₃), and the logit margin |s|. For the perceptron (whose scale is arbitrary) pass its v.
 */
export function lrGdPerceptronField(g: GridSpec, w: ArrayLike<number>): {probs: Float32Array; margin: Float32Array} {
  const cells = g.nx * g.ny;
  const probs = new Float32Array(2 * cells);
  const margin = new Float32Array(cells);
  for (let j = 0; j < g.ny; ++j) {
    const y = g.y1 - ((j + 0.5) * (g.y1 - g.y0)) / g.ny;
    for (let i = 0; i < g.nx; ++i) {
      const x = g.x0 + ((i + 0.5) * (g.x1 - g.x0)) / g.nx;
      const k = j * g.nx + i;
      const s = w[0] * x + w[1] * y + w[2];
      const p = sigmoidNeg(-s);
      probs[2 * k] = 1 - p;
      probs[2 * k + 1] = p;
      margin[k] = Math.abs(s);
    }
  }
  return {probs, margin};
}

// ---------------------------------------------------------------------------------------------------------------------
// The live run

/** What the live run needs (the notebook's parameters). */
export interface LrGdPerceptronRunParams {
  /** Step size of the small-step LR+GD arm (the baseline). */
  baselineGamma: number;
  /** Step size of the large-step LR+GD arm (the method). */
  gamma: number;
  /** Add Normalized LR+GD with step size normalizedGamma as a fourth arm. */
  normalized: boolean;
  normalizedGamma: number;
  n: number;
  minMargin: number;
  /** Iterations before the run stops. */
  steps: number;
  seed: number;
}

export interface LrGdPerceptronRunOptions {
  control?: TrainControl;
  invalidation?: PromiseLike<unknown>;
  signal?: AbortSignal;
  /** Iterations per event without a control (default 10). */
  stepsPerYield?: number;
  /** Columns of the decision-field grid (rows: half as many; default 96; 0 for none). A large step size makes the field a step function, so it needs fine cells. */
  grid?: number;
  /**
   * The name events report as their backend (default "cpu"). The updates run on the host in Float64 whatever the
   * page's TF.js backend is; a page passes that backend's name so that its run reports it like every other page.
   */
  backend?: string;
}

interface LiveArm {
  id: string;
  label: string;
  role: "baseline" | "method" | "perceptron" | "normalized";
  method: LrGdPerceptronMethod;
  w: Float64Array;
  margins: Float64Array;
  separatedAt: number;
}

/**
 * The notebook's live run: LR+GD with a small step size (baseline), LR+GD with a large one (method), the batch
 * perceptron, and optionally Normalized LR+GD, all from w₀ = 0 on the same data, one iteration at a time. Yields
 * TrainEvent-shaped events (history.loss is each arm's own objective: the logistic loss, or the perceptron criterion for
 * the perceptron; history.metrics has logisticLoss, misclassified, trainAccuracy, testAccuracy, angleToPerceptron in
 * degrees and separatedAt, at every iteration). Honours the control (play, pause, step, reset, speed, visibility) and
 * stops when `invalidation` resolves, `signal` aborts or the consumer calls return().
 */
export async function* lrGdPerceptronRun(
  p: LrGdPerceptronRunParams,
  options: LrGdPerceptronRunOptions = {}
): AsyncGenerator<TrainEvent, TrainSummary, void> {
  const {control} = options;
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  options.signal?.addEventListener("abort", onAbort, {once: true});
  if (options.signal?.aborted) abort.abort();
  Promise.resolve(options.invalidation).then(
    () => options.invalidation && abort.abort(),
    () => {}
  );
  const {dataset, train, test} = lrGdPerceptronData({n: p.n, minMargin: p.minMargin, seed: p.seed});
  const resolution = options.grid ?? 96;
  const grid = resolution ? lrGdPerceptronGrid(dataset, resolution, Math.ceil(resolution / 2)) : undefined;
  const specs: {id: string; role: LiveArm["role"]; method: LrGdPerceptronMethod}[] = [
    {id: "lr-gd-small", role: "baseline", method: {kind: "lr-gd", gamma: p.baselineGamma}},
    {id: "lr-gd-large", role: "method", method: {kind: "lr-gd", gamma: p.gamma}},
    {id: "perceptron", role: "perceptron", method: {kind: "perceptron"}}
  ];
  if (p.normalized)
    specs.push({id: "normalized", role: "normalized", method: {kind: "normalized", gamma: p.normalizedGamma}});
  const methods = specs.map((a) => ({...a, label: lrGdPerceptronLabel(a.method)}));
  const perceptronIndex = 2;
  const steps = p.steps;
  const probe = Int32Array.from({length: train.n}, (_, i) => i);
  const testMargins = new Float64Array(test.n);

  let arms: LiveArm[] = [];
  let history: History = {step: [], loss: [], evalStep: [], metrics: {}};
  let step = 0;
  let status: RunStatus = "ready";
  let rate = 0;
  let clock = now();

  const init = () => {
    arms = methods.map((m) => ({...m, w: new Float64Array(3), margins: new Float64Array(train.n), separatedAt: NaN}));
    history = {step: [], loss: arms.map(() => []), evalStep: [], metrics: {}};
    step = 0;
    status = "ready";
    rate = 0;
    record();
  };
  // Metrics of every arm at the current iterate, appended to the history (every iteration is evaluated: it is cheap).
  let current: Record<string, number>[] = [];
  const record = () => {
    const v = arms[perceptronIndex].w;
    current = arms.map((arm) => {
      lrGdPerceptronMargins(train, arm.w, arm.margins);
      const wrong = lrGdPerceptronMisclassified(arm.margins);
      if (wrong === 0 && Number.isNaN(arm.separatedAt)) arm.separatedAt = step;
      lrGdPerceptronMargins(test, arm.w, testMargins);
      const perceptron = arm.method.kind === "perceptron";
      const cosine = perceptron ? NaN : lrGdPerceptronCosine(arm.w, v);
      return {
        loss: perceptron ? lrGdPerceptronCriterion(arm.margins) : lrGdPerceptronLogisticLoss(arm.margins),
        logisticLoss: perceptron ? NaN : lrGdPerceptronLogisticLoss(arm.margins),
        perceptronCriterion: lrGdPerceptronCriterion(arm.margins),
        misclassified: wrong,
        trainAccuracy: 1 - wrong / train.n,
        testAccuracy: test.n ? 1 - lrGdPerceptronMisclassified(testMargins) / test.n : NaN,
        angleToPerceptron: (Math.acos(cosine) * 180) / Math.PI,
        separatedAt: arm.separatedAt
      };
    });
    history.step.push(step);
    history.evalStep.push(step);
    current.forEach((m, i) => {
      history.loss[i].push(m.loss);
      for (const [name, value] of Object.entries(m)) {
        if (name === "loss") continue;
        (history.metrics[name] ??= arms.map(() => []))[i].push(value);
      }
    });
  };

  const event = (): TrainEvent => {
    const armEvents: ArmEvent[] = arms.map((arm, i) => {
      const {loss, ...metrics} = current[i];
      const field = grid ? lrGdPerceptronField(grid, arm.w) : undefined;
      return {
        id: arm.id,
        label: arm.label,
        // Roles beyond baseline and method pick further palette colours; ArmEvent types them as the two.
        role: arm.role as ArmEvent["role"],
        path: "autodiff",
        pathNote: "host-side Float64 updates (no TF.js)",
        loss,
        metrics,
        view: {
          ...(field ? {probs: field.probs, margin: field.margin} : {}),
          weights: [Float32Array.from(arm.w)]
        }
      };
    });
    clock = now();
    return {
      step,
      status,
      backend: options.backend ?? "cpu",
      stepsPerSecond: rate,
      evaluated: true,
      arms: armEvents,
      history,
      data: dataset,
      grid,
      probe
    };
  };

  const iterate = (todo: number) => {
    for (let k = 0; k < todo; ++k) {
      for (const arm of arms) lrGdPerceptronStep(arm.method, train, arm.w, arm.margins);
      step++;
      record();
    }
    const elapsed = (now() - clock) / 1000;
    if (elapsed > 0) rate = rate ? 0.8 * rate + 0.2 * (todo / elapsed) : todo / elapsed;
  };

  try {
    init();
    yield event();
    while (!abort.signal.aborted) {
      if (control?.takeReset()) {
        init();
        yield event();
        continue;
      }
      if (status === "done") {
        if (!control) break;
        await control.changed(abort.signal);
        continue;
      }
      let todo: number;
      const single = control !== undefined && !control.running;
      if (!control) todo = options.stepsPerYield ?? 10;
      else if (control.running) todo = control.speed;
      else {
        todo = control.takeSteps();
        if (todo === 0) {
          if (status !== "paused") {
            status = "paused";
            rate = 0;
            yield event();
            continue;
          }
          await control.changed(abort.signal);
          clock = now();
          continue;
        }
      }
      todo = Math.min(todo, steps - step);
      iterate(todo);
      status = step >= steps ? "done" : single ? "paused" : "running";
      yield event();
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  return {
    steps: step,
    status,
    arms: arms.map((a, i) => {
      const {loss, ...metrics} = current[i];
      return {id: a.id, loss, metrics};
    })
  };
}

function now(): number {
  return globalThis.performance?.now() ?? 0;
}
