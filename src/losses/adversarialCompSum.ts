import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {compSumValues} from "./compSum.js";
import {defineLoss} from "./defineLoss.js";

// Floor for the squared norm inside the square root: below it the norm is computed as s/√floor,
// which is exactly 0 at s = 0 and keeps the gradient finite (√s has an infinite slope at 0).
const floor = 1e-12;

/**
 * ‖a − b‖₂ per row, exactly 0 (with a zero, finite gradient) when the rows are equal: s/√max(s, ε)
 * with s = ‖a − b‖², which is √s for s ≥ ε = 1e-12.
 */
export function rowDistance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  const s = tf.sum(tf.square(tf.sub(a, b)), 1);
  return tf.div(s, tf.sqrt(tf.maximum(s, floor))) as tf.Tensor1D;
}

/**
 * Smooth adversarial comp-sum loss Φ^τ(u(h(x), y)) + ν·‖h(x') − h(x)‖₂ (Mao, Mohri & Zhong 2023,
 * ADV-COMP-SUM), batch mean: the clean comp-sum loss plus a TRADES-like penalty on how far the score
 * vector moves inside the γ-ball around the input. No official code exists and the exact smooth term
 * is the method card's reconstruction (unconfirmed against the paper's text).
 *
 * The caller supplies `adversarialLogits` = h(x'), the model's scores at the perturbed input x'; the
 * loss does not see the model. To obtain x': start from x + U(−γ, γ) (seeded via random(seed).fork),
 * take K PGD steps x' ← clip_{x±γ}(x' + α·sign(∇_{x'}‖h(x') − h(x)‖²)) with h(x) held fixed (e.g. K = 10,
 * α = 2.5γ/K; one step with α = γ from x is FGSM), then evaluate h(x') with gradients on.
 * Gradients flow into both logits and adversarialLogits, as in TRADES (x' itself is a constant).
 */
export const smoothAdversarialCompSum = defineLoss({
  id: "smooth-adversarial-comp-sum",
  title: "Smooth adversarial comp-sum loss",
  family: "classification",
  paper: {
    title: "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
    authors: "Anqi Mao, Mehryar Mohri, Yutao Zhong",
    venue: "ICML",
    year: 2023,
    url: "https://arxiv.org/abs/2304.07288"
  },
  schema: defineSchema({
    tau: {
      type: "number",
      default: 1.5,
      min: 0,
      max: 2,
      step: 0.05,
      symbol: "\\tau",
      doc: "comp-sum member: 0 sum-exponential, 1 cross-entropy, 1–2 generalized CE, 2 MAE (as comp-sum's default 1.5)"
    },
    nu: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\nu",
      doc: "weight of the smoothness penalty ‖h(x′) − h(x)‖₂ (tuned like TRADES' β; 0 gives the plain comp-sum loss)"
    }
  }),
  needs: ["logits", "labels", "adversarialLogits"],
  inputs: {
    adversarialLogits: {
      shape: "[B, C]",
      dtype: "float32",
      values: "real",
      doc: "the model's scores h(x′) at an adversarially perturbed input x′ in the γ-ball around x (PGD on ‖h(x′) − h(x)‖², run by the caller)"
    }
  },
  tex: String.raw`\tilde\ell^{\tau} = \Phi^{\tau}\bigl(u(h(x), y)\bigr) + \nu \sup_{\lVert x' - x\rVert \le \gamma} \lVert h(x') - h(x) \rVert_2`,
  cite: "Mao, Mohri & Zhong 2023 (smooth adversarial comp-sum, ADV-COMP-SUM); smooth term reconstructed",
  summary:
    "A comp-sum loss plus a penalty on how much the scores move under a worst-case input perturbation, for comp-sum losses with adversarial robustness guarantees.",
  terms: ({logits, labels, adversarialLogits}, {tau, nu}) => {
    const clean = compSumValues(logits!, labels!, tau);
    if (nu === 0) return {loss: {values: clean, kind: "element"}};
    const smooth = rowDistance(adversarialLogits as tf.Tensor2D, logits!);
    return {loss: {values: tf.add(clean, tf.mul(smooth, nu)), kind: "element"}};
  }
});

export const adversarialCompSumLosses = Object.freeze([smoothAdversarialCompSum] as const);
