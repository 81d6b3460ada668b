import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import type {EnumSpec} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import {distanceByName, distanceNames} from "./distances.js";
import type {Distance} from "./distances.js";
import {allPairs, batchHard, multiSimilarityPairs} from "./miners.js";
import type {PairMasks} from "./miners.js";

/** The name of a distance in a metric loss's schema (distanceByName's names). */
export type DistanceName = (typeof distanceNames)[number];

/** The `distance` parameter of a metric loss: distanceByName's names, defaulting to PML's default for that loss. */
export function distanceParam(defaultName: DistanceName): EnumSpec<DistanceName> {
  return {
    type: "enum",
    default: defaultName,
    options: distanceNames,
    labels: {
      euclidean: "Euclidean (normalised)",
      "squared-euclidean": "squared Euclidean (normalised)",
      "euclidean-raw": "Euclidean (raw)",
      cosine: "cosine similarity",
      dot: "dot product"
    },
    doc: "distance or similarity between embeddings (pytorch-metric-learning's distances; 'euclidean' = LpDistance, normalised)"
  };
}

/**
 * pytorch-metric-learning's BaseDistance.margin(x, y): x − y for a distance, y − x for a similarity, i.e.
 * how much x is farther than y. (distances.ts's Distance.margin(near, far) is the same with the arguments
 * swapped; the losses here use PML's argument order so that each line reads like its source.)
 */
export function pmlMargin(distance: Distance, x: tf.Tensor | number, y: tf.Tensor | number): tf.Tensor {
  return distance.inverted ? tf.sub(y, x) : tf.sub(x, y);
}

/**
 * 1 unless a pair miner kept at most one positive and at most one negative pair, then 0: PML's
 * GenericPairLoss returns a zero loss in that case (`all(len(x) <= 1 for x in indices_tuple)`). With every
 * pair of a batch the counts are even, so only mined masks can trigger it. A constant (step has a zero gradient).
 */
export function pairCountGate(masks: PairMasks): tf.Scalar {
  const atLeastTwo = (m: tf.Tensor) => tf.step(tf.sub(tf.sum(m), 1.5));
  return tf.maximum(atLeastTwo(masks.pos), atLeastTwo(masks.neg)) as tf.Scalar;
}

const pairMiners = ["all", "batch-hard", "multi-similarity"] as const;

/**
 * The pairs a pair miner keeps, as masks over the distance matrix (the miner measures with the loss's own
 * distance): "all" = every positive and negative pair (PML's default), "batch-hard" = each anchor's farthest
 * positive and closest negative (BatchHardMiner, its triplets read as pairs), "multi-similarity" =
 * MultiSimilarityMiner(ε).
 */
export function minePairs(
  miner: (typeof pairMiners)[number],
  matrix: tf.Tensor2D,
  labels: tf.Tensor1D,
  distance: Distance,
  epsilon: number
): PairMasks {
  switch (miner) {
    case "all":
      return allPairs(labels);
    case "batch-hard": {
      const {pos, neg} = batchHard(matrix, labels, distance);
      return {pos, neg};
    }
    case "multi-similarity":
      return multiSimilarityPairs(matrix, labels, distance, {epsilon});
  }
}

/**
 * Contrastive loss as pytorch-metric-learning's ContrastiveLoss: positive pairs pay [d − m⁺]₊ and negative
 * pairs [m⁻ − d]₊ (for a similarity s: [m⁺ − s]₊ and [s − m⁻]₊), each side averaged over its pairs with a
 * non-zero loss (AvgNonZeroReducer) and the two averages added. Follows the code, not Hadsell et al. 2006
 * (eq. 4), which squares both hinges, halves them and averages all pairs together; default Euclidean distance
 * of L2-normalised embeddings, m⁺ = 0, m⁻ = 1, every pair of the batch unless a miner is chosen.
 */
export const contrastive = defineLoss({
  id: "contrastive",
  title: "Contrastive loss",
  family: "metric",
  paper: {
    title: "Dimensionality Reduction by Learning an Invariant Mapping",
    authors: "Raia Hadsell, Sumit Chopra, Yann LeCun",
    venue: "CVPR",
    year: 2006,
    url: "https://doi.org/10.1109/CVPR.2006.100"
  },
  code: "KevinMusgrave/pytorch-metric-learning:src/pytorch_metric_learning/losses/contrastive_loss.py",
  schema: defineSchema({
    posMargin: {
      type: "number",
      default: 0,
      min: -1,
      max: 4,
      step: 0.05,
      symbol: "m^{+}",
      doc: "positive pairs pay only beyond this distance (below this similarity); PML default 0"
    },
    negMargin: {
      type: "number",
      default: 1,
      min: -1,
      max: 4,
      step: 0.05,
      symbol: "m^{-}",
      doc: "negative pairs pay only within this distance (above this similarity); PML default 1"
    },
    distance: distanceParam("euclidean"),
    miner: {
      type: "enum",
      default: "all",
      options: pairMiners,
      labels: {all: "all pairs", "batch-hard": "batch-hard", "multi-similarity": "multi-similarity"},
      doc: "which pairs count: all (PML default), each anchor's hardest positive and negative, or the multi-similarity miner"
    },
    epsilon: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 2,
      step: 0.01,
      symbol: "\\epsilon",
      when: {miner: ["multi-similarity"]},
      doc: "multi-similarity miner margin: keep negatives closer than the farthest positive + ε and positives farther than the closest negative − ε"
    }
  }),
  needs: ["embeddings", "labels"],
  tex: String.raw`\ell = \frac{\sum_{(a,p)} [d_{ap} - m^{+}]_+}{\#\{[d_{ap} - m^{+}]_+ > 0\}} + \frac{\sum_{(a,n)} [m^{-} - d_{an}]_+}{\#\{[m^{-} - d_{an}]_+ > 0\}}`,
  cite: "Hadsell, Chopra & LeCun 2006, eq. 4, in pytorch-metric-learning's form (unsquared hinges, AvgNonZeroReducer per side)",
  summary:
    "Pulls same-label pairs together until they are within m⁺ and pushes different-label pairs apart until they are beyond m⁻, averaging each side over the pairs that still violate their margin.",
  terms: ({embeddings, labels}, {posMargin, negMargin, distance: name, miner, epsilon}) => {
    const distance = distanceByName(name);
    const d = distance.matrix(embeddings!);
    const masks = minePairs(miner, d, labels!, distance, epsilon);
    const gate = miner === "all" ? 1 : pairCountGate(masks);
    return {
      pos: {
        values: tf.relu(pmlMargin(distance, d, posMargin)),
        kind: "pair",
        weights: tf.mul(masks.pos, gate),
        reduce: "mean-nonzero"
      },
      neg: {
        values: tf.relu(pmlMargin(distance, negMargin, d)),
        kind: "pair",
        weights: tf.mul(masks.neg, gate),
        reduce: "mean-nonzero"
      }
    };
  }
});

export const contrastiveLosses = Object.freeze([contrastive] as const);
