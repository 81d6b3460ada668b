import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {logProbOfLabel} from "./compSum.js";
import {defineLoss} from "./defineLoss.js";
import {oneHotFloat} from "./masks.js";

// A large finite negative for masking inside logSumExp (never −Infinity: inf − inf = NaN).
const masked = -1e9;

/**
 * log(1 − p_y) per sample, as logSumExp over the other classes minus logSumExp over all classes.
 * Finite with a finite gradient even when p_y rounds to 1 in float32 (where log(−expm1(log p_y))
 * would be log 0), so (1 − p_y)^γ = exp(γ·log(1 − p_y)) is safe for every γ ≥ 0.
 */
export function logOneMinusProbOfLabel(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const others = tf.add(logits, tf.mul(oneHotFloat(labels, logits.shape[1]), masked));
  return tf.sub(tf.logSumExp(others, 1), tf.logSumExp(logits, 1)) as tf.Tensor1D;
}

/** The focal term −(1 − p_y)^γ log p_y per sample, from log-probabilities (no α). */
export function focalValues(logits: tf.Tensor2D, labels: tf.Tensor1D, gamma: number): tf.Tensor1D {
  const ce = tf.neg(logProbOfLabel(logits, labels));
  if (gamma === 0) return ce;
  return tf.mul(tf.exp(tf.mul(logOneMinusProbOfLabel(logits, labels), gamma)), ce) as tf.Tensor1D;
}

/**
 * Softmax focal loss −α_y (1 − p_y)^γ log p_y (Lin et al. 2017, eq. 5, in its multiclass softmax
 * form), batch mean. α follows torchvision's `sigmoid_focal_loss`: off by default (our α = −1, as
 * torchvision's α < 0); a number α ≥ 0 needs two logits and weights label 1 by α and label 0 by
 * 1 − α, so focal({alpha}) on logits [z₀, z₁] equals torchvision's loss on z₁ − z₀; per-class α for
 * C classes comes in as `classAlpha` [C]. α multiplies each sample's loss and the batch is a plain
 * mean (torchvision's reduction), unlike weighted cross-entropy's Σwℓ/Σw.
 */
export const focal = defineLoss({
  id: "focal",
  title: "Focal loss",
  family: "classification",
  paper: {
    title: "Focal Loss for Dense Object Detection",
    authors: "Tsung-Yi Lin, Priya Goyal, Ross Girshick, Kaiming He, Piotr Dollár",
    venue: "ICCV",
    year: 2017,
    url: "https://arxiv.org/abs/1708.02002"
  },
  code: "pytorch/vision:torchvision/ops/focal_loss.py (sigmoid_focal_loss)",
  schema: defineSchema({
    gamma: {
      type: "number",
      default: 2,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\gamma",
      doc: "focusing parameter: (1 − p_y)^γ down-weights well-classified samples; 0 is cross-entropy"
    },
    alpha: {
      type: "number",
      default: -1,
      min: -1,
      max: 1,
      step: 0.05,
      symbol: "\\alpha",
      doc: "binary α-balancing (two logits only): weight α on label 1, 1 − α on label 0; negative = off (torchvision's 0.25 is RetinaNet's choice)"
    }
  }),
  needs: ["logits", "labels"],
  inputs: {
    classAlpha: {
      shape: "[C]",
      dtype: "float32",
      values: "positive",
      doc: "optional per-class α_c multiplying the loss of samples of class c (omitted: 1 for every class)"
    }
  },
  tex: String.raw`\ell = -\alpha_y\,(1 - p_y)^{\gamma}\,\log p_y`,
  cite: "Lin et al. 2017, eq. 5 (α-balanced focal loss); α as in torchvision sigmoid_focal_loss",
  summary:
    "Cross-entropy scaled by (1 − p_y)^γ, so that the many easy, well-classified samples stop dominating the gradient and training concentrates on the hard ones.",
  terms: ({logits, labels, classAlpha}, {gamma, alpha}) => {
    const C = logits!.shape[1];
    let values = focalValues(logits!, labels!, gamma);
    if (alpha >= 0) {
      if (classAlpha) throw new Error(`focal: give either alpha (${alpha}) or classAlpha, not both`);
      if (C !== 2) {
        throw new Error(`focal: invalid alpha: ${alpha} (a number α needs C = 2 logits, got C = ${C}; use classAlpha)`);
      }
      const y = tf.cast(labels!, "float32");
      values = tf.mul(values, tf.add(tf.mul(y, 2 * alpha - 1), 1 - alpha));
    } else if (classAlpha) {
      const alphaT = tf.sum(tf.mul(oneHotFloat(labels!, C), classAlpha as tf.Tensor1D), 1);
      values = tf.mul(values, alphaT);
    }
    return {loss: {values, kind: "element"}};
  }
});

/**
 * The DatasetEquity weight w(p) = (η + (1 − p)^γ)/(η + 1) of a sample whose (scaled) likelihood is p:
 * η/(η + 1) for the most common cluster (p = 1), → 1 for rare samples, ≡ 1 at γ = 0.
 */
export function datasetEquityWeight(likelihood: number, eta: number, gamma: number): number {
  return (eta + (1 - likelihood) ** gamma) / (eta + 1);
}

/**
 * Scaled likelihoods p_i = |cluster of i| / |largest cluster| from cluster ids (DBSCAN labels), as
 * the official dd3d `build.py` computes them. Noise points (id −1) form one cluster there
 * (`noise: "cluster"`, the default); `noise: "singleton"` treats each as its own cluster of one
 * (p = 1/max), which the method card recommends since noise points are the rarest.
 */
export function clusterLikelihoods(
  clusterIds: ArrayLike<number>,
  {noise = "cluster"}: {noise?: "cluster" | "singleton"} = {}
): Float32Array {
  const sizes = new Map<number, number>();
  for (let i = 0; i < clusterIds.length; ++i) {
    const id = clusterIds[i];
    if (!Number.isInteger(id)) throw new Error(`clusterLikelihoods: clusterIds[${i}] = ${id} is not an integer`);
    if (id === -1 && noise === "singleton") continue;
    sizes.set(id, (sizes.get(id) ?? 0) + 1);
  }
  let largest = 1;
  for (const size of sizes.values()) largest = Math.max(largest, size);
  return Float32Array.from(clusterIds as ArrayLike<number>, (id) =>
    id === -1 && noise === "singleton" ? 1 / largest : sizes.get(id)! / largest
  );
}

// Likelihood ranges are checked where reading them is free (cpu/wasm), as checks.ts does for labels.
function checkLikelihoods(likelihood: tf.Tensor): void {
  const backend = tf.getBackend();
  if (backend !== "cpu" && backend !== "wasm") return;
  const values = likelihood.dataSync();
  for (let i = 0; i < values.length; ++i) {
    if (!(values[i] >= 0 && values[i] <= 1)) {
      throw new Error(`generalized-focal: sampleLikelihood[${i}] = ${values[i]} is outside [0, 1]`);
    }
  }
}

/**
 * DatasetEquity's generalized focal loss w(p_i)·CE_i with w(p) = (η + (1 − p)^γ)/(η + 1) (Shrivastava
 * et al. 2023): a per-sample weight from how common the sample's appearance cluster is, not from
 * the model's confidence. Batch plain mean of w·CE, as the card's training step `ce.mul(w).mean()`.
 * The official dd3d branch computes the weight but never multiplies it into the loss and uses one
 * weight per batch; we apply it per sample, as the paper describes. The likelihoods are per-sample
 * state computed outside training (clustering embeddings every few epochs): keep them in a
 * `sampleState` keyed by sample id, write them with `state.write(ids, clusterLikelihoods(…))`, and pass
 * `sampleLikelihood: state.gather(ids)` for each batch.
 */
export const generalizedFocal = defineLoss({
  id: "generalized-focal",
  title: "Generalized focal loss (DatasetEquity)",
  family: "classification",
  paper: {
    title:
      "DatasetEquity: Are All Samples Created Equal? In The Quest For Equity Within Datasets (generalized focal loss)",
    authors: "Shubham Shrivastava, Xianling Zhang, Sushruth Nagesh, Armin Parchami",
    venue: "ICCV Workshops",
    year: 2023,
    url: "https://arxiv.org/abs/2308.09878"
  },
  code: "towardsautonomy/DatasetEquity:README.md (dequity_loss_weight); towardsautonomy/dd3d@dataset_equity:tridet/data/datasets/kitti_3d/build.py",
  schema: defineSchema({
    eta: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.05,
      symbol: "\\eta",
      doc: "floor of the weight: the most common cluster gets η/(η + 1); official default 1 (scripts also use 0.5)"
    },
    gamma: {
      type: "number",
      default: 5,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\gamma",
      doc: "how fast the weight falls with likelihood; 0 gives weight 1 (plain cross-entropy); official default 5"
    }
  }),
  needs: ["logits", "labels", "sampleLikelihood"],
  inputs: {
    sampleLikelihood: {
      shape: "[B]",
      dtype: "float32",
      values: "unit-interval",
      doc: "each sample's scaled likelihood in [0, 1]: its cluster's size over the largest cluster's (clusterLikelihoods); keep them in a sampleState and gather by ids"
    }
  },
  tex: String.raw`\ell = \frac{\eta + (1 - p_i)^{\gamma}}{\eta + 1}\,\bigl(-\log \hat p_{y}\bigr)`,
  cite: "Shrivastava et al. 2023, generalized focal loss (DatasetEquity weight × cross-entropy)",
  summary:
    "Up-weights samples from rare appearance clusters by a focal-style function of their data likelihood, so that uncommon situations get more of the gradient.",
  terms: ({logits, labels, sampleLikelihood}, {eta, gamma}) => {
    const p = sampleLikelihood as tf.Tensor1D;
    checkLikelihoods(p);
    // relu: 1 − p ≥ 0 even where the range check is skipped (GPU backends), so pow never sees a negative base.
    const w = tf.div(tf.add(tf.pow(tf.relu(tf.sub(1, p)), gamma), eta), eta + 1);
    return {loss: {values: tf.mul(w, tf.neg(logProbOfLabel(logits!, labels!))), kind: "element"}};
  }
});

export const focalLosses = Object.freeze([focal, generalizedFocal] as const);
