import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {random} from "../random.js";
import {defineLoss} from "./defineLoss.js";
import type {InputSpec} from "./checks.js";
import type {Paper} from "./defineLoss.js";
import {l2Normalize} from "./distances.js";

const dexmlPaper: Paper = {
  title: "Dual-Encoders for Extreme Multi-Label Classification",
  authors: "Nilesh Gupta, Devvrit Khatri, Ankit S. Rawat, Srinadh Bhojanapalli, Prateek Jain, Inderjit S. Dhillon",
  venue: "ICLR",
  year: 2024,
  url: "https://arxiv.org/abs/2310.10636"
};

/** A dual encoder's inputs: queries are the canonical embeddings, labels (documents) have their own tower. */
export const retrievalInputs: Readonly<Record<string, InputSpec>> = Object.freeze({
  embeddings: {shape: "[B, D]", dtype: "float32", values: "real", doc: "query embeddings (the query tower)"},
  labelEmbeddings: {
    shape: "[L, D]",
    dtype: "float32",
    values: "real",
    doc: "one embedding per label or document (the label tower); every label is a candidate for every query"
  },
  targets: {
    shape: "[B, L]",
    dtype: "float32",
    values: "multi-hot",
    doc: "1 where label j is relevant to query i (values > 1e-8 count as positives, as in the DEXML code)"
  }
});

// A finite stand-in for −∞ in masked log-sum-exps (DEXML's code uses −100 on scores of at most 1/τ).
const big = 1e9;
// DEXML counts a target value as positive above this.
const positiveAbove = 1e-8;

/** s_ij = cos(q_i, l_j)/τ (DEXML nets.py: F.normalize on both towers when norm_embs, then sim /= tau). */
export function retrievalScores(
  embeddings: tf.Tensor2D,
  labelEmbeddings: tf.Tensor2D,
  tau: number,
  normalize: boolean
): tf.Tensor2D {
  const q = normalize ? l2Normalize(embeddings) : embeddings;
  const l = normalize ? l2Normalize(labelEmbeddings) : labelEmbeddings;
  return tf.div(tf.matMul(q, l, false, true), tau) as tf.Tensor2D;
}

/**
 * Gumbel keys for sampling positives ∝ relevance: log t_ij + G_ij on positives, −1e9 elsewhere. The top
 * key of a row is one positive drawn ∝ t (torch.multinomial, one sample); the top K keys are K positives
 * drawn without replacement (the Gumbel-top-k equivalent of torch.multinomial(replacement=False)).
 * The noise comes from src/random.ts, keyed by seed, the loss id and the draw.
 */
function gumbelKeys(
  targets: tf.Tensor2D,
  positive: tf.Tensor2D,
  seed: number,
  label: string,
  draw: number
): tf.Tensor2D {
  const [b, l] = targets.shape;
  const rng = random(seed).fork(label).fork(draw);
  const g = new Float32Array(b * l);
  for (let i = 0; i < g.length; ++i) g[i] = -Math.log(-Math.log(rng.uniform() + 2 ** -33));
  const logT = tf.log(tf.maximum(targets, positiveAbove));
  return tf.add(
    tf.mul(tf.add(logT, tf.tensor2d(g, [b, l])), positive),
    tf.mul(tf.sub(positive, 1), big)
  ) as tf.Tensor2D;
}

/** The K positives of each row with the largest keys (all of them where a row has at most K). */
function topKeys(keys: tf.Tensor2D, positive: tf.Tensor2D, k: number): tf.Tensor2D {
  const kth = tf.slice(tf.topk(keys, k).values, [0, k - 1], [-1, 1]);
  return tf.mul(positive, tf.cast(tf.greaterEqual(keys, kth), "float32")) as tf.Tensor2D;
}

function positivesOf(targets: tf.Tensor2D): tf.Tensor2D {
  return tf.cast(tf.greater(targets, positiveAbove), "float32") as tf.Tensor2D;
}

const sharedSchema = {
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
  normalize: {
    type: "boolean",
    default: true,
    doc: "L2-normalise both towers so scores are cosines over τ (DEXML norm_embs: True)"
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
} as const;

/**
 * Decoupled softmax (Gupta et al. 2024; DEXML losses.py, criterion "decoupled-softmax"): each
 * positive label of a query is scored by a softmax whose denominator holds the negatives and that
 * positive alone, −log e^{s_ij}/(e^{s_ij} + Σ_{k∈N_i} e^{s_ik}), so a query's positives do not compete
 * with each other; per query the mean over its positives, then the mean over the batch (queries
 * without positives count as 0, as the code divides by the batch size). The code's default config
 * samples one positive per query (loss_sample: True); for 0/1 targets the deterministic default here
 * is exactly that sample's expectation, and `sample: true` reproduces the sampling.
 */
export const decoupledSoftmax = defineLoss({
  id: "decoupled-softmax",
  title: "Decoupled softmax (DEXML)",
  family: "metric",
  paper: dexmlPaper,
  code: "nilesh2797/DEXML:losses.py",
  schema: defineSchema({
    ...sharedSchema,
    sample: {
      type: "boolean",
      default: false,
      doc: "score one positive per query, drawn ∝ relevance, as the official config does (its expectation is the default)"
    }
  }),
  needs: ["embeddings", "labelEmbeddings", "targets"],
  inputs: retrievalInputs,
  tex: String.raw`\ell_i = \frac{1}{|P_i|}\sum_{j\in P_i} -\log\frac{e^{s_{ij}}}{e^{s_{ij}} + \sum_{k\in N_i} e^{s_{ik}}},\quad s_{ij} = \frac{\cos(q_i, l_j)}{\tau}`,
  cite: "Gupta et al. 2024 (decoupled softmax); nilesh2797/DEXML losses.py (criterion decoupled-softmax)",
  summary:
    "A softmax for multi-label retrieval in which each positive competes only with the negatives, never with the query's other positives.",
  terms: ({embeddings, labelEmbeddings, targets}, {tau, normalize, sample, seed, draw}) => {
    const s = retrievalScores(embeddings!, labelEmbeddings as tf.Tensor2D, tau, normalize);
    const positive = positivesOf(targets!);
    // log Σ_{k∈N_i} e^{s_ik}: every positive masked out with a finite −1e9.
    const logNeg = tf.logSumExp(tf.sub(tf.mul(s, tf.sub(1, positive)), tf.mul(positive, big)), 1, true);
    // −log(e^s / (e^s + e^{logNeg})) = softplus(logNeg − s): stable, 0 when a query has no negative.
    const perPositive = tf.softplus(tf.sub(logNeg, s));
    let used: tf.Tensor2D = positive;
    if (sample) {
      const keys = gumbelKeys(targets!, positive, seed, "decoupled-softmax", draw);
      used = topKeys(keys, positive, 1);
    }
    const count = tf.maximum(tf.sum(used, 1), 1);
    return {loss: {values: tf.div(tf.sum(tf.mul(used, perPositive), 1), count), kind: "element"}};
  }
});

/**
 * Soft top-k membership log p, p_ij = σ(α(s_ij + t_i)) with t_i found by bisection so that Σ_j p_ij = k
 * over the active entries of row i (DEXML utils/topk_utils.py, `_dist_find_ts` and `DistLogTopK`):
 * bounds −max s − 10/α and −min s + 10/α, `iterations` halvings, no gradient through the search. The
 * backward pass is the implicit-function gradient of the code: with u = g·α(1 − p) and v = α p(1 − p),
 * ∂/∂s = u − v·Σu/Σv. Inactive entries (the code's −100 fill) are left out of the sum instead, which
 * is the same up to terms of order e^{−α(100 − |s|)}. The bisection compares Σσ − k summed as small
 * terms around the exact count of entries above the threshold: the same root, but resolved in float32
 * where the code's plain Σσ saturates (there its t can drift by ~0.1 without changing the float32 sum).
 * Runs in the caller's scope.
 */
export function softTopKLog(
  scores: tf.Tensor2D,
  k: number,
  alpha: number,
  iterations: number,
  active?: tf.Tensor2D
): tf.Tensor2D {
  const on = active ?? tf.onesLike(scores);
  const f = tf.customGrad(((s: tf.Tensor2D, save: tf.GradSaveFunc) => {
    // Ops inside a customGrad forward pass are not taped: the search carries no gradient, as in the code.
    const off = tf.mul(tf.sub(1, on), big);
    let lo: tf.Tensor = tf.sub(tf.neg(tf.max(tf.sub(s, off), 1, true)), 10 / alpha);
    let hi: tf.Tensor = tf.add(tf.neg(tf.min(tf.add(s, off), 1, true)), 10 / alpha);
    for (let i = 0; i < iterations; ++i) {
      const [nextLo, nextHi] = tf.tidy(() => {
        const mid = tf.div(tf.add(lo, hi), 2);
        const x = tf.mul(tf.add(s, mid), alpha);
        // Σσ(x) − k = Σ_{x<0} σ(x) − Σ_{x≥0} σ(−x) + (#{x ≥ 0} − k): small terms around an exact count,
        // so float32 still resolves t where the sigmoids saturate (a plain Σσ(x) near k cannot).
        const above = tf.mul(tf.cast(tf.greaterEqual(x, 0), "float32"), on);
        const small = tf.mul(tf.sigmoid(tf.neg(tf.abs(x))), tf.sub(on, tf.mul(above, 2)));
        const residual = tf.add(tf.sum(small, 1, true), tf.sub(tf.sum(above, 1, true), k));
        const below = tf.less(residual, 0);
        return [tf.where(below, mid, lo), tf.where(below, hi, mid)];
      });
      lo.dispose();
      hi.dispose();
      lo = nextLo;
      hi = nextHi;
    }
    const x = tf.mul(tf.add(s, tf.div(tf.add(lo, hi), 2)), alpha);
    // Saved, not closed over: the backward pass runs after the loss's tidy scope has ended.
    save([x, on]);
    // log σ(x) = x − log(1 + e^x), as the code writes it (logaddexp), here −softplus(−x).
    return {
      value: tf.neg(tf.softplus(tf.neg(x))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, mask] = saved;
        // 1 − p as σ(−x): in float32 σ(x) rounds to 1 above x ≈ 17 and 1 − σ(x) would lose the gradient.
        const p = tf.sigmoid(xs);
        const q = tf.sigmoid(tf.neg(xs));
        const v = tf.mul(tf.mul(tf.mul(p, q), alpha), mask);
        const u = tf.mul(tf.mul(tf.mul(dy, q), alpha), mask);
        const ratio = tf.div(tf.sum(u, 1, true), tf.maximum(tf.sum(v, 1, true), 1e-30));
        return tf.sub(u, tf.mul(v, ratio));
      }
    };
  }) as any) as unknown as (s: tf.Tensor2D) => tf.Tensor2D;
  return f(scores);
}

/**
 * Soft top-k loss (Gupta et al. 2024; DEXML losses.py, criterion "topk"): −log of each positive's
 * soft membership in the query's top k, p = σ(α(s + t)) with the row threshold t fixed by Σ p = k
 * (bisection, implicit-function gradient), averaged over the query's positives and then over the
 * batch. With `sample` (the official config, loss_sample: True) a query with more than k positives
 * keeps k of them drawn ∝ relevance and the rest leave the top-k competition (the code sets their
 * scores to −100); a query with at most k positives keeps all of them, so sampling changes nothing there.
 */
export const softTopK = defineLoss({
  id: "soft-top-k",
  title: "Soft top-k loss (DEXML)",
  family: "metric",
  paper: dexmlPaper,
  code: "nilesh2797/DEXML:utils/topk_utils.py",
  schema: defineSchema({
    ...sharedSchema,
    k: {
      type: "int",
      step: 1,
      default: 5,
      min: 1,
      max: 1000,
      symbol: "k",
      doc: "the k of top-k; must be below the number of labels"
    },
    alpha: {
      type: "number",
      default: 2,
      min: 0.1,
      max: 50,
      step: 0.1,
      scale: "log",
      symbol: "\\alpha",
      doc: "sharpness of the sigmoid σ(α(s + t)); larger approaches the hard top-k"
    },
    iterations: {
      type: "int",
      step: 1,
      default: 32,
      min: 1,
      max: 100,
      doc: "bisection steps for the threshold t (DEXML topk_n_iter)"
    },
    sample: {
      type: "boolean",
      default: true,
      doc: "where a query has more than k positives, keep k of them drawn ∝ relevance (official loss_sample: True)"
    }
  }),
  needs: ["embeddings", "labelEmbeddings", "targets"],
  inputs: retrievalInputs,
  tex: String.raw`\ell_i = -\frac{1}{|P_i|}\sum_{j\in P_i} \log \sigma\big(\alpha(s_{ij} + t_i)\big),\quad \sum_j \sigma\big(\alpha(s_{ij} + t_i)\big) = k`,
  cite: "Gupta et al. 2024 (soft top-k loss); nilesh2797/DEXML utils/topk_utils.py (DistLogTopK) and losses.py",
  summary:
    "Maximises each positive's soft membership in the query's top k, a sigmoid with a per-query threshold chosen so memberships sum to k.",
  terms: ({embeddings, labelEmbeddings, targets}, {tau, normalize, k, alpha, iterations, sample, seed, draw}) => {
    const labels = (labelEmbeddings as tf.Tensor2D).shape[0];
    if (!(k < labels))
      throw new Error(`soft-top-k: invalid k: ${k} (must be below the number of labels L = ${labels})`);
    const s = retrievalScores(embeddings!, labelEmbeddings as tf.Tensor2D, tau, normalize);
    const positive = positivesOf(targets!);
    let used: tf.Tensor2D = positive;
    let active: tf.Tensor2D | undefined;
    if (sample) {
      used = topKeys(gumbelKeys(targets!, positive, seed, "soft-top-k", draw), positive, k);
      active = tf.sub(1, tf.sub(positive, used)) as tf.Tensor2D; // the unsampled positives leave the competition
    }
    const logP = softTopKLog(s, k, alpha, iterations, active);
    const count = tf.maximum(tf.sum(used, 1), 1);
    return {loss: {values: tf.div(tf.neg(tf.sum(tf.mul(used, logP), 1)), count), kind: "element"}};
  }
});

export const decoupledSoftmaxLosses = Object.freeze([decoupledSoftmax, softTopK] as const);
