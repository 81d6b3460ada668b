/**
 * Float64 references for CosFace and ArcFace as pytorch-metric-learning computes them from the cosine
 * matrix (LargeMarginSoftmaxLoss.compute_loss: replace the label column, scale, cross-entropy, mean).
 * Never bundled.
 */
import {logSoftmaxRow} from "./compSum.js";

function marginSoftmax(
  cosines: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  scale: number,
  target: (cosine: number) => number
): number {
  let total = 0;
  for (let i = 0; i < labels.length; ++i) {
    const row = Float64Array.from({length: classes}, (_, k) => cosines[i * classes + k]);
    row[labels[i]] = target(row[labels[i]]);
    const logp = logSoftmaxRow(
      row.map((c) => c * scale),
      classes,
      0
    );
    total -= logp[labels[i]];
  }
  return total / labels.length;
}

/** CosFaceLoss: target s·(cos θ_y − m). */
export function cosFaceOracle(
  cosines: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  margin: number,
  scale: number
): number {
  return marginSoftmax(cosines, labels, classes, scale, (c) => c - margin);
}

/**
 * ArcFaceLoss: margin in degrees; θ = acos(clamp(c, −1, 1)); target cos(θ + m) where θ ≤ π − m,
 * else cos θ − m·sin m.
 */
export function arcFaceOracle(
  cosines: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  marginDegrees: number,
  scale: number
): number {
  const m = (marginDegrees * Math.PI) / 180;
  return marginSoftmax(cosines, labels, classes, scale, (c) => {
    const theta = Math.acos(Math.min(1, Math.max(-1, c)));
    return theta <= Math.PI - m ? Math.cos(theta + m) : Math.cos(theta) - m * Math.sin(m);
  });
}
