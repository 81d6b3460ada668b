import {crossEntropy} from "../losses/compSum.js";
import {mlcd} from "../losses/mlcd.js";
import {mlcdMetrics, mlcdToyData} from "../methods/mlcd.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import {defineExperiment} from "./experiment.js";
import {sharedControls} from "./controls.js";

/** Controls of the MLCD notebook; every key round-trips through the URL hash. */
export const mlcdSchema = defineSchema({
  positives: {
    group: "MLCD",
    type: "int",
    default: 3,
    min: 1,
    max: 8,
    symbol: "l",
    label: "positive centres l",
    doc: "each sample's l nearest cluster centres are its positives (the card's toy: l = 3; l = 1 is single-label)"
  },
  scale: {
    group: "MLCD",
    type: "number",
    default: 16,
    min: 4,
    max: 64,
    step: 1,
    scale: "log",
    symbol: "\\sigma",
    label: "scale σ",
    doc: "scale of the cosine scores, for both arms (unconfirmed; the card's range is 4–32)"
  },
  margin: {
    group: "MLCD",
    type: "number",
    default: 0,
    min: 0,
    max: 0.3,
    step: 0.01,
    symbol: "m",
    label: "margin m",
    doc: "cosine margin on MLCD's positive scores (unconfirmed; 0 is the confirmed ZLPR base)"
  },
  clusters: {
    group: "Data",
    type: "int",
    default: 36,
    min: 6,
    max: 72,
    step: 6,
    label: "clusters K",
    doc: "k-means centres on the frozen random features: the classes both arms discriminate (the card's toy: 36)"
  },
  dims: {
    group: "Data",
    type: "int",
    default: 2,
    min: 2,
    max: 3,
    label: "input dimension",
    doc: "2-D or 3-D points: 6 semantic classes of 3 sub-modes each"
  },
  spread: {
    group: "Data",
    type: "number",
    default: 0.3,
    min: 0.05,
    max: 1,
    step: 0.05,
    label: "spread",
    doc: "standard deviation of the points around their sub-mode"
  },
  optimizer: sharedControls.optimizer,
  lr: sharedControls.lr,
  batch: sharedControls.batch,
  steps: {...sharedControls.steps, default: 2000},
  width: {
    group: "Model",
    type: "int",
    default: 64,
    min: 8,
    max: 256,
    step: 8,
    label: "width",
    doc: "units per hidden layer (the card's encoder: 2 → 64 → 64 → 8)"
  },
  depth: sharedControls.depth,
  embed: {
    group: "Model",
    type: "int",
    default: 8,
    min: 2,
    max: 32,
    label: "embedding size",
    doc: "dimension of the L2-normalised embedding the centres are compared with"
  },
  seed: sharedControls.seed
});
export type MlcdParams = Params<typeof mlcdSchema>;

/**
 * Card 10: MLCD (each sample's l nearest k-means centres as positives, positives and negatives in separate
 * log-sum-exps) against single-label cluster discrimination (softmax cross-entropy on the nearest centre, UNICOM-like),
 * both on an L2-normalised embedding with a cosine head whose class vectors are the learnable centres. The official
 * repository ships no training loss; the loss follows the card's reconstruction.
 */
export const mlcdExperiment = defineExperiment({
  slug: "metric-learning/mlcd",
  title: "MLCD: multi-label cluster discrimination",
  card: "10-mlcd",
  schema: mlcdSchema,
  view: {probe: 540, logits: true, testEmbeddings: true},
  setup: (p) => {
    const data = mlcdToyData({
      dims: p.dims,
      spread: p.spread,
      clusters: p.clusters,
      positives: p.positives,
      seed: p.seed
    });
    return {
      data,
      // The cosine head's logits are σ·cos(f, w_k): the scores both losses act on. Its class vectors are the centres.
      model: {
        hidden: Array(p.depth).fill(p.width),
        activation: "relu",
        embed: p.embed,
        normalize: true,
        head: "cosine",
        scale: p.scale
      },
      arms: [
        {id: "ce", label: "Single-label CE (nearest centre)", loss: crossEntropy, role: "baseline"},
        {
          id: "mlcd",
          label: `MLCD (l = ${p.positives}${p.margin ? `, m = ${p.margin}` : ""})`,
          loss: mlcd,
          params: {scale: p.scale, margin: p.margin},
          tape: ({model}) => ({prototypes: model.classWeights()}),
          role: "method"
        }
      ],
      optimizer: {type: p.optimizer, lr: p.lr},
      batchSize: p.batch,
      seed: p.seed,
      steps: p.steps,
      evalEvery: 25,
      metrics: {host: mlcdMetrics}
    };
  },
  claims: [
    {
      id: "linear-probe",
      text: "Multi-label cluster supervision (l = 3 positive centres) gives more transferable features than single-label cluster discrimination: linear-probe accuracy on the semantic classes is higher by at least 3 points.",
      cite: "An et al. 2024 (MLCD vs. UNICOM linear probes); card 10's check: probe accuracy (c) ≥ (a) + 3 pp",
      metric: "probeAccuracy",
      metricLabel: "linear-probe accuracy on the 6 semantic classes (test)",
      direction: "higher",
      threshold: 0.03,
      params: {},
      steps: 400,
      seeds: [1, 2, 3],
      note: "Ridge probe (λ = 10⁻³·n) fitted on the frozen training embeddings, scored on the test embeddings; neither loss sees the semantic classes."
    },
    {
      id: "zero-threshold",
      text: "MLCD's separated loss makes 0 a natural decision threshold: positive-centre scores end above 0 and negative ones below, unlike a softmax over the centres.",
      cite: "An et al. 2024, §3; Su 2022 (ZLPR); card 10's check: ≥ 95 % of positive scores > 0 and ≥ 95 % of negative scores < 0",
      metric: "thresholdAgreement",
      metricLabel: "min(share of positive scores > 0, share of negative scores < 0), test",
      direction: "higher",
      params: {},
      steps: 400,
      seeds: [1, 2, 3],
      note: "Scores are the cosine head's σ·cos(f, w_k). The card's absolute bar (95 %) is read from the method column."
    }
  ]
});
