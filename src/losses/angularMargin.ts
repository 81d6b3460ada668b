import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {InputSpec} from "./checks.js";
import {oneHotFloat} from "./masks.js";

/** Cosines are clamped to [−1 + ε, 1 − ε] before arccos, whose slope −1/√(1 − c²) is infinite at ±1. */
export const arccosEps = 1e-7;

const cosineLogits: InputSpec = {
  shape: "[B, C]",
  dtype: "float32",
  values: "cosine",
  doc: "cosines cos θ_k between the L2-normalised embedding and the L2-normalised weight of class k (a cosine head), in [−1, 1]"
};

/** Cross-entropy of s·cos with the label column replaced by `target` (per sample), per sample. */
function marginSoftmaxValues(cosines: tf.Tensor2D, labels: tf.Tensor1D, target: tf.Tensor1D, scale: number) {
  const mask = oneHotFloat(labels, cosines.shape[1]);
  const original = tf.sum(tf.mul(cosines, mask), 1);
  const modified = tf.add(cosines, tf.mul(mask, tf.expandDims(tf.sub(target, original), 1)));
  const logits = tf.mul(modified, scale);
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), mask), 1)) as tf.Tensor1D;
}

/** cos θ_y of each sample's label, read from the cosine matrix with a one-hot mask. */
function labelCosine(cosines: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.sum(tf.mul(cosines, oneHotFloat(labels, cosines.shape[1])), 1) as tf.Tensor1D;
}

/**
 * CosFace (large margin cosine loss): cross-entropy of s·cos θ_k with the label's cosine lowered by
 * the additive margin m (Wang et al. 2018, eq. 4), batch mean. Defaults and arithmetic follow
 * pytorch-metric-learning's CosFaceLoss (m = 0.35, s = 64; no clamping, mean reduction); there the
 * loss owns the class weights, here the model's cosine head does and passes the cosines as `logits`.
 */
export const cosFace = defineLoss({
  id: "cosface",
  title: "CosFace (additive cosine margin)",
  family: "classification",
  paper: {
    title: "CosFace: Large Margin Cosine Loss for Deep Face Recognition",
    authors: "Hao Wang, Yitong Wang, Zheng Zhou, Xing Ji, Dihong Gong, Jingchao Zhou, Zhifeng Li, Wei Liu",
    venue: "CVPR",
    year: 2018,
    url: "https://arxiv.org/abs/1801.09414"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/cosface_loss.py",
  schema: defineSchema({
    margin: {
      type: "number",
      default: 0.35,
      min: 0,
      max: 1,
      step: 0.01,
      symbol: "m",
      doc: "additive cosine margin subtracted from the label's cosine (PML default 0.35)"
    },
    scale: {
      type: "number",
      default: 64,
      min: 1,
      max: 128,
      step: 1,
      scale: "log",
      symbol: "s",
      doc: "scale (inverse temperature) of the cosines; PML default 64, use ~16 for 2–3-D embeddings"
    }
  }),
  needs: ["logits", "labels"],
  inputs: {logits: cosineLogits},
  tex: String.raw`\ell = -\log \frac{e^{s(\cos\theta_y - m)}}{e^{s(\cos\theta_y - m)} + \sum_{k\neq y} e^{s\cos\theta_k}}`,
  cite: "Wang et al. 2018, eq. 4 (LMCL); pytorch-metric-learning CosFaceLoss",
  summary:
    "Softmax over scaled cosines in which the true class must win by a cosine margin m, which pulls same-class embeddings into tight angular clusters.",
  terms: ({logits, labels}, {margin, scale}) => {
    const target = tf.sub(labelCosine(logits!, labels!), margin) as tf.Tensor1D;
    return {loss: {values: marginSoftmaxValues(logits!, labels!, target, scale), kind: "element"}};
  }
});

/**
 * ArcFace (additive angular margin): cross-entropy of s·cos θ_k with the label's angle widened to
 * θ_y + m (Deng et al. 2019, eq. 3), batch mean. Follows pytorch-metric-learning's ArcFaceLoss: the
 * margin is in degrees (default 28.6° ≈ 0.5 rad), s = 64, and where θ_y > π − m the target becomes
 * cos θ_y − m·sin m so the logit keeps decreasing in θ. One deviation: PML clamps cosines to [−1, 1],
 * where arccos has an infinite slope; we clamp the label's cosine to [−1 + 1e-7, 1 − 1e-7] (float32:
 * 1 − 1.2e-7), which keeps the gradient finite and moves values only for cosines within 1e-7 of ±1.
 */
export const arcFace = defineLoss({
  id: "arcface",
  title: "ArcFace (additive angular margin)",
  family: "classification",
  paper: {
    title: "ArcFace: Additive Angular Margin Loss for Deep Face Recognition",
    authors: "Jiankang Deng, Jia Guo, Niannan Xue, Stefanos Zafeiriou",
    venue: "CVPR",
    year: 2019,
    url: "https://arxiv.org/abs/1801.07698"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/arcface_loss.py",
  schema: defineSchema({
    margin: {
      type: "number",
      default: 28.6,
      min: 0,
      max: 90,
      step: 0.1,
      symbol: "m",
      doc: "additive angular margin in degrees, as in PML (28.6° ≈ 0.5 rad, the paper's m)"
    },
    scale: {
      type: "number",
      default: 64,
      min: 1,
      max: 128,
      step: 1,
      scale: "log",
      symbol: "s",
      doc: "scale (inverse temperature) of the cosines; PML default 64, use ~16 for 2–3-D embeddings"
    }
  }),
  needs: ["logits", "labels"],
  inputs: {logits: cosineLogits},
  tex: String.raw`\ell = -\log \frac{e^{s\cos(\theta_y + m)}}{e^{s\cos(\theta_y + m)} + \sum_{k\neq y} e^{s\cos\theta_k}}`,
  cite: "Deng et al. 2019, eq. 3; pytorch-metric-learning ArcFaceLoss (θ + m > π fallback)",
  summary:
    "Softmax over scaled cosines in which the true class's angle is widened by m, a geodesic margin that gives compact, well-separated classes on the hypersphere.",
  terms: ({logits, labels}, {margin, scale}) => {
    const m = (margin * Math.PI) / 180;
    const cosine = tf.clipByValue(labelCosine(logits!, labels!), -1 + arccosEps, 1 - arccosEps);
    const theta = tf.acos(cosine);
    // θ ≤ π − m ⇔ cos θ ≥ −cos m. The 0/1 mask comes from `step`, whose gradient is zero: casting a
    // comparison of a taped tensor breaks tf.grad in TF.js 4.22. Both branches are finite, so the
    // masked sum keeps the gradient NaN-free.
    const inRange = tf.sub(1, tf.step(tf.neg(tf.add(cosine, Math.cos(m)))));
    const widened = tf.cos(tf.add(theta, m));
    const fallback = tf.sub(cosine, m * Math.sin(m));
    const target = tf.add(tf.mul(inRange, widened), tf.mul(tf.sub(1, inRange), fallback)) as tf.Tensor1D;
    return {loss: {values: marginSoftmaxValues(logits!, labels!, target, scale), kind: "element"}};
  }
});

export const angularMarginLosses = Object.freeze([cosFace, arcFace] as const);
