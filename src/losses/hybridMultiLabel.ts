import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {Term} from "./defineLoss.js";
import {l2Normalize} from "./distances.js";

// Masks the self-similarity out of a row's log-sum-exp: finite, so no Inf − Inf.
const large = 1e9;
// Floors for divisions by counts that can be 0 (an empty label set, a class absent from the batch).
const tiny = 1e-12;

/**
 * Class-weighted binary cross-entropy per sample, (1/C) Σ_c of the per-element losses, in the softplus form
 * softplus(z) − y·z (no log of a saturated sigmoid, finite at |z| = 1e4). `weights` [C] scale every element of
 * a class (PyTorch's `weight`); `positiveWeights` [C] scale only the y = 1 part (PyTorch's `pos_weight`).
 */
export function weightedBce(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  {weights, positiveWeights}: {weights?: tf.Tensor1D; positiveWeights?: tf.Tensor1D} = {}
): tf.Tensor1D {
  // −[y log σ(z) + (1 − y) log(1 − σ(z))] = y·softplus(−z) + (1 − y)·softplus(z)
  let pos = tf.mul(targets, tf.softplus(tf.neg(logits)));
  if (positiveWeights) pos = tf.mul(pos, tf.expandDims(positiveWeights, 0));
  let elements = tf.add(pos, tf.mul(tf.sub(1, targets), tf.softplus(logits)));
  if (weights) elements = tf.mul(elements, tf.expandDims(weights, 0));
  return tf.mean(elements, 1) as tf.Tensor1D;
}

/**
 * SpanEmo's label-correlation-aware (LCA) loss per sample (Alhuzali & Ananiadou 2021; hasanhuz/SpanEmo
 * scripts/model.py corr_loss): the mean over (negative label p, positive label q) pairs of exp(σ(z_p) − σ(z_q)),
 * on sigmoid probabilities. A sample with no positive label gives 0 (as in the code); one with no negative label
 * also gives 0 (the code divides 0 by 0 there).
 */
export function labelCorrelationAware(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D {
  const p = tf.sigmoid(logits);
  const diff = tf.sub(tf.expandDims(p, 2), tf.expandDims(p, 1)); // [B, C, C]: p_a − p_b
  const pairs = tf.mul(tf.expandDims(tf.sub(1, targets), 2), tf.expandDims(targets, 1)); // a negative, b positive
  const num = tf.sum(tf.mul(tf.exp(diff), pairs), [1, 2]);
  const count = tf.sum(pairs, [1, 2]);
  return tf.div(num, tf.maximum(count, 1)) as tf.Tensor1D;
}

/**
 * Conditional co-occurrence of labels, R_cd = P(y_d = 1 | y_c = 1) = Σ_i y_ic y_id / Σ_i y_ic ([C, C]; rows of
 * classes with no positive are 0). Compute it once on the training labels and pass it as `labelCorrelation`.
 */
export function labelCooccurrence(targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => conditional(targets));
}

function conditional(y: tf.Tensor2D): tf.Tensor2D {
  const joint = tf.matMul(y, y, true, false); // [C, C]
  const counts = tf.sum(y, 0, false); // [C]
  return tf.div(joint, tf.expandDims(tf.maximum(counts, tiny), 1)) as tf.Tensor2D;
}

/**
 * The label-correlation-matrix penalty (card 28's reconstruction, unconfirmed): the batch's predicted
 * conditional co-activation P̂_cd = Σ_i p_ic p_id / Σ_i p_ic should match R; mean of (P̂_cd − R_cd)² over the
 * off-diagonal entries of the rows that R defines (with R from the batch, the classes present in it).
 */
function cooccurrencePenalty(logits: tf.Tensor2D, targets: tf.Tensor2D, reference?: tf.Tensor2D): tf.Tensor1D {
  const C = logits.shape[1];
  const p = tf.sigmoid(logits);
  const predicted = conditional(p as tf.Tensor2D);
  const R = reference ?? conditional(targets);
  const rows = reference ? tf.ones([C, 1]) : tf.expandDims(tf.cast(tf.greater(tf.sum(targets, 0), 0), "float32"), 1);
  const keep = tf.mul(rows, tf.sub(1, tf.eye(C)));
  const sq = tf.mul(tf.square(tf.sub(predicted, R)), keep);
  return tf.reshape(tf.div(tf.sum(sq), tf.maximum(tf.sum(keep), 1)), [1]) as tf.Tensor1D;
}

/**
 * Multi-label supervised contrastive term with Jaccard pair weights (card 28's reconstruction, unconfirmed):
 * for L2-normalised h and s_ij = h_i·h_j/τ, −Σ_{j≠i} a_ij log softmax_{k≠i}(s_ik)_j / Σ_{j≠i} a_ij with
 * a_ij = |y_i ∩ y_j| / |y_i ∪ y_j|; 0 for an anchor that shares no label with any other sample.
 */
export function jaccardSupCon(embeddings: tf.Tensor2D, targets: tf.Tensor2D, temperature: number): tf.Tensor1D {
  const B = embeddings.shape[0];
  const h = l2Normalize(embeddings);
  const notSelf = tf.sub(1, tf.eye(B));
  const s = tf.sub(tf.div(tf.matMul(h, h, false, true), temperature), tf.mul(tf.eye(B), large));
  const logProb = tf.sub(s, tf.logSumExp(s, 1, true));
  const inter = tf.matMul(targets, targets, false, true);
  const sizes = tf.sum(targets, 1);
  const union = tf.sub(tf.add(tf.expandDims(sizes, 1), tf.expandDims(sizes, 0)), inter);
  const a = tf.mul(tf.div(inter, tf.maximum(union, 1)), notSelf);
  const weightSum = tf.sum(a, 1);
  return tf.div(tf.neg(tf.sum(tf.mul(a, logProb), 1)), tf.maximum(weightSum, tiny)) as tf.Tensor1D;
}

/**
 * Hybrid multi-label loss (Aslam et al. 2024): (1 − α)·class-weighted BCE + α·label-correlation term +
 * β·Jaccard-weighted contrastive term, each returned as its own Term (per-sample values [B], batch mean).
 * No official code exists and the paper's equations and weights are not available (card 28): the
 * correlation term defaults to SpanEmo's LCA loss with α = 0.2 (hasanhuz/SpanEmo, the confirmed reference on
 * the same data), so with `classWeighting: "none"` and β = 0 the loss is SpanEmo's joint loss; class weights
 * default to the batch's inverse frequency B/(C·n_c). β = 0.1, τ = 0.1 and the co-occurrence form are choices
 * of ours. BCE uses the softplus form, finite at |logits| = 1e4.
 */
export const hybridMultiLabel = defineLoss({
  id: "hybrid-multilabel",
  title: "Hybrid multi-label loss (weighted BCE + label correlation + contrastive)",
  family: "classification",
  paper: {
    title: "Improving Arabic Multi-Label Emotion Classification using Stacked Embeddings and Hybrid Loss Function",
    authors:
      "Muhammad Azeem Aslam, Wang Jun, Nisar Ahmed, Muhammad Imran Zaman, Li Yanan, Hu Hongfei, Wang Shiyu, Xin Liu",
    venue: "arXiv",
    year: 2024,
    url: "https://arxiv.org/abs/2410.03979"
  },
  schema: defineSchema({
    correlationWeight: {
      type: "number",
      default: 0.2,
      min: 0,
      max: 1,
      step: 0.05,
      symbol: "\\alpha",
      doc: "α: the loss is (1 − α)·BCE + α·correlation term; 0.2 as in SpanEmo's joint loss"
    },
    contrastiveWeight: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 2,
      step: 0.05,
      symbol: "\\beta",
      doc: "β: weight of the Jaccard-weighted contrastive term on the embeddings (paper's value unknown)"
    },
    classWeighting: {
      type: "enum",
      default: "batch-inverse-frequency",
      options: ["batch-inverse-frequency", "batch-positive-weight", "given", "none"],
      labels: {
        "batch-inverse-frequency": "w_c = B / (C·n_c) from the batch",
        "batch-positive-weight": "pos_weight_c = (B − n_c) / n_c from the batch",
        given: "classWeights input (e.g. from the training split)",
        none: "unweighted BCE"
      },
      doc: "how BCE weighs classes; n_c = positives of class c in the batch (at least 1); 'given' reads classWeights"
    },
    correlation: {
      type: "enum",
      default: "lca",
      options: ["lca", "cooccurrence"],
      labels: {
        lca: "SpanEmo LCA: exp(p_neg − p_pos) per sample",
        cooccurrence: "match the label co-occurrence matrix"
      },
      doc: "label-correlation term: SpanEmo's LCA loss, or matching P(y_d | y_c) to labelCorrelation (or the batch's)"
    },
    temperature: {
      type: "number",
      default: 0.1,
      min: 0.01,
      max: 1,
      step: 0.01,
      scale: "log",
      symbol: "\\tau",
      doc: "temperature of the contrastive term's cosine similarities"
    }
  }),
  needs: ["logits", "targets", "embeddings"],
  inputs: {
    classWeights: {
      shape: "[C]",
      dtype: "float32",
      values: "positive",
      doc: "optional, with classWeighting 'given': per-class weights of every BCE element (e.g. inverse training frequency)"
    },
    labelCorrelation: {
      shape: "[C, C]",
      dtype: "float32",
      values: "unit-interval",
      doc: "optional, with correlation 'cooccurrence': R_cd = P(y_d = 1 | y_c = 1) from the training labels (labelCooccurrence)"
    }
  },
  tex: String.raw`L = (1-\alpha)\,\frac{1}{C}\sum_c w_c\,\mathrm{BCE}(z_c, y_c) + \alpha\,\frac{1}{|Y^-||Y^+|}\sum_{p\in Y^-,\,q\in Y^+} e^{\sigma(z_p)-\sigma(z_q)} + \beta\,\frac{-\sum_{j\neq i} a_{ij}\log \frac{e^{s_{ij}}}{\sum_{k\neq i} e^{s_{ik}}}}{\sum_{j\neq i} a_{ij}}`,
  cite: "Aslam et al. 2024 (hybrid loss; equations unpublished); LCA term: Alhuzali & Ananiadou 2021 (SpanEmo, corr_loss)",
  summary:
    "Counters class imbalance with class weights, rewards ranking each sample's true labels above its absent ones, and pulls together samples that share labels.",
  terms: (
    {logits, targets, embeddings, classWeights, labelCorrelation},
    {correlationWeight, contrastiveWeight, classWeighting, correlation, temperature}
  ) => {
    const z = logits!;
    const y = targets!;
    const [B, C] = z.shape;
    if (classWeighting === "given" && !classWeights) {
      throw new Error(`hybrid-multilabel: classWeighting "given" needs input classWeights [C]`);
    }
    if (classWeights && classWeighting !== "given") {
      throw new Error(
        `hybrid-multilabel: classWeights is given but classWeighting is "${classWeighting}" (use "given")`
      );
    }
    if (labelCorrelation && correlation !== "cooccurrence") {
      throw new Error(
        `hybrid-multilabel: labelCorrelation is given but correlation is "${correlation}" (use "cooccurrence")`
      );
    }
    const positives = tf.maximum(tf.sum(y, 0), 1) as tf.Tensor1D; // n_c, at least 1
    const bce =
      classWeighting === "batch-inverse-frequency"
        ? weightedBce(z, y, {weights: tf.div(B / C, positives) as tf.Tensor1D})
        : classWeighting === "batch-positive-weight"
          ? weightedBce(z, y, {positiveWeights: tf.div(tf.sub(B, tf.sum(y, 0)), positives) as tf.Tensor1D})
          : classWeighting === "given"
            ? weightedBce(z, y, {weights: classWeights as tf.Tensor1D})
            : weightedBce(z, y);
    const corr =
      correlation === "lca"
        ? labelCorrelationAware(z, y)
        : cooccurrencePenalty(z, y, labelCorrelation as tf.Tensor2D | undefined);
    const con = jaccardSupCon(embeddings!, y, temperature);
    return {
      bce: {values: tf.mul(bce, 1 - correlationWeight), kind: "element"} satisfies Term,
      correlation: {values: tf.mul(corr, correlationWeight), kind: "element"} satisfies Term,
      contrastive: {values: tf.mul(con, contrastiveWeight), kind: "element"} satisfies Term
    };
  }
});

export const hybridMultiLabelLosses = [hybridMultiLabel] as const;
