import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {InputSpec} from "./checks.js";
import {l2Normalize} from "./distances.js";
import {noGradient, oneHotFloat} from "./masks.js";

/** The classifier's class weights, for losses that compare features with class vectors and with each other. */
export const classWeightInputs: Readonly<Record<string, InputSpec>> = Object.freeze({
  prototypes: {
    shape: "[C, D]",
    dtype: "float32",
    values: "real",
    doc: "the margin-softmax head's class weight vectors (learnable; rows are L2-normalised inside)"
  }
});

// A finite stand-in for −∞ in masked log-sum-exps, and a "larger than any cosine" for sorting.
const big = 1e9;

/**
 * The box-and-whisker filter of UNPG (official `box_and_whisker_algorithm`): over the kept entries of
 * `values`, sorted ascending, Q1 = sorted[⌊0.25 M⌋], Q3 = sorted[⌊0.75 M⌋], and an entry survives when
 * Q1 − w·IQR ≤ value ≤ Q3 + w·IQR. Returns the 0/1 mask of survivors (no gradient), on device.
 */
export function whiskerMask(values: tf.Tensor, keep: tf.Tensor, wisk: number): tf.Tensor {
  // The filter is a mask computed from values on the gradient path: off the tape, as under torch.no_grad.
  return noGradient((v) => {
    const flat = tf.reshape(v, [-1]);
    const kept = tf.reshape(keep, [-1]);
    const n = flat.shape[0];
    // Dropped entries sort last (+1e9); topk of the negated values sorts ascending.
    const ascending = tf.neg(tf.topk(tf.neg(tf.add(tf.mul(flat, kept), tf.mul(tf.sub(1, kept), big))), n).values);
    const m = tf.sum(kept);
    const at = (q: number) => tf.gather(ascending, tf.reshape(tf.cast(tf.floor(tf.mul(m, q)), "int32"), [1]));
    const q1 = at(0.25);
    const q3 = at(0.75);
    const iqr = tf.sub(q3, q1);
    const lo = tf.sub(q1, tf.mul(iqr, wisk));
    const hi = tf.add(q3, tf.mul(iqr, wisk));
    const inside = tf.mul(tf.cast(tf.greaterEqual(flat, lo), "float32"), tf.cast(tf.lessEqual(flat, hi), "float32"));
    return tf.reshape(tf.mul(inside, kept), v.shape);
  })(values);
}

/**
 * The margin head's target logit: ArcFace cos(θ_y + m) = cos θ·cos m − sin θ·sin m, with sin θ = √(1 − cos²θ)
 * (the official acos → +m → cos, written without acos so that cos θ = ±1 has a finite gradient;
 * like the official head it has no easy-margin or θ + m > π correction), or CosFace cos θ_y − m.
 */
export function marginTarget(cosine: tf.Tensor, head: "arcface" | "cosface", margin: number): tf.Tensor {
  if (head === "cosface") return tf.sub(cosine, margin);
  const sine = tf.sqrt(tf.maximum(tf.sub(1, tf.square(cosine)), 1e-12));
  return tf.sub(tf.mul(cosine, Math.cos(margin)), tf.mul(sine, Math.sin(margin)));
}

/**
 * UNPG, unified negative pair generation (Jung et al. 2022, §3; official recognition/models/head.py
 * `UNPG` and build.py `HeadAndLoss`): the margin-softmax cross-entropy whose denominator, for every
 * sample, holds the classifier negatives e^{s·cos θ_j} and also e^{s·s_n} for every negative feature
 * pair (i < j, y_i ≠ y_j) of the batch that survives the box-and-whisker filter, so the head sees
 * feature–feature negatives it otherwise never compares. Defaults are the official ones: ArcFace head,
 * s = 64, m = 0.5, wisk = 1.5; batch mean. As in the code, every sample's denominator gets all batch
 * pairs, not only its own.
 */
export const unpg = defineLoss({
  id: "unpg",
  title: "UNPG (unified negative pair generation)",
  family: "metric",
  paper: {
    title: "Unified Negative Pair Generation toward Well-discriminative Feature Space for Face Recognition",
    authors: "Junuk Jung, Seonhoon Lee, Heung-Seon Oh, Yongjun Park, Joochan Park, Sungbin Son",
    venue: "BMVC",
    year: 2022,
    url: "https://arxiv.org/abs/2203.11593"
  },
  code: "Jung-Jun-Uk/UNPG:recognition/models/head.py",
  schema: defineSchema({
    head: {
      type: "enum",
      default: "arcface",
      options: ["arcface", "cosface"] as const,
      doc: "margin-softmax head: ArcFace cos(θ + m) (official default) or CosFace cos θ − m"
    },
    scale: {
      type: "number",
      default: 64,
      min: 1,
      max: 128,
      step: 1,
      scale: "log",
      symbol: "s",
      doc: "logit scale s applied to class cosines and pair similarities alike (official 64; small embeddings want less)"
    },
    margin: {
      type: "number",
      default: 0.5,
      min: 0,
      max: 1,
      step: 0.01,
      symbol: "m",
      doc: "margin on the target class: angular for ArcFace, additive cosine for CosFace (official 0.5)"
    },
    wisk: {
      type: "number",
      default: 1.5,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "w",
      doc: "whisker width: negative pairs outside [Q1 − w·IQR, Q3 + w·IQR] are dropped as noisy (official 1.5)"
    },
    filter: {type: "boolean", default: true, doc: "apply the box-and-whisker filter to the feature negatives"},
    pairNegatives: {
      type: "boolean",
      default: true,
      doc: "append the batch's feature–feature negatives; off gives the plain margin-softmax head"
    }
  }),
  needs: ["embeddings", "labels", "prototypes"],
  inputs: classWeightInputs,
  tex: String.raw`\ell_i = -\log\frac{e^{s\,\psi(\theta_{y_i})}}{e^{s\,\psi(\theta_{y_i})} + \sum_{j\neq y_i} e^{s\cos\theta_j} + \sum_{k\in S'_n} e^{s\,s_k}},\quad S'_n = \{s_{ab} = \hat x_a\!\cdot\!\hat x_b : a<b,\ y_a\neq y_b,\ Q_1 - wR \le s_{ab} \le Q_3 + wR\}`,
  cite: "Jung et al. 2022, §3 (UNPG and the box-and-whisker filter); Jung-Jun-Uk/UNPG recognition/models/{head,build}.py",
  summary:
    "A margin-softmax head whose denominator also holds the batch's feature–feature negative pairs, with outlier pairs filtered out by a box-and-whisker rule.",
  terms: ({embeddings, labels, prototypes}, {head, scale, margin, wisk, filter, pairNegatives}) => {
    const x = l2Normalize(embeddings!);
    const w = l2Normalize(prototypes as tf.Tensor2D);
    const cosine = tf.matMul(x, w, false, true);
    const classes = (prototypes as tf.Tensor2D).shape[0];
    const onehot = oneHotFloat(labels!, classes);
    const targetCos = tf.sum(tf.mul(onehot, cosine), 1);
    const target = marginTarget(targetCos, head, margin);
    const logits = tf.mul(tf.add(cosine, tf.mul(onehot, tf.expandDims(tf.sub(target, targetCos), 1))), scale);
    let logZ = tf.logSumExp(logits, 1);
    if (pairNegatives) {
      const n = x.shape[0];
      const similarity = tf.matMul(x, x, false, true);
      const same = tf.cast(tf.equal(tf.expandDims(labels!, 1), tf.expandDims(labels!, 0)), "float32");
      const upper = tf.sub(tf.linalg.bandPart(tf.ones([n, n]), 0, -1), tf.eye(n));
      const negatives = tf.mul(upper, tf.sub(1, same));
      const kept = filter ? whiskerMask(similarity, negatives, wisk) : negatives;
      const masked = tf.sub(tf.mul(tf.mul(similarity, scale), kept), tf.mul(tf.sub(1, kept), big));
      const logPairs = tf.logSumExp(tf.reshape(masked, [-1])); // the same for every sample
      logZ = tf.logSumExp(tf.stack([logZ, tf.broadcastTo(logPairs, logZ.shape)], 1), 1);
    }
    return {loss: {values: tf.sub(logZ, tf.mul(target, scale)), kind: "element"}};
  }
});

export const unpgLosses = Object.freeze([unpg] as const);
