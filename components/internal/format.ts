import {format} from "d3-format";

const grouped = format(",");
const general = format(",.4~g");
const precise = format(".4~g");

/** Rounds a pixel coordinate to 0.01 px: finer than any screen, and it keeps path strings short. */
export function px(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Formats a step or other x value: integers with digit grouping ("1,200"), others to 4 significant digits. */
export function formatStep(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return Number.isInteger(value) ? grouped(value) : general(value);
}

/** Formats a read-out value (loss, accuracy …) to 4 significant digits: "0.6931", "12.35", "1.2e−5". */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? precise(value) : "–";
}

/** Lists numbers for a caption: [1, 2, 4] → "1, 2, 4". */
export function formatList(values: readonly number[]): string {
  return values.map((v) => precise(v)).join(", ");
}

/**
 * The shortest decimal that reads back as the same float32 (the float32 nearest 0.1 → 0.1, not
 * 0.10000000149011612): exported data shows the numbers the model had, without float64 noise.
 * Values that are not float32 (or not finite) come back unchanged.
 */
export function float32Value(value: number): number {
  if (!Number.isFinite(value) || Math.fround(value) !== value) return value;
  for (let digits = 1; digits < 9; ++digits) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

/**
 * Estimated width in px of a label at the components' 10 px system-ui font: about 6 px a character.
 * Layout (legend wrapping, label gutters) needs widths before anything is measured, and under jsdom
 * there is no layout engine to measure with, so every component uses this one estimate. (An options
 * object, so that `labels.map(textWidth)` cannot pass an index as the width.)
 */
export function textWidth(text: string, {perCharacter = 6}: {perCharacter?: number} = {}): number {
  return text.length * perCharacter;
}

/** Index of the value nearest `value` among the first n entries of ascending `xs` (ties: the lower index); −1 when n = 0. */
export function nearestIndex(xs: ArrayLike<number>, n: number, value: number): number {
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(xs[lo - 1] - value) <= Math.abs(xs[lo] - value)) return lo - 1;
  return lo;
}
