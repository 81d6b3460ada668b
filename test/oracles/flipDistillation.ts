/**
 * Float64 references for the negative-flip losses: PCT's focal distillation (jun-fang/PCT main.py) and
 * MPT (miccunifi/negative_flip_MPT main.py + loss.py), one sample at a time. Never bundled.
 */
import {ceRow, klRow} from "./kd.js";

/** Index of the first maximum of row i (torch.argmax). */
export function argmaxRow(x: ArrayLike<number>, classes: number, row: number): number {
  let best = 0;
  for (let k = 1; k < classes; ++k) if (x[row * classes + k] > x[row * classes + best]) best = k;
  return best;
}

export interface FocalOptions {
  variant?: "kl" | "lm" | "naive";
  alpha?: number;
  beta?: number;
  temperature?: number;
  squareTemperature?: boolean;
}

/** Per-sample focal-distillation values, student [B, C] against teacher [B, C]. */
export function focalDistillationRows(
  student: ArrayLike<number>,
  teacher: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  {variant = "kl", alpha = 1, beta = 5, temperature = 100, squareTemperature = true}: FocalOptions = {}
): number[] {
  const out: number[] = [];
  for (let i = 0; i < labels.length; ++i) {
    const correct = argmaxRow(teacher, classes, i) === labels[i] ? 1 : 0;
    if (variant === "naive") {
      out.push(correct * ceRow(student, classes, i, labels[i]));
      continue;
    }
    let distance: number;
    if (variant === "kl") {
      distance = klRow(student, teacher, classes, i, temperature) * (squareTemperature ? temperature ** 2 : 1);
    } else {
      let s = 0;
      for (let k = 0; k < classes; ++k) s += (student[i * classes + k] - teacher[i * classes + k]) ** 2;
      distance = s / classes / 2;
    }
    out.push((alpha + beta * correct) * distance);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** PCT: ceWeight·mean CE + mean focal distillation. */
export function focalDistillationOracle(
  logits: ArrayLike<number>,
  teacher: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  options: FocalOptions & {ceWeight?: number} = {}
): number {
  const ce = Array.from(labels, (y, i) => ceRow(logits, classes, i, y));
  return (options.ceWeight ?? 1) * mean(ce) + mean(focalDistillationRows(logits, teacher, labels, classes, options));
}

/**
 * MPT: CE on logits with +b on classes ≥ K, plus factor·FD(z[:, :K], old) + factor·FD(z, reference),
 * FD-KL without τ², factor = lmWeight for FD-LM and 1 for FD-KL.
 */
export function marginPreservingOracle(
  logits: ArrayLike<number>,
  oldLogits: ArrayLike<number>,
  reference: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  oldClasses: number,
  {bias = 4, distillation = "kl" as "kl" | "lm" | "none", temperature = 5, alpha = 1, beta = 5, lmWeight = 0.4} = {}
): number {
  const n = labels.length;
  const biased = Array.from(logits, (v, j) => v + (j % classes >= oldClasses ? bias : 0));
  let total = mean(Array.from(labels, (y, i) => ceRow(biased, classes, i, y)));
  if (distillation === "none") return total;
  const firstK: number[] = [];
  for (let i = 0; i < n; ++i) for (let k = 0; k < oldClasses; ++k) firstK.push(logits[i * classes + k]);
  const options = {variant: distillation, alpha, beta, temperature, squareTemperature: false};
  const factor = distillation === "lm" ? lmWeight : 1;
  total += factor * mean(focalDistillationRows(firstK, oldLogits, labels, oldClasses, options));
  total += factor * mean(focalDistillationRows(logits, reference, labels, classes, options));
  return total;
}
