import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {InputSpec} from "./checks.js";
import type {Paper} from "./defineLoss.js";
import {l2Normalize, lpDistance} from "./distances.js";

const susanaPaper: Paper = {
  title:
    "SuSana Distancia is all you need: Enforcing class separability in metric learning via two novel distance-based loss functions for few-shot image classification",
  authors:
    "Mauricio Mendez-Ruiz, Jorge Gonzalez-Zapata, Ivan Reyes-Amezcua, Daniel Flores-Araiza, Francisco Lopez-Tiro, Andres Mendez-Vazquez, Gilberto Ochoa-Ruiz",
  venue: "arXiv",
  year: 2023,
  url: "https://arxiv.org/abs/2305.09062"
};

/**
 * The episode mask. An episode is one batch: support samples (isSupport = 1) define the prototypes,
 * query samples (isSupport = 0) are classified against them, all with the canonical embeddings and
 * labels, so a page runs one forward pass per episode and draws support, queries and prototypes from
 * the same arrays. Labels need not be 0 … N−1: prototypes are found by label equality.
 */
export const episodeInputs: Readonly<Record<string, InputSpec>> = Object.freeze({
  isSupport: {
    shape: "[B]",
    dtype: "float32",
    values: "mask",
    doc: "1 for support samples (they form the class prototypes), 0 for queries (they are scored against them)"
  }
});

// A finite stand-in for −∞ in masked log-sum-exps and a "farther than anything" for masked minima.
const big = 1e9;

/** One few-shot episode as masks and distances, built with matmuls over label-equality masks (no gatherND). */
export interface Episode {
  /** [B, B] 1 where labels i and j agree (diagonal included). */
  same: tf.Tensor2D;
  /** [B] 1 for support samples. */
  support: tf.Tensor1D;
  /** [B] 1 for queries whose class has at least one support sample (the samples the episode scores). */
  query: tf.Tensor1D;
  /** [B, B] d(x_i, c_{y_j}): squared distance from sample i to the prototype of sample j's class. */
  toPrototype: tf.Tensor2D;
  /** [B] 1/n_{y_j} for support j (n = support count of j's class), 0 for queries: sums over support columns count each class once. */
  perClass: tf.Tensor1D;
  /** [B] 1 for the first support sample of each class: one column per prototype. */
  representative: tf.Tensor1D;
  /** [B] d(x_i, c_{y_i}), the distance to the sample's own prototype (0 where it has none). */
  toOwn: tf.Tensor1D;
  /** [B, D] the embeddings as the distances see them (L2-normalised when asked). */
  points: tf.Tensor2D;
}

/**
 * Prototypes as class means of the support embeddings (Snell et al. 2017, eq. 1), written as
 * P = (A / n) X with A_jk = [y_j = y_k]·s_k, so that row j holds the prototype of sample j's class;
 * a class with one support sample has that sample as its prototype. Distances are squared Euclidean,
 * ProtoNet's choice.
 */
export function episode(
  embeddings: tf.Tensor2D,
  labels: tf.Tensor1D,
  isSupport: tf.Tensor1D,
  normalize: boolean
): Episode {
  const points = normalize ? l2Normalize(embeddings) : embeddings;
  const same = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), "float32") as tf.Tensor2D;
  const support = isSupport;
  const members = tf.mul(same, tf.expandDims(support, 0)); // A_jk = [y_j = y_k] s_k
  const counts = tf.sum(members, 1); // n_{y_j}
  const prototypes = tf.matMul(tf.div(members, tf.expandDims(tf.maximum(counts, 1), 1)), points) as tf.Tensor2D;
  const toPrototype = lpDistance({power: 2, normalize: false}).matrixPrepared(points, prototypes);
  const perClass = tf.div(support, tf.maximum(counts, 1)) as tf.Tensor1D;
  // Own prototype: average of d(x_i, c_{y_j}) over the n support samples j of i's class (all equal).
  const ownWeights = tf.mul(same, tf.expandDims(perClass, 0));
  const toOwn = tf.sum(tf.mul(ownWeights, toPrototype), 1) as tf.Tensor1D;
  const hasPrototype = tf.minimum(counts, 1); // counts of i's own class, i.e. whether c_{y_i} exists
  const query = tf.mul(tf.sub(1, support), hasPrototype) as tf.Tensor1D;
  // A support sample with no earlier support sample of its class stands for the class.
  const n = labels.shape[0];
  const earlier = tf.mul(same, tf.sub(tf.linalg.bandPart(tf.ones([n, n]), -1, 0), tf.eye(n)));
  const representative = tf.mul(
    support,
    tf.sub(1, tf.minimum(tf.sum(tf.mul(earlier, tf.expandDims(support, 0)), 1), 1))
  );
  return {same, support, query, toPrototype, perClass, representative: representative as tf.Tensor1D, toOwn, points};
}

/** ProtoNet's per-query cross-entropy over −d(x, c_k), the classes with support samples (0 for non-queries). */
export function protoNetValues(ep: Episode): tf.Tensor1D {
  // log Σ_k e^{−d(x_i, c_k)} as a sum over support columns weighted 1/n_{y_j}: each class counts once.
  // log(1/n) on support columns, a finite −1e9 on query columns.
  const logWeight = tf.add(
    tf.mul(tf.log(tf.maximum(ep.perClass, 1e-30)), ep.support),
    tf.mul(tf.sub(ep.support, 1), big)
  );
  const logZ = tf.logSumExp(tf.add(tf.neg(ep.toPrototype), tf.expandDims(logWeight, 0)), 1);
  return tf.mul(tf.add(ep.toOwn, logZ), ep.query) as tf.Tensor1D;
}

function checkEpisode(id: string, isSupport: tf.Tensor1D): void {
  if (tf.getBackend() !== "cpu" && tf.getBackend() !== "wasm") return;
  const values = isSupport.dataSync();
  for (let i = 0; i < values.length; ++i) {
    if (values[i] !== 0 && values[i] !== 1) throw new Error(`${id}: isSupport[${i}] = ${values[i]} is not 0 or 1`);
  }
}

/**
 * Proto-Triplet loss: ProtoNet's cross-entropy plus α times a triplet hinge whose anchor is a query,
 * whose positive is the query's own class prototype and whose negative is the nearest other prototype
 * (or every other prototype), [d(q, c_y) − d(q, c_k) + m]₊, so the episode geometry gets an explicit
 * margin (Mendez-Ruiz et al. 2023). No official code exists; the hinge is the method card's
 * reconstruction and is labelled unconfirmed. Both terms are means over the episode's queries.
 */
export const protoTriplet = defineLoss({
  id: "proto-triplet",
  title: "Proto-Triplet loss (ProtoNet + prototype triplet)",
  family: "metric",
  paper: susanaPaper,
  schema: defineSchema({
    margin: {
      type: "number",
      default: 0.5,
      min: 0,
      max: 4,
      step: 0.05,
      symbol: "m",
      doc: "hinge margin between the own-prototype and the other-prototype squared distances (unconfirmed; card: 0.5 for unit-norm embeddings)"
    },
    alpha: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\alpha",
      doc: "weight of the Proto-Triplet term; 0 gives plain ProtoNet"
    },
    negatives: {
      type: "enum",
      default: "hardest",
      options: ["hardest", "all"] as const,
      doc: "negative prototype: the nearest other one, or the mean hinge over every other one"
    },
    normalize: {
      type: "boolean",
      default: true,
      doc: "L2-normalise embeddings before building prototypes, so the margin has a fixed scale"
    }
  }),
  needs: ["embeddings", "labels", "isSupport"],
  inputs: episodeInputs,
  tex: String.raw`\ell = -\log\frac{e^{-d(q,c_y)}}{\sum_k e^{-d(q,c_k)}} + \alpha\big[d(q,c_y) - \min_{k\neq y} d(q,c_k) + m\big]_+,\quad c_k = \tfrac{1}{|S_k|}\textstyle\sum_{x\in S_k} f(x)`,
  cite: "Snell et al. 2017, eq. 1–2 (ProtoNet); Mendez-Ruiz et al. 2023 (Proto-Triplet; formula reconstructed, unconfirmed)",
  summary:
    "Prototypical-network cross-entropy plus a triplet hinge between each query, its own class prototype and the nearest other prototype.",
  terms: ({embeddings, labels, isSupport}, {margin, alpha, negatives, normalize}) => {
    checkEpisode("proto-triplet", isSupport as tf.Tensor1D);
    const ep = episode(embeddings!, labels!, isSupport as tf.Tensor1D, normalize);
    const proto = protoNetValues(ep);
    // Negative prototypes: support columns of another class.
    const neg = tf.mul(tf.sub(1, ep.same), tf.expandDims(ep.support, 0));
    let hinge: tf.Tensor;
    if (negatives === "hardest") {
      // The minimum over one column per prototype: a class's support columns hold identical distances,
      // and tf.min's gradient would reach a tied prototype once per copy.
      const candidates = tf.mul(neg, tf.expandDims(ep.representative, 0));
      const dNeg = tf.min(tf.add(ep.toPrototype, tf.mul(tf.sub(1, candidates), big)), 1);
      const hasNeg = tf.minimum(tf.sum(candidates, 1), 1);
      hinge = tf.mul(tf.relu(tf.add(tf.sub(ep.toOwn, dNeg), margin)), hasNeg);
    } else {
      const w = tf.mul(neg, tf.expandDims(ep.perClass, 0)); // each negative class once
      const each = tf.relu(tf.add(tf.sub(tf.expandDims(ep.toOwn, 1), ep.toPrototype), margin));
      hinge = tf.div(tf.sum(tf.mul(w, each), 1), tf.maximum(tf.sum(w, 1), 1e-12));
    }
    return {
      proto: {values: proto, kind: "element", weights: ep.query},
      triplet: {values: tf.mul(tf.mul(hinge, ep.query), alpha), kind: "element", weights: ep.query}
    };
  }
});

/**
 * ICNN loss: ProtoNet's cross-entropy plus β(1 − ICNN), where ICNN is a differentiable score of how pure
 * each sample's neighbourhood is (Mendez-Ruiz et al. 2023). The hard k-nearest-neighbour score is
 * piecewise constant, so, as the method card prescribes, neighbour purity is the soft NCA form
 * λ_i = Σ_{j: y_j = y_i} softmax_{j≠i}(−d_ij/T); with `separation` it is multiplied by the soft relative
 * separation ω_i = d̄⁻_i/(d̄⁺_i + d̄⁻_i). No official code exists: the score is a reconstruction
 * (unconfirmed). The ProtoNet term is a mean over queries, the ICNN term a mean over every sample.
 */
export const icnn = defineLoss({
  id: "icnn",
  title: "ICNN loss (ProtoNet + soft neighbour purity)",
  family: "metric",
  paper: susanaPaper,
  schema: defineSchema({
    beta: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\beta",
      doc: "weight of the ICNN term; 0 gives plain ProtoNet"
    },
    temperature: {
      type: "number",
      default: 0.1,
      min: 0.01,
      max: 10,
      step: 0.01,
      scale: "log",
      symbol: "T",
      doc: "softness of the neighbour weights softmax(−d/T), the differentiable stand-in for the hard k nearest neighbours"
    },
    separation: {
      type: "boolean",
      default: false,
      doc: "multiply the purity by the soft relative separation d̄⁻/(d̄⁺ + d̄⁻) of other-class and same-class neighbours"
    },
    normalize: {
      type: "boolean",
      default: true,
      doc: "L2-normalise embeddings first"
    }
  }),
  needs: ["embeddings", "labels", "isSupport"],
  inputs: episodeInputs,
  tex: String.raw`\ell = \ell_{\text{proto}} + \beta\,(1 - \lambda_i\,\omega_i),\quad \lambda_i = \sum_{j\neq i,\,y_j=y_i} \frac{e^{-d_{ij}/T}}{\sum_{k\neq i} e^{-d_{ik}/T}}`,
  cite: "Snell et al. 2017 (ProtoNet); Goldberger et al. 2004 (NCA soft neighbours); Mendez-Ruiz et al. 2023 (ICNN; reconstructed, unconfirmed)",
  summary:
    "Prototypical-network cross-entropy plus a soft score that rewards samples whose nearest neighbours share their class.",
  terms: ({embeddings, labels, isSupport}, {beta, temperature, separation, normalize}) => {
    checkEpisode("icnn", isSupport as tf.Tensor1D);
    const ep = episode(embeddings!, labels!, isSupport as tf.Tensor1D, normalize);
    const proto = protoNetValues(ep);
    const n = embeddings!.shape[0];
    const d = lpDistance({power: 2, normalize: false}).matrixPrepared(ep.points, ep.points);
    const eye = tf.eye(n);
    const logits = tf.sub(tf.div(tf.neg(d), temperature), tf.mul(eye, big));
    const p = tf.exp(tf.sub(logits, tf.logSumExp(logits, 1, true)));
    const sameOther = tf.sub(ep.same, eye);
    const diff = tf.sub(1, ep.same);
    const purity = tf.sum(tf.mul(p, sameOther), 1);
    let score: tf.Tensor = purity;
    if (separation) {
      const eps = 1e-12;
      const dSame = tf.div(tf.sum(tf.mul(tf.mul(p, sameOther), d), 1), tf.maximum(purity, eps));
      const pDiff = tf.sum(tf.mul(p, diff), 1);
      const dDiff = tf.div(tf.sum(tf.mul(tf.mul(p, diff), d), 1), tf.maximum(pDiff, eps));
      score = tf.mul(purity, tf.div(dDiff, tf.maximum(tf.add(dSame, dDiff), eps)));
    }
    return {
      proto: {values: proto, kind: "element", weights: ep.query},
      icnn: {values: tf.mul(tf.sub(1, score), beta), kind: "element"}
    };
  }
});

export const protoTripletLosses = Object.freeze([protoTriplet, icnn] as const);
