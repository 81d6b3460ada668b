import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {Paper} from "./defineLoss.js";
import {oneHotFloat} from "./masks.js";

const dicePaper: Paper = {
  title: "Dice Loss for Data-imbalanced NLP Tasks",
  authors: "Xiaoya Li, Xiaofei Sun, Yuxian Meng, Junjun Liang, Fei Wu, Jiwei Li",
  venue: "ACL",
  year: 2020,
  url: "https://arxiv.org/abs/1911.02855"
};

/**
 * log p and log(1 − p) per class, [B, C] each, from the logits without forming 1 − p: log(1 − p_c) is
 * the log-sum-exp over the other classes minus the log-sum-exp over all (the own class masked with a
 * finite −1e9). Needed because (1 − p)^α has an infinite derivative where p rounds to 1.
 */
function logProbAndComplement(logits: tf.Tensor2D): {logP: tf.Tensor2D; logNotP: tf.Tensor2D} {
  const [B, C] = logits.shape;
  const lse = tf.logSumExp(logits, 1, true);
  const others = tf.add(tf.reshape(logits, [B, 1, C]), tf.mul(tf.eye(C), -1e9));
  return {
    logP: tf.sub(logits, lse) as tf.Tensor2D,
    logNotP: tf.sub(tf.logSumExp(others, 2), lse) as tf.Tensor2D
  };
}

/** log p and log(1 − p) of the positive class, [B], for two-column logits: p = σ(z₁ − z₀). */
function binaryLogProbs(id: string, logits: tf.Tensor2D): {logP: tf.Tensor1D; logNotP: tf.Tensor1D} {
  if (logits.shape[1] !== 2) {
    throw new Error(`${id}: logits must be [B, 2] in binary mode (the score is z₁ − z₀), got [${logits.shape}]`);
  }
  const f = tf.sum(tf.mul(logits, tf.tensor1d([-1, 1])), 1);
  return {logP: tf.neg(tf.softplus(tf.neg(f))) as tf.Tensor1D, logNotP: tf.neg(tf.softplus(f)) as tf.Tensor1D};
}

/** The self-adjusted probability q = (1 − p)^α · p, as exp(α log(1 − p) + log p). */
function selfAdjusted(logP: tf.Tensor, logNotP: tf.Tensor, alpha: number): tf.Tensor {
  return alpha === 0 ? tf.exp(logP) : tf.exp(tf.add(tf.mul(logNotP, alpha), logP));
}

const modeParam = {
  type: "enum",
  default: "multiclass",
  options: ["multiclass", "binary"],
  labels: {multiclass: "multiclass (softmax, every class)", binary: "binary (positive class, C = 2)"},
  doc: "multiclass: softmax over C, one Dice term per class summed; binary: the positive class's p = σ(z₁ − z₀) only"
} as const;

/**
 * Self-adjusting Dice loss: 1 − Dice between the labels and the down-weighted probabilities
 * q = (1 − p)^α·p, so confidently classified examples stop dominating and training tracks F1 (Li et al.
 * 2020; official `DiceLoss`). Multiclass (the official `_multiple_class` path): softmax, one
 * Dice term per example and class, summed over classes, batch mean. Binary (`_binary_class`, a model
 * with one logit f = z₁ − z₀): one Dice over the whole batch. Denominators: "square" is the official
 * `--dice_square` that every released script uses (q² + y², per example in multiclass, summed over the
 * batch in binary); "batch" is the official default (Σ_batch q + Σ_batch y, also in multiclass); "linear"
 * is the paper's per-example q + y. Defaults α = 0.01, γ = 1, square are the released scripts'.
 */
export const dice = defineLoss({
  id: "dice",
  title: "Self-adjusting Dice loss",
  family: "classification",
  paper: dicePaper,
  code: "ShannonAI/dice_loss_for_NLP:loss/dice_loss.py (DiceLoss)",
  schema: defineSchema({
    alpha: {
      type: "number",
      default: 0.01,
      min: 0,
      max: 5,
      step: 0.01,
      symbol: "\\alpha",
      doc: "self-adjusting exponent of (1 − p)^α·p: 0 is plain Dice; the released scripts use 0.01"
    },
    smooth: {
      type: "number",
      default: 1,
      min: 1e-6,
      max: 10,
      step: 0.01,
      scale: "log",
      symbol: "\\gamma",
      doc: "smoothing added to numerator and denominator; the released scripts use 1 (the parser default is 1e-4)"
    },
    denominator: {
      type: "enum",
      default: "square",
      options: ["square", "batch", "linear"],
      labels: {
        square: "q² + y² (official scripts)",
        batch: "batch sums of q + y (official default)",
        linear: "q + y per example (paper)"
      },
      doc: "square: Σ q² + Σ y² (--dice_square); batch: q and y summed over the batch; linear: q + y per example"
    },
    mode: modeParam
  }),
  needs: ["logits", "labels"],
  tex: String.raw`\ell_i = \sum_{c} \Big(1 - \frac{2\,q_{ic}\,y_{ic} + \gamma}{q_{ic}^2 + y_{ic}^2 + \gamma}\Big),\quad q_{ic} = (1 - p_{ic})^{\alpha}\,p_{ic}`,
  cite: "Li et al. 2020 (self-adjusting Dice loss) and the official DiceLoss (square denominator, per-class sum)",
  summary:
    "An F1-like overlap loss on probabilities damped by (1 − p)^α, so the flood of easy negatives in imbalanced data stops dominating training.",
  terms: ({logits, labels, weights}, {alpha, smooth, denominator, mode}) => {
    if (mode === "binary") {
      if (weights) throw new Error("dice: per-sample weights are not supported in binary mode (one batch-level Dice)");
      const {logP, logNotP} = binaryLogProbs("dice", logits!);
      const q = selfAdjusted(logP, logNotP, alpha);
      const y = tf.cast(labels!, "float32");
      const num = tf.mul(tf.mul(q, y), 2);
      if (denominator === "linear") {
        const values = tf.sub(1, tf.div(tf.add(num, smooth), tf.add(tf.add(q, y), smooth)));
        return {loss: {values, kind: "element"}};
      }
      const den =
        denominator === "square" ? tf.add(tf.sum(tf.square(q)), tf.sum(tf.square(y))) : tf.add(tf.sum(q), tf.sum(y));
      return {loss: {values: tf.sub(1, tf.div(tf.add(tf.sum(num), smooth), tf.add(den, smooth))), kind: "element"}};
    }
    const {logP, logNotP} = logProbAndComplement(logits!);
    const q = selfAdjusted(logP, logNotP, alpha);
    const y = oneHotFloat(labels!, logits!.shape[1]);
    const num = tf.add(tf.mul(tf.mul(q, y), 2), smooth);
    const den =
      denominator === "square"
        ? tf.add(tf.square(q), tf.square(y))
        : denominator === "linear"
          ? tf.add(q, y)
          : tf.add(tf.sum(q, 0, true), tf.sum(y, 0, true));
    const values = tf.sum(tf.sub(1, tf.div(num, tf.add(den, smooth))), 1);
    return {loss: {values, kind: "element"}};
  }
});

/**
 * Tversky loss: 1 − the Tversky index, a Dice whose false positives weigh α and false negatives β, so
 * recall can be traded for precision (Li et al. 2020, after Salehi et al. 2017); per example
 * (y₀ = 1 − y, p₀ = 1 − p), batch mean. Not in the official code: from the paper. Multiclass sums one
 * term per class (as the official Dice does); binary uses the positive class only, as the paper's
 * formula. α = β = ½ is the paper's per-example Dice 1 − (2py + 2γ)/(p + y + 2γ).
 */
export const tversky = defineLoss({
  id: "tversky",
  title: "Tversky loss",
  family: "classification",
  paper: dicePaper,
  schema: defineSchema({
    alpha: {
      type: "number",
      default: 0.5,
      min: 0,
      max: 1,
      step: 0.05,
      symbol: "\\alpha",
      doc: "weight of false positives p·(1 − y); α = β = ½ is Dice, the paper sweeps α with β = 1 − α"
    },
    beta: {
      type: "number",
      default: 0.5,
      min: 0,
      max: 1,
      step: 0.05,
      symbol: "\\beta",
      doc: "weight of false negatives (1 − p)·y; raise it to favour recall"
    },
    smooth: {
      type: "number",
      default: 1,
      min: 1e-6,
      max: 10,
      step: 0.01,
      scale: "log",
      symbol: "\\gamma",
      doc: "smoothing added to numerator and denominator"
    },
    mode: modeParam
  }),
  needs: ["logits", "labels"],
  tex: String.raw`\ell_i = \sum_{c}\Big(1 - \frac{p_{ic} y_{ic} + \gamma}{p_{ic} y_{ic} + \alpha\, p_{ic}(1 - y_{ic}) + \beta\,(1 - p_{ic})\, y_{ic} + \gamma}\Big)`,
  cite: "Li et al. 2020 (Dice coefficient and Tversky index); Salehi, Erdogmus & Gholipour 2017",
  summary:
    "A Dice loss with separate weights on false positives and false negatives, to move the balance between precision and recall.",
  terms: ({logits, labels}, {alpha, beta, smooth, mode}) => {
    let p: tf.Tensor, notP: tf.Tensor, y: tf.Tensor;
    if (mode === "binary") {
      const {logP, logNotP} = binaryLogProbs("tversky", logits!);
      [p, notP, y] = [tf.exp(logP), tf.exp(logNotP), tf.cast(labels!, "float32")];
    } else {
      const {logP, logNotP} = logProbAndComplement(logits!);
      [p, notP, y] = [tf.exp(logP), tf.exp(logNotP), oneHotFloat(labels!, logits!.shape[1])];
    }
    const tp = tf.mul(p, y);
    const fp = tf.mul(tf.mul(p, tf.sub(1, y)), alpha);
    const fn = tf.mul(tf.mul(notP, y), beta);
    const index = tf.div(tf.add(tp, smooth), tf.add(tf.add(tf.add(tp, fp), fn), smooth));
    const perClass = tf.sub(1, index);
    return {loss: {values: mode === "binary" ? perClass : tf.sum(perClass, 1), kind: "element"}};
  }
});

export const diceLosses = [dice, tversky] as const;
