/**
 * Float64 reference for the smooth adversarial comp-sum loss: comp-sum Φ^τ(u) plus ν‖h(x′) − h(x)‖₂,
 * batch mean (method card 29's reconstruction of Mao, Mohri & Zhong 2023). Never bundled.
 */
import {compSumOracle} from "./compSum.js";

export function smoothAdversarialCompSumOracle(
  logits: ArrayLike<number>,
  adversarialLogits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  tau: number,
  nu: number
): number {
  let penalty = 0;
  for (let i = 0; i < labels.length; ++i) {
    let s = 0;
    for (let k = 0; k < classes; ++k) s += (adversarialLogits[i * classes + k] - logits[i * classes + k]) ** 2;
    penalty += Math.sqrt(s);
  }
  return compSumOracle(logits, labels, classes, tau) + (nu * penalty) / labels.length;
}
