/**
 * Card 17 (Zheng et al., ICML 2023, "Revisiting Discriminative vs. Generative Classifiers"): linear Gaussian naive
 * Bayes against multinomial logistic regression as the number of training samples m grows. Names are prefixed `dvg`
 * (discriminative vs generative).
 *
 * Everything here is host-side Float64 code, not TF.js: naive Bayes is closed-form arithmetic, and logistic regression is
 * fitted to convergence by L-BFGS on the official objective (scikit-learn's LogisticRegression with C = 1, lbfgs), which
 * a full-batch Adam run on the trainer would only approximate; a study fits hundreds of small models, each in
 * milliseconds on the CPU. The live page is an async generator (`dvgRun`) that grows m one grid point at a time,
 * honours a TrainControl and yields TrainEvent-shaped events.
 *
 * Official code: ML-GSAI/Revisiting-Dis-vs-Gen-Classifiers (models/gaussnb.py, data/generate_data.py, data/dataset.py,
 * main_simulation.py).
 */
import type {Dataset, Split} from "../datasets/dataset.js";
import {digits} from "../datasets/digits.js";
import {random} from "../random.js";
import type {Random} from "../random.js";
import type {TrainControl} from "../train/control.js";
import type {ArmEvent, GridSpec, History, RunStatus, TrainEvent, TrainSummary} from "../train/train.js";

/** Labelled rows in Float64: x is row-major [n, d], y class indices. */
export interface DvgSamples {
  n: number;
  d: number;
  classes: number;
  x: Float64Array;
  y: Int32Array;
}

// ---------------------------------------------------------------------------------------------------------------------
// Data

export type DvgCovariance = "easy" | "hard";

export interface DvgGaussianOptions {
  /** Feature dimension n of the paper (here `dim`, since n is also a sample count). */
  dim: number;
  classes: number;
  mode?: DvgCovariance;
  /** Training pool size (default 100·dim, the official pool), split evenly over the classes. */
  pool?: number;
  /** Test samples (default 5 000; the official 10 000), split evenly over the classes. */
  testN?: number;
  seed?: number;
}

/** Class means of the official generator: μ₀ = −1, μ_k = 2^{k−1} (times the all-ones vector). */
export function dvgClassMean(k: number): number {
  return k === 0 ? -1 : 2 ** (k - 1);
}

/**
 * The official covariance: "easy" is diag(dim, …, dim [⌊dim/2⌋ times], 1, …, 1); "hard" is S = AᵀA for A with entries
 * uniform in [−1, 1), its diagonal replaced by the easy one. A comes from a fixed stream (the official code fixes NumPy's
 * seed to 0 for it), so every seed shares one hard covariance per dimension. Row-major [dim, dim].
 */
export function dvgCovariance(dim: number, mode: DvgCovariance): Float64Array {
  const diag = Array.from({length: dim}, (_, j) => (j < Math.floor(dim / 2) ? dim : 1));
  const cov = new Float64Array(dim * dim);
  if (mode === "easy") {
    for (let j = 0; j < dim; ++j) cov[j * dim + j] = diag[j];
    return cov;
  }
  const rng = random(0).fork("dvg-hard-covariance").fork(dim);
  const a = Float64Array.from({length: dim * dim}, () => rng.range(-1, 1));
  for (let i = 0; i < dim; ++i) {
    for (let j = 0; j < dim; ++j) {
      let s = 0;
      for (let r = 0; r < dim; ++r) s += a[r * dim + i] * a[r * dim + j];
      cov[i * dim + j] = i === j ? diag[i] : s;
    }
  }
  return cov;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: values λ and vectors (columns of V, row-major
 * [dim, dim]) with M = V diag(λ) Vᵀ.
 */
export function dvgSymmetricEigen(m: Float64Array, dim: number): {values: Float64Array; vectors: Float64Array} {
  const a = Float64Array.from(m);
  const v = new Float64Array(dim * dim);
  for (let i = 0; i < dim; ++i) v[i * dim + i] = 1;
  for (let sweep = 0; sweep < 100; ++sweep) {
    let off = 0;
    for (let p = 0; p < dim; ++p) for (let q = p + 1; q < dim; ++q) off += a[p * dim + q] ** 2;
    if (off < 1e-22 * (1 + dim)) break;
    for (let p = 0; p < dim; ++p) {
      for (let q = p + 1; q < dim; ++q) {
        const apq = a[p * dim + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * dim + q] - a[p * dim + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < dim; ++k) {
          const akp = a[k * dim + p],
            akq = a[k * dim + q];
          a[k * dim + p] = c * akp - s * akq;
          a[k * dim + q] = s * akp + c * akq;
        }
        for (let k = 0; k < dim; ++k) {
          const apk = a[p * dim + k],
            aqk = a[q * dim + k];
          a[p * dim + k] = c * apk - s * aqk;
          a[q * dim + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dim; ++k) {
          const vkp = v[k * dim + p],
            vkq = v[k * dim + q];
          v[k * dim + p] = c * vkp - s * vkq;
          v[k * dim + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return {values: Float64Array.from({length: dim}, (_, i) => a[i * dim + i]), vectors: v};
}

/**
 * A sampler for N(0, Σ) as NumPy's multivariate_normal builds it (through the SVD of Σ): x = Σ_j √|λ_j| z_j v_j. For a
 * positive semi-definite Σ that is exactly N(0, Σ); the official "hard" matrix is not (its off-diagonal entries are too
 * large for its unit diagonal entries), and NumPy then samples, with a warning, from the matrix with the same
 * eigenvectors and the absolute eigenvalues — which this sampler reproduces.
 */
export function dvgGaussianSampler(cov: Float64Array, dim: number): (rng: Random, out: Float64Array) => void {
  const {values, vectors} = dvgSymmetricEigen(cov, dim);
  const scale = Float64Array.from(values, (l) => Math.sqrt(Math.abs(l)));
  const z = new Float64Array(dim);
  return (rng, out) => {
    for (let j = 0; j < dim; ++j) z[j] = scale[j] * rng.normal();
    for (let i = 0; i < dim; ++i) {
      let s = 0;
      for (let j = 0; j < dim; ++j) s += vectors[i * dim + j] * z[j];
      out[i] = s;
    }
  };
}

/**
 * The official simulated data (generate_gaussian_multiclass + SimDataset): x | y = k ~ N(μ_k·1, Σ), balanced classes,
 * and for more than two classes every feature standardised as (x − 2^{K−3}) / 2^{K−3}.
 */
export function dvgGaussianData(options: DvgGaussianOptions): {pool: DvgSamples; test: DvgSamples} {
  const {dim, classes, mode = "easy", pool = 100 * dim, testN = 5000, seed = 0} = options;
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`invalid dim: ${dim}`);
  if (!(Number.isInteger(classes) && classes >= 2)) throw new Error(`invalid classes: ${classes}`);
  const sample = dvgGaussianSampler(dvgCovariance(dim, mode), dim);
  const shift = classes > 2 ? 2 ** (classes - 3) : 0;
  const scale = classes > 2 ? 2 ** (classes - 3) : 1;
  const rng = random(seed).fork("dvg-gaussian");
  const draw = (total: number, stream: string): DvgSamples => {
    const each = Math.floor(total / classes);
    const n = each * classes;
    const x = new Float64Array(n * dim);
    const y = new Int32Array(n);
    const r = rng.fork(stream);
    const row = new Float64Array(dim);
    for (let k = 0, i = 0; k < classes; ++k) {
      for (let c = 0; c < each; ++c, ++i) {
        sample(r, row);
        for (let j = 0; j < dim; ++j) x[i * dim + j] = (row[j] + dvgClassMean(k) - shift) / scale;
        y[i] = k;
      }
    }
    return {n, d: dim, classes, x, y};
  };
  return {pool: draw(pool, "pool"), test: draw(testN, "test")};
}

/** A dataset's split as Float64 samples. */
export function dvgFromSplit(split: Split, d: number, classes: number): DvgSamples {
  return {n: split.n, d, classes, x: Float64Array.from(split.x), y: split.y.slice()};
}

/** The rows of `s` selected by `index`. */
export function dvgSubset(s: DvgSamples, index: ArrayLike<number>): DvgSamples {
  const x = new Float64Array(index.length * s.d);
  const y = new Int32Array(index.length);
  for (let i = 0; i < index.length; ++i) {
    x.set(s.x.subarray(index[i] * s.d, (index[i] + 1) * s.d), i * s.d);
    y[i] = s.y[index[i]];
  }
  return {n: index.length, d: s.d, classes: s.classes, x, y};
}

/**
 * A random subset of m rows in which every class occurs (the official protocol draws again until it does; after 1 000
 * draws it gives up).
 */
export function dvgDrawSubset(s: DvgSamples, m: number, rng: Random): Int32Array {
  if (!(m >= s.classes && m <= s.n)) throw new Error(`invalid training size: ${m} (pool ${s.n}, ${s.classes} classes)`);
  for (let attempt = 0; attempt < 1000; ++attempt) {
    const index = rng.permutation(s.n).slice(0, m);
    const seen = new Set<number>();
    for (const i of index) seen.add(s.y[i]);
    if (seen.size === s.classes) return index;
  }
  throw new Error(`no subset of ${m} samples contains all ${s.classes} classes`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Linear Gaussian naive Bayes (models/gaussnb.py)

export interface DvgNaiveBayes {
  classes: number;
  d: number;
  /** Class means, [classes, d]. */
  means: Float64Array;
  /** Pooled variance σ̄²_j = Σ_k π_k (Var(x_j | k) + ε), [d]. */
  variance: Float64Array;
  /** log π_k (−Infinity for a class absent from the training set). */
  logPrior: Float64Array;
}

/**
 * Fits the official GaussianNB: per-class means, per-class population variances plus ε (1e-9, added per class as the
 * official code does), priors n_k/m, and one variance per feature pooled over the classes with the priors as weights.
 */
export function dvgFitNaiveBayes(s: DvgSamples, epsilon = 1e-9): DvgNaiveBayes {
  const {d, classes} = s;
  const counts = new Float64Array(classes);
  const means = new Float64Array(classes * d);
  for (let i = 0; i < s.n; ++i) {
    const k = s.y[i];
    counts[k]++;
    for (let j = 0; j < d; ++j) means[k * d + j] += s.x[i * d + j];
  }
  for (let k = 0; k < classes; ++k) for (let j = 0; j < d; ++j) means[k * d + j] /= counts[k] || 1;
  const classVar = new Float64Array(classes * d);
  for (let i = 0; i < s.n; ++i) {
    const k = s.y[i];
    for (let j = 0; j < d; ++j) classVar[k * d + j] += (s.x[i * d + j] - means[k * d + j]) ** 2;
  }
  const variance = new Float64Array(d);
  const logPrior = new Float64Array(classes);
  for (let k = 0; k < classes; ++k) {
    const prior = counts[k] / s.n;
    logPrior[k] = Math.log(prior);
    if (!counts[k]) continue;
    for (let j = 0; j < d; ++j) variance[j] += prior * (classVar[k * d + j] / counts[k] + epsilon);
  }
  return {classes, d, means, variance, logPrior};
}

/** Naive Bayes scores log π_k − ½ Σ_j (x_j − μ_kj)² / σ̄²_j, [n, classes] (the official predict's joint log-likelihood). */
export function dvgNaiveBayesScores(model: DvgNaiveBayes, x: Float64Array, n: number): Float64Array {
  const {d, classes, means, variance, logPrior} = model;
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; ++i) {
    for (let k = 0; k < classes; ++k) {
      let s = 0;
      for (let j = 0; j < d; ++j) s += (x[i * d + j] - means[k * d + j]) ** 2 / variance[j];
      out[i * classes + k] = logPrior[k] - 0.5 * s;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Logistic regression (scikit-learn LogisticRegression(penalty="l2", C=1, solver="lbfgs"))

export interface DvgLogistic {
  classes: number;
  d: number;
  /**
   * Weights: for two classes one vector [d + 1] (scikit-learn's binary model, score of class 1 = wᵀx + b); for more, the
   * multinomial model [classes, d + 1]. The last entry of each row is the unpenalised intercept.
   */
  w: Float64Array;
  iterations: number;
  /** The objective ½‖W‖² + C Σ_i CE_i at the solution, and the largest gradient entry. */
  objective: number;
  gradientMax: number;
}

/** Rows of the objective's weights: 1 for the binary model, `classes` for the multinomial one. */
function logisticRows(classes: number): number {
  return classes === 2 ? 1 : classes;
}

/**
 * The objective F(W) = ½ Σ_k ‖w_k‖² + C Σ_i CE(softmax(W x_i + b), y_i) (intercepts unpenalised; for two classes the
 * binary form with one weight vector and the logistic loss) and its gradient into `grad`.
 */
export function dvgLogisticObjective(s: DvgSamples, w: Float64Array, c: number, grad: Float64Array): number {
  const {d, classes, n} = s;
  const X = s.x,
    Y = s.y;
  const rows = logisticRows(classes);
  const stride = d + 1;
  grad.fill(0);
  let f = 0;
  const z = new Float64Array(rows);
  for (let i = 0; i < n; ++i) {
    const xi = i * d;
    for (let k = 0; k < rows; ++k) z[k] = w[k * stride + d];
    for (let j = 0; j < d; ++j) {
      const xj = X[xi + j];
      for (let k = 0; k < rows; ++k) z[k] += w[k * stride + j] * xj;
    }
    if (rows === 1) {
      // Binary: label ±1, loss log(1 + e^{−y z}), dℓ/dz = −y σ(−y z).
      const y = Y[i] === 1 ? 1 : -1;
      const m = y * z[0];
      const e = Math.exp(-Math.abs(m));
      f += (m > 0 ? 0 : -m) + Math.log1p(e);
      const g = -c * y * (m > 0 ? e / (1 + e) : 1 / (1 + e));
      for (let j = 0; j < d; ++j) grad[j] += g * X[xi + j];
      grad[d] += g;
    } else {
      const label = Y[i];
      const zLabel = z[label];
      let max = -Infinity;
      for (let k = 0; k < rows; ++k) if (z[k] > max) max = z[k];
      let sum = 0;
      for (let k = 0; k < rows; ++k) {
        z[k] = Math.exp(z[k] - max);
        sum += z[k];
      }
      f += max + Math.log(sum) - zLabel;
      // z becomes the gradient of C·CE in the scores: C (softmax − one-hot).
      for (let k = 0; k < rows; ++k) z[k] = c * (z[k] / sum - (k === label ? 1 : 0));
      for (let j = 0; j < d; ++j) {
        const xj = X[xi + j];
        for (let k = 0; k < rows; ++k) grad[k * stride + j] += z[k] * xj;
      }
      for (let k = 0; k < rows; ++k) grad[k * stride + d] += z[k];
    }
  }
  f *= c;
  for (let k = 0; k < rows; ++k) {
    for (let j = 0; j < d; ++j) {
      const v = w[k * stride + j];
      f += 0.5 * v * v;
      grad[k * stride + j] += v;
    }
  }
  return f;
}

export interface DvgLogisticOptions {
  /** Inverse regularisation strength (scikit-learn's C; default 1, the official value). */
  c?: number;
  /** Iteration cap (default 1 000, the official max_iter). */
  maxIterations?: number;
  /** Stop when the largest gradient entry is at most this (default 1e-4, scikit-learn's tol / SciPy's pgtol). */
  tolerance?: number;
  /**
   * Starting weights (default 0, scikit-learn's start). The objective is strictly convex, so a warm start (the solution
   * on a similar subset) reaches the same minimiser, within the tolerance, in fewer iterations.
   */
  init?: Float64Array;
  /** Precondition the L-BFGS steps with the inverse diagonal of a Hessian bound (default true; same minimiser). */
  precondition?: boolean;
}

/**
 * Fits logistic regression by L-BFGS (10 correction pairs, backtracking Armijo line search) from W = 0, as
 * scikit-learn's lbfgs solver does (it calls SciPy's L-BFGS-B with a Moré–Thuente line search; the minimiser is the same
 * since the objective is strictly convex). Stops when max |∂F| ≤ tolerance, when F stops decreasing (relative change
 * ≤ 64 ε, SciPy's ftol as scikit-learn sets it) or after maxIterations.
 */
export function dvgFitLogistic(s: DvgSamples, options: DvgLogisticOptions = {}): DvgLogistic {
  const {c = 1, maxIterations = 1000, tolerance = 1e-4} = options;
  const size = logisticRows(s.classes) * (s.d + 1);
  const w = new Float64Array(size);
  if (options.init) {
    if (options.init.length !== size) throw new Error(`invalid init: ${options.init.length} weights, expected ${size}`);
    w.set(options.init);
  }
  let g = new Float64Array(size);
  let f = dvgLogisticObjective(s, w, c, g);
  const memory = 10;
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(size);
  const trial = new Float64Array(size);
  let gTrial = new Float64Array(size);
  const alpha = new Float64Array(memory);
  const maxAbs = (v: Float64Array) => v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  // A diagonal preconditioner: the inverse of the diagonal of a bound on the Hessian, 1 + C·¼·Σ_i x_ij² for a weight
  // (the logistic curvature is at most ¼) and C·¼·m for an intercept. It changes the path, not the minimiser.
  const usePreconditioner = options.precondition ?? true;
  const precondition = new Float64Array(size).fill(1);
  if (usePreconditioner) {
    const rows = logisticRows(s.classes);
    const sq = new Float64Array(s.d);
    for (let i = 0; i < s.n; ++i) for (let j = 0; j < s.d; ++j) sq[j] += s.x[i * s.d + j] ** 2;
    for (let k = 0; k < rows; ++k) {
      for (let j = 0; j < s.d; ++j) precondition[k * (s.d + 1) + j] = 1 / (1 + 0.25 * c * sq[j]);
      precondition[k * (s.d + 1) + s.d] = 1 / Math.max(1e-12, 0.25 * c * s.n);
    }
  }
  const dot = (a: Float64Array, b: Float64Array) => {
    let t = 0;
    for (let i = 0; i < a.length; ++i) t += a[i] * b[i];
    return t;
  };
  let iterations = 0;
  for (; iterations < maxIterations && maxAbs(g) > tolerance; ++iterations) {
    // Two-loop recursion: dir = −H g.
    for (let i = 0; i < size; ++i) dir[i] = -g[i];
    for (let k = sList.length - 1; k >= 0; --k) {
      alpha[k] = rho[k] * dot(sList[k], dir);
      for (let i = 0; i < size; ++i) dir[i] -= alpha[k] * yList[k][i];
    }
    // Initial inverse Hessian: the diagonal preconditioner P, scaled by sᵀy / yᵀPy (Nocedal & Wright, eq. 7.20).
    const last = sList.length - 1;
    let gamma = 1 / Math.max(1, maxAbs(g));
    if (last >= 0) {
      let yPy = 0;
      for (let i = 0; i < size; ++i) yPy += yList[last][i] * precondition[i] * yList[last][i];
      gamma = dot(sList[last], yList[last]) / yPy;
    } else if (usePreconditioner) gamma = 1;
    for (let i = 0; i < size; ++i) dir[i] *= gamma * precondition[i];
    for (let k = 0; k < sList.length; ++k) {
      const beta = rho[k] * dot(yList[k], dir);
      for (let i = 0; i < size; ++i) dir[i] += sList[k][i] * (alpha[k] - beta);
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      sList.length = yList.length = rho.length = 0;
      for (let i = 0; i < size; ++i) dir[i] = -g[i] / Math.max(1, maxAbs(g));
      slope = dot(g, dir);
    }
    let step = 1;
    let fTrial = Infinity;
    for (let tries = 0; tries < 60; ++tries) {
      for (let i = 0; i < size; ++i) trial[i] = w[i] + step * dir[i];
      fTrial = dvgLogisticObjective(s, trial, c, gTrial);
      if (fTrial <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fTrial <= f)) break;
    const sk = new Float64Array(size);
    const yk = new Float64Array(size);
    for (let i = 0; i < size; ++i) {
      sk[i] = trial[i] - w[i];
      yk[i] = gTrial[i] - g[i];
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12 * Math.sqrt(dot(sk, sk) * dot(yk, yk))) {
      sList.push(sk);
      yList.push(yk);
      rho.push(1 / sy);
      if (sList.length > memory) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
    }
    const fOld = f;
    w.set(trial);
    [g, gTrial] = [gTrial, g];
    f = fTrial;
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= 64 * Number.EPSILON) {
      ++iterations;
      break;
    }
  }
  return {classes: s.classes, d: s.d, w, iterations, objective: f, gradientMax: maxAbs(g)};
}

/** Logistic-regression scores, [n, classes] (for two classes [0, wᵀx + b]). */
export function dvgLogisticScores(model: DvgLogistic, x: Float64Array, n: number): Float64Array {
  const {d, classes, w} = model;
  const rows = logisticRows(classes);
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; ++i) {
    for (let k = 0; k < rows; ++k) {
      let v = w[k * (d + 1) + d];
      for (let j = 0; j < d; ++j) v += w[k * (d + 1) + j] * x[i * d + j];
      out[i * classes + (rows === 1 ? 1 : k)] = v;
    }
  }
  return out;
}

/** Share of rows whose highest score is not the label (ties go to the lower class, as NumPy's argmax). */
export function dvgError(scores: Float64Array, y: Int32Array): number {
  const classes = scores.length / y.length;
  let wrong = 0;
  for (let i = 0; i < y.length; ++i) {
    let best = 0;
    for (let k = 1; k < classes; ++k) if (scores[i * classes + k] > scores[i * classes + best]) best = k;
    if (best !== y[i]) wrong++;
  }
  return wrong / y.length;
}

// ---------------------------------------------------------------------------------------------------------------------
// The study: test error against training size

/**
 * The training sizes: from 2K (the official start) up to the pool size, spaced by a factor of about `ratio` (the official
 * grid steps by ⌈ln n⌉ samples, which at browser scale means thousands of fits).
 */
export function dvgSizes(classes: number, pool: number, ratio = Math.SQRT2): number[] {
  const sizes: number[] = [];
  for (let m = 2 * classes; m < pool; m = Math.max(m + 1, Math.round(m * ratio))) sizes.push(m);
  sizes.push(pool);
  return sizes;
}

export interface DvgPoint {
  m: number;
  /** Test error of each repeat (a fresh random subset of size m each). */
  nb: number[];
  lr: number[];
}

/**
 * Both classifiers on `repeats` random subsets of size m of the pool; the test error of each. `warm[r]`, when given,
 * starts repeat r's logistic regression and receives its solution (a study passes the same array from size to size).
 */
export function dvgMeasure(
  pool: DvgSamples,
  test: DvgSamples,
  m: number,
  repeats: number,
  rng: Random,
  warm?: Float64Array[]
): DvgPoint {
  const point: DvgPoint = {m, nb: [], lr: []};
  for (let r = 0; r < repeats; ++r) {
    // Every subset of the whole pool is the pool itself: one fit serves all repeats.
    if (m === pool.n && r > 0) {
      point.nb.push(point.nb[0]);
      point.lr.push(point.lr[0]);
      continue;
    }
    const train = dvgSubset(pool, dvgDrawSubset(pool, m, rng.fork(r)));
    point.nb.push(dvgError(dvgNaiveBayesScores(dvgFitNaiveBayes(train), test.x, test.n), test.y));
    const lr = dvgFitLogistic(train, {init: warm?.[r]});
    if (warm) warm[r] = lr.w;
    point.lr.push(dvgError(dvgLogisticScores(lr, test.x, test.n), test.y));
  }
  return point;
}

export function dvgMean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The smallest m whose mean error is within `slack` of the classifier's plateau, read as its mean error at the largest m
 * (the pool): the card's "samples needed to reach the asymptotic error + 0.01".
 */
export function dvgSamplesToPlateau(points: readonly DvgPoint[], which: "nb" | "lr", slack = 0.01): number {
  const plateau = dvgMean(points[points.length - 1][which]);
  for (const p of points) if (dvgMean(p[which]) <= plateau + slack) return p.m;
  return points[points.length - 1].m;
}

/**
 * A whole error-vs-m study (headless: claims and previews); logistic regression is warm-started from size to size. It
 * gives the event loop a turn between sizes.
 */
export async function dvgStudy(
  pool: DvgSamples,
  test: DvgSamples,
  options: {sizes?: readonly number[]; repeats?: number; seed?: number} = {}
): Promise<DvgPoint[]> {
  const {sizes = dvgSizes(pool.classes, pool.n), repeats = 5, seed = 0} = options;
  const rng = random(seed).fork("dvg-subsets");
  const warm: Float64Array[] = [];
  const points: DvgPoint[] = [];
  for (const m of sizes) {
    points.push(dvgMeasure(pool, test, m, repeats, rng.fork(m), warm));
    await nextTask();
  }
  return points;
}

// ---------------------------------------------------------------------------------------------------------------------
// The digits data

/**
 * The digits dataset's 64 pixel features (in [0, 1]) as a pool (the 70 % training split) and a test set (30 %). `bytes`
 * are the uncompressed data/digits/digits.u8.gz; without them (Node only) they are read from the package's data folder.
 */
export async function dvgDigitsData(
  seed: number,
  bytes?: Uint8Array
): Promise<{pool: DvgSamples; test: DvgSamples; dataset: Dataset}> {
  const data = digits(bytes ?? (await dvgReadDigitsBytes()), {seed});
  return {
    pool: dvgFromSplit(data.train, data.inputs, data.classes),
    test: dvgFromSplit(data.test, data.inputs, data.classes),
    dataset: data
  };
}

/**
 * Reads the digits bytes in Node through losslab/node. The specifier is built at run time so that bundlers leave the
 * import alone: in a browser the page passes the bytes (from a data loader) instead, and this is never called.
 */
async function dvgReadDigitsBytes(): Promise<Uint8Array> {
  const specifier = ["losslab", "node"].join("/");
  const node = (await import(/* @vite-ignore */ specifier)) as {readDigitsBytes(): Promise<Uint8Array>};
  return node.readDigitsBytes();
}

// ---------------------------------------------------------------------------------------------------------------------
// The live run

export type DvgDatasetName = "gaussian" | "digits";

export interface DvgRunParams {
  dataset: DvgDatasetName;
  /** Gaussian data: feature dimension, classes and covariance. */
  dim: number;
  classes: number;
  covariance: DvgCovariance;
  /** Random subsets per training size. */
  repeats: number;
  /** Growth factor between training sizes. */
  ratio: number;
  seed: number;
}

export interface DvgRunOptions {
  control?: TrainControl;
  invalidation?: PromiseLike<unknown>;
  signal?: AbortSignal;
  /** The uncompressed digits bytes (a page reads them from a data loader). */
  digits?: Uint8Array;
  /** The name events report as their backend (default "cpu"); the fits run on the host in Float64 regardless. */
  backend?: string;
  /** Decision-field grid for 2-D data (default 64; 0 for none). */
  grid?: number;
}

/** Softmax of score rows, as Float32 probabilities. */
function softmaxRows(scores: Float64Array, classes: number): Float32Array {
  const out = new Float32Array(scores.length);
  for (let i = 0; i < scores.length / classes; ++i) {
    let max = -Infinity;
    for (let k = 0; k < classes; ++k) max = Math.max(max, scores[i * classes + k]);
    let sum = 0;
    for (let k = 0; k < classes; ++k) sum += Math.exp(scores[i * classes + k] - max);
    for (let k = 0; k < classes; ++k) out[i * classes + k] = Math.exp(scores[i * classes + k] - max) / sum;
  }
  return out;
}

/** Top-1 minus top-2 score per row. */
function marginRows(scores: Float64Array, classes: number): Float32Array {
  const n = scores.length / classes;
  const out = new Float32Array(n);
  for (let i = 0; i < n; ++i) {
    let a = -Infinity,
      b = -Infinity;
    for (let k = 0; k < classes; ++k) {
      const v = scores[i * classes + k];
      if (v > a) [a, b] = [v, a];
      else if (v > b) b = v;
    }
    out[i] = a - b;
  }
  return out;
}

/** Cell centres of a grid, [ny · nx, 2] row-major from the top row (as train.ts's gridPoints, in Float64). */
function dvgGridPoints(g: GridSpec): Float64Array {
  const out = new Float64Array(g.nx * g.ny * 2);
  for (let j = 0; j < g.ny; ++j) {
    for (let i = 0; i < g.nx; ++i) {
      const k = j * g.nx + i;
      out[2 * k] = g.x0 + ((i + 0.5) * (g.x1 - g.x0)) / g.nx;
      out[2 * k + 1] = g.y1 - ((j + 0.5) * (g.y1 - g.y0)) / g.ny;
    }
  }
  return out;
}

/** A Dataset view of Float64 samples (for the event's `data`; ids are row numbers, offset for the test split). */
function toSplit(s: DvgSamples, offset: number): Split {
  const y = s.y.slice();
  return {
    n: s.n,
    x: Float32Array.from(s.x),
    y,
    yClean: y.slice(),
    ids: Int32Array.from({length: s.n}, (_, i) => offset + i)
  };
}

/**
 * The notebook's live study: logistic regression (baseline) and naive Bayes (method) trained on random subsets of
 * growing size m (one grid size per step, `repeats` subsets each) and scored on the test set. Yields TrainEvent-shaped
 * events: history.loss is each classifier's mean test error per step; history.metrics has m, testError, testErrorLow and
 * testErrorHigh (the lowest and highest over the repeats), trainError, and per-repeat values; for 2-D data each arm's
 * view has the decision field (probs, margin) of its last fitted model, and the event's `probe` lists the rows of the
 * pool that model was trained on. A step is heavy (up to tens of fits), so the run gives the page back between fits, and each event carries
 * one step whatever the control's speed.
 */
export async function* dvgRun(
  p: DvgRunParams,
  options: DvgRunOptions = {}
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

  let pool: DvgSamples, test: DvgSamples;
  if (p.dataset === "digits") ({pool, test} = await dvgDigitsData(p.seed, options.digits));
  else ({pool, test} = dvgGaussianData({dim: p.dim, classes: p.classes, mode: p.covariance, seed: p.seed}));
  const classes = pool.classes;
  const dataset: Dataset = {
    name: p.dataset === "digits" ? "digits" : `gaussian-${p.covariance}`,
    inputs: pool.d,
    classes,
    train: toSplit(pool, 0),
    test: toSplit(test, pool.n),
    noiseRate: 0
  };
  const sizes = dvgSizes(classes, pool.n, p.ratio);
  const steps = sizes.length;
  let grid: GridSpec | undefined;
  let gridX: Float64Array | undefined;
  const resolution = options.grid ?? 64;
  if (pool.d === 2 && resolution > 0) {
    let x0 = Infinity,
      x1 = -Infinity,
      y0 = Infinity,
      y1 = -Infinity;
    for (let i = 0; i < pool.n; ++i) {
      x0 = Math.min(x0, pool.x[2 * i]);
      x1 = Math.max(x1, pool.x[2 * i]);
      y0 = Math.min(y0, pool.x[2 * i + 1]);
      y1 = Math.max(y1, pool.x[2 * i + 1]);
    }
    const cx = (x0 + x1) / 2,
      cy = (y0 + y1) / 2,
      half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.05;
    grid = {nx: resolution, ny: resolution, x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half};
    gridX = dvgGridPoints(grid);
  }
  const arms = [
    {id: "logistic-regression", label: "Logistic regression", role: "baseline" as const, key: "lr" as const},
    {id: "naive-bayes", label: "Naive Bayes", role: "method" as const, key: "nb" as const}
  ];

  let history: History = {step: [], loss: [], evalStep: [], metrics: {}};
  let step = 0;
  let status: RunStatus = "ready";
  let rate = 0;
  let views: ArmEvent["view"][] = arms.map(() => ({}));
  let metrics: Record<string, number>[] = arms.map(() => ({}));
  let trainIndex: Int32Array = new Int32Array(0);
  let warm: Float64Array[] = [];

  const init = () => {
    warm = [];
    history = {step: [], loss: arms.map(() => []), evalStep: [], metrics: {}};
    step = 0;
    status = "ready";
    rate = 0;
    views = arms.map(() => ({}));
    metrics = arms.map(() => ({}));
    trainIndex = new Int32Array(0);
  };

  // One training size: `repeats` subsets, both classifiers on each; gives the page back between fits.
  const measure = async (m: number) => {
    const rng = random(p.seed).fork("dvg-subsets").fork(m);
    const point: DvgPoint = {m, nb: [], lr: []};
    const trainErr = {nb: [] as number[], lr: [] as number[]};
    let last: {nb: Float64Array; lr: Float64Array} | undefined;
    for (let r = 0; r < p.repeats; ++r) {
      if (abort.signal.aborted) return undefined;
      // Every subset of the whole pool is the pool itself: one fit serves all repeats.
      if (m === pool.n && r > 0) {
        for (const key of ["nb", "lr"] as const) {
          point[key].push(point[key][0]);
          trainErr[key].push(trainErr[key][0]);
        }
        continue;
      }
      const index = dvgDrawSubset(pool, m, rng.fork(r));
      const train = dvgSubset(pool, index);
      const nb = dvgFitNaiveBayes(train);
      point.nb.push(dvgError(dvgNaiveBayesScores(nb, test.x, test.n), test.y));
      trainErr.nb.push(dvgError(dvgNaiveBayesScores(nb, train.x, train.n), train.y));
      await nextTask();
      const lr = dvgFitLogistic(train, {init: warm[r]});
      warm[r] = lr.w;
      point.lr.push(dvgError(dvgLogisticScores(lr, test.x, test.n), test.y));
      trainErr.lr.push(dvgError(dvgLogisticScores(lr, train.x, train.n), train.y));
      if (r === p.repeats - 1 || m === pool.n) {
        trainIndex = index;
        if (gridX && grid) {
          const cells = grid.nx * grid.ny;
          last = {nb: dvgNaiveBayesScores(nb, gridX, cells), lr: dvgLogisticScores(lr, gridX, cells)};
        }
      }
      await nextTask();
    }
    return {point, trainErr, last};
  };

  const record = (result: NonNullable<Awaited<ReturnType<typeof measure>>>) => {
    const {point, trainErr, last} = result;
    step++;
    history.step.push(step);
    history.evalStep.push(step);
    metrics = arms.map((arm) => {
      const errors = point[arm.key];
      return {
        m: point.m,
        testError: dvgMean(errors),
        testErrorLow: Math.min(...errors),
        testErrorHigh: Math.max(...errors),
        trainError: dvgMean(trainErr[arm.key]),
        testAccuracy: 1 - dvgMean(errors)
      };
    });
    arms.forEach((arm, i) => {
      history.loss[i].push(metrics[i].testError);
      for (const [name, value] of Object.entries(metrics[i]))
        (history.metrics[name] ??= arms.map(() => []))[i].push(value);
      views[i] = last ? {probs: softmaxRows(last[arm.key], classes), margin: marginRows(last[arm.key], classes)} : {};
    });
  };

  const event = (): TrainEvent => {
    return {
      step,
      status,
      backend: options.backend ?? "cpu",
      stepsPerSecond: rate,
      evaluated: true,
      arms: arms.map((arm, i) => ({
        id: arm.id,
        label: arm.label,
        role: arm.role,
        path: "autodiff",
        pathNote: "host-side Float64 fits (no TF.js)",
        loss: history.loss[i].length ? history.loss[i][history.loss[i].length - 1] : NaN,
        metrics: metrics[i],
        view: views[i]
      })),
      history,
      data: dataset,
      grid,
      // The rows of the pool that the last subset used (the points a 2-D view draws).
      probe: trainIndex
    };
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
      const single = control !== undefined && !control.running;
      if (single) {
        const todo = control.takeSteps();
        if (todo === 0) {
          if (status !== "paused") {
            status = "paused";
            rate = 0;
            yield event();
            continue;
          }
          await control.changed(abort.signal);
          continue;
        }
      }
      const start = now();
      const result = await measure(sizes[step]);
      if (!result) break;
      record(result);
      const elapsed = (now() - start) / 1000;
      if (elapsed > 0) rate = rate ? 0.5 * rate + 0.5 / elapsed : 1 / elapsed;
      status = step >= steps ? "done" : single ? "paused" : "running";
      yield event();
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  return {
    steps: step,
    status: status,
    arms: arms.map((a, i) => ({id: a.id, loss: history.loss[i].at(-1) ?? NaN, metrics: metrics[i]}))
  };
}

function now(): number {
  return globalThis.performance?.now() ?? 0;
}

/** Resolves in a new task (after pending input and rendering). */
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
