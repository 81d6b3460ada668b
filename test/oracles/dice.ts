/**
 * Float64 references for the self-adjusting Dice loss (official ShannonAI/dice_loss_for_NLP,
 * loss/dice_loss.py) and the Tversky loss (Li et al. 2020), plain loops. Never bundled; tests only.
 */
export interface DiceOptions {
  alpha: number;
  smooth: number;
  denominator: "square" | "batch" | "linear";
  mode: "multiclass" | "binary";
}

export interface TverskyOptions {
  alpha: number;
  beta: number;
  smooth: number;
  mode: "multiclass" | "binary";
}

/** Softmax probabilities of each row, [B][C]. */
export function softmaxRows(logits: ArrayLike<number>, classes: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < logits.length / classes; ++i) {
    let max = -Infinity;
    for (let k = 0; k < classes; ++k) max = Math.max(max, logits[i * classes + k]);
    let z = 0;
    for (let k = 0; k < classes; ++k) z += Math.exp(logits[i * classes + k] - max);
    rows.push(Array.from({length: classes}, (_, k) => Math.exp(logits[i * classes + k] - max) / z));
  }
  return rows;
}

/** Probabilities and 0/1 targets the loss compares: every class (multiclass) or the positive class (binary). */
function columns(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number, mode: string) {
  const probs = softmaxRows(logits, classes);
  if (mode === "binary") return {p: probs.map((r) => [r[1]]), y: Array.from(labels, (t) => [t])};
  return {p: probs, y: Array.from(labels, (t) => Array.from({length: classes}, (_, k) => (k === t ? 1 : 0)))};
}

/** Batch loss of the self-adjusting Dice; with `weights`, the weighted mean of the per-example values. */
export function diceOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  o: DiceOptions,
  weights?: ArrayLike<number>
): number {
  const {p, y} = columns(logits, labels, classes, o.mode);
  const q = p.map((row) => row.map((v) => (1 - v) ** o.alpha * v));
  const B = labels.length;
  const K = q[0].length;
  if (o.mode === "binary" && o.denominator !== "linear") {
    // one Dice over the whole batch
    let num = 0,
      den = 0;
    for (let i = 0; i < B; ++i) {
      num += 2 * q[i][0] * y[i][0];
      den += o.denominator === "square" ? q[i][0] ** 2 + y[i][0] ** 2 : q[i][0] + y[i][0];
    }
    return 1 - (num + o.smooth) / (den + o.smooth);
  }
  const columnSum = (m: number[][], k: number) => m.reduce((a, row) => a + row[k], 0);
  let total = 0,
    totalWeight = 0;
  for (let i = 0; i < B; ++i) {
    let li = 0;
    for (let k = 0; k < K; ++k) {
      const den =
        o.denominator === "square"
          ? q[i][k] ** 2 + y[i][k] ** 2
          : o.denominator === "linear"
            ? q[i][k] + y[i][k]
            : columnSum(q, k) + columnSum(y, k);
      li += 1 - (2 * q[i][k] * y[i][k] + o.smooth) / (den + o.smooth);
    }
    const w = weights ? weights[i] : 1;
    total += w * li;
    totalWeight += w;
  }
  return total / totalWeight;
}

/** Batch mean of the Tversky loss, TI = (py + γ)/(py + α p(1 − y) + β (1 − p) y + γ). */
export function tverskyOracle(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  o: TverskyOptions
): number {
  const {p, y} = columns(logits, labels, classes, o.mode);
  let total = 0;
  for (let i = 0; i < labels.length; ++i) {
    for (let k = 0; k < p[i].length; ++k) {
      const [pk, yk] = [p[i][k], y[i][k]];
      total += 1 - (pk * yk + o.smooth) / (pk * yk + o.alpha * pk * (1 - yk) + o.beta * (1 - pk) * yk + o.smooth);
    }
  }
  return total / labels.length;
}
