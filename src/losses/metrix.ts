import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {Term} from "./defineLoss.js";
import {l2Normalize, lpDistance} from "./distances.js";
import {oneHotFloat} from "./masks.js";
import {allPairs} from "./miners.js";

// Values are checked where reading them is free (as checks.ts does for labels); on GPU backends a
// check would cost a readback per step.
function cpuResident(): boolean {
  const name = tf.getBackend();
  return name === "cpu" || name === "wasm";
}

function checkRange(name: string, t: tf.Tensor, lo: number, hi: number, closed: boolean): void {
  if (!cpuResident()) return;
  const values = t.dataSync();
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    if (!(v >= lo && (closed ? v <= hi : v < hi))) {
      throw new Error(`metrix: ${name}[${i}] = ${v} is outside [${lo}, ${hi}${closed ? "]" : ")"}`);
    }
  }
}

/**
 * The contrastive loss's two pair terms between `anchors` (rows, labels `labels`) and `refs` (columns):
 * positive pairs pay max(d − m⁺, 0) weighted by `posLabel`, negative pairs max(m⁻ − d, 0) weighted by
 * 1 − `posLabel` ([B, M] soft pair labels; 0/1 for clean pairs), each averaged over its non-zero entries as
 * pytorch-metric-learning's AvgNonZeroReducer does. `mask` keeps the pairs that exist.
 */
function softContrastive(
  d: tf.Tensor2D,
  posLabel: tf.Tensor2D,
  mask: tf.Tensor2D,
  {posMargin, negMargin, scale}: {posMargin: number; negMargin: number; scale: number}
): [Term, Term] {
  const pos = tf.mul(tf.mul(posLabel, tf.relu(tf.sub(d, posMargin))), scale);
  const neg = tf.mul(tf.mul(tf.sub(1, posLabel), tf.relu(tf.sub(negMargin, d))), scale);
  return [
    {values: pos, kind: "pair", weights: mask, reduce: "mean-nonzero"},
    {values: neg, kind: "pair", weights: mask, reduce: "mean-nonzero"}
  ];
}

/**
 * Metrix, mixup for metric learning (Venkataramanan, Psomas et al. 2022, §3): the contrastive loss on the
 * clean batch plus w times the same loss on (anchor, mixed example) pairs whose pair label is interpolated,
 * λ·[y_a = y_A] + (1 − λ)·[y_a = y_B], so that attraction is weighted by the positive fraction and repulsion by
 * the rest. Matches the official code (billpsomas/Metrix_ICLR22, contrastive only): Euclidean distance of
 * L2-normalised embeddings (PML LpDistance, which also renormalises the mixed embeddings; the card's "not
 * renormalised" holds for the mixing, not for the distance), margins 0 and 0.5, AvgNonZero reduction of each of
 * the four pair terms, w = 0.4. Pairs: with `mixAnchors` each mixed example meets only its own anchor (the
 * official pairing); without it every clean embedding is an anchor for every mixed example (the paper's
 * generic form). Mixing itself (input, feature or embedding level, λ ~ Beta(2, 2)) is the caller's; see
 * metrixPairs and mixedInputs for the official embedding-level construction.
 */
export const metrix = defineLoss({
  id: "metrix",
  title: "Metrix (mixup for metric learning, contrastive)",
  family: "metric",
  paper: {
    title: "It Takes Two to Tango: Mixup for Deep Metric Learning",
    authors:
      "Shashanka Venkataramanan, Bill Psomas, Ewa Kijak, Laurent Amsaleg, Konstantinos Karantzalos, Yannis Avrithis",
    venue: "ICLR",
    year: 2022,
    url: "https://arxiv.org/abs/2106.04990"
  },
  code: "billpsomas/Metrix_ICLR22:mixup/losses.py (loss_posneg_mixup), train.py (*_metrix_contrastive)",
  schema: defineSchema({
    weight: {
      type: "number",
      default: 0.4,
      min: 0,
      max: 2,
      step: 0.05,
      symbol: "w",
      doc: "weight of the mixed-pair loss; 0.4 in the official code (0.3 in its embedding-level anchor–negative branch)"
    },
    posMargin: {
      type: "number",
      default: 0,
      min: 0,
      max: 1,
      step: 0.05,
      symbol: "m^{+}",
      doc: "positive pairs pay only beyond this distance (PML ContrastiveLoss pos_margin, 0)"
    },
    negMargin: {
      type: "number",
      default: 0.5,
      min: 0,
      max: 2,
      step: 0.05,
      symbol: "m^{-}",
      doc: "negative pairs pay until they are this far apart (neg_margin 0.5 in the official code)"
    }
  }),
  needs: ["embeddings", "labels", "mixedEmbeddings", "mixLabelsA", "mixLabelsB", "mixWeights"],
  inputs: {
    mixedEmbeddings: {
      shape: "[M, D]",
      dtype: "float32",
      values: "real",
      doc: "embeddings of the M mixed examples λ·x_A + (1 − λ)·x_B (mixed at input, feature or embedding level)"
    },
    mixLabelsA: {
      shape: "[M]",
      dtype: "int32",
      values: "class-index",
      doc: "class of the first (λ-weighted, 'positive') source of each mixed example"
    },
    mixLabelsB: {
      shape: "[M]",
      dtype: "int32",
      values: "class-index",
      doc: "class of the second ((1 − λ)-weighted) source of each mixed example"
    },
    mixWeights: {
      shape: "[M]",
      dtype: "float32",
      values: "unit-interval",
      doc: "the interpolation factor λ ∈ [0, 1] of each mixed example (one Beta(2, 2) draw per batch officially)"
    },
    mixAnchors: {
      shape: "[M]",
      dtype: "int32",
      values: "sample-id",
      doc: "optional: the batch row of the anchor each mixed example is compared with (official pairing); without it every row is an anchor"
    }
  },
  tex: String.raw`L = \ell(\mathcal{P}, \mathcal{N}) + w\Big[\operatorname{avg}_{\neq 0}\, \tilde y\,[d(a,u)-m^{+}]_+ + \operatorname{avg}_{\neq 0}\,(1-\tilde y)\,[m^{-}-d(a,u)]_+\Big],\quad \tilde y = \lambda\,[y_a = y_A] + (1-\lambda)\,[y_a = y_B]`,
  cite: "Venkataramanan, Psomas et al. 2022, §3 (Metrix); official contrastive implementation (train.py, mixup/losses.py)",
  summary:
    "Mixes examples and their pair labels: a mixed example is λ-positive and (1 − λ)-negative for its anchor, filling the space between classes.",
  terms: (
    {embeddings, labels, mixedEmbeddings, mixLabelsA, mixLabelsB, mixWeights, mixAnchors},
    {weight, posMargin, negMargin}
  ) => {
    const E = embeddings!;
    const y = labels!;
    const mixed = mixedEmbeddings as tf.Tensor2D;
    const lam = mixWeights as tf.Tensor1D;
    const B = E.shape[0];
    checkRange("mixWeights", lam, 0, 1, true);
    const distance = lpDistance();
    // Clean batch: PML ContrastiveLoss over all pairs.
    const clean = allPairs(y);
    const d = distance.matrix(E);
    const margins = {posMargin, negMargin};
    const positive: Term = {
      values: tf.relu(tf.sub(d, posMargin)),
      kind: "pair",
      weights: clean.pos,
      reduce: "mean-nonzero"
    };
    const negative: Term = {
      values: tf.relu(tf.sub(negMargin, d)),
      kind: "pair",
      weights: clean.neg,
      reduce: "mean-nonzero"
    };
    // Mixed pairs [B, M]: soft pair label from the two sources' classes.
    const yCol = tf.expandDims(y, 1);
    const sameA = tf.cast(tf.equal(yCol, tf.expandDims(mixLabelsA as tf.Tensor1D, 0)), "float32");
    const sameB = tf.cast(tf.equal(yCol, tf.expandDims(mixLabelsB as tf.Tensor1D, 0)), "float32");
    const lamRow = tf.expandDims(lam, 0);
    const soft = tf.add(tf.mul(lamRow, sameA), tf.mul(tf.sub(1, lamRow), sameB)) as tf.Tensor2D;
    let pairMask: tf.Tensor2D;
    if (mixAnchors) {
      checkRange("mixAnchors", mixAnchors as tf.Tensor, 0, B, false);
      pairMask = tf.transpose(oneHotFloat(mixAnchors as tf.Tensor1D, B)) as tf.Tensor2D;
    } else pairMask = tf.onesLike(soft);
    if (mixed.shape[0] === 0) {
      // No mixed examples this step: empty terms (TF.js cannot back-propagate through [B, 0] matrices).
      const none: Term = {values: tf.zeros([1]), kind: "pair", weights: tf.zeros([1]), reduce: "mean-nonzero"};
      return {positive, negative, mixedPositive: none, mixedNegative: none};
    }
    const dm = distance.matrix(E, mixed);
    const [mixedPositive, mixedNegative] = softContrastive(dm, soft, pairMask, {...margins, scale: weight});
    return {positive, negative, mixedPositive, mixedNegative};
  }
});

export const metrixLosses = [metrix] as const;

/** Index lists of an official Metrix pairing: mixed example k is λ·x[first[k]] + (1 − λ)·x[second[k]], compared with x[anchors[k]]. */
export interface MetrixPairs {
  anchors: Int32Array;
  first: Int32Array;
  second: Int32Array;
}

/**
 * The official embedding/feature-level pairings (mixup/utils.py), built on the CPU from labels:
 * "positive-negative" mixes, for every positive pair (a, p) in row-major order, the anchor's first positive
 * with each of a's negatives (the official code repeats an anchor's list once per positive it has, and so do
 * we); "anchor-negative" mixes each anchor that has no positive in the batch with each of its negatives
 * (empty for balanced batches, where the official code would fail).
 */
export function metrixPairs(labels: ArrayLike<number>, kind: "positive-negative" | "anchor-negative"): MetrixPairs {
  const n = labels.length;
  const anchors: number[] = [];
  const first: number[] = [];
  const second: number[] = [];
  const positivesOf = (a: number) =>
    Array.from({length: n}, (_, j) => j).filter((j) => j !== a && labels[j] === labels[a]);
  const negativesOf = (a: number) => Array.from({length: n}, (_, j) => j).filter((j) => labels[j] !== labels[a]);
  for (let a = 0; a < n; ++a) {
    const positives = positivesOf(a);
    const negatives = negativesOf(a);
    if (kind === "positive-negative") {
      for (let r = 0; r < positives.length; ++r)
        for (const neg of negatives) {
          anchors.push(a);
          first.push(positives[0]);
          second.push(neg);
        }
    } else if (positives.length === 0) {
      for (const neg of negatives) {
        anchors.push(a);
        first.push(a);
        second.push(neg);
      }
    }
  }
  return {anchors: Int32Array.from(anchors), first: Int32Array.from(first), second: Int32Array.from(second)};
}

/**
 * Embedding-level Metrix inputs for a pairing: mixes the L2-normalised rows of `embeddings` (the official
 * model's outputs are normalised, --l2_norm 1) with one λ for the batch, as `mixup_data` does, without
 * renormalising the mixture (the loss's distance does), and returns the declared inputs of `metrix`.
 * Gradients flow to `embeddings` through the mixing (tf.gather along rows).
 */
export function mixedInputs(
  embeddings: tf.Tensor2D,
  labels: ArrayLike<number>,
  pairs: MetrixPairs,
  lambda: number
): {
  mixedEmbeddings: tf.Tensor2D;
  mixLabelsA: tf.Tensor1D;
  mixLabelsB: tf.Tensor1D;
  mixWeights: tf.Tensor1D;
  mixAnchors: tf.Tensor1D;
} {
  if (!(lambda >= 0 && lambda <= 1)) throw new Error(`metrix: invalid lambda: ${lambda}`);
  const M = pairs.anchors.length;
  const D = embeddings.shape[1];
  const mixedEmbeddings =
    M === 0
      ? (tf.zeros([0, D]) as tf.Tensor2D)
      : tf.tidy(() => {
          const unit = l2Normalize(embeddings);
          return tf.add(
            tf.mul(tf.gather(unit, tf.tensor1d(pairs.first, "int32")), lambda),
            tf.mul(tf.gather(unit, tf.tensor1d(pairs.second, "int32")), 1 - lambda)
          ) as tf.Tensor2D;
        });
  return {
    mixedEmbeddings,
    mixLabelsA: tf.tensor1d(
      Int32Array.from(pairs.first, (i) => labels[i]),
      "int32"
    ),
    mixLabelsB: tf.tensor1d(
      Int32Array.from(pairs.second, (i) => labels[i]),
      "int32"
    ),
    mixWeights: tf.fill([M], lambda) as tf.Tensor1D,
    mixAnchors: tf.tensor1d(pairs.anchors, "int32")
  };
}

/**
 * Metrix's utilization (Venkataramanan, Psomas et al. 2022, §5; reconstructed, the card marks it unconfirmed
 * verbatim): the mean over test queries of the squared Euclidean distance to the nearest reference
 * (training, optionally plus mixed) embedding. Lower means test embeddings fall where training placed
 * examples. Plain arrays, row-major [n, dim]; pass normalised embeddings to match the loss's geometry.
 */
export function utilization(queries: ArrayLike<number>, references: ArrayLike<number>, dim: number): number {
  if (!(Number.isInteger(dim) && dim > 0)) throw new Error(`utilization: invalid dim: ${dim}`);
  if (queries.length % dim !== 0 || references.length % dim !== 0) {
    throw new Error(
      `utilization: queries (${queries.length}) and references (${references.length}) must be multiples of dim ${dim}`
    );
  }
  const nq = queries.length / dim;
  const nr = references.length / dim;
  if (nq === 0 || nr === 0)
    throw new Error(`utilization: needs at least one query and one reference, got ${nq} and ${nr}`);
  let total = 0;
  for (let q = 0; q < nq; ++q) {
    let best = Infinity;
    for (let r = 0; r < nr; ++r) {
      let s = 0;
      for (let k = 0; k < dim; ++k) {
        const diff = queries[q * dim + k] - references[r * dim + k];
        s += diff * diff;
      }
      if (s < best) best = s;
    }
    total += best;
  }
  return total / nq;
}
