/**
 * Method-specific code of the MLCD notebook (card 10): the card's toy data (6 semantic classes of 3 sub-modes each;
 * a frozen random-feature network as the "off-the-shelf" embedding; seeded k-means on its features; each sample's l
 * nearest centres as its multi-label cluster targets), a ridge linear probe on frozen embeddings, the share of cluster
 * scores on the right side of 0, and the per-evaluation metrics the experiment records through train()'s `host` hook.
 * Host arithmetic is float64, no TF.js.
 */
import type {Dataset, Split} from "../datasets/dataset.js";
import type {Numbers} from "../metrics/classification.js";
import {random} from "../random.js";
import type {Random} from "../random.js";
import type {HostMetricContext} from "../train/train.js";

/** Squared Euclidean distance between row i of a and row j of b (both row-major with d columns). */
function sqDist(a: Numbers, i: number, b: Numbers, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; ++k) s += (a[i * d + k] - b[j * d + k]) ** 2;
  return s;
}

/**
 * Seeded k-means (k-means++ seeding, then Lloyd iterations until no assignment changes or `iterations` pass) on
 * row-major [n, d] points. An empty cluster keeps its previous centre. Returns the centres [k, d] and assignments [n].
 */
export function mlcdKMeans(
  points: Numbers,
  n: number,
  d: number,
  k: number,
  rng: Random,
  iterations = 50
): {centres: Float64Array; assignment: Int32Array} {
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new Error(`mlcdKMeans: invalid k: ${k} (1 … ${n})`);
  const centres = new Float64Array(k * d);
  // k-means++: the first centre uniformly, each next one with probability ∝ squared distance to the nearest chosen.
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let c = 0; c < k; ++c) {
    for (let j = 0; j < d; ++j) centres[c * d + j] = points[pick * d + j];
    let total = 0;
    for (let i = 0; i < n; ++i) {
      nearest[i] = Math.min(nearest[i], sqDist(points, i, centres, c, d));
      total += nearest[i];
    }
    if (c + 1 === k) break;
    let u = rng.uniform() * total;
    pick = n - 1;
    for (let i = 0; i < n; ++i) {
      u -= nearest[i];
      if (u < 0) {
        pick = i;
        break;
      }
    }
  }
  const assignment = new Int32Array(n).fill(-1);
  for (let it = 0; it < iterations; ++it) {
    let changed = false;
    for (let i = 0; i < n; ++i) {
      let best = 0,
        bestD = Infinity;
      for (let c = 0; c < k; ++c) {
        const dist = sqDist(points, i, centres, c, d);
        if (dist < bestD) ((best = c), (bestD = dist));
      }
      if (assignment[i] !== best) ((assignment[i] = best), (changed = true));
    }
    if (!changed) break;
    const sums = new Float64Array(k * d);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; ++i) {
      counts[assignment[i]]++;
      for (let j = 0; j < d; ++j) sums[assignment[i] * d + j] += points[i * d + j];
    }
    for (let c = 0; c < k; ++c) {
      if (counts[c]) for (let j = 0; j < d; ++j) centres[c * d + j] = sums[c * d + j] / counts[c];
    }
  }
  return {centres, assignment};
}

/** The indices of the l nearest centres of every point, nearest first (ties by the lower index), [n, l]. */
export function mlcdNearestCentres(
  points: Numbers,
  n: number,
  d: number,
  centres: Numbers,
  k: number,
  l: number
): Int32Array {
  if (!(Number.isInteger(l) && l >= 1 && l <= k)) throw new Error(`mlcdNearestCentres: invalid l: ${l} (1 … ${k})`);
  const out = new Int32Array(n * l);
  const order = Array.from({length: k}, (_, c) => c);
  const dist = new Float64Array(k);
  for (let i = 0; i < n; ++i) {
    for (let c = 0; c < k; ++c) dist[c] = sqDist(points, i, centres, c, d);
    order.sort((a, b) => dist[a] - dist[b] || a - b);
    for (let j = 0; j < l; ++j) out[i * l + j] = order[j];
  }
  return out;
}

/**
 * The frozen "off-the-shelf" feature extractor of the card's toy: one random ReLU layer φ(x) = relu(Wx + b), W ~ N(0, 1),
 * b ~ U(−1, 1), seeded. Returns [n, width] features.
 */
export function mlcdRandomFeatures(x: Numbers, n: number, d: number, width: number, rng: Random): Float64Array {
  const W = rng.fork("w").normals(width * d);
  const b = rng.fork("b").uniforms(width, -1, 1);
  const out = new Float64Array(n * width);
  for (let i = 0; i < n; ++i) {
    for (let h = 0; h < width; ++h) {
      let s = b[h];
      for (let j = 0; j < d; ++j) s += W[h * d + j] * x[i * d + j];
      out[i * width + h] = Math.max(0, s);
    }
  }
  return out;
}

export interface MlcdToyOptions {
  /** Semantic classes (the linear probe's labels). */
  classes?: number;
  /** Sub-modes per semantic class. */
  modes?: number;
  /** Input dimension (2 or 3 in the card). */
  dims?: number;
  /** Training and test samples per sub-mode. */
  trainPerMode?: number;
  testPerMode?: number;
  /** Spread of the points around their sub-mode. */
  spread?: number;
  /** Number of k-means clusters K: the model's outputs. */
  clusters?: number;
  /** Positive centres per sample (l). */
  positives?: number;
  /** Width of the frozen random-feature layer. */
  features?: number;
  seed?: number;
}

/**
 * The card's toy data for MLCD: semantic class c has its centre on a circle of radius 3 (a sphere's great circle in
 * 3-D) and `modes` sub-modes scattered around it (N(0, 1.2²) offsets); points are N(sub-mode, spread²). A frozen random
 * ReLU layer gives each point off-the-shelf features; seeded k-means on the training features yields K centres. `y` is a
 * sample's nearest centre (single-label cluster discrimination), `targets` its l nearest ([n, K] multi-hot, MLCD),
 * `groups` its semantic class (for the linear probe only: neither loss sees it).
 */
export function mlcdToyData(options: MlcdToyOptions = {}): Dataset {
  const {
    classes = 6,
    modes = 3,
    dims = 2,
    trainPerMode = 30,
    testPerMode = 20,
    spread = 0.3,
    clusters = 36,
    positives = 3,
    features = 64,
    seed = 0
  } = options;
  if (!(dims === 2 || dims === 3)) throw new Error(`mlcdToyData: invalid dims: ${dims} (2 or 3)`);
  const rng = random(seed).fork("mlcd-toy");
  const modeCentres: number[][] = [];
  for (let c = 0; c < classes; ++c) {
    const angle = (2 * Math.PI * c) / classes;
    const centre = [3 * Math.cos(angle), 3 * Math.sin(angle), 0].slice(0, dims);
    for (let m = 0; m < modes; ++m) {
      const offset = rng
        .fork("mode")
        .fork(c * modes + m)
        .normals(dims, 1.2);
      modeCentres.push(centre.map((v, j) => v + offset[j]));
    }
  }
  const sample = (perMode: number, r: Random) => {
    const n = classes * modes * perMode;
    const x = new Float32Array(n * dims);
    const group = new Int32Array(n);
    const order = r.fork("order").permutation(n);
    for (let t = 0; t < n; ++t) {
      const i = order[t];
      const mode = Math.floor(t / perMode);
      group[i] = Math.floor(mode / modes);
      for (let j = 0; j < dims; ++j) x[i * dims + j] = modeCentres[mode][j] + spread * r.normal();
    }
    return {n, x, group};
  };
  const tr = sample(trainPerMode, rng.fork("train"));
  const te = sample(testPerMode, rng.fork("test"));
  const phi = rng.fork("features");
  const trainF = mlcdRandomFeatures(tr.x, tr.n, dims, features, phi);
  const testF = mlcdRandomFeatures(te.x, te.n, dims, features, phi);
  const {centres} = mlcdKMeans(trainF, tr.n, features, clusters, rng.fork("kmeans"));
  const split = (s: typeof tr, f: Float64Array, offset: number): Split => {
    const near = mlcdNearestCentres(f, s.n, features, centres, clusters, positives);
    const y = new Int32Array(s.n);
    const targets = new Float32Array(s.n * clusters);
    for (let i = 0; i < s.n; ++i) {
      y[i] = near[i * positives];
      for (let j = 0; j < positives; ++j) targets[i * clusters + near[i * positives + j]] = 1;
    }
    const ids = Int32Array.from({length: s.n}, (_, i) => offset + i);
    return {n: s.n, x: s.x, y, yClean: y.slice(), ids, groups: s.group, targets};
  };
  return {
    name: `mlcd-toy-${classes}x${modes}-k${clusters}-l${positives}`,
    inputs: dims,
    classes: clusters,
    train: split(tr, trainF, 0),
    test: split(te, testF, tr.n),
    noiseRate: 0
  };
}

/** Solves the symmetric positive-definite system A X = B (A [m, m], B [m, r], row-major) by Cholesky. */
function choleskySolve(A: Float64Array, B: Float64Array, m: number, r: number): Float64Array {
  const Lw = new Float64Array(m * m);
  for (let i = 0; i < m; ++i) {
    for (let j = 0; j <= i; ++j) {
      let s = A[i * m + j];
      for (let k = 0; k < j; ++k) s -= Lw[i * m + k] * Lw[j * m + k];
      if (i === j) {
        if (!(s > 0)) throw new Error("mlcdRidgeProbe: the system is not positive definite");
        Lw[i * m + i] = Math.sqrt(s);
      } else Lw[i * m + j] = s / Lw[j * m + j];
    }
  }
  const X = new Float64Array(m * r);
  for (let col = 0; col < r; ++col) {
    const z = new Float64Array(m);
    for (let i = 0; i < m; ++i) {
      let s = B[i * r + col];
      for (let k = 0; k < i; ++k) s -= Lw[i * m + k] * z[k];
      z[i] = s / Lw[i * m + i];
    }
    for (let i = m - 1; i >= 0; --i) {
      let s = z[i];
      for (let k = i + 1; k < m; ++k) s -= Lw[k * m + i] * X[k * r + col];
      X[i * r + col] = s / Lw[i * m + i];
    }
  }
  return X;
}

/**
 * A linear probe on frozen features: ridge regression of one-hot labels on [features, 1] (the bias unpenalised),
 * W = (XᵀX + λ·diag(1…1, 0))⁻¹ XᵀY, fitted on the training rows; returns the weights [d + 1, classes] and the accuracy
 * of argmax(XW) on the test rows.
 */
export function mlcdRidgeProbe(
  trainX: Numbers,
  trainY: ArrayLike<number>,
  testX: Numbers,
  testY: ArrayLike<number>,
  d: number,
  classes: number,
  lambda = 1e-3
): {weights: Float64Array; accuracy: number} {
  const m = d + 1;
  const n = trainY.length;
  const A = new Float64Array(m * m);
  const B = new Float64Array(m * classes);
  const row = new Float64Array(m);
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < d; ++j) row[j] = trainX[i * d + j];
    row[d] = 1;
    for (let a = 0; a < m; ++a) {
      for (let b = 0; b < m; ++b) A[a * m + b] += row[a] * row[b];
      B[a * classes + trainY[i]] += row[a];
    }
  }
  for (let j = 0; j < d; ++j) A[j * m + j] += lambda * n;
  const weights = choleskySolve(A, B, m, classes);
  let right = 0;
  for (let i = 0; i < testY.length; ++i) {
    let best = 0,
      bestS = -Infinity;
    for (let c = 0; c < classes; ++c) {
      let s = weights[d * classes + c];
      for (let j = 0; j < d; ++j) s += testX[i * d + j] * weights[j * classes + c];
      if (s > bestS) ((bestS = s), (best = c));
    }
    if (best === testY[i]) right++;
  }
  return {weights, accuracy: testY.length ? right / testY.length : NaN};
}

/**
 * Which side of 0 the cluster scores fall on: the share of (sample, positive centre) scores above 0 and of (sample,
 * negative centre) scores below 0, from row-major [n, K] scores and multi-hot targets. MLCD's loss makes 0 the decision
 * threshold; a softmax over centres has none.
 */
export function mlcdScoreSides(scores: Numbers, targets: Numbers): {positiveAbove: number; negativeBelow: number} {
  let pos = 0,
    posAbove = 0,
    neg = 0,
    negBelow = 0;
  for (let i = 0; i < scores.length; ++i) {
    if (targets[i] > 0.5) (pos++, scores[i] > 0 && posAbove++);
    else (neg++, scores[i] < 0 && negBelow++);
  }
  return {positiveAbove: pos ? posAbove / pos : NaN, negativeBelow: neg ? negBelow / neg : NaN};
}

/** The positive and the negative scores of row-major [n, K] scores, for the score histogram. */
export function mlcdSplitScores(scores: Numbers, targets: Numbers): {positive: Float32Array; negative: Float32Array} {
  const positive: number[] = [];
  const negative: number[] = [];
  for (let i = 0; i < scores.length; ++i) (targets[i] > 0.5 ? positive : negative).push(scores[i]);
  return {positive: Float32Array.from(positive), negative: Float32Array.from(negative)};
}

/** The semantic classes of the data (the number of distinct groups). */
function groupCount(split: Split): number {
  let max = -1;
  for (const g of split.groups ?? []) if (g > max) max = g;
  return max + 1;
}

/**
 * MLCD's metrics at every evaluation (train()'s `host` hook): the linear-probe accuracy on the semantic classes
 * (ridge probe fitted on the training embeddings — the probe batch is the whole training split — and scored on the
 * test embeddings), and the share of test cluster scores (the cosine head's logits, σ·cos) on the right side of 0 for
 * the sample's l positive centres and its negatives, with their minimum as `thresholdAgreement`.
 */
export function mlcdMetrics({data, testLogits, testEmbeddings, probeEmbeddings, probeSize}: HostMetricContext) {
  const out: Record<string, number> = {};
  if (testEmbeddings && probeEmbeddings && data.train.groups && data.test.groups) {
    const d = testEmbeddings.length / data.test.n;
    out.probeAccuracy = mlcdRidgeProbe(
      probeEmbeddings,
      data.train.groups.subarray(0, probeSize),
      testEmbeddings,
      data.test.groups,
      d,
      groupCount(data.train)
    ).accuracy;
  }
  const sides = mlcdScoreSides(testLogits, data.test.targets!);
  out.positiveAbove = sides.positiveAbove;
  out.negativeBelow = sides.negativeBelow;
  out.thresholdAgreement = Math.min(sides.positiveAbove, sides.negativeBelow);
  return out;
}
