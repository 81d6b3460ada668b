/**
 * Float64 references for focal.ts, written as plain loops from the definitions. Never bundled.
 * - focal: −α_y (1 − p_y)^γ log p_y with p = softmax(z), plain batch mean (Lin et al. 2017, eq. 5);
 * - torchvision's sigmoid_focal_loss on one logit per sample (the binary official implementation);
 * - DatasetEquity: w(p) = (η + (1 − p)^γ)/(η + 1) times cross-entropy, plain batch mean.
 */
import {logSoftmaxRow} from "./compSum.js";

export function focalOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  gamma: number,
  classAlpha?: ArrayLike<number>
): number {
  let total = 0;
  for (let i = 0; i < labels.length; ++i) {
    const logp = logSoftmaxRow(logits, classes, i);
    const py = Math.exp(logp[labels[i]]);
    const alpha = classAlpha ? classAlpha[labels[i]] : 1;
    total += -alpha * (1 - py) ** gamma * logp[labels[i]];
  }
  return total / labels.length;
}

/**
 * torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction="mean") for 1-D
 * inputs: p = σ(x), ce = BCEWithLogits, p_t = p·t + (1 − p)(1 − t), loss = ce·(1 − p_t)^γ, times
 * α_t = α·t + (1 − α)(1 − t) when α ≥ 0.
 */
export function sigmoidFocalOracle(
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  alpha: number,
  gamma: number
) {
  let total = 0;
  for (let i = 0; i < inputs.length; ++i) {
    const x = inputs[i],
      t = targets[i];
    const p = 1 / (1 + Math.exp(-x));
    // BCE with logits, stable: max(x, 0) − x·t + log(1 + e^{−|x|}).
    const ce = Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    const pt = p * t + (1 - p) * (1 - t);
    let loss = ce * (1 - pt) ** gamma;
    if (alpha >= 0) loss *= alpha * t + (1 - alpha) * (1 - t);
    total += loss;
  }
  return total / inputs.length;
}

export function generalizedFocalOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  likelihood: ArrayLike<number>,
  eta: number,
  gamma: number
): number {
  let total = 0;
  for (let i = 0; i < labels.length; ++i) {
    const logp = logSoftmaxRow(logits, classes, i);
    const w = (eta + (1 - likelihood[i]) ** gamma) / (eta + 1);
    total += -w * logp[labels[i]];
  }
  return total / labels.length;
}
