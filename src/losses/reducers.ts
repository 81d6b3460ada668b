import * as tf from "../tf.js";
import type {Term} from "./defineLoss.js";

/** Mean of the values; with weights, Σ wᵢℓᵢ / Σ wᵢ (PyTorch's weighted mean), 0 when Σ w = 0. */
export function mean(term: Term, weights?: tf.Tensor1D): tf.Scalar {
  const w = weights ?? term.weights;
  if (!w) return tf.mean(term.values);
  const total = tf.sum(w);
  // Guard the division so that a batch with zero total weight gives 0 and a finite gradient.
  const safe = tf.maximum(total, 1e-12);
  return tf.div(tf.sum(tf.mul(term.values, w)), safe) as tf.Scalar;
}

/** Sum of the values (weighted when weights are given). */
export function sum(term: Term, weights?: tf.Tensor1D): tf.Scalar {
  const w = weights ?? term.weights;
  return w ? tf.sum(tf.mul(term.values, w)) : tf.sum(term.values);
}

/** Adds up the reduced terms of a loss (a loss with several terms already scales each one). */
export function reduceTerms(terms: Record<string, Term>, weights?: tf.Tensor1D): tf.Scalar {
  const parts = Object.values(terms).map((t) => mean(t, t.kind === "element" ? weights : undefined));
  return parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Scalar);
}
