import * as tf from "../tf.js";
import {crossEntropy} from "../losses/compSum.js";
import {l2Normalize} from "../losses/distances.js";
import {mvcnetData, mvcnetLoss, mvcnetShiftMatrix, mvcnetViews} from "../methods/mvcnet.js";
import type {MvcnetData} from "../methods/mvcnet.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import type {ArmSpec, MetricsHook, TrainOptions} from "../train/train.js";
import {defineExperiment} from "./experiment.js";
import {sharedControls} from "./controls.js";

/** Controls of the MVCNet notebook; every key round-trips through the URL hash. */
export const mvcnetSchema = defineSchema({
  method: {
    group: "Losses",
    type: "enum",
    default: "full",
    options: ["full", "cross-view", "cross-model"],
    labels: {
      full: "CE + cross-view + cross-model (MVCNet)",
      "cross-view": "CE + cross-view only",
      "cross-model": "CE + cross-model only"
    },
    label: "method loss",
    doc: "the orange arm: MVCNet's full loss or one of its ablations"
  },
  baseline: {
    group: "Losses",
    type: "enum",
    default: "augmented-ce",
    options: ["augmented-ce", "plain-ce"],
    labels: {"augmented-ce": "CE on the four views", "plain-ce": "CE on the original trials only"},
    label: "baseline loss",
    doc: "the grey-blue arm: cross-entropy with the same augmentations and no contrastive term (the card's baseline), or without augmentation"
  },
  lambda1: {...mvcnetLoss.schema.lambda1, group: "Losses", label: "cross-view λ₁"},
  lambda2: {...mvcnetLoss.schema.lambda2, group: "Losses", label: "cross-model λ₂"},
  temperature: {...mvcnetLoss.schema.temperature, group: "Losses", label: "temperature τ"},
  shift: {
    group: "Augmentations",
    type: "number",
    default: 0.1,
    min: 0,
    max: 20,
    step: 0.1,
    label: "frequency shift",
    doc: "the code's freq_mode: a shift of f·rate/250 Hz (the code fixes dt = 1/250 s); official 0.1"
  },
  reflectLabels: {
    group: "Augmentations",
    type: "boolean",
    default: true,
    label: "reflection flips the label",
    doc: "channel reflection swaps the hemispheres, so a left-hand trial becomes a right-hand one (the code flips the label on left/right datasets)"
  },
  subjects: {
    group: "Data",
    type: "int",
    default: 4,
    min: 2,
    max: 8,
    label: "subjects",
    doc: "subjects in the cohort; one is held out for testing"
  },
  testSubject: {
    group: "Data",
    type: "int",
    default: 0,
    min: 0,
    max: 7,
    label: "held-out subject",
    doc: "the subject left out of training (leave-one-subject-out); the others train"
  },
  trials: {
    group: "Data",
    type: "int",
    default: 100,
    min: 20,
    max: 400,
    step: 10,
    label: "trials per subject",
    doc: "trials of each subject, half of each class"
  },
  erd: {
    group: "Data",
    type: "number",
    default: 0.7,
    min: 0,
    max: 1,
    step: 0.05,
    label: "ERD amplitude",
    doc: "mu-rhythm amplitude over the desynchronised hemisphere, relative to the other (1 = no class signal)"
  },
  noise: {
    group: "Data",
    type: "number",
    default: 1,
    min: 0,
    max: 2,
    step: 0.05,
    label: "background noise",
    doc: "std of the AR(1) background noise"
  },
  subjectSpread: {
    group: "Data",
    type: "number",
    default: 0.5,
    min: 0,
    max: 1,
    step: 0.05,
    label: "subject differences",
    doc: "how much subjects differ: channel gains, DC offsets and mu frequency"
  },
  embed: {
    group: "Model",
    type: "int",
    default: 16,
    min: 2,
    max: 64,
    label: "embedding D",
    doc: "dimension of both encoders' embeddings (the card's toy: 16)"
  },
  width: {
    group: "Model",
    type: "int",
    default: 32,
    min: 4,
    max: 128,
    step: 4,
    label: "width",
    doc: "hidden units of the first encoder (one layer); the second has two layers of half this width"
  },
  optimizer: sharedControls.optimizer,
  lr: {...sharedControls.lr, default: 0.001, doc: "step size (official Adam 1e-3)"},
  batch: {...sharedControls.batch, default: 64, doc: "trials per step (official 64); each trial gives four views"},
  steps: {...sharedControls.steps, default: 2000},
  seed: sharedControls.seed
});
export type MvcnetParams = Params<typeof mvcnetSchema>;

const channels = 8,
  samples = 64,
  rate = 128;

/** The toy cohort of a parameter set (the card's 8 channels at 128 Hz, 0.5 s per trial to stay fast). */
export function mvcnetDataFor(p: MvcnetParams): MvcnetData {
  return mvcnetData({
    channels,
    samples,
    rate,
    subjects: p.subjects,
    trials: p.trials,
    testSubject: Math.min(p.testSubject, p.subjects - 1),
    erd: p.erd,
    noise: p.noise,
    subjectSpread: p.subjectSpread,
    seed: p.seed
  });
}

const methodLambdas = {full: [1, 1], "cross-view": [1, 0], "cross-model": [0, 1]} as const;

/** The arm of a loss choice: plain CE, CE on four views, or MVCNet's loss (or an ablation). */
export function mvcnetArm(
  kind: "plain-ce" | "augmented-ce" | "full" | "cross-view" | "cross-model",
  p: MvcnetParams
): ArmSpec {
  if (kind === "plain-ce") return {id: "ce", label: "CE (original trials)", loss: crossEntropy, role: "baseline"};
  const shift = mvcnetShiftMatrix(samples, p.shift);
  const [on1, on2] = kind === "augmented-ce" ? [0, 0] : methodLambdas[kind];
  const second = on1 > 0 || on2 > 0;
  const label =
    kind === "augmented-ce"
      ? "CE (four views)"
      : kind === "full"
        ? `MVCNet (λ₁ = ${p.lambda1}, λ₂ = ${p.lambda2})`
        : kind === "cross-view"
          ? `CE + cross-view (λ₁ = ${p.lambda1})`
          : `CE + cross-model (λ₂ = ${p.lambda2})`;
  return {
    id: kind,
    label,
    loss: mvcnetLoss,
    role: kind === "augmented-ce" ? "baseline" : "method",
    params: {lambda1: on1 * p.lambda1, lambda2: on2 * p.lambda2, temperature: p.temperature},
    // The second encoder, standing in for MVCNet's Transformer branch: a deeper, narrower MLP whose output is z.
    ...(second
      ? {
          encoders: {
            other: {
              inputs: channels * samples,
              hidden: [p.width / 2, p.width / 2].map((w) => Math.max(2, Math.round(w))),
              classes: p.embed
            }
          }
        }
      : {}),
    tape: ({x, labels, apply, encoders}) => {
      const views = mvcnetViews(x, channels, samples, tf.tensor2d(shift, [samples, samples]));
      const out = apply(views);
      const reflected = p.reflectLabels ? (tf.cast(tf.sub(1, labels), "int32") as tf.Tensor1D) : labels;
      return {
        viewLogits: out.logits,
        viewLabels: tf.concat([labels, labels, labels, reflected]),
        viewEmbeddings: out.embeddings!,
        // Without a contrastive term the loss never reads z; the first encoder's embeddings stand in.
        otherEmbeddings: second ? encoders.other.apply(views).logits : out.embeddings!
      };
    }
  };
}

/**
 * Per-view test accuracy of the first encoder (the one the official script evaluates), and how alike the embeddings
 * are: mean cosine of f(x) with f(a_j) over the augmented views (cross-view) and of f(x) with z(x) (cross-model; NaN
 * for an arm without a second encoder).
 */
export function mvcnetMetrics(p: MvcnetParams): MetricsHook {
  const shift = mvcnetShiftMatrix(samples, p.shift);
  return {
    device: ({model, encoders, testX, testY}) => {
      const n = testX.shape[0];
      const views = mvcnetViews(testX, channels, samples, tf.tensor2d(shift, [samples, samples]));
      const out = model.apply(views);
      const reflected = p.reflectLabels ? tf.cast(tf.sub(1, testY), "int32") : testY;
      const correct = tf.cast(
        tf.equal(tf.argMax(out.logits, 1), tf.concat([testY, testY, testY, reflected])),
        "float32"
      );
      const viewAccuracy = (v: number) => tf.mean(tf.slice(correct, [v * n], [n])) as tf.Scalar;
      const f = l2Normalize(out.embeddings!);
      const block = (t: tf.Tensor2D, v: number) => tf.slice(t, [v * n, 0], [n, -1]);
      const cos = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.sum(tf.mul(a, b), 1)) as tf.Scalar;
      const crossView = tf.div(tf.addN([1, 2, 3].map((v) => cos(block(f, 0), block(f, v)))), 3) as tf.Scalar;
      const other = encoders.other;
      const crossModel = other ? cos(block(f, 0), l2Normalize(other.apply(testX).logits)) : tf.scalar(NaN);
      return {
        flipAccuracy: viewAccuracy(1),
        shiftAccuracy: viewAccuracy(2),
        reflectAccuracy: viewAccuracy(3),
        crossViewCosine: crossView,
        crossModelCosine: crossModel
      };
    }
  };
}

/** The twin run's options: the baseline arm, the method arm, the held-out subject as the test split. */
export function mvcnetTrainOptions(p: MvcnetParams): Omit<TrainOptions, "control" | "signal" | "invalidation"> {
  return {
    data: mvcnetDataFor(p),
    // The first encoder, standing in for MVCNet's CNN branch: signals → width → D embedding → 2 classes.
    model: {hidden: [p.width], activation: "relu", embed: p.embed},
    arms: [mvcnetArm(p.baseline, p), mvcnetArm(p.method, p)],
    optimizer: {type: p.optimizer, lr: p.lr},
    batchSize: p.batch,
    seed: p.seed,
    steps: p.steps,
    evalEvery: 25,
    // The test split's loss (four views, both contrastive terms over all test trials) is not drawn; skip it.
    testLoss: false,
    metrics: mvcnetMetrics(p)
  };
}

/**
 * Card 01 (MVCNet): synthetic two-class motor imagery with subjects, three EEG augmentations, two encoders, and the
 * multi-view CE + cross-view + cross-model contrastive loss against CE on the same views, tested on a held-out subject.
 */
export const mvcnetExperiment = defineExperiment({
  slug: "metric-learning/mvcnet",
  title: "MVCNet: multi-view contrastive learning for motor imagery",
  card: "01-mvcnet",
  schema: mvcnetSchema,
  view: {probe: 200},
  setup: (p) => mvcnetTrainOptions(p),
  claims: [
    {
      id: "loso-accuracy",
      text: "Adding MVCNet's cross-view and cross-model contrastive terms to cross-entropy on the same augmented views raises the accuracy on a held-out subject by at least 2 points.",
      cite: "Wang et al. 2025 (leave-one-subject-out results and ablation of the contrastive modules); card 01's check",
      metric: "testAccuracy",
      metricLabel: "accuracy on the held-out subject",
      direction: "higher",
      threshold: 0.02,
      // The card's toy (8 channels, 128 Hz, 4 subjects × 100 trials, λ₁ = λ₂ = 0.1, τ = 0.2, Adam 1e-3), shortened
      // to 0.5 s trials, batches of 32 (the official setting for some datasets) and 200 steps (about 21 epochs of the
      // 300 training trials) to fit the time budget. A new cohort is drawn for every seed; its subject 0 is held out.
      params: {method: "full", baseline: "augmented-ce", batch: 32},
      steps: 200,
      seeds: [1, 2, 3, 4, 5]
    }
  ]
});
