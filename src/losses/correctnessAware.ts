import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import {argmaxMatches} from "./kd.js";
import {oneHotFloat} from "./masks.js";

// The one-hot of the first maximum per row, a constant for the gradient tape (TF.js cannot backprop
// through ArgMax/OneHot/Cast, and the selection is piecewise constant anyway).
const predictedOneHot: (logits: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(((logits: tf.Tensor2D) => ({
  value: oneHotFloat(tf.argMax(logits, 1) as tf.Tensor1D, logits.shape[1]),
  gradFunc: () => tf.zerosLike(logits)
})) as any) as any;

/**
 * The top-label confidence max_c softmax(z)_c per sample, as exp(z_ŷ − logSumExp z) with ŷ the first
 * maximum (torch.max's index): its gradient goes to the predicted class only, also on ties (tf.max's
 * gradient would go to every tied class).
 */
export function topLabelConfidence(logits: tf.Tensor2D): tf.Tensor1D {
  const predicted = predictedOneHot(logits);
  const top = tf.sum(tf.mul(logits, predicted), 1);
  return tf.exp(tf.sub(top, tf.logSumExp(logits, 1))) as tf.Tensor1D;
}

/**
 * Correctness-aware (CA) calibration loss (Liu et al. 2024): the squared gap between the calibrated
 * top-label confidence and the 0/1 correctness of the prediction, with class-balance weights 1 − acc
 * on correct and acc on wrong samples (acc the batch accuracy), reduced as Σ wᵢℓᵢ / Σ wᵢ. It pulls the
 * confidence of right predictions up and of wrong ones down, where cross-entropy would raise a wrong
 * prediction's confidence when the true class is a close second. As the official
 * Temperature_adaptive.set_temperature: `logits` are the calibrated logits z/T(a) of the calibrator
 * (the gradient reaches the per-sample temperature through them), correctness is argmax = label of
 * those logits (a positive temperature never moves the argmax, so it equals the uncalibrated one).
 * When every sample in the batch is right (or every one wrong) all weights are 0 and the loss is 0
 * with a zero gradient (PyTorch gives 0/0 = NaN there).
 */
export const correctnessAware = defineLoss({
  id: "correctness-aware",
  title: "Correctness-aware calibration loss (CA)",
  family: "calibration",
  paper: {
    title: "Optimizing Calibration by Gaining Aware of Prediction Correctness",
    authors: "Yuchi Liu, Lei Wang, Yuli Zou, James Zou, Liang Zheng",
    venue: "arXiv preprint",
    year: 2024,
    url: "https://arxiv.org/abs/2404.13016"
  },
  code: "liuyvchi/Correctness-aware-calibration:src/cal_metrics/temperature_scaling_CA.py (Temperature_adaptive.set_temperature)",
  schema: defineSchema({
    balance: {
      type: "boolean",
      default: true,
      doc: "weight correct samples by 1 − acc and wrong ones by acc (official); off: a plain mean of (conf − correct)²"
    }
  }),
  needs: ["logits", "labels"],
  inputs: {
    logits: {
      shape: "[B, C]",
      dtype: "float32",
      values: "real",
      doc: "calibrated logits z/T of a frozen classifier, T > 0 per sample from the calibrator (the gradient flows through T)"
    }
  },
  tex: String.raw`\mathcal L = \frac{\sum_i w_i\,\bigl(\max_c \sigma(z_i/T_i)_c - \mathbb 1[\hat y_i = y_i]\bigr)^2}{\sum_i w_i},\; w_i = \begin{cases}1-\mathrm{acc} & \hat y_i = y_i\\ \mathrm{acc} & \hat y_i \ne y_i\end{cases}`,
  cite: "Liu et al. 2024 (CA loss); class-balance weights and reduction from temperature_scaling_CA.py",
  summary:
    "Regresses the calibrated confidence onto whether the prediction is right, so a calibrator lowers confidence on mistakes, narrow ones included, instead of fitting the true class's probability.",
  terms: ({logits, labels}, {balance}) => {
    const correct = argmaxMatches(logits!, labels!);
    const values = tf.square(tf.sub(topLabelConfidence(logits!), correct));
    if (!balance) return {loss: {values, kind: "element"}};
    const accuracy = tf.mean(correct);
    // 1 − acc where correct, acc where wrong: c·(1 − acc) + (1 − c)·acc.
    const weights = tf.add(tf.mul(correct, tf.sub(1, accuracy)), tf.mul(tf.sub(1, correct), accuracy));
    return {loss: {values, kind: "element", weights}};
  }
});

export const correctnessAwareLosses = Object.freeze([correctnessAware] as const);
