/**
 * Float64 references for the comp-sum family, written as plain loops straight from the definitions
 * (Mao, Mohri & Zhong 2023): u = Σ_{y'≠y} exp(h_{y'} − h_y); Φ^1(u) = log(1 + u);
 * Φ^τ(u) = ((1 + u)^{1−τ} − 1)/(1 − τ). Never bundled; used by the tests only.
 */
export function scoreGapSum(logits: ArrayLike<number>, classes: number, row: number, label: number): number {
  let u = 0;
  const hy = logits[row * classes + label];
  for (let k = 0; k < classes; ++k) if (k !== label) u += Math.exp(logits[row * classes + k] - hy);
  return u;
}

export function compSumOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  tau: number
): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; ++i) {
    const u = scoreGapSum(logits, classes, i, labels[i]);
    total += tau === 1 ? Math.log1p(u) : ((1 + u) ** (1 - tau) - 1) / (1 - tau);
  }
  return total / n;
}

/** Cross-entropy with label smoothing ε: −Σ_k q_k log p_k, q = (1 − ε) e_y + ε / C. */
export function crossEntropyOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  smoothing = 0
): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; ++i) {
    let max = -Infinity;
    for (let k = 0; k < classes; ++k) max = Math.max(max, logits[i * classes + k]);
    let z = 0;
    for (let k = 0; k < classes; ++k) z += Math.exp(logits[i * classes + k] - max);
    const logZ = max + Math.log(z);
    for (let k = 0; k < classes; ++k) {
      const q = (k === labels[i] ? 1 - smoothing : 0) + smoothing / classes;
      total -= q * (logits[i * classes + k] - logZ);
    }
  }
  return total / n;
}

/** Probability of the label under the softmax. */
export function labelProbability(logits: ArrayLike<number>, classes: number, row: number, label: number): number {
  return 1 / (1 + scoreGapSum(logits, classes, row, label));
}

/** log softmax of one row, in float64 (max-shifted). */
export function logSoftmaxRow(logits: ArrayLike<number>, classes: number, row: number): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < classes; ++k) max = Math.max(max, logits[row * classes + k]);
  let z = 0;
  for (let k = 0; k < classes; ++k) z += Math.exp(logits[row * classes + k] - max);
  const logZ = max + Math.log(z);
  const out = new Float64Array(classes);
  for (let k = 0; k < classes; ++k) out[k] = logits[row * classes + k] - logZ;
  return out;
}

/**
 * PyTorch's F.cross_entropy(logits, labels, weight=w, label_smoothing=ε, reduction="mean"), written
 * from its definition: (1 − ε)·Σᵢ w_{yᵢ}(−log p_{i,yᵢ})/Σᵢ w_{yᵢ} + (ε/C)·Σᵢ Σ_k w_k(−log p_{ik})/Σᵢ w_{yᵢ}.
 */
export function weightedCrossEntropyOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  classWeights: ArrayLike<number>,
  smoothing = 0
): number {
  let nll = 0,
    smooth = 0,
    total = 0;
  for (let i = 0; i < labels.length; ++i) {
    const logp = logSoftmaxRow(logits, classes, i);
    const wy = classWeights[labels[i]];
    nll -= wy * logp[labels[i]];
    for (let k = 0; k < classes; ++k) smooth -= classWeights[k] * logp[k];
    total += wy;
  }
  return (1 - smoothing) * (nll / total) + (smoothing / classes) * (smooth / total);
}
