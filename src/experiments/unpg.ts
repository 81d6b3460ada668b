import * as tf from "../tf.js";
import {gaussianClasses} from "../datasets/gaussian.js";
import {unpg} from "../losses/unpg.js";
import {unpgDuplicateIdentity, unpgVerification, unpgWhiskerWindow} from "../methods/unpg.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import {batcher} from "../train/batches.js";
import type {ArmSpec, MetricsHook} from "../train/train.js";
import {defineExperiment} from "./experiment.js";
import {sharedControls} from "./controls.js";

const baselines = ["margin-softmax", "unpg-unfiltered"] as const;

/** Controls of the UNPG notebook; every key round-trips through the URL hash. */
export const unpgSchema = defineSchema({
  baseline: {
    group: "Losses",
    type: "enum",
    default: "margin-softmax",
    options: baselines,
    labels: {
      "margin-softmax": "margin softmax (CosFace / ArcFace)",
      "unpg-unfiltered": "UNPG without the filter (w = ∞)"
    },
    label: "baseline",
    doc: "the loss trained beside UNPG: the plain margin-softmax head (the paper's baseline) or UNPG keeping every negative pair"
  },
  head: {
    group: "Losses",
    type: "enum",
    default: "cosface",
    options: ["cosface", "arcface"],
    labels: {cosface: "CosFace: cos θ − m", arcface: "ArcFace: cos(θ + m)"},
    label: "margin head",
    doc: "margin-softmax head of both arms (the card's toy uses CosFace; the official default is ArcFace)"
  },
  scale: {
    group: "Losses",
    type: "number",
    default: 16,
    min: 1,
    max: 64,
    scale: "log",
    symbol: "s",
    label: "scale s",
    doc: "logit scale (official 64; the card's toy 16, since 64 saturates a 3-D embedding)"
  },
  margin: {
    group: "Losses",
    type: "number",
    default: 0.2,
    min: 0,
    max: 0.8,
    step: 0.01,
    symbol: "m",
    label: "margin m",
    doc: "margin on the target class (official 0.5; the card's toy 0.2)"
  },
  wisk: {
    group: "Losses",
    type: "number",
    default: 1.5,
    min: 0,
    max: 5,
    step: 0.1,
    symbol: "w",
    label: "whisker w",
    doc: "box-and-whisker width: negative pairs outside [Q1 − w·IQR, Q3 + w·IQR] are dropped (official 1.5)"
  },
  duplicate: {
    group: "Data",
    type: "number",
    default: 0,
    min: 0,
    max: 0.5,
    step: 0.05,
    label: "duplicate identity",
    doc: "share of identity 0's training samples relabelled as a new identity (noisy negatives; the card's check uses 0.1)"
  },
  perClass: {
    group: "Data",
    type: "int",
    default: 40,
    min: 8,
    max: 100,
    label: "samples per identity",
    doc: "points per identity; identities 0–8 train, 9–11 are held out for verification"
  },
  spread: {
    group: "Data",
    type: "number",
    default: 1,
    min: 0.1,
    max: 3,
    step: 0.05,
    label: "spread",
    doc: "standard deviation of each identity around its centre in the 16-D input (centres N(0, 2²) per coordinate)"
  },
  optimizer: sharedControls.optimizer,
  lr: sharedControls.lr,
  batch: {...sharedControls.batch, default: 64, max: 128},
  width: {
    group: "Model",
    type: "int",
    default: 64,
    min: 8,
    max: 256,
    step: 8,
    label: "width",
    doc: "units per hidden layer (the card: 16 → 64 → 64 → 3)"
  },
  depth: sharedControls.depth,
  steps: {...sharedControls.steps, default: 2000},
  seed: sharedControls.seed
});
export type UnpgParams = Params<typeof unpgSchema>;

/** Identities trained on (0–8); the card holds out 9–11. With a duplicate identity the classifier has one more. */
const identities = 12;
const heldOut = 3;
export function unpgTrainClasses(p: Pick<UnpgParams, "duplicate">): number {
  return identities - heldOut + (p.duplicate > 0 ? 1 : 0);
}

/** The arms: the chosen baseline, then UNPG with the box-and-whisker filter. */
export function unpgArms(p: UnpgParams): ArmSpec[] {
  const trained = unpgTrainClasses(p);
  const common = {head: p.head, scale: p.scale, margin: p.margin, wisk: p.wisk};
  // The loss compares embeddings with the head's class vectors of the training identities only (as the official head,
  // which has one vector per training identity; the held-out ones have no sample to train on), on the tape so that
  // they learn. The loss reads no logits but checks their width against the prototypes: pass the same slice.
  const tape: ArmSpec["tape"] = ({model, out}) => ({
    prototypes: tf.slice(model.classWeights(), [0, 0], [trained, -1]),
    logits: tf.slice(out.logits, [0, 0], [-1, trained])
  });
  const marginLabel = p.head === "cosface" ? "CosFace" : "ArcFace";
  const method: ArmSpec = {
    id: "unpg",
    label: `UNPG (w = ${p.wisk})`,
    loss: unpg,
    params: {...common, filter: true, pairNegatives: true},
    role: "method",
    tape
  };
  if (p.baseline === "unpg-unfiltered") {
    return [
      {
        id: "unpg-unfiltered",
        label: "UNPG (w = ∞)",
        loss: unpg,
        params: {...common, filter: false, pairNegatives: true},
        role: "baseline",
        tape
      },
      method
    ];
  }
  return [
    {
      id: "margin-softmax",
      label: marginLabel,
      loss: unpg,
      params: {...common, filter: false, pairNegatives: false},
      role: "baseline",
      tape
    },
    method
  ];
}

/**
 * The notebook's metrics, for each arm at every evaluation: TAR at FAR 10⁻¹ and 10⁻² on the held-out identities
 * (test embeddings), the mean positive and negative pair similarity and their overlap, and the box-and-whisker window
 * over the negative pairs of the batch the arm last trained on (read from the probe embeddings).
 */
export function unpgMetrics(p: UnpgParams, trainSize: number): MetricsHook {
  const batches = batcher(trainSize, p.batch, p.seed);
  return {
    host: ({data, testEmbeddings, probeEmbeddings, probeSize, step}) => {
      const out: Record<string, number> = {};
      if (testEmbeddings)
        Object.assign(out, unpgVerification(testEmbeddings, data.test.y, testEmbeddings.length / data.test.n));
      if (probeEmbeddings && probeSize >= data.train.n) {
        const dims = probeEmbeddings.length / probeSize;
        const rows = batches.at(Math.max(0, step - 1));
        const negatives: number[] = [];
        for (let a = 0; a < rows.length; ++a) {
          for (let b = a + 1; b < rows.length; ++b) {
            if (data.train.y[rows[a]] === data.train.y[rows[b]]) continue;
            let s = 0;
            for (let c = 0; c < dims; ++c)
              s += probeEmbeddings[rows[a] * dims + c] * probeEmbeddings[rows[b] * dims + c];
            negatives.push(s);
          }
        }
        const w = unpgWhiskerWindow(negatives, p.wisk);
        out.whiskerLow = w.lo;
        out.whiskerHigh = w.hi;
        out.filteredShare = negatives.length ? w.dropped / negatives.length : NaN;
      }
      return out;
    }
  };
}

/** The data: 12 identities in 16-D, 0–8 for training, 9–11 held out; optionally a noisy duplicate of identity 0. */
export function unpgData(p: UnpgParams) {
  const data = gaussianClasses({
    classes: identities,
    dims: 16,
    perClass: p.perClass,
    spread: p.spread,
    separation: 2,
    trainClasses: identities - heldOut,
    seed: p.seed
  });
  return p.duplicate > 0
    ? unpgDuplicateIdentity(data, {trainClasses: identities - heldOut, fraction: p.duplicate, seed: p.seed})
    : data;
}

/**
 * Card 02: UNPG (margin softmax plus the batch's filtered feature–feature negatives) against the plain margin-softmax
 * head, and against UNPG without its whisker filter when a duplicate identity adds noisy negatives; verification on
 * held-out identities.
 */
export const unpgExperiment = defineExperiment({
  slug: "metric-learning/unpg",
  title: "UNPG: feature–feature negatives in the margin-softmax denominator",
  card: "02-unpg",
  schema: unpgSchema,
  view: {probe: 1000, testEmbeddings: true, weights: true},
  setup: (p) => {
    const data = unpgData(p);
    return {
      data,
      model: {
        hidden: Array(p.depth).fill(p.width),
        activation: "relu",
        embed: 3,
        normalize: true,
        head: "cosine",
        scale: p.scale
      },
      arms: unpgArms(p),
      optimizer: {type: p.optimizer, lr: p.lr},
      batchSize: p.batch,
      // The loss's prototypes are the training identities only: the held-out labels have none, so no test loss.
      testLoss: false,
      seed: p.seed,
      steps: p.steps,
      metrics: unpgMetrics(p, data.train.n)
    };
  },
  claims: [
    {
      id: "unpg-tar",
      text: "Adding the batch's filtered feature–feature negatives to the margin softmax raises verification on unseen identities: TAR at FAR = 10⁻² up by at least 2 points.",
      cite: "Jung et al. 2022, Tables 2–4 (the card's check: ≥ 2 pp TAR@FAR=1e-2 with UNPG vs CosFace)",
      metric: "tarAtFar2",
      metricLabel: "TAR @ FAR = 10⁻² on held-out identities",
      direction: "higher",
      threshold: 0.02,
      params: {baseline: "margin-softmax"},
      steps: 300,
      seeds: [1, 2, 3]
    },
    {
      id: "whisker-noisy",
      text: "With a noisy duplicate identity in the training data, the box-and-whisker filter (w = 1.5) verifies at least as well as keeping every negative pair (w = ∞).",
      cite: "Jung et al. 2022, §3.3 and the ablation of the filter (the card's check)",
      metric: "tarAtFar2",
      metricLabel: "TAR @ FAR = 10⁻² on held-out identities",
      direction: "higher",
      params: {baseline: "unpg-unfiltered", duplicate: 0.1},
      steps: 300,
      seeds: [1, 2, 3],
      note: "In the card's 3-D embedding the negative-pair similarities spread over most of [−1, 1], so the whisker window covers every possible cosine and the filter drops no pair: both arms train identically. The filter needs the concentrated similarities of a high-dimensional embedding."
    }
  ]
});
