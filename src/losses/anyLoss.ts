import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import {binaryInputs, binaryScore} from "./ensLoss.js";

/** The smoothing of the extension code in every denominator that can vanish (a batch without positives). */
export const anyLossSmoothing = 1e-5;

/** The soft confusion matrix of a batch: sums of A(p) against the 0/1 labels; tp + fp + fn + tn = B. */
export interface SoftConfusion {
  tp: tf.Scalar;
  fp: tf.Scalar;
  fn: tf.Scalar;
  tn: tf.Scalar;
  /** Number of positives Σ y and negatives B − Σ y. */
  positives: tf.Scalar;
  negatives: tf.Scalar;
}

/**
 * AnyLoss's soft confusion matrix: p = σ(z₁ − z₀) (the official sigmoid output), the approximation
 * ŷ = A(p) = σ(L(p − ½)), then TP = Σ yŷ, FN = Σ y(1 − ŷ), FP = Σ (1 − y)ŷ, TN = Σ (1 − y)(1 − ŷ).
 * The official code forms FN, FP and TN by subtraction from N, Σy and Σŷ; the sums here are the same
 * quantities without the cancellation (TN cannot come out negative), with 1 − ŷ = σ(−L(p − ½)).
 */
export function softConfusion(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  amplifier: number,
  id = "anyloss"
): SoftConfusion {
  const p = tf.sigmoid(binaryScore(id, logits));
  const t = tf.mul(tf.sub(p, 0.5), amplifier);
  const yhat = tf.sigmoid(t);
  const notYhat = tf.sigmoid(tf.neg(t));
  const y = tf.cast(labels, "float32");
  const notY = tf.sub(1, y);
  const positives = tf.sum(y) as tf.Scalar;
  return {
    tp: tf.sum(tf.mul(y, yhat)),
    fn: tf.sum(tf.mul(y, notYhat)),
    fp: tf.sum(tf.mul(notY, yhat)),
    tn: tf.sum(tf.mul(notY, notYhat)),
    positives,
    negatives: tf.sub(labels.shape[0], positives) as tf.Scalar
  };
}

export const anyLossMetrics = ["accuracy", "f1", "balanced-accuracy", "g-mean"] as const;
export type AnyLossMetric = (typeof anyLossMetrics)[number];

/** The soft metric of a soft confusion matrix (AnyLoss_Code.ipynb formulas; see anyLoss's doc for the choices). */
export function softMetric(m: SoftConfusion, metric: AnyLossMetric, beta = 1): tf.Scalar {
  const s = anyLossSmoothing;
  switch (metric) {
    case "accuracy":
      return tf.div(tf.add(m.tp, m.tn), tf.add(m.positives, m.negatives));
    case "f1": {
      const b2 = beta * beta;
      return tf.div(tf.mul(m.tp, 1 + b2), tf.add(tf.add(tf.mul(m.positives, b2), tf.add(m.tp, m.fp)), s));
    }
    case "balanced-accuracy": {
      const num = tf.add(tf.mul(m.negatives, m.tp), tf.mul(m.positives, m.tn));
      return tf.div(num, tf.add(tf.mul(tf.mul(m.positives, m.negatives), 2), s));
    }
    case "g-mean": {
      const ratio = tf.div(tf.mul(m.tp, m.tn), tf.add(tf.mul(m.positives, m.negatives), s));
      // The floor keeps the square root's derivative finite when TP·TN is 0 (a batch of one class).
      return tf.sqrt(tf.maximum(ratio, 1e-12));
    }
  }
}

/**
 * AnyLoss: 1 − (a confusion-matrix metric) computed from soft counts of the sharpened probabilities
 * A(p) = σ(L(p − ½)), so accuracy, F-β, balanced accuracy or the G-mean is optimised directly
 * (Han, Moniz & Chawla 2024; authors' code `AnyLoss_Code.ipynb`). Binary: p = σ(z₁ − z₀) is the
 * official sigmoid output. One value per batch (a ratio of batch sums; per-sample weights do not apply).
 * Choices where the paper's notebooks and the extension code differ: the batch's own size (the
 * notebooks use the training-set size); s = 1e-5 in the F-β, balanced-accuracy and G-mean denominators
 * (extension; none in the paper, which divides by 0 without positives); the G-mean keeps the paper's
 * square root (the extension drops it), floored at 1e-12 inside.
 */
export const anyLoss = defineLoss({
  id: "anyloss",
  title: "AnyLoss (confusion-matrix metrics as losses)",
  family: "classification",
  paper: {
    title: "AnyLoss: Transforming Classification Metrics into Loss Functions",
    authors: "Doheon Han, Nuno Moniz, Nitesh V. Chawla",
    venue: "KDD",
    year: 2024,
    url: "https://arxiv.org/abs/2405.14745"
  },
  code: "doheonhan/anyloss_extension:AnyLoss_Code.ipynb (confusion_matrix, Any_Fbeta, Any_Gmean, Any_BAccu)",
  schema: defineSchema({
    metric: {
      type: "enum",
      default: "f1",
      options: anyLossMetrics,
      labels: {
        accuracy: "accuracy",
        f1: "F-β (F1 at β = 1)",
        "balanced-accuracy": "balanced accuracy",
        "g-mean": "G-mean"
      },
      doc: "the confusion-matrix metric the loss is 1 minus"
    },
    amplifier: {
      type: "number",
      default: 73,
      min: 1,
      max: 1e4,
      step: 1,
      scale: "log",
      symbol: "L",
      doc: "steepness L of the approximation A(p) = σ(L(p − ½)); the paper's default 73, larger is closer to hard counts"
    },
    beta: {
      type: "number",
      default: 1,
      min: 0.1,
      max: 10,
      step: 0.1,
      scale: "log",
      symbol: "\\beta",
      when: {metric: ["f1"]},
      doc: "F-β weight of recall over precision (1 = F1)"
    }
  }),
  needs: ["logits", "labels"],
  inputs: binaryInputs,
  tex: String.raw`\mathcal L = 1 - M(\mathrm{TN}, \mathrm{FP}, \mathrm{FN}, \mathrm{TP}),\quad \mathrm{TP} = \sum_i y_i \hat y_i,\ \mathrm{FP} = \sum_i (1-y_i)\hat y_i,\ \ldots,\quad \hat y_i = \frac{1}{1 + e^{-L(p_i - 1/2)}},\ p_i = \sigma(z_{i1} - z_{i0})`,
  cite: "Han, Moniz & Chawla 2024 (the approximation function A(p) and the confusion-matrix metric losses)",
  summary:
    "Turns accuracy, F-β, balanced accuracy or G-mean into a differentiable batch loss by counting sharpened probabilities instead of hard decisions.",
  terms: ({logits, labels, weights}, {metric, amplifier, beta}) => {
    if (weights) {
      throw new Error("anyloss: per-sample weights are not supported (the loss is one ratio of batch counts)");
    }
    const m = softConfusion(logits!, labels!, amplifier);
    return {loss: {values: tf.sub(1, softMetric(m, metric, beta)), kind: "element"}};
  }
});

export const anyLossLosses = [anyLoss] as const;
