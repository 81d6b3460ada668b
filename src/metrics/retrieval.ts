/**
 * Embedding metrics: leave-one-out retrieval (Recall@k, MAP@R) as pytorch-metric-learning's AccuracyCalculator
 * computes them with the query set as its own reference set (KevinMusgrave/pytorch-metric-learning:
 * src/pytorch_metric_learning/utils/accuracy_calculator.py, inference.py), and the uniformity and tolerance of
 * Wang & Isola 2020 and Wang & Liu 2021 [25]. Embeddings are a flat row-major [N, D] array followed by `dims` = D;
 * labels are non-negative integers, one per row. Plain float64, no TF.js.
 */
import {checkClassIndices, checkInt, checkLength, checkMatrix} from "./classification.js";
import type {Numbers} from "./classification.js";

/** How neighbours are ranked: Euclidean distance (PML's default FaissKNN, L2) or cosine similarity. */
export type RetrievalDistance = "euclidean" | "cosine";

/** Options shared by the retrieval metrics. */
export interface RetrievalOptions {
  /** "euclidean" (default, as PML's default k-NN) or "cosine" (PML's CustomKNN(CosineSimilarity())). */
  distance?: RetrievalDistance;
  /** "samples" (default): mean over queries; "classes": mean of per-class means (PML's `avg_of_avgs=True`). */
  average?: "samples" | "classes";
}

/** F.normalize's floor on the norm: a zero row stays zero instead of becoming NaN. */
const normEps = 1e-12;

function normalizeRows(x: Numbers, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; ++i) {
    let s = 0;
    for (let j = 0; j < d; ++j) s += x[i * d + j] * x[i * d + j];
    const norm = Math.max(Math.sqrt(s), normEps);
    for (let j = 0; j < d; ++j) out[i * d + j] = x[i * d + j] / norm;
  }
  return out;
}

function checkEmbeddings(fn: string, embeddings: Numbers, labels: Numbers, dims: number, how = "samples"): number {
  if (how !== "samples" && how !== "classes") throw new Error(`${fn}: invalid average: ${how}`);
  const n = checkMatrix(fn, "embeddings", embeddings, dims, "dims");
  checkLength(fn, "labels", labels, n, "one per row of embeddings");
  checkClassIndices(fn, "labels", labels);
  return n;
}

/**
 * For every query i, the other samples ordered from nearest to farthest (ties by index). PML drops the query's own
 * index from its k-NN list wherever it lands (inference.py `return_results`); leaving i out is the same.
 */
function rankings(fn: string, embeddings: Numbers, n: number, d: number, distance: RetrievalDistance) {
  if (distance !== "euclidean" && distance !== "cosine") throw new Error(`${fn}: invalid distance: ${distance}`);
  const x = distance === "cosine" ? normalizeRows(embeddings, n, d) : Float64Array.from(embeddings);
  const dist = new Float64Array(n); // one row at a time keeps memory O(N)
  return (i: number): number[] => {
    const others: number[] = [];
    for (let j = 0; j < n; ++j) {
      if (j === i) continue;
      let s = 0;
      if (distance === "cosine") {
        for (let c = 0; c < d; ++c) s -= x[i * d + c] * x[j * d + c]; // larger similarity = nearer
      } else {
        for (let c = 0; c < d; ++c) s += (x[i * d + c] - x[j * d + c]) ** 2; // squared L2 ranks as L2 does
      }
      dist[j] = s;
      others.push(j);
    }
    return others.sort((a, b) => dist[a] - dist[b] || a - b);
  };
}

/** Averages per-query scores over the queries that count, per sample or per class (PML's avg_of_avgs). */
function average(scores: Map<number, number>, labels: Numbers, how: "samples" | "classes"): number {
  if (scores.size === 0) return NaN;
  if (how === "samples") {
    let s = 0;
    for (const v of scores.values()) s += v;
    return s / scores.size;
  }
  const sum = new Map<number, number>(),
    count = new Map<number, number>();
  for (const [i, v] of scores) {
    sum.set(labels[i], (sum.get(labels[i]) ?? 0) + v);
    count.set(labels[i], (count.get(labels[i]) ?? 0) + 1);
  }
  let s = 0;
  for (const [label, total] of sum) s += total / count.get(label)!;
  return s / sum.size;
}

function classSizes(labels: Numbers): Map<number, number> {
  const sizes = new Map<number, number>();
  for (let i = 0; i < labels.length; ++i) sizes.set(labels[i], (sizes.get(labels[i]) ?? 0) + 1);
  return sizes;
}

/**
 * Recall@k for embeddings, leave-one-out: every sample queries all the others, and scores 1 when at least one of its
 * k nearest neighbours shares its label (the Recall@K of Oh Song et al. 2016 used across metric learning); for k = 1
 * this is PML's `precision_at_1`. As in PML, a query whose class has no other member cannot be answered and is left
 * out of the average; NaN when every query is such a lone query (PML ≥ 2 returns NaN there too). k larger than
 * N − 1 uses all N − 1 neighbours. Distance ties are ranked by sample index.
 */
export function recallAtK(
  embeddings: Numbers,
  labels: Numbers,
  dims: number,
  {k = 1, distance = "euclidean", average: how = "samples"}: RetrievalOptions & {k?: number} = {}
): number {
  const fn = "recallAtK";
  const n = checkEmbeddings(fn, embeddings, labels, dims, how);
  checkInt(fn, "k", k);
  const sizes = classSizes(labels);
  const ranked = rankings(fn, embeddings, n, dims, distance);
  const scores = new Map<number, number>();
  for (let i = 0; i < n; ++i) {
    if (sizes.get(labels[i])! < 2) continue;
    const near = ranked(i);
    let hit = 0;
    for (let r = 0; r < Math.min(k, near.length); ++r) if (labels[near[r]] === labels[i]) hit = 1;
    scores.set(i, hit);
  }
  return average(scores, labels, how);
}

/**
 * MAP@R (Musgrave et al. 2020, "A Metric Learning Reality Check"; PML `mean_average_precision_at_r`),
 * leave-one-out: for a query with R other samples of its class, AP@R = (1/R) Σ_{i=1..R} P(i)·rel(i), where rel(i) = 1
 * when the i-th nearest neighbour shares the label and P(i) is the precision among the first i. Lone queries
 * (R = 0) are left out as in PML; NaN when all are lone. Distance ties are ranked by sample index.
 */
export function mapAtR(
  embeddings: Numbers,
  labels: Numbers,
  dims: number,
  {distance = "euclidean", average: how = "samples"}: RetrievalOptions = {}
): number {
  const fn = "mapAtR";
  const n = checkEmbeddings(fn, embeddings, labels, dims, how);
  const sizes = classSizes(labels);
  const ranked = rankings(fn, embeddings, n, dims, distance);
  const scores = new Map<number, number>();
  for (let i = 0; i < n; ++i) {
    const r = sizes.get(labels[i])! - 1;
    if (r < 1) continue;
    const near = ranked(i);
    let hits = 0,
      sum = 0;
    for (let j = 0; j < r; ++j) {
      if (labels[near[j]] === labels[i]) {
        hits++;
        sum += hits / (j + 1);
      }
    }
    scores.set(i, sum / r);
  }
  return average(scores, labels, how);
}

/**
 * Uniformity (Wang & Isola 2020, L_uniform): log of the mean over pairs i < j of exp(−t·‖x_i − x_j‖²), t = 2
 * by default, on L2-normalised rows (`normalize: false` uses them as given). More negative = more uniform on the
 * sphere; the minimum for N points depends on N and D. Computed with log-sum-exp, so large distances cannot underflow
 * to log 0. NaN for fewer than two samples.
 */
export function uniformity(
  embeddings: Numbers,
  dims: number,
  {t = 2, normalize = true}: {t?: number; normalize?: boolean} = {}
): number {
  const fn = "uniformity";
  const n = checkMatrix(fn, "embeddings", embeddings, dims, "dims");
  if (!(t > 0 && Number.isFinite(t))) throw new Error(`${fn}: invalid t: ${t}`);
  if (n < 2) return NaN;
  const x = normalize ? normalizeRows(embeddings, n, dims) : Float64Array.from(embeddings);
  // Streaming log-sum-exp: rescale the running sum whenever a larger exponent arrives, so memory stays O(N·D).
  let max = -Infinity,
    sum = 0,
    pairs = 0;
  for (let i = 0; i < n; ++i) {
    for (let j = i + 1; j < n; ++j) {
      let s = 0;
      for (let c = 0; c < dims; ++c) s += (x[i * dims + c] - x[j * dims + c]) ** 2;
      const v = -t * s;
      if (v > max) {
        sum = sum * Math.exp(max - v) + 1;
        max = v;
      } else {
        sum += Math.exp(v - max);
      }
      pairs++;
    }
  }
  return max + Math.log(sum / pairs);
}

/**
 * Tolerance (Wang & Liu 2021 [25]): the mean cosine similarity over ordered pairs i ≠ j that share a label, pooled
 * over classes, of L2-normalised rows (`normalize: false` gives mean dot products), as `tolerance.py` in
 * shanwangshan/uniformity_tolerance. Higher = same-class samples sit closer. Classes with one member add no pair; NaN
 * when no pair exists.
 */
export function tolerance(
  embeddings: Numbers,
  labels: Numbers,
  dims: number,
  {normalize = true}: {normalize?: boolean} = {}
): number {
  const n = checkEmbeddings("tolerance", embeddings, labels, dims);
  const x = normalize ? normalizeRows(embeddings, n, dims) : Float64Array.from(embeddings);
  let sum = 0,
    pairs = 0;
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < n; ++j) {
      if (i === j || labels[i] !== labels[j]) continue;
      let s = 0;
      for (let c = 0; c < dims; ++c) s += x[i * dims + c] * x[j * dims + c];
      sum += s;
      pairs++;
    }
  }
  return pairs ? sum / pairs : NaN;
}
