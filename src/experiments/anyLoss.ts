import {classCounts} from "../datasets/dataset.js";
import type {Dataset} from "../datasets/dataset.js";
import {toy2d} from "../datasets/toy2d.js";
import {anyLoss} from "../losses/anyLoss.js";
import {crossEntropy} from "../losses/compSum.js";
import {anyLossGaussians, anyLossHostMetrics} from "../methods/anyLoss.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import {runToEnd, train} from "../train/train.js";
import type {ArmSpec, TrainEvent, TrainSummary} from "../train/train.js";
import {defineExperiment} from "./experiment.js";
import type {StudyMeasurement} from "./experiment.js";
import {sharedControls} from "./controls.js";

const metricLabels = {
  accuracy: "Acc",
  f1: "F1",
  "balanced-accuracy": "BAcc",
  "g-mean": "G-mean"
} as const;

/** Controls of the AnyLoss notebook; every key round-trips through the URL hash. */
export const anyLossSchema = defineSchema({
  metric: {
    group: "Losses",
    type: "enum",
    default: "f1",
    options: ["accuracy", "f1", "balanced-accuracy", "g-mean"],
    labels: {accuracy: "accuracy", f1: "F-β (F1)", "balanced-accuracy": "balanced accuracy", "g-mean": "G-mean"},
    label: "metric as loss",
    doc: "the confusion-matrix metric M the AnyLoss arm minimises 1 − M of"
  },
  amplifier: {
    group: "Losses",
    type: "number",
    default: 73,
    min: 1,
    max: 1000,
    step: 1,
    scale: "log",
    symbol: "L",
    label: "amplifier L",
    doc: "steepness of A(p) = σ(L(p − ½)); 73 in the paper's notebooks, the extension uses 2–70"
  },
  beta: {
    group: "Losses",
    type: "number",
    default: 1,
    min: 0.1,
    max: 10,
    step: 0.1,
    scale: "log",
    symbol: "\\beta",
    label: "β",
    doc: "F-β's weight of recall over precision (1 = F1)",
    when: {metric: ["f1"]}
  },
  baseline: {
    group: "Losses",
    type: "enum",
    default: "bce",
    options: ["bce", "weighted-bce"],
    labels: {bce: "BCE", "weighted-bce": "class-weighted BCE"},
    label: "baseline",
    doc: "the twin's loss: binary cross-entropy, or BCE with class weights N/(2·n_c) from the training split"
  },
  dataset: {
    group: "Data",
    type: "enum",
    default: "gaussians",
    options: ["gaussians", "moons", "circles", "xor", "blobs"],
    labels: {gaussians: "two Gaussians (card)", moons: "moons", circles: "circles", xor: "xor", blobs: "blobs"},
    label: "dataset",
    doc: "two overlapping Gaussian clusters as in the paper's synthetic set, or a 2-D toy shape"
  },
  positives: {
    group: "Data",
    type: "number",
    default: 0.1,
    min: 0.01,
    max: 0.5,
    step: 0.01,
    label: "positives",
    doc: "fraction of positive samples (class 1, the minority)"
  },
  separation: {
    group: "Data",
    type: "number",
    default: 1.2,
    min: 0,
    max: 3,
    step: 0.1,
    label: "class separation",
    doc: "half the distance between the cluster centres, in standard deviations (scikit-learn's class_sep)",
    when: {dataset: ["gaussians"]}
  },
  noise: {
    group: "Data",
    type: "number",
    default: 0.3,
    min: 0,
    max: 1,
    step: 0.01,
    label: "input noise",
    doc: "std of Gaussian noise added to the toy shape's inputs",
    when: {dataset: ["moons", "circles", "xor", "blobs"]}
  },
  n: {
    group: "Data",
    type: "int",
    default: 1000,
    min: 100,
    max: 5000,
    step: 100,
    label: "samples",
    doc: "points before the 70/30 train/test split"
  },
  depth: {
    group: "Model",
    type: "int",
    default: 1,
    min: 0,
    max: 3,
    label: "hidden layers",
    doc: "0 is logistic regression; the paper's MLP has one hidden layer"
  },
  activation: {
    group: "Model",
    type: "enum",
    default: "tanh",
    options: ["tanh", "relu"],
    label: "activation",
    doc: "hidden units: bounded tanh (Glorot init), close to the official sigmoid units; ReLU (He init) starts with p far from ½"
  },
  width: {
    group: "Model",
    type: "int",
    default: 16,
    min: 2,
    max: 128,
    step: 2,
    label: "width",
    doc: "units per hidden layer"
  },
  optimizer: {
    group: "Training",
    type: "enum",
    default: "adam",
    options: ["adam", "sgd", "momentum"],
    label: "optimizer",
    doc: "update rule (the paper: Adam)"
  },
  lr: {
    group: "Training",
    type: "number",
    default: 0.01,
    min: 0.0001,
    max: 1,
    scale: "log",
    label: "learning rate",
    doc: "step size (the paper: 0.01)"
  },
  batch: {
    group: "Training",
    type: "int",
    default: 35,
    min: 4,
    max: 1024,
    label: "batch size",
    doc: "samples per step (the paper: 5 % of the training set, 35 of 700)"
  },
  steps: {
    group: "Training",
    type: "int",
    default: 2000,
    min: 100,
    max: 50000,
    step: 100,
    label: "steps",
    doc: "training stops after this many steps (20 steps are one epoch at the defaults)"
  },
  seed: sharedControls.seed
});
export type AnyLossParams = Params<typeof anyLossSchema>;

/** The dataset of a parameter set: the card's two Gaussians, or a toy shape with the same share of positives. */
export function anyLossDataset(p: AnyLossParams): Dataset {
  if (p.dataset === "gaussians") {
    return anyLossGaussians({n: p.n, positives: p.positives, separation: p.separation, seed: p.seed});
  }
  // toy2d makes class 0 the largest and class 1 the smallest: imbalance (1 − f)/f gives a share f of positives.
  return toy2d({
    shape: p.dataset,
    classes: 2,
    n: p.n,
    noise: p.noise,
    imbalance: (1 - p.positives) / p.positives,
    seed: p.seed
  });
}

/** Class weights w_c = N/(2·n_c) from the training split (scikit-learn's "balanced"; PyTorch's weighted CE mean). */
export function anyLossClassWeights(data: Dataset): Float32Array {
  const counts = classCounts(data.train.y, 2);
  return Float32Array.from(counts, (c) => data.train.n / (2 * Math.max(c, 1)));
}

/** Display name of the AnyLoss arm: "AnyLoss-F1 (L = 73)". */
export function anyLossArmLabel(p: Pick<AnyLossParams, "metric" | "amplifier" | "beta">): string {
  const name = p.metric === "f1" && p.beta !== 1 ? `F${p.beta}` : metricLabels[p.metric];
  return `AnyLoss-${name} (L = ${p.amplifier})`;
}

/** The two arms: the BCE baseline (two logits, so σ(z₁ − z₀) is the sigmoid output) and AnyLoss. */
export function anyLossArms(p: AnyLossParams, data: Dataset): ArmSpec[] {
  const baseline: ArmSpec =
    p.baseline === "weighted-bce"
      ? {
          id: "weighted-bce",
          label: "weighted BCE",
          loss: crossEntropy,
          constants: {classWeights: anyLossClassWeights(data)},
          role: "baseline"
        }
      : {id: "bce", label: "BCE", loss: crossEntropy, role: "baseline"};
  return [
    baseline,
    {
      id: "anyloss",
      label: anyLossArmLabel(p),
      loss: anyLoss,
      params: {metric: p.metric, amplifier: p.amplifier, beta: p.beta},
      role: "method"
    }
  ];
}

/** Steps of the claim checks: 50 epochs of 20 batches (700 training points, batches of 35), as the paper trains. */
const claimSteps = 1000;

// Finished claim runs by parameters: all three claims read the same runs, so each seed trains once.
const claimRuns = new Map<string, Promise<{label: string; metrics: Record<string, number>}[]>>();

/** The arms' final metrics after a headless run of `steps` steps (cached for the last few parameter sets). */
function anyLossClaimRun(p: AnyLossParams, steps: number) {
  const key = JSON.stringify({...p, steps});
  let run = claimRuns.get(key);
  if (!run) {
    run = runToEnd(train({...anyLossExperiment.setup(p), steps, evalEvery: steps, stepsPerYield: 50})).then((e) => {
      if (e.status === "diverged") throw new Error(`anyloss claim run, seed ${p.seed}: ${e.message}`);
      return e.arms.map((a) => ({label: a.label, metrics: a.metrics}));
    });
    claimRuns.set(key, run);
    if (claimRuns.size > 12) claimRuns.delete(claimRuns.keys().next().value!);
  }
  return run;
}

/** A claim measurement: the baseline's and the method's final value of a metric (each arm its own metric). */
async function anyLossMeasure(
  p: AnyLossParams,
  baselineMetric: string,
  methodMetric: string
): Promise<StudyMeasurement> {
  const [b, m] = await anyLossClaimRun(p, claimSteps);
  return {
    baseline: b.metrics[baselineMetric],
    method: m.metrics[methodMetric],
    baselineLabel: b.label,
    methodLabel: m.label
  };
}

const anyLossCite = "Han, Moniz & Chawla 2024 (AnyLoss), synthetic and tabular experiments";

/**
 * Card 18: confusion-matrix metrics (F1, balanced accuracy, G-mean, accuracy) as losses through AnyLoss's
 * approximation function, against binary cross-entropy on imbalanced 2-D data (10 % positives). The official
 * notebooks' setup: Adam at 0.01, batches of 5 % of the training set, 50 epochs, one hidden layer.
 */
export const anyLossExperiment = defineExperiment({
  slug: "classification/anyloss",
  title: "AnyLoss: classification metrics as loss functions",
  card: "18-anyloss",
  schema: anyLossSchema,
  view: {grid: 56, probe: 1000, logits: true},
  setup: (p) => {
    const data = anyLossDataset(p);
    return {
      data,
      model: {hidden: Array(p.depth).fill(p.width), activation: p.activation, embed: 0},
      arms: anyLossArms(p, data),
      optimizer: {type: p.optimizer, lr: p.lr},
      batchSize: p.batch,
      seed: p.seed,
      steps: p.steps,
      metrics: {host: anyLossHostMetrics}
    };
  },
  claims: [
    {
      id: "f1",
      text: "On imbalanced data (10 % positives), training on AnyLoss-F1 gives a higher test F1 than binary cross-entropy, by at least 5 points.",
      cite: anyLossCite,
      metric: "f1",
      metricLabel: "test F1 (threshold ½)",
      direction: "higher",
      threshold: 0.05,
      // The card's toy: 1000 points, 10 % positives, class_sep 1.2, MLP 2→16→2, Adam 0.01, batch 35, 50 epochs,
      // L = 73. Hidden units are tanh (Glorot init): the official MLPs use sigmoid units after BatchNorm (and the
      // paper's logistic regression starts at θ = 0), so p starts near ½; with ReLU and He init p starts far from ½,
      // where A(p) is flat, and AnyLoss-BAcc stalls at "all negative" on some seeds (the card's pitfall).
      params: {metric: "f1", dataset: "gaussians", positives: 0.1, baseline: "bce"},
      steps: claimSteps,
      seeds: [1, 2, 3, 4, 5],
      measure: (p) => anyLossMeasure(p, "f1", "f1"),
      note: "The card's check: F1(AnyLoss-F1) ≥ F1(BCE at threshold ½) + 5 points, 5 seeds, 50 epochs."
    },
    {
      id: "balanced-accuracy",
      text: "On the same data, AnyLoss-BAcc gives a higher test balanced accuracy than binary cross-entropy, by at least 5 points.",
      cite: anyLossCite,
      metric: "balancedAccuracy",
      metricLabel: "test balanced accuracy",
      direction: "higher",
      threshold: 0.05,
      params: {metric: "balanced-accuracy", dataset: "gaussians", positives: 0.1, baseline: "bce"},
      steps: claimSteps,
      seeds: [1, 2, 3, 4, 5],
      measure: (p) => anyLossMeasure(p, "balancedAccuracy", "balancedAccuracy"),
      note: "The card's check: BAcc(AnyLoss-BAcc) ≥ BAcc(BCE) + 5 points, 5 seeds, 50 epochs."
    },
    {
      id: "f1-tuned-threshold",
      text: "The F1 gain is more than a shifted threshold: AnyLoss-F1 is no worse (within 2 points) than BCE whose decision threshold is tuned for F1.",
      cite: "The card's fairness check (not a number from the paper)",
      metric: "f1",
      metricLabel: "test F1 (BCE at its tuned threshold)",
      direction: "higher",
      test: "non-inferiority",
      margin: 0.02,
      params: {metric: "f1", dataset: "gaussians", positives: 0.1, baseline: "bce"},
      steps: claimSteps,
      seeds: [1, 2, 3, 4, 5],
      // The same runs as the first claim: the baseline's F1 at the threshold that maximises F1 on the training
      // split, AnyLoss's at ½ as trained.
      measure: (p) => anyLossMeasure(p, "f1Tuned", "f1"),
      note: "BCE's threshold maximises F1 on the training split and is applied to the test split."
    }
  ]
});
