import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import {distanceByName} from "./distances.js";
import {distanceParam} from "./contrastive.js";
import {maskedLogSumExp} from "./multiSimilarity.js";
import {otherEmbeddingsInput, scaledSimilarities, viewPairs} from "./ntXent.js";

/**
 * Supervised contrastive loss L^sup_out (Khosla et al. 2020, eq. 2) as pytorch-metric-learning's SupConLoss:
 * anchor i pays −(1/|P(i)|) Σ_{p∈P(i)} log(e^{s_ip/τ} / Σ_{k≠i} e^{s_ik/τ}), the denominator running over all
 * its positives and negatives. Anchors without a positive give 0 and the batch loss is the mean over anchors
 * with a non-zero loss (AvgNonZeroReducer); a batch without any positive or any negative pair gives 0. Cosine
 * similarity (−d/τ for a distance), τ = 0.1. With `otherEmbeddings` the 2B rows of both views with labels
 * [y; y] form the batch (the paper's multiview batch), and per-sample weights apply to both rows of a sample.
 */
export const supCon = defineLoss({
  id: "supcon",
  title: "Supervised contrastive loss (SupCon)",
  family: "metric",
  paper: {
    title: "Supervised Contrastive Learning",
    authors:
      "Prannay Khosla, Piotr Teterwak, Chen Wang, Aaron Sarna, Yonglong Tian, Phillip Isola, Aaron Maschinot, Ce Liu, Dilip Krishnan",
    venue: "NeurIPS",
    year: 2020,
    url: "https://arxiv.org/abs/2004.11362"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/supcon_loss.py",
  schema: defineSchema({
    temperature: {
      type: "number",
      default: 0.1,
      min: 0.01,
      max: 10,
      step: 0.001,
      scale: "log",
      symbol: "\\tau",
      doc: "temperature; PML and the paper use 0.1"
    },
    distance: distanceParam("cosine")
  }),
  needs: ["embeddings", "labels"],
  inputs: {otherEmbeddings: {...otherEmbeddingsInput, doc: `${otherEmbeddingsInput.doc} (optional: two-view batch)`}},
  tex: String.raw`\ell_i = \frac{-1}{|P(i)|} \sum_{p \in P(i)} \log \frac{e^{s_{ip}/\tau}}{\sum_{k \neq i} e^{s_{ik}/\tau}}`,
  cite: "Khosla et al. 2020, eq. 2 (L^sup_out), in pytorch-metric-learning's form (AvgNonZeroReducer)",
  summary:
    "Contrasts each anchor with all other samples at once, averaging the log-probability of every same-label sample, so all positives of a class are pulled together in one softmax.",
  terms: ({embeddings, labels, otherEmbeddings, weights}, {temperature, distance: name}) => {
    const distance = distanceByName(name);
    const other = otherEmbeddings as tf.Tensor2D | undefined;
    const {anchors, masks} = viewPairs(embeddings!, labels!, other, true);
    const {pos, neg} = masks;
    const x = scaledSimilarities(distance, anchors, undefined, temperature);
    const logDenominator = maskedLogSumExp(x, tf.add(pos, neg) as tf.Tensor2D, false);
    const logProb = tf.sub(x, tf.expandDims(logDenominator, 1));
    const meanLogProbPos = tf.div(tf.sum(tf.mul(pos, logProb), 1), tf.maximum(tf.sum(pos, 1), 1));
    // PML computes the loss only when the batch has a positive and a negative pair somewhere.
    const gate = tf.mul(tf.step(tf.sub(tf.sum(pos), 0.5)), tf.step(tf.sub(tf.sum(neg), 0.5)));
    const values = tf.mul(tf.neg(meanLogProbPos), gate);
    // Two views: each sample's weight applies to both of its rows (the reducer only matches [B] terms).
    const w = other && weights ? (tf.concat([weights, weights]) as tf.Tensor1D) : undefined;
    return {loss: {values, kind: "element", reduce: "mean-nonzero", ...(w ? {weights: w} : {})}};
  }
});

export const supConLosses = Object.freeze([supCon] as const);
