import {gaussianClasses} from "../datasets/gaussian.js";
import {contrastive} from "../losses/contrastive.js";
import {metrix} from "../losses/metrix.js";
import {metrixNotebookMetrics, metrixTape} from "../methods/metrix.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import type {ArmSpec} from "../train/train.js";
import {defineExperiment} from "./experiment.js";
import {sharedControls} from "./controls.js";

/** Controls of the Metrix notebook; every key round-trips through the URL hash. */
export const metrixSchema = defineSchema({
  level: {
    group: "Losses",
    type: "enum",
    default: "input",
    options: ["input", "embedding"],
    labels: {input: "inputs (re-embedded)", embedding: "embeddings"},
    label: "mix",
    doc: "what Metrix interpolates: the 8-D inputs (then embedded by the network) or the embeddings themselves"
  },
  alpha: {
    group: "Losses",
    type: "number",
    default: 2,
    min: 0.1,
    max: 10,
    step: 0.1,
    scale: "log",
    symbol: "\\alpha",
    label: "Beta α",
    doc: "λ ~ Beta(α, α), one draw per batch (official 2.0)"
  },
  weight: {
    group: "Losses",
    type: "number",
    default: 0.4,
    min: 0,
    max: 2,
    step: 0.05,
    symbol: "w",
    label: "mixed weight w",
    doc: "weight of the mixed-pair loss (official 0.4); 0 makes Metrix the baseline"
  },
  negMargin: {
    group: "Losses",
    type: "number",
    default: 0.5,
    min: 0.05,
    max: 2,
    step: 0.05,
    symbol: "m^{-}",
    label: "negative margin",
    doc: "negative pairs pay until they are this far apart, in both arms (official 0.5)"
  },
  classes: {
    group: "Data",
    type: "int",
    default: 16,
    min: 4,
    max: 30,
    label: "classes",
    doc: "Gaussian classes in 8-D; the first half trains, the second half is only retrieved"
  },
  perClass: {
    group: "Data",
    type: "int",
    default: 40,
    min: 8,
    max: 200,
    label: "samples per class",
    doc: "samples drawn for every class"
  },
  radius: {
    group: "Data",
    type: "number",
    default: 3,
    min: 0.5,
    max: 8,
    step: 0.1,
    label: "centre radius",
    doc: "typical distance of the class centres from the origin (the card's 3); centres ~ N(0, (radius²/8) I)"
  },
  spread: {
    group: "Data",
    type: "number",
    default: 1,
    min: 0.1,
    max: 3,
    step: 0.05,
    label: "class spread",
    doc: "std of each class around its centre, per coordinate (the card's σ = 1)"
  },
  perBatchClasses: {
    group: "Training",
    type: "int",
    default: 8,
    min: 2,
    max: 15,
    label: "classes per batch P",
    doc: "class-balanced batches of P classes × K samples (the card's 8 × 4)"
  },
  perBatchSamples: {
    group: "Training",
    type: "int",
    default: 4,
    min: 2,
    max: 16,
    label: "samples per class K",
    doc: "samples of each class in a batch"
  },
  optimizer: sharedControls.optimizer,
  lr: {...sharedControls.lr, default: 0.003},
  width: {
    group: "Model",
    type: "int",
    default: 64,
    min: 8,
    max: 256,
    step: 8,
    label: "width",
    doc: "units per hidden layer (the card's 8 → 64 → 64 → 3)"
  },
  depth: sharedControls.depth,
  steps: {...sharedControls.steps, default: 2000},
  seed: sharedControls.seed
});
export type MetrixParams = Params<typeof metrixSchema>;

/** The arms: the official baseline (contrastive loss, margins 0 and 0.5) and Metrix over the same loss. */
export function metrixArms(p: MetrixParams): ArmSpec[] {
  return [
    {
      id: "contrastive",
      label: "Contrastive",
      loss: contrastive,
      params: {posMargin: 0, negMargin: p.negMargin},
      role: "baseline"
    },
    {
      id: "metrix",
      label: `Metrix (${p.level}, w = ${p.weight})`,
      loss: metrix,
      params: {weight: p.weight, posMargin: 0, negMargin: p.negMargin},
      role: "method",
      tape: metrixTape(p.level, p.alpha)
    }
  ];
}

// The claims' settings: the card's toy (16 Gaussian classes in 8-D, centres at radius 3, σ = 1, train on 8 and retrieve
// the other 8, 8 × 4 balanced batches, 8 → 64 → 64 → 3). Fewer steps than the page, to fit the time budget.
const checkSteps = 500;
const checkSeeds = [1, 2, 3] as const;

/**
 * Card 22: Metrix (mixup for metric learning) against the plain contrastive loss on open-set Gaussian classes, with
 * Recall@1 and utilization on the classes never trained on.
 */
export const metrixExperiment = defineExperiment({
  slug: "metric-learning/metrix",
  title: "Metrix: mixup for metric learning",
  card: "22-metrix",
  schema: metrixSchema,
  view: {probe: 4000, testEmbeddings: true},
  setup: (p) => ({
    data: gaussianClasses({
      classes: p.classes,
      dims: 8,
      perClass: p.perClass,
      spread: p.spread,
      separation: p.radius / Math.sqrt(8),
      trainClasses: Math.floor(p.classes / 2),
      seed: p.seed
    }),
    model: {hidden: Array(p.depth).fill(p.width), activation: "relu" as const, embed: 3, normalize: true},
    arms: metrixArms(p),
    optimizer: {type: p.optimizer, lr: p.lr},
    batchSize: p.perBatchClasses * p.perBatchSamples,
    sampler: {
      kind: "balanced" as const,
      classes: Math.min(p.perBatchClasses, Math.floor(p.classes / 2)),
      perClass: p.perBatchSamples
    },
    // The test split holds other classes: the mixed pairs of a whole split would be huge and mean nothing there.
    testLoss: false,
    seed: p.seed,
    steps: p.steps,
    metrics: metrixNotebookMetrics()
  }),
  claims: [
    {
      id: "recall-unseen",
      text: "Metrix retrieves unseen classes better: its Recall@1 on the held-out classes is at least the contrastive baseline's.",
      cite: "Venkataramanan, Psomas et al. 2022, Tables 2–3 (Metrix improves R@1 over each baseline loss)",
      metric: "recallAt1",
      metricLabel: "Recall@1 on the unseen classes",
      direction: "higher",
      params: {},
      steps: checkSteps,
      seeds: checkSeeds,
      note: "The card's toy: centres at radius 3 with σ = 1 in 8-D, so neighbouring classes overlap heavily and both arms retrieve the unseen classes far from perfectly. Input-level mixing with the hardest negative, w = 0.4, λ ~ Beta(2, 2)."
    },
    {
      id: "utilization",
      text: "Metrix uses the embedding space better: unseen-class test embeddings lie closer to training embeddings (lower utilization).",
      cite: "Venkataramanan, Psomas et al. 2022, §5 (utilization; the card's reconstruction of the measure)",
      metric: "utilization",
      metricLabel: "utilization (mean squared distance to the nearest training embedding)",
      direction: "lower",
      params: {},
      steps: checkSteps,
      seeds: checkSeeds,
      note: "References are the training embeddings only (no mixed ones), the same for both arms; the measure is the card's reconstruction."
    }
  ]
});
