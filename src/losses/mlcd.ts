import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {random} from "../random.js";
import {defineLoss} from "./defineLoss.js";
import type {InputSpec} from "./checks.js";
import {l2Normalize} from "./distances.js";

/** Cluster centres as a learnable class-weight matrix, and multi-hot cluster memberships. */
export const clusterInputs: Readonly<Record<string, InputSpec>> = Object.freeze({
  prototypes: {
    shape: "[C, D]",
    dtype: "float32",
    values: "real",
    doc: "the class centres (one learnable vector per cluster; rows are L2-normalised inside)"
  },
  targets: {
    shape: "[B, C]",
    dtype: "float32",
    values: "multi-hot",
    doc: "1 for each of the sample's positive clusters (its l nearest centres), 0 for the negatives"
  }
});

// A finite stand-in for −∞ in masked log-sum-exps.
const big = 1e9;

/**
 * Partial-FC class sampling (deepglint/unicom partial_fc.py `PartialFC_V2.sample`): every class that is
 * positive for some sample of the batch is kept, and random other classes fill up to ⌊ratio·C⌋ (all
 * positives only, if they alone exceed that). Returns a [1, C] 0/1 mask, shared by the whole batch;
 * the random scores come from src/random.ts keyed by seed, "mlcd" and the draw.
 */
export function sampleClasses(positive: tf.Tensor2D, ratio: number, seed: number, draw: number): tf.Tensor2D {
  const classes = positive.shape[1];
  if (ratio >= 1) return tf.ones([1, classes]);
  const wanted = Math.floor(ratio * classes);
  const anyPositive = tf.max(positive, 0);
  if (wanted === 0) return tf.reshape(anyPositive, [1, classes]) as tf.Tensor2D;
  const u = random(seed).fork("mlcd").fork(draw).uniforms(classes);
  // Positives score 2, above every uniform draw in [0, 1), so the top ⌊ratio·C⌋ always contain them.
  const score = tf.maximum(tf.tensor1d(u), tf.mul(anyPositive, 2));
  const kth = tf.min(tf.topk(score, wanted).values);
  return tf.reshape(tf.cast(tf.greaterEqual(score, kth), "float32"), [1, classes]) as tf.Tensor2D;
}

/**
 * MLCD's multi-label cluster-discrimination loss (An et al. 2024): scores s_k = σ·cos(f, w_k) against the
 * class centres, and positives and negatives in two separate log-sum-exps with an implicit threshold
 * class at 0, log(1 + Σ_{j∈Ω_n} e^{s_j}) + log(1 + Σ_{i∈Ω_p} e^{−σ(cos θ_i − m)}) (ZLPR, Su 2022), so
 * positives are pushed above 0 and negatives below it. Batch mean. The official repository ships no
 * training loss: the form follows the method card, scale, margin and sampling ratio are unconfirmed
 * defaults (σ = 16, m = 0, ratio 1 = every negative); ratio < 1 samples negative classes as Partial FC
 * does. `threshold: false` drops the 0 class, leaving the pairwise form log(1 + Σ_{i,j} e^{s_j − s_i}),
 * which on single-label data is softmax cross-entropy (CosFace with m > 0).
 */
export const mlcd = defineLoss({
  id: "mlcd",
  title: "MLCD multi-label cluster discrimination",
  family: "metric",
  paper: {
    title: "Multi-label Cluster Discrimination for Visual Representation Learning",
    authors: "Xiang An, Kaicheng Yang, Xiangzi Dai, Ziyong Feng, Jiankang Deng",
    venue: "ECCV",
    year: 2024,
    url: "https://arxiv.org/abs/2407.17331"
  },
  schema: defineSchema({
    scale: {
      type: "number",
      default: 16,
      min: 1,
      max: 128,
      step: 1,
      scale: "log",
      symbol: "\\sigma",
      doc: "scale of the cosine scores (unconfirmed; the Partial-FC lineage uses 64 on 512-d features)"
    },
    margin: {
      type: "number",
      default: 0,
      min: 0,
      max: 1,
      step: 0.01,
      symbol: "m",
      doc: "cosine margin subtracted from positive scores (unconfirmed; 0 is the confirmed ZLPR base)"
    },
    ratio: {
      type: "number",
      default: 1,
      min: 0,
      max: 1,
      step: 0.01,
      symbol: "r",
      doc: "fraction of classes scored per batch: all batch positives plus random negatives (Partial FC); 1 = every negative"
    },
    threshold: {
      type: "boolean",
      default: true,
      doc: "include the 0-score threshold class (MLCD/ZLPR); off gives the pairwise positive-vs-negative softmax"
    },
    seed: {type: "int", step: 1, default: 0, min: 0, max: 2147483647, doc: "seed of the negative-class sampling"},
    draw: {
      type: "int",
      step: 1,
      default: 0,
      min: 0,
      max: 2147483647,
      doc: "which draw of the negative-class sampling (pass the step for a fresh sample each step)"
    }
  }),
  needs: ["embeddings", "prototypes", "targets"],
  inputs: clusterInputs,
  tex: String.raw`\ell = \log\Big(1 + \sum_{j\in\Omega_n} e^{\sigma\cos\theta_j}\Big) + \log\Big(1 + \sum_{i\in\Omega_p} e^{-\sigma(\cos\theta_i - m)}\Big)`,
  cite: "An et al. 2024, §3 (MLCD loss; form, scale and margin unconfirmed); Su 2022, ZLPR (arXiv 2208.02955)",
  summary:
    "Multi-label classification against cluster centres with positives and negatives in separate log-sum-exps, so 0 is the natural decision threshold.",
  terms: ({embeddings, prototypes, targets}, {scale, margin, ratio, threshold, seed, draw}) => {
    // Cosines clamped to [−1, 1] as Partial FC does after its normalised matmul.
    const cosine = tf.clipByValue(
      tf.matMul(l2Normalize(embeddings!), l2Normalize(prototypes as tf.Tensor2D), false, true),
      -1,
      1
    );
    const positive = tf.cast(tf.greater(targets!, 0.5), "float32") as tf.Tensor2D;
    const negative = tf.mul(tf.sub(1, positive), sampleClasses(positive, ratio, seed, draw));
    const masked = (x: tf.Tensor, mask: tf.Tensor) => tf.sub(tf.mul(x, mask), tf.mul(tf.sub(1, mask), big));
    const negLogits = masked(tf.mul(cosine, scale), negative);
    const posLogits = masked(tf.mul(tf.sub(cosine, margin), -scale), positive);
    let values: tf.Tensor;
    if (threshold) {
      // log(1 + Σ e^x) as a log-sum-exp with a 0 column: stable, exactly 0 for an empty set.
      const zero = tf.zeros([cosine.shape[0], 1]);
      values = tf.add(
        tf.logSumExp(tf.concat([zero, negLogits], 1), 1),
        tf.logSumExp(tf.concat([zero, posLogits], 1), 1)
      );
    } else {
      // log(1 + Σ_{i∈Ω_p} Σ_{j∈Ω_n} e^{s_j − s_i}) = softplus(LSE_n + LSE_p): 0 when either set is empty.
      values = tf.softplus(tf.add(tf.logSumExp(negLogits, 1), tf.logSumExp(posLogits, 1)));
    }
    return {loss: {values, kind: "element"}};
  }
});

export const mlcdLosses = Object.freeze([mlcd] as const);
