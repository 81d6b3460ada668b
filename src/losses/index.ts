import {compSum, crossEntropy, generalizedCrossEntropy, meanAbsoluteError, sumExponential} from "./compSum.js";
import type {LossSpec} from "./defineLoss.js";

export * from "./defineLoss.js";
export {mean, meanNonZero, sum, reduceTerm, reduceTerms} from "./reducers.js";
export {canonicalInputs, checkInputs, dimensions} from "./checks.js";
export type {InputSpec, ValueKind} from "./checks.js";
export {detach, noGradient, oneHotFloat} from "./masks.js";
export * from "./distances.js";
export * from "./miners.js";
export * from "./state.js";
export {
  compSum,
  crossEntropy,
  generalizedCrossEntropy,
  meanAbsoluteError,
  sumExponential,
  compSumValues,
  logProbOfLabel
} from "./compSum.js";

/** Every loss, keyed by its stable id. */
export const losses: Readonly<Record<string, LossSpec<any>>> = Object.freeze({
  [crossEntropy.id]: crossEntropy,
  [compSum.id]: compSum,
  [generalizedCrossEntropy.id]: generalizedCrossEntropy,
  [meanAbsoluteError.id]: meanAbsoluteError,
  [sumExponential.id]: sumExponential
});

/** The loss with this id, or an error that lists the known ids. */
export function getLoss(id: string): LossSpec<any> {
  const loss = losses[id];
  if (!loss) throw new Error(`unknown loss: ${id} (known: ${Object.keys(losses).join(", ")})`);
  return loss;
}
