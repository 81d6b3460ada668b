// Card 25 (Wang & Liu 2021, "Understanding the Behaviour of Contrastive Loss"): the InfoNCE temperature as a
// hardness knob. Method-specific pieces the loss library lacks: the analytic relative penalty r_i(s), the two-view
// augmentation of the toy, an explicit hard-negative InfoNCE (top-K negatives per anchor), a ridge linear probe on
// frozen embeddings, and the metrics hook (uniformity, tolerance, probe accuracy) the notebook records.
import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import type {Random} from "../random.js";
import {defineLoss} from "../losses/defineLoss.js";
import type {LossInputs} from "../losses/defineLoss.js";
import {distanceByName} from "../losses/distances.js";
import {noGradient} from "../losses/masks.js";
import {ntXentPairValues, otherEmbeddingsInput, scaledSimilarities, viewPairs} from "../losses/ntXent.js";
import {tolerance, uniformity} from "../metrics/retrieval.js";
import type {MetricsHook} from "../train/train.js";

/**
 * The relative penalty InfoNCE puts on each negative of one anchor (Wang & Liu 2021, eq. 4): with the anchor's
 * negative similarities s_1 … s_N, r_j = |∂L/∂s_j| / |∂L/∂s_pos| = e^{s_j/τ} / Σ_k e^{s_k/τ} — a Boltzmann distribution
 * over the negatives, whatever the positive's similarity. Computed max-shifted in float64, so any τ > 0 is safe.
 */
export function contrastiveRelativePenalty(similarities: ArrayLike<number>, temperature: number): Float64Array {
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new Error(`contrastiveRelativePenalty: invalid temperature: ${temperature}`);
  }
  const n = similarities.length;
  if (n < 1) throw new Error("contrastiveRelativePenalty: at least one negative is needed");
  let max = -Infinity;
  for (let j = 0; j < n; ++j) max = Math.max(max, similarities[j]);
  const out = new Float64Array(n);
  let sum = 0;
  for (let j = 0; j < n; ++j) sum += out[j] = Math.exp((similarities[j] - max) / temperature);
  for (let j = 0; j < n; ++j) out[j] /= sum;
  return out;
}

/**
 * The first figure's curves: N negatives whose similarities to the anchor are spread evenly over [−1, 1] (what
 * negatives uniform on the 3-D sphere look like from any anchor: their cosine is uniform on [−1, 1]), and N·r_j for
 * each, i.e. each negative's penalty relative to an even share 1/N. Flat at 1 for τ → ∞; for small τ almost all of
 * the push goes to the negatives most similar to the anchor.
 */
export function contrastivePenaltyCurve(
  temperature: number,
  negatives = 201
): {similarity: Float64Array; relative: Float64Array} {
  if (!(Number.isInteger(negatives) && negatives >= 2)) {
    throw new Error(`contrastivePenaltyCurve: invalid negatives: ${negatives}`);
  }
  const similarity = Float64Array.from({length: negatives}, (_, j) => -1 + (2 * j) / (negatives - 1));
  const r = contrastiveRelativePenalty(similarity, temperature);
  return {similarity, relative: r.map((v) => v * negatives)};
}

/** The toy's augmentation: Gaussian jitter of std `jitter`, then each feature zeroed with probability `dropout`. */
export interface ContrastiveAugmentOptions {
  jitter: number;
  dropout: number;
}

/**
 * One augmented view of a batch x [B, F]: x' = (x + σε) ⊙ m with ε ~ N(0, 1) and m_ij ~ Bernoulli(1 − p), drawn from
 * `rng` (the trainer's per-batch stream, identical for every arm, so twin arms see the same views). Feature dropout is
 * an augmentation here, not a regulariser, so the kept features are not rescaled.
 */
export function contrastiveAugment(
  x: tf.Tensor2D,
  rng: Random,
  {jitter, dropout}: ContrastiveAugmentOptions
): tf.Tensor2D {
  if (!(jitter >= 0)) throw new Error(`contrastiveAugment: invalid jitter: ${jitter}`);
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`contrastiveAugment: invalid dropout: ${dropout}`);
  const [b, f] = x.shape;
  const noise = rng.normals(b * f, jitter);
  const mask = new Float32Array(b * f);
  for (let i = 0; i < mask.length; ++i) mask[i] = rng.uniform() < dropout ? 0 : 1;
  return tf.tidy(() => tf.mul(tf.add(x, tf.tensor2d(noise, [b, f])), tf.tensor2d(mask, [b, f])) as tf.Tensor2D);
}

/**
 * The 0/1 mask of each anchor's K hardest negatives (the K largest logits among its negatives; ties at the K-th value
 * are all kept), with no gradient: mining is a selection, not part of the objective's derivative.
 */
export const contrastiveHardNegativeMask = (x: tf.Tensor2D, neg: tf.Tensor2D, k: number): tf.Tensor2D =>
  noGradient((xs: tf.Tensor, ns: tf.Tensor) => {
    const available = ns.shape[1]!;
    const kk = Math.max(1, Math.min(Math.floor(k), available));
    const filled = tf.add(tf.mul(xs, ns), tf.mul(tf.sub(ns, 1), 1e9));
    const kth = tf.slice(tf.topk(filled, kk).values, [0, kk - 1], [-1, 1]);
    // x ≥ K-th largest negative, among negatives; a row with fewer than K negatives keeps them all.
    return tf.mul(ns, tf.step(tf.add(tf.sub(filled, kth), 1e-6))) as tf.Tensor2D;
  })(x, neg);

const hardInfoNceSchema = defineSchema({
  temperature: {
    type: "number",
    default: 0.5,
    min: 0.01,
    max: 10,
    step: 0.001,
    scale: "log",
    symbol: "\\tau",
    doc: "temperature; the card's hard-negative check uses τ = 0.5"
  },
  negatives: {
    type: "int",
    default: 32,
    min: 1,
    max: 4096,
    symbol: "K",
    doc: "negatives kept per anchor: the K most similar ones (the paper's quantile/top-K is unconfirmed; a knob)"
  },
  symmetric: {
    type: "boolean",
    default: true,
    doc: "compare all 2B rows of both views with each other (SimCLR) rather than rows of embeddings with otherEmbeddings"
  }
});

/**
 * InfoNCE with explicit hard negatives (Wang & Liu 2021, eq. 9): the same two-view loss as `infoNce`, but each anchor's
 * denominator keeps only its K most similar negatives, L_i = −log e^{s_ii/τ} / (e^{s_ii/τ} + Σ_{k∈H_i} e^{s_ik/τ}),
 * H_i the top-K negatives by similarity. The selection is made without gradient; gradients flow through the kept
 * similarities. Cosine similarity, SimCLR's symmetric 2B × 2B batch by default. Not in the loss library: written for
 * this notebook.
 */
export const contrastiveHardInfoNce = defineLoss({
  id: "hard-info-nce",
  title: "InfoNCE with explicit hard negatives",
  family: "metric",
  paper: {
    title: "Understanding the Behaviour of Contrastive Loss",
    authors: "Feng Wang, Huaping Liu",
    venue: "CVPR",
    year: 2021,
    url: "https://arxiv.org/abs/2012.09740"
  },
  schema: hardInfoNceSchema,
  needs: ["embeddings", "otherEmbeddings"],
  inputs: {otherEmbeddings: otherEmbeddingsInput},
  tex: String.raw`\ell_i = -\log \frac{e^{s_{ii'}/\tau}}{e^{s_{ii'}/\tau} + \sum_{k \in H_i} e^{s_{ik}/\tau}},\quad H_i = \text{the } K \text{ negatives most similar to } i`,
  cite: "Wang & Liu 2021, eq. 9 (top-K selection as the card's reading; K unconfirmed)",
  summary: "InfoNCE whose denominator keeps only each anchor's K most similar negatives.",
  terms: ({embeddings, otherEmbeddings}: LossInputs, {temperature, negatives, symmetric}) => {
    const {anchors, refs, masks} = viewPairs(embeddings!, undefined, otherEmbeddings as tf.Tensor2D, symmetric);
    const x = scaledSimilarities(distanceByName("cosine"), anchors, refs, temperature);
    const hard = contrastiveHardNegativeMask(x, masks.neg, negatives);
    return {loss: {values: ntXentPairValues(x, hard), kind: "pair" as const, weights: masks.pos}};
  }
});

/**
 * Accuracy of a linear probe on frozen embeddings: ridge regression of one-hot labels on [e, 1] fitted on the training
 * rows, W = (XᵀX + λI)⁻¹ XᵀY (the bias is not penalised), then the argmax of e·W on the test rows. A closed-form
 * least-squares probe: no training loop, so its score depends on the embedding alone. Plain float64, no TF.js.
 */
export function contrastiveLinearProbe(
  train: {embeddings: ArrayLike<number>; labels: ArrayLike<number>},
  test: {embeddings: ArrayLike<number>; labels: ArrayLike<number>},
  dims: number,
  classes: number,
  {ridge = 1e-3}: {ridge?: number} = {}
): number {
  const fn = "contrastiveLinearProbe";
  if (!(Number.isInteger(dims) && dims >= 1)) throw new Error(`${fn}: invalid dims: ${dims}`);
  if (!(Number.isInteger(classes) && classes >= 1)) throw new Error(`${fn}: invalid classes: ${classes}`);
  if (!(ridge >= 0)) throw new Error(`${fn}: invalid ridge: ${ridge}`);
  const n = train.labels.length;
  if (train.embeddings.length !== n * dims) throw new Error(`${fn}: train embeddings must be [${n}, ${dims}]`);
  if (test.embeddings.length !== test.labels.length * dims)
    throw new Error(`${fn}: test embeddings must be [n, ${dims}]`);
  if (!test.labels.length) return NaN;
  const p = dims + 1;
  const a = Array.from({length: p}, () => new Float64Array(p));
  const b = Array.from({length: p}, () => new Float64Array(classes));
  const row = new Float64Array(p);
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < dims; ++j) row[j] = train.embeddings[i * dims + j];
    row[dims] = 1;
    const y = train.labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < classes)) throw new Error(`${fn}: invalid label ${y}`);
    for (let r = 0; r < p; ++r) {
      for (let c = 0; c < p; ++c) a[r][c] += row[r] * row[c];
      b[r][y] += row[r];
    }
  }
  for (let j = 0; j < dims; ++j) a[j][j] += ridge;
  const w = solveLinear(a, b);
  let correct = 0;
  for (let i = 0; i < test.labels.length; ++i) {
    let best = -Infinity,
      arg = -1;
    for (let k = 0; k < classes; ++k) {
      let s = w[dims][k];
      for (let j = 0; j < dims; ++j) s += test.embeddings[i * dims + j] * w[j][k];
      if (s > best) ((best = s), (arg = k));
    }
    if (arg === test.labels[i]) correct++;
  }
  return correct / test.labels.length;
}

/** Solves A X = B (A [p, p], B [p, m]) by Gaussian elimination with partial pivoting; A and B are overwritten. */
function solveLinear(a: Float64Array[], b: Float64Array[]): Float64Array[] {
  const p = a.length;
  for (let c = 0; c < p; ++c) {
    let pivot = c;
    for (let r = c + 1; r < p; ++r) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    if (Math.abs(a[pivot][c]) < 1e-12) throw new Error("contrastiveLinearProbe: singular system; raise the ridge");
    [a[c], a[pivot]] = [a[pivot], a[c]];
    [b[c], b[pivot]] = [b[pivot], b[c]];
    for (let r = 0; r < p; ++r) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      if (f === 0) continue;
      for (let k = c; k < p; ++k) a[r][k] -= f * a[c][k];
      for (let k = 0; k < b[r].length; ++k) b[r][k] -= f * b[c][k];
    }
  }
  return b.map((rowB, r) => rowB.map((v) => v / a[r][r]));
}

/**
 * The notebook's embedding metrics at every evaluation, from the read-back embeddings (labels are the latent classes,
 * never seen by the contrastive loss): `uniformity` = −L_unif of the test embeddings (Wang & Isola, t = 2; higher =
 * more uniform), `tolerance` (mean cosine of same-class test pairs), and `probeAccuracy` (a ridge linear probe fitted
 * on the probe embeddings of training samples, scored on the test split).
 */
export function contrastiveTemperatureMetrics(): MetricsHook {
  return {
    host: ({data, testEmbeddings, probeEmbeddings, probeSize}): Record<string, number> => {
      if (!testEmbeddings || !probeEmbeddings) return {};
      const dims = testEmbeddings.length / data.test.n;
      return {
        uniformity: -uniformity(testEmbeddings, dims, {t: 2}),
        tolerance: tolerance(testEmbeddings, data.test.y, dims),
        probeAccuracy: contrastiveLinearProbe(
          {embeddings: probeEmbeddings, labels: data.train.y.subarray(0, probeSize)},
          {embeddings: testEmbeddings, labels: data.test.y},
          dims,
          data.classes
        )
      };
    }
  };
}
