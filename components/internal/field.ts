import {classRgb} from "./palette.js";

/**
 * Confidence of a top-1 probability on a 0–1 scale: (p_max − 1/C)/(1 − 1/C), so a uniform
 * prediction is 0 and a one-hot prediction is 1 whatever the number of classes C.
 */
export function confidence(pMax: number, classes: number): number {
  if (classes <= 1) return 1;
  const chance = 1 / classes;
  const t = (pMax - chance) / (1 - chance);
  return t > 0 ? (t < 1 ? t : 1) : 0;
}

/** Lowest and highest opacity of the field: faint enough at full confidence that points stay readable. */
export const fieldOpacity = {min: 0.05, max: 0.42} as const;

/** Opacity of a cell of confidence t ∈ [0, 1]. */
export function confidenceOpacity(t: number): number {
  return fieldOpacity.min + (fieldOpacity.max - fieldOpacity.min) * t;
}

/** Index of the largest of probs[offset … offset + classes − 1] (the first on ties); −1 when none is finite. */
export function argmaxAt(probs: ArrayLike<number>, offset: number, classes: number): number {
  let best = -1;
  let max = -Infinity;
  for (let k = 0; k < classes; ++k) {
    const p = probs[offset + k];
    if (p > max) {
      max = p;
      best = k;
    }
  }
  return best;
}

/**
 * RGBA pixels of a probability field (row-major cells, row 0 at the top, as ImageData wants): each
 * cell takes its argmax class's colour at an opacity that rises with confidence. Cells with no
 * finite probability are transparent. Writes into `out` when it has the right length.
 */
export function fieldPixels(
  probs: ArrayLike<number>,
  classes: number,
  cells: number,
  out?: Uint8ClampedArray
): Uint8ClampedArray {
  const pixels = out && out.length === cells * 4 ? out : new Uint8ClampedArray(cells * 4);
  const palette = Array.from({length: Math.max(0, classes)}, (_, k) => classRgb(k));
  for (let cell = 0; cell < cells; ++cell) {
    const k = argmaxAt(probs, cell * classes, classes);
    const o = cell * 4;
    if (k < 0) {
      pixels[o] = pixels[o + 1] = pixels[o + 2] = pixels[o + 3] = 0;
      continue;
    }
    const [r, g, b] = palette[k];
    pixels[o] = r;
    pixels[o + 1] = g;
    pixels[o + 2] = b;
    pixels[o + 3] = Math.round(255 * confidenceOpacity(confidence(probs[cell * classes + k], classes)));
  }
  return pixels;
}

/**
 * The top-1 minus top-2 logit margin of each cell, recovered from softmax probabilities: since
 * log p_k = z_k − logsumexp(z), z_top1 − z_top2 = log(p_top1 / p_top2). A vanishing p_top2 is
 * floored at 1e−30 so the margin stays finite (≈ 69).
 */
export function marginFromProbs(
  probs: ArrayLike<number>,
  classes: number,
  cells: number,
  out?: Float32Array
): Float32Array {
  const margin = out && out.length === cells ? out : new Float32Array(cells);
  for (let cell = 0; cell < cells; ++cell) {
    let first = -Infinity;
    let second = -Infinity;
    for (let k = 0; k < classes; ++k) {
      const p = probs[cell * classes + k];
      if (p > first) {
        second = first;
        first = p;
      } else if (p > second) {
        second = p;
      }
    }
    margin[cell] = classes < 2 || !(first > 0) ? NaN : Math.log(first / Math.max(second, 1e-30));
  }
  return margin;
}

/**
 * The score of class k in each cell, p_k − max_{j≠k} p_j: positive where k is the argmax, negative
 * elsewhere, and zero on the boundary of k's region, so its 0-contour traces that boundary.
 */
export function classScore(
  probs: ArrayLike<number>,
  classes: number,
  cells: number,
  k: number,
  out?: Float32Array
): Float32Array {
  const score = out && out.length === cells ? out : new Float32Array(cells);
  for (let cell = 0; cell < cells; ++cell) {
    let other = -Infinity;
    for (let j = 0; j < classes; ++j) {
      if (j !== k && probs[cell * classes + j] > other) other = probs[cell * classes + j];
    }
    score[cell] = probs[cell * classes + k] - other;
  }
  return score;
}
