import {shapes, toy2d} from "../datasets/toy2d.js";
import {smoothAdversarialCompSum} from "../losses/adversarialCompSum.js";
import {compSum, crossEntropy, generalizedCrossEntropy, meanAbsoluteError, sumExponential} from "../losses/compSum.js";
import {adversarialAccuracy, adversarialStart, smoothAdversarialInputs} from "../methods/adversarial.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import type {ArmSpec, MetricsHook} from "../train/train.js";
import {defineExperiment} from "./experiment.js";
import {sharedControls} from "./controls.js";

const methods = [
  "generalized-cross-entropy",
  "mean-absolute-error",
  "sum-exponential",
  "comp-sum",
  "smooth-adversarial-comp-sum"
] as const;

/** Controls of the comp-sum notebook; every key round-trips through the URL hash. */
export const compSumSchema = defineSchema({
  method: {
    group: "Losses",
    type: "enum",
    default: "generalized-cross-entropy",
    options: methods,
    labels: {
      "generalized-cross-entropy": "Generalized CE (τ = 1 + q)",
      "mean-absolute-error": "MAE (τ = 2)",
      "sum-exponential": "Sum-exponential (τ = 0)",
      "comp-sum": "Comp-sum, any τ",
      "smooth-adversarial-comp-sum": "Smooth adversarial comp-sum (τ, ν)"
    },
    label: "loss",
    doc: "the loss trained against the cross-entropy baseline"
  },
  q: {
    group: "Losses",
    type: "number",
    default: 0.7,
    min: 0.05,
    max: 1,
    step: 0.05,
    symbol: "q",
    label: "q",
    doc: "generalized CE exponent: q → 0 is CE, q = 1 is MAE",
    when: {method: ["generalized-cross-entropy"]}
  },
  tau: {
    group: "Losses",
    type: "number",
    default: 1.5,
    min: 0,
    max: 2,
    step: 0.05,
    symbol: "\\tau",
    label: "τ",
    doc: "position in the family: 0 sum-exponential, 1 CE, 2 MAE",
    when: {method: ["comp-sum", "smooth-adversarial-comp-sum"]}
  },
  nu: {
    group: "Losses",
    type: "number",
    default: 1,
    min: 0,
    max: 10,
    step: 0.1,
    symbol: "\\nu",
    label: "ν",
    doc: "weight of the smoothness penalty ‖h(x′) − h(x)‖₂ (0: plain comp-sum; TRADES' usual β is 6)",
    when: {method: ["smooth-adversarial-comp-sum"]}
  },
  smoothing: {
    group: "Losses",
    type: "number",
    default: 0,
    min: 0,
    max: 0.5,
    step: 0.01,
    symbol: "\\varepsilon",
    label: "baseline smoothing",
    doc: "label smoothing ε of the cross-entropy baseline (0 = plain CE)"
  },
  dataset: {
    group: "Data",
    type: "enum",
    default: "blobs",
    options: shapes,
    label: "dataset",
    doc: "shape of the 2-D data"
  },
  classes: {
    group: "Data",
    type: "int",
    default: 3,
    min: 2,
    max: 30,
    label: "classes",
    doc: "number of classes (moons, circles and xor are binary)",
    when: {dataset: ["blobs", "spirals", "rings"]}
  },
  n: {
    group: "Data",
    type: "int",
    default: 600,
    min: 60,
    max: 3000,
    step: 10,
    label: "samples",
    doc: "points before the 70/30 train/test split"
  },
  noise: {
    group: "Data",
    type: "number",
    default: 0.1,
    min: 0,
    max: 1,
    step: 0.01,
    label: "input noise",
    doc: "std of Gaussian noise added to the inputs"
  },
  labelNoise: {
    group: "Data",
    type: "number",
    default: 0.4,
    min: 0,
    max: 0.8,
    step: 0.05,
    label: "label noise",
    doc: "fraction of training labels replaced (the test labels stay clean)"
  },
  noiseKind: {
    group: "Data",
    type: "enum",
    default: "symmetric",
    options: ["symmetric", "pairflip"],
    labels: {symmetric: "symmetric", pairflip: "class-dependent (k → k+1)"},
    label: "noise kind",
    doc: "symmetric: any other class; class-dependent: class k becomes k + 1"
  },
  imbalance: {
    group: "Data",
    type: "number",
    default: 1,
    min: 1,
    max: 50,
    scale: "log",
    label: "imbalance",
    doc: "ratio of the largest to the smallest class"
  },
  radius: {
    group: "Attack",
    type: "number",
    default: 0.2,
    min: 0,
    max: 1,
    step: 0.01,
    symbol: "\\gamma",
    label: "radius γ",
    doc: "ℓ∞ radius of the PGD attack on the test set (both arms) and of the smooth loss's inner search; 0 = no attack"
  },
  attackSteps: {
    group: "Attack",
    type: "int",
    default: 5,
    min: 1,
    max: 20,
    label: "PGD steps K",
    doc: "projected-gradient steps per attack, step size 2.5γ/K (the card suggests 10; 5 keeps the page fast)"
  },
  optimizer: sharedControls.optimizer,
  lr: sharedControls.lr,
  batch: sharedControls.batch,
  clip: {
    group: "Training",
    type: "number",
    default: 0,
    min: 0,
    max: 10,
    step: 0.5,
    label: "gradient clip",
    doc: "clip the global gradient norm (0 = off); sum-exponential needs it with SGD"
  },
  width: {
    group: "Model",
    type: "int",
    default: 64,
    min: 4,
    max: 256,
    step: 4,
    label: "width",
    doc: "units per hidden layer"
  },
  depth: sharedControls.depth,
  embed: {
    group: "Model",
    type: "boolean",
    default: true,
    label: "2-D embedding",
    doc: "a linear 2-D layer before the classifier, drawn in the embedding view"
  },
  steps: {
    group: "Training",
    type: "int",
    default: 4000,
    min: 100,
    max: 50000,
    step: 100,
    label: "steps",
    doc: "training stops after this many steps"
  },
  seed: sharedControls.seed
});
export type CompSumParams = Params<typeof compSumSchema>;

/** The method arm for the chosen loss, named by its loss and hyper-parameter. */
export function compSumArm(p: CompSumParams): ArmSpec {
  switch (p.method) {
    case "generalized-cross-entropy":
      return {id: "gce", label: `GCE (q = ${p.q})`, loss: generalizedCrossEntropy, params: {q: p.q}, role: "method"};
    case "mean-absolute-error":
      return {id: "mae", label: "MAE", loss: meanAbsoluteError, role: "method"};
    case "sum-exponential":
      return {id: "sum-exp", label: "Sum-exponential", loss: sumExponential, role: "method"};
    case "comp-sum":
      return {id: "comp-sum", label: `Comp-sum (τ = ${p.tau})`, loss: compSum, params: {tau: p.tau}, role: "method"};
    case "smooth-adversarial-comp-sum": {
      const o = {radius: p.radius, steps: p.attackSteps};
      return {
        id: "adv-comp-sum",
        label: `Adv. comp-sum (τ = ${p.tau}, ν = ${p.nu})`,
        loss: smoothAdversarialCompSum,
        params: {tau: p.tau, nu: p.nu},
        role: "method",
        // x′ by PGD on ‖h(x′) − h(x)‖² from a seeded random start, outside the tape; the trainer applies the model
        // to x′ inside it, so the penalty's gradient reaches the weights through h(x′) and h(x).
        extra: ({model, x, step, training, seed}) => {
          const start = adversarialStart(seed, training ? "smooth-train" : "smooth-test", step, x.shape, p.radius);
          return {logitsOf: {adversarialLogits: smoothAdversarialInputs(model, x, {...o, start})}};
        }
      };
    }
  }
}

/**
 * The notebook's extra metric: test accuracy under an ℓ∞ PGD attack of radius γ (K steps on the cross-entropy of the
 * true label, step 2.5γ/K, a seeded random start shared by both arms), at every evaluation. None when γ = 0.
 */
export function compSumAttackMetrics(
  p: Pick<CompSumParams, "radius" | "attackSteps" | "seed">
): MetricsHook | undefined {
  if (!(p.radius > 0)) return undefined;
  return {
    device: ({model, testX, testY, step}) => ({
      pgdAccuracy: adversarialAccuracy(model, testX, testY, {
        radius: p.radius,
        steps: p.attackSteps,
        start: adversarialStart(p.seed, "pgd-eval", step, testX.shape, p.radius)
      })
    })
  };
}

/**
 * Card 29: the comp-sum family (sum-exponential, CE, GCE, MAE) on 2-D data with label noise, as a twin
 * run against cross-entropy, and its smooth adversarial variant with accuracy under a PGD attack for both arms.
 */
export const compSumExperiment = defineExperiment({
  slug: "classification/comp-sum",
  title: "Comp-sum losses: from sum-exponential through cross-entropy to MAE",
  card: "29-comp-sum",
  schema: compSumSchema,
  view: {grid: 64, probe: 1000},
  setup: (p) => ({
    data: toy2d({
      shape: p.dataset,
      n: p.n,
      classes: p.classes,
      noise: p.noise,
      imbalance: p.imbalance,
      labelNoise: p.labelNoise,
      labelNoiseKind: p.noiseKind,
      seed: p.seed
    }),
    model: {hidden: Array(p.depth).fill(p.width), activation: "relu", embed: p.embed ? 2 : 0},
    arms: [
      {
        id: "ce",
        label: p.smoothing ? `CE (ε = ${p.smoothing})` : "CE",
        loss: crossEntropy,
        params: {smoothing: p.smoothing},
        role: "baseline"
      },
      compSumArm(p)
    ],
    optimizer: {type: p.optimizer, lr: p.lr, clipNorm: p.clip},
    batchSize: p.batch,
    seed: p.seed,
    steps: p.steps,
    metrics: compSumAttackMetrics(p)
  }),
  claims: [
    {
      id: "noise-robustness",
      text: "Under 40 % symmetric label noise, generalized cross-entropy (τ = 1.7, q = 0.7) reaches a higher test accuracy than cross-entropy (τ = 1).",
      cite: "Mao, Mohri & Zhong 2023 (comp-sum experiments with noisy labels); Zhang & Sabuncu 2018, Table 2",
      metric: "testAccuracy",
      metricLabel: "test accuracy",
      direction: "higher",
      // The card's toy: 3-class blobs, 40 % symmetric noise, MLP 2→64→64→3 (no embedding layer). CE
      // needs hundreds of epochs to memorise the noise, so the check trains full-batch (210 training
      // points, batch 256) for 600 epochs to reach that phase within its time budget.
      params: {
        method: "generalized-cross-entropy",
        q: 0.7,
        labelNoise: 0.4,
        noiseKind: "symmetric",
        dataset: "blobs",
        classes: 3,
        n: 300,
        batch: 256,
        embed: false
      },
      steps: 600,
      seeds: [1, 2, 3, 4]
    },
    {
      id: "mae-many-classes",
      text: "With many classes MAE (τ = 2) fits markedly slower than cross-entropy: its bound grows with the number of classes and its gradient vanishes on badly classified points.",
      cite: "Mao, Mohri & Zhong 2023 (H-consistency bounds for τ = 2 scale with n)",
      metric: "trainAccuracy",
      metricLabel: "train accuracy",
      direction: "lower",
      params: {method: "mean-absolute-error", labelNoise: 0, dataset: "blobs", classes: 10, embed: false},
      steps: 300,
      seeds: [1, 2, 3]
    },
    {
      id: "adversarial-robustness",
      text: "Adding the smoothness penalty (ν > 0) raises the accuracy under a PGD attack, at a small cost in clean accuracy.",
      cite: "Mao, Mohri & Zhong 2023 (ADV-COMP-SUM against TRADES; smooth term reconstructed by the card)",
      metric: "pgdAccuracy",
      metricLabel: "test accuracy under PGD (γ = 0.1)",
      direction: "higher",
      // The card's toy for the adversarial part: two spirals, clean labels, γ = 0.1 in input units (the spirals span
      // [−2, 2]², so about the paper's 8/255 of an image's range), ν = 1 (the loss's default; the card lists 0, 1, 6).
      // τ = 1 makes the method exactly CE plus the penalty, so the comparison isolates ν. PGD takes 5 steps (the page's
      // default) rather than the card's 10, and 400 steps of training (CE is at ≈ 97 % by then), to fit the time budget.
      params: {
        method: "smooth-adversarial-comp-sum",
        tau: 1,
        nu: 1,
        radius: 0.1,
        attackSteps: 5,
        dataset: "spirals",
        classes: 2,
        labelNoise: 0,
        embed: false
      },
      steps: 400,
      seeds: [1, 2, 3],
      note: "The penalty acts on raw logits, so it also rewards a flatter, less confident model; on spirals, whose arms are about 0.5 apart, a flat model trades clean accuracy for a small penalty. The live page shows clean and attacked accuracy side by side."
    }
  ]
});

/**
 * The comp-sum loss and its pull as functions of the binary margin m = h_y − h_{y'} (then u = e^{−m}):
 * loss Φ^τ(u), and pull −dℓ/dm = u (1 + u)^{−τ}, i.e. how hard a sample at margin m tugs on the model.
 * Cross-entropy's pull tends to 1 for badly misclassified points, sum-exponential's grows without bound,
 * and for τ > 1 it vanishes — why GCE and MAE shrug off mislabelled points but also learn hard ones slowly.
 */
export function compSumProfile(tau: number, margins: ArrayLike<number>): {loss: Float64Array; pull: Float64Array} {
  const loss = new Float64Array(margins.length);
  const pull = new Float64Array(margins.length);
  for (let i = 0; i < margins.length; ++i) {
    const u = Math.exp(-margins[i]);
    loss[i] = tau === 1 ? Math.log1p(u) : ((1 + u) ** (1 - tau) - 1) / (1 - tau);
    pull[i] = u * (1 + u) ** -tau;
  }
  return {loss, pull};
}

/** The τ of the method arm (GCE's q is τ − 1, MAE is τ = 2, sum-exponential τ = 0). */
export function compSumTau(p: CompSumParams): number {
  switch (p.method) {
    case "generalized-cross-entropy":
      return 1 + p.q;
    case "mean-absolute-error":
      return 2;
    case "sum-exponential":
      return 0;
    case "comp-sum":
    case "smooth-adversarial-comp-sum":
      return p.tau;
  }
}
