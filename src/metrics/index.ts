/**
 * LossLab's metrics: arrays in, numbers out. Plain float64 TypeScript over values read back from any backend
 * (`await tensor.data()`), no TF.js. Matrices are flat row-major arrays followed by their column count; see
 * classification.ts for the shared conventions. `metrics` bundles every function by name:
 * `import {metrics} from "losslab"; metrics.ece(probs, labels, classes)`.
 */
import {
  accuracy,
  argmax,
  balancedAccuracy,
  brier,
  confusionMatrix,
  gMean,
  logitMargins,
  nll,
  perClass,
  softmax,
  topK
} from "./classification.js";
import {binConfidences, calibrationErrors, ece, mce, reliabilityBins} from "./calibration.js";
import {
  flipMatrix,
  flips,
  negativeFlipImpact,
  negativeFlipRate,
  positiveFlipRate,
  relativeNegativeFlipRate
} from "./flips.js";
import {mapAtR, recallAtK, tolerance, uniformity} from "./retrieval.js";
import {characterErrorRate, editDistance, wordErrorRate} from "./text.js";
import {cooccurrenceMatrix, multiLabelScores, precisionAtK} from "./multiLabel.js";
import {principalProjection} from "./projection.js";
import {
  binStrategy,
  bootstrapReliability,
  nllAtTemperature,
  optimalTemperature,
  reliabilityView,
  temperatureScale
} from "./calibrationViews.js";
import {flipCellMask, flipHistory, flippedMask, positiveFlippedMask, recordFlips} from "./flipMasks.js";

export {
  accuracy,
  argmax,
  balancedAccuracy,
  brier,
  confusionMatrix,
  gMean,
  logitMargins,
  nll,
  perClass,
  softmax,
  topK
} from "./classification.js";
export type {LogitMargins, Numbers, PerClass} from "./classification.js";
export {binConfidences, calibrationErrors, ece, mce, reliabilityBins} from "./calibration.js";
export type {BinOptions, BinStrategy, ReliabilityBins} from "./calibration.js";
export {
  binStrategy,
  bootstrapReliability,
  nllAtTemperature,
  optimalTemperature,
  reliabilityView,
  temperatureScale
} from "./calibrationViews.js";
export type {
  Binning,
  BootstrapOptions,
  BootstrapReliability,
  ReliabilityView,
  ReliabilityViewOptions,
  TemperatureSearchOptions
} from "./calibrationViews.js";
export {
  flipMatrix,
  flips,
  negativeFlipImpact,
  negativeFlipRate,
  positiveFlipRate,
  relativeNegativeFlipRate
} from "./flips.js";
export type {Flips} from "./flips.js";
export {flipCellMask, flipHistory, flippedMask, positiveFlippedMask, recordFlips} from "./flipMasks.js";
export type {FlipCell, FlipHistory} from "./flipMasks.js";
export {mapAtR, recallAtK, tolerance, uniformity} from "./retrieval.js";
export type {RetrievalDistance, RetrievalOptions} from "./retrieval.js";
export {characterErrorRate, editDistance, wordErrorRate} from "./text.js";
export {cooccurrenceMatrix, multiLabelScores, precisionAtK} from "./multiLabel.js";
export type {MultiLabelScores} from "./multiLabel.js";
export {principalProjection} from "./projection.js";
export type {Sequence} from "./text.js";

/** Every metric (and the two helpers that turn logits into their inputs), keyed by its export name. */
export const metrics = Object.freeze({
  accuracy,
  topK,
  confusionMatrix,
  perClass,
  balancedAccuracy,
  gMean,
  nll,
  brier,
  logitMargins,
  softmax,
  argmax,
  reliabilityBins,
  binConfidences,
  calibrationErrors,
  ece,
  mce,
  bootstrapReliability,
  temperatureScale,
  nllAtTemperature,
  optimalTemperature,
  reliabilityView,
  binStrategy,
  negativeFlipRate,
  positiveFlipRate,
  negativeFlipImpact,
  relativeNegativeFlipRate,
  flips,
  flipMatrix,
  flippedMask,
  positiveFlippedMask,
  flipCellMask,
  flipHistory,
  recordFlips,
  recallAtK,
  mapAtR,
  uniformity,
  tolerance,
  multiLabelScores,
  precisionAtK,
  cooccurrenceMatrix,
  principalProjection,
  editDistance,
  characterErrorRate,
  wordErrorRate
});
