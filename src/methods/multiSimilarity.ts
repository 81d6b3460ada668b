/**
 * Multi-similarity notebook (card 30): the MS loss exactly as the official code computes it (mining inside the loss,
 * anchors without a mined pair skipped, sum over anchors / B), the pair weights each loss of the notebook puts on every
 * pair of a batch (general pair weighting), and the retrieval metrics on unseen classes. Plain float64 JS except the
 * loss itself.
 */
import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "../losses/defineLoss.js";
import {cosineSimilarity} from "../losses/distances.js";
import {labelMasks} from "../losses/miners.js";
import {noGradient} from "../losses/masks.js";
import {maskedLogSumExp} from "../losses/multiSimilarity.js";
import {mapAtR, recallAtK} from "../metrics/retrieval.js";
import type {TrainEvent} from "../train/train.js";
import {balancedBatcher} from "../train/batches.js";

// Larger than any cosine similarity: where a mask is 0 the min/max below never picks the entry.
const big = 1e9;
/** The official code drops "positives" at least this similar (the anchor itself and exact duplicates). */
export const multiSimilaritySelfThreshold = 1 - 1e-5;

/**
 * Multi-similarity loss as the official MalongTech/research-ms-loss computes it (ret_benchmark/losses/
 * multi_similarity_loss.py): cosine similarities S of L2-normalised embeddings; an anchor's positives are the
 * same-label samples with S < 1 − 1e-5; mining keeps negatives with S + ε > the least similar positive and positives
 * with S − ε < the most similar negative (both over the unmined sets); an anchor left without a mined positive or a
 * mined negative is skipped entirely; the rest pay (1/α)·log(1 + Σ e^{−α(S−λ)}) + (1/β)·log(1 + Σ e^{β(S−λ)}) and the
 * sum is divided by the full batch size. Defaults from the official config: α = 2 (SCALE_POS), β = 40 (SCALE_NEG; the
 * paper reports 50), λ = 0.5, ε = 0.1. `mine: false` is the notebook's ablation (every pair kept, the official code
 * has no such switch). The library's `multiSimilarity` is pytorch-metric-learning's form, which keeps the side that
 * has pairs instead of skipping the anchor, and drops only the diagonal.
 */
export const multiSimilarityOfficial = defineLoss({
  id: "multi-similarity-official",
  title: "Multi-similarity loss (official code)",
  family: "metric",
  paper: {
    title: "Multi-Similarity Loss with General Pair Weighting for Deep Metric Learning",
    authors: "Xun Wang, Xintong Han, Weilin Huang, Dengke Dong, Matthew R. Scott",
    venue: "CVPR",
    year: 2019,
    url: "https://arxiv.org/abs/1904.06627"
  },
  code: "MalongTech/research-ms-loss:ret_benchmark/losses/multi_similarity_loss.py",
  schema: defineSchema({
    alpha: {
      type: "number",
      default: 2,
      min: 0.1,
      max: 20,
      scale: "log",
      symbol: "\\alpha",
      doc: "sharpness of the positive-pair weighting (official SCALE_POS 2)"
    },
    beta: {
      type: "number",
      default: 40,
      min: 1,
      max: 200,
      scale: "log",
      symbol: "\\beta",
      doc: "sharpness of the negative-pair weighting (official SCALE_NEG 40; the paper reports 50)"
    },
    base: {
      type: "number",
      default: 0.5,
      min: -1,
      max: 1,
      step: 0.05,
      symbol: "\\lambda",
      doc: "similarity threshold λ (official 0.5)"
    },
    epsilon: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 1,
      step: 0.01,
      symbol: "\\epsilon",
      doc: "mining margin ε (official 0.1)"
    },
    mine: {type: "boolean", default: true, doc: "mine pairs first (the official code always does)"}
  }),
  needs: ["embeddings", "labels"],
  tex: String.raw`L = \frac{1}{B}\sum_{i}\Big[\frac{1}{\alpha}\log\Big(1 + \sum_{j \in \hat P_i} e^{-\alpha (S_{ij} - \lambda)}\Big) + \frac{1}{\beta}\log\Big(1 + \sum_{k \in \hat N_i} e^{\beta (S_{ik} - \lambda)}\Big)\Big]`,
  cite: "Wang et al. 2019, eq. 7–8 and 11, as in the official multi_similarity_loss.py",
  summary:
    "Mines each anchor's informative pairs with an ε-margin against its hardest pair of the other kind, then weights them through two log-sum-exps with sharpness α for positives and β for negatives.",
  terms: ({embeddings, labels}, {alpha, beta, base, epsilon, mine}) => {
    const s = cosineSimilarity().matrix(embeddings!);
    const b = s.shape[0];
    const {pos: same, neg} = labelMasks(labels!);
    // Masks come from similarity values: off the tape.
    const masks = noGradient((sim) => {
      const pos = tf.mul(same, tf.cast(tf.less(sim, multiSimilaritySelfThreshold), "float32"));
      let keptPos: tf.Tensor = pos;
      let keptNeg: tf.Tensor = neg;
      if (mine) {
        const minPos = tf.min(tf.add(sim, tf.mul(tf.sub(1, pos), big)), 1, true);
        const maxNeg = tf.max(tf.sub(sim, tf.mul(tf.sub(1, neg), big)), 1, true);
        keptNeg = tf.mul(neg, tf.cast(tf.greater(tf.add(sim, epsilon), minPos), "float32"));
        keptPos = tf.mul(pos, tf.cast(tf.less(tf.sub(sim, epsilon), maxNeg), "float32"));
      }
      const valid = tf.mul(tf.step(tf.sub(tf.sum(keptPos, 1), 0.5)), tf.step(tf.sub(tf.sum(keptNeg, 1), 0.5)));
      return tf.stack([keptPos, keptNeg, tf.tile(tf.expandDims(valid, 1), [1, b])]);
    })(s);
    const [keptPos, keptNeg, validRows] = tf.unstack(masks) as tf.Tensor2D[];
    const valid = tf.squeeze(tf.slice(validRows, [0, 0], [-1, 1]), [1]);
    const posSide = tf.div(maskedLogSumExp(tf.mul(tf.sub(s, base), -alpha) as tf.Tensor2D, keptPos, true), alpha);
    const negSide = tf.div(maskedLogSumExp(tf.mul(tf.sub(s, base), beta) as tf.Tensor2D, keptNeg, true), beta);
    const values = tf.div(tf.mul(tf.add(posSide, negSide), valid), b);
    return {loss: {values, kind: "element", reduce: "sum"}};
  }
});

/** The settings of the pair-weight functions (the notebook's defaults follow each loss's official code). */
export interface MultiSimilaritySettings {
  alpha: number;
  beta: number;
  base: number;
  epsilon: number;
  mine: boolean;
}

/**
 * Every ordered pair (i, j ≠ i) of a batch with its cosine similarity and the weight a loss puts on it, i.e.
 * |∂L/∂S_ij| up to the loss's overall scale (general pair weighting, Wang et al. 2019, sec. 3). A pair with weight 0
 * does not move the model; `used` marks the pairs with a weight > 0.
 */
export interface MultiSimilarityPairTable {
  anchor: Int32Array;
  other: Int32Array;
  positive: Uint8Array;
  similarity: Float64Array;
  weight: Float64Array;
  used: Uint8Array;
}

function normalized(embeddings: ArrayLike<number>, n: number, dims: number): Float64Array {
  const x = new Float64Array(n * dims);
  for (let i = 0; i < n; ++i) {
    let s = 0;
    for (let c = 0; c < dims; ++c) s += embeddings[i * dims + c] ** 2;
    const norm = Math.max(Math.sqrt(s), 1e-12);
    for (let c = 0; c < dims; ++c) x[i * dims + c] = embeddings[i * dims + c] / norm;
  }
  return x;
}

/** The n × n cosine-similarity matrix of the rows (row-major), float64. */
export function multiSimilarityMatrix(embeddings: ArrayLike<number>, dims: number): Float64Array {
  const n = Math.floor(embeddings.length / dims);
  const x = normalized(embeddings, n, dims);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < n; ++j) {
      let v = 0;
      for (let c = 0; c < dims; ++c) v += x[i * dims + c] * x[j * dims + c];
      s[i * n + j] = v;
    }
  }
  return s;
}

function pairTable(s: Float64Array, labels: ArrayLike<number>, n: number): MultiSimilarityPairTable {
  const m = n * (n - 1);
  const t: MultiSimilarityPairTable = {
    anchor: new Int32Array(m),
    other: new Int32Array(m),
    positive: new Uint8Array(m),
    similarity: new Float64Array(m),
    weight: new Float64Array(m),
    used: new Uint8Array(m)
  };
  let k = 0;
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < n; ++j) {
      if (i === j) continue;
      t.anchor[k] = i;
      t.other[k] = j;
      t.positive[k] = labels[i] === labels[j] ? 1 : 0;
      t.similarity[k] = s[i * n + j];
      k++;
    }
  }
  return t;
}

/**
 * The multi-similarity loss's pair weights (card 30, formula 3; the paper's eq. 12–13), over the official code's mined
 * sets: w⁺_ij = 1 / (e^{α(S_ij − λ)} + Σ_{k∈P̂_i} e^{−α(S_ik − S_ij)}) for a kept positive and
 * w⁻_ik = 1 / (e^{β(λ − S_ik)} + Σ_{l∈N̂_i} e^{β(S_il − S_ik)}) for a kept negative; 0 for pairs the miner drops and
 * for every pair of a skipped anchor. These are B · |∂L/∂S| of `multiSimilarityOfficial`.
 */
export function multiSimilarityPairWeights(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number,
  {alpha = 2, beta = 40, base = 0.5, epsilon = 0.1, mine = true}: Partial<MultiSimilaritySettings> = {}
): MultiSimilarityPairTable {
  const n = labels.length;
  const s = multiSimilarityMatrix(embeddings, dims);
  const t = pairTable(s, labels, n);
  let k = 0;
  for (let i = 0; i < n; ++i) {
    const isPos = (j: number) => j !== i && labels[j] === labels[i] && s[i * n + j] < multiSimilaritySelfThreshold;
    const isNeg = (j: number) => labels[j] !== labels[i];
    let minPos = Infinity,
      maxNeg = -Infinity;
    for (let j = 0; j < n; ++j) {
      if (isPos(j)) minPos = Math.min(minPos, s[i * n + j]);
      if (isNeg(j)) maxNeg = Math.max(maxNeg, s[i * n + j]);
    }
    const keepPos = (j: number) => isPos(j) && (!mine || s[i * n + j] - epsilon < maxNeg);
    const keepNeg = (j: number) => isNeg(j) && (!mine || s[i * n + j] + epsilon > minPos);
    const kept: number[] = [];
    for (let j = 0; j < n; ++j) if (keepPos(j) || keepNeg(j)) kept.push(j);
    const valid = kept.some(keepPos) && kept.some(keepNeg);
    for (let j = 0; j < n; ++j) {
      if (j === i) continue;
      const sij = s[i * n + j];
      let w = 0;
      if (valid && keepPos(j)) {
        let d = Math.exp(alpha * (sij - base));
        for (const l of kept) if (keepPos(l)) d += Math.exp(-alpha * (s[i * n + l] - sij));
        w = 1 / d;
      } else if (valid && keepNeg(j)) {
        let d = Math.exp(beta * (base - sij));
        for (const l of kept) if (keepNeg(l)) d += Math.exp(beta * (s[i * n + l] - sij));
        w = 1 / d;
      }
      t.weight[k] = w;
      t.used[k] = w > 0 ? 1 : 0;
      k++;
    }
  }
  return t;
}

/** Euclidean distance of unit vectors from their cosine similarity: d = √(2 − 2S). */
function unitDistance(s: number): number {
  return Math.sqrt(Math.max(0, 2 - 2 * s));
}

/**
 * The contrastive loss's pair weights (pytorch-metric-learning's ContrastiveLoss on the normalised Euclidean distance
 * d = √(2 − 2S)): a positive pays [d − m⁺]₊, a negative [m⁻ − d]₊, each side averaged over its non-zero terms, so
 * |∂L/∂S_ij| = 1 / (n_side · d_ij) for a pair still inside its hinge and 0 otherwise.
 */
export function multiSimilarityContrastiveWeights(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number,
  {posMargin = 0, negMargin = 0.5}: {posMargin?: number; negMargin?: number} = {}
): MultiSimilarityPairTable {
  const n = labels.length;
  const t = pairTable(multiSimilarityMatrix(embeddings, dims), labels, n);
  let nPos = 0,
    nNeg = 0;
  const active = (k: number) => {
    const d = unitDistance(t.similarity[k]);
    return t.positive[k] ? d - posMargin > 0 : negMargin - d > 0;
  };
  for (let k = 0; k < t.anchor.length; ++k) if (active(k)) t.positive[k] ? nPos++ : nNeg++;
  for (let k = 0; k < t.anchor.length; ++k) {
    if (!active(k)) continue;
    const d = Math.max(unitDistance(t.similarity[k]), 1e-6);
    t.weight[k] = 1 / ((t.positive[k] ? nPos : nNeg) * d);
    t.used[k] = 1;
  }
  return t;
}

/**
 * The triplet margin loss's pair weights (pytorch-metric-learning's TripletMarginLoss with its TripletMarginMiner,
 * semi-hard, on the normalised Euclidean distance): every mined triplet (a, p, n) with 0 < d_an − d_ap ≤ m_mine pays
 * [d_ap − d_an + m]₊, averaged over the non-zero ones; a pair's weight |∂L/∂S| is the number of active triplets it is
 * in, over their total, divided by its distance.
 */
export function multiSimilarityTripletWeights(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number,
  {margin = 0.2, minerMargin = 0.2}: {margin?: number; minerMargin?: number} = {}
): MultiSimilarityPairTable {
  const n = labels.length;
  const s = multiSimilarityMatrix(embeddings, dims);
  const t = pairTable(s, labels, n);
  const count = new Float64Array(n * n);
  let total = 0;
  for (let a = 0; a < n; ++a) {
    for (let p = 0; p < n; ++p) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dap = unitDistance(s[a * n + p]);
      for (let q = 0; q < n; ++q) {
        if (labels[q] === labels[a]) continue;
        const dan = unitDistance(s[a * n + q]);
        const m = dan - dap;
        if (!(m > 0 && m <= minerMargin)) continue;
        if (!(dap - dan + margin > 0)) continue;
        count[a * n + p]++;
        count[a * n + q]++;
        total++;
      }
    }
  }
  for (let k = 0; k < t.anchor.length; ++k) {
    const c = count[t.anchor[k] * n + t.other[k]];
    if (!c) continue;
    t.weight[k] = c / (total * Math.max(unitDistance(t.similarity[k]), 1e-6));
    t.used[k] = 1;
  }
  return t;
}

/** Which loss an arm of the notebook trains with, and its settings: what `multiSimilarityArmWeights` needs. */
export type MultiSimilarityArmKind =
  | {kind: "ms"; settings: Partial<MultiSimilaritySettings>}
  | {kind: "contrastive"; posMargin: number; negMargin: number}
  | {kind: "triplet"; margin: number; minerMargin: number};

/** The pair table of the loss an arm trains with, on a batch's embeddings. */
export function multiSimilarityArmWeights(
  arm: MultiSimilarityArmKind,
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number
): MultiSimilarityPairTable {
  switch (arm.kind) {
    case "ms":
      return multiSimilarityPairWeights(embeddings, labels, dims, arm.settings);
    case "contrastive":
      return multiSimilarityContrastiveWeights(embeddings, labels, dims, arm);
    case "triplet":
      return multiSimilarityTripletWeights(embeddings, labels, dims, arm);
  }
}

/** The number of ordered positive and negative pairs a table uses (weight > 0). */
export function multiSimilarityUsedCounts(t: MultiSimilarityPairTable): {positive: number; negative: number} {
  let positive = 0,
    negative = 0;
  for (let k = 0; k < t.used.length; ++k) if (t.used[k]) t.positive[k] ? positive++ : negative++;
  return {positive, negative};
}

/**
 * The used pairs of a table as unordered index pairs into `rows` (a pair used from either end counts once), flat
 * [i0, j0, i1, j1, …]: what EmbeddingPlot draws as mined pairs.
 */
export function multiSimilarityDrawnPairs(
  t: MultiSimilarityPairTable,
  rows: ArrayLike<number>
): {pos: Int32Array; neg: Int32Array} {
  const seen = new Set<string>();
  const pos: number[] = [],
    neg: number[] = [];
  for (let k = 0; k < t.used.length; ++k) {
    if (!t.used[k]) continue;
    const i = Math.min(t.anchor[k], t.other[k]),
      j = Math.max(t.anchor[k], t.other[k]);
    const key = `${i},${j}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (t.positive[k] ? pos : neg).push(rows[i], rows[j]);
  }
  return {pos: Int32Array.from(pos), neg: Int32Array.from(neg)};
}

/**
 * Retrieval on held-out classes from test embeddings [n, dims]: Recall@1, @2, @4 and MAP@R, leave-one-out with cosine
 * similarity (pytorch-metric-learning's AccuracyCalculator on normalised embeddings).
 */
export function multiSimilarityRetrieval(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number
): {recallAt1: number; recallAt2: number; recallAt4: number; mapAtR: number} {
  const o = {distance: "cosine" as const};
  return {
    recallAt1: recallAtK(embeddings, labels, dims, {...o, k: 1}),
    recallAt2: recallAtK(embeddings, labels, dims, {...o, k: 2}),
    recallAt4: recallAtK(embeddings, labels, dims, {...o, k: 4}),
    mapAtR: mapAtR(embeddings, labels, dims, o)
  };
}

/** A P × K sampler (the trainer's "balanced" sampler) and its batch at a step. */
export interface MultiSimilaritySampler {
  classes: number;
  perClass: number;
  seed: number;
}

/** Training rows of the batch that step `step` trained on (the last completed step; step 0 gives the first batch). */
export function multiSimilarityBatchRows(trainLabels: Int32Array, sampler: MultiSimilaritySampler, step: number) {
  return balancedBatcher(trainLabels, sampler.classes, sampler.perClass, sampler.seed).at(Math.max(0, step - 1));
}

/**
 * The batch an arm trained on last, read from its probe embeddings (the probe must cover the training split): the
 * batch's training rows, its embeddings and labels, the pair table of the arm's loss on it, and the pairs to draw.
 * Null when the event has no such embeddings.
 */
export function multiSimilarityDemoBatch(
  e: TrainEvent,
  armIndex: number,
  arm: MultiSimilarityArmKind,
  sampler: MultiSimilaritySampler
) {
  const emb = e.arms[armIndex]?.view.embeddings;
  const t = e.data.train;
  if (!emb || e.probe.length < t.n) return null;
  const dims = emb.length / e.probe.length;
  const rows = multiSimilarityBatchRows(t.y, sampler, e.step);
  const x = new Float32Array(rows.length * dims);
  rows.forEach((r, i) => x.set(emb.subarray(r * dims, (r + 1) * dims), i * dims));
  const labels = Int32Array.from(rows, (r) => t.y[r]);
  const table = multiSimilarityArmWeights(arm, x, labels, dims);
  return {rows, embeddings: x, labels, dims, table, pairs: multiSimilarityDrawnPairs(table, rows)};
}
