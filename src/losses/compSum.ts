import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import {oneHotFloat} from "./masks.js";
import type {Paper} from "./defineLoss.js";

const compSumPaper: Paper = {
  title: "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
  authors: "Anqi Mao, Mehryar Mohri, Yutao Zhong",
  venue: "ICML",
  year: 2023,
  url: "https://arxiv.org/abs/2304.07288"
};

// exp(t) − 1 for t ≤ cap, continued linearly (with matching slope) above it, so that the
// exponential members of the family stay finite in float32 (exp overflows above ≈ 88.7) for logit
// gaps far beyond 50. Written with minimum/relu rather than `where`, whose unused branch would put
// Inf · 0 = NaN into the gradient.
const cap = 80;
function expm1Capped(t: tf.Tensor): tf.Tensor {
  return tf.add(tf.expm1(tf.minimum(t, cap)), tf.mul(tf.relu(tf.sub(t, cap)), Math.exp(cap)));
}

/** log p_y per sample, selected with a one-hot mask (TF.js has no gradient for gatherND). */
export function logProbOfLabel(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  return tf.sum(tf.mul(logp, oneHotFloat(labels, logits.shape[1])), 1);
}

/**
 * The comp-sum transform Φ^τ applied to u = 1/p_y − 1, per sample:
 * τ = 1 gives −log p_y, otherwise (1 − p_y^(τ−1)) / (τ − 1), computed as −expm1((τ−1)·log p_y)/(τ−1)
 * from log-probabilities (no 0^negative for τ < 1, no cancellation near τ = 1).
 */
export function compSumValues(logits: tf.Tensor2D, labels: tf.Tensor1D, tau: number): tf.Tensor1D {
  const logpy = logProbOfLabel(logits, labels);
  if (tau === 1) return tf.neg(logpy);
  return tf.div(expm1Capped(tf.mul(logpy, tau - 1)), 1 - tau) as tf.Tensor1D;
}

/** Comp-sum losses Φ^τ(Σ_{y'≠y} e^{h_{y'} − h_y}): one knob τ from sum-exponential (0) through CE (1) and GCE to MAE (2). */
export const compSum = defineLoss({
  id: "comp-sum",
  title: "Comp-sum loss (τ-family)",
  family: "classification",
  paper: compSumPaper,
  schema: defineSchema({
    tau: {
      type: "number",
      default: 1.5,
      min: 0,
      max: 2,
      step: 0.05,
      symbol: "\\tau",
      doc: "0 = sum-exponential, 1 = cross-entropy, 1 < τ < 2 = generalized CE with q = τ − 1, 2 = MAE"
    }
  }),
  needs: ["logits", "labels"],
  tex: String.raw`\ell^{\tau} = \Phi^{\tau}(u),\; u = \sum_{y'\neq y} e^{h_{y'}-h_y},\; \Phi^{\tau}(u) = \begin{cases}\log(1+u) & \tau = 1\\ \frac{(1+u)^{1-\tau}-1}{1-\tau} & \tau \neq 1\end{cases}`,
  cite: "Mao, Mohri & Zhong 2023, §3 (comp-sum losses)",
  summary:
    "A single transform of the summed exponential score gaps that contains sum-exponential, cross-entropy, generalized cross-entropy and MAE as τ goes from 0 to 2.",
  terms: ({logits, labels}, {tau}) => ({loss: {values: compSumValues(logits!, labels!, tau), kind: "element"}})
});

/**
 * Cross-entropy −log p_y, with optional label smoothing toward the uniform distribution and optional
 * class weights, both with PyTorch's `F.cross_entropy` semantics, batch mean. With `classWeights` w
 * the mean is Σᵢ w_{yᵢ} ℓᵢ / Σᵢ w_{yᵢ}; with smoothing ε as well, PyTorch weights the smoothing part by
 * every class's weight and divides it by the same Σᵢ w_{yᵢ}:
 * (1 − ε)·Σᵢ w_{yᵢ}(−log p_{yᵢ})/Σᵢ w_{yᵢ} + (ε/C)·Σᵢ Σ_k w_k(−log p_{ik})/Σᵢ w_{yᵢ}
 * (aten LossNLL.cpp, cross_entropy_loss_label_smoothing). Per sample this is the term w_{yᵢ}·vᵢ with
 * vᵢ = (1 − ε)(−log p_{yᵢ}) + (ε/C)Σ_k w_k(−log p_{ik})/w_{yᵢ}, reduced as a weighted mean.
 */
export const crossEntropy = defineLoss({
  id: "cross-entropy",
  title: "Cross-entropy",
  family: "classification",
  paper: {
    title: "Rethinking the Inception Architecture for Computer Vision (label smoothing)",
    authors: "Christian Szegedy, Vincent Vanhoucke, Sergey Ioffe, Jonathon Shlens, Zbigniew Wojna",
    venue: "CVPR",
    year: 2016,
    url: "https://arxiv.org/abs/1512.00567"
  },
  code: "pytorch/pytorch:torch/nn/functional.py (cross_entropy, label_smoothing)",
  schema: defineSchema({
    smoothing: {
      type: "number",
      default: 0,
      min: 0,
      max: 0.5,
      step: 0.01,
      symbol: "\\varepsilon",
      doc: "label smoothing: the target puts 1 − ε + ε/C on the label and ε/C on every other class"
    }
  }),
  needs: ["logits", "labels"],
  inputs: {
    classWeights: {
      shape: "[C]",
      dtype: "float32",
      values: "positive",
      doc: "optional weight of each class (PyTorch's weight=): the batch loss becomes Σᵢ w(yᵢ)·ℓᵢ / Σᵢ w(yᵢ)"
    }
  },
  tex: String.raw`\ell = -\sum_k q_k \log p_k,\quad q = (1-\varepsilon)\,e_y + \varepsilon/C`,
  cite: "Szegedy et al. 2016, §7 (label smoothing); ε = 0 is plain cross-entropy; class weights as PyTorch",
  summary: "The negative log-probability of the label, the τ = 1 member of the comp-sum family.",
  terms: ({logits, labels, classWeights}, {smoothing}) => {
    const C = logits!.shape[1];
    if (!classWeights) {
      if (smoothing === 0) return {loss: {values: tf.neg(logProbOfLabel(logits!, labels!)), kind: "element"}};
      const q = tf.add(tf.mul(oneHotFloat(labels!, C), 1 - smoothing), smoothing / C);
      return {loss: {values: tf.neg(tf.sum(tf.mul(q, tf.logSoftmax(logits!)), 1)), kind: "element"}};
    }
    const w = classWeights as tf.Tensor1D;
    const oneHot = oneHotFloat(labels!, C);
    const logp = tf.logSoftmax(logits!);
    const wy = tf.sum(tf.mul(oneHot, w), 1);
    let values = tf.neg(tf.sum(tf.mul(logp, oneHot), 1));
    if (smoothing > 0) {
      const smooth = tf.div(tf.neg(tf.sum(tf.mul(logp, w), 1)), wy);
      values = tf.add(tf.mul(values, 1 - smoothing), tf.mul(smooth, smoothing / C));
    }
    return {loss: {values, kind: "element", weights: wy}};
  }
});

/** Generalized cross-entropy (1 − p_y^q)/q: interpolates between CE (q → 0) and MAE (q = 1) for robustness to label noise. */
export const generalizedCrossEntropy = defineLoss({
  id: "generalized-cross-entropy",
  title: "Generalized cross-entropy (Lq)",
  family: "classification",
  paper: {
    title: "Generalized Cross Entropy Loss for Training Deep Neural Networks with Noisy Labels",
    authors: "Zhilu Zhang, Mert R. Sabuncu",
    venue: "NeurIPS",
    year: 2018,
    url: "https://arxiv.org/abs/1805.07836"
  },
  schema: defineSchema({
    q: {
      type: "number",
      default: 0.7,
      min: 0.05,
      max: 1,
      step: 0.05,
      symbol: "q",
      doc: "q → 0 approaches cross-entropy, q = 1 is MAE; the paper's default is 0.7"
    }
  }),
  needs: ["logits", "labels"],
  tex: String.raw`\ell_q = \frac{1 - p_y^{\,q}}{q}`,
  cite: "Zhang & Sabuncu 2018, eq. 6; comp-sum τ = 1 + q (Mao et al. 2023)",
  summary: "Cross-entropy's gradient weighted by p_y^q: confidently wrong (often mislabelled) samples pull less.",
  terms: ({logits, labels}, {q}) => ({loss: {values: compSumValues(logits!, labels!, 1 + q), kind: "element"}})
});

/** Mean absolute error between the one-hot label and the softmax, halved: 1 − p_y. Bounded, hence robust to symmetric label noise. */
export const meanAbsoluteError = defineLoss({
  id: "mean-absolute-error",
  title: "Mean absolute error (1 − p_y)",
  family: "classification",
  paper: {
    title: "Robust Loss Functions under Label Noise for Deep Neural Networks",
    authors: "Aritra Ghosh, Himanshu Kumar, P. S. Sastry",
    venue: "AAAI",
    year: 2017,
    url: "https://arxiv.org/abs/1712.09482"
  },
  schema: defineSchema({}),
  needs: ["logits", "labels"],
  tex: String.raw`\ell = 1 - p_y = \tfrac12 \lVert e_y - p \rVert_1`,
  cite: "Ghosh et al. 2017 (MAE is symmetric, hence noise-tolerant); comp-sum τ = 2 (Mao et al. 2023)",
  summary:
    "Bounded and symmetric, so uniform label noise cannot move its minimiser, but its gradient vanishes on hard samples.",
  terms: ({logits, labels}) => ({loss: {values: compSumValues(logits!, labels!, 2), kind: "element"}})
});

/** Sum-exponential loss Σ_{y'≠y} e^{h_{y'} − h_y} = 1/p_y − 1: the multiclass exponential loss, τ = 0. */
export const sumExponential = defineLoss({
  id: "sum-exponential",
  title: "Sum-exponential loss",
  family: "classification",
  paper: compSumPaper,
  schema: defineSchema({}),
  needs: ["logits", "labels"],
  tex: String.raw`\ell = \sum_{y'\neq y} e^{h_{y'} - h_y} = \frac{1}{p_y} - 1`,
  cite: "Mao, Mohri & Zhong 2023, comp-sum τ = 0",
  summary:
    "Grows exponentially with how wrong a sample is, so a few badly misclassified points dominate; values above e^80 continue linearly to stay finite.",
  terms: ({logits, labels}) => ({loss: {values: compSumValues(logits!, labels!, 0), kind: "element"}})
});
