import {lab} from "d3-color";
import {contours} from "d3-contour";
import {scaleLinear, scaleLog} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {float32Value, formatValue, px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import type {AxisScale, Frame} from "./internal/frame.js";
import {armColor} from "./internal/palette.js";
import {createClipRect, createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

// ---------------------------------------------------------------------------------------------
// Data: plain arrays, shaped like the landscape engine's grid result.

/**
 * A loss evaluated on a grid of a plane through parameter space: values[j · n_a + i] is the loss at
 * coordinates (a[i], b[j]), row-major n_b × n_a (rows along b). Axes are ascending; they need not be
 * evenly spaced. Non-finite values (cells not evaluated yet) are left blank.
 */
export interface LandscapeGrid {
  values: ArrayLike<number>;
  a: ArrayLike<number>;
  b: ArrayLike<number>;
}

/** Which plane a landscape is drawn on; the views always say it. */
export interface LandscapePlane {
  /**
   * "random-filter-normalized" (or "random"): two filter-normalised random directions (Li et al.
   * 2018); "checkpoints": the plane through three checkpoints (θ0, θ_{t−k}, θ_t); "pca": the
   * trajectory's first two principal components; any other kind is shown by its label.
   */
  kind: "random-filter-normalized" | "random" | "checkpoints" | "pca" | (string & {});
  /** What the plane is, shown as the caption's first line, e.g. "two filter-normalised random directions". */
  label: string;
  /** Axis titles; default from the kind ("random filter-normalised direction 1", "PC1 (82.1 % of variance)" …). */
  axes?: readonly [string, string];
  /** For "pca": the fractions (0–1) of the trajectory's variance along the two axes. */
  explainedVariance?: readonly [number, number];
}

/** The training trajectory projected on the plane: coordinates of each checkpoint, oldest first. */
export interface LandscapeTrajectory {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  /** Training step of each point (read-outs and export). */
  steps?: ArrayLike<number>;
  /**
   * How far each point is off the plane (the norm of what the projection drops, in the same parameter
   * units as the axes), or one number for the whole path; the caption reports the largest.
   */
  residual?: ArrayLike<number> | number;
  /** residual / ‖θ_t − origin‖ per point: the fraction of each displacement the picture cannot show. */
  relativeResidual?: ArrayLike<number>;
}

/** A loss landscape for LossContour and LossSurface. */
export interface LandscapeData {
  grid: LandscapeGrid;
  plane: LandscapePlane;
  trajectory?: LandscapeTrajectory;
  /** The current point (default: the trajectory's last point). */
  current?: {a: number; b: number};
}

export interface LossContourOptions {
  /** Width in pixels (default 420); the figure shrinks with its container. */
  width: number;
  /** Height in pixels; default: a square plot area. */
  height?: number;
  title?: string;
  description?: string;
  /** Spacing of the contour levels: "log" (default; a loss spans decades) or "linear". */
  scale: "log" | "linear";
  /** Number of filled bands (default 12). */
  levels: number;
  /** A fixed colour domain [lo, hi], e.g. landscapeDomain(gridA, gridB) so that twin maps are comparable. */
  domain?: [number, number];
  /** Also mark the grid's local minima (cells lower than their eight neighbours), at most 8 (default false). */
  localMinima: boolean;
  /** What the values are, in the legend, read-out and title (default "loss"), e.g. "cross-entropy". */
  valueLabel: string;
  /** Colour of the trajectory and current point: an arm role ("baseline", "method" …) through armColor; default white. */
  role?: string;
  document?: Document;
}

export type LossContourElement = SVGSVGElement &
  ComponentElement<LandscapeData | null, LossContourOptions> &
  Exportable;

const defaults: LossContourOptions = {width: 420, scale: "log", levels: 12, localMinima: false, valueLabel: "loss"};

// ---------------------------------------------------------------------------------------------
// Pure helpers, exported for pages, LossSurface and tests.

// Viridis (van der Walt & Smith, matplotlib 2015) sampled at nine even stops: perceptually uniform,
// monotone in lightness and readable with the common colour-vision deficiencies. Interpolated in CIELAB.
const rampStops = ["#440154", "#472D7B", "#3B528B", "#2C728E", "#21918C", "#28AE80", "#5EC962", "#ADDC30", "#FDE725"];
const rampLab = rampStops.map((c) => lab(c));

/** The landscape colour at t ∈ [0, 1]: a viridis-like sequential ramp, dark (low loss) to yellow (high loss). */
export function landscapeRamp(t: number): string {
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (rampStops.length - 1);
  const k = Math.min(rampStops.length - 2, Math.floor(u));
  const f = u - k;
  const a = rampLab[k];
  const b = rampLab[k + 1];
  return lab(a.l + f * (b.l - a.l), a.a + f * (b.a - a.a), a.b + f * (b.b - a.b))
    .rgb()
    .formatHex()
    .toUpperCase();
}

/** The ramp as [position, colour] pairs, for plotly's colorscale. */
export function landscapeColorscale(stops = rampStops.length): [number, string][] {
  return Array.from({length: stops}, (_, k) => [k / (stops - 1), landscapeRamp(k / (stops - 1))]);
}

/**
 * The colour domain [lo, hi] covering every finite value of the grids (on a log scale, every positive
 * one): pass it as the domain option of two LossContours so their colours mean the same loss.
 * [NaN, NaN] when there is nothing to cover.
 */
export function landscapeDomain(
  grids: readonly (LandscapeGrid | null | undefined)[],
  {scale = "log"}: {scale?: "log" | "linear"} = {}
): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const grid of grids) {
    if (!grid) continue;
    const {values} = grid;
    for (let i = 0; i < values.length; ++i) {
      const v = values[i];
      if (!Number.isFinite(v) || (scale === "log" && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/** A usable domain: ordered, non-empty, positive on a log scale. */
function usableDomain([lo, hi]: [number, number], scale: "log" | "linear"): [number, number] {
  if (scale === "log") {
    if (!(hi > 0) || !Number.isFinite(hi)) return [0.1, 1];
    if (!(lo > 0) || !Number.isFinite(lo) || lo > hi) lo = hi / 1000;
    return lo === hi ? [lo / 1.25, hi * 1.25] : [lo, hi];
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) return [0, 1];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

/**
 * The band edges of a contour map: count + 1 increasing values from lo to hi, evenly spaced in
 * log(loss) on a log scale (each band spans the same ratio) or in loss on a linear one. Band k holds
 * values in [edges[k], edges[k + 1]); values outside [lo, hi] fall in the first or last band.
 */
export function lossLevels(
  domain: [number, number],
  {scale = "log", count = 12}: {scale?: "log" | "linear"; count?: number} = {}
): number[] {
  const n = Math.max(1, Math.floor(count));
  const [lo, hi] = usableDomain(domain, scale);
  const edges: number[] = [];
  if (scale === "log") {
    const l0 = Math.log(lo);
    const l1 = Math.log(hi);
    for (let k = 0; k <= n; ++k) edges.push(k === 0 ? lo : k === n ? hi : Math.exp(l0 + ((l1 - l0) * k) / n));
  } else {
    for (let k = 0; k <= n; ++k) edges.push(k === 0 ? lo : k === n ? hi : lo + ((hi - lo) * k) / n);
  }
  return edges;
}

/** A grid cell: column i (along a), row j (along b), its coordinates and value. */
export interface GridCell {
  i: number;
  j: number;
  a: number;
  b: number;
  value: number;
}

/** Checks a grid's shape and returns its size; throws `invalid grid: …` when values do not hold n_b × n_a numbers. */
export function gridSize(grid: LandscapeGrid): {na: number; nb: number} {
  const na = grid.a.length;
  const nb = grid.b.length;
  if (grid.values.length !== na * nb) {
    throw new Error(`invalid grid: ${grid.values.length} values for ${nb} × ${na} (n_b × n_a) points`);
  }
  return {na, nb};
}

function cellAt(grid: LandscapeGrid, na: number, i: number, j: number): GridCell {
  return {i, j, a: grid.a[i], b: grid.b[j], value: grid.values[j * na + i]};
}

/**
 * The grid's lowest finite cell (ties: the first in row-major order) and, with {local: true}, its local
 * minima: cells strictly below every existing finite neighbour of the eight around them, lowest first,
 * at most `max` of them (the global minimum included).
 */
export function gridMinima(
  grid: LandscapeGrid,
  {local = false, max = 8}: {local?: boolean; max?: number} = {}
): {global: GridCell | null; local: GridCell[]} {
  const {na, nb} = gridSize(grid);
  const v = grid.values;
  let best = -1;
  for (let k = 0; k < na * nb; ++k) if (Number.isFinite(v[k]) && (best < 0 || v[k] < v[best])) best = k;
  const global = best < 0 ? null : cellAt(grid, na, best % na, Math.floor(best / na));
  const found: GridCell[] = [];
  if (local && global) {
    for (let j = 0; j < nb; ++j) {
      for (let i = 0; i < na; ++i) {
        const value = v[j * na + i];
        if (!Number.isFinite(value)) continue;
        let lowest = true;
        for (let dj = -1; dj <= 1 && lowest; ++dj) {
          for (let di = -1; di <= 1; ++di) {
            const ii = i + di;
            const jj = j + dj;
            if ((di === 0 && dj === 0) || ii < 0 || jj < 0 || ii >= na || jj >= nb) continue;
            const w = v[jj * na + ii];
            if (Number.isFinite(w) && w <= value) {
              lowest = false;
              break;
            }
          }
        }
        if (lowest) found.push(cellAt(grid, na, i, j));
      }
    }
    found.sort((p, q) => p.value - q.value || p.j - q.j || p.i - q.i);
  }
  return {global, local: found.slice(0, Math.max(0, max))};
}

// Position of t in an ascending axis as a fractional index (clamped to the axis); NaN for an empty axis.
function fractionalIndex(axis: ArrayLike<number>, t: number): number {
  const n = axis.length;
  if (n === 0 || !Number.isFinite(t)) return NaN;
  if (n === 1 || t <= axis[0]) return 0;
  if (t >= axis[n - 1]) return n - 1;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (axis[mid] <= t) lo = mid;
    else hi = mid;
  }
  const span = axis[hi] - axis[lo];
  return lo + (span > 0 ? (t - axis[lo]) / span : 0);
}

/**
 * The grid's value at (a, b) by bilinear interpolation between the four surrounding samples (clamped
 * to the grid's extent); NaN where a surrounding sample is not finite. LossSurface lifts the
 * trajectory onto the surface with it.
 */
export function gridValueAt(grid: LandscapeGrid, a: number, b: number): number {
  const {na, nb} = gridSize(grid);
  const x = fractionalIndex(grid.a, a);
  const y = fractionalIndex(grid.b, b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return NaN;
  const i = na > 1 ? Math.min(Math.floor(x), na - 2) : 0;
  const j = nb > 1 ? Math.min(Math.floor(y), nb - 2) : 0;
  const fx = x - i;
  const fy = y - j;
  let sum = 0;
  // Terms of zero weight are skipped, so a point on a sample needs only that sample to be finite.
  for (const [di, wx] of [
    [0, 1 - fx],
    [1, fx]
  ]) {
    for (const [dj, wy] of [
      [0, 1 - fy],
      [1, fy]
    ]) {
      if (wx * wy !== 0) sum += wx * wy * grid.values[(j + dj) * na + i + di];
    }
  }
  return sum;
}

/** The axis titles of a plane: its own, else derived from its kind. */
export function planeAxes(plane: LandscapePlane | null | undefined): [string, string] {
  if (!plane) return ["a", "b"];
  if (plane.axes) return [plane.axes[0], plane.axes[1]];
  if (plane.kind === "random" || plane.kind === "random-filter-normalized")
    return ["random filter-normalised direction 1", "random filter-normalised direction 2"];
  if (plane.kind === "pca") {
    const ev = plane.explainedVariance;
    return ev ? [`PC1 (${percent(ev[0])} of variance)`, `PC2 (${percent(ev[1])} of variance)`] : ["PC1", "PC2"];
  }
  if (plane.kind === "checkpoints") return ["direction θ0 → θ_{t−k}", "direction θ0 → θ_t (orthogonalised)"];
  return [`${plane.label}: axis 1`, `${plane.label}: axis 2`];
}

function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : "–";
}

/**
 * The caption lines of a landscape figure: which plane is shown (always), for a PCA plane the
 * variance its two axes explain, and how far the trajectory lies off the plane.
 */
export function planeCaption(data: LandscapeData | null): string[] {
  if (!data) return ["No landscape yet."];
  const {plane, trajectory} = data;
  const lines = [`Plane: ${plane.label}`];
  if (plane.kind === "pca") {
    const ev = plane.explainedVariance;
    lines.push(
      ev
        ? `PCA of the trajectory: PC1 explains ${percent(ev[0])}, PC2 ${percent(ev[1])} of its variance (${percent(ev[0] + ev[1])} together)`
        : "PCA of the trajectory: explained variance not given"
    );
  }
  const residual = residualSummary(trajectory?.residual);
  if (residual) {
    const relative = residualSummary(trajectory?.relativeResidual);
    lines.push(
      `Trajectory projected on the plane: off the plane by up to ${formatValue(residual.max)}` +
        (relative ? ` (${percent(relative.max)} of its displacement)` : "") +
        (residual.last !== undefined ? `, now ${formatValue(residual.last)}` : "")
    );
  }
  return lines;
}

function residualSummary(r: ArrayLike<number> | number | undefined): {max: number; last?: number} | null {
  if (r === undefined) return null;
  if (typeof r === "number") return Number.isFinite(r) ? {max: r} : null;
  let max = -Infinity;
  let last: number | undefined;
  for (let k = 0; k < r.length; ++k) {
    if (!Number.isFinite(r[k])) continue;
    max = Math.max(max, r[k]);
    last = r[k];
  }
  return Number.isFinite(max) ? {max, last} : null;
}

function trajectoryLength(trajectory: LandscapeTrajectory | undefined): number {
  return trajectory ? Math.min(trajectory.a.length, trajectory.b.length) : 0;
}

/** The current point: data.current, else the trajectory's last finite point. */
export function currentPoint(data: LandscapeData | null): {a: number; b: number} | null {
  if (!data) return null;
  if (data.current && Number.isFinite(data.current.a) && Number.isFinite(data.current.b)) return data.current;
  const t = data.trajectory;
  for (let k = trajectoryLength(t) - 1; k >= 0; --k) {
    if (Number.isFinite(t!.a[k]) && Number.isFinite(t!.b[k])) return {a: t!.a[k], b: t!.b[k]};
  }
  return null;
}

// Maps d3-contour's grid units to data coordinates: sample i sits at grid unit i + ½ (d3-contour's
// convention), and between samples the axis is interpolated linearly (extrapolated beyond the ends,
// where the clip path cuts the half cell d3-contour adds around the grid).
function gridUnitToAxis(axis: ArrayLike<number>): (g: number) => number {
  const n = axis.length;
  return (g) => {
    const t = g - 0.5;
    const k = Math.max(0, Math.min(n - 2, Math.floor(t)));
    return axis[k] + (t - k) * (axis[k + 1] - axis[k]);
  };
}

// ---------------------------------------------------------------------------------------------
// The component.

interface Band {
  index: number;
  lo: number;
  hi: number;
  color: string;
}

interface MarkerDatum {
  key: string;
  kind: "minimum" | "local";
  cell: GridCell;
}

interface LegendItem {
  key: "trajectory" | "start" | "current" | "minimum" | "local";
  text: string;
}

const captionLine = 14;

function sameKey(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((k, i) => Object.is(k, b[i]));
}
const legendRow = 16;

interface PlacedLegendItem extends LegendItem {
  at: number;
  row: number;
}

// Legend items in rows that wrap at `room` px (text widths estimated: there is no layout engine under jsdom).
function placeLegend(items: readonly LegendItem[], room: number): PlacedLegendItem[] {
  let at = 0;
  let row = 0;
  return items.map((item) => {
    const w = 18 + textWidth(item.text) + 14;
    if (at > 0 && at + w > room) {
      at = 0;
      row += 1;
    }
    const placed = {...item, at, row};
    at += w;
    return placed;
  });
}

// Greedy word wrap at an estimated `perCharacter` px per character.
function wrapText(text: string, room: number, perCharacter: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, {perCharacter}) > room) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * A loss landscape as a contour map: filled bands between log-spaced levels (a sequential viridis-like
 * ramp, dark = low loss, its legend says the levels are log-scaled), the training trajectory projected
 * on the plane as a polyline from its start to the current point (a white dot that moves on update),
 * and the grid's minimum (and optionally its local minima) marked. A caption above the map always
 * names the plane, gives a PCA plane's explained variance, and says how far the trajectory lies off
 * the plane. Twin runs: give two maps the same domain (landscapeDomain of both grids) so equal colours
 * mean equal loss.
 *
 * Updates: the bands are recomputed only when the grid (compared by reference: the grid object, its
 * values, a or b), the domain, the levels or the size change; an update with the same grid only moves
 * the trajectory, the current point and the caption, cheap enough for every training step. (A grid
 * mutated in place is therefore not redrawn: pass a new grid object.)
 *
 * Keyboard and pointer: the map is one tab stop; arrow keys move a read-out cursor cell by cell (Shift:
 * five cells), Home jumps to the grid minimum, End to the cell of the current point, Escape hides it.
 * The read-out (a polite live region) gives the cell's coordinates and loss; the pointer moves it too.
 */
export function LossContour(
  data: LandscapeData | null = null,
  options: Partial<LossContourOptions> = {}
): LossContourElement {
  const document = documentOf(options);
  let current: LossContourOptions = {...defaults, ...options};
  let state: LandscapeData | null = data;
  let destroyed = false;

  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-loss-contour");
  // The map is interactive: role "img" would hide its read-out from assistive technology.
  svg.setAttribute("role", "figure");
  const [titleId, descId] = svg.getAttribute("aria-labelledby")!.split(" ");
  svg.setAttribute("aria-labelledby", titleId);
  svg.setAttribute("aria-describedby", descId);
  const clip = createClipRect(document, defs);
  const caption = createSvgElement(document, "g");
  caption.setAttribute("class", "caption");
  caption.setAttribute("aria-hidden", "true");
  const map = createSvgElement(document, "g");
  map.setAttribute("class", "map");
  map.setAttribute("tabindex", "0");
  map.setAttribute("role", "application");
  map.setAttribute("aria-roledescription", "loss map");
  map.setAttribute("aria-label", "Loss map: arrow keys move a read-out over the grid cells, Home goes to the minimum");
  map.setAttribute("style", "outline: none;");
  const background = createSvgElement(document, "rect");
  background.setAttribute("class", "background");
  background.setAttribute("style", "fill: var(--theme-foreground-faintest, #eee);");
  const bands = createSvgElement(document, "g");
  bands.setAttribute("class", "bands");
  bands.setAttribute("clip-path", `url(#${clip.id})`);
  bands.setAttribute("fill-rule", "evenodd");
  bands.setAttribute("aria-hidden", "true");
  const focusFrame = createSvgElement(document, "rect");
  focusFrame.setAttribute("class", "focus-frame");
  focusFrame.setAttribute("fill", "none");
  focusFrame.setAttribute("stroke", "currentColor");
  focusFrame.setAttribute("stroke-width", "2");
  focusFrame.setAttribute("display", "none");
  const marks = createSvgElement(document, "g");
  marks.setAttribute("class", "marks");
  marks.setAttribute("clip-path", `url(#${clip.id})`);
  marks.setAttribute("aria-hidden", "true");
  const minima = createSvgElement(document, "g");
  minima.setAttribute("class", "minima");
  minima.setAttribute("fill", "none");
  minima.setAttribute("stroke-linecap", "round");
  // The path: a dark halo under a light line, readable on every colour of the ramp.
  const halo = createSvgElement(document, "path");
  halo.setAttribute("class", "trajectory-halo");
  halo.setAttribute("fill", "none");
  halo.setAttribute("stroke", "#000000");
  halo.setAttribute("stroke-opacity", "0.55");
  halo.setAttribute("stroke-width", "3.5");
  halo.setAttribute("stroke-linejoin", "round");
  const path = createSvgElement(document, "path");
  path.setAttribute("class", "trajectory");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke-width", "1.5");
  path.setAttribute("stroke-linejoin", "round");
  path.setAttribute("stroke-linecap", "round");
  const start = createSvgElement(document, "circle");
  start.setAttribute("class", "start");
  start.setAttribute("r", "3");
  start.setAttribute("fill", "#000000");
  start.setAttribute("stroke-width", "1.5");
  const now = createSvgElement(document, "circle");
  now.setAttribute("class", "current");
  now.setAttribute("r", "4.5");
  now.setAttribute("stroke", "#000000");
  now.setAttribute("stroke-width", "1.5");
  marks.append(minima, halo, path, start, now);
  const cursor = createSvgElement(document, "rect");
  cursor.setAttribute("class", "cursor");
  cursor.setAttribute("fill", "none");
  cursor.setAttribute("stroke", "#FFFFFF");
  cursor.setAttribute("stroke-width", "1.5");
  cursor.setAttribute("pointer-events", "none");
  cursor.setAttribute("display", "none");
  map.append(background, bands, focusFrame, marks, cursor);
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const ramp = createSvgElement(document, "g");
  ramp.setAttribute("class", "ramp");
  ramp.setAttribute("aria-hidden", "true");
  const rampBands = createSvgElement(document, "g");
  rampBands.setAttribute("class", "ramp-bands");
  const rampAxis = createSvgElement(document, "g");
  rampAxis.setAttribute("class", "ramp-ticks");
  const rampLabel = createSvgElement(document, "text");
  rampLabel.setAttribute("class", "ramp-label");
  rampLabel.setAttribute("text-anchor", "middle");
  rampLabel.setAttribute("transform", "rotate(90)");
  ramp.append(rampBands, rampAxis, rampLabel);
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  legend.setAttribute("aria-hidden", "true");
  const readout = createSvgElement(document, "g");
  readout.setAttribute("class", "readout");
  readout.setAttribute("pointer-events", "none");
  readout.setAttribute("aria-live", "polite");
  readout.setAttribute("display", "none");
  const readoutBox = createSvgElement(document, "rect");
  readoutBox.setAttribute("rx", "3");
  readoutBox.setAttribute("style", "fill: var(--theme-background, white); fill-opacity: 0.92;");
  readoutBox.setAttribute("stroke", "currentColor");
  readoutBox.setAttribute("stroke-opacity", "0.25");
  const readoutText = createSvgElement(document, "text");
  readoutText.setAttribute("x", "6");
  readoutText.setAttribute("y", "13");
  readout.append(readoutBox, readoutText);
  svg.append(caption, map, xAxis, yAxis, ramp, legend, readout);

  let contourGenerator = contours();
  let clamped = new Float64Array(0);
  let layout: Frame = frame(current.width, current.width, {top: 0, right: 0, bottom: 0, left: 0});
  let x: AxisScale = scaleLinear();
  let y: AxisScale = scaleLinear();
  let edges: number[] = [];
  let size = {na: 0, nb: 0};
  let minimaFound: {global: GridCell | null; local: GridCell[]} = {global: null, local: []};
  // What the bands were drawn from: redrawn only when one of these changes.
  let drawnKey: unknown[] = [];
  let scannedKey: unknown[] = [];
  let gridExtent: [number, number] = [NaN, NaN];
  let cursorCell: {i: number; j: number} | null = null;
  let focused = false;
  let hovering = false;

  function gridOf(): LandscapeGrid | null {
    const grid = state?.grid;
    return grid && size.na >= 2 && size.nb >= 2 ? grid : null;
  }

  function render(): void {
    const grid = state?.grid ?? null;
    size = grid ? gridSize(grid) : {na: 0, nb: 0};
    const usable = gridOf();
    const {width, scale} = current;
    // Caption lines wrap at the figure's width (the first, naming the plane, in bold).
    const captionLines = planeCaption(state).flatMap((line, k) =>
      wrapText(line, width - 58, k === 0 ? 6.5 : 6).map((text) => ({text, bold: k === 0}))
    );
    const legendItems = placeLegend(legendOf(), width - 58);
    const legendRows = legendItems.length ? legendItems[legendItems.length - 1].row + 1 : 0;
    const top = 8 + captionLines.length * captionLine + 6;
    const margins = {top, right: 78, bottom: 40 + (legendRows ? 4 + legendRows * legendRow : 0), left: 50};
    const inner = Math.max(40, width - margins.left - margins.right);
    const height = current.height ?? Math.round(margins.top + inner + margins.bottom);
    layout = frame(width, height, margins);
    setSvgSize(svg, width, height);
    setText(title, current.title ?? `Loss landscape: ${current.valueLabel}`);

    const a0 = usable ? usable.a[0] : -1;
    const a1 = usable ? usable.a[size.na - 1] : 1;
    const b0 = usable ? usable.b[0] : -1;
    const b1 = usable ? usable.b[size.nb - 1] : 1;
    x = scaleLinear()
      .domain([a0, a1])
      .range([layout.left, layout.left + layout.innerWidth]);
    y = scaleLinear()
      .domain([b0, b1])
      .range([layout.top + layout.innerHeight, layout.top]);
    setRect(clip.rect, layout.left, layout.top, layout.innerWidth, layout.innerHeight);
    setRect(background, layout.left, layout.top, layout.innerWidth, layout.innerHeight);
    setRect(focusFrame, layout.left - 2, layout.top - 2, layout.innerWidth + 4, layout.innerHeight + 4);

    // Caption: one text line each.
    setAttribute(caption, "transform", `translate(${layout.left},8)`);
    select(caption)
      .selectAll<SVGTextElement, {text: string; bold: boolean}>("text")
      .data(captionLines)
      .join((enter) => enter.append("text").attr("dy", "0.71em"))
      .each(function (line, k) {
        setAttribute(this, "y", String(k * captionLine));
        setAttribute(this, "font-weight", line.bold ? "bold" : null);
        setText(this, line.text);
      });

    const [xLabel, yLabel] = planeAxes(state?.plane);
    const ticks = (n: number) => Math.max(2, Math.round(n / 70));
    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: layout.top + layout.innerHeight,
      ticks: ticks(layout.innerWidth),
      label: xLabel
    });
    renderAxis(yAxis, y, {orient: "left", offset: layout.left, ticks: ticks(layout.innerHeight), label: yLabel});

    // The grid's own extent and minima are computed once per grid (compared by reference), not per update.
    const gridKey = [usable, usable?.values, usable?.a, usable?.b, scale];
    if (!sameKey(gridKey, scannedKey)) {
      scannedKey = gridKey;
      gridExtent = landscapeDomain([usable], {scale});
      minimaFound = usable ? gridMinima(usable, {local: true}) : {global: null, local: []};
    }
    const domain = usableDomain(current.domain ?? gridExtent, scale);
    const key = [
      ...gridKey,
      domain[0],
      domain[1],
      current.levels,
      layout.left,
      layout.top,
      layout.innerWidth,
      layout.innerHeight
    ];
    if (!sameKey(key, drawnKey)) {
      drawnKey = key;
      edges = lossLevels(domain, {scale, count: current.levels});
      renderBands(usable);
      renderRamp();
    }
    renderMinima();
    renderTrajectory();
    renderLegend(legendItems);
    if (cursorCell && usable) {
      cursorCell = {i: Math.min(cursorCell.i, size.na - 1), j: Math.min(cursorCell.j, size.nb - 1)};
    } else if (!usable) {
      cursorCell = null;
    }
    renderCursor();
    setAttribute(map, "tabindex", destroyed ? null : "0");
    setText(desc, current.description ?? describe());
  }

  function renderBands(grid: LandscapeGrid | null): void {
    const n = edges.length - 1;
    const list: Band[] = grid
      ? Array.from({length: n}, (_, k) => ({
          index: k,
          lo: edges[k],
          hi: edges[k + 1],
          color: landscapeRamp((k + 0.5) / n)
        }))
      : [];
    let transform: ((gx: number, gy: number) => [number, number]) | null = null;
    if (grid) {
      const {na, nb} = size;
      // Values outside the domain are clamped into the first and last band; non-finite ones stay holes.
      if (clamped.length !== na * nb) clamped = new Float64Array(na * nb);
      const lo = edges[0];
      const hi = edges[n];
      for (let k = 0; k < na * nb; ++k) {
        const v = grid.values[k];
        clamped[k] = Number.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : NaN;
      }
      contourGenerator = contourGenerator.size([na, nb]);
      const toA = gridUnitToAxis(grid.a);
      const toB = gridUnitToAxis(grid.b);
      transform = (gx, gy) => [x(toA(gx)), y(toB(gy))];
    }
    select(bands)
      .selectAll<SVGPathElement, Band>("path")
      .data(list, (d) => String(d.index))
      .join("path")
      .each(function (band) {
        // Each band is the region ≥ its lower edge, painted in order: higher bands cover lower ones.
        const geometry = contourGenerator.contour(clamped as unknown as number[], band.lo);
        setAttribute(this, "fill", band.color);
        setAttribute(this, "data-level", formatValue(band.lo));
        setAttribute(this, "d", polygonPath(geometry.coordinates, transform!));
      });
  }

  function renderRamp(): void {
    const n = edges.length - 1;
    const scale = current.scale;
    const rx = layout.left + layout.innerWidth + 14;
    const r = (scale === "log" ? scaleLog() : scaleLinear())
      .domain([edges[0], edges[n]])
      .range([layout.top + layout.innerHeight, layout.top]);
    const hasData = gridOf() !== null;
    setAttribute(ramp, "display", hasData ? null : "none");
    select(rampBands)
      .selectAll<SVGRectElement, number>("rect")
      .data(hasData ? edges.slice(0, n).map((_, k) => k) : [], (k) => String(k))
      .join("rect")
      .each(function (k) {
        const yTop = r(edges[k + 1]);
        setRect(this, rx, px(yTop), 10, px(r(edges[k]) - yTop));
        setAttribute(this, "fill", landscapeRamp((k + 0.5) / n));
      });
    const count = Math.max(2, Math.round(layout.innerHeight / 45));
    const tickValues = r.ticks(count);
    const format = r.tickFormat(count, scale === "log" ? "~g" : undefined);
    select(rampAxis)
      .selectAll<SVGGElement, number>("g.tick")
      .data(hasData ? tickValues.filter((t) => format(t) !== "") : [], (t) => String(t))
      .join((enter) => {
        const g = enter.append("g").attr("class", "tick");
        g.append("line").attr("x2", 4).attr("style", "stroke: currentColor; stroke-opacity: 0.45;");
        g.append("text").attr("x", 6).attr("dy", "0.32em");
        return g;
      })
      .each(function (t) {
        setAttribute(this, "transform", `translate(${rx + 10},${px(r(t))})`);
        setText(this.lastElementChild!, format(t));
      });
    const label = `${current.valueLabel} (${scale === "log" ? "log-scaled levels" : "linear levels"})`;
    setText(rampLabel, label);
    setAttribute(rampLabel, "x", String(px(layout.top + layout.innerHeight / 2)));
    setAttribute(rampLabel, "y", String(-(rx + 50)));
  }

  function renderMinima(): void {
    const list: MarkerDatum[] = [];
    if (minimaFound.global) list.push({key: "minimum", kind: "minimum", cell: minimaFound.global});
    if (current.localMinima) {
      for (const cell of minimaFound.local) {
        if (cell === minimaFound.global || (cell.i === minimaFound.global?.i && cell.j === minimaFound.global?.j)) {
          continue;
        }
        list.push({key: `local-${cell.i}-${cell.j}`, kind: "local", cell});
      }
    }
    select(minima)
      .selectAll<SVGGElement, MarkerDatum>("g.minimum")
      .data(list, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "minimum");
        g.append("path")
          .attr("class", "halo")
          .attr("stroke", "#000000")
          .attr("stroke-opacity", 0.55)
          .attr("stroke-width", 3.5);
        g.append("path").attr("class", "mark").attr("stroke", "#FFFFFF").attr("stroke-width", 1.5);
        g.append("title");
        return g;
      })
      .each(function (d) {
        const [haloPath, mark, tip] = this.children as unknown as [SVGPathElement, SVGPathElement, SVGTitleElement];
        const shape = d.kind === "minimum" ? "M-4,-4L4,4M-4,4L4,-4" : "M0,-4L4,3L-4,3Z";
        setAttribute(this, "data-kind", d.kind);
        setAttribute(this, "transform", `translate(${px(x(d.cell.a))},${px(y(d.cell.b))})`);
        setAttribute(haloPath, "d", shape);
        setAttribute(mark, "d", shape);
        setText(tip, `${d.kind === "minimum" ? "grid minimum" : "local minimum"}: ${cellText(d.cell)}`);
      });
  }

  function trajectoryColor(): string {
    return current.role ? armColor(current.role) : "#FFFFFF";
  }

  function renderTrajectory(): void {
    const t = state?.trajectory;
    const n = trajectoryLength(t);
    let d = "";
    let move = true;
    let first: [number, number] | null = null;
    for (let k = 0; k < n; ++k) {
      const a = t!.a[k];
      const b = t!.b[k];
      if (!Number.isFinite(a) || !Number.isFinite(b)) {
        move = true;
        continue;
      }
      const p: [number, number] = [px(x(a)), px(y(b))];
      first ??= p;
      d += `${move ? "M" : "L"}${p[0]},${p[1]}`;
      move = false;
    }
    const color = trajectoryColor();
    setAttribute(path, "stroke", color);
    setAttribute(halo, "d", d);
    setAttribute(path, "d", d);
    setAttribute(halo, "display", d ? null : "none");
    setAttribute(path, "display", d ? null : "none");
    setAttribute(start, "display", first ? null : "none");
    setAttribute(start, "stroke", color);
    if (first) {
      setAttribute(start, "cx", String(first[0]));
      setAttribute(start, "cy", String(first[1]));
    }
    const c = currentPoint(state);
    setAttribute(now, "display", c ? null : "none");
    setAttribute(now, "fill", color);
    if (c) {
      setAttribute(now, "cx", String(px(x(c.a))));
      setAttribute(now, "cy", String(px(y(c.b))));
    }
  }

  function legendOf(): LegendItem[] {
    const items: LegendItem[] = [];
    if (trajectoryLength(state?.trajectory) > 0) {
      items.push({key: "trajectory", text: "trajectory"}, {key: "start", text: "start"});
    }
    if (currentPoint(state)) items.push({key: "current", text: "current point"});
    if (gridOf()) items.push({key: "minimum", text: "grid minimum"});
    if (current.localMinima && gridOf()) items.push({key: "local", text: "local minima"});
    return items;
  }

  function renderLegend(placed: PlacedLegendItem[]): void {
    setAttribute(legend, "transform", `translate(${layout.left},${layout.top + layout.innerHeight + 48})`);
    const color = trajectoryColor();
    select(legend)
      .selectAll<SVGGElement, (typeof placed)[number]>("g.item")
      .data(placed, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", (d) => `item legend-${d.key}`);
        g.each(function (d) {
          const item = select(this);
          if (d.key === "trajectory") {
            item
              .append("path")
              .attr("d", "M0,0H14")
              .attr("stroke", "#000000")
              .attr("stroke-opacity", 0.55)
              .attr("stroke-width", 3.5);
            item.append("path").attr("class", "swatch").attr("d", "M0,0H14").attr("stroke-width", 1.5);
          } else if (d.key === "start" || d.key === "current") {
            item
              .append("circle")
              .attr("class", "swatch")
              .attr("cx", 7)
              .attr("r", d.key === "start" ? 3 : 4.5)
              .attr("stroke-width", 1.5);
          } else {
            const shape = d.key === "minimum" ? "M3,-4L11,4M3,4L11,-4" : "M7,-4L11,3L3,3Z";
            item
              .append("path")
              .attr("d", shape)
              .attr("fill", "none")
              .attr("stroke", "#000000")
              .attr("stroke-opacity", 0.55)
              .attr("stroke-width", 3.5);
            item
              .append("path")
              .attr("d", shape)
              .attr("fill", "none")
              .attr("stroke", "#FFFFFF")
              .attr("stroke-width", 1.5);
          }
          item.append("text").attr("x", 18).attr("dy", "0.32em");
        });
        return g;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${d.at},${d.row * legendRow})`);
        const swatch = this.querySelector(".swatch");
        if (swatch && d.key === "trajectory") setAttribute(swatch, "stroke", color);
        if (swatch && d.key === "start") {
          setAttribute(swatch, "fill", "#000000");
          setAttribute(swatch, "stroke", color);
        }
        if (swatch && d.key === "current") {
          setAttribute(swatch, "fill", color);
          setAttribute(swatch, "stroke", "#000000");
        }
        setText(this.lastElementChild!, d.text);
      });
  }

  function cellText(cell: GridCell): string {
    return `a ${formatValue(cell.a)}, b ${formatValue(cell.b)}: ${current.valueLabel} ${formatValue(cell.value)}`;
  }

  // The extent of cell (i, j) in plot coordinates: halfway to its neighbours, clamped to the grid.
  function cellRect(i: number, j: number): [number, number, number, number] {
    const {a, b} = state!.grid;
    const half = (axis: ArrayLike<number>, k: number, n: number): [number, number] => [
      k > 0 ? (axis[k - 1] + axis[k]) / 2 : axis[0],
      k < n - 1 ? (axis[k] + axis[k + 1]) / 2 : axis[n - 1]
    ];
    const [aLo, aHi] = half(a, i, size.na);
    const [bLo, bHi] = half(b, j, size.nb);
    return [px(x(aLo)), px(y(bHi)), px(x(aHi) - x(aLo)), px(y(bLo) - y(bHi))];
  }

  function renderCursor(): void {
    const grid = gridOf();
    setAttribute(focusFrame, "display", focused ? null : "none");
    if (!grid || !cursorCell || !(focused || hovering)) {
      setAttribute(cursor, "display", "none");
      setAttribute(readout, "display", "none");
      return;
    }
    const {i, j} = cursorCell;
    const cell = cellAt(grid, size.na, i, j);
    const [cx, cy, cw, ch] = cellRect(i, j);
    setAttribute(cursor, "display", null);
    setRect(cursor, cx, cy, cw, ch);
    const text = cellText(cell);
    setText(readoutText, text);
    const w = textWidth(text) + 12;
    const h = 19;
    setRect(readoutBox, 0, 0, w, h);
    const right = cx + cw + 6;
    // Beside the cell where there is room, else above it (below at the top edge), never over it.
    const plotRight = layout.left + layout.innerWidth;
    let bx: number;
    let by = Math.max(layout.top, Math.min(layout.top + layout.innerHeight - h, cy + ch / 2 - h / 2));
    if (right + w <= plotRight) bx = right;
    else if (cx - 6 - w >= layout.left) bx = cx - 6 - w;
    else {
      bx = Math.max(layout.left, Math.min(plotRight - w, cx + cw / 2 - w / 2));
      by = cy - 6 - h >= layout.top ? cy - 6 - h : cy + ch + 6;
    }
    setAttribute(readout, "transform", `translate(${px(bx)},${px(by)})`);
    setAttribute(readout, "display", null);
  }

  function describe(): string {
    const grid = gridOf();
    if (!state || !grid) return "Contour map of a loss landscape; no grid yet.";
    const what = current.valueLabel;
    const [lo, hi] = [edges[0], edges[edges.length - 1]];
    const parts = [
      `Contour map of ${what} on a ${size.na} × ${size.nb} grid over a plane through parameter space (${state.plane.label})`,
      `${edges.length - 1} filled bands with ${current.scale === "log" ? "log-scaled" : "linear"} levels from ${formatValue(lo)} (dark) to ${formatValue(hi)} (light)`
    ];
    if (minimaFound.global)
      parts.push(
        `grid minimum ${formatValue(minimaFound.global.value)} at a ${formatValue(minimaFound.global.a)}, b ${formatValue(minimaFound.global.b)}`
      );
    const n = trajectoryLength(state.trajectory);
    if (n) parts.push(`the training trajectory has ${n} points`);
    const c = currentPoint(state);
    if (c) {
      const inside = c.a >= x.domain()[0] && c.a <= x.domain()[1] && c.b >= y.domain()[0] && c.b <= y.domain()[1];
      const value = inside ? gridValueAt(grid, c.a, c.b) : NaN;
      parts.push(
        `current point at a ${formatValue(c.a)}, b ${formatValue(c.b)}` +
          (inside ? ` (interpolated ${what} ${formatValue(value)})` : " (outside the grid)")
      );
    }
    // The caption's later lines (explained variance, residual), as clauses of one sentence.
    const extra = planeCaption(state)
      .slice(1)
      .map((line) => (/^[A-Z][a-z]/.test(line) ? line.charAt(0).toLowerCase() + line.slice(1) : line));
    return `${[...parts, ...extra].join("; ")}.`;
  }

  function moveCursor(i: number, j: number): void {
    cursorCell = {i: Math.max(0, Math.min(size.na - 1, i)), j: Math.max(0, Math.min(size.nb - 1, j))};
    renderCursor();
  }

  function nearestCell(a: number, b: number): {i: number; j: number} {
    const grid = state!.grid;
    return {i: Math.round(fractionalIndex(grid.a, a)), j: Math.round(fractionalIndex(grid.b, b))};
  }

  const listeners = new (document.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  const on = (target: EventTarget, type: string, handler: (event: Event) => void) =>
    target.addEventListener(type, handler, {signal: listeners.signal});
  on(map, "focus", () => {
    focused = true;
    if (!cursorCell && gridOf()) {
      const c = currentPoint(state);
      cursorCell = c ? nearestCell(c.a, c.b) : {i: size.na >> 1, j: size.nb >> 1};
    }
    renderCursor();
  });
  on(map, "blur", () => {
    focused = false;
    renderCursor();
  });
  on(map, "keydown", (event) => {
    const e = event as KeyboardEvent;
    if (!gridOf()) return;
    const step = e.shiftKey ? 5 : 1;
    const {i, j} = cursorCell ?? {i: size.na >> 1, j: size.nb >> 1};
    if (e.key === "ArrowLeft") moveCursor(i - step, j);
    else if (e.key === "ArrowRight") moveCursor(i + step, j);
    else if (e.key === "ArrowUp") moveCursor(i, j + step);
    else if (e.key === "ArrowDown") moveCursor(i, j - step);
    else if (e.key === "Home" && minimaFound.global) moveCursor(minimaFound.global.i, minimaFound.global.j);
    else if (e.key === "End" && currentPoint(state)) {
      const c = currentPoint(state)!;
      const cell = nearestCell(c.a, c.b);
      moveCursor(cell.i, cell.j);
    } else if (e.key === "Escape") {
      setAttribute(cursor, "display", "none");
      setAttribute(readout, "display", "none");
    } else return;
    e.preventDefault();
  });
  on(map, "pointermove", (event) => {
    if (!gridOf()) return;
    const e = event as MouseEvent;
    const rect = svg.getBoundingClientRect();
    const scale = rect.width > 0 ? current.width / rect.width : 1;
    const a = x.invert((e.clientX - rect.left) * scale);
    const b = y.invert((e.clientY - rect.top) * scale);
    hovering = true;
    const cell = nearestCell(a, b);
    moveCursor(cell.i, cell.j);
  });
  on(map, "pointerleave", () => {
    hovering = false;
    renderCursor();
  });

  render();

  const element = svg as LossContourElement;
  element.update = function (
    this: LossContourElement,
    next: LandscapeData | null,
    nextOptions?: Partial<LossContourOptions>
  ) {
    if (destroyed) return this;
    state = next ?? null;
    if (nextOptions) current = {...current, ...nextOptions};
    render();
    return this;
  };
  element.destroy = function () {
    if (destroyed) return;
    destroyed = true;
    listeners.abort();
    focused = false;
    hovering = false;
    renderCursor();
    setAttribute(map, "tabindex", null);
  };
  element.toSVG = function () {
    return svgMarkup(svg);
  };
  element.toRows = function (): Row[] {
    const rows: Row[] = [];
    const grid = gridOf();
    if (grid) {
      for (let j = 0; j < size.nb; ++j) {
        for (let i = 0; i < size.na; ++i) {
          rows.push({
            kind: "grid",
            step: null,
            a: grid.a[i],
            b: grid.b[j],
            loss: float32Value(grid.values[j * size.na + i]),
            residual: null
          });
        }
      }
    }
    const t = state?.trajectory;
    const n = trajectoryLength(t);
    for (let k = 0; k < n; ++k) {
      const r = t!.residual;
      rows.push({
        kind: "trajectory",
        step: t!.steps ? t!.steps[k] : k,
        a: float32Value(t!.a[k]),
        b: float32Value(t!.b[k]),
        loss: null,
        residual: r === undefined ? null : typeof r === "number" ? r : float32Value(r[k])
      });
    }
    const c = currentPoint(state);
    if (c && state?.current) rows.push({kind: "current", step: null, a: c.a, b: c.b, loss: null, residual: null});
    return rows;
  };
  return element;
}

/** An SVG path of filled contour polygons (rings closed; holes cut by the even-odd rule). */
function polygonPath(coordinates: number[][][][], transform: (gx: number, gy: number) => [number, number]): string {
  let d = "";
  for (const polygon of coordinates) {
    for (const ring of polygon) {
      // d3-contour repeats the first point at the end of a ring; "Z" closes it instead.
      for (let k = 0; k < ring.length - 1; ++k) {
        const [px0, py0] = transform(ring[k][0], ring[k][1]);
        d += `${k === 0 ? "M" : "L"}${px(px0)},${px(py0)}`;
      }
      if (ring.length > 1) d += "Z";
    }
  }
  return d;
}
