import * as tf from "../tf.js";
import type {Distance} from "./distances.js";
import {noGradient} from "./masks.js";

/**
 * Miners as masks. TF.js has no gradient for gatherND, so instead of index lists (as
 * pytorch-metric-learning returns) a miner returns 0/1 float masks over the pair matrix [B, B'] or
 * the triplet cube [B, B', B'] (anchor, positive, negative). Losses multiply by them; components draw
 * them. Masks are built from labels and from distance values and carry no gradient of their own.
 */
export interface PairMasks {
  /** [B, B'] 1 where (i, j) is a positive pair that the miner keeps. */
  pos: tf.Tensor2D;
  /** [B, B'] 1 where (i, j) is a negative pair that the miner keeps. */
  neg: tf.Tensor2D;
}

/** Same-label and different-label masks. With `self` (query = reference set) the diagonal is not a positive pair. */
export function labelMasks(
  labels: tf.Tensor1D,
  refLabels: tf.Tensor1D = labels,
  self = refLabels === labels
): PairMasks {
  return tf.tidy(() => {
    const same = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(refLabels, 0)), "float32") as tf.Tensor2D;
    const neg = tf.sub(1, same) as tf.Tensor2D;
    const pos = self ? (tf.sub(same, tf.eye(labels.shape[0], refLabels.shape[0])) as tf.Tensor2D) : same;
    return {pos, neg};
  });
}

/** Every positive and negative pair (PML's default for pair losses: get_all_pairs_indices). */
export function allPairs(labels: tf.Tensor1D, refLabels?: tf.Tensor1D): PairMasks {
  return labelMasks(labels, refLabels);
}

/** Every valid triplet (a, p, n): p shares a's label (p ≠ a), n does not. [B, B', B'] (PML's get_all_triplets_indices). */
export function allTriplets(labels: tf.Tensor1D, refLabels?: tf.Tensor1D): tf.Tensor3D {
  return tf.tidy(() => {
    const {pos, neg} = labelMasks(labels, refLabels);
    return tf.mul(tf.expandDims(pos, 2), tf.expandDims(neg, 1)) as tf.Tensor3D;
  });
}

/**
 * Triplets by margin, as PML's TripletMarginMiner: with m = d(a,n) − d(a,p) (sign flipped for
 * similarities), "all" keeps m ≤ margin, "hard" also m ≤ 0, "semihard" also m > 0, "easy" keeps m > margin.
 */
export function tripletsByMargin(
  matrix: tf.Tensor2D,
  labels: tf.Tensor1D,
  distance: Distance,
  {margin = 0.2, type = "all"}: {margin?: number; type?: "all" | "hard" | "semihard" | "easy"} = {},
  refLabels?: tf.Tensor1D
): tf.Tensor3D {
  // The mask depends on distance values: compute it off the tape (see noGradient).
  return noGradient((d) => {
    const valid = allTriplets(labels, refLabels);
    const m = distance.margin(tf.expandDims(d, 2), tf.expandDims(d, 1));
    let keep: tf.Tensor;
    if (type === "easy") keep = tf.greater(m, margin);
    else {
      keep = tf.lessEqual(m, margin);
      if (type === "hard") keep = tf.logicalAnd(keep, tf.lessEqual(m, 0));
      else if (type === "semihard") keep = tf.logicalAnd(keep, tf.greater(m, 0));
    }
    return tf.mul(valid, tf.cast(keep, "float32")) as tf.Tensor3D;
  })(matrix);
}

// A value larger than any distance or similarity the masks compete with.
const big = 1e9;

/**
 * Batch-hard triplets (Hermans et al. 2017; PML's BatchHardMiner): for each anchor, its farthest
 * positive and its closest negative; anchors with no positive or no negative are dropped. Ties go to
 * the lowest index. Returns the triplet mask [B, B', B'] and the two one-hot selections [B, B'].
 */
export function batchHard(
  matrix: tf.Tensor2D,
  labels: tf.Tensor1D,
  distance: Distance,
  refLabels?: tf.Tensor1D
): {triplets: tf.Tensor3D; pos: tf.Tensor2D; neg: tf.Tensor2D} {
  const {pos, neg} = labelMasks(labels, refLabels);
  const n = matrix.shape[1];
  // The selections depend on distance values: compute them off the tape (see noGradient).
  const select = (pick: (closeness: tf.Tensor) => tf.Tensor) =>
    noGradient((d) => {
      // "Closeness" is larger-is-closer for both kinds of distance.
      const closeness = distance.inverted ? d : tf.neg(d);
      const index = tf.cast(pick(closeness), "int32") as tf.Tensor1D;
      const hasBoth = tf.mul(
        tf.cast(tf.greater(tf.sum(pos, 1), 0), "float32"),
        tf.cast(tf.greater(tf.sum(neg, 1), 0), "float32")
      );
      return tf.mul(tf.cast(tf.oneHot(index, n), "float32"), tf.expandDims(hasBoth, 1)) as tf.Tensor2D;
    })(matrix);
  const p = select((c) => tf.argMin(tf.add(c, tf.mul(tf.sub(1, pos), big)), 1));
  const q = select((c) => tf.argMax(tf.sub(c, tf.mul(tf.sub(1, neg), big)), 1));
  return {triplets: tf.mul(tf.expandDims(p, 2), tf.expandDims(q, 1)) as tf.Tensor3D, pos: p, neg: q};
}

/**
 * The multi-similarity miner (Wang et al. 2019, eq. 7–8; PML's MultiSimilarityMiner, epsilon 0.1):
 * keeps a negative pair if it is closer than the anchor's farthest positive plus ε, and a positive pair
 * if it is farther than the anchor's closest negative minus ε. Anchors with no positive or no negative
 * keep nothing on that side. Written for similarities; with a distance the comparisons flip.
 */
export function multiSimilarityPairs(
  matrix: tf.Tensor2D,
  labels: tf.Tensor1D,
  distance: Distance,
  {epsilon = 0.1}: {epsilon?: number} = {},
  refLabels?: tf.Tensor1D
): PairMasks {
  const {pos, neg} = labelMasks(labels, refLabels);
  // The masks depend on similarity values: compute them off the tape (see noGradient).
  const side = (which: "pos" | "neg") =>
    noGradient((d) => {
      const closeness = distance.inverted ? d : tf.neg(d);
      if (which === "neg") {
        // Keep a negative closer than the anchor's least-close positive + ε (+big where the anchor has none).
        const minPos = tf.min(tf.add(closeness, tf.mul(tf.sub(1, pos), big)), 1, true);
        return tf.mul(neg, tf.cast(tf.greater(tf.add(closeness, epsilon), minPos), "float32")) as tf.Tensor2D;
      }
      // Keep a positive less close than the anchor's closest negative − ε (−big where the anchor has none).
      const maxNeg = tf.max(tf.sub(closeness, tf.mul(tf.sub(1, neg), big)), 1, true);
      return tf.mul(pos, tf.cast(tf.less(tf.sub(closeness, epsilon), maxNeg), "float32")) as tf.Tensor2D;
    })(matrix);
  return {pos: side("pos"), neg: side("neg")};
}

/** Number of pairs or triplets a mask keeps (a stat for views). */
export function countMask(mask: tf.Tensor): tf.Scalar {
  return tf.sum(mask);
}
