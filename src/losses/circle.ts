import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import {cosineSimilarity} from "./distances.js";
import {detach} from "./masks.js";
import {allPairs} from "./miners.js";
import {maskedLogSumExp} from "./multiSimilarity.js";

/**
 * Circle loss for pair labels (Sun et al. 2020, eq. 6) as pytorch-metric-learning's CircleLoss: per anchor,
 * softplus(log Σ_p e^{−γ α_p (s_p − Δ_p)} + log Σ_n e^{γ α_n (s_n − Δ_n)}) on cosine similarities, with
 * α_p = [1 + m − s_p]₊, α_n = [s_n + m]₊, Δ_p = 1 − m, Δ_n = m. As in PML, the weights α are constants to the
 * gradient (detached), so autograd is not the derivative of the value. Anchors without a
 * positive or a negative give 0; the rest are averaged over those with a non-zero loss (AvgNonZeroReducer).
 * Cosine only (PML asserts CosineSimilarity); m = 0.4, γ = 80 (the paper's fine-grained retrieval setting).
 */
export const circle = defineLoss({
  id: "circle",
  title: "Circle loss",
  family: "metric",
  paper: {
    title: "Circle Loss: A Unified Perspective of Pair Similarity Optimization",
    authors: "Yifan Sun, Changmao Cheng, Yuhan Zhang, Chi Zhang, Liang Zheng, Zhongdao Wang, Yichen Wei",
    venue: "CVPR",
    year: 2020,
    url: "https://arxiv.org/abs/2002.10857"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/circle_loss.py",
  schema: defineSchema({
    m: {
      type: "number",
      default: 0.4,
      min: 0,
      max: 1,
      step: 0.01,
      symbol: "m",
      doc: "relaxation: optima O_p = 1 + m, O_n = −m and margins Δ_p = 1 − m, Δ_n = m; 0.25 for faces and re-id, 0.4 for fine-grained retrieval"
    },
    gamma: {
      type: "number",
      default: 80,
      min: 1,
      max: 512,
      step: 1,
      scale: "log",
      symbol: "\\gamma",
      doc: "scale of the similarities; 256 for faces, 128 for re-id, 80 for fine-grained retrieval (PML default)"
    }
  }),
  needs: ["embeddings", "labels"],
  tex: String.raw`\ell_a = \log\Big[1 + \sum_{n} e^{\gamma \alpha_n (s_n - \Delta_n)} \sum_{p} e^{-\gamma \alpha_p (s_p - \Delta_p)}\Big],\; \alpha_p = [1 + m - s_p]_+,\; \alpha_n = [s_n + m]_+`,
  cite: "Sun et al. 2020, eq. 6 (pair-label form), in pytorch-metric-learning's form (detached α, AvgNonZeroReducer)",
  summary:
    "Re-weights every similarity by how far it is from its optimum, so pairs far from their target get larger gradients and the decision boundary becomes a circle in (s_n, s_p).",
  terms: ({embeddings, labels}, {m, gamma}) => {
    const s = cosineSimilarity().matrix(embeddings!);
    const {pos, neg} = allPairs(labels!);
    const fixed = detach(s);
    const posLogits = tf.mul(tf.mul(tf.relu(tf.sub(1 + m, fixed)), tf.sub(s, 1 - m)), -gamma) as tf.Tensor2D;
    const negLogits = tf.mul(tf.mul(tf.relu(tf.add(fixed, m)), tf.sub(s, m)), gamma) as tf.Tensor2D;
    const lse = tf.add(maskedLogSumExp(posLogits, pos, false), maskedLogSumExp(negLogits, neg, false));
    // An anchor counts only with at least one positive and one negative (PML's final_mask).
    const valid = tf.mul(tf.step(tf.sub(tf.sum(pos, 1), 0.5)), tf.step(tf.sub(tf.sum(neg, 1), 0.5)));
    return {loss: {values: tf.mul(tf.softplus(lse), valid), kind: "element", reduce: "mean-nonzero"}};
  }
});

export const circleLosses = Object.freeze([circle] as const);
