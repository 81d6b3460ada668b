/**
 * Card 27, "Towards Exact Computation of Inductive Bias" (Boopathy, Yue, Hwang, Iyer & Fiete, IJCAI 2024; official code
 * FieteLab/Exact-Inductive-Bias). The inductive bias a task needs relative to a hypothesis space H is
 * I(ε) = −log P_{h ~ H | data}(e(h) ≤ ε): the information, in nats, that must be added to the training data to pick a
 * hypothesis whose test error e(h) is at most ε. It is estimated by sampling hypotheses that fit the training data,
 * fitting a scaled noncentral χ² to their test errors and reading its log-CDF at ε.
 *
 * This module holds the numerics (log-space χ² and noncentral χ² distributions, their maximum-likelihood fit, a KS
 * test, Cholesky), the two hypothesis spaces (posterior draws of an RBF-kernel model conditioned on the training
 * labels, drawn many at once as one TF.js matrix product; and MLPs trained from random initialisations with MSE on
 * one-hot targets, on the host), the live study (an async generator that yields TrainEvent-shaped events), the card's
 * sweeps and pure transforms for the page's figures. No DOM; randomness only from src/random.ts.
 */
import * as tf from "../tf.js";
import type {Dataset, Split} from "../datasets/dataset.js";
import {shapes, toy2d} from "../datasets/toy2d.js";
import type {Shape} from "../datasets/toy2d.js";
import type {ModelConfig} from "../models/mlp.js";
import {random} from "../random.js";
import type {Random} from "../random.js";
import type {TrainControl} from "../train/control.js";
import type {GridSpec, History, RunStatus} from "../train/train.js";

// ---------------------------------------------------------------------------------------------------------------
// Special functions (float64, log space)
// ---------------------------------------------------------------------------------------------------------------

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
];

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error about 1e-15). */
function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let s = lanczos[0];
  for (let i = 1; i < 9; ++i) s += lanczos[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** log(e^a + e^b) without overflow; −∞ is the identity. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * log P(a, x), the log of the regularised lower incomplete gamma function γ(a, x)/Γ(a), accurate deep in the left
 * tail where P itself underflows: the power series for x < a + 1, else 1 − Q with Q from Lentz's continued fraction.
 */
function logLowerGamma(a: number, x: number): number {
  if (!(a > 0)) return NaN;
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return 0;
  const front = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // γ(a, x) = x^a e^{−x} Σ_{n ≥ 0} x^n / (a (a + 1) ⋯ (a + n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 100000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return front + Math.log(sum);
  }
  // Q(a, x) = x^a e^{−x} / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …)), modified Lentz.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; ++i) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const q = Math.exp(front) * h;
  return Math.log1p(-q);
}

/** log of the χ² density with ν degrees of freedom at x > 0. */
function chi2LogPdf(x: number, nu: number): number {
  if (!(x > 0)) return -Infinity;
  return (nu / 2 - 1) * Math.log(x) - x / 2 - (nu / 2) * Math.LN2 - logGamma(nu / 2);
}

/**
 * log of the noncentral χ² density with `df` degrees of freedom and noncentrality `nc` at x: the Poisson(nc/2)
 * mixture Σ_j w_j χ²_{df+2j}(x), summed outwards from its largest term with the ratio
 * t_{j+1}/t_j = (nc/2)(x/2) / ((j + 1)(df/2 + j)) until the terms are negligible.
 */
export function ncx2LogPdf(x: number, df: number, nc: number): number {
  if (!(df > 0) || !(nc >= 0)) return NaN;
  if (!(x > 0)) return -Infinity;
  if (nc === 0) return chi2LogPdf(x, df);
  const mu = nc / 2;
  const y = x / 2;
  const a = df / 2;
  const my = mu * y;
  // Largest term: (j + 1)(a + j) = μ y.
  const b = a + 1;
  const jStar = Math.max(0, Math.floor((-b + Math.sqrt(b * b - 4 * (a - my))) / 2));
  const logTerm = (j: number) =>
    -mu + j * Math.log(mu) - logGamma(j + 1) + (a + j - 1) * Math.log(x) - y - (a + j) * Math.LN2 - logGamma(a + j);
  const top = logTerm(jStar);
  let sum = 1;
  let t = 1;
  for (let j = jStar; j < jStar + 1e6; ++j) {
    t *= my / ((j + 1) * (a + j));
    sum += t;
    if (t < 1e-17 * sum) break;
  }
  t = 1;
  for (let j = jStar; j > 0; --j) {
    t *= (j * (a + j - 1)) / my;
    sum += t;
    if (t < 1e-17 * sum) break;
  }
  return top + Math.log(sum);
}

/**
 * log of the noncentral χ² CDF at x: log Σ_j w_j P(df/2 + j, x/2) with Poisson(nc/2) weights w_j, in log space so that
 * it stays finite far in the left tail, where scipy's ncx2.logcdf returns −∞ (the case the official code hands to
 * Sankaran's approximation). P is computed once at the top index and then by the stable downward recurrence
 * P(s, y) = P(s + 1, y) + y^s e^{−y} / Γ(s + 1); the Poisson tail beyond nc/2 + 12 √(nc/2) + 30 is dropped.
 */
export function ncx2LogCdf(x: number, df: number, nc: number): number {
  if (!(df > 0) || !(nc >= 0)) return NaN;
  if (!(x > 0)) return x <= 0 ? -Infinity : NaN;
  if (x === Infinity) return 0;
  const a = df / 2;
  const y = x / 2;
  if (nc === 0) return logLowerGamma(a, y);
  const mu = nc / 2;
  const top = Math.ceil(mu + 12 * Math.sqrt(mu) + 30);
  const logY = Math.log(y);
  const logMu = Math.log(mu);
  let logP = logLowerGamma(a + top, y);
  let logW = -mu + top * logMu - logGamma(top + 1);
  let logG = logGamma(a + top + 1); // log Γ(a + j + 1), updated downwards
  let acc = logW + logP;
  for (let j = top - 1; j >= 0; --j) {
    logG -= Math.log(a + j + 1);
    logP = logAddExp(logP, (a + j) * logY - y - logG);
    logW += Math.log(j + 1) - logMu;
    acc = logAddExp(acc, logW + logP);
  }
  return Math.min(0, acc);
}

/**
 * The official fallback for an underflowing log-CDF (utils.py `inductive_bias_alt`): Sankaran's normal approximation
 * of the noncentral χ² at x = ε/scale gives a z-score, and −log Φ(z) is approximated by z²/2 (its leading term for
 * z → −∞; it ignores log(−z√(2π)), so it overstates the bias slightly and is meaningless for z ≥ 0).
 */
export function ncx2SankaranBias(x: number, df: number, nc: number): number {
  const k = df;
  const l = nc;
  const h = 1 - ((2 / 3) * (k + l) * (k + 3 * l)) / (k + 2 * l) ** 2;
  const p = (k + 2 * l) / (k + l) ** 2;
  const m = (h - 1) * (1 - 3 * h);
  const z =
    ((x / (k + l)) ** h - (1 + h * p * (h - 1 - 0.5 * (2 - h) * m * p))) / (h * Math.sqrt(2 * p) * (1 + 0.5 * m * p));
  return (z * z) / 2;
}

// ---------------------------------------------------------------------------------------------------------------
// Fitting a scaled noncentral χ² (loc = 0) by maximum likelihood
// ---------------------------------------------------------------------------------------------------------------

/** A scaled noncentral χ² with loc 0: e ~ scale · χ'²(df, nc). */
export interface Ncx2Params {
  df: number;
  nc: number;
  scale: number;
}

export interface Ncx2Fit extends Ncx2Params {
  /** Σ log density of the samples under the fit. */
  logLikelihood: number;
  /** Nelder–Mead iterations used. */
  iterations: number;
}

/** Bounds of the fit: df and nc are kept in [1e-3, 1e5] and [0, 1e5] (a Gaussian-looking sample drives both up). */
const fitBounds = {logDf: [Math.log(1e-3), Math.log(1e5)], logNc: [Math.log(1e-8), Math.log(1e5)]} as const;

/** Mean, variance and third central moment of a sample. */
function moments(xs: ArrayLike<number>): {mean: number; variance: number; third: number} {
  const n = xs.length;
  let mean = 0;
  for (let i = 0; i < n; ++i) mean += xs[i];
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; ++i) {
    const d = xs[i] - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  return {mean, variance: m2 / n, third: m3 / n};
}

/**
 * Starting points for the fit from the method of moments. A scaled ncx2 has mean s(k + λ), variance 2s²(k + 2λ) and
 * third central moment 8s³(k + 3λ), so s solves m s² − v s + μ₃/8 = 0; roots that give k > 0 and λ ≥ 0 are kept, and
 * the central χ² matching the first two moments (s = v/2m, k = 2m²/v) is always offered too.
 */
export function ncx2MomentStarts(errors: ArrayLike<number>): Ncx2Params[] {
  const {mean: m, variance: v, third} = moments(errors);
  const starts: Ncx2Params[] = [];
  if (!(m > 0 && v > 0)) return [{df: 1, nc: 1e-3, scale: Math.max(m, 1e-12)}];
  const disc = v * v - (m * third) / 2;
  if (disc >= 0) {
    for (const s of [(v + Math.sqrt(disc)) / (2 * m), (v - Math.sqrt(disc)) / (2 * m)]) {
      if (!(s > 0)) continue;
      const A = m / s;
      const B = v / (2 * s * s);
      const df = 2 * A - B;
      const nc = B - A;
      if (df > 0 && nc >= 0) starts.push({df, nc: Math.max(nc, 1e-6), scale: s});
    }
  }
  const s = v / (2 * m);
  starts.push({df: m / s, nc: 1e-3, scale: s});
  return starts;
}

/** Minimises f over R^n with the Nelder–Mead simplex (standard coefficients 1, 2, ½, ½). */
function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  options: {step?: number[]; maxIterations?: number; tolerance?: number} = {}
): {x: number[]; value: number; iterations: number} {
  const n = x0.length;
  const step = options.step ?? x0.map(() => 0.5);
  const maxIterations = options.maxIterations ?? 600;
  const tolerance = options.tolerance ?? 1e-9;
  let simplex = [x0.slice(), ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step[i] : v)))];
  let values = simplex.map(f);
  let iterations = 0;
  for (; iterations < maxIterations; ++iterations) {
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    const spread = Math.abs(values[n] - values[0]);
    if (spread <= tolerance * (Math.abs(values[0]) + tolerance)) {
      let size = 0;
      for (let i = 1; i <= n; ++i)
        for (let j = 0; j < n; ++j) size = Math.max(size, Math.abs(simplex[i][j] - simplex[0][j]));
      if (size < 1e-7) break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; ++i) for (let j = 0; j < n; ++j) centroid[j] += simplex[i][j] / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[n][j] - c));
    const reflected = along(-1);
    const fr = f(reflected);
    if (fr < values[0]) {
      const expanded = along(-2);
      const fe = f(expanded);
      if (fe < fr) [simplex[n], values[n]] = [expanded, fe];
      else [simplex[n], values[n]] = [reflected, fr];
      continue;
    }
    if (fr < values[n - 1]) {
      [simplex[n], values[n]] = [reflected, fr];
      continue;
    }
    const outside = fr < values[n];
    const contracted = along(outside ? -0.5 : 0.5);
    const fc = f(contracted);
    if (fc < (outside ? fr : values[n])) {
      [simplex[n], values[n]] = [contracted, fc];
      continue;
    }
    for (let i = 1; i <= n; ++i) {
      simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
      values[i] = f(simplex[i]);
    }
  }
  let best = 0;
  for (let i = 1; i <= n; ++i) if (values[i] < values[best]) best = i;
  return {x: simplex[best], value: values[best], iterations};
}

/**
 * Σ_i log of the scaled ncx2 density at the samples. Same sum as ncx2LogPdf per sample, but the parts of each
 * Poisson-mixture term that do not depend on x (weights, Γ functions, term ratios) are tabulated once per call, so a
 * sample costs one log, one square root and a few multiplications (the fit evaluates this hundreds of times).
 */
export function ncx2LogLikelihood(errors: ArrayLike<number>, p: Ncx2Params): number {
  const {df, nc, scale} = p;
  if (!(df > 0) || !(nc >= 0) || !(scale > 0)) return NaN;
  const n = errors.length;
  const logScale = Math.log(scale);
  if (nc === 0) {
    let sum = 0;
    for (let i = 0; i < n; ++i) sum += chi2LogPdf(errors[i] / scale, df) - logScale;
    return sum;
  }
  const mu = nc / 2;
  const a = df / 2;
  const b = a + 1;
  let maxX = 0;
  for (let i = 0; i < n; ++i) if (errors[i] > maxX) maxX = errors[i];
  const jMax = Math.max(0, Math.floor((-b + Math.sqrt(b * b - 4 * (a - (mu * maxX) / scale / 2))) / 2));
  // Constant part of log t_j (everything but (a + j − 1) log x − x/2) and the ratios t_{j+1}/t_j = q_j · x.
  const constant = new Float64Array(jMax + 1);
  const ratio = new Float64Array(jMax + 2);
  const logMu = Math.log(mu);
  let lgJ = 0; // log Γ(j + 1)
  let lgA = logGamma(a); // log Γ(a + j)
  for (let j = 0; j <= jMax; ++j) {
    if (j > 0) {
      lgJ += Math.log(j);
      lgA += Math.log(a + j - 1);
    }
    constant[j] = -mu + j * logMu - lgJ - (a + j) * Math.LN2 - lgA;
  }
  for (let j = 0; j <= jMax + 1; ++j) ratio[j] = mu / (2 * (j + 1) * (a + j));
  let sum = 0;
  for (let i = 0; i < n; ++i) {
    const x = errors[i] / scale;
    if (!(x > 0)) return -Infinity;
    const my = (mu * x) / 2;
    const jStar = Math.min(jMax, Math.max(0, Math.floor((-b + Math.sqrt(b * b - 4 * (a - my))) / 2)));
    const logX = Math.log(x);
    let total = 1;
    let t = 1;
    for (let j = jStar; ; ++j) {
      t *= j < ratio.length ? ratio[j] * x : (mu * x) / (2 * (j + 1) * (a + j));
      total += t;
      if (t < 1e-16 * total) break;
    }
    t = 1;
    for (let j = jStar; j > 0; --j) {
      t /= ratio[j - 1] * x;
      total += t;
      if (t < 1e-16 * total) break;
    }
    sum += constant[jStar] + (a + jStar - 1) * logX - x / 2 + Math.log(total) - logScale;
  }
  return sum;
}

/**
 * Maximum-likelihood fit of e ~ scale · χ'²(df, nc) with loc fixed at 0, as the official code's
 * `ncx2.fit(errors, floc=0)`. scipy's fit is fragile (the card's pitfall), so this one optimises log df, log nc and
 * log scale (keeping them positive) with Nelder–Mead, from the most likely of the method-of-moments starts and `start`
 * (a previous fit, when the sample has only grown).
 */
export function ncx2Fit(errors: ArrayLike<number>, start?: Ncx2Params): Ncx2Fit {
  if (errors.length < 3) throw new Error(`ncx2Fit: need at least 3 errors, got ${errors.length}`);
  for (let i = 0; i < errors.length; ++i) {
    if (!(errors[i] > 0 && Number.isFinite(errors[i]))) throw new Error(`ncx2Fit: invalid error: ${errors[i]}`);
  }
  const objective = (t: number[]) => {
    if (t[0] < fitBounds.logDf[0] || t[0] > fitBounds.logDf[1]) return Infinity;
    if (t[1] < fitBounds.logNc[0] || t[1] > fitBounds.logNc[1]) return Infinity;
    const ll = ncx2LogLikelihood(errors, {df: Math.exp(t[0]), nc: Math.exp(t[1]), scale: Math.exp(t[2])});
    return Number.isFinite(ll) ? -ll : Infinity;
  };
  const clampLog = (v: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, Math.log(v)));
  // Start from the most likely of the method-of-moments starts and `start`; two rounds, since a restart from the
  // first optimum escapes the premature collapse Nelder–Mead is prone to.
  let x0: number[] | undefined;
  let f0 = Infinity;
  for (const s of [...(start ? [start] : []), ...ncx2MomentStarts(errors)]) {
    const x = [clampLog(s.df, fitBounds.logDf), clampLog(s.nc, fitBounds.logNc), Math.log(s.scale)];
    const f = objective(x);
    if (f < f0) [x0, f0] = [x, f];
  }
  if (!x0) throw new Error("ncx2Fit: no starting point has a finite likelihood");
  const first = nelderMead(objective, x0, {step: start ? [0.1, 0.3, 0.1] : [0.5, 1, 0.5]});
  const best = nelderMead(objective, first.x, {step: [0.2, 0.5, 0.2]});
  const iterations = first.iterations + best.iterations;
  return {
    df: Math.exp(best.x[0]),
    nc: Math.exp(best.x[1]),
    scale: Math.exp(best.x[2]),
    logLikelihood: -best.value,
    iterations
  };
}

/** The scaled ncx2's log-CDF at e (loc 0). */
export function ncx2ScaledLogCdf(e: number, p: Ncx2Params): number {
  return ncx2LogCdf(e / p.scale, p.df, p.nc);
}

/** The scaled ncx2's density at e (loc 0). */
export function ncx2ScaledPdf(e: number, p: Ncx2Params): number {
  return Math.exp(ncx2LogPdf(e / p.scale, p.df, p.nc)) / p.scale;
}

/**
 * The Kolmogorov distribution's upper tail Q(t) = 2 Σ_{j ≥ 1} (−1)^{j−1} e^{−2 j² t²}, the asymptotic p-value of
 * √n·D (with Stephens' small-sample correction applied by the caller).
 */
function kolmogorovQ(t: number): number {
  if (t < 0.2) return 1;
  let sum = 0;
  for (let j = 1; j < 200; ++j) {
    const term = Math.exp(-2 * j * j * t * t);
    sum += (j % 2 ? 1 : -1) * term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * One-sample Kolmogorov–Smirnov test of the errors against a fitted scaled ncx2: D = sup |F_n − F| and the asymptotic
 * p-value with Stephens' correction t = D(√n + 0.12 + 0.11/√n). The parameters were fitted to the same sample, so the
 * p-value is conservative (too large), as for scipy.stats.kstest with fitted parameters.
 */
export function ncx2KsTest(errors: ArrayLike<number>, p: Ncx2Params): {statistic: number; pValue: number} {
  const xs = Float64Array.from(errors).sort();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; ++i) {
    const f = Math.exp(ncx2ScaledLogCdf(xs[i], p));
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  const sq = Math.sqrt(n);
  return {statistic: d, pValue: kolmogorovQ(d * (sq + 0.12 + 0.11 / sq))};
}

/** What the estimator reports for one sample of hypothesis errors at a target error ε. */
export interface InductiveBiasEstimate {
  /** I(ε) = −log F(ε) of the fitted scaled ncx2, in nats. */
  bias: number;
  /** The official fallback's value for the same fit (Sankaran's approximation, z²/2). */
  sankaran: number;
  /** −log of the share of sampled hypotheses with error ≤ ε (∞ while none is). */
  empirical: number;
  fit: Ncx2Fit;
  ks: {statistic: number; pValue: number};
  /** Number of errors the estimate used. */
  n: number;
}

/**
 * The inductive bias I(ε) of a sample of hypothesis test errors (utils.py `compute_inductive_bias`): fit the scaled
 * ncx2 by maximum likelihood, then I(ε) = −log F(ε). The log-CDF is computed in log space, so it never underflows
 * to −∞ and the official Sankaran fallback is reported beside it rather than substituted.
 */
export function inductiveBiasEstimate(
  errors: ArrayLike<number>,
  epsilon: number,
  options: {start?: Ncx2Params; ks?: boolean} = {}
): InductiveBiasEstimate {
  if (!(epsilon > 0)) throw new Error(`invalid epsilon: ${epsilon}`);
  const fit = ncx2Fit(errors, options.start);
  let below = 0;
  for (let i = 0; i < errors.length; ++i) if (errors[i] <= epsilon) below++;
  return {
    bias: -ncx2ScaledLogCdf(epsilon, fit),
    sankaran: ncx2SankaranBias(epsilon / fit.scale, fit.df, fit.nc),
    empirical: below ? -Math.log(below / errors.length) : Infinity,
    fit,
    ks: options.ks === false ? {statistic: NaN, pValue: NaN} : ncx2KsTest(errors, fit),
    n: errors.length
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Linear algebra (float64, row-major)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Lower Cholesky factor L (L Lᵀ = A + jitter·I) of a symmetric n × n matrix, row-major. The jitter starts at
 * `jitter` times the mean diagonal (1e-6, as the card's pseudocode) and grows tenfold until the factorisation
 * succeeds; the one used is returned. Cholesky with jitter replaces the official code's scipy `sqrtm`, which can turn
 * complex on a near-singular posterior covariance: any square root gives the same Gaussian.
 */
export function inductiveBiasCholesky(
  a: ArrayLike<number>,
  n: number,
  jitter = 1e-6
): {factor: Float64Array; jitter: number} {
  if (a.length !== n * n) throw new Error(`cholesky: expected ${n * n} entries, got ${a.length}`);
  let meanDiagonal = 0;
  for (let i = 0; i < n; ++i) meanDiagonal += a[i * n + i] / n;
  const base = meanDiagonal > 0 ? meanDiagonal : 1;
  const factor = new Float64Array(n * n);
  for (let j = jitter * base, attempt = 0; attempt < 12; ++attempt, j *= 10) {
    factor.fill(0);
    let ok = true;
    for (let i = 0; i < n && ok; ++i) {
      for (let k = 0; k <= i; ++k) {
        let s = a[i * n + k] + (i === k ? j : 0);
        for (let m = 0; m < k; ++m) s -= factor[i * n + m] * factor[k * n + m];
        if (i === k) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          factor[i * n + i] = Math.sqrt(s);
        } else factor[i * n + k] = s / factor[k * n + k];
      }
    }
    if (ok) return {factor, jitter: j};
  }
  throw new Error("cholesky: the matrix is not positive definite, even with jitter");
}

/** Solves L X = B for X in place of B ([n, cols] row-major), L lower triangular [n, n]. */
function forwardSubstitute(l: Float64Array, n: number, b: Float64Array, cols: number): Float64Array {
  for (let i = 0; i < n; ++i) {
    const inv = 1 / l[i * n + i];
    for (let c = 0; c < cols; ++c) {
      let s = b[i * cols + c];
      for (let k = 0; k < i; ++k) s -= l[i * n + k] * b[k * cols + c];
      b[i * cols + c] = s * inv;
    }
  }
  return b;
}

/** The RBF kernel K(a, b) = exp(−‖a − b‖² / (2σ²)) between the rows of A [n, d] and B [m, d], as [n, m]. */
export function rbfKernelMatrix(a: ArrayLike<number>, b: ArrayLike<number>, d: number, sigma: number): Float64Array {
  if (!(sigma > 0)) throw new Error(`invalid sigma: ${sigma}`);
  const n = a.length / d;
  const m = b.length / d;
  const out = new Float64Array(n * m);
  const g = 1 / (2 * sigma * sigma);
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < m; ++j) {
      let s = 0;
      for (let k = 0; k < d; ++k) {
        const t = a[i * d + k] - b[j * d + k];
        s += t * t;
      }
      out[i * m + j] = Math.exp(-s * g);
    }
  }
  return out;
}

/** One-hot rows [n, classes] of integer labels, as float64. */
function oneHot(labels: ArrayLike<number>, classes: number): Float64Array {
  const out = new Float64Array(labels.length * classes);
  for (let i = 0; i < labels.length; ++i) out[i * classes + labels[i]] = 1;
  return out;
}

/** An RBF-kernel posterior at m query points (see rbfPosterior). */
export interface RbfPosterior {
  /** Query points. */
  m: number;
  classes: number;
  /** Posterior mean [m, C], row-major. */
  mean: Float64Array;
  /** Lower Cholesky factor of the posterior covariance [m, m]. */
  chol: Float64Array;
  /** Jitter that made the covariance factorisable. */
  jitter: number;
  /** Posterior variance averaged over the query points (the trace of Σ over m). */
  meanVariance: number;
}

/**
 * The posterior of an RBF-kernel Gaussian process conditioned on the one-hot training targets, at m query points:
 * mean μ = K_{*n} (K + δI)⁻¹ Y [m, C] and the Cholesky factor of Σ = K_{**} − K_{*n} (K + δI)⁻¹ K_{n*} [m, m]; every
 * output dimension is an independent draw with this covariance. With the nugget δ = 0 (plus the factorisation's
 * 1e-6 jitter) the draws interpolate the training labels, as the official code intends. Deviation, said on the page:
 * the official code solves K α = Y and K A = K_{n*} with 10 000 epochs of Adam and takes scipy's `sqrtm`; here the
 * solves are exact (Cholesky), and the notebook's default δ = 0.01 keeps them well conditioned — the exact
 * interpolant of one-hot labels swings wildly between close training points of different classes.
 */
export function rbfPosterior(
  trainX: ArrayLike<number>,
  trainY: ArrayLike<number>,
  queryX: ArrayLike<number>,
  d: number,
  classes: number,
  sigma: number,
  nugget = 0
): RbfPosterior {
  const n = trainX.length / d;
  const m = queryX.length / d;
  const gram = rbfKernelMatrix(trainX, trainX, d, sigma);
  for (let i = 0; i < n; ++i) gram[i * n + i] += nugget;
  const {factor: l} = inductiveBiasCholesky(gram, n);
  const v = forwardSubstitute(l, n, rbfKernelMatrix(trainX, queryX, d, sigma), m); // L⁻¹ K_{n*}  [n, m]
  const beta = forwardSubstitute(l, n, oneHot(trainY, classes), classes); // L⁻¹ Y  [n, C]
  const mean = new Float64Array(m * classes);
  for (let i = 0; i < m; ++i) {
    for (let c = 0; c < classes; ++c) {
      let s = 0;
      for (let k = 0; k < n; ++k) s += v[k * m + i] * beta[k * classes + c];
      mean[i * classes + c] = s;
    }
  }
  const cov = rbfKernelMatrix(queryX, queryX, d, sigma);
  for (let i = 0; i < m; ++i) {
    for (let j = 0; j <= i; ++j) {
      let s = 0;
      for (let k = 0; k < n; ++k) s += v[k * m + i] * v[k * m + j];
      cov[i * m + j] -= s;
      cov[j * m + i] = cov[i * m + j];
    }
  }
  let trace = 0;
  for (let i = 0; i < m; ++i) trace += Math.max(0, cov[i * m + i]);
  const {factor, jitter} = inductiveBiasCholesky(cov, m);
  return {m, classes, mean, chol: factor, jitter, meanVariance: trace / m};
}

/**
 * The exact mean and variance of the test MSE of a posterior draw, e = (1/mC) Σ_c ‖r_c + L z_c‖² with r = μ − Y:
 * E e = (‖r‖² + C tr Σ)/(mC) and Var e = (2C tr Σ² + 4 Σ_c r_cᵀ Σ r_c)/(mC)², with Σ = L Lᵀ (jitter included).
 * A check on the sampler, and the reason a noncentral χ² is the natural model: e is a quadratic form in Gaussians.
 */
export function rbfErrorMoments(post: RbfPosterior, testY: ArrayLike<number>): {mean: number; variance: number} {
  const {m, classes: C, chol: l} = post;
  const sigma = new Float64Array(m * m);
  for (let i = 0; i < m; ++i) {
    for (let j = 0; j <= i; ++j) {
      let s = 0;
      for (let k = 0; k <= j; ++k) s += l[i * m + k] * l[j * m + k];
      sigma[i * m + j] = sigma[j * m + i] = s;
    }
  }
  const y = oneHot(testY, C);
  let rr = 0;
  let trace = 0;
  let trace2 = 0;
  let quad = 0;
  for (let i = 0; i < m; ++i) {
    trace += sigma[i * m + i];
    for (let j = 0; j < m; ++j) trace2 += sigma[i * m + j] * sigma[i * m + j];
  }
  for (let c = 0; c < C; ++c) {
    for (let i = 0; i < m; ++i) {
      const ri = post.mean[i * C + c] - y[i * C + c];
      rr += ri * ri;
      for (let j = 0; j < m; ++j) quad += ri * sigma[i * m + j] * (post.mean[j * C + c] - y[j * C + c]);
    }
  }
  const norm = m * C;
  return {mean: (rr + C * trace) / norm, variance: (2 * C * trace2 + 4 * quad) / (norm * norm)};
}

/** Draws test errors of posterior samples (see rbfErrorSampler); dispose() releases its two tensors. */
export interface RbfErrorSampler {
  /** Test errors of the draws with these ids; draw `id` takes its normals from `stream.fork(id)`. */
  draw(ids: readonly number[], stream: Random): Promise<Float32Array>;
  dispose(): void;
}

/**
 * Test errors of posterior draws, computed on the TF.js backend: for K draws at once, F = μ + L Z with Z [m, K·C]
 * standard normals from the seeded streams (one matMul), and e_s = mean over test points and classes of
 * (F_s − Y)², as `loss_distribution` in the official code. The test labels' one-hot matrix and L stay uploaded.
 */
export function rbfErrorSampler(post: RbfPosterior, testY: ArrayLike<number>): RbfErrorSampler {
  const {m, classes: C} = post;
  const y = oneHot(testY, C);
  const residual = new Float32Array(m * C);
  for (let i = 0; i < m * C; ++i) residual[i] = post.mean[i] - y[i];
  const chol = tf.tensor2d(Float32Array.from(post.chol), [m, m]);
  const r = tf.tensor3d(residual, [m, 1, C]);
  return {
    async draw(ids, stream) {
      const count = ids.length;
      if (!count) return new Float32Array(0);
      // Column s·C + c of Z holds draw s's normals for class c, from the draw's own stream: a draw does not depend
      // on how the draws are chunked.
      const z = new Float32Array(m * count * C);
      ids.forEach((id, s) => {
        const rng = stream.fork(id);
        for (let i = 0; i < m; ++i) for (let c = 0; c < C; ++c) z[i * count * C + s * C + c] = rng.normal();
      });
      const errors = tf.tidy(() => {
        const f = tf.reshape(tf.matMul(chol, tf.tensor2d(z, [m, count * C])), [m, count, C]);
        return tf.mean(tf.square(tf.add(f, r)), [0, 2]);
      });
      try {
        return (await errors.data()) as Float32Array;
      } finally {
        errors.dispose();
      }
    },
    dispose() {
      chol.dispose();
      r.dispose();
    }
  };
}

/** One posterior draw at the query points (float64, on the host): μ + L z, [m, C]. */
export function rbfPosteriorDraw(post: RbfPosterior, rng: Random): Float64Array {
  const {m, classes: C, chol: l} = post;
  const z = new Float64Array(m * C);
  for (let i = 0; i < z.length; ++i) z[i] = rng.normal();
  const out = Float64Array.from(post.mean);
  for (let i = 0; i < m; ++i) {
    for (let k = 0; k <= i; ++k) {
      const lik = l[i * m + k];
      if (lik === 0) continue;
      for (let c = 0; c < C; ++c) out[i * C + c] += lik * z[k * C + c];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The task: a 2-D toy dataset, optionally embedded in d dimensions
// ---------------------------------------------------------------------------------------------------------------

export interface InductiveBiasTaskOptions {
  shape: Shape;
  classes: number;
  /** Training points (the first nTrain of a fixed pool of 128, so that smaller training sets are nested in larger). */
  nTrain: number;
  /** Test points (about: the split is stratified by class). */
  nTest: number;
  /** Input noise of the 2-D shape. */
  noise: number;
  /** Input dimension d ≥ 2: the 2-D task plus d − 2 noise dimensions, randomly rotated. */
  dims: number;
  /** Standard deviation of the added noise dimensions. */
  dimNoise: number;
  seed: number;
}

/** The largest training set the task's pool holds. */
export const inductiveBiasMaxTrain = 128;

export interface InductiveBiasTask {
  data: Dataset;
  /** The 2-D coordinates of the training points (before embedding), for plots. */
  plane: Float32Array;
  /** Maps points of the task's plane [n, 2] into the d-dimensional input space (noise dimensions at 0). */
  lift(points: Float32Array): Float32Array;
}

/**
 * The card's toy task: a seeded 2-D shape (4-class blobs, two moons …) with a fixed test set and nested training sets,
 * embedded in d dimensions by appending d − 2 Gaussian noise dimensions and applying a random rotation (card 27,
 * toy experiment (b)). The labels depend only on the original plane, so d changes the difficulty, not the task.
 */
export function inductiveBiasTask(o: InductiveBiasTaskOptions): InductiveBiasTask {
  if (!shapes.includes(o.shape)) throw new Error(`invalid shape: ${o.shape}`);
  if (!(Number.isInteger(o.nTrain) && o.nTrain >= 2 && o.nTrain <= inductiveBiasMaxTrain)) {
    throw new Error(`invalid nTrain: ${o.nTrain}`);
  }
  if (!(Number.isInteger(o.nTest) && o.nTest >= 4)) throw new Error(`invalid nTest: ${o.nTest}`);
  if (!(Number.isInteger(o.dims) && o.dims >= 2)) throw new Error(`invalid dims: ${o.dims}`);
  const n = inductiveBiasMaxTrain + o.nTest;
  const base = toy2d({
    shape: o.shape,
    classes: o.classes,
    n,
    noise: o.noise,
    testFraction: o.nTest / n,
    seed: o.seed
  });
  const d = o.dims;
  const rng = random(o.seed).fork("inductive-bias");
  const rotation = d > 2 ? randomRotation(d, rng.fork("rotation")) : undefined;
  const embed = (x: Float32Array, ids: Int32Array | undefined): Float32Array => {
    const count = x.length / 2;
    const out = new Float32Array(count * d);
    const v = new Float64Array(d);
    for (let i = 0; i < count; ++i) {
      v.fill(0);
      v[0] = x[2 * i];
      v[1] = x[2 * i + 1];
      if (ids) {
        // Noise dimensions drawn per sample id: a point keeps its coordinates whatever nTrain is.
        const noise = rng.fork("noise").fork(ids[i]);
        for (let k = 2; k < d; ++k) v[k] = o.dimNoise * noise.normal();
      }
      for (let r = 0; r < d; ++r) {
        if (!rotation) out[i * d + r] = v[r];
        else {
          let s = 0;
          for (let k = 0; k < d; ++k) s += rotation[r * d + k] * v[k];
          out[i * d + r] = s;
        }
      }
    }
    return out;
  };
  const sub = (split: Split, count: number): Split => ({
    n: count,
    x: split.x.slice(0, 2 * count),
    y: split.y.slice(0, count),
    yClean: split.yClean.slice(0, count),
    ids: split.ids.slice(0, count)
  });
  const train2d = sub(base.train, o.nTrain);
  const lift = (split: Split): Split => ({...split, x: embed(split.x, split.ids)});
  return {
    data: {
      name: d > 2 ? `${base.name} in ${d}-D` : base.name,
      inputs: d,
      classes: base.classes,
      train: lift(train2d),
      test: lift(base.test),
      noiseRate: 0
    },
    plane: train2d.x,
    lift: (points) => embed(points, undefined)
  };
}

/** A random d × d rotation (Gram–Schmidt on a Gaussian matrix), row-major. */
function randomRotation(d: number, rng: Random): Float64Array {
  const q = new Float64Array(d * d);
  for (let i = 0; i < d * d; ++i) q[i] = rng.normal();
  for (let r = 0; r < d; ++r) {
    for (let p = 0; p < r; ++p) {
      let dot = 0;
      for (let k = 0; k < d; ++k) dot += q[r * d + k] * q[p * d + k];
      for (let k = 0; k < d; ++k) q[r * d + k] -= dot * q[p * d + k];
    }
    let norm = 0;
    for (let k = 0; k < d; ++k) norm += q[r * d + k] ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; ++k) q[r * d + k] /= norm;
  }
  return q;
}

// ---------------------------------------------------------------------------------------------------------------
// The neural-network hypothesis space: MLPs trained from random initialisations, K at once
// ---------------------------------------------------------------------------------------------------------------

/** The official `nn_inductive_bias.py` recipe: ReLU MLP, MSE on one-hot targets, Adam, shuffled mini-batches. */
export interface MlpHypothesisOptions {
  /** Units per hidden layer. */
  width: number;
  /** Hidden layers (the official `depth` counts the width × width layers, i.e. hidden layers − 1). */
  depth: number;
  epochs: number;
  batch: number;
  /** Adam learning rate (official 1e-3). */
  lr: number;
}

/** The MLP configuration of the hypotheses on a dataset. */
export function mlpHypothesisConfig(data: Dataset, o: MlpHypothesisOptions): ModelConfig {
  return {
    inputs: data.inputs,
    hidden: Array(o.depth).fill(o.width),
    activation: "relu",
    classes: data.classes,
    embed: 0,
    normalize: false,
    head: "linear",
    scale: 1,
    dropout: 0
  };
}

/** Resolves in a new task, so that a long computation gives the page back (no setTimeout clamping). */
function nextTask(): Promise<void> {
  const Channel = (globalThis as {MessageChannel?: typeof MessageChannel}).MessageChannel;
  if (!Channel) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const {port1, port2} = new Channel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

export interface MlpHypothesisResult {
  /** Test MSE (mean over test points and classes) of each network. */
  errors: Float32Array;
  /** Training MSE of each network at the end. */
  trainErrors: Float32Array;
  /** Outputs of the last network at the `probe` points [p, C], when probe points were given. */
  probe?: Float32Array;
}

/** Dense layer shapes [fanIn, fanOut] of a hypothesis MLP. */
function mlpLayers(config: ModelConfig): [number, number][] {
  const widths = [config.inputs, ...config.hidden, config.classes];
  return widths.slice(1).map((out, i) => [widths[i], out]);
}

/**
 * A small ReLU MLP on the host (float64): weights of all layers in one flat vector (W as [in, out] row-major, then b,
 * per layer), forward and backward passes for a batch of rows with preallocated buffers.
 */
function hostMlp(config: ModelConfig, maxRows: number) {
  const layers = mlpLayers(config);
  const offsets: number[] = [];
  let size = 0;
  for (const [fanIn, fanOut] of layers) {
    offsets.push(size);
    size += fanIn * fanOut + fanOut;
  }
  // Activations of every layer (inputs included) and their gradients.
  const acts = [config.inputs, ...layers.map(([, o]) => o)].map((w) => new Float64Array(maxRows * w));
  const deltas = acts.map((a) => new Float64Array(a.length));
  const last = layers.length - 1;
  const forward = (theta: Float64Array, x: ArrayLike<number>, rows: number): Float64Array => {
    const input = acts[0];
    for (let i = 0; i < rows * config.inputs; ++i) input[i] = x[i];
    layers.forEach(([fanIn, fanOut], l) => {
      const input = acts[l];
      const out = acts[l + 1];
      const w = offsets[l];
      const b = w + fanIn * fanOut;
      for (let r = 0; r < rows; ++r) {
        for (let j = 0; j < fanOut; ++j) out[r * fanOut + j] = theta[b + j];
        for (let i = 0; i < fanIn; ++i) {
          const v = input[r * fanIn + i];
          if (v === 0) continue;
          const row = w + i * fanOut;
          for (let j = 0; j < fanOut; ++j) out[r * fanOut + j] += v * theta[row + j];
        }
        if (l < last) for (let j = 0; j < fanOut; ++j) if (out[r * fanOut + j] < 0) out[r * fanOut + j] = 0;
      }
    });
    return acts[layers.length];
  };
  /** Accumulates into `grad` the gradient of mean_{rows, classes} (f − y)² after a forward pass; returns the loss. */
  const backward = (theta: Float64Array, y: ArrayLike<number>, rows: number, grad: Float64Array): number => {
    const C = config.classes;
    const out = acts[layers.length];
    const top = deltas[layers.length];
    let loss = 0;
    const scale = 2 / (rows * C);
    for (let i = 0; i < rows * C; ++i) {
      const e = out[i] - y[i];
      loss += e * e;
      top[i] = scale * e;
    }
    for (let l = last; l >= 0; --l) {
      const [fanIn, fanOut] = layers[l];
      const input = acts[l];
      const delta = deltas[l + 1];
      const w = offsets[l];
      const b = w + fanIn * fanOut;
      const below = deltas[l];
      for (let r = 0; r < rows; ++r) {
        const dr = r * fanOut;
        for (let j = 0; j < fanOut; ++j) grad[b + j] += delta[dr + j];
        for (let i = 0; i < fanIn; ++i) {
          const v = input[r * fanIn + i];
          const row = w + i * fanOut;
          if (l === 0) {
            if (v !== 0) for (let j = 0; j < fanOut; ++j) grad[row + j] += v * delta[dr + j];
            continue;
          }
          // The input of layer l > 0 is a ReLU output: where it is 0, both its weight gradients and the gradient it
          // passes down are 0.
          if (v === 0) {
            below[r * fanIn + i] = 0;
            continue;
          }
          let back = 0;
          for (let j = 0; j < fanOut; ++j) {
            const dj = delta[dr + j];
            grad[row + j] += v * dj;
            back += theta[row + j] * dj;
          }
          below[r * fanIn + i] = back;
        }
      }
    }
    return loss / (rows * C);
  };
  return {layers, offsets, size, forward, backward};
}

/**
 * The host MLP's loss mean_{rows, classes} (f − y)² and its gradient for flat weights θ (per layer: W as [in, out]
 * row-major, then b; the order of mlpShapes), on rows x [rows, in] with targets y [rows, C]. Exposed for checks against
 * TF.js autodiff.
 */
export function mlpHypothesisGradient(
  config: ModelConfig,
  theta: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number
): {loss: number; gradient: Float64Array} {
  const net = hostMlp(config, rows);
  if (theta.length !== net.size) throw new Error(`expected ${net.size} weights, got ${theta.length}`);
  const gradient = new Float64Array(net.size);
  net.forward(theta, x, rows);
  return {loss: net.backward(theta, y, rows, gradient), gradient};
}

/**
 * Trains one MLP hypothesis per id (the official `nn_inductive_bias.py` recipe, on the host in float64): network `id`
 * is initialised as PyTorch's nn.Linear does (weights and biases uniform in ±1/√fan_in) from the seeded stream
 * `seed/mlp/id`, shuffles its own mini-batches from the same stream every epoch (the last batch of an epoch may be
 * smaller, as DataLoader's), and takes Adam steps (β = 0.9, 0.999, ε = 1e-8, as torch.optim.Adam) on the MSE between
 * its outputs and the one-hot targets. A hypothesis therefore does not depend on how many are trained with it, nor on
 * the TF.js backend. The networks step in lock-step; with `budgetMs` the work gives the event loop back that often.
 * Tiny networks train faster in plain loops than as batched TF.js kernels, whose per-op cost dominates here.
 */
export async function trainMlpHypotheses(
  data: Dataset,
  o: MlpHypothesisOptions,
  ids: readonly number[],
  seed: number,
  options: {budgetMs?: number; probe?: Float32Array; signal?: AbortSignal} = {}
): Promise<MlpHypothesisResult> {
  const K = ids.length;
  for (const [key, v] of Object.entries(o) as [string, number][]) {
    if (!(v > 0 && Number.isFinite(v))) throw new Error(`invalid ${key}: ${v}`);
  }
  const config = mlpHypothesisConfig(data, o);
  const t = data.train;
  const v = data.test;
  const C = data.classes;
  const d = data.inputs;
  const batch = Math.min(Math.round(o.batch), t.n);
  const net = hostMlp(config, Math.max(batch, t.n, v.n, options.probe ? options.probe.length / d : 0));
  const P = net.size;
  const streams = ids.map((id) => random(seed).fork("mlp").fork(id));
  const theta = streams.map((rng) => {
    const w = new Float64Array(P);
    net.layers.forEach(([fanIn, fanOut], layer) => {
      const bound = 1 / Math.sqrt(fanIn);
      const s = rng.fork(`layer${layer}`);
      for (let i = 0; i < fanIn * fanOut + fanOut; ++i) w[net.offsets[layer] + i] = s.range(-bound, bound);
    });
    return w;
  });
  const m1 = theta.map(() => new Float64Array(P));
  const m2 = theta.map(() => new Float64Array(P));
  const grad = new Float64Array(P);
  const trainY = oneHot(t.y, C);
  const testY = oneHot(v.y, C);
  const xb = new Float64Array(batch * d);
  const yb = new Float64Array(batch * C);
  const orders = streams.map((rng) => rng.fork("order"));
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const perEpoch = Math.ceil(t.n / batch);
  let slice = now();
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; ++epoch) {
    const perms = orders.map((rng) => rng.permutation(t.n));
    for (let s = 0; s < perEpoch; ++s) {
      const start = s * batch;
      const rows = Math.min(batch, t.n - start);
      step++;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      for (let k = 0; k < K; ++k) {
        for (let r = 0; r < rows; ++r) {
          const i = perms[k][start + r];
          for (let j = 0; j < d; ++j) xb[r * d + j] = t.x[i * d + j];
          for (let j = 0; j < C; ++j) yb[r * C + j] = trainY[i * C + j];
        }
        const w = theta[k];
        grad.fill(0);
        net.forward(w, xb, rows);
        net.backward(w, yb, rows, grad);
        const a = m1[k];
        const b = m2[k];
        for (let p = 0; p < P; ++p) {
          const g = grad[p];
          a[p] = beta1 * a[p] + (1 - beta1) * g;
          b[p] = beta2 * b[p] + (1 - beta2) * g * g;
          w[p] -= (o.lr * (a[p] / c1)) / (Math.sqrt(b[p] / c2) + eps);
        }
      }
      if (options.budgetMs !== undefined && now() - slice > options.budgetMs) {
        await nextTask();
        if (options.signal?.aborted) throw new Error("aborted");
        slice = now();
      }
    }
  }
  const mse = (w: Float64Array, x: Float32Array, y: Float64Array, rows: number) => {
    const out = net.forward(w, x, rows);
    let sum = 0;
    for (let i = 0; i < rows * C; ++i) sum += (out[i] - y[i]) ** 2;
    return sum / (rows * C);
  };
  const errors = Float32Array.from(theta, (w) => mse(w, v.x, testY, v.n));
  const trainErrors = Float32Array.from(theta, (w) => mse(w, t.x, trainY, t.n));
  let probe: Float32Array | undefined;
  if (options.probe && K) {
    const rows = options.probe.length / d;
    probe = Float32Array.from(net.forward(theta[K - 1], options.probe, rows).subarray(0, rows * C));
  }
  return {errors, trainErrors, ...(probe ? {probe} : {})};
}

function now(): number {
  return globalThis.performance?.now() ?? 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The live study: hypotheses sampled from each model class, the running estimate of I(ε)
// ---------------------------------------------------------------------------------------------------------------

/** The model classes the study compares. */
export const inductiveBiasClasses = ["mlp", "rbf"] as const;
export type InductiveBiasClass = (typeof inductiveBiasClasses)[number];

export interface InductiveBiasStudyOptions {
  task: InductiveBiasTaskOptions;
  /** RBF kernel width σ (official 1.0). */
  sigma: number;
  /** Variance added to the training Gram matrix's diagonal (0 = exact interpolation). */
  nugget: number;
  /** The trained-MLP hypothesis space. */
  mlp: MlpHypothesisOptions;
  /** Target test error ε (test MSE on one-hot targets). */
  epsilon: number;
  /** Hypotheses sampled from each class before the study stops. */
  hypotheses: number;
  /** Seeds the task, the posterior draws and the networks. */
  seed: number;
  /** Resolution of the decision-region grid over the task's plane (0 for none). */
  grid?: number;
  /** Model classes, in order (default both: trained MLPs as the baseline, RBF-kernel draws as the method). */
  classes?: readonly InductiveBiasClass[];
  /** Hypotheses per yielded event without a control (with one, its speed decides). */
  stepsPerYield?: number;
}

/** The options of an async study run: the page's control, Framework's invalidation, or a signal. */
export interface InductiveBiasRunOptions {
  control?: TrainControl;
  invalidation?: PromiseLike<unknown>;
  signal?: AbortSignal;
}

/** One model class at an event: shaped as the trainer's ArmEvent, plus the sampled errors and the fit. */
export interface InductiveBiasArm {
  id: InductiveBiasClass;
  label: string;
  role: "baseline" | "method";
  path: "autodiff" | "fused";
  pathNote?: string;
  /** Test MSE of the hypothesis sampled last. */
  loss: number;
  /**
   * inductiveBias (I(ε) of the fit, nats), inductiveBiasBits, sankaran (the official fallback's value), empiricalBias
   * (−log of the share of samples with error ≤ ε), meanError, minError, df, nc, scale, ksStatistic, ksPValue,
   * hypotheses; for MLPs also meanTrainError.
   */
  metrics: Record<string, number>;
  view: {probs?: Float32Array; margin?: Float32Array};
  /** Every test error sampled so far, in order. */
  errors: Float32Array;
  fit?: Ncx2Fit;
}

/** A plain-data event of the study, shaped as TrainEvent so that Player, LossCurve and metricSeries read it. */
export interface InductiveBiasEvent {
  /** Hypotheses sampled so far from each class. */
  step: number;
  status: RunStatus;
  backend: string;
  /** Hypotheses per second (per class). */
  stepsPerSecond: number;
  evaluated: boolean;
  arms: InductiveBiasArm[];
  /** `loss`: each sampled hypothesis's test error by step; `metrics`: the running estimates at each evaluation. */
  history: History;
  data: Dataset;
  epsilon: number;
  hypotheses: number;
  grid?: GridSpec;
  /** The training points in the task's plane [n, 2] (for the decision views). */
  plane: Float32Array;
  message?: string;
  notice?: string;
}

const minimumForFit = 8;

/** Softmax of β·outputs per row (a display transform of regression outputs) and the top-1 minus top-2 output. */
function outputField(
  outputs: ArrayLike<number>,
  classes: number,
  beta = 8
): {probs: Float32Array; margin: Float32Array} {
  const cells = outputs.length / classes;
  const probs = new Float32Array(outputs.length);
  const margin = new Float32Array(cells);
  for (let i = 0; i < cells; ++i) {
    let first = -Infinity;
    let second = -Infinity;
    for (let k = 0; k < classes; ++k) {
      const v = outputs[i * classes + k];
      if (v > first) [first, second] = [v, first];
      else if (v > second) second = v;
    }
    let sum = 0;
    for (let k = 0; k < classes; ++k)
      sum += probs[i * classes + k] = Math.exp(beta * (outputs[i * classes + k] - first));
    for (let k = 0; k < classes; ++k) probs[i * classes + k] /= sum;
    margin[i] = classes > 1 ? first - second : first;
  }
  return {probs, margin};
}

/** The square grid over the training points' plane (padded by 10 %), as the trainer draws decision regions. */
function planeGrid(plane: Float32Array, resolution: number): GridSpec {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < plane.length; i += 2) {
    x0 = Math.min(x0, plane[i]);
    x1 = Math.max(x1, plane[i]);
    y0 = Math.min(y0, plane[i + 1]);
    y1 = Math.max(y1, plane[i + 1]);
  }
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.1 || 1;
  return {nx: resolution, ny: resolution, x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half};
}

function gridCentres(g: GridSpec): Float32Array {
  const out = new Float32Array(g.nx * g.ny * 2);
  for (let j = 0; j < g.ny; ++j) {
    for (let i = 0; i < g.nx; ++i) {
      const k = j * g.nx + i;
      out[2 * k] = g.x0 + ((i + 0.5) * (g.x1 - g.x0)) / g.nx;
      out[2 * k + 1] = g.y1 - ((j + 0.5) * (g.y1 - g.y0)) / g.ny;
    }
  }
  return out;
}

/** The label of a model class, naming its hypothesis space. */
export function inductiveBiasClassLabel(
  id: InductiveBiasClass,
  o: Pick<InductiveBiasStudyOptions, "sigma" | "mlp">
): string {
  return id === "mlp"
    ? `trained MLPs (${Array(o.mlp.depth).fill(o.mlp.width).join("×")}, Adam)`
    : `RBF-kernel draws (σ = ${o.sigma})`;
}

/** Metrics of one class's sample of errors (the estimate, its fit and the KS test). */
function classMetrics(
  errors: Float32Array,
  epsilon: number,
  start?: Ncx2Params
): {metrics: Record<string, number>; fit?: Ncx2Fit} {
  const n = errors.length;
  let sum = 0;
  let min = Infinity;
  for (let i = 0; i < n; ++i) {
    sum += errors[i];
    min = Math.min(min, errors[i]);
  }
  const metrics: Record<string, number> = {hypotheses: n, meanError: n ? sum / n : NaN, minError: n ? min : NaN};
  if (n < minimumForFit) return {metrics};
  const e = inductiveBiasEstimate(errors, epsilon, {start});
  Object.assign(metrics, {
    inductiveBias: e.bias,
    inductiveBiasBits: e.bias / Math.LN2,
    sankaran: e.sankaran,
    empiricalBias: e.empirical,
    df: e.fit.df,
    nc: e.fit.nc,
    scale: e.fit.scale,
    ksStatistic: e.ks.statistic,
    ksPValue: e.ks.pValue
  });
  return {metrics, fit: e.fit};
}

/**
 * The live study (card 27): from each model class it samples hypotheses that fit the training data — networks trained
 * from random initialisations, and posterior draws of the RBF-kernel model — records their test errors, and after
 * every chunk refits the scaled noncentral χ² and re-estimates I(ε). A step is one hypothesis from every class; the
 * control's speed is hypotheses per event. It honours play / pause / step / reset and yields TrainEvent-shaped
 * events, so the Player, LossCurve and metricSeries work as for a training run. Only host arrays are kept between
 * events; the posterior sampler's two tensors are released when the generator ends.
 */
export async function* inductiveBiasStudy(
  o: InductiveBiasStudyOptions,
  run: InductiveBiasRunOptions = {}
): AsyncGenerator<InductiveBiasEvent, void, void> {
  const {control} = run;
  if (!(Number.isInteger(o.hypotheses) && o.hypotheses >= 1)) throw new Error(`invalid hypotheses: ${o.hypotheses}`);
  if (!(o.epsilon > 0)) throw new Error(`invalid epsilon: ${o.epsilon}`);
  const ids = o.classes ?? inductiveBiasClasses;
  const task = inductiveBiasTask(o.task);
  const data = task.data;
  const grid = o.grid ? planeGrid(task.plane, o.grid) : undefined;
  const gridX = grid ? task.lift(gridCentres(grid)) : undefined;
  const post = ids.includes("rbf")
    ? rbfPosterior(data.train.x, data.train.y, data.test.x, data.inputs, data.classes, o.sigma, o.nugget)
    : undefined;
  const gridPost =
    post && gridX
      ? rbfPosterior(data.train.x, data.train.y, gridX, data.inputs, data.classes, o.sigma, o.nugget)
      : undefined;
  const sampler = post ? rbfErrorSampler(post, data.test.y) : undefined;
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  run.signal?.addEventListener("abort", onAbort, {once: true});
  if (run.signal?.aborted) abort.abort();
  run.invalidation?.then(onAbort, onAbort);

  const roles = ids.map((id, i): "baseline" | "method" => (ids.length > 1 && i === 0 ? "baseline" : "method"));
  type State = {
    errors: Float32Array;
    count: number;
    fit?: Ncx2Fit;
    metrics: Record<string, number>;
    view: InductiveBiasArm["view"];
    last: number;
    trainSum: number;
  };
  let states!: State[];
  let history!: History;
  let step!: number;
  let status!: RunStatus;
  let rate = 0;
  let message: string | undefined;
  const fresh = () => {
    states = ids.map(() => ({
      errors: new Float32Array(o.hypotheses),
      count: 0,
      metrics: {},
      view: {},
      last: NaN,
      trainSum: 0
    }));
    history = {step: [], loss: ids.map(() => []), evalStep: [], metrics: {}};
    step = 0;
    status = "ready";
    message = undefined;
  };
  fresh();
  const event = (evaluated: boolean): InductiveBiasEvent => ({
    step,
    status,
    backend: tf.getBackend(),
    stepsPerSecond: rate,
    evaluated,
    arms: ids.map((id, i) => ({
      id,
      label: inductiveBiasClassLabel(id, o),
      role: roles[i],
      path: "autodiff",
      pathNote:
        id === "mlp" ? "networks trained on the host, all in lock-step" : "posterior draws as one matrix product",
      loss: states[i].last,
      metrics: states[i].metrics,
      view: states[i].view,
      errors: states[i].errors.slice(0, states[i].count),
      ...(states[i].fit ? {fit: states[i].fit} : {})
    })),
    history,
    data,
    epsilon: o.epsilon,
    hypotheses: o.hypotheses,
    grid,
    plane: task.plane,
    ...(message ? {message} : {})
  });
  const record = () => {
    history.evalStep.push(step);
    const names = new Set<string>();
    for (const s of states) for (const k of Object.keys(s.metrics)) names.add(k);
    const k = history.evalStep.length;
    for (const name of names) {
      const series = (history.metrics[name] ??= ids.map(() => [] as number[]));
      series.forEach((values, i) => {
        while (values.length < k - 1) values.push(NaN);
        values.push(states[i].metrics[name] ?? NaN);
      });
    }
  };

  try {
    yield event(false);
    while (!abort.signal.aborted) {
      if (control?.takeReset()) {
        fresh();
        yield event(false);
        continue;
      }
      if (status === "done" || status === "diverged") {
        if (!control) break;
        await control.changed(abort.signal);
        continue;
      }
      let todo: number;
      const single = control !== undefined && !control.running;
      if (!control) todo = o.stepsPerYield ?? 10;
      else if (control.running) todo = control.speed;
      else {
        todo = control.takeSteps();
        if (todo === 0) {
          if (status !== "paused" && status !== "ready") {
            status = "paused";
            rate = 0;
            yield event(false);
            continue;
          }
          await control.changed(abort.signal);
          continue;
        }
      }
      todo = Math.min(todo, o.hypotheses - step);
      const started = now();
      const batch = Array.from({length: todo}, (_, k) => step + k);
      for (let i = 0; i < ids.length; ++i) {
        const s = states[i];
        let errors: Float32Array;
        if (ids[i] === "rbf") {
          errors = await sampler!.draw(batch, random(o.seed).fork("rbf"));
          if (gridPost) {
            const f = rbfPosteriorDraw(
              gridPost,
              random(o.seed)
                .fork("rbf-grid")
                .fork(step + todo - 1)
            );
            s.view = outputField(f, data.classes);
          }
        } else {
          const r = await trainMlpHypotheses(data, o.mlp, batch, o.seed, {
            budgetMs: control ? 25 : undefined,
            probe: gridX,
            signal: abort.signal
          }).catch((error) => {
            if (abort.signal.aborted) return undefined;
            throw error;
          });
          if (!r) break;
          errors = r.errors;
          for (const e of r.trainErrors) s.trainSum += e;
          if (r.probe) s.view = outputField(r.probe, data.classes);
        }
        if (abort.signal.aborted) break;
        for (let k = 0; k < todo; ++k) {
          const e = errors[k];
          if (!(Number.isFinite(e) && e > 0) && status !== "diverged") {
            status = "diverged";
            message =
              `A hypothesis of ${inductiveBiasClassLabel(ids[i], o)} has test error ${e} (step ${step + k + 1}): ` +
              (ids[i] === "mlp"
                ? "its training diverged; lower the learning rate."
                : "the posterior draw is not finite.");
          }
          s.errors[s.count++] = e;
          history.loss[i].push(e);
        }
        s.last = errors[todo - 1];
      }
      if (abort.signal.aborted) break;
      for (let k = 0; k < todo; ++k) history.step.push(step + k + 1);
      step += todo;
      if (status !== "diverged") {
        states.forEach((s, i) => {
          const {metrics, fit} = classMetrics(s.errors.subarray(0, s.count), o.epsilon, s.fit);
          if (ids[i] === "mlp") metrics.meanTrainError = s.trainSum / s.count;
          s.metrics = metrics;
          s.fit = fit;
        });
        status = step >= o.hypotheses ? "done" : single ? "paused" : "running";
      }
      const elapsed = (now() - started) / 1000;
      if (elapsed > 0) rate = rate ? 0.8 * rate + 0.2 * (todo / elapsed) : todo / elapsed;
      record();
      yield event(true);
    }
  } finally {
    run.signal?.removeEventListener("abort", onAbort);
    sampler?.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sweeps and views (pure transforms for the page's figures)
// ---------------------------------------------------------------------------------------------------------------

/** I(ε) of the RBF-kernel class for one task: `draws` posterior draws, the fit and the estimate. */
export async function rbfInductiveBias(
  o: Pick<InductiveBiasStudyOptions, "task" | "sigma" | "nugget" | "epsilon" | "seed">,
  draws: number,
  options: {ks?: boolean} = {}
): Promise<InductiveBiasEstimate & {meanError: number}> {
  const {data} = inductiveBiasTask(o.task);
  const post = rbfPosterior(data.train.x, data.train.y, data.test.x, data.inputs, data.classes, o.sigma, o.nugget);
  const sampler = rbfErrorSampler(post, data.test.y);
  const errors = new Float32Array(draws);
  try {
    // Chunks of 1000 draws keep the normal matrix small (m × 1000·C floats).
    for (let k = 0; k < draws; k += 1000) {
      const count = Math.min(1000, draws - k);
      const ids = Array.from({length: count}, (_, i) => k + i);
      errors.set(await sampler.draw(ids, random(o.seed).fork("rbf")), k);
    }
  } finally {
    sampler.dispose();
  }
  let sum = 0;
  for (const e of errors) sum += e;
  return {...inductiveBiasEstimate(errors, o.epsilon, {ks: options.ks}), meanError: sum / draws};
}

/** I(ε) of the trained-MLP class for one task: `trials` networks, the fit and the estimate. */
export async function mlpInductiveBias(
  o: Pick<InductiveBiasStudyOptions, "task" | "mlp" | "epsilon" | "seed">,
  trials: number
): Promise<InductiveBiasEstimate & {meanError: number}> {
  const {data} = inductiveBiasTask(o.task);
  const ids = Array.from({length: trials}, (_, i) => i);
  const {errors} = await trainMlpHypotheses(data, o.mlp, ids, o.seed);
  let sum = 0;
  for (const e of errors) sum += e;
  return {...inductiveBiasEstimate(errors, o.epsilon), meanError: sum / trials};
}

/** One point of a sweep: a task setting and the kernel class's estimate there. */
export interface InductiveBiasSweepPoint {
  /** Which setting varies: the training-set size or the input dimension. */
  key: "nTrain" | "dims";
  value: number;
  bias: number;
  meanError: number;
  fit: Ncx2Fit;
}

/**
 * The card's sweeps for the RBF-kernel class: I(ε) for each training-set size (at the task's dimension) and for each
 * input dimension (at its training-set size), `draws` posterior draws each. Yields the points computed so far after
 * each one, giving the page back in between.
 */
export async function* inductiveBiasSweep(
  o: Pick<InductiveBiasStudyOptions, "task" | "sigma" | "nugget" | "epsilon" | "seed">,
  options: {nTrain?: readonly number[]; dims?: readonly number[]; draws?: number} = {}
): AsyncGenerator<InductiveBiasSweepPoint[], void, void> {
  const points: InductiveBiasSweepPoint[] = [];
  const draws = options.draws ?? 1000;
  const settings = [
    ...(options.nTrain ?? [8, 16, 32, 64, 128]).map((value) => ({key: "nTrain" as const, value})),
    ...(options.dims ?? [2, 4, 8, 16]).map((value) => ({key: "dims" as const, value}))
  ];
  for (const {key, value} of settings) {
    await nextTask();
    const e = await rbfInductiveBias({...o, task: {...o.task, [key]: value}}, draws, {ks: false});
    points.push({key, value, bias: e.bias, meanError: e.meanError, fit: e.fit});
    yield points.slice();
  }
}

/** A line for LossCurve: x and y arrays, a label and a role (its colour). */
export interface InductiveBiasSeries {
  key: string;
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  role?: string;
  dashed?: boolean;
  color?: string;
}

/** The colour of the target-error line in every figure. */
export const inductiveBiasEpsilonColor = "#777777";

/**
 * A histogram of one class's sampled test errors as a density outline (bins over [0, max(errors, ε)·1.05]), the
 * fitted scaled ncx2 density over it (dashed), and a vertical line at ε, as LossCurve series.
 */
export function inductiveBiasHistogram(
  e: Pick<InductiveBiasEvent, "arms" | "epsilon">,
  arm: number,
  options: {bins?: number; points?: number} = {}
): InductiveBiasSeries[] {
  const a = e.arms[arm];
  if (!a || !a.errors.length) return [];
  const bins = options.bins ?? 30;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a.errors) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // The bins cover the samples; the axis reaches from 0 (or ε) so the gap to ε shows.
  const x0 = Math.max(0, lo - 0.05 * (hi - lo || hi));
  const x1 = hi + 0.05 * (hi - lo || hi);
  const width = (x1 - x0) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of a.errors) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - x0) / width)))]++;
  const xs: number[] = [];
  const ys: number[] = [];
  counts.forEach((c, b) => {
    const density = c / (a.errors.length * width);
    xs.push(x0 + b * width, x0 + (b + 1) * width);
    ys.push(density, density);
  });
  const out: InductiveBiasSeries[] = [
    {key: `${a.id}-hist`, label: `${a.label}: sampled errors`, x: [x0, ...xs, x1], y: [0, ...ys, 0], role: a.role}
  ];
  const top = Math.max(...ys);
  if (a.fit) {
    const n = options.points ?? 120;
    const left = Math.min(x0, e.epsilon);
    const fx = Float64Array.from({length: n}, (_, i) => left + ((x1 - left) * i) / (n - 1));
    const fy = Float64Array.from(fx, (x) => (x > 0 ? ncx2ScaledPdf(x, a.fit!) : 0));
    out.push({key: `${a.id}-fit`, label: "fitted scaled χ′²", x: fx, y: fy, role: a.role, dashed: true});
  }
  out.push({
    key: "epsilon",
    label: `ε = ${e.epsilon}`,
    x: [e.epsilon, e.epsilon],
    y: [0, top * 1.05],
    color: inductiveBiasEpsilonColor,
    dashed: true
  });
  return out;
}

/**
 * I(ε) against ε for each fit (log-spaced ε over [lo, hi], drawn on a linear axis), and with `epsilon` a vertical line
 * there spanning the curves' values (so that it never stretches a log axis). Values below `floor` are left out (NaN),
 * so that a log axis does not run down to the 1e-30 nats of a target every hypothesis meets.
 */
export function inductiveBiasCurves(
  fits: readonly {key: string; label: string; role?: string; fit?: Ncx2Params}[],
  lo: number,
  hi: number,
  options: {points?: number; epsilon?: number; floor?: number} = {}
): InductiveBiasSeries[] {
  const points = options.points ?? 80;
  const floor = options.floor ?? 0;
  const xs = Float64Array.from({length: points}, (_, i) => lo * (hi / lo) ** (i / (points - 1)));
  const out: InductiveBiasSeries[] = fits
    .filter((f) => f.fit)
    .map((f) => ({
      key: f.key,
      label: f.label,
      x: xs,
      y: Float64Array.from(xs, (x) => {
        const v = -ncx2ScaledLogCdf(x, f.fit!);
        return v >= floor ? v : NaN;
      }),
      role: f.role
    }));
  const eps = options.epsilon;
  if (eps !== undefined && out.length) {
    let min = Infinity;
    let max = 0;
    for (const s of out) {
      for (let i = 0; i < s.y.length; ++i) {
        const v = s.y[i];
        if (v > 0 && Number.isFinite(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
      }
    }
    if (max > 0) {
      out.push({
        key: "epsilon",
        label: `ε = ${eps}`,
        x: [eps, eps],
        y: [min, max],
        color: inductiveBiasEpsilonColor,
        dashed: true
      });
    }
  }
  return out;
}

/** The decision regions of the latest hypothesis of one class over the task's plane, for DecisionMargin. */
export function inductiveBiasDecisionView(e: InductiveBiasEvent, arm: number) {
  const a = e.arms[arm];
  if (!e.grid || !a?.view.probs) return null;
  const t = e.data.train;
  return {
    classes: e.data.classes,
    grid: e.grid,
    probs: a.view.probs,
    margin: a.view.margin,
    points: {x: e.plane, label: t.y, ids: t.ids}
  };
}
