import * as tf from "../tf.js";
import {crossEntropy} from "../losses/compSum.js";
import {
  lrGdPerceptronData,
  lrGdPerceptronFormatGamma,
  lrGdPerceptronIterationsToSeparate,
  lrGdPerceptronMinCosine,
  lrGdPerceptronPeakLoss,
  lrGdPerceptronRun
} from "../methods/lrGdPerceptron.js";
import type {LrGdPerceptronDesign, LrGdPerceptronMethod} from "../methods/lrGdPerceptron.js";
import {defineSchema, resolveParams} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import {defineExperiment} from "./experiment.js";
import type {Experiment} from "./experiment.js";

/** Controls of the LR+GD → perceptron notebook; every key round-trips through the URL hash. */
export const lrGdPerceptronSchema = defineSchema({
  baselineGamma: {
    group: "Step sizes",
    type: "number",
    default: 1,
    min: 0.01,
    max: 1e6,
    scale: "log",
    symbol: "\\gamma",
    label: "small γ",
    doc: "step size of the baseline LR+GD run (the classical regime, γ ≲ 2/L)"
  },
  gamma: {
    group: "Step sizes",
    type: "number",
    default: 1000,
    min: 0.01,
    max: 1e6,
    scale: "log",
    symbol: "\\gamma",
    label: "large γ",
    doc: "step size of the large-step LR+GD run (the method)"
  },
  normalized: {
    group: "Step sizes",
    type: "boolean",
    default: true,
    label: "Normalized LR+GD",
    doc: "also run Normalized LR+GD, w ← w − (γ/f(w))∇f(w) (reconstructed form)"
  },
  normalizedGamma: {
    group: "Step sizes",
    type: "number",
    default: 1,
    min: 0.01,
    max: 1e6,
    scale: "log",
    symbol: "\\gamma",
    label: "normalized γ",
    doc: "step size of Normalized LR+GD",
    when: {normalized: [true]}
  },
  n: {
    group: "Data",
    type: "int",
    default: 400,
    min: 20,
    max: 2000,
    step: 10,
    label: "points",
    doc: "training points (x ~ N((2, 1), diag(9, ¼)), labelled by a fixed line with a bias)"
  },
  minMargin: {
    group: "Data",
    type: "number",
    default: 0.02,
    min: 0.001,
    max: 0.5,
    scale: "log",
    label: "minimum margin",
    doc: "points closer than this to the true line are dropped: a smaller margin means more iterations"
  },
  steps: {
    group: "Run",
    type: "int",
    default: 2000,
    min: 50,
    max: 20000,
    step: 50,
    label: "iterations",
    doc: "the live run and the sweep stop after this many iterations"
  },
  seed: {
    group: "Run",
    type: "int",
    default: 1,
    min: 0,
    max: 999999,
    label: "seed",
    doc: "seeds the data (every method starts from w₀ = 0)"
  }
});
export type LrGdPerceptronParams = Params<typeof lrGdPerceptronSchema>;

/** The claims' iteration budget: runs that have not separated by then count as this many (a lower bound). */
const claimBudget = 20000;
const separation = (m: LrGdPerceptronMethod, d: LrGdPerceptronDesign) =>
  Math.min(claimBudget, lrGdPerceptronIterationsToSeparate(m, d, claimBudget));
const trainOf = (p: LrGdPerceptronParams) => lrGdPerceptronData({n: p.n, minMargin: p.minMargin, seed: p.seed}).train;

const definition = defineExperiment({
  slug: "classification/lr-gd-perceptron",
  title: "Logistic regression with large steps becomes the batch perceptron",
  card: "14-lr-gd-perceptron",
  schema: lrGdPerceptronSchema,
  view: {grid: 96},
  /**
   * The trainer's version of the method arm, for generic tools (benchmarks, backend tests): a linear model with two
   * logits trained by full-batch SGD on cross-entropy, which is the logistic loss of the score z₁ − z₀. A step of lr
   * on both logits' weights moves the difference by 2·lr·(its gradient), so lr = γ/2 is LR+GD with step γ — from a
   * small random start instead of w₀ = 0, and in float32. It has one arm because the trainer takes one optimizer (one
   * learning rate) for all arms, so a comparison of step sizes cannot be a twin on train(). The page and the claims use
   * the host-side Float64 study in src/methods/lrGdPerceptron.ts instead (see `live` below).
   */
  setup: (p) => {
    const {dataset} = lrGdPerceptronData({n: p.n, minMargin: p.minMargin, seed: p.seed});
    return {
      data: dataset,
      model: {hidden: []},
      arms: [
        {
          id: "lr-gd-large",
          label: `LR+GD (γ = ${lrGdPerceptronFormatGamma(p.gamma)})`,
          loss: crossEntropy,
          role: "method"
        }
      ],
      optimizer: {type: "sgd", lr: p.gamma / 2},
      batchSize: p.n,
      seed: p.seed,
      steps: p.steps
    };
  },
  claims: [
    {
      id: "large-steps-separate-sooner",
      text: "On separable data, LR+GD with a large step size (γ = 1000) separates the training points in fewer iterations than with a small one (γ = 1).",
      cite: "Tyurin 2024 (experiments with step sizes over several orders of magnitude)",
      metric: "iterationsToSeparate",
      metricLabel: "iterations to separation",
      direction: "lower",
      params: {},
      steps: 0,
      seeds: [1, 2, 3, 4],
      measure: async (p) => {
        const d = trainOf(p);
        return {
          baseline: separation({kind: "lr-gd", gamma: 1}, d),
          method: separation({kind: "lr-gd", gamma: 1000}, d),
          baselineLabel: "LR+GD (γ = 1)",
          methodLabel: "LR+GD (γ = 1000)"
        };
      },
      note: "The card's NumPy run: 1 803 iterations at γ = 1, 72 at γ = 1000. Its stronger check — iterations never increase as γ grows — is drawn in the sweep figure: on this data the count is not monotone above γ ≈ 10."
    },
    {
      id: "perceptron-direction",
      text: "As γ grows, LR+GD's iterates point where the batch perceptron's do: at γ = 1e4 the cosine between the two stays above 0.999 for the first 30 iterations.",
      cite: "Tyurin 2024 (LR+GD reduces to the batch perceptron as γ → ∞)",
      metric: "minCosine",
      metricLabel: "smallest cosine to the perceptron's iterate, iterations 1–30",
      direction: "higher",
      test: "non-inferiority",
      margin: 0.001,
      params: {},
      steps: 30,
      seeds: [1, 2, 3, 4],
      measure: async (p) => ({
        baseline: 1,
        method: lrGdPerceptronMinCosine(1e4, trainOf(p), 30),
        baselineLabel: "the perceptron itself (cosine 1)",
        methodLabel: "LR+GD (γ = 1e4)"
      }),
      note: "The card's measurable check (cosine > 0.999 at γ ≥ 1e4), read as: within 0.001 of perfect alignment."
    },
    {
      id: "perceptron-limit",
      text: "In the limit the two are one algorithm: LR+GD with γ = 1e6 needs no more iterations to separate the data than the batch perceptron.",
      cite: "Tyurin 2024 (LR+GD reduces to the batch perceptron as γ → ∞; it can be similar to or worse than the perceptron)",
      metric: "iterationsToSeparate",
      metricLabel: "iterations to separation",
      direction: "lower",
      test: "non-inferiority",
      margin: 1,
      params: {},
      steps: 0,
      seeds: [1, 2, 3, 4],
      measure: async (p) => {
        const d = trainOf(p);
        return {
          baseline: separation({kind: "perceptron"}, d),
          method: separation({kind: "lr-gd", gamma: 1e6}, d),
          baselineLabel: "Batch perceptron",
          methodLabel: "LR+GD (γ = 1e6)"
        };
      },
      note: "Non-inferiority with a margin of one iteration: at most as many iterations as the perceptron (the card: 71 at γ = 1e5, 70 for the perceptron)."
    },
    {
      id: "loss-misleading",
      text: "The logistic loss is a misleading measure of progress: the large-step run that separates sooner (γ = 1000) has a far higher loss on the way than the small-step run (γ = 1).",
      cite: "Tyurin 2024 (the logistic loss can be misleading with large step sizes)",
      metric: "peakLoss",
      metricLabel: "largest logistic loss over the first 50 iterations",
      direction: "higher",
      params: {},
      steps: 50,
      seeds: [1, 2, 3, 4],
      measure: async (p) => {
        const d = trainOf(p);
        return {
          baseline: lrGdPerceptronPeakLoss({kind: "lr-gd", gamma: 1}, d, 50),
          method: lrGdPerceptronPeakLoss({kind: "lr-gd", gamma: 1000}, d, 50),
          baselineLabel: "LR+GD (γ = 1)",
          methodLabel: "LR+GD (γ = 1000)"
        };
      },
      note: "The card: the peak loss over the first 50 steps grows from 0.69 (γ ≤ 1) to 2.5e4 (γ = 1e5). Read it with the first row: the same γ = 1000 run separates sooner."
    },
    {
      id: "normalized-faster",
      text: "Normalized LR+GD separates the data in fewer iterations than LR+GD at the same step size (γ = 1).",
      cite: "Tyurin 2024 (Normalized LR+GD, with better iteration-complexity guarantees)",
      metric: "iterationsToSeparate",
      metricLabel: "iterations to separation",
      direction: "lower",
      params: {},
      steps: 0,
      seeds: [1, 2, 3, 4],
      measure: async (p) => {
        const d = trainOf(p);
        return {
          baseline: separation({kind: "lr-gd", gamma: 1}, d),
          method: separation({kind: "normalized", gamma: 1}, d),
          baselineLabel: "LR+GD (γ = 1)",
          methodLabel: "Normalized LR+GD (γ = 1)"
        };
      },
      note: "Normalized LR+GD in the card's reconstructed form w ← w − (γ/f)∇f (no official code). The card's run: 457 iterations against 1 803; it did not beat the perceptron there (70), and the paper's advantage is a worst-case guarantee."
    }
  ]
});

/**
 * Card 14: LR+GD with small and large step sizes, the batch perceptron and Normalized LR+GD on 2-D separable data.
 * `live` runs the host-side Float64 study (lrGdPerceptronRun), not train(): see src/methods/lrGdPerceptron.ts for why.
 */
export const lrGdPerceptronExperiment: Experiment<typeof lrGdPerceptronSchema> = {
  ...definition,
  live: (p, options = {}) =>
    lrGdPerceptronRun(resolveParams(lrGdPerceptronSchema, p), {
      ...options,
      grid: definition.view.grid,
      backend: tf.getBackend()
    })
};
