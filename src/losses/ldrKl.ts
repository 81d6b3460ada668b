import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {LossInputs, Paper} from "./defineLoss.js";
import {oneHotFloat} from "./masks.js";
import type {SampleState} from "./state.js";

const ldrPaper: Paper = {
  title: "Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness and Adaptivity",
  authors: "Dixian Zhu, Yiming Ying, Tianbao Yang",
  venue: "ICML",
  year: 2023,
  url: "https://arxiv.org/abs/2112.14869"
};

// Floor for ALDR's row scale ‖z‖₁/C. The official code divides without one, which is NaN for a row of
// zeros (e.g. a zero-initialised last layer). The floor's square (which the gradient of the division
// divides by) stays a normal float32, and wherever the row scale exceeds 1e-12 the values agree exactly.
const scaleFloor = 1e-12;

/**
 * Evaluates `fn` on x off the gradient tape: customGrad runs its forward pass unrecorded and passes a
 * zero gradient back, so x's value flows in and nothing flows out (PyTorch's `.detach()` applied to a
 * whole computation, including ops such as comparisons that have no gradient of their own).
 */
function offTape<T extends tf.Tensor>(fn: (x: tf.Tensor) => T): (x: tf.Tensor) => T {
  return tf.customGrad(((x: tf.Tensor) => ({value: fn(x), gradFunc: () => tf.zerosLike(x)})) as any) as any;
}

// log(softplus(z)) without underflow: below −10, softplus(z) = e^z(1 − e^z/2 + …), so its log is
// z − e^z/2 to within 1e-9. The branches are blended with a 0/1 step mask (comparisons have no
// gradient in TF.js), and both are finite everywhere, so no NaN reaches the gradient.
function logSoftplus(z: tf.Tensor): tf.Tensor {
  const low = tf.sub(z, tf.div(tf.exp(tf.minimum(z, -10)), 2));
  const high = tf.log(tf.softplus(tf.maximum(z, -10)));
  const isLow = tf.step(tf.sub(-10, z));
  return tf.add(tf.mul(isLow, low), tf.mul(tf.sub(1, isLow), high));
}

/**
 * LDR-KL's score normalisation (official `LDRLoss_V1`): softplus, then each row divided by its mean, so
 * rows average 1. Computed as exp(log softplus(z) − log mean softplus(z)), which equals the official
 * quotient but stays finite in value and gradient when a whole row is very negative (where the
 * official mean underflows to 0).
 */
export function ldrScores(logits: tf.Tensor2D): tf.Tensor2D {
  const C = logits.shape[1];
  const logS = logSoftplus(logits);
  return tf.exp(tf.sub(logS, tf.sub(tf.logSumExp(logS, 1, true), Math.log(C)))) as tf.Tensor2D;
}

/**
 * ALDR-KL's score normalisation (official `ALDRLoss_V1`): optionally softplus (then it is LDR-KL's
 * normalisation, since softplus is positive), otherwise each row divided by its mean absolute value ‖z‖₁/C.
 */
export function aldrScores(logits: tf.Tensor2D, softplus: boolean): tf.Tensor2D {
  if (softplus) return ldrScores(logits);
  return tf.div(logits, tf.maximum(tf.mean(tf.abs(logits), 1, true), scaleFloor)) as tf.Tensor2D;
}

/** Margin-adjusted score gaps d_k = c·[k ≠ y] + f_k − f_y (official `get_diff_logits` plus the margin); d_y = 0. */
export function marginGaps(scores: tf.Tensor2D, labels: tf.Tensor1D, margin: number): tf.Tensor2D {
  const y = oneHotFloat(labels, scores.shape[1]);
  const fy = tf.sum(tf.mul(scores, y), 1, true);
  return tf.add(tf.sub(scores, fy), tf.mul(tf.sub(1, y), margin)) as tf.Tensor2D;
}

/**
 * λ·log((1/C) Σ_k exp(d_k/λ)) per row: the KL-regularised worst case over label distributions, a
 * log-mean-exp (the uniform prior subtracts λ·log C from the log-sum-exp). λ is a number or a [B] tensor.
 */
export function ldrValues(gaps: tf.Tensor2D, lambda: number | tf.Tensor1D): tf.Tensor1D {
  const C = gaps.shape[1];
  const lam = typeof lambda === "number" ? lambda : tf.reshape(lambda, [-1, 1]);
  const lse = tf.logSumExp(tf.div(gaps, lam), 1);
  return tf.mul(tf.sub(lse, Math.log(C)), lambda) as tf.Tensor1D;
}

/**
 * LDR-KL: the worst case over label distributions p of Σ_k p_k d_k − λ·KL(p ‖ uniform), in closed form
 * λ·log-mean-exp of the margin-adjusted gaps of softplus-normalised scores (Zhu, Ying & Yang 2023,
 * official `LDRLoss_V1`); batch mean. λ → 0 gives the Crammer–Singer max of margins, λ → ∞ their mean.
 * The score normalisation is the official code's, not part of the paper's definition.
 */
export const ldrKl = defineLoss({
  id: "ldr-kl",
  title: "LDR-KL loss (label distributionally robust, KL)",
  family: "classification",
  paper: ldrPaper,
  code: "Optimization-AI/ICML2023_LDR:loss.py (LDRLoss_V1)",
  schema: defineSchema({
    lambda: {
      type: "number",
      default: 10,
      min: 1e-3,
      max: 1e4,
      step: 0.01,
      scale: "log",
      symbol: "\\lambda",
      doc: "KL weight: → 0 gives the max of margin violations (Crammer–Singer), → ∞ their mean; the official runs use 10"
    },
    margin: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 5,
      step: 0.05,
      symbol: "c",
      doc: "margin added to every wrong class's score gap (official `--margin`, default 0.1)"
    }
  }),
  needs: ["logits", "labels"],
  tex: String.raw`\ell = \lambda \log \frac{1}{C}\sum_{k} \exp\!\Big(\frac{c\,[k\neq y] + f_k - f_y}{\lambda}\Big),\quad f = \frac{\operatorname{softplus}(z)}{\operatorname{mean}_k \operatorname{softplus}(z_k)}`,
  cite: "Zhu, Ying & Yang 2023 (LDR-KL loss); score normalisation from the official LDRLoss_V1",
  summary:
    "Spreads the loss over the most violated wrong classes with a KL-regularised worst-case weighting: a max-margin loss for small λ, an average of margin violations for large λ.",
  terms: ({logits, labels}, {lambda, margin}) => ({
    loss: {values: ldrValues(marginGaps(ldrScores(logits!), labels!, margin), lambda), kind: "element"}
  })
});

interface AldrParams {
  lambda0: number;
  alpha: number;
  margin: number;
  softplus: boolean;
}

function requireState(inputs: LossInputs): SampleState {
  const state = inputs.state;
  if (!state || typeof (state as SampleState).gather !== "function") {
    throw new Error("aldr-kl: missing input state (create one with sampleState({size, initial}))");
  }
  return state as SampleState;
}

/**
 * The per-sample λᵢ after this step's closed-form update, [B], computed off the gradient tape (official
 * `ALDRLoss_V1.forward`): p = L1-normalise(softmax(f/λᵢ_old) + 1e-5), KL = Σ p log(C·p),
 * λᵢ = λ0 − λ0·KL/(α log C). A stored value ≤ 0 (sampleState's default initial 0) means "not visited yet"
 * and reads as λ0, the official initial value.
 */
function updatedLambda(inputs: LossInputs, {lambda0, alpha, softplus}: AldrParams): tf.Tensor1D {
  const state = requireState(inputs);
  const C = inputs.logits!.shape[1];
  const stored = state.gather(inputs.ids!);
  const old = tf.where(tf.greater(stored, 0), stored, tf.fill(stored.shape, lambda0)) as tf.Tensor1D;
  return offTape((z) => {
    const f = aldrScores(z as tf.Tensor2D, softplus);
    const shifted = tf.add(tf.softmax(tf.div(f, tf.reshape(old, [-1, 1]))), 1e-5);
    // F.normalize(p = 1): divide by the row's L1 norm (at least 1e-12; here it is ≥ 1).
    const p = tf.div(shifted, tf.maximum(tf.sum(shifted, 1, true), 1e-12));
    const kl = tf.sum(tf.mul(p, tf.log(tf.mul(p, C))), 1);
    return tf.sub(lambda0, tf.mul(kl, lambda0 / (alpha * Math.log(C)))) as tf.Tensor1D;
  })(inputs.logits!);
}

/**
 * ALDR-KL: LDR-KL with a per-sample λᵢ updated in closed form each step from how peaked the sample's
 * prediction is (Zhu, Ying & Yang 2023, official `ALDRLoss_V1`); batch mean. The state object
 * (`inputs.state`, a SampleState keyed by `ids`) holds λᵢ: it starts at λ0 (a stored 0 also reads as
 * λ0), each call computes λᵢ ← λ0 − λ0·KL(pᵢ ‖ uniform)/(α log C) with pᵢ = softmax(fᵢ/λᵢ_old) (+1e-5,
 * renormalised), uses the new λᵢ in the loss, and writes it back after the value is computed, off the
 * gradient tape. Since 0 ≤ KL < log C, λᵢ stays in (λ0(1 − 1/α), λ0]. As in the code (unlike the
 * paper's p*, which includes the margin), pᵢ ignores the label and margin; the reported value includes
 * the constant −(α log C/(2λ0))(λᵢ − λ0)².
 */
export const aldrKl = defineLoss({
  id: "aldr-kl",
  title: "ALDR-KL loss (adaptive per-sample λ)",
  family: "classification",
  paper: ldrPaper,
  code: "Optimization-AI/ICML2023_LDR:loss.py (ALDRLoss_V1)",
  schema: defineSchema({
    lambda0: {
      type: "number",
      default: 10,
      min: 1e-2,
      max: 1e3,
      step: 0.01,
      scale: "log",
      symbol: "\\lambda_0",
      doc: "reference (and initial) KL weight; every λᵢ stays in (λ0(1 − 1/α), λ0]; the official runs use 10"
    },
    alpha: {
      type: "number",
      default: 2,
      min: 1.01,
      max: 1e6,
      step: 0.01,
      scale: "log",
      symbol: "\\alpha",
      doc: "strength of the pull of λᵢ toward λ0 (> 1 keeps λᵢ positive; → ∞ freezes λᵢ = λ0); official default 2"
    },
    margin: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 5,
      step: 0.05,
      symbol: "c",
      doc: "margin added to every wrong class's score gap (official `--margin`, default 0.1)"
    },
    softplus: {
      type: "boolean",
      default: false,
      doc: "apply softplus before normalising the scores (the official runs do so only on CIFAR-100)"
    }
  }),
  needs: ["logits", "labels", "ids", "state"],
  inputs: {
    ids: {
      shape: "[B]",
      dtype: "int32",
      values: "sample-id",
      doc: "sample ids (distinct within a batch), the keys of λᵢ in the state"
    }
  },
  tex: String.raw`\ell_i = \lambda_i \log \frac{1}{C}\sum_{k} e^{(c[k\neq y_i] + f_{ik} - f_{iy_i})/\lambda_i} - \frac{\alpha \log C}{2\lambda_0}(\lambda_i - \lambda_0)^2,\quad \lambda_i = \lambda_0 - \frac{\lambda_0\,\mathrm{KL}\big(\operatorname{softmax}(f_i/\lambda_i^{\text{old}})\,\|\,\tfrac{1}{C}\big)}{\alpha \log C},\quad f_i = \frac{C\,z_i}{\lVert z_i \rVert_1}`,
  cite: "Zhu, Ying & Yang 2023 (ALDR-KL) and the official ALDRLoss_V1 (closed-form λ update, score normalisation)",
  summary:
    "Gives every training sample its own KL weight λᵢ: confidently predicted samples get a smaller λᵢ (closer to a max-margin loss), uncertain ones keep λ0 (closer to averaging over labels).",
  terms: (inputs, params) => {
    requireState(inputs);
    const C = inputs.logits!.shape[1];
    if (C < 2)
      throw new Error(
        `aldr-kl: logits must have at least 2 classes (log C scales the update), got [${inputs.logits!.shape}]`
      );
    const lambda = updatedLambda(inputs, params);
    const gaps = marginGaps(aldrScores(inputs.logits!, params.softplus), inputs.labels!, params.margin);
    const penalty = tf.mul(
      tf.square(tf.sub(lambda, params.lambda0)),
      (params.alpha * Math.log(C)) / (2 * params.lambda0)
    );
    return {loss: {values: tf.sub(ldrValues(gaps, lambda), penalty), kind: "element"}};
  },
  after: (inputs, params) => {
    requireState(inputs).write(inputs.ids!, updatedLambda(inputs, params));
  }
});

export const ldrKlLosses = [ldrKl, aldrKl] as const;
