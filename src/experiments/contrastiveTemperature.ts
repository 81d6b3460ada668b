import {gaussianClasses} from "../datasets/gaussian.js";
import {infoNce} from "../losses/ntXent.js";
import {
  contrastiveAugment,
  contrastiveHardInfoNce,
  contrastiveTemperatureMetrics
} from "../methods/contrastiveTemperature.js";
import {defineSchema, resolveParams} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import {runToEnd, train} from "../train/train.js";
import type {ArmSpec, TapeContext} from "../train/train.js";
import {defineExperiment} from "./experiment.js";
import {sharedControls} from "./controls.js";

/** Controls of the contrastive-temperature notebook; every key round-trips through the URL hash. */
export const contrastiveTemperatureSchema = defineSchema({
  baselineTau: {
    group: "Losses",
    type: "number",
    default: 0.1,
    min: 0.02,
    max: 2,
    step: 0.01,
    scale: "log",
    symbol: "\\tau",
    label: "baseline τ",
    doc: "temperature of the baseline InfoNCE (small: the usual 0.07 – 0.2 of SimCLR/MoCo)"
  },
  method: {
    group: "Losses",
    type: "enum",
    default: "info-nce",
    options: ["info-nce", "hard-info-nce"],
    labels: {"info-nce": "InfoNCE (a second τ)", "hard-info-nce": "InfoNCE + explicit hard negatives"},
    label: "method",
    doc: "what trains against the baseline: the same loss at another temperature, or the hard-negative variant"
  },
  methodTau: {
    group: "Losses",
    type: "number",
    default: 1,
    min: 0.02,
    max: 2,
    step: 0.01,
    scale: "log",
    symbol: "\\tau",
    label: "method τ",
    doc: "temperature of the method arm"
  },
  negatives: {
    group: "Losses",
    type: "int",
    default: 16,
    min: 1,
    max: 254,
    symbol: "K",
    label: "hard negatives K",
    doc: "negatives kept per anchor by the hard variant (of 2B − 2 in a batch of B); the paper's value is unconfirmed",
    when: {method: ["hard-info-nce"]}
  },
  classes: {
    group: "Data",
    type: "int",
    default: 10,
    min: 2,
    max: 20,
    label: "latent classes",
    doc: "Gaussian blobs in 8-D; their labels are never seen by the loss (only by the metrics)"
  },
  superclasses: {
    group: "Data",
    type: "int",
    default: 5,
    min: 0,
    max: 10,
    label: "superclasses",
    doc: "classes sharing a superclass lie close together (semantically similar); 0 for none"
  },
  closeness: {
    group: "Data",
    type: "number",
    default: 0.35,
    min: 0.05,
    max: 1,
    step: 0.05,
    label: "closeness",
    doc: "distance of a class from its superclass centre, as a fraction of the superclass spacing",
    when: {superclasses: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
  },
  perClass: {
    group: "Data",
    type: "int",
    default: 60,
    min: 8,
    max: 200,
    label: "samples per class",
    doc: "before the 75/25 train/test split"
  },
  spread: {
    group: "Data",
    type: "number",
    default: 0.5,
    min: 0.05,
    max: 2,
    step: 0.05,
    label: "class spread",
    doc: "std of each blob around its centre, per coordinate (centres are about 2 apart)"
  },
  jitter: {
    group: "Augmentation",
    type: "number",
    default: 0.3,
    min: 0,
    max: 2,
    step: 0.05,
    symbol: "\\sigma",
    label: "jitter σ",
    doc: "std of the Gaussian noise added to each view (the card's 0.3)"
  },
  dropout: {
    group: "Augmentation",
    type: "number",
    default: 0.2,
    min: 0,
    max: 0.8,
    step: 0.05,
    label: "feature dropout",
    doc: "probability that a feature is zeroed in a view (the card leaves the rate open)"
  },
  optimizer: sharedControls.optimizer,
  lr: {...sharedControls.lr, default: 0.003},
  batch: {...sharedControls.batch, default: 32, max: 128},
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
  steps: {...sharedControls.steps, default: 3000},
  seed: sharedControls.seed
});
export type ContrastiveTemperatureParams = Params<typeof contrastiveTemperatureSchema>;

/** The data of the notebook: latent classes as Gaussian blobs in 8-D, grouped into superclasses. */
export function contrastiveTemperatureData(p: ContrastiveTemperatureParams) {
  return gaussianClasses({
    classes: p.classes,
    dims: 8,
    perClass: p.perClass,
    spread: p.spread,
    separation: 2,
    superclasses: Math.min(p.superclasses, p.classes - 1),
    closeness: p.closeness,
    testFraction: 0.25,
    seed: p.seed
  });
}

/** The tape hook of every arm: two augmented views of the batch, drawn from the batch's shared random stream. */
export function contrastiveTemperatureViews(p: Pick<ContrastiveTemperatureParams, "jitter" | "dropout">) {
  const o = {jitter: p.jitter, dropout: p.dropout};
  return (ctx: TapeContext) => ({
    embeddings: ctx.apply(contrastiveAugment(ctx.x, ctx.rng.fork("view-1"), o)).embeddings!,
    otherEmbeddings: ctx.apply(contrastiveAugment(ctx.x, ctx.rng.fork("view-2"), o)).embeddings!
  });
}

/** An arm of the notebook: plain InfoNCE at τ, or the hard-negative variant at τ with K negatives. */
export function contrastiveTemperatureArm(
  p: ContrastiveTemperatureParams,
  kind: "info-nce" | "hard-info-nce",
  tau: number,
  role: "baseline" | "method",
  id = `${kind}-${tau}`
): ArmSpec {
  const tape = contrastiveTemperatureViews(p);
  if (kind === "hard-info-nce") {
    return {
      id,
      label: `Hard InfoNCE (τ = ${tau}, K = ${p.negatives})`,
      loss: contrastiveHardInfoNce,
      params: {temperature: tau, negatives: p.negatives},
      role,
      tape
    };
  }
  return {id, label: `InfoNCE (τ = ${tau})`, loss: infoNce, params: {temperature: tau}, role, tape};
}

const setup = (p: ContrastiveTemperatureParams, arms: ArmSpec[]) => ({
  data: contrastiveTemperatureData(p),
  model: {hidden: Array(p.depth).fill(p.width), activation: "relu" as const, embed: 3, normalize: true},
  arms,
  optimizer: {type: p.optimizer, lr: p.lr},
  batchSize: p.batch,
  seed: p.seed,
  steps: p.steps,
  metrics: contrastiveTemperatureMetrics()
});

// The claims' settings: the card's toy (10 latent classes in 8-D, jitter 0.3, 8 → 64 → 64 → 3), 5 superclasses of two
// classes each for the semantically close pairs; 40 samples per class, batches of 32 and 400 steps of Adam to fit
// the time budget (the page's defaults otherwise).
const checkParams = {perClass: 40, batch: 32} as const;
const checkSteps = 400;
const checkSeeds = [1, 2, 3] as const;

/**
 * Card 25: SimCLR-style InfoNCE on two augmented views of latent Gaussian classes, a small-τ baseline against a
 * large-τ (or hard-negative) twin, with uniformity, tolerance and a linear probe on the L2-normalised 3-D embedding.
 */
export const contrastiveTemperatureExperiment = defineExperiment({
  slug: "metric-learning/contrastive-temperature",
  title: "The InfoNCE temperature: uniformity against tolerance",
  card: "25-contrastive-temperature",
  schema: contrastiveTemperatureSchema,
  view: {probe: 4000, testEmbeddings: true},
  setup: (p) =>
    setup(p, [
      contrastiveTemperatureArm(p, "info-nce", p.baselineTau, "baseline", "baseline"),
      contrastiveTemperatureArm(p, p.method, p.methodTau, "method", "method")
    ]),
  claims: [
    {
      id: "uniformity-falls",
      text: "Raising the temperature makes the embedding less uniform: InfoNCE at τ = 1 spreads the samples over the sphere less evenly than at τ = 0.1.",
      cite: "Wang & Liu 2021, §4.1 and Fig. 4 (uniformity falls as τ grows)",
      metric: "uniformity",
      metricLabel: "uniformity −L_unif (t = 2), test split",
      direction: "lower",
      params: {...checkParams, method: "info-nce", baselineTau: 0.1, methodTau: 1},
      steps: checkSteps,
      seeds: checkSeeds,
      note: "The card asks for a monotone fall over τ = 0.05 … 1; this row compares τ = 0.1 with τ = 1 only. The sweep on the page shows every τ, and whether the trend holds between them."
    },
    {
      id: "tolerance-rises",
      text: "Raising the temperature makes the embedding more tolerant: samples of the same latent class sit closer together at τ = 1 than at τ = 0.1.",
      cite: "Wang & Liu 2021, §4.2 and Fig. 5 (tolerance grows with τ)",
      metric: "tolerance",
      metricLabel: "tolerance (mean same-class cosine), test split",
      direction: "higher",
      params: {...checkParams, method: "info-nce", baselineTau: 0.1, methodTau: 1},
      steps: checkSteps,
      seeds: checkSeeds,
      note: "The card asks for a monotone rise over τ = 0.05 … 1; this row compares τ = 0.1 with τ = 1 only. The sweep on the page shows every τ, and whether the trend holds between them."
    },
    {
      id: "hard-more-uniform",
      text: "At τ = 0.5, InfoNCE restricted to each anchor's hardest negatives gives a more uniform embedding than plain InfoNCE at the same τ.",
      cite: "Wang & Liu 2021, §5 and Table 3 (explicit hard negatives at a large τ)",
      metric: "uniformity",
      metricLabel: "uniformity −L_unif (t = 2), test split",
      direction: "higher",
      params: {...checkParams, method: "hard-info-nce", baselineTau: 0.5, methodTau: 0.5},
      steps: checkSteps,
      seeds: checkSeeds,
      note: "K = 16 of the 62 negatives of a 32-sample batch (the paper's K is unconfirmed)."
    },
    {
      id: "hard-keeps-tolerance",
      text: "The hard-negative variant at τ = 0.5 keeps the tolerance at least as high as plain InfoNCE at the small τ = 0.1.",
      cite: "Wang & Liu 2021, §5 (hard negatives escape the uniformity–tolerance dilemma)",
      metric: "tolerance",
      metricLabel: "tolerance (mean same-class cosine), test split",
      direction: "higher",
      test: "non-inferiority",
      margin: 0.02,
      params: {...checkParams, method: "hard-info-nce", baselineTau: 0.1, methodTau: 0.5},
      steps: checkSteps,
      seeds: checkSeeds,
      note: "Non-inferiority: the card's check is tolerance ≥ plain at τ = 0.1; a drop of less than 0.02 counts as a tie."
    }
  ]
});

/** One point of the τ sweep: the metrics of every arm after training, per seed. */
export interface ContrastiveSweepRow {
  id: string;
  label: string;
  kind: "info-nce" | "hard-info-nce";
  tau: number;
  /** Per seed, aligned with `seeds`. */
  uniformity: number[];
  tolerance: number[];
  probeAccuracy: number[];
}

/**
 * The τ sweep of the card: plain InfoNCE at every τ in `taus` and the hard variant at `hardTau`, trained in lock-step
 * (same data, initial weights, batches and augmented views) for each seed; uniformity, tolerance and linear-probe
 * accuracy at the end.
 */
export async function contrastiveTemperatureSweep(
  partial: Partial<ContrastiveTemperatureParams> = {},
  {
    taus = [0.05, 0.1, 0.2, 0.5, 1],
    hardTau = 0.5,
    seeds = checkSeeds,
    steps = checkSteps
  }: {taus?: readonly number[]; hardTau?: number; seeds?: readonly number[]; steps?: number} = {}
): Promise<{seeds: number[]; steps: number; rows: ContrastiveSweepRow[]}> {
  const rows: ContrastiveSweepRow[] = [];
  for (const seed of seeds) {
    const p = resolveParams(contrastiveTemperatureSchema, {...checkParams, ...partial, seed, steps});
    const arms = [
      ...taus.map((t, i) => contrastiveTemperatureArm(p, "info-nce", t, i === 0 ? "baseline" : "method", `tau-${t}`)),
      contrastiveTemperatureArm(p, "hard-info-nce", hardTau, "method", `hard-${hardTau}`)
    ];
    const last = await runToEnd(train({...setup(p, arms), view: {probe: 4000}, evalEvery: steps, stepsPerYield: 50}));
    last.arms.forEach((a, i) => {
      let row = rows.find((r) => r.id === a.id);
      if (!row) {
        const hard = i === taus.length;
        row = {
          id: a.id,
          label: a.label,
          kind: hard ? "hard-info-nce" : "info-nce",
          tau: hard ? hardTau : taus[i],
          uniformity: [],
          tolerance: [],
          probeAccuracy: []
        };
        rows.push(row);
      }
      row.uniformity.push(a.metrics.uniformity);
      row.tolerance.push(a.metrics.tolerance);
      row.probeAccuracy.push(a.metrics.probeAccuracy);
    });
  }
  return {seeds: [...seeds], steps, rows};
}
