/**
 * Float64 reference for the correctness-aware calibration loss (liuyvchi/Correctness-aware-calibration,
 * Temperature_adaptive.set_temperature): weights 1 − acc on correct, acc on wrong samples, Σwℓ/Σw with
 * ℓ = (max softmax − correct)². Never bundled.
 */
import {argmaxRow} from "./flipDistillation.js";
import {logSoftmaxRow} from "./kd.js";

export function correctnessAwareOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  {balance = true} = {}
): number {
  const n = labels.length;
  const correct = Array.from(labels, (y, i) => (argmaxRow(logits, classes, i) === y ? 1 : 0));
  const accuracy = correct.reduce((a: number, b) => a + b, 0) / n;
  let num = 0,
    den = 0;
  for (let i = 0; i < n; ++i) {
    const confidence = Math.exp(Math.max(...logSoftmaxRow(logits, classes, i)));
    const w = balance ? (correct[i] ? 1 - accuracy : accuracy) : 1;
    num += w * (confidence - correct[i]) ** 2;
    den += w;
  }
  return den === 0 ? 0 : num / den;
}
