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
