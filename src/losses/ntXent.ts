import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import type {InputSpec} from "./checks.js";
import {defineLoss} from "./defineLoss.js";
import type {LossInputs} from "./defineLoss.js";
import {distanceByName} from "./distances.js";
import type {Distance} from "./distances.js";
import {labelMasks} from "./miners.js";
import type {PairMasks} from "./miners.js";
import {distanceParam} from "./contrastive.js";
import {maskedLogSumExp} from "./multiSimilarity.js";

/** The declared second view of a two-view (SimCLR-style) batch. */
export const otherEmbeddingsInput: InputSpec = {
  shape: "[B, D]",
  dtype: "float32",
  values: "real",
  doc: "a second view of the batch: row i embeds another augmentation of the sample in row i of embeddings"
};

/** Anchors (rows), references (columns; undefined = the anchors themselves) and the pair masks between them. */
export interface ViewPairs {
  anchors: tf.Tensor2D;
  refs?: tf.Tensor2D;
  masks: PairMasks;
}

/**
 * How an NT-Xent-style loss pairs its inputs, as pytorch-metric-learning does:
 * - one view (no `other`): every ordered pair (i, j ≠ i) of the batch with equal labels is a positive, every
 *   pair with different labels a negative (NTXentLoss(embeddings, labels));
 * - two views, symmetric: the 2B rows [embeddings; other] with labels [y; y] are compared with each other,
 *   the self-pair excluded (SelfSupervisedLoss(loss, symmetric=True), which uses y = 0…B−1);
 * - two views, not symmetric: rows of `embeddings` are anchors, rows of `other` the candidates, and (i, j) is
 *   a positive when y_i = y_j, including i = j (SelfSupervisedLoss(loss, symmetric=False)).
 * Without labels, y = 0…B−1: each sample's only positive is its other view.
 */
export function viewPairs(
  embeddings: tf.Tensor2D,
  labels: tf.Tensor1D | undefined,
  other: tf.Tensor2D | undefined,
  symmetric: boolean
): ViewPairs {
  if (!other) {
    if (!labels) throw new Error("viewPairs: labels are required with a single view");
    return {anchors: embeddings, masks: labelMasks(labels)};
  }
  const y = labels ?? (tf.range(0, embeddings.shape[0], 1, "int32") as tf.Tensor1D);
  if (!symmetric) return {anchors: embeddings, refs: other, masks: labelMasks(y, y, false)};
  const both = tf.concat([y, y]) as tf.Tensor1D;
  return {anchors: tf.concat([embeddings, other]) as tf.Tensor2D, masks: labelMasks(both)};
}

/** Similarities over τ, the logits of an NT-Xent-style loss: s/τ for a similarity, −d/τ for a distance (as PML). */
export function scaledSimilarities(
  distance: Distance,
  anchors: tf.Tensor2D,
  refs: tf.Tensor2D | undefined,
  temperature: number
): tf.Tensor2D {
  const d = distance.matrix(anchors, refs);
  return tf.div(distance.inverted ? d : tf.neg(d), temperature) as tf.Tensor2D;
}

/**
 * −log(e^{x_ij} / (e^{x_ij} + Σ_{k∈N_i} e^{x_ik})) for every pair [N, M], written as softplus(log Σ_{k∈N_i} e^{x_ik} − x_ij):
 * stable for any temperature and exactly 0 (with a zero gradient) for an anchor without negatives.
 */
export function ntXentPairValues(x: tf.Tensor2D, neg: tf.Tensor2D): tf.Tensor2D {
  const negLse = tf.expandDims(maskedLogSumExp(x, neg, false), 1);
  const hasNeg = tf.expandDims(tf.step(tf.sub(tf.sum(neg, 1), 0.5)), 1);
  return tf.mul(tf.softplus(tf.sub(negLse, x)), hasNeg) as tf.Tensor2D;
}

const ntXentSchema = defineSchema({
  temperature: {
    type: "number",
    default: 0.07,
    min: 0.01,
    max: 10,
    step: 0.001,
    scale: "log",
    symbol: "\\tau",
    doc: "temperature: small τ concentrates the gradient on the hardest negatives (Wang & Liu 2021); PML default 0.07, SimCLR 0.5"
  },
  distance: distanceParam("cosine"),
  symmetric: {
    type: "boolean",
    default: true,
    doc: "two views only: compare all 2B rows with each other (SimCLR) rather than rows of embeddings with rows of otherEmbeddings"
  }
});

function ntXentTerms(
  {embeddings, labels, otherEmbeddings}: LossInputs,
  {temperature, distance: name, symmetric}: {temperature: number; distance: string; symmetric: boolean},
  useLabels: boolean
) {
  const distance = distanceByName(name);
  const other = otherEmbeddings as tf.Tensor2D | undefined;
  const {anchors, refs, masks} = viewPairs(embeddings!, useLabels ? labels : undefined, other, symmetric);
  const x = scaledSimilarities(distance, anchors, refs, temperature);
  return {loss: {values: ntXentPairValues(x, masks.neg), kind: "pair" as const, weights: masks.pos}};
}

/**
 * NT-Xent (normalised temperature-scaled cross-entropy) as pytorch-metric-learning's NTXentLoss: each positive
 * pair (i, j) pays −log(e^{s_ij/τ} / (e^{s_ij/τ} + Σ_{k∈N_i} e^{s_ik/τ})), the negatives N_i being the pairs of
 * i with a different label (other positives are not in the denominator); averaged over all positive pairs.
 * Cosine similarity, τ = 0.07 (PML; SimCLR uses 0.5). Positives come from labels; with `otherEmbeddings` the
 * batch is the 2B rows of both views with labels [y; y], so with y = 0…B−1 this is SimCLR's loss (Chen et al.
 * 2020, eq. 1; PML's SelfSupervisedLoss) and with class labels every same-class pair across both views is a
 * positive too. PML adds 1.2e-38 inside the log, which caps a pair's loss at 87.3 in float32; this form does
 * not (identical below that). Per-sample weights are not used.
 */
export const ntXent = defineLoss({
  id: "nt-xent",
  title: "NT-Xent (normalised temperature-scaled cross-entropy)",
  family: "metric",
  paper: {
    title: "A Simple Framework for Contrastive Learning of Visual Representations",
    authors: "Ting Chen, Simon Kornblith, Mohammad Norouzi, Geoffrey Hinton",
    venue: "ICML",
    year: 2020,
    url: "https://arxiv.org/abs/2002.05709"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/ntxent_loss.py",
  schema: ntXentSchema,
  needs: ["embeddings", "labels"],
  inputs: {otherEmbeddings: {...otherEmbeddingsInput, doc: `${otherEmbeddingsInput.doc} (optional: two-view mode)`}},
  tex: String.raw`\ell_{ij} = -\log \frac{e^{s_{ij}/\tau}}{e^{s_{ij}/\tau} + \sum_{k:\, y_k \neq y_i} e^{s_{ik}/\tau}},\quad \text{averaged over pairs } i \neq j,\ y_i = y_j`,
  cite: "Chen et al. 2020 (SimCLR), eq. 1, in pytorch-metric-learning's supervised form (NTXentLoss, MeanReducer over positive pairs)",
  summary:
    "A softmax over each anchor's positive and its negatives at temperature τ: the gradient on a negative is proportional to its softmax weight, so small τ focuses on the hardest negatives.",
  terms: (inputs, params) => ntXentTerms(inputs, params, true)
});

/**
 * InfoNCE in its two-view SimCLR form: the same loss as nt-xent with `otherEmbeddings` and labels 0…B−1, so
 * each sample's one positive is its other view and every other row is a negative; labels are not read.
 * Symmetric (default): the 2B rows of both views against each other, the self-pair excluded, averaged over
 * 2B anchors (SimCLR's NT-Xent, MVCNet's NTXentLoss). Not symmetric: L_i = −log softmax_j(s(x_i, x'_j)/τ)_i
 * over the B rows of the other view (van den Oord et al. 2018; Wang & Liu 2021, eq. 1), averaged over B.
 */
export const infoNce = defineLoss({
  id: "info-nce",
  title: "InfoNCE (two views)",
  family: "metric",
  paper: {
    title: "Representation Learning with Contrastive Predictive Coding",
    authors: "Aaron van den Oord, Yazhe Li, Oriol Vinyals",
    venue: "arXiv",
    year: 2018,
    url: "https://arxiv.org/abs/1807.03748"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/self_supervised_loss.py",
  schema: ntXentSchema,
  needs: ["embeddings", "otherEmbeddings"],
  inputs: {otherEmbeddings: otherEmbeddingsInput},
  tex: String.raw`\ell_i = -\log \frac{e^{s(x_i, x_i')/\tau}}{e^{s(x_i, x_i')/\tau} + \sum_{k \neq i} e^{s(x_i, x_k)/\tau} + \sum_{k \neq i} e^{s(x_i, x_k')/\tau}}`,
  cite: "van den Oord et al. 2018, eq. 4; SimCLR's symmetric form (Chen et al. 2020, eq. 1); temperature as hardness knob: Wang & Liu 2021, §3",
  summary:
    "Identifies each sample's other view among all the other samples of the batch; the temperature sets how strongly the hardest negatives dominate the gradient.",
  terms: (inputs, params) => ntXentTerms(inputs, params, false)
});

export const ntXentLosses = Object.freeze([ntXent, infoNce] as const);
