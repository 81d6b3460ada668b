import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {random} from "../random.js";
import {defineLoss} from "./defineLoss.js";
import type {InputSpec} from "./checks.js";

/**
 * Evaluates `fn` on x off the gradient tape: customGrad runs its forward pass unrecorded and passes a
 * zero gradient back (PyTorch's `.detach()` over a whole computation, including comparisons, which
 * have no gradient in TF.js).
 */
function offTape<T extends tf.Tensor>(fn: (x: tf.Tensor) => T): (x: tf.Tensor) => T {
  return tf.customGrad(((x: tf.Tensor) => ({value: fn(x), gradFunc: () => tf.zerosLike(x)})) as any) as any;
}

/**
 * Inputs shared by the binary losses of this family: two class scores whose difference z₁ − z₀ is the
 * single logit f of the official code (a one-output model with logit f is logits [0, f]), and 0/1 labels.
 */
export const binaryInputs: Readonly<Record<string, InputSpec>> = Object.freeze({
  logits: {
    shape: "[B, 2]",
    dtype: "float32",
    values: "real",
    doc: "two class scores (binary, C = 2); the score f = z₁ − z₀ is the official single logit"
  },
  labels: {shape: "[B]", dtype: "int32", values: "class-index", doc: "binary label: 1 positive, 0 negative"}
});

/** The binary score f = z₁ − z₀ per row, [B]; throws unless the logits have exactly two classes. */
export function binaryScore(id: string, logits: tf.Tensor2D): tf.Tensor1D {
  if (logits.shape[1] !== 2) {
    throw new Error(`${id}: logits must be [B, 2] (binary; the score is z₁ − z₀), got [${logits.shape}]`);
  }
  return tf.sum(tf.mul(logits, tf.tensor1d([-1, 1])), 1) as tf.Tensor1D;
}

/** The inverse Box–Cox transform of the official code: e^z at λ = 0, otherwise max(1 + λz, 0)^{1/λ}. */
function inverseBoxCox(z: number, lambda: number): number {
  return lambda === 0 ? Math.exp(z) : Math.max(1 + lambda * z, 0) ** (1 / lambda);
}

/**
 * The sorted random derivatives of one draw: rᵢ = −BC⁻¹(εᵢ), εᵢ ~ N(0, 1) from the seeded stream
 * (seed, draw), sorted ascending and clipped below at −1, as the official code draws them.
 */
export function ensLossDraw(size: number, seed: number, draw: number, boxCox: number): Float32Array {
  const eps = random(seed).fork("ensloss").fork(draw).normals(size);
  const r = Array.from(eps, (e) => -inverseBoxCox(e, boxCox)).sort((a, b) => a - b);
  return Float32Array.from(r, (v) => Math.max(v, -1));
}

/**
 * EnsLoss: each batch draws a random convex, classification-calibrated loss derivative and takes the
 * surrogate Σ gᵢ·sᵢ/B with gᵢ fixed, so its gradient is that derivative at the margins sᵢ = yᵢ·f(xᵢ)
 * (Dai, ICML 2025; official `ensLoss.forward`); batch mean. The B sorted draws are assigned
 * to the margins in increasing order (a non-decreasing derivative: convexity), divided by sᵢ where
 * sᵢ > 1 (superlinear tail) and shifted by −1e-6 (φ'(0) < 0: calibration). Ties in the margins take
 * the draws in index order. The value is not a loss to monitor: it jumps from draw to draw.
 */
export const ensLoss = defineLoss({
  id: "ensloss",
  title: "EnsLoss (stochastic calibrated loss ensemble)",
  family: "classification",
  paper: {
    title: "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in Classification",
    authors: "Ben Dai",
    venue: "ICML",
    year: 2025,
    url: "https://openreview.net/forum?id=wP8meX6uJC"
  },
  code: "statmlben/ensLoss:losses.py (ensLoss)",
  schema: defineSchema({
    seed: {
      type: "int",
      default: 0,
      min: 0,
      max: 2 ** 31 - 1,
      step: 1,
      doc: "seed of the stream the random derivatives are drawn from"
    },
    draw: {
      type: "int",
      default: 0,
      min: 0,
      max: 2 ** 31 - 1,
      step: 1,
      doc: "index of the draw (the training step): each (seed, draw) gives one fixed random derivative"
    },
    boxCox: {
      type: "number",
      default: 0,
      min: -1,
      max: 1,
      step: 0.05,
      symbol: "\\lambda_{BC}",
      doc: "Box–Cox λ of the derivative distribution: 0 (official default) gives −log-normal derivatives"
    }
  }),
  needs: ["logits", "labels"],
  inputs: binaryInputs,
  tex: String.raw`\ell_i = g_i\, s_i,\quad s_i = y_i f(x_i),\; y_i = 2t_i - 1,\quad g_{(k)} = \frac{\max(r_{(k)}, -1)}{\max(s_{(k)}, 1)} - 10^{-6},\; r_j = -\mathrm{BC}^{-1}_{\lambda}(\varepsilon_j),\; \varepsilon_j \sim \mathcal N(0,1)`,
  cite: "Dai 2025 (EnsLoss; calibration by Bartlett, Jordan & McAuliffe 2006) and the official ensLoss.forward",
  summary:
    "Trains with a fresh random convex, calibrated loss every batch, realised through its derivative, so that no single surrogate loss is overfitted.",
  terms: ({logits, labels}, {seed, draw, boxCox}) => {
    const B = labels!.shape[0];
    const f = binaryScore("ensloss", logits!);
    const y = tf.sub(tf.mul(tf.cast(labels!, "float32"), 2), 1);
    const s = tf.mul(f, y) as tf.Tensor1D;
    const r = tf.tensor1d(ensLossDraw(B, seed, draw, boxCox));
    const g = offTape((m) => {
      // rank of each margin among the batch (ties by index), so the k-th smallest margin gets r_(k)
      const mi = tf.reshape(m, [B, 1]);
      const mj = tf.reshape(m, [1, B]);
      const below = tf.cast(tf.less(mj, mi), "float32");
      const earlier = tf.sub(tf.linalg.bandPart(tf.ones([B, B]), -1, 0), tf.eye(B));
      const tied = tf.mul(tf.cast(tf.equal(mj, mi), "float32"), earlier);
      const rank = tf.cast(tf.sum(tf.add(below, tied), 1), "int32");
      const assigned = tf.gather(r, rank);
      return tf.sub(tf.div(assigned, tf.maximum(m, 1)), 1e-6);
    })(s);
    return {loss: {values: tf.mul(g, s), kind: "element"}};
  }
});

export const ensLossLosses = [ensLoss] as const;
