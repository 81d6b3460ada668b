/**
 * Float64 references for AnyLoss, plain loops over the batch (authors' code: AnyLoss_Code.ipynb,
 * confusion_matrix and the Any_* losses, with the choices documented in src/losses/anyLoss.ts).
 * Never bundled; tests only.
 */
export type Metric = "accuracy" | "f1" | "balanced-accuracy" | "g-mean";

const s = 1e-5;

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Soft (or, with `hard`, 0/1) confusion counts of two-column logits; p = σ(z₁ − z₀), ŷ = σ(L(p − ½)). */
export function confusionOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  amplifier: number,
  hard = false
): {tp: number; fp: number; fn: number; tn: number; n1: number; n0: number} {
  let tp = 0,
    fp = 0,
    fn = 0,
    tn = 0,
    n1 = 0;
  for (let i = 0; i < labels.length; ++i) {
    const p = sigmoid(logits[2 * i + 1] - logits[2 * i]);
    const yhat = hard ? (p > 0.5 ? 1 : 0) : sigmoid(amplifier * (p - 0.5));
    const y = labels[i];
    n1 += y;
    tp += y * yhat;
    fn += y * (1 - yhat);
    fp += (1 - y) * yhat;
    tn += (1 - y) * (1 - yhat);
  }
  return {tp, fp, fn, tn, n1, n0: labels.length - n1};
}

/** 1 − metric of the soft counts, as the loss computes it. */
export function anyLossOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  metric: Metric,
  amplifier: number,
  beta = 1
): number {
  const {tp, fp, tn, n1, n0} = confusionOracle(logits, labels, amplifier);
  switch (metric) {
    case "accuracy":
      return 1 - (tp + tn) / (n1 + n0);
    case "f1":
      return 1 - ((1 + beta * beta) * tp) / (beta * beta * n1 + tp + fp + s);
    case "balanced-accuracy":
      return 1 - (n0 * tp + n1 * tn) / (2 * n1 * n0 + s);
    case "g-mean":
      return 1 - Math.sqrt(Math.max((tp * tn) / (n1 * n0 + s), 1e-12));
  }
}

/** The hard metric (threshold p > ½) as a classification report computes it. */
export function hardMetricOracle(logits: ArrayLike<number>, labels: ArrayLike<number>, metric: Metric): number {
  const {tp, fp, fn, tn} = confusionOracle(logits, labels, 0, true);
  const recall = tp / (tp + fn);
  const specificity = tn / (tn + fp);
  switch (metric) {
    case "accuracy":
      return (tp + tn) / (tp + tn + fp + fn);
    case "f1":
      return tp / (tp + 0.5 * (fp + fn));
    case "balanced-accuracy":
      return (recall + specificity) / 2;
    case "g-mean":
      return Math.sqrt(recall * specificity);
  }
}
