import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {InputSpec, ValueKind} from "./checks.js";
import type {Paper} from "./defineLoss.js";

const tyurinPaper: Paper = {
  title: "From Logistic Regression to the Perceptron Algorithm: Exploring Gradient Descent with Large Step Sizes",
  authors: "Alexander Tyurin",
  venue: "arXiv",
  year: 2024,
  url: "https://arxiv.org/abs/2412.08424"
};

const signKind: ValueKind = "sign";

const binaryInputs: Record<string, InputSpec> = {
  scores: {
    shape: "[B]",
    dtype: "float32",
    values: "real",
    doc: "one real score f(x) = aᵀw per sample (a linear model's output; append 1 to a for a bias)"
  },
  signs: {
    shape: "[B]",
    dtype: "float32",
    values: signKind,
    doc: "the binary label of each sample as a sign y ∈ {−1, +1} (the margin is y·f(x))"
  }
};

/** Margins m_i = y_i·f(x_i). */
function margins(scores: tf.Tensor, signs: tf.Tensor): tf.Tensor1D {
  return tf.mul(scores, signs) as tf.Tensor1D;
}

/**
 * Logistic loss log(1 + e^{−y·f}) = softplus(−y·f) for binary labels y ∈ {±1}, batch mean: the
 * objective f(w) = (1/n) Σ log(1 + e^{−m_i(w)}) of LR+GD in Tyurin 2024. Written as TF.js's
 * softplus, which is linear beyond its threshold, so margins of ±1e4 (which large step sizes reach)
 * give finite values and gradients. Normalized LR+GD in the method card's (reconstructed) form w ← w − γ∇f/f is plain GD on log f.
 */
export const logistic = defineLoss({
  id: "logistic",
  title: "Logistic loss (binary)",
  family: "classification",
  paper: tyurinPaper,
  schema: defineSchema({}),
  needs: ["scores", "signs"],
  inputs: binaryInputs,
  tex: String.raw`\ell = \log\bigl(1 + e^{-y f(x)}\bigr)`,
  cite: "Tyurin 2024 (logistic regression objective of LR+GD)",
  summary:
    "The binary logistic-regression loss on the margin y·f(x); on separable data GD with huge step sizes on it behaves like the batch perceptron.",
  terms: ({scores, signs}) => ({
    loss: {values: tf.softplus(tf.neg(margins(scores as tf.Tensor, signs as tf.Tensor))), kind: "element"}
  })
});

/** max(0, −m) with the derivative (sign(m) − 1)/2: −1 for m < 0, −½ at m = 0, 0 for m > 0. */
const perceptronHinge = tf.customGrad(((m: tf.Tensor, save: (tensors: tf.Tensor[]) => void) => {
  save([m]);
  return {
    value: tf.relu(tf.neg(m)),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.mul(tf.sub(tf.sign(saved), 1), 0.5))
  };
}) as any) as (m: tf.Tensor) => tf.Tensor;

/**
 * Batch-perceptron loss max(0, −y·f), batch mean: its gradient step is the batch perceptron update
 * v ← v + (1/n) Σ_i y_i a_i (1[m_i < 0] + ½·1[m_i = 0]), the γ → ∞ limit of LR+GD in Tyurin 2024.
 * Its derivative in the margin is set explicitly to −(1[m < 0] + ½·1[m = 0]) = (sign(m) − 1)/2, so a tie
 * counts by half, exactly as in the limit (TF.js's own subgradients at 0 would give 0 for relu and a
 * full −1 for |m|; at w₀ = 0 every point is a tie).
 */
export const batchPerceptron = defineLoss({
  id: "batch-perceptron",
  title: "Batch perceptron loss",
  family: "classification",
  paper: tyurinPaper,
  schema: defineSchema({}),
  needs: ["scores", "signs"],
  inputs: binaryInputs,
  tex: String.raw`\ell = \max\bigl(0, -y f(x)\bigr)`,
  cite: "Tyurin 2024 (batch perceptron as the γ → ∞ limit of LR+GD); Rosenblatt's perceptron criterion",
  summary:
    "Zero for correctly classified points and linear in the violation otherwise, so a gradient step adds every misclassified point in full: the batch perceptron.",
  terms: ({scores, signs}) => {
    const m = margins(scores as tf.Tensor, signs as tf.Tensor);
    return {loss: {values: perceptronHinge(m), kind: "element"}};
  }
});

export const binaryLosses = Object.freeze([logistic, batchPerceptron] as const);
