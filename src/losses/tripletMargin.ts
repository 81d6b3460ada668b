import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import {distanceByName} from "./distances.js";
import type {Distance} from "./distances.js";
import {allTriplets, batchHard, tripletsByMargin} from "./miners.js";
import {distanceParam, pmlMargin} from "./contrastive.js";

const tripletMiners = ["all", "semihard", "hard", "batch-hard"] as const;
export type TripletMiner = (typeof tripletMiners)[number];

/**
 * The triplets a triplet miner keeps, as a 0/1 mask [B, B, B] over (anchor, positive, negative), measured
 * with the loss's own distance: "all" = every valid triplet (PML's triplets_per_anchor="all"), "semihard" and
 * "hard" = PML's TripletMarginMiner(minerMargin) of that type, "batch-hard" = PML's BatchHardMiner.
 */
export function mineTriplets(
  miner: TripletMiner,
  matrix: tf.Tensor2D,
  labels: tf.Tensor1D,
  distance: Distance,
  minerMargin: number
): tf.Tensor3D {
  switch (miner) {
    case "all":
      return allTriplets(labels);
    case "semihard":
    case "hard":
      return tripletsByMargin(matrix, labels, distance, {margin: minerMargin, type: miner});
    case "batch-hard":
      return batchHard(matrix, labels, distance).triplets;
  }
}

/**
 * Triplet margin loss as pytorch-metric-learning's TripletMarginLoss: every mined triplet (a, p, n) pays
 * [d_ap − d_an + m]₊ (with a similarity, [s_an − s_ap + m]₊), averaged over the triplets with a non-zero
 * loss (AvgNonZeroReducer). Defaults follow PML, not FaceNet (Schroff et al. 2015, eq. 1, squared distances,
 * margin 0.2): Euclidean distance of L2-normalised embeddings, m = 0.05, all triplets. `swap` uses
 * min(d_an, d_pn) (Balntas et al. 2016); `smoothLoss` replaces the hinge by softplus.
 */
export const tripletMargin = defineLoss({
  id: "triplet-margin",
  title: "Triplet margin loss",
  family: "metric",
  paper: {
    title: "FaceNet: A Unified Embedding for Face Recognition and Clustering",
    authors: "Florian Schroff, Dmitry Kalenichenko, James Philbin",
    venue: "CVPR",
    year: 2015,
    url: "https://arxiv.org/abs/1503.03832"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/triplet_margin_loss.py",
  schema: defineSchema({
    margin: {
      type: "number",
      default: 0.05,
      min: 0,
      max: 2,
      step: 0.01,
      symbol: "m",
      doc: "how much farther than the positive every negative must be; PML default 0.05"
    },
    swap: {
      type: "boolean",
      default: false,
      doc: "use the positive–negative distance when it is smaller than the anchor–negative one (Balntas et al. 2016)"
    },
    smoothLoss: {type: "boolean", default: false, doc: "softplus(violation) instead of the hinge [violation]₊"},
    distance: distanceParam("euclidean"),
    miner: {
      type: "enum",
      default: "all",
      options: tripletMiners,
      labels: {all: "all triplets", semihard: "semi-hard", hard: "hard", "batch-hard": "batch-hard"},
      doc: "which triplets count: all (PML default), semi-hard or hard (TripletMarginMiner), or each anchor's hardest positive and negative"
    },
    minerMargin: {
      type: "number",
      default: 0.2,
      min: 0,
      max: 2,
      step: 0.01,
      symbol: "m_{\\text{mine}}",
      when: {miner: ["semihard", "hard"]},
      doc: "TripletMarginMiner margin: keep triplets with d_an − d_ap ≤ this (semi-hard: also > 0, hard: also ≤ 0); PML default 0.2"
    }
  }),
  needs: ["embeddings", "labels"],
  tex: String.raw`\ell = \frac{1}{\#\{\ell_{apn} > 0\}} \sum_{(a,p,n)} \ell_{apn},\quad \ell_{apn} = \big[d_{ap} - d_{an} + m\big]_+`,
  cite: "Schroff, Kalenichenko & Philbin 2015, eq. 1, in pytorch-metric-learning's form (AvgNonZeroReducer)",
  summary:
    "Asks every negative to be at least a margin farther from the anchor than every positive, averaging over the triplets that still violate it.",
  terms: ({embeddings, labels}, {margin, swap, smoothLoss, distance: name, miner, minerMargin}) => {
    const distance = distanceByName(name);
    const d = distance.matrix(embeddings!);
    const ap = tf.expandDims(d, 2); // [B, B, 1]: d(a, p)
    let an = tf.expandDims(d, 1); // [B, 1, B]: d(a, n)
    if (swap) {
      // Both broadcast to [B, B, B] first: TF.js 4.22's Maximum/Minimum gradients do not sum over
      // broadcast dimensions (a shape error in backprop).
      const n = d.shape[0];
      const full = [n, n, n];
      const pn = tf.broadcastTo(tf.expandDims(d, 0), full); // d(p, n)
      const anFull = tf.broadcastTo(an, full);
      // PML's smallest_dist: the smaller distance, or the larger similarity.
      an = distance.inverted ? tf.maximum(anFull, pn) : tf.minimum(anFull, pn);
    }
    const violation = tf.add(pmlMargin(distance, ap, an), margin);
    const values = smoothLoss ? tf.softplus(violation) : tf.relu(violation);
    const weights = mineTriplets(miner, d, labels!, distance, minerMargin);
    return {loss: {values, kind: "triplet", weights, reduce: "mean-nonzero"}};
  }
});

export const tripletMarginLosses = Object.freeze([tripletMargin] as const);
