import * as tf from "../tf.js";
import type {Term} from "./defineLoss.js";

// A positive floor for denominators: a term with nothing to count reduces to 0/ε = 0, with a zero
// (not NaN) gradient.
const floor = 1e-12;

/** Mean of the values; with weights, Σ wᵢℓᵢ / Σ wᵢ (PyTorch's weighted mean), 0 when Σ w = 0. */
export function mean(term: Term, weights?: tf.Tensor): tf.Scalar {
  const w = weights ?? term.weights;
  if (!w) return tf.mean(term.values);
  return tf.div(tf.sum(tf.mul(term.values, w)), tf.maximum(tf.sum(w), floor)) as tf.Scalar;
}

/**
 * Σ wᵢℓᵢ over the number of terms with wᵢℓᵢ > 0: the mean over the pairs or triplets that still
 * violate their margin (pytorch-metric-learning's AvgNonZeroReducer), 0 when none does.
 */
export function meanNonZero(term: Term, weights?: tf.Tensor): tf.Scalar {
  const w = weights ?? term.weights;
  const weighted = w ? tf.mul(term.values, w) : term.values;
  // step(x) = 1 for x > 0, else 0, with a zero gradient (TF.js has no gradient for comparisons).
  const count = tf.sum(tf.step(weighted));
  return tf.div(tf.sum(weighted), tf.maximum(count, floor)) as tf.Scalar;
}

/** Sum of the values (weighted when weights are given). */
export function sum(term: Term, weights?: tf.Tensor): tf.Scalar {
  const w = weights ?? term.weights;
  return w ? tf.sum(tf.mul(term.values, w)) : tf.sum(term.values);
}

/** Reduces one term by its declared reduction (mean by default). */
export function reduceTerm(term: Term, weights?: tf.Tensor): tf.Scalar {
  switch (term.reduce ?? "mean") {
    case "mean":
      return mean(term, weights);
    case "mean-nonzero":
      return meanNonZero(term, weights);
    case "sum":
      return sum(term, weights);
  }
}

/**
 * Adds up the reduced terms of a loss (a loss with several terms already scales each one). Per-sample
 * weights apply to element terms whose values are per sample ([B]), multiplying the term's own weights
 * (e.g. class weights) when it has some.
 */
export function reduceTerms(terms: Record<string, Term>, weights?: tf.Tensor1D): tf.Scalar {
  const parts = Object.values(terms).map((t) => {
    const perSample = weights && t.kind === "element" && t.values.rank === 1 && t.values.shape[0] === weights.shape[0];
    if (!perSample) return reduceTerm(t);
    return reduceTerm(t, t.weights ? tf.mul(t.weights, weights) : weights);
  });
  if (parts.length === 0) return tf.scalar(0);
  return parts.reduce((a, b) => tf.add(a, b) as tf.Scalar);
}
