/**
 * LossLab's ML library: seeded data, models, losses, the live trainer and the notebooks' experiments.
 * Plain TypeScript on TF.js (tfjs-core plus backends loaded on demand); no DOM, runs in browsers and Node.
 */
export * as tf from "./tf.js";
export * from "./random.js";
export * from "./params/schema.js";
export * from "./params/hash.js";
export * from "./backend/select.js";
export * from "./datasets/dataset.js";
export * from "./datasets/toy2d.js";
export * from "./datasets/digits.js";
export * from "./datasets/gaussian.js";
export * from "./models/mlp.js";
export * from "./losses/index.js";
export * from "./metrics/index.js";
export * from "./landscape/index.js";
export * from "./fast/kernels.js";
export * from "./fast/fused.js";
export * from "./train/optimizers.js";
export * from "./train/batches.js";
export * from "./train/control.js";
export * from "./train/train.js";
export * from "./train/views.js";
export * from "./experiments/experiment.js";
export * from "./experiments/compSum.js";
export * from "./experiments/lossLandscapes.js";
export * from "./experiments/zLoss.js";
export * from "./experiments/diceLoss.js";
export * from "./experiments/anyLoss.js";
export * from "./experiments/focalLoss.js";
export * from "./experiments/ldrKl.js";
export * from "./experiments/ensLoss.js";
export * from "./experiments/datasetEquity.js";
export * from "./experiments/lrGdPerceptron.js";
export * from "./experiments/discriminativeVsGenerative.js";
export * from "./experiments/inductiveBias.js";
export * from "./methods/zLoss.js";
export * from "./methods/diceLoss.js";
export * from "./methods/anyLoss.js";
export * from "./methods/focalLoss.js";
export * from "./methods/ldrKl.js";
export * from "./methods/ensLoss.js";
export * from "./methods/datasetEquity.js";
export * from "./methods/adversarial.js";
export * from "./methods/lrGdPerceptron.js";
export * from "./methods/discriminativeVsGenerative.js";
export * from "./methods/inductiveBias.js";
export * from "./catalog.js";
