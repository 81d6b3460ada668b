import {lab, rgb} from "d3-color";
import {format} from "d3-format";
import {select} from "d3-selection";
import type {flipMatrix, Flips} from "../src/metrics/flips.js";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {px, textWidth} from "./internal/format.js";
import {classColors} from "./internal/palette.js";
import {createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** The counts of `flipMatrix(old, new, labels, classes)` from src/metrics: `matrix[a][b]`, old right as a, new predicts b. */
export type FlipMatrixCounts = ReturnType<typeof flipMatrix>;

/** What FlipMatrix draws: the C × C flip matrix, optional class names and the rates of `flips()`. */
export interface FlipMatrixData {
  /** C × C counts over the samples the old model got right: the diagonal is kept, the rest are negative flips. */
  matrix: FlipMatrixCounts;
  /** Names of the classes, in index order (default: the index). */
  classNames?: readonly string[];
  /** Rates read out under the matrix (NFR, NFI, relative NFR, PFR), e.g. the result of `flips()`. */
  rates?: Partial<Flips>;
}

/** A selected cell: the class the old model got right and the new model's prediction. */
export interface FlipMatrixValue {
  old: number;
  new: number;
}

export interface FlipMatrixOptions {
  /** Width in pixels (default 420); the figure shrinks with its container. */
  width: number;
  /** Height in pixels; default: what the cells (at most 48 px square) need. */
  height?: number;
  title?: string;
  description?: string;
  /** Name of the old model in axis titles and labels (default "old model"). */
  oldName: string;
  /** Name of the new model (default "new model"). */
  newName: string;
  document?: Document;
}

export type FlipMatrixElement = SVGSVGElement &
  ComponentElement<FlipMatrixData | null, FlipMatrixOptions> &
  Exportable & {
    /** The selected cell, or null; setting it selects without an "input" event. */
    value: FlipMatrixValue | null;
  };

const defaults: FlipMatrixOptions = {width: 420, oldName: "old model", newName: "new model"};

// ---------------------------------------------------------------------------------------------------------
// Colour: a sequential ramp for negative-flip counts, white → the palette's vermillion, interpolated in CIELAB so
// that lightness falls steadily (one hue, monotone lightness: readable under every colour-vision deficiency and in
// greyscale). Kept cells take a neutral grey, so "kept" never reads as "a few flips".

/** Vermillion, the palette's colour for "something went wrong" (Okabe–Ito). */
export const flipRampEnd = classColors[3];
/** The ramp's start: white, for cells without negative flips. */
export const flipRampStart = "#FFFFFF";
/** Fill of the diagonal (kept) cells: a neutral grey. */
export const keptColor = "#E3E3E3";
/** Text on cells: near-black, readable on every fill of the ramp (contrast ≥ 4.5 against vermillion). */
const cellTextColor = "#1A1A1A";

/** The colour at t ∈ [0, 1] of the negative-flip ramp (white → vermillion, CIELAB). */
export function flipRampColor(t: number): string {
  const u = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
  const a = lab(flipRampStart);
  const b = lab(flipRampEnd);
  return rgb(lab(a.l + (b.l - a.l) * u, a.a + (b.a - a.a) * u, a.b + (b.b - a.b) * u))
    .formatHex()
    .toUpperCase();
}

// A single flip is visibly tinted: counts ≥ 1 map to [rampFloor, 1].
const rampFloor = 0.15;

/** The ramp position of `count` negative flips when the largest off-diagonal count is `max`. */
export function flipRampPosition(count: number, max: number): number {
  if (!(count > 0) || !(max > 0)) return 0;
  return rampFloor + ((1 - rampFloor) * Math.min(count, max)) / max;
}

// ---------------------------------------------------------------------------------------------------------

const percent = format(".3~p");
const ratio = format(".3~r");
const grouped = format(",");

interface CellDatum {
  key: string;
  old: number;
  new: number;
  count: number;
  kept: boolean;
}

interface RowDatum {
  old: number;
  cells: CellDatum[];
  right: number;
  flipped: number;
}

function checkMatrix(matrix: FlipMatrixCounts): void {
  if (!Array.isArray(matrix)) throw new Error(`FlipMatrix: invalid matrix: ${String(matrix)}`);
  const c = matrix.length;
  matrix.forEach((row, a) => {
    if (!row || row.length !== c) {
      throw new Error(`FlipMatrix: matrix row ${a} has ${row?.length ?? 0} entries, expected ${c} (a C × C matrix)`);
    }
  });
}

const plural = (n: number, one: string, many: string) => `${grouped(n)} ${n === 1 ? one : many}`;

/**
 * The flip matrix between an old and a new model (Yan et al. 2021, "Positive-Congruent Training"): for the samples the
 * old model classified correctly, rows are the old prediction (= the label), columns the new prediction. The diagonal
 * (grey) counts samples kept right; every off-diagonal cell is a negative flip, shaded white → vermillion by count,
 * with each row's flips out of its old-right samples beside it and NFR / NFI / relative NFR / PFR under the matrix.
 * Cells are keyboard-operable (Tab into the grid, arrow keys move, Enter or Space selects, Escape clears); selecting
 * one sets `value = {old, new}` and fires a bubbling "input" event, so a page can highlight those samples elsewhere.
 */
export function FlipMatrix(
  data: FlipMatrixData | null = null,
  options: Partial<FlipMatrixOptions> = {}
): FlipMatrixElement {
  const document = documentOf(options);
  let current: FlipMatrixOptions = {...defaults, ...options};
  let state: FlipMatrixData | null = data;
  let rows: RowDatum[] = [];
  let classes = 0;
  let selected: FlipMatrixValue | null = null;
  let active: FlipMatrixValue | null = null; // the cell that holds the grid's one tab stop
  let focused: FlipMatrixValue | null = null; // the cell with keyboard focus
  let hovered: FlipMatrixValue | null = null;
  let cellSize = 0;
  let origin = {left: 0, top: 0}; // the matrix's top-left corner
  let destroyed = false;

  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-flip-matrix");
  // The grid is interactive, so the root is a figure (an "img" would hide its cells from assistive technology).
  svg.setAttribute("role", "figure");
  const gradient = createSvgElement(document, "linearGradient");
  gradient.id = `${title.id}-ramp`;
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const stop = createSvgElement(document, "stop");
    stop.setAttribute("offset", `${t * 100}%`);
    stop.setAttribute("stop-color", flipRampColor(rampFloor + (1 - rampFloor) * t));
    gradient.append(stop);
  }
  defs.append(gradient);

  const g = <K extends keyof SVGElementTagNameMap>(tag: K, className: string, parent: Element) => {
    const e = createSvgElement(document, tag);
    e.setAttribute("class", className);
    parent.append(e);
    return e;
  };
  const columnTitle = g("text", "column-title", svg);
  columnTitle.setAttribute("text-anchor", "middle");
  columnTitle.setAttribute("font-weight", "bold");
  columnTitle.setAttribute("aria-hidden", "true");
  const rowTitle = g("text", "row-title", svg);
  rowTitle.setAttribute("text-anchor", "middle");
  rowTitle.setAttribute("font-weight", "bold");
  rowTitle.setAttribute("transform", "rotate(-90)");
  rowTitle.setAttribute("aria-hidden", "true");
  const columnLabels = g("g", "column-labels", svg);
  columnLabels.setAttribute("text-anchor", "middle");
  columnLabels.setAttribute("aria-hidden", "true");
  const rowLabels = g("g", "row-labels", svg);
  rowLabels.setAttribute("text-anchor", "end");
  rowLabels.setAttribute("aria-hidden", "true");
  const grid = g("g", "grid", svg);
  grid.setAttribute("role", "grid");
  const totalsTitle = g("text", "totals-title", svg);
  totalsTitle.setAttribute("text-anchor", "end");
  totalsTitle.setAttribute("font-weight", "bold");
  totalsTitle.setAttribute("aria-hidden", "true");
  const totals = g("g", "totals", svg);
  totals.setAttribute("text-anchor", "end");
  totals.setAttribute("aria-hidden", "true");
  const selectionRing = g("rect", "selection", svg);
  selectionRing.setAttribute("fill", "none");
  selectionRing.setAttribute("stroke", "currentColor");
  selectionRing.setAttribute("stroke-width", "2.5");
  selectionRing.setAttribute("pointer-events", "none");
  selectionRing.setAttribute("display", "none");
  const focusRing = g("rect", "focus", svg);
  focusRing.setAttribute("fill", "none");
  focusRing.setAttribute("stroke", classColors[0]);
  focusRing.setAttribute("stroke-width", "2");
  focusRing.setAttribute("stroke-dasharray", "4,2");
  focusRing.setAttribute("pointer-events", "none");
  focusRing.setAttribute("display", "none");

  const legend = g("g", "legend", svg);
  legend.setAttribute("aria-hidden", "true");
  const keptSwatch = g("rect", "kept-swatch", legend);
  keptSwatch.setAttribute("fill", keptColor);
  keptSwatch.setAttribute("stroke", "currentColor");
  keptSwatch.setAttribute("stroke-opacity", "0.2");
  const keptText = g("text", "kept-label", legend);
  keptText.setAttribute("dy", "0.32em");
  const rampLabel = g("text", "ramp-label", legend);
  rampLabel.setAttribute("dy", "0.32em");
  const ramp = g("rect", "ramp", legend);
  ramp.setAttribute("fill", `url(#${gradient.id})`);
  ramp.setAttribute("stroke", "currentColor");
  ramp.setAttribute("stroke-opacity", "0.2");
  const rampMin = g("text", "ramp-min", legend);
  rampMin.setAttribute("text-anchor", "end");
  rampMin.setAttribute("dy", "0.32em");
  const rampMax = g("text", "ramp-max", legend);
  rampMax.setAttribute("dy", "0.32em");

  const summary = g("text", "summary", svg);
  const rates = g("text", "rates", svg);
  const status = g("text", "status", svg);
  status.setAttribute("fill-opacity", "0.75");
  status.setAttribute("aria-live", "polite");

  const className = (k: number): string => state?.classNames?.[k] ?? String(k);
  const classPhrase = (k: number): string => (state?.classNames?.[k] !== undefined ? className(k) : `class ${k}`);

  /** The spoken label of a cell: "old right as class 1, new predicts 3: 5 negative flips". */
  function cellLabel(cell: CellDatum): string {
    const oldShort = current.oldName.replace(/ model$/, "");
    const newShort = current.newName.replace(/ model$/, "");
    const what = cell.kept
      ? `${grouped(cell.count)} kept right`
      : plural(cell.count, "negative flip", "negative flips");
    return `${oldShort} right as ${classPhrase(cell.old)}, ${newShort} predicts ${className(cell.new)}: ${what}`;
  }

  function cellAt(value: FlipMatrixValue | null): CellDatum | undefined {
    if (!value) return undefined;
    return rows[value.old]?.cells[value.new];
  }

  function valid(value: FlipMatrixValue | null): value is FlipMatrixValue {
    return (
      value !== null &&
      Number.isInteger(value.old) &&
      Number.isInteger(value.new) &&
      value.old >= 0 &&
      value.new >= 0 &&
      value.old < classes &&
      value.new < classes
    );
  }

  function layoutData(): void {
    const matrix = state?.matrix ?? [];
    checkMatrix(matrix);
    classes = matrix.length;
    rows = matrix.map((row, a) => {
      const cells = row.map((count, b) => ({key: `${a}:${b}`, old: a, new: b, count: Number(count), kept: a === b}));
      let right = 0;
      for (const cell of cells) right += Number.isFinite(cell.count) ? cell.count : 0;
      const kept = Number.isFinite(cells[a].count) ? cells[a].count : 0;
      return {old: a, cells, right, flipped: right - kept};
    });
    if (!valid(selected)) selected = null;
    if (!valid(active)) active = selected ?? (classes ? {old: 0, new: 0} : null);
    if (!valid(focused)) focused = null;
    if (!valid(hovered)) hovered = null;
  }

  function render(): void {
    layoutData();
    const {width} = current;
    let maxFlips = 0;
    let right = 0;
    let flipped = 0;
    let worst: CellDatum | undefined;
    for (const row of rows) {
      right += row.right;
      flipped += row.flipped;
      for (const cell of row.cells) {
        if (!cell.kept && cell.count > maxFlips) {
          maxFlips = cell.count;
          worst = cell;
        }
      }
    }

    // Layout: column titles above, row labels left, row totals right, legend and read-outs below.
    const labelWidth = Math.max(12, ...rows.map((r) => textWidth(className(r.old))));
    const left = 26 + labelWidth + 6;
    const totalsText = rows.map((r) => `${grouped(r.flipped)} / ${grouped(r.right)}`);
    const totalsWidth = Math.max(textWidth("flipped / right"), ...totalsText.map((text) => textWidth(text))) + 12;
    const top = 40;
    const hasRates = Boolean(state?.rates && ratesText());
    const below = 16 + 18 + 16 + (hasRates ? 16 : 0) + 16;
    const available = width - left - totalsWidth - 4;
    cellSize = classes ? Math.max(1, Math.min(48, Math.floor(available / classes))) : 0;
    if (current.height !== undefined && classes) {
      cellSize = Math.max(1, Math.min(cellSize, Math.floor((current.height - top - below) / classes)));
    }
    const side = cellSize * classes;
    origin = {left, top};
    const height = current.height ?? top + side + below;
    setSvgSize(svg, width, height);
    const fontSize = Math.max(6, Math.min(12, Math.round(cellSize * 0.36)));
    const showCounts = cellSize >= 14;
    const showLabels = cellSize >= 9;

    setText(title, current.title ?? `Flip matrix: ${current.oldName} → ${current.newName}`);
    setText(desc, current.description ?? describe(right, flipped, worst));

    setText(columnTitle, `${current.newName} predicts`);
    setAttribute(columnTitle, "x", String(px(left + side / 2)));
    setAttribute(columnTitle, "y", "12");
    setText(rowTitle, `${current.oldName} right as`);
    setAttribute(rowTitle, "x", String(px(-(top + side / 2))));
    setAttribute(rowTitle, "y", "12");
    setAttribute(columnTitle, "display", classes ? null : "none");
    setAttribute(rowTitle, "display", classes ? null : "none");

    select(columnLabels)
      .selectAll<SVGTextElement, RowDatum>("text")
      .data(showLabels ? rows : [], (r) => String(r.old))
      .join("text")
      .each(function (r) {
        setAttribute(this, "x", String(px(left + (r.old + 0.5) * cellSize)));
        setAttribute(this, "y", String(top - 8));
        setText(this, className(r.old));
      });
    select(rowLabels)
      .selectAll<SVGTextElement, RowDatum>("text")
      .data(showLabels ? rows : [], (r) => String(r.old))
      .join("text")
      .each(function (r) {
        setAttribute(this, "x", String(left - 6));
        setAttribute(this, "y", String(px(top + (r.old + 0.5) * cellSize)));
        setAttribute(this, "dy", "0.32em");
        setText(this, className(r.old));
      });

    setAttribute(
      grid,
      "aria-label",
      `Flip matrix, ${classes} × ${classes}: rows are the class the ${current.oldName} got right, columns the ${current.newName}'s prediction`
    );
    select(grid)
      .selectAll<SVGGElement, RowDatum>("g.row")
      .data(rows, (r) => String(r.old))
      .join((enter) => enter.append("g").attr("class", "row").attr("role", "row"))
      .each(function (row) {
        setAttribute(this, "data-old", String(row.old));
        select(this)
          .selectAll<SVGGElement, CellDatum>("g.cell")
          .data(row.cells, (c) => c.key)
          .join((enter) => {
            const cell = enter
              .append("g")
              .attr("class", "cell")
              .attr("role", "gridcell")
              .attr("style", "outline: none; cursor: pointer;");
            cell.append("title");
            cell.append("rect").attr("stroke", "currentColor").attr("stroke-opacity", "0.15");
            cell.append("text").attr("text-anchor", "middle").attr("dy", "0.32em").attr("fill", cellTextColor);
            return cell;
          })
          .each(function (cell) {
            const [tip, rect, text] = this.children as unknown as [SVGTitleElement, SVGRectElement, SVGTextElement];
            const label = cellLabel(cell);
            setAttribute(this, "data-old", String(cell.old));
            setAttribute(this, "data-new", String(cell.new));
            setAttribute(this, "data-kind", cell.kept ? "kept" : "flip");
            setAttribute(this, "aria-label", label);
            setAttribute(this, "aria-selected", String(selected?.old === cell.old && selected?.new === cell.new));
            setAttribute(this, "tabindex", active?.old === cell.old && active?.new === cell.new ? "0" : "-1");
            setText(tip, label);
            const fill = cell.kept ? keptColor : flipRampColor(flipRampPosition(cell.count, maxFlips));
            setAttribute(rect, "fill", fill);
            setRect(rect, px(left + cell.new * cellSize), px(top + cell.old * cellSize), cellSize, cellSize);
            setAttribute(text, "x", String(px(left + (cell.new + 0.5) * cellSize)));
            setAttribute(text, "y", String(px(top + (cell.old + 0.5) * cellSize)));
            setAttribute(text, "font-size", String(fontSize));
            setAttribute(text, "font-weight", cell.kept ? null : cell.count > 0 ? "bold" : null);
            setAttribute(text, "fill-opacity", cell.count === 0 ? "0.45" : null);
            setAttribute(text, "display", showCounts ? null : "none");
            setText(text, Number.isFinite(cell.count) ? grouped(cell.count) : "–");
          });
      });

    const totalsX = left + side + totalsWidth;
    setText(totalsTitle, "flipped / right");
    setAttribute(totalsTitle, "x", String(px(totalsX)));
    setAttribute(totalsTitle, "y", String(top - 8));
    setAttribute(totalsTitle, "display", classes ? null : "none");
    select(totals)
      .selectAll<SVGTextElement, RowDatum>("text")
      .data(showLabels ? rows : [], (r) => String(r.old))
      .join("text")
      .each(function (r, i) {
        setAttribute(this, "x", String(px(totalsX)));
        setAttribute(this, "y", String(px(top + (r.old + 0.5) * cellSize)));
        setAttribute(this, "dy", "0.32em");
        setAttribute(this, "font-weight", r.flipped > 0 ? "bold" : null);
        setText(this, totalsText[i]);
      });

    // Legend: the kept swatch, then the ramp of negative-flip counts from 1 to the largest.
    const legendY = top + side + 16;
    setAttribute(legend, "transform", `translate(${left},${px(legendY)})`);
    setAttribute(legend, "display", classes ? null : "none");
    setRect(keptSwatch, 0, -6, 12, 12);
    setText(keptText, "kept right");
    setAttribute(keptText, "x", "16");
    setText(rampLabel, "negative flips");
    const rampLabelX = 16 + textWidth("kept right") + 14;
    setAttribute(rampLabel, "x", String(rampLabelX));
    const rampX = rampLabelX + textWidth("negative flips") + 6 + textWidth("1") + 4;
    setRect(ramp, rampX, -6, 72, 12);
    setText(rampMin, maxFlips > 0 ? "1" : "");
    setAttribute(rampMin, "x", String(rampX - 4));
    setText(rampMax, maxFlips > 0 ? grouped(maxFlips) : "none");
    setAttribute(rampMax, "x", String(maxFlips > 0 ? rampX + 76 : rampX - 4 - textWidth("1")));
    setAttribute(ramp, "display", maxFlips > 0 ? null : "none");

    let y = legendY + 18;
    setText(summary, summaryText(right, flipped));
    setAttribute(summary, "x", String(readoutX(summary.textContent ?? "")));
    setAttribute(summary, "y", String(px(y)));
    y += 16;
    setText(rates, hasRates ? ratesText() : "");
    setAttribute(rates, "x", String(readoutX(rates.textContent ?? "")));
    setAttribute(rates, "y", String(px(y)));
    setAttribute(rates, "display", hasRates ? null : "none");
    if (hasRates) y += 16;
    setAttribute(status, "y", String(px(y)));
    renderInteraction();
  }

  function summaryText(right: number, flipped: number): string {
    if (!state) return "No flip matrix yet.";
    if (classes === 0) return "No classes.";
    if (right === 0) return `The ${current.oldName} is right on no sample: nothing can flip.`;
    return `${grouped(flipped)} of ${plural(right, "sample", "samples")} the ${current.oldName} got right flipped (${percent(flipped / right)}).`;
  }

  function ratesText(): string {
    const r = state?.rates;
    if (!r) return "";
    const parts: string[] = [];
    if (r.negativeFlipRate !== undefined) parts.push(`NFR ${fmtPercent(r.negativeFlipRate)}`);
    if (r.negativeFlipImpact !== undefined) parts.push(`NFI ${fmtPercent(r.negativeFlipImpact)}`);
    if (r.relativeNegativeFlipRate !== undefined) {
      parts.push(`rel. NFR ${fmtRatio(r.relativeNegativeFlipRate)}`);
    }
    if (r.positiveFlipRate !== undefined) parts.push(`PFR ${fmtPercent(r.positiveFlipRate)}`);
    if (!parts.length) return "";
    // N: the samples the rates are over (all compared samples, not only those the old model got right).
    if (r.total !== undefined && Number.isFinite(r.total)) parts.push(`N = ${grouped(r.total)}`);
    return parts.join(" · ");
  }

  function describe(right: number, flipped: number, worst: CellDatum | undefined): string {
    if (!state || classes === 0) return "Flip matrix between an old and a new model: no data yet.";
    const parts = [
      `Flip matrix between the ${current.oldName} and the ${current.newName} over ${classes} classes: rows are the class the ${current.oldName} got right, columns the ${current.newName}'s prediction; the diagonal counts samples kept right, other cells negative flips.`,
      summaryText(right, flipped)
    ];
    if (worst && worst.count > 0) {
      parts.push(`Most flips: ${classPhrase(worst.old)} to ${className(worst.new)}, ${grouped(worst.count)}.`);
    }
    const r = ratesText();
    if (r) parts.push(`${r}.`);
    return parts.join(" ");
  }

  function ringRect(ring: SVGRectElement, value: FlipMatrixValue | null, inset: number): void {
    if (!cellAt(value) || cellSize === 0 || !value) {
      setAttribute(ring, "display", "none");
      return;
    }
    setAttribute(ring, "display", null);
    const x = origin.left + value.new * cellSize;
    const y = origin.top + value.old * cellSize;
    setRect(ring, px(x + inset), px(y + inset), cellSize - 2 * inset, cellSize - 2 * inset);
  }

  function gridCell(value: FlipMatrixValue): SVGGElement | null {
    return grid.querySelector<SVGGElement>(`g.cell[data-old="${value.old}"][data-new="${value.new}"]`);
  }

  function renderInteraction(): void {
    ringRect(selectionRing, selected, 1.25);
    ringRect(focusRing, focused, -2);
    const shown = cellAt(focused) ?? cellAt(hovered);
    const chosen = cellAt(selected);
    let text: string;
    if (shown) text = cellLabel(shown) + (chosen === shown ? " (selected)" : "");
    else if (chosen) text = `Selected: ${shortLabel(chosen)}. Escape clears.`;
    else if (classes) text = "Click a cell, or press Enter on it, to select its samples.";
    else text = "";
    setText(status, text);
    setAttribute(status, "x", String(readoutX(text)));
  }

  /** "dog → owl, 6 negative flips": a selection in a few words. */
  function shortLabel(cell: CellDatum): string {
    const what = cell.kept
      ? `${grouped(cell.count)} kept right`
      : plural(cell.count, "negative flip", "negative flips");
    return `${className(cell.old)} → ${className(cell.new)}, ${what}`;
  }

  /** Read-outs line up with the matrix, moving left where a line would overflow the figure. */
  function readoutX(text: string): number {
    const start = classes ? origin.left : 8;
    return Math.max(4, Math.min(start, current.width - textWidth(text) - 4));
  }

  function setTabStop(value: FlipMatrixValue): void {
    if (active) gridCell(active)?.setAttribute("tabindex", "-1");
    active = {old: value.old, new: value.new};
    gridCell(active)?.setAttribute("tabindex", "0");
  }

  function choose(value: FlipMatrixValue | null, fire: boolean): void {
    const next = value && valid(value) ? {old: value.old, new: value.new} : null;
    const same = next === selected || (next && selected && next.old === selected.old && next.new === selected.new);
    if (same) return;
    selected = next;
    for (const cell of grid.querySelectorAll("g.cell")) {
      const on =
        next !== null &&
        cell.getAttribute("data-old") === String(next.old) &&
        cell.getAttribute("data-new") === String(next.new);
      setAttribute(cell, "aria-selected", String(on));
    }
    if (next) setTabStop(next);
    renderInteraction();
    if (fire) svg.dispatchEvent(new (document.defaultView?.Event ?? Event)("input", {bubbles: true}));
  }

  function cellFromEvent(event: Event): FlipMatrixValue | null {
    const target = event.target as Element | null;
    const cell = target?.closest?.("g.cell");
    if (!cell || !grid.contains(cell)) return null;
    return {old: Number(cell.getAttribute("data-old")), new: Number(cell.getAttribute("data-new"))};
  }

  const listeners = new (document.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  const on = (target: EventTarget, type: string, handler: (event: Event) => void) =>
    target.addEventListener(type, handler, {signal: listeners.signal});
  on(grid, "click", (event) => {
    const value = cellFromEvent(event);
    if (value) choose(value, true);
  });
  on(grid, "keydown", (event) => {
    const key = (event as KeyboardEvent).key;
    const from = cellFromEvent(event);
    if (!from) return;
    let next: FlipMatrixValue | null = null;
    switch (key) {
      case "ArrowLeft":
        next = {old: from.old, new: Math.max(0, from.new - 1)};
        break;
      case "ArrowRight":
        next = {old: from.old, new: Math.min(classes - 1, from.new + 1)};
        break;
      case "ArrowUp":
        next = {old: Math.max(0, from.old - 1), new: from.new};
        break;
      case "ArrowDown":
        next = {old: Math.min(classes - 1, from.old + 1), new: from.new};
        break;
      case "Home":
        next = {old: (event as KeyboardEvent).ctrlKey ? 0 : from.old, new: 0};
        break;
      case "End":
        next = {old: (event as KeyboardEvent).ctrlKey ? classes - 1 : from.old, new: classes - 1};
        break;
      case "Enter":
      case " ":
        event.preventDefault();
        choose(from, true);
        return;
      case "Escape":
        if (selected) {
          event.preventDefault();
          choose(null, true);
        }
        return;
      default:
        return;
    }
    event.preventDefault();
    setTabStop(next);
    (gridCell(next) as (SVGGElement & {focus?: () => void}) | null)?.focus?.();
  });
  on(grid, "focusin", (event) => {
    focused = cellFromEvent(event);
    if (focused) setTabStop(focused);
    renderInteraction();
  });
  on(grid, "focusout", () => {
    focused = null;
    renderInteraction();
  });
  on(grid, "pointerover", (event) => {
    hovered = cellFromEvent(event);
    renderInteraction();
  });
  on(grid, "pointerleave", () => {
    hovered = null;
    renderInteraction();
  });

  render();

  const element = svg as FlipMatrixElement;
  Object.defineProperty(element, "value", {
    get: (): FlipMatrixValue | null => (selected ? {...selected} : null),
    set: (value: FlipMatrixValue | null) => choose(value, false),
    enumerable: true,
    configurable: true
  });
  element.update = function (
    this: FlipMatrixElement,
    next: FlipMatrixData | null,
    nextOptions?: Partial<FlipMatrixOptions>
  ) {
    if (destroyed) return this;
    state = next ?? null;
    if (nextOptions) current = {...current, ...nextOptions};
    render();
    return this;
  };
  element.destroy = function () {
    destroyed = true;
    listeners.abort();
    focused = hovered = null;
    renderInteraction();
  };
  element.toSVG = () => svgMarkup(svg);
  element.toRows = (): Row[] => {
    const names = state?.classNames;
    const out: Row[] = [];
    for (const row of rows) {
      for (const cell of row.cells) {
        const r: Row = {oldClass: cell.old, newClass: cell.new};
        if (names) {
          r.oldName = className(cell.old);
          r.newName = className(cell.new);
        }
        r.count = cell.count;
        r.kind = cell.kept ? "kept" : "negative flip";
        out.push(r);
      }
    }
    return out;
  };
  return element;
}

function fmtPercent(value: number): string {
  return Number.isFinite(value) ? percent(value) : "–";
}

function fmtRatio(value: number): string {
  return Number.isFinite(value) ? ratio(value) : "–";
}
