import * as tf from "../tf.js";
import {crossEntropy} from "../losses/compSum.js";
import {
  dvgDigitsData,
  dvgDrawSubset,
  dvgError,
  dvgFitLogistic,
  dvgFitNaiveBayes,
  dvgGaussianData,
  dvgLogisticScores,
  dvgMean,
  dvgNaiveBayesScores,
  dvgRun,
  dvgSamplesToPlateau,
  dvgSizes,
  dvgStudy,
  dvgSubset
} from "../methods/discriminativeVsGenerative.js";
import type {DvgCovariance, DvgPoint, DvgRunOptions, DvgSamples} from "../methods/discriminativeVsGenerative.js";
import {random} from "../random.js";
import {defineSchema, resolveParams} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import {defineExperiment} from "./experiment.js";
import type {Experiment} from "./experiment.js";
import type {TrainEvent, TrainSummary} from "../train/train.js";

/** Controls of the discriminative-vs-generative notebook; every key round-trips through the URL hash. */
export const discriminativeVsGenerativeSchema = defineSchema({
  dataset: {
    group: "Data",
    type: "enum",
    default: "gaussian",
    options: ["gaussian", "digits"],
    labels: {gaussian: "Gaussian classes", digits: "digits (8 × 8 pixels)"},
    label: "dataset",
    doc: "the official simulated Gaussian classes, or the 8 × 8 digits' pixels as features"
  },
  covariance: {
    group: "Data",
    type: "enum",
    default: "hard",
    options: ["easy", "hard"],
    labels: {easy: "easy: independent", hard: "hard: correlated"},
    label: "covariance",
    doc: "easy: independent features, naive Bayes' assumption holds; hard: correlated features, it does not",
    when: {dataset: ["gaussian"]}
  },
  dim: {
    group: "Data",
    type: "int",
    default: 20,
    min: 2,
    max: 80,
    label: "features",
    doc: "feature dimension n (2 shows the decision regions); the pool holds 100·n samples",
    when: {dataset: ["gaussian"]}
  },
  classes: {
    group: "Data",
    type: "int",
    default: 3,
    min: 2,
    max: 5,
    label: "classes",
    doc: "K classes with means −1, 1, 2, 4, 8 (times the all-ones vector)",
    when: {dataset: ["gaussian"]}
  },
  repeats: {
    group: "Study",
    type: "int",
    default: 5,
    min: 1,
    max: 20,
    label: "subsets per size",
    doc: "random training subsets drawn at each size (the official protocol uses 5)"
  },
  ratio: {
    group: "Study",
    type: "number",
    default: 1.41,
    min: 1.2,
    max: 4,
    step: 0.01,
    label: "size step",
    doc: "each training size is this many times the last, from 2K up to the whole pool"
  },
  seed: {
    group: "Study",
    type: "int",
    default: 1,
    min: 0,
    max: 999999,
    label: "seed",
    doc: "seeds the data (or the digits' split) and the subsets"
  }
});
export type DiscriminativeVsGenerativeParams = Params<typeof discriminativeVsGenerativeSchema>;

// The claims share studies (the n = 40 curve serves two of them): one per setting and seed, computed once.
const studies = new Map<string, Promise<DvgPoint[]>>();
/** The claims' error-vs-size study: sizes doubling from 2K to the pool, 3 subsets each (see the claim notes). */
function gaussianStudy(dim: number, mode: DvgCovariance, seed: number): Promise<DvgPoint[]> {
  const key = `${dim}/${mode}/${seed}`;
  if (!studies.has(key)) {
    const {pool, test} = dvgGaussianData({dim, classes: 3, mode, seed});
    studies.set(key, dvgStudy(pool, test, {sizes: dvgSizes(3, pool.n, 2), repeats: 3, seed}));
  }
  return studies.get(key)!;
}
const log2Plateau = (points: DvgPoint[], which: "nb" | "lr") => Math.log2(dvgSamplesToPlateau(points, which));

/** Both classifiers fitted on `m` samples of the pool (`repeats` random subsets); their mean test errors. */
function errorsAt(pool: DvgSamples, test: DvgSamples, m: number, repeats: number, seed: number) {
  const rng = random(seed).fork("dvg-claim-subsets").fork(m);
  const nb: number[] = [];
  const lr: number[] = [];
  for (let r = 0; r < repeats; ++r) {
    const train = m === pool.n ? pool : dvgSubset(pool, dvgDrawSubset(pool, m, rng.fork(r)));
    nb.push(dvgError(dvgNaiveBayesScores(dvgFitNaiveBayes(train), test.x, test.n), test.y));
    lr.push(dvgError(dvgLogisticScores(dvgFitLogistic(train), test.x, test.n), test.y));
  }
  return {nb: dvgMean(nb), lr: dvgMean(lr)};
}

const studyNote =
  "Sizes double from 2K = 6 up to the pool of 100·n samples (the official grid steps by ⌈ln n⌉ samples, thousands of fits), 3 random subsets per size (official: 5), test set of 5 000 (official: 10 000). The plateau is the mean error at the whole pool; a classifier's 'samples needed' is the first size within 0.01 of it.";

const definition = defineExperiment({
  slug: "classification/discriminative-vs-generative",
  title: "Discriminative vs generative classifiers as the training set grows",
  card: "17-discriminative-vs-generative",
  schema: discriminativeVsGenerativeSchema,
  view: {grid: 64},
  /**
   * The trainer's version of the logistic-regression arm, for generic tools (benchmarks, backend tests): the official
   * `lr_sgd` variant — a linear layer trained with cross-entropy by SGD with momentum 0.9 and learning rate 1, batch 256,
   * 100 epochs — on the whole Gaussian pool (for digits: its Gaussian settings, since the digits bytes are not at hand
   * here). Naive Bayes is closed-form, not a gradient method, so there is no second arm: the page and the claims run the
   * host-side study in src/methods/discriminativeVsGenerative.ts (see `live` below).
   */
  setup: (p) => {
    const {pool, test} = dvgGaussianData({dim: p.dim, classes: p.classes, mode: p.covariance, seed: p.seed});
    const split = (s: DvgSamples, offset: number) => ({
      n: s.n,
      x: Float32Array.from(s.x),
      y: s.y.slice(),
      yClean: s.y.slice(),
      ids: Int32Array.from({length: s.n}, (_, i) => offset + i)
    });
    return {
      data: {
        name: `gaussian-${p.covariance}`,
        inputs: p.dim,
        classes: p.classes,
        train: split(pool, 0),
        test: split(test, pool.n),
        noiseRate: 0
      },
      model: {hidden: []},
      arms: [{id: "logistic-regression", label: "Logistic regression (SGD)", loss: crossEntropy, role: "baseline"}],
      optimizer: {type: "momentum", lr: 1, momentum: 0.9},
      batchSize: 256,
      seed: p.seed,
      steps: 100 * Math.ceil(pool.n / 256)
    };
  },
  claims: [
    {
      id: "nb-plateaus-sooner",
      text: "Naive Bayes reaches its asymptotic error with far fewer samples than logistic regression: for K = 3 classes and n = 40 features, at most a quarter as many.",
      cite: "Zheng et al. 2023 (simulations on a mixture of Gaussians); Ng & Jordan 2002",
      metric: "log2SamplesToPlateau",
      metricLabel: "log₂ of the samples needed to come within 0.01 of the plateau",
      direction: "lower",
      threshold: 2,
      params: {dataset: "gaussian", covariance: "easy", dim: 40, classes: 3},
      steps: 0,
      seeds: [1, 2, 3],
      measure: async (p, seed) => {
        const points = await gaussianStudy(40, "easy", seed);
        return {
          baseline: log2Plateau(points, "lr"),
          method: log2Plateau(points, "nb"),
          baselineLabel: "Logistic regression",
          methodLabel: "Naive Bayes"
        };
      },
      note: `The card's check: NB's size at most ¼ of LR's, i.e. a log₂ difference of at least 2 (the threshold). ${studyNote}`
    },
    {
      id: "gap-grows-with-dimension",
      text: "The gap grows with the dimension: naive Bayes needs O(log n) samples and logistic regression O(n), so the ratio of their sample sizes shrinks from n = 10 to n = 40 features.",
      cite: "Zheng et al. 2023 (multiclass extension of Ng & Jordan 2002: O(log n) samples for naive Bayes, O(n) for logistic regression)",
      metric: "log2Ratio",
      metricLabel: "log₂ (NB's samples needed ÷ LR's)",
      direction: "lower",
      params: {dataset: "gaussian", covariance: "easy", classes: 3},
      steps: 0,
      seeds: [1, 2, 3],
      measure: async (p, seed) => {
        const small = await gaussianStudy(10, "easy", seed);
        const large = await gaussianStudy(40, "easy", seed);
        return {
          baseline: log2Plateau(small, "nb") - log2Plateau(small, "lr"),
          method: log2Plateau(large, "nb") - log2Plateau(large, "lr"),
          baselineLabel: "n = 10 features",
          methodLabel: "n = 40 features"
        };
      },
      note: `The card asks for the ratio to shrink as n grows; two dimensions are checked (80 would take minutes). ${studyNote}`
    },
    {
      id: "lr-lower-asymptote",
      text: "When naive Bayes' assumption is wrong (correlated features), logistic regression has the lower error once data are plentiful.",
      cite: "Zheng et al. 2023 (the discriminative model's lower asymptotic error); card 17's 'hard' check",
      metric: "testError",
      metricLabel: "test error on the whole pool (m = 4 000)",
      direction: "lower",
      params: {dataset: "gaussian", covariance: "hard", dim: 40, classes: 3},
      steps: 0,
      seeds: [1, 2, 3],
      measure: async (p, seed) => {
        const {pool, test} = dvgGaussianData({dim: 40, classes: 3, mode: "hard", seed});
        const e = errorsAt(pool, test, pool.n, 1, seed);
        return {baseline: e.nb, method: e.lr, baselineLabel: "Naive Bayes", methodLabel: "Logistic regression"};
      },
      note: "The official 'hard' covariance: AᵀA for A uniform in [−1, 1), its diagonal replaced by the easy one. That matrix is not positive semi-definite; NumPy's sampler (and ours) then uses the absolute eigenvalues. K = 3, n = 40, trained on the whole pool of 4 000."
    },
    {
      id: "nb-wins-few-labels-digits",
      text: "With very few labelled examples a generative head beats a linear probe: on the digits, naive Bayes has the lower test error with 2 examples per class.",
      cite: "Zheng et al. 2023 (naive Bayes shows promise in few-shot cases, on pre-trained features)",
      metric: "testError",
      metricLabel: "test error with m = 20 training digits (mean of 10 subsets)",
      direction: "lower",
      params: {dataset: "digits"},
      steps: 0,
      seeds: [1, 2, 3],
      measure: async (p, seed) => {
        const {pool, test} = await dvgDigitsData(seed);
        const e = errorsAt(pool, test, 20, 10, seed);
        return {baseline: e.lr, method: e.nb, baselineLabel: "Logistic regression", methodLabel: "Naive Bayes"};
      },
      note: "The paper's features come from large pre-trained networks (CLIP, ViT, ResNet …); here they are the 64 raw pixel counts of the 8 × 8 digits, scaled to [0, 1]. Train/test split 70/30 per seed; subsets of 20 contain every class."
    },
    {
      id: "lr-wins-many-labels-digits",
      text: "With many labelled examples the discriminative model wins: on the digits, logistic regression trained on the whole training split has the lower test error.",
      cite: "Zheng et al. 2023 (the two regimes on pre-trained features); Ng & Jordan 2002",
      metric: "testError",
      metricLabel: "test error with the whole training split (about 1 260 digits)",
      direction: "lower",
      params: {dataset: "digits"},
      steps: 0,
      seeds: [1, 2, 3],
      measure: async (p, seed) => {
        const {pool, test} = await dvgDigitsData(seed);
        const e = errorsAt(pool, test, pool.n, 1, seed);
        return {baseline: e.nb, method: e.lr, baselineLabel: "Naive Bayes", methodLabel: "Logistic regression"};
      },
      note: "64 raw pixel features in [0, 1], train/test split 70/30 per seed; scikit-learn's LogisticRegression(C = 1, lbfgs) reimplemented with L-BFGS."
    }
  ]
});

/**
 * Card 17: linear Gaussian naive Bayes against logistic regression as the training size grows, on the official
 * simulated Gaussian classes and on the digits. `live` runs the host-side Float64 study (dvgRun), not train(): see
 * src/methods/discriminativeVsGenerative.ts for why. Pages pass the digits bytes as `digits` (from a data loader).
 */
export const discriminativeVsGenerativeExperiment: Experiment<typeof discriminativeVsGenerativeSchema> = {
  ...definition,
  live: (p, options: DvgRunOptions = {}): AsyncGenerator<TrainEvent, TrainSummary, void> =>
    dvgRun(resolveParams(discriminativeVsGenerativeSchema, p), {
      ...options,
      grid: definition.view.grid,
      backend: tf.getBackend()
    })
};
