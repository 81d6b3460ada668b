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
