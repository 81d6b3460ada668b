import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {Paper} from "./defineLoss.js";
import {oneHotFloat} from "./masks.js";

const zLossPaper: Paper = {
  title: "The Z-loss: a shift and scale invariant classification loss belonging to the Spherical Family",
  authors: "Alexandre de Brébisson, Pascal Vincent",
  venue: "arXiv",
  year: 2016,
  url: "https://arxiv.org/abs/1604.08859"
};

const sphericalPaper: Paper = {
  title: "An Exploration of Softmax Alternatives Belonging to the Spherical Loss Family",
  authors: "Alexandre de Brébisson, Pascal Vincent",
  venue: "ICLR",
  year: 2016,
  url: "https://arxiv.org/abs/1511.05042"
};

/** Added to the variance before the square root: the σ = 0 of equal logits gives z = 0, not 0/0. */
export const zLossEps = 1e-8;

/**
 * Z-normalised target scores z_c = (o_c − μ)/σ per sample, with μ and σ the mean and population
 * standard deviation of the row. The variance is the mean of squared deviations (not E[o²] − μ²,
 * which cancels catastrophically in float32 when the logits share a large offset).
 */
export function zScoreOfLabel(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const mu = tf.mean(logits, 1, true);
  const centred = tf.sub(logits, mu);
  const sd = tf.sqrt(tf.add(tf.mean(tf.square(centred), 1, true), zLossEps));
  return tf.sum(tf.mul(tf.div(centred, sd), oneHotFloat(labels, logits.shape[1])), 1) as tf.Tensor1D;
}

/**
 * Z-loss softplus(a(b − z_c))/a on the z-normalised target score (de Brébisson & Vincent 2016),
 * batch mean. Invariant to adding a constant to a sample's logits and to rescaling them by k > 0
 * (up to the ε = 1e-8 in σ). No official code exists and the paper's (a, b) are unconfirmed: the
 * defaults a = 1, b = 2 are the method card's toy values. With population σ, z_c ≤ √(C − 1), so for
 * b > √(C − 1) the loss never vanishes (it keeps pushing the target score up).
 */
export const zLoss = defineLoss({
  id: "z-loss",
  title: "Z-loss",
  family: "classification",
  paper: zLossPaper,
  schema: defineSchema({
    a: {
      type: "number",
      default: 1,
      min: 0.05,
      max: 20,
      step: 0.05,
      scale: "log",
      symbol: "a",
      doc: "sharpness of the softplus (paper value unconfirmed; card toy range 0.5–4)"
    },
    b: {
      type: "number",
      default: 2,
      min: -5,
      max: 10,
      step: 0.1,
      symbol: "b",
      doc: "target z-score of the label's logit; keep b ≤ √(C − 1), the largest z-score C classes allow"
    }
  }),
  needs: ["logits", "labels"],
  tex: String.raw`\ell = \tfrac{1}{a}\log\!\bigl(1 + e^{a(b - z_c)}\bigr),\quad z_c = \frac{o_c - \mu(o)}{\sigma(o)}`,
  cite: "de Brébisson & Vincent 2016, The Z-loss (definition of L_Z)",
  summary:
    "Standardises each sample's scores and asks the label's z-score to exceed b: a loss that, like top-k error, ignores shifts and positive rescalings of the logits.",
  terms: ({logits, labels}, {a, b}) => {
    const zc = zScoreOfLabel(logits!, labels!);
    return {loss: {values: tf.div(tf.softplus(tf.mul(tf.sub(b, zc), a)), a), kind: "element"}};
  }
});

/**
 * Squared error Σ_k (o_k − e_{y,k})² against the one-hot label, summed over classes and averaged over
 * the batch. By default on the raw scores, the spherical-family MSE of Vincent et al. 2015 and of the
 * Z-loss comparisons (de Brébisson & Vincent 2016); `output: "softmax"` gives the Brier score on
 * probabilities instead. PyTorch's MSELoss(mean) would also divide by C; we follow the papers' sum.
 */
export const mseOneHot = defineLoss({
  id: "mse-onehot",
  title: "Squared error to the one-hot label",
  family: "classification",
  paper: sphericalPaper,
  schema: defineSchema({
    output: {
      type: "enum",
      default: "logits",
      options: ["logits", "softmax"] as const,
      labels: {logits: "raw scores (spherical)", softmax: "softmax probabilities (Brier)"},
      doc: "compare the one-hot label with the raw scores (the spherical-family MSE) or with the softmax"
    }
  }),
  needs: ["logits", "labels"],
  tex: String.raw`\ell = \sum_{k} \bigl(o_k - [k = y]\bigr)^2`,
  cite: "de Brébisson & Vincent 2016 (MSE baseline of the spherical family); Vincent et al. 2015",
  summary: "The plain regression loss on one-hot targets: a spherical-family baseline that needs only Σo, Σo² and o_y.",
  terms: ({logits, labels}, {output}) => {
    const out = output === "softmax" ? tf.softmax(logits!) : logits!;
    const diff = tf.sub(out, oneHotFloat(labels!, logits!.shape[1]));
    return {loss: {values: tf.sum(tf.square(diff), 1), kind: "element"}};
  }
});

function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 2 || order % 2 !== 0) {
    throw new Error(`taylor-softmax: invalid order: ${order} (must be an even integer ≥ 2)`);
  }
}

/**
 * log f(o) for the Taylor polynomial f(o) = Σ_{i=0..n} oⁱ/i! of exp, element-wise (Horner). For even
 * n the polynomial is strictly positive, so its log is finite; f stays below float32's limit while
 * |o|ⁿ/n! < 3e38 (e.g. |o| < 2.6e19 at n = 2, |o| ≈ 1.2e4 at n = 10).
 */
export function logTaylorExp(x: tf.Tensor, order: number): tf.Tensor {
  checkOrder(order);
  let f: tf.Tensor = tf.fill(x.shape, 1 / factorial(order));
  for (let i = order - 1; i >= 0; --i) f = tf.add(tf.mul(f, x), 1 / factorial(i));
  return tf.log(f);
}

function factorial(n: number): number {
  let out = 1;
  for (let i = 2; i <= n; ++i) out *= i;
  return out;
}

/** The Taylor softmax f(o_k)/Σ_j f(o_j) with f the even-order Taylor polynomial of exp: positive rows that sum to 1. */
export function taylorSoftmax(logits: tf.Tensor2D, order = 2): tf.Tensor2D {
  return tf.tidy(() => {
    const logf = logTaylorExp(logits, order);
    return tf.exp(tf.sub(logf, tf.logSumExp(logf, 1, true))) as tf.Tensor2D;
  });
}

/**
 * Log-Taylor-softmax loss −log(f(o_y)/Σ_k f(o_k)), f(o) = 1 + o + o²/2 (+ … up to the even `order`),
 * batch mean (de Brébisson & Vincent, ICLR 2016). The normaliser is formed as a
 * logSumExp of log f, so large orders and scores do not overflow the sum.
 */
export const taylorSoftmaxLoss = defineLoss({
  id: "taylor-softmax",
  title: "Taylor-softmax loss",
  family: "classification",
  paper: sphericalPaper,
  schema: defineSchema({
    order: {
      type: "int",
      default: 2,
      min: 2,
      max: 10,
      step: 2,
      symbol: "n",
      doc: "even order of the Taylor expansion of exp (odd orders can go negative); the paper uses 2"
    }
  }),
  needs: ["logits", "labels"],
  tex: String.raw`\ell = -\log \frac{f(o_y)}{\sum_k f(o_k)},\quad f(o) = \sum_{i=0}^{n} \frac{o^i}{i!}`,
  cite: "de Brébisson & Vincent 2016, An Exploration of Softmax Alternatives (Taylor softmax)",
  summary:
    "Replaces exp in the softmax with its second-order Taylor polynomial 1 + o + o²/2, a spherical-family alternative whose probabilities fall off polynomially rather than exponentially.",
  terms: ({logits, labels}, {order}) => {
    const logf = logTaylorExp(logits!, order);
    const logp = tf.sub(logf, tf.logSumExp(logf, 1, true));
    return {loss: {values: tf.neg(tf.sum(tf.mul(logp, oneHotFloat(labels!, logits!.shape[1])), 1)), kind: "element"}};
  }
});

export const sphericalLosses = Object.freeze([zLoss, mseOneHot, taylorSoftmaxLoss] as const);
