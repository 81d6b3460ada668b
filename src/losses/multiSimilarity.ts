import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import {distanceByName} from "./distances.js";
import {allPairs, multiSimilarityPairs} from "./miners.js";
import {distanceParam, pairCountGate, pmlMargin} from "./contrastive.js";

// Masked-out entries become this finite large negative before the log-sum-exp: exp underflows to exactly 0
// and its gradient is exactly 0, where −Infinity would give Inf − Inf = NaN (see methods/README.md).
const maskFill = 1e9;

/**
 * Row-wise log Σ_j m_ij e^{x_ij} over the kept entries (m = 1), plus a term e^0 = 1 with `addOne`: PML's
 * lmu.logsumexp(x, keep_mask, add_one, dim=1). Rows that keep nothing give exactly 0 with a zero gradient,
 * as PML's masked_fill does. Max-shifted by tf.logSumExp, so exponents of any size stay finite.
 */
export function maskedLogSumExp(x: tf.Tensor2D, mask: tf.Tensor2D, addOne: boolean): tf.Tensor1D {
  const filled = tf.add(tf.mul(x, mask), tf.mul(tf.sub(mask, 1), maskFill)) as tf.Tensor2D;
  const columns = addOne ? tf.concat([filled, tf.zeros([x.shape[0], 1])], 1) : filled;
  const lse = tf.logSumExp(columns, 1);
  const keepsAny = tf.step(tf.sub(tf.sum(mask, 1), 0.5));
  return tf.mul(lse, keepsAny) as tf.Tensor1D;
}

/**
 * Multi-similarity loss (Wang et al. 2019, eq. 11) as pytorch-metric-learning's MultiSimilarityLoss: per
 * anchor, (1/α)·log(1 + Σ_p e^{−α(S_ap − λ)}) + (1/β)·log(1 + Σ_n e^{β(S_an − λ)}) over its positive and
 * negative pairs, averaged over all B anchors (MeanReducer; an anchor without positives or negatives adds only
 * the other side, without either adds 0). Cosine similarity; α = 2, β = 50, λ = 0.5 (PML; the official
 * MalongTech config uses β = 40). With a distance, S − λ becomes λ − d. PML keeps mining separate: `mine`
 * applies its MultiSimilarityMiner(ε) first (the paper's eq. 7–8). The official code mines inside the loss,
 * skips anchors left without a positive or a negative and divides by B; here, as in PML with the miner, such
 * an anchor still adds the side that has pairs.
 */
export const multiSimilarity = defineLoss({
  id: "multi-similarity",
  title: "Multi-similarity loss",
  family: "metric",
  paper: {
    title: "Multi-Similarity Loss with General Pair Weighting for Deep Metric Learning",
    authors: "Xun Wang, Xintong Han, Weilin Huang, Dengke Dong, Matthew R. Scott",
    venue: "CVPR",
    year: 2019,
    url: "https://arxiv.org/abs/1904.06627"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/multi_similarity_loss.py",
  schema: defineSchema({
    alpha: {
      type: "number",
      default: 2,
      min: 0.1,
      max: 20,
      step: 0.1,
      scale: "log",
      symbol: "\\alpha",
      doc: "sharpness of the positive-pair weighting; PML and the paper use 2"
    },
    beta: {
      type: "number",
      default: 50,
      min: 1,
      max: 200,
      step: 1,
      scale: "log",
      symbol: "\\beta",
      doc: "sharpness of the negative-pair weighting; PML and the paper 50, the official config 40"
    },
    base: {
      type: "number",
      default: 0.5,
      min: -1,
      max: 2,
      step: 0.05,
      symbol: "\\lambda",
      doc: "similarity threshold λ both log-sum-exps are centred on; PML and the official code 0.5"
    },
    distance: distanceParam("cosine"),
    mine: {
      type: "boolean",
      default: false,
      doc: "apply the multi-similarity miner first (PML keeps it separate and off by default; the official code always mines)"
    },
    epsilon: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 2,
      step: 0.01,
      symbol: "\\epsilon",
      when: {mine: [true]},
      doc: "miner margin: keep negatives with S_an + ε > min positive S, positives with S_ap − ε < max negative S"
    }
  }),
  needs: ["embeddings", "labels"],
  tex: String.raw`\ell_a = \frac{1}{\alpha}\log\Big(1 + \sum_{p \in P_a} e^{-\alpha (S_{ap} - \lambda)}\Big) + \frac{1}{\beta}\log\Big(1 + \sum_{n \in N_a} e^{\beta (S_{an} - \lambda)}\Big)`,
  cite: "Wang et al. 2019, eq. 11 (mining eq. 7–8), in pytorch-metric-learning's form (MeanReducer over anchors)",
  summary:
    "Weights each pair by its own similarity and by its similarity relative to the anchor's other pairs, through two soft-plus log-sum-exps with different sharpness for positives and negatives.",
  terms: ({embeddings, labels}, {alpha, beta, base, distance: name, mine, epsilon}) => {
    const distance = distanceByName(name);
    const mat = distance.matrix(embeddings!);
    const masks = mine ? multiSimilarityPairs(mat, labels!, distance, {epsilon}) : allPairs(labels!);
    const posExp = pmlMargin(distance, mat, base) as tf.Tensor2D;
    const negExp = pmlMargin(distance, base, mat) as tf.Tensor2D;
    const pos = tf.div(maskedLogSumExp(tf.mul(posExp, alpha) as tf.Tensor2D, masks.pos, true), alpha);
    const neg = tf.div(maskedLogSumExp(tf.mul(negExp, beta) as tf.Tensor2D, masks.neg, true), beta);
    const values = tf.add(pos, neg);
    return {loss: {values: mine ? tf.mul(values, pairCountGate(masks)) : values, kind: "element"}};
  }
});

export const multiSimilarityLosses = Object.freeze([multiSimilarity] as const);
