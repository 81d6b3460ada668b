import {hcl, rgb} from "d3-color";

/**
 * The class palette: Okabe & Ito's colour-universal-design colours (2008), starting with blue and
 * without black, followed by three darker tones from Paul Tol's "muted" scheme (indigo, wine, olive)
 * so ten classes stay distinct for the common forms of colour-vision deficiency.
 */
export const classColors: readonly string[] = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#D55E00", // vermillion
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#F0E442", // yellow
  "#332288", // indigo
  "#882255", // wine
  "#999933" // olive
];

/** Colour of the baseline arm of a twin run: a slate grey-blue that recedes beside the method. */
export const baselineColor = "#60758F";

/** Colour of the method arm of a twin run: Okabe–Ito orange. */
export const methodColor = "#E69F00";

/** Colours for further arms (neither "baseline" nor "method"), in order of use. */
export const armColors: readonly string[] = ["#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#332288", "#999933"];

/** Colour for invalid class indices (negative, NaN). */
export const unknownColor = "#888888";

// Lightness shifts (CIE L*) for the 2nd, 3rd … pass through the palette: darker, lighter, darker …
const lightnessShifts = [-18, 16, -30, 28];

/**
 * The colour of class k. Classes 0–9 take classColors; beyond that the palette repeats with its
 * lightness shifted (classes 10–19 darker, 20–29 lighter, then darker and lighter again), which keeps
 * neighbours apart but is no longer colour-blind safe: beyond ten classes, label the classes too.
 */
export function classColor(k: number): string {
  if (!(k >= 0) || !Number.isFinite(k)) return unknownColor;
  const index = Math.floor(k);
  const n = classColors.length;
  const base = classColors[index % n];
  const pass = Math.floor(index / n);
  if (pass === 0) return base;
  const shift = lightnessShifts[(pass - 1) % lightnessShifts.length];
  const color = hcl(base);
  // A shift that would leave the usable range goes the other way (yellow gets darker, indigo lighter).
  const l = color.l + shift;
  color.l = l < 15 || l > 92 ? color.l - shift : l;
  return rgb(color).formatHex().toUpperCase();
}

/**
 * The colour of a twin-run arm by its role: "baseline" is slate grey-blue, "method" orange, and any
 * other role takes armColors[index] when an index is given, else a colour picked by hashing the role
 * (stable across pages, though two roles may then share a colour).
 */
export function armColor(role: string, index?: number): string {
  if (role === "baseline") return baselineColor;
  if (role === "method") return methodColor;
  const n = armColors.length;
  if (index !== undefined && index >= 0) return armColors[Math.floor(index) % n];
  let h = 0;
  for (let i = 0; i < role.length; ++i) h = (Math.imul(h, 31) + role.charCodeAt(i)) | 0;
  return armColors[(h >>> 0) % n];
}

/** The RGB components (0–255) of class k's colour, for canvas pixels. */
export function classRgb(k: number): [number, number, number] {
  const {r, g, b} = rgb(classColor(k));
  return [r, g, b];
}
