/**
 * Float64 references for the binary losses of Tyurin 2024: logistic log(1 + e^{−y f}) and the batch
 * perceptron max(0, −y f), batch means. Never bundled.
 */
export function logisticOracle(scores: ArrayLike<number>, signs: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < scores.length; ++i) {
    const t = -signs[i] * scores[i];
    total += Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
  }
  return total / scores.length;
}

export function batchPerceptronOracle(scores: ArrayLike<number>, signs: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < scores.length; ++i) total += Math.max(0, -signs[i] * scores[i]);
  return total / scores.length;
}
