import {compSum, crossEntropy, generalizedCrossEntropy, meanAbsoluteError, sumExponential} from "./compSum.js";
import {adversarialCompSumLosses} from "./adversarialCompSum.js";
import {angularMarginLosses} from "./angularMargin.js";
import {binaryLosses} from "./binary.js";
import {correctnessAwareLosses} from "./correctnessAware.js";
import {flipDistillationLosses} from "./flipDistillation.js";
import {focalLosses} from "./focal.js";
import {kdLosses} from "./kd.js";
import {sphericalLosses} from "./sphericalLosses.js";
import {vattLosses} from "./vatt.js";
import {contrastiveLosses} from "./contrastive.js";
import {tripletMarginLosses} from "./tripletMargin.js";
import {multiSimilarityLosses} from "./multiSimilarity.js";
import {circleLosses} from "./circle.js";
import {ntXentLosses} from "./ntXent.js";
import {supConLosses} from "./supCon.js";
import {protoTripletLosses} from "./protoTriplet.js";
import {unpgLosses} from "./unpg.js";
import {decoupledSoftmaxLosses} from "./decoupledSoftmax.js";
import {mlcdLosses} from "./mlcd.js";
import {ldrKlLosses} from "./ldrKl.js";
import {ensLossLosses} from "./ensLoss.js";
import {anyLossLosses} from "./anyLoss.js";
import {diceLosses} from "./dice.js";
import {metrixLosses} from "./metrix.js";
import {hybridMultiLabelLosses} from "./hybridMultiLabel.js";
import type {LossSpec} from "./defineLoss.js";

export * from "./defineLoss.js";
export {mean, meanNonZero, sum, reduceTerm, reduceTerms} from "./reducers.js";
export {canonicalInputs, checkInputs, dimensions} from "./checks.js";
export type {InputSpec, ValueKind} from "./checks.js";
export {detach, noGradient, oneHotFloat} from "./masks.js";
export * from "./distances.js";
export * from "./miners.js";
export * from "./state.js";
export * from "./compSum.js";
export * from "./adversarialCompSum.js";
export * from "./angularMargin.js";
export * from "./binary.js";
export * from "./correctnessAware.js";
export * from "./flipDistillation.js";
export * from "./focal.js";
export * from "./kd.js";
export * from "./sphericalLosses.js";
export * from "./vatt.js";
export * from "./contrastive.js";
export * from "./tripletMargin.js";
export * from "./multiSimilarity.js";
export * from "./circle.js";
export * from "./ntXent.js";
export * from "./supCon.js";
export * from "./protoTriplet.js";
export * from "./unpg.js";
export * from "./decoupledSoftmax.js";
export * from "./mlcd.js";
export * from "./ldrKl.js";
export * from "./ensLoss.js";
export * from "./anyLoss.js";
export * from "./dice.js";
export * from "./metrix.js";
export * from "./hybridMultiLabel.js";

const all: readonly LossSpec<any>[] = [
  crossEntropy,
  compSum,
  generalizedCrossEntropy,
  meanAbsoluteError,
  sumExponential,
  ...adversarialCompSumLosses,
  ...focalLosses,
  ...sphericalLosses,
  ...angularMarginLosses,
  ...binaryLosses,
  ...ldrKlLosses,
  ...ensLossLosses,
  ...anyLossLosses,
  ...diceLosses,
  ...kdLosses,
  ...flipDistillationLosses,
  ...correctnessAwareLosses,
  ...hybridMultiLabelLosses,
  ...contrastiveLosses,
  ...tripletMarginLosses,
  ...multiSimilarityLosses,
  ...circleLosses,
  ...ntXentLosses,
  ...supConLosses,
  ...protoTripletLosses,
  ...unpgLosses,
  ...decoupledSoftmaxLosses,
  ...mlcdLosses,
  ...vattLosses,
  ...metrixLosses
];

/** Every loss, keyed by its stable id. */
export const losses: Readonly<Record<string, LossSpec<any>>> = Object.freeze(
  Object.fromEntries(
    all.map((loss, i) => {
      if (all.findIndex((other) => other.id === loss.id) !== i) throw new Error(`duplicate loss id: ${loss.id}`);
      return [loss.id, loss];
    })
  )
);

/** The loss with this id, or an error that lists the known ids. */
export function getLoss(id: string): LossSpec<any> {
  const loss = losses[id];
  if (!loss) throw new Error(`unknown loss: ${id} (known: ${Object.keys(losses).join(", ")})`);
  return loss;
}
