import {shapes} from "../datasets/toy2d.js";
import {mseOneHot} from "../losses/sphericalLosses.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import {
  inductiveBiasClassLabel,
  inductiveBiasStudy,
  inductiveBiasTask,
  mlpInductiveBias,
  rbfInductiveBias
} from "../methods/inductiveBias.js";
import type {InductiveBiasRunOptions, InductiveBiasStudyOptions} from "../methods/inductiveBias.js";
import {defineExperiment} from "./experiment.js";

/** Controls of the inductive-bias notebook; every key round-trips through the URL hash. */
export const inductiveBiasSchema = defineSchema({
  dataset: {
    group: "Task",
    type: "enum",
    default: "blobs",
    options: shapes,
    label: "dataset",
    doc: "shape of the 2-D task (the card's toys: 4-class blobs, two moons)"
  },
  classes: {
    group: "Task",
    type: "int",
    default: 4,
    min: 2,
    max: 10,
    label: "classes",
    doc: "number of classes (moons, circles and xor are binary)",
    when: {dataset: ["blobs", "spirals", "rings"]}
  },
  nTrain: {
    group: "Task",
    type: "int",
    default: 32,
    min: 4,
    max: 128,
    label: "training points",
    doc: "training-set size n (nested: a larger n adds points to a smaller one's)"
  },
  nTest: {
    group: "Task",
    type: "int",
    default: 100,
    min: 20,
    max: 300,
    step: 10,
    label: "test points",
    doc: "test points on which every hypothesis's error is measured"
  },
  noise: {
    group: "Task",
    type: "number",
    default: 0.1,
    min: 0,
    max: 1,
    step: 0.01,
    label: "input noise",
    doc: "std of Gaussian noise added to the 2-D inputs"
  },
  dims: {
    group: "Task",
    type: "int",
    default: 8,
    min: 2,
    max: 32,
    symbol: "d",
    label: "input dimension d",
    doc: "the 2-D task plus d − 2 noise dimensions, randomly rotated (card toy (b))"
  },
  dimNoise: {
    group: "Task",
    type: "number",
    default: 0.5,
    min: 0,
    max: 2,
    step: 0.05,
    label: "noise-dimension std",
    doc: "standard deviation of the d − 2 added dimensions"
  },
  epsilon: {
    group: "Estimate",
    type: "number",
    default: 0.02,
    min: 0.001,
    max: 1,
    scale: "log",
    symbol: "\\varepsilon",
    label: "target error ε",
    doc: "target test error (MSE on one-hot targets, mean over test points and classes)"
  },
  hypotheses: {
    group: "Estimate",
    type: "int",
    default: 200,
    min: 20,
    max: 2000,
    step: 10,
    label: "hypotheses per class",
    doc: "hypotheses sampled from each model class before the study stops"
  },
  sigma: {
    group: "Kernel class",
    type: "number",
    default: 1,
    min: 0.1,
    max: 10,
    scale: "log",
    symbol: "\\sigma",
    label: "RBF width σ",
    doc: "kernel width: K(a, b) = exp(−‖a − b‖²/2σ²) (official 1.0)"
  },
  nugget: {
    group: "Kernel class",
    type: "number",
    default: 0.01,
    min: 1e-6,
    max: 1,
    scale: "log",
    symbol: "\\delta",
    label: "nugget δ",
    doc: "variance added to the training kernel's diagonal; 1e-6 is near-exact interpolation"
  },
  width: {
    group: "Network class",
    type: "int",
    default: 32,
    min: 4,
    max: 128,
    step: 4,
    label: "width",
    doc: "units per hidden layer"
  },
  depth: {
    group: "Network class",
    type: "int",
    default: 2,
    min: 1,
    max: 4,
    label: "hidden layers",
    doc: "hidden layers (the official `depth` counts one fewer)"
  },
  epochs: {
    group: "Network class",
    type: "int",
    default: 100,
    min: 5,
    max: 500,
    step: 5,
    label: "epochs",
    doc: "training epochs of every network"
  },
  batch: {
    group: "Network class",
    type: "int",
    default: 8,
    min: 1,
    max: 128,
    label: "batch size",
    doc: "mini-batch size; each network shuffles its own batches"
  },
  lr: {
    group: "Network class",
    type: "number",
    default: 0.001,
    min: 0.0001,
    max: 0.1,
    scale: "log",
    label: "learning rate",
    doc: "Adam step size (official 1e-3)"
  },
  seed: {
    group: "Estimate",
    type: "int",
    default: 1,
    min: 0,
    max: 999999,
    label: "seed",
    doc: "seeds the data, the posterior draws and the networks"
  }
});
export type InductiveBiasParams = Params<typeof inductiveBiasSchema>;

/** The study's options for a parameter set (the task, both model classes, ε and the budget). */
export function inductiveBiasStudyOptions(p: InductiveBiasParams, grid = 24): InductiveBiasStudyOptions {
  return {
    task: {
      shape: p.dataset,
      classes: p.classes,
      nTrain: p.nTrain,
      nTest: p.nTest,
      noise: p.noise,
      dims: p.dims,
      dimNoise: p.dimNoise,
      seed: p.seed
    },
    sigma: p.sigma,
    nugget: p.nugget,
    mlp: {width: p.width, depth: p.depth, epochs: p.epochs, batch: p.batch, lr: p.lr},
    epsilon: p.epsilon,
    hypotheses: p.hypotheses,
    seed: p.seed,
    grid
  };
}

/** The notebook's live part: the study of both model classes, driven by the page's control. */
export function inductiveBiasLive(p: InductiveBiasParams, run: InductiveBiasRunOptions = {}) {
  return inductiveBiasStudy(inductiveBiasStudyOptions(p), run);
}

/**
 * Posterior draws per kernel estimate in the checks: the official `num_samples` (10 000) where the check is about the
 * fit itself (the KS test's power grows with the sample), 2 000 where it compares estimates between settings.
 */
const officialDraws = 10000;
const trendDraws = 2000;
/** Trained networks per NN estimate in the checks (the card: "50 random-init MLP trainings"). */
const networkTrials = 50;

// The checks run in one process: an estimate two claims share (same parameters, seed and draws) is computed once.
const memo = new Map<string, ReturnType<typeof rbfInductiveBias>>();
function kernelEstimate(p: InductiveBiasParams, draws: number, overrides: Partial<InductiveBiasParams> = {}) {
  const q = {...p, ...overrides};
  const key = JSON.stringify([q, draws]);
  if (!memo.has(key)) memo.set(key, rbfInductiveBias(inductiveBiasStudyOptions(q, 0), draws));
  return memo.get(key)!;
}

/**
 * Card 27: the inductive bias a task needs relative to a hypothesis space, estimated by sampling hypotheses that fit
 * the training data. The page's live part is a study (inductiveBiasLive); `setup` is the conventional alternative for
 * contrast: one network of the NN class trained by the trainer on the same task (the trainer's He initialisation and
 * the class-summed squared error, where the study's networks follow the official PyTorch recipe).
 */
export const inductiveBiasExperiment = defineExperiment({
  slug: "classification/inductive-bias",
  title: "Exact inductive bias: how much a model class must be told beyond the data",
  card: "27-inductive-bias",
  schema: inductiveBiasSchema,
  view: {grid: 48, probe: 128},
  setup: (p) => ({
    data: inductiveBiasTask(inductiveBiasStudyOptions(p).task).data,
    model: {hidden: Array(p.depth).fill(p.width), activation: "relu"},
    arms: [{id: "mse-onehot", label: "one MLP, squared error to one-hot", loss: mseOneHot, role: "baseline"}],
    optimizer: {type: "adam", lr: p.lr},
    batchSize: p.batch,
    seed: p.seed,
    steps: p.epochs * Math.ceil(p.nTrain / p.batch)
  }),
  claims: [
    {
      id: "more-data-less-bias",
      text: "More training data means less inductive bias is needed: I(ε) falls as the training set grows from 16 to 64 points.",
      cite: "Boopathy et al. 2024 (required inductive bias decreases with the training-set size); card 27 check",
      metric: "inductiveBias",
      metricLabel: "I(ε), nats (RBF-kernel draws)",
      direction: "lower",
      // The card's toy (a): 2-D 4-class blobs, ε = 0.02.
      params: {dataset: "blobs", classes: 4, dims: 2, epsilon: 0.02},
      steps: 0,
      seeds: [1, 2, 3],
      note: `${trendDraws} posterior draws per estimate. In higher dimensions the estimate may first rise with n (see the sweep below at d = 8): the draws' errors fall, but their spread shrinks too, and the left tail at ε can thin faster than it approaches.`,
      measure: async (p) => {
        const [small, large] = await Promise.all([
          kernelEstimate(p, trendDraws, {nTrain: 16}),
          kernelEstimate(p, trendDraws, {nTrain: 64})
        ]);
        return {baseline: small.bias, method: large.bias, baselineLabel: "n = 16", methodLabel: "n = 64"};
      }
    },
    {
      id: "higher-dimension-more-bias",
      text: "Higher-dimensional tasks need more inductive bias: the same task embedded in d = 16 dimensions needs a larger I(ε) than in d = 2.",
      cite: "Boopathy et al. 2024 (higher-dimensional tasks require greater inductive bias); card 27 check",
      metric: "inductiveBias",
      metricLabel: "I(ε), nats (RBF-kernel draws)",
      direction: "higher",
      params: {dataset: "blobs", classes: 4, nTrain: 32, epsilon: 0.02},
      steps: 0,
      seeds: [1, 2, 3],
      note: `${trendDraws} posterior draws per estimate; 14 noise dimensions of std 0.5, randomly rotated.`,
      measure: async (p) => {
        const [low, high] = await Promise.all([
          kernelEstimate(p, trendDraws, {dims: 2}),
          kernelEstimate(p, trendDraws, {dims: 16})
        ]);
        return {baseline: low.bias, method: high.bias, baselineLabel: "d = 2", methodLabel: "d = 16"};
      }
    },
    {
      id: "ncx2-fit-2d",
      text: "The fitted scaled noncentral χ² describes the kernel draws' test errors: a KS test against the samples gives p > 0.05 (2-D task).",
      cite: "Boopathy et al. 2024 (error model); card 27 check (KS p > 0.05)",
      metric: "ksPValue",
      metricLabel: "KS p-value",
      direction: "higher",
      params: {dataset: "blobs", classes: 4, nTrain: 32, dims: 2, epsilon: 0.02},
      steps: 0,
      seeds: [1, 2, 3],
      note: `${officialDraws} draws (the official num_samples). The p-value uses the fitted parameters, so it is, if anything, too large.`,
      measure: async (p) => {
        const e = await kernelEstimate(p, officialDraws);
        return {baseline: 0.05, method: e.ks.pValue, baselineLabel: "level 0.05", methodLabel: "KS p-value"};
      }
    },
    {
      id: "ncx2-fit-8d",
      text: "The same KS check on the notebook's default task, embedded in d = 8 dimensions: p > 0.05.",
      cite: "Boopathy et al. 2024 (error model); card 27 check (KS p > 0.05)",
      metric: "ksPValue",
      metricLabel: "KS p-value",
      direction: "higher",
      params: {dataset: "blobs", classes: 4, nTrain: 32, dims: 8, epsilon: 0.02},
      steps: 0,
      seeds: [1, 2, 3],
      note: `${officialDraws} draws (the official num_samples).`,
      measure: async (p) => {
        const e = await kernelEstimate(p, officialDraws);
        return {baseline: 0.05, method: e.ks.pValue, baselineLabel: "level 0.05", methodLabel: "KS p-value"};
      }
    },
    {
      id: "networks-encode-bias",
      text: "Neural networks encode much of the inductive bias a task needs: relative to trained MLPs, the task needs less additional bias than relative to an expressive kernel class.",
      cite: "Boopathy et al. 2024 (neural networks as a model class encode large amounts of inductive bias)",
      metric: "inductiveBias",
      metricLabel: "I(ε), nats",
      direction: "lower",
      params: {dataset: "blobs", classes: 4, nTrain: 32, dims: 8, epsilon: 0.02},
      steps: 0,
      seeds: [1, 2, 3],
      note: `${networkTrials} trained networks against ${officialDraws} kernel draws, d = 8. The gap is a high-dimensional effect: set d = 2 in the study above to compare the classes in the plane.`,
      measure: async (p) => {
        const o = inductiveBiasStudyOptions(p, 0);
        const [kernel, networks] = await Promise.all([
          kernelEstimate(p, officialDraws),
          mlpInductiveBias(o, networkTrials)
        ]);
        return {
          baseline: kernel.bias,
          method: networks.bias,
          baselineLabel: inductiveBiasClassLabel("rbf", o),
          methodLabel: inductiveBiasClassLabel("mlp", o)
        };
      }
    }
  ]
});
