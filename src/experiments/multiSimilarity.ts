import {gaussianClasses} from "../datasets/gaussian.js";
import {contrastive} from "../losses/contrastive.js";
import {tripletMargin} from "../losses/tripletMargin.js";
import {
  multiSimilarityArmWeights,
  multiSimilarityBatchRows,
  multiSimilarityOfficial,
  multiSimilarityRetrieval,
  multiSimilarityUsedCounts
} from "../methods/multiSimilarity.js";
import type {MultiSimilarityArmKind} from "../methods/multiSimilarity.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import type {ArmSpec, MetricsHook} from "../train/train.js";
import {defineExperiment} from "./experiment.js";
import {sharedControls} from "./controls.js";

const baselines = ["contrastive", "triplet", "ms-unmined"] as const;

/** Controls of the multi-similarity notebook; every key round-trips through the URL hash. */
export const multiSimilaritySchema = defineSchema({
  baseline: {
    group: "Losses",
    type: "enum",
    default: "contrastive",
    options: baselines,
    labels: {
      contrastive: "Contrastive (m⁺ = 0, m⁻ = 0.5)",
      triplet: "Triplet, semi-hard (m = 0.2)",
      "ms-unmined": "MS without mining"
    },
    label: "baseline",
    doc: "the loss trained beside multi-similarity: contrastive (the paper's first baseline), semi-hard triplet, or MS with every pair (the mining ablation)"
  },
  alpha: {
    group: "Losses",
    type: "number",
    default: 2,
    min: 0.1,
    max: 20,
    scale: "log",
    symbol: "\\alpha",
    label: "α",
    doc: "MS sharpness for positive pairs (official SCALE_POS 2)"
  },
  beta: {
    group: "Losses",
    type: "number",
    default: 40,
    min: 1,
    max: 200,
    scale: "log",
    symbol: "\\beta",
    label: "β",
    doc: "MS sharpness for negative pairs (official SCALE_NEG 40; the paper reports 50)"
  },
  lambda: {
    group: "Losses",
    type: "number",
    default: 0.5,
    min: -1,
    max: 1,
    step: 0.05,
    symbol: "\\lambda",
    label: "λ",
    doc: "MS similarity threshold (official 0.5)"
  },
  epsilon: {
    group: "Losses",
    type: "number",
    default: 0.1,
    min: 0,
    max: 1,
    step: 0.01,
    symbol: "\\epsilon",
    label: "ε",
    doc: "MS mining margin (official 0.1)"
  },
  mine: {
    group: "Losses",
    type: "boolean",
    default: true,
    label: "MS mines pairs",
    doc: "the method arm mines pairs first, as the official code always does"
  },
  dims: {
    group: "Data",
    type: "int",
    default: 8,
    min: 2,
    max: 32,
    label: "input dims",
    doc: "dimension of the Gaussian classes"
  },
  perClass: {
    group: "Data",
    type: "int",
    default: 40,
    min: 8,
    max: 100,
    label: "samples per class",
    doc: "points per class; classes 0–7 train, classes 8–15 are the unseen retrieval set"
  },
  spread: {
    group: "Data",
    type: "number",
    default: 1,
    min: 0.1,
    max: 3,
    step: 0.05,
    label: "spread",
    doc: "standard deviation of each class around its centre (centres are N(0, 2²) per coordinate)"
  },
  batchClasses: {
    group: "Training",
    type: "int",
    default: 8,
    min: 2,
    max: 8,
    label: "classes per batch P",
    doc: "classes in each class-balanced batch"
  },
  batchPerClass: {
    group: "Training",
    type: "int",
    default: 4,
    min: 2,
    max: 8,
    label: "samples per class K",
    doc: "samples of each class in a batch (≥ 2, so every anchor has a positive)"
  },
  optimizer: sharedControls.optimizer,
  lr: sharedControls.lr,
  width: {
    group: "Model",
    type: "int",
    default: 32,
    min: 8,
    max: 256,
    step: 8,
    label: "width",
    doc: "units per hidden layer"
  },
  depth: sharedControls.depth,
  embed: {
    group: "Model",
    type: "int",
    default: 2,
    min: 2,
    max: 64,
    label: "embedding dim",
    doc: "L2-normalised embedding: 2 draws the unit circle, larger retrieves better (the card's numbers use 16)"
  },
  steps: {...sharedControls.steps, default: 2000},
  seed: sharedControls.seed
});
export type MultiSimilarityParams = Params<typeof multiSimilaritySchema>;

/** The settings of the MS loss for a parameter set (the method arm; `mine: false` for the ablation baseline). */
export function multiSimilaritySettings(p: MultiSimilarityParams, mine = p.mine) {
  return {alpha: p.alpha, beta: p.beta, base: p.lambda, epsilon: p.epsilon, mine};
}

// The card's baselines: PML's contrastive loss with margins 0 / 0.5 and the semi-hard triplet loss with margin 0.2,
// both on the Euclidean distance of normalised embeddings.
const contrastiveParams = {posMargin: 0, negMargin: 0.5} as const;
const tripletParams = {margin: 0.2, miner: "semihard", minerMargin: 0.2} as const;

/** The arms of a parameter set: the chosen baseline, then multi-similarity. */
export function multiSimilarityArms(p: MultiSimilarityParams): ArmSpec[] {
  const method: ArmSpec = {
    id: "ms",
    label: p.mine ? "MS" : "MS (no mining)",
    loss: multiSimilarityOfficial,
    params: multiSimilaritySettings(p),
    role: "method"
  };
  switch (p.baseline) {
    case "contrastive":
      return [
        {id: "contrastive", label: "Contrastive", loss: contrastive, params: contrastiveParams, role: "baseline"},
        method
      ];
    case "triplet":
      return [
        {id: "triplet", label: "Triplet (semi-hard)", loss: tripletMargin, params: tripletParams, role: "baseline"},
        method
      ];
    case "ms-unmined":
      return [
        {
          id: "ms-unmined",
          label: "MS (no mining)",
          loss: multiSimilarityOfficial,
          params: multiSimilaritySettings(p, false),
          role: "baseline"
        },
        method
      ];
  }
}

/** What the pair-weight functions need to know of an arm (by its id). */
export function multiSimilarityArmKind(p: MultiSimilarityParams, id: string): MultiSimilarityArmKind {
  switch (id) {
    case "contrastive":
      return {kind: "contrastive", ...contrastiveParams};
    case "triplet":
      return {kind: "triplet", margin: tripletParams.margin, minerMargin: tripletParams.minerMargin};
    case "ms-unmined":
      return {kind: "ms", settings: multiSimilaritySettings(p, false)};
    default:
      return {kind: "ms", settings: multiSimilaritySettings(p)};
  }
}

/** The P × K sampler of a parameter set. */
export function multiSimilaritySampler(p: MultiSimilarityParams) {
  return {classes: p.batchClasses, perClass: p.batchPerClass, seed: p.seed};
}

/**
 * The notebook's metrics, for each arm at every evaluation: Recall@1/2/4 and MAP@R on the unseen classes (test
 * embeddings, cosine), and how many ordered positive and negative pairs the arm's own loss used on the batch it last
 * trained on (read from the probe embeddings, which cover the training split).
 */
export function multiSimilarityMetrics(p: MultiSimilarityParams): MetricsHook {
  const sampler = multiSimilaritySampler(p);
  return {
    host: ({data, arm, testEmbeddings, probeEmbeddings, probeSize, step}) => {
      const out: Record<string, number> = {};
      if (testEmbeddings) {
        const dims = testEmbeddings.length / data.test.n;
        Object.assign(out, multiSimilarityRetrieval(testEmbeddings, data.test.y, dims));
      }
      if (probeEmbeddings && probeSize >= data.train.n) {
        const dims = probeEmbeddings.length / probeSize;
        const rows = multiSimilarityBatchRows(data.train.y, sampler, step);
        const x = new Float32Array(rows.length * dims);
        rows.forEach((r, i) => x.set(probeEmbeddings.subarray(r * dims, (r + 1) * dims), i * dims));
        const labels = Int32Array.from(rows, (r) => data.train.y[r]);
        const used = multiSimilarityUsedCounts(
          multiSimilarityArmWeights(multiSimilarityArmKind(p, arm.id), x, labels, dims)
        );
        out.usedPositives = used.positive;
        out.usedNegatives = used.negative;
      }
      return out;
    }
  };
}

const claimData = {embed: 16} as const;

/**
 * Card 30: multi-similarity loss (official form, with its mining) against contrastive, semi-hard triplet and MS
 * without mining, trained on 8 Gaussian classes in 8-D with P × K batches, and measured by retrieval on 8 unseen
 * classes.
 */
export const multiSimilarityExperiment = defineExperiment({
  slug: "metric-learning/multi-similarity",
  title: "Multi-similarity loss: mine the informative pairs, then weight them",
  card: "30-multi-similarity",
  schema: multiSimilaritySchema,
  view: {probe: 1000, testEmbeddings: true},
  setup: (p) => ({
    data: gaussianClasses({
      classes: 16,
      dims: p.dims,
      perClass: p.perClass,
      spread: p.spread,
      separation: 2,
      trainClasses: 8,
      seed: p.seed
    }),
    model: {hidden: Array(p.depth).fill(p.width), activation: "relu", embed: p.embed, normalize: true},
    arms: multiSimilarityArms(p),
    sampler: {kind: "balanced", classes: p.batchClasses, perClass: p.batchPerClass},
    optimizer: {type: p.optimizer, lr: p.lr},
    batchSize: p.batchClasses * p.batchPerClass,
    seed: p.seed,
    steps: p.steps,
    metrics: multiSimilarityMetrics(p)
  }),
  claims: [
    {
      id: "ms-vs-contrastive",
      text: "Multi-similarity loss retrieves unseen classes at least as well as the contrastive loss (Recall@1).",
      cite: "Wang et al. 2019, Table 1 (the card's check: mean over seeds, 16-D embedding)",
      metric: "recallAt1",
      metricLabel: "Recall@1 on unseen classes",
      direction: "higher",
      params: {baseline: "contrastive", ...claimData},
      steps: 200,
      seeds: [1, 2, 3]
    },
    {
      id: "ms-vs-triplet",
      text: "Multi-similarity loss retrieves unseen classes at least as well as the semi-hard triplet loss (Recall@1).",
      cite: "Wang et al. 2019, Table 1 (the card's check: mean over seeds, 16-D embedding)",
      metric: "recallAt1",
      metricLabel: "Recall@1 on unseen classes",
      direction: "higher",
      params: {baseline: "triplet", ...claimData},
      steps: 200,
      seeds: [1, 2, 3]
    },
    {
      id: "mining-helps",
      text: "Mining before weighting helps: MS with its ε-mining retrieves better than MS on every pair (Recall@1).",
      cite: "Wang et al. 2019, Table 2 (ablation of mining and weighting)",
      metric: "recallAt1",
      metricLabel: "Recall@1 on unseen classes",
      direction: "higher",
      params: {baseline: "ms-unmined", ...claimData},
      steps: 200,
      seeds: [1, 2, 3]
    }
  ]
});
