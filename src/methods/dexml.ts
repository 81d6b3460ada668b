// DEXML (Gupta et al., ICLR 2024): the card's multi-positive retrieval toy, the plain softmax baseline of the
// official code, and the retrieval metrics of the notebook (P@k, R@k, by number of positives, score distributions).
import * as tf from "../tf.js";
import type {Dataset, Split} from "../datasets/dataset.js";
import {defineLoss} from "../losses/defineLoss.js";
import {retrievalInputs, retrievalScores} from "../losses/decoupledSoftmax.js";
import {precisionAtK} from "../metrics/multiLabel.js";
import {defineSchema} from "../params/schema.js";
import {random} from "../random.js";

export interface DexmlDataOptions {
  /** Number of labels L (every one is a candidate for every query). */
  labels?: number;
  /** Dimension of the label prototypes. */
  protoDims?: number;
  /** Dimension of the observed features (queries and labels), a fixed random projection of the prototype space. */
  dims?: number;
  /** Most positives a query can have; counts 1 … maxPositives are drawn with P(m) ∝ m^−zipf. */
  maxPositives?: number;
  /** Zipf exponent of the number of positives (0 = uniform counts). */
  zipf?: number;
  /** Std of the Gaussian noise per prototype coordinate added to a query (after normalising its sum). */
  noise?: number;
  /** Std of the Gaussian noise per prototype coordinate added to a label's own feature vector. */
  labelNoise?: number;
  train?: number;
  test?: number;
  seed?: number;
}

/** The card's toy: a multi-label Dataset (`targets` multi-hot, `y` one positive) plus each label's feature vector. */
export interface DexmlData extends Dataset {
  /** Feature vector of each label, row-major [L, dims], the label tower's input. */
  labelFeatures: Float32Array;
}

/**
 * The DEXML card's retrieval toy: L labels with random unit prototypes in R^protoDims; a query has m positives
 * (P(m) ∝ m^−zipf on 1 … maxPositives, drawn without replacement, uniformly) and sits at the normalised sum of their
 * prototypes plus Gaussian noise; a label's own features are its prototype plus noise. Both are mapped to R^dims by one
 * fixed random linear projection, so the two towers see features of the same kind. `y` is the first drawn positive
 * (for colours and the built-in accuracy), `targets` the relevance (1 on positives).
 */
export function dexmlData(options: DexmlDataOptions = {}): DexmlData {
  const {
    labels = 40,
    protoDims = 8,
    dims = 16,
    maxPositives = 6,
    zipf = 1,
    noise = 0.1,
    labelNoise = 0.1,
    train = 800,
    test = 400,
    seed = 0
  } = options;
  if (!(Number.isInteger(labels) && labels >= 2)) throw new Error(`dexmlData: invalid labels: ${labels}`);
  if (!(Number.isInteger(maxPositives) && maxPositives >= 1 && maxPositives < labels)) {
    throw new Error(`dexmlData: invalid maxPositives: ${maxPositives} (1 … ${labels - 1})`);
  }
  if (!(Number.isInteger(protoDims) && protoDims >= 1 && Number.isInteger(dims) && dims >= 1)) {
    throw new Error(`dexmlData: invalid dimensions: ${protoDims}, ${dims}`);
  }
  const rng = random(seed).fork("dexml");
  const prototypes = Array.from({length: labels}, (_, k) => unit(rng.fork("prototype").fork(k).normals(protoDims)));
  // The projection R^protoDims → R^dims, scaled so features have about unit size.
  const projection = rng.fork("projection").normals(protoDims * dims, 1 / Math.sqrt(protoDims));
  const project = (v: Float64Array | Float32Array, out: Float32Array, at: number) => {
    for (let j = 0; j < dims; ++j) {
      let s = 0;
      for (let a = 0; a < protoDims; ++a) s += v[a] * projection[a * dims + j];
      out[at + j] = s;
    }
  };
  const labelFeatures = new Float32Array(labels * dims);
  const labelRng = rng.fork("label-noise");
  prototypes.forEach((proto, k) => {
    const v = Float64Array.from(proto, (p) => p + labelNoise * labelRng.normal());
    project(v, labelFeatures, k * dims);
  });
  const countWeights = Array.from({length: maxPositives}, (_, m) => (m + 1) ** -zipf);
  const total = countWeights.reduce((a, b) => a + b, 0);
  const split = (n: number, offset: number, r: ReturnType<typeof random>): Split => {
    const x = new Float32Array(n * dims);
    const y = new Int32Array(n);
    const targets = new Float32Array(n * labels);
    for (let i = 0; i < n; ++i) {
      let u = r.uniform() * total;
      let m = 1;
      while (m < maxPositives && u >= countWeights[m - 1]) u -= countWeights[m++ - 1];
      const order = r.permutation(labels);
      const v = new Float64Array(protoDims);
      for (let q = 0; q < m; ++q) {
        const k = order[q];
        targets[i * labels + k] = 1;
        for (let a = 0; a < protoDims; ++a) v[a] += prototypes[k][a];
      }
      y[i] = order[0];
      const norm = Math.hypot(...v) || 1;
      for (let a = 0; a < protoDims; ++a) v[a] = v[a] / norm + noise * r.normal();
      project(v, x, i * dims);
    }
    const ids = Int32Array.from({length: n}, (_, i) => offset + i);
    return {n, x, y, yClean: y.slice(), ids, targets};
  };
  return {
    name: `dexml-${labels}-labels`,
    inputs: dims,
    classes: labels,
    train: split(train, 0, rng.fork("train")),
    test: split(test, train, rng.fork("test")),
    noiseRate: 0,
    labelFeatures
  };
}

function unit(v: Float32Array): Float64Array {
  const norm = Math.hypot(...v) || 1;
  return Float64Array.from(v, (a) => a / norm);
}

/**
 * The softmax baseline of the DEXML code (losses.py, criterion "softmax"): −log of a positive's softmax over ALL L
 * labels, so the query's other positives sit in the denominator and compete with it. The official config samples one
 * positive per query (loss_sample: True) and divides by the batch size; the deterministic default here is that
 * sample's expectation, the mean over the query's positives (`sample: true` draws the positive, ∝ relevance, with
 * Gumbel keys from src/random.ts). With loss_sample: False the code would sum over the positives instead.
 */
export const dexmlSoftmax = defineLoss({
  id: "dexml-softmax",
  title: "Softmax over all labels (DEXML baseline)",
  family: "metric",
  paper: {
    title: "Dual-Encoders for Extreme Multi-Label Classification",
    authors: "Nilesh Gupta, Devvrit Khatri, Ankit S. Rawat, Srinadh Bhojanapalli, Prateek Jain, Inderjit S. Dhillon",
    venue: "ICLR",
    year: 2024,
    url: "https://arxiv.org/abs/2310.10636"
  },
  code: "nilesh2797/DEXML:losses.py",
  schema: defineSchema({
    tau: {
      type: "number",
      default: 0.05,
      min: 0.01,
      max: 1,
      step: 0.01,
      scale: "log",
      symbol: "\\tau",
      doc: "temperature: scores are cos/τ (DEXML default 0.05)"
    },
    normalize: {type: "boolean", default: true, doc: "L2-normalise both towers (DEXML norm_embs: True)"},
    sample: {
      type: "boolean",
      default: false,
      doc: "score one positive per query, drawn ∝ relevance, as the official config does (its expectation is the default)"
    },
    seed: {type: "int", step: 1, default: 0, min: 0, max: 2147483647, doc: "seed of the positive sampling"},
    draw: {
      type: "int",
      step: 1,
      default: 0,
      min: 0,
      max: 2147483647,
      doc: "which draw of the positive sampling (pass the step for a fresh sample each step)"
    }
  }),
  needs: ["embeddings", "labelEmbeddings", "targets"],
  inputs: retrievalInputs,
  tex: String.raw`\ell_i = \frac{1}{|P_i|}\sum_{j\in P_i} -\log\frac{e^{s_{ij}}}{\sum_{k=1}^{L} e^{s_{ik}}},\quad s_{ij} = \frac{\cos(q_i, l_j)}{\tau}`,
  cite: "Gupta et al. 2024 (softmax baseline); nilesh2797/DEXML losses.py (criterion softmax)",
  summary:
    "Multi-label softmax with every label in the denominator: a query's positives compete with each other as well as with the negatives.",
  terms: ({embeddings, labelEmbeddings, targets}, {tau, normalize, sample, seed, draw}) => {
    const s = retrievalScores(embeddings!, labelEmbeddings as tf.Tensor2D, tau, normalize);
    const positive = tf.cast(tf.greater(targets!, 1e-8), "float32") as tf.Tensor2D;
    const perPositive = tf.sub(tf.logSumExp(s, 1, true), s);
    let used: tf.Tensor2D = positive;
    if (sample) {
      const [b, l] = s.shape;
      const rng = random(seed).fork("dexml-softmax").fork(draw);
      const g = new Float32Array(b * l);
      for (let i = 0; i < g.length; ++i) g[i] = -Math.log(-Math.log(rng.uniform() + 2 ** -33));
      // Gumbel-max over log relevance: one positive per row, drawn ∝ its target value; −1e9 off the positives.
      const keys = tf.add(
        tf.mul(tf.add(tf.log(tf.maximum(targets!, 1e-8)), tf.tensor2d(g, [b, l])), positive),
        tf.mul(tf.sub(positive, 1), 1e9)
      );
      used = tf.mul(positive, tf.cast(tf.greaterEqual(keys, tf.max(keys, 1, true)), "float32")) as tf.Tensor2D;
    }
    const count = tf.maximum(tf.sum(used, 1), 1);
    return {loss: {values: tf.div(tf.sum(tf.mul(used, perPositive), 1), count), kind: "element"}};
  }
});

/**
 * Recall@k of multi-label retrieval: per query the share of its positives among its k highest-scored labels (ties to
 * the lower index), averaged over queries with at least one positive.
 */
export function dexmlRecallAtK(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  labels: number,
  k: number
): number {
  const n = scores.length / labels;
  if (!(Number.isInteger(n) && targets.length === scores.length)) {
    throw new Error(`dexmlRecallAtK: scores and targets must both be [N, ${labels}]`);
  }
  if (!(Number.isInteger(k) && k >= 1 && k <= labels)) throw new Error(`dexmlRecallAtK: invalid k: ${k}`);
  let total = 0,
    counted = 0;
  const order = Array.from({length: labels}, (_, j) => j);
  for (let i = 0; i < n; ++i) {
    let positives = 0;
    for (let j = 0; j < labels; ++j) if (targets[i * labels + j] > 0.5) positives++;
    if (!positives) continue;
    order.sort((a, b) => scores[i * labels + b] - scores[i * labels + a] || a - b);
    let hits = 0;
    for (let j = 0; j < k; ++j) if (targets[i * labels + order[j]] > 0.5) hits++;
    total += hits / positives;
    counted++;
  }
  return counted ? total / counted : NaN;
}

/** Cosines of every query with every label, [n, L] row-major (both normalised here). */
export function dexmlCosines(queries: Float32Array, labelEmbeddings: Float32Array, dims: number): Float32Array {
  const n = queries.length / dims,
    labels = labelEmbeddings.length / dims;
  const norms = (v: Float32Array, rows: number) =>
    Float64Array.from({length: rows}, (_, i) => Math.hypot(...v.subarray(i * dims, (i + 1) * dims)) || 1);
  const qn = norms(queries, n),
    ln = norms(labelEmbeddings, labels);
  const out = new Float32Array(n * labels);
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < labels; ++j) {
      let s = 0;
      for (let a = 0; a < dims; ++a) s += queries[i * dims + a] * labelEmbeddings[j * dims + a];
      out[i * labels + j] = s / (qn[i] * ln[j]);
    }
  }
  return out;
}

/** The notebook's retrieval read-out of one arm on the test queries. */
export interface DexmlRetrieval {
  /** P@1, P@5, R@5 over all test queries; P@5 over the queries with at least `many` positives. */
  metrics: Record<string, number>;
  /** Cosine of every (query, positive) pair. */
  positiveScores: Float32Array;
  /** Per query, the cosine of its highest-scored negative. */
  hardestNegativeScores: Float32Array;
}

/**
 * P@1, P@5, R@5 of the test queries (and per number of positives m = 1 … maxPositives as `p1_m`, `p5_m`, `r5_m`),
 * P@5 of the queries with at least `many` positives (`p5Many`, the card's check), and the positive and hardest-negative
 * cosines for the score histogram.
 */
export function dexmlRetrieval(
  cosines: Float32Array,
  targets: Float32Array,
  labels: number,
  options: {k?: number; many?: number; maxPositives?: number} = {}
): DexmlRetrieval {
  const {k = 5, many = 4, maxPositives = 6} = options;
  const n = cosines.length / labels;
  const counts = new Int32Array(n);
  const positiveScores: number[] = [];
  const hardestNegativeScores = new Float32Array(n);
  for (let i = 0; i < n; ++i) {
    let hardest = -Infinity;
    for (let j = 0; j < labels; ++j) {
      const c = cosines[i * labels + j];
      if (targets[i * labels + j] > 0.5) {
        counts[i]++;
        positiveScores.push(c);
      } else if (c > hardest) hardest = c;
    }
    hardestNegativeScores[i] = hardest;
  }
  const rows = (keep: (m: number) => boolean) => {
    const index = [...counts.keys()].filter((i) => keep(counts[i]));
    const pick = (v: Float32Array) => {
      const out = new Float32Array(index.length * labels);
      index.forEach((i, r) => out.set(v.subarray(i * labels, (i + 1) * labels), r * labels));
      return out;
    };
    return {s: pick(cosines), t: pick(targets), size: index.length};
  };
  const metrics: Record<string, number> = {
    p1: precisionAtK(cosines, targets, labels, 1),
    p5: precisionAtK(cosines, targets, labels, k),
    r5: dexmlRecallAtK(cosines, targets, labels, k)
  };
  const manyRows = rows((m) => m >= many);
  metrics.p5Many = manyRows.size ? precisionAtK(manyRows.s, manyRows.t, labels, k) : NaN;
  for (let m = 1; m <= maxPositives; ++m) {
    const g = rows((c) => c === m);
    metrics[`p1_${m}`] = g.size ? precisionAtK(g.s, g.t, labels, 1) : NaN;
    metrics[`p5_${m}`] = g.size ? precisionAtK(g.s, g.t, labels, k) : NaN;
    metrics[`r5_${m}`] = g.size ? dexmlRecallAtK(g.s, g.t, labels, k) : NaN;
    metrics[`count_${m}`] = g.size;
  }
  return {metrics, positiveScores: Float32Array.from(positiveScores), hardestNegativeScores};
}
