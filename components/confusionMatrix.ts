import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {px, textWidth} from "./internal/format.js";
import {frame} from "./internal/frame.js";
import type {Frame} from "./internal/frame.js";
import {classColor, classColors} from "./internal/palette.js";
import {createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** A confusion matrix: counts of true class (row) × predicted class (column). */
export interface ConfusionMatrixData {
  /** matrix[t][p]: samples of true class t predicted as p, C × C; `confusionMatrix(predictions, labels, C)` from src/metrics. */
  matrix: readonly (readonly number[])[];
  /** Class names for the axes and labels (default: the class indices). */
  classNames?: readonly string[];
}

export interface ConfusionMatrixOptions {
  /** Width in pixels (default 360); the figure shrinks with its container. */
  width: number;
  /** Height in pixels; default: what square cells need. */
  height?: number;
  title?: string;
  description?: string;
  document?: Document;
}

/** The selected cell (Enter, Space or a click), or null. */
export interface ConfusionCell {
  true: number;
  predicted: number;
}

export type ConfusionMatrixElement = SVGSVGElement &
  ComponentElement<ConfusionMatrixData | null, ConfusionMatrixOptions> &
  Exportable & {value: ConfusionCell | null};

const defaults: ConfusionMatrixOptions = {width: 360};

/** Correct predictions (the diagonal) in Okabe–Ito blue, confusions in vermillion: apart for every colour vision. */
const correctColor = classColors[0];
const confusedColor = classColors[3];

interface CellDatum {
  t: number;
  p: number;
  count: number;
  /** count / samples of class t; NaN when class t has none. */
  share: number;
}

interface RowDatum {
  t: number;
  cells: CellDatum[];
}

function percent(share: number): string {
  if (!Number.isFinite(share)) return "–";
  if (share > 0 && share < 0.005) return "<1%";
  return `${Math.round(share * 100)}%`;
}

/** Cell opacity for a row share: faint at 0, deep at 1, so a row reads as where class t's samples go. */
function shareOpacity(share: number): number {
  return Number.isFinite(share) ? 0.04 + 0.86 * share : 0.04;
}

/**
 * A confusion matrix as a C × C heat map, rows the true class and columns the predicted one, each cell
 * showing its count and its share of the true class's samples (the shading follows that row share, so
 * a small class's confusions are as visible as a large one's). The diagonal is blue, confusions are
 * vermillion; class names and colours label both axes. The cells form an ARIA grid: Tab enters it,
 * the arrow keys (and Home/End) move between cells, each cell reads "true 2, predicted 0: 14 samples,
 * 12% of class 2"; Enter, Space or a click selects a cell (value, with a bubbling input event, so a
 * page can show those samples) and Escape clears it. toRows() gives one row per cell.
 */
export function ConfusionMatrix(
  data: ConfusionMatrixData | null = null,
  options: Partial<ConfusionMatrixOptions> = {}
): ConfusionMatrixElement {
  const document = documentOf(options);
  let current: ConfusionMatrixOptions = {...defaults, ...options};
  let state: ConfusionMatrixData | null = data;
  let destroyed = false;
  let rows: RowDatum[] = [];
  let focus = {t: 0, p: 0};
  let selected: ConfusionCell | null = null;
  let focused = false;
  let layout: Frame = frame(current.width, current.width, {top: 0, right: 0, bottom: 0, left: 0});
  let cellSize = 0;

  const {svg, title, desc} = createFigureSvg(document, "losslab-confusion-matrix");
  // An interactive figure: role "img" would hide the cells from assistive technology.
  svg.setAttribute("role", "figure");
  const [titleId, descId] = svg.getAttribute("aria-labelledby")!.split(" ");
  svg.setAttribute("aria-labelledby", titleId);
  svg.setAttribute("aria-describedby", descId);
  const grid = createSvgElement(document, "g");
  grid.setAttribute("class", "cells");
  grid.setAttribute("role", "grid");
  grid.setAttribute("aria-labelledby", titleId);
  const rowLabels = createSvgElement(document, "g");
  rowLabels.setAttribute("class", "row-labels");
  rowLabels.setAttribute("aria-hidden", "true");
  const columnLabels = createSvgElement(document, "g");
  columnLabels.setAttribute("class", "column-labels");
  columnLabels.setAttribute("aria-hidden", "true");
  const yTitle = createSvgElement(document, "text");
  yTitle.setAttribute("class", "y-label");
  yTitle.setAttribute("text-anchor", "middle");
  yTitle.setAttribute("transform", "rotate(-90)");
  yTitle.setAttribute("aria-hidden", "true");
  yTitle.textContent = "true class";
  const xTitle = createSvgElement(document, "text");
  xTitle.setAttribute("class", "x-label");
  xTitle.setAttribute("text-anchor", "middle");
  xTitle.setAttribute("aria-hidden", "true");
  xTitle.textContent = "predicted class";
  const selection = createSvgElement(document, "rect");
  selection.setAttribute("class", "selection");
  selection.setAttribute("fill", "none");
  selection.setAttribute("stroke", "currentColor");
  selection.setAttribute("stroke-width", "2.5");
  selection.setAttribute("pointer-events", "none");
  selection.setAttribute("display", "none");
  const ring = createSvgElement(document, "rect");
  ring.setAttribute("class", "focus-ring");
  ring.setAttribute("fill", "none");
  ring.setAttribute("stroke", "currentColor");
  ring.setAttribute("stroke-width", "2");
  ring.setAttribute("stroke-dasharray", "4,2");
  ring.setAttribute("pointer-events", "none");
  ring.setAttribute("display", "none");
  svg.append(grid, rowLabels, columnLabels, yTitle, xTitle, selection, ring);

  function classes(): number {
    return state?.matrix.length ?? 0;
  }

  function name(k: number): string {
    return state?.classNames?.[k] ?? String(k);
  }

  function ofClass(k: number): string {
    return state?.classNames?.[k] ?? `class ${k}`;
  }

  function cellLabel(d: CellDatum): string {
    const samples = `${d.count} ${d.count === 1 ? "sample" : "samples"}`;
    const share = Number.isFinite(d.share)
      ? `${percent(d.share)} of ${ofClass(d.t)}`
      : `${ofClass(d.t)} has no samples`;
    return `true ${name(d.t)}, predicted ${name(d.p)}: ${samples}, ${share}`;
  }

  function compute(): void {
    const matrix = state?.matrix ?? [];
    const c = matrix.length;
    rows = matrix.map((row, t) => {
      let total = 0;
      for (let p = 0; p < c; ++p) total += Number.isFinite(row[p]) ? row[p] : 0;
      const cells = Array.from({length: c}, (_, p) => {
        const count = Number.isFinite(row[p]) ? row[p] : 0;
        return {t, p, count, share: total > 0 ? count / total : NaN};
      });
      return {t, cells};
    });
    focus = {t: Math.min(focus.t, Math.max(0, c - 1)), p: Math.min(focus.p, Math.max(0, c - 1))};
    if (selected && (selected.true >= c || selected.predicted >= c)) selected = null;
  }

  function render(): void {
    compute();
    const {width} = current;
    const c = classes();
    const names = Array.from({length: c}, (_, k) => name(k));
    const longest = Math.max(12, ...names.map((text) => textWidth(text)));
    const left = 28 + 14 + longest;
    const right = 10;
    const top = 10;
    const inner = Math.max(1, width - left - right);
    let size = inner / Math.max(1, c);
    // Column names that do not fit under their column are turned 45°.
    const rotate = longest > size - 4;
    const labelDepth = rotate ? longest * 0.71 + 8 : 12;
    const bottom = 16 + labelDepth + 22;
    if (current.height !== undefined) size = Math.min(size, (current.height - top - bottom) / Math.max(1, c));
    size = Math.max(1, size);
    const height = current.height ?? Math.round(top + bottom + size * Math.max(1, c));
    layout = frame(width, height, {top, right, bottom, left});
    cellSize = size;
    const gridBottom = top + size * c;

    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Confusion matrix");
    setText(desc, current.description ?? describe());
    setAttribute(grid, "aria-rowcount", String(c));
    setAttribute(grid, "aria-colcount", String(c));

    const twoLines = size >= 34;
    const oneLine = size >= 18;
    select(grid)
      .selectAll<SVGGElement, RowDatum>("g.row")
      .data(rows, (d) => String(d.t))
      .join((enter) => enter.append("g").attr("class", "row").attr("role", "row"))
      .each(function (row) {
        select(this)
          .selectAll<SVGGElement, CellDatum>("g.cell")
          .data(row.cells, (d) => String(d.p))
          .join((enter) => {
            const g = enter.append("g").attr("class", "cell").attr("role", "gridcell");
            g.append("title");
            g.append("rect")
              .attr("class", "fill")
              .attr("stroke-width", 1)
              .attr("style", "stroke: var(--theme-background, white);");
            g.append("text").attr("class", "count").attr("text-anchor", "middle").attr("aria-hidden", "true");
            g.append("text")
              .attr("class", "share")
              .attr("text-anchor", "middle")
              .attr("font-size", 9)
              .attr("aria-hidden", "true");
            return g;
          })
          .each(function (d) {
            const label = cellLabel(d);
            const isFocus = d.t === focus.t && d.p === focus.p;
            const isSelected = selected !== null && selected.true === d.t && selected.predicted === d.p;
            setAttribute(this, "data-true", String(d.t));
            setAttribute(this, "data-predicted", String(d.p));
            setAttribute(this, "tabindex", isFocus ? "0" : "-1");
            setAttribute(this, "aria-label", label);
            setAttribute(this, "aria-selected", String(isSelected));
            const [tip, rect, count, share] = this.children as unknown as [
              SVGTitleElement,
              SVGRectElement,
              SVGTextElement,
              SVGTextElement
            ];
            setText(tip, label);
            const x = layout.left + d.p * size;
            const y = top + d.t * size;
            setRect(rect, px(x), px(y), px(size), px(size));
            const opacity = shareOpacity(d.share);
            // A class with no samples has no shares: its row stays a faint grey.
            setAttribute(
              rect,
              "fill",
              !Number.isFinite(d.share) ? "currentColor" : d.t === d.p ? correctColor : confusedColor
            );
            setAttribute(rect, "fill-opacity", opacity.toFixed(3));
            // White text on the deep cells, the page's text colour on the pale ones.
            const ink = opacity > 0.5 ? "white" : "currentColor";
            setAttribute(count, "fill", ink);
            setAttribute(share, "fill", ink);
            setAttribute(count, "x", String(px(x + size / 2)));
            setAttribute(share, "x", String(px(x + size / 2)));
            setAttribute(count, "y", String(px(y + size / 2 + (twoLines ? -5 : 0))));
            setAttribute(count, "dy", "0.32em");
            setAttribute(share, "y", String(px(y + size / 2 + 7)));
            setAttribute(share, "dy", "0.32em");
            setAttribute(count, "display", oneLine ? null : "none");
            setAttribute(count, "font-weight", d.t === d.p ? "bold" : null);
            setAttribute(count, "fill-opacity", d.count === 0 ? "0.4" : null);
            setAttribute(share, "display", twoLines && Number.isFinite(d.share) ? null : "none");
            setText(count, String(d.count));
            setText(share, percent(d.share));
          });
      });

    // Row labels: name and a class-colour swatch beside each row.
    select(rowLabels)
      .selectAll<SVGGElement, number>("g.label")
      .data(
        Array.from({length: c}, (_, k) => k),
        (k) => String(k)
      )
      .join((enter) => {
        const g = enter.append("g").attr("class", "label");
        g.append("rect").attr("width", 8).attr("height", 8);
        g.append("text").attr("text-anchor", "end").attr("dy", "0.32em");
        return g;
      })
      .each(function (k) {
        const cy = px(top + (k + 0.5) * size);
        setAttribute(this, "transform", `translate(${layout.left},${cy})`);
        const [swatch, text] = this.children as unknown as [SVGRectElement, SVGTextElement];
        setRect(swatch, -12, -4, 8, 8);
        setAttribute(swatch, "fill", classColor(k));
        setAttribute(text, "x", "-16");
        setText(text, name(k));
      });
    select(columnLabels)
      .selectAll<SVGGElement, number>("g.label")
      .data(
        Array.from({length: c}, (_, k) => k),
        (k) => String(k)
      )
      .join((enter) => {
        const g = enter.append("g").attr("class", "label");
        g.append("rect").attr("width", 8).attr("height", 8);
        g.append("text");
        return g;
      })
      .each(function (k) {
        const cx = px(layout.left + (k + 0.5) * size);
        setAttribute(this, "transform", `translate(${cx},${px(gridBottom)})`);
        const [swatch, text] = this.children as unknown as [SVGRectElement, SVGTextElement];
        setRect(swatch, -4, 4, 8, 8);
        setAttribute(swatch, "fill", classColor(k));
        setAttribute(text, "y", "16");
        setAttribute(text, "dy", "0.71em");
        setAttribute(text, "text-anchor", rotate ? "end" : "middle");
        setAttribute(text, "transform", rotate ? "rotate(-45,0,16)" : null);
        setText(text, name(k));
      });
    setAttribute(xTitle, "x", String(px(layout.left + (size * c) / 2)));
    setAttribute(xTitle, "y", String(px(gridBottom + 16 + labelDepth + 14)));
    setAttribute(yTitle, "x", String(px(-(top + (size * c) / 2))));
    setAttribute(yTitle, "y", "12");
    renderMarks();
  }

  // The selection and focus outlines follow their cells.
  function renderMarks(): void {
    const c = classes();
    const place = (rect: SVGRectElement, t: number, p: number, inset: number, show: boolean) => {
      setAttribute(rect, "display", show ? null : "none");
      if (!show) return;
      const x = layout.left + p * cellSize + inset;
      const y = layout.top + t * cellSize + inset;
      setRect(rect, px(x), px(y), px(cellSize - 2 * inset), px(cellSize - 2 * inset));
    };
    place(selection, selected?.true ?? 0, selected?.predicted ?? 0, 1.75, selected !== null && c > 0);
    place(ring, focus.t, focus.p, -2, focused && c > 0);
  }

  function describe(): string {
    const c = classes();
    if (c === 0) return "Confusion matrix: no data yet.";
    let total = 0;
    let correct = 0;
    let worst: CellDatum | null = null;
    for (const row of rows) {
      for (const d of row.cells) {
        total += d.count;
        if (d.t === d.p) correct += d.count;
        else if (d.count > 0 && (!worst || d.share > worst.share)) worst = d;
      }
    }
    const parts = [
      `Confusion matrix of ${c} classes: rows are the true class, columns the predicted class; each cell gives a count and its share of the true class, shaded by that share, the diagonal (correct) in blue and confusions in vermillion`,
      `${total} samples, ${total > 0 ? percent(correct / total) : "–"} on the diagonal`
    ];
    if (worst) {
      parts.push(
        `the largest confusion is true ${name(worst.t)} predicted as ${name(worst.p)}: ${worst.count} samples, ${percent(worst.share)} of ${ofClass(worst.t)}`
      );
    }
    return `${parts.join("; ")}.`;
  }

  function cellNode(t: number, p: number): SVGGElement | null {
    return grid.querySelector<SVGGElement>(`g.cell[data-true="${t}"][data-predicted="${p}"]`);
  }

  function moveFocus(t: number, p: number): void {
    const c = classes();
    if (c === 0) return;
    focus = {t: Math.max(0, Math.min(c - 1, t)), p: Math.max(0, Math.min(c - 1, p))};
    for (const node of grid.querySelectorAll("g.cell")) {
      const here =
        node.getAttribute("data-true") === String(focus.t) && node.getAttribute("data-predicted") === String(focus.p);
      setAttribute(node, "tabindex", here ? "0" : "-1");
    }
    cellNode(focus.t, focus.p)?.focus();
    renderMarks();
  }

  function setSelection(cell: ConfusionCell | null): void {
    const same =
      (cell === null && selected === null) ||
      (cell !== null && selected !== null && cell.true === selected.true && cell.predicted === selected.predicted);
    if (same) return;
    selected = cell;
    for (const node of grid.querySelectorAll("g.cell")) {
      const on =
        selected !== null &&
        node.getAttribute("data-true") === String(selected.true) &&
        node.getAttribute("data-predicted") === String(selected.predicted);
      setAttribute(node, "aria-selected", String(on));
    }
    renderMarks();
    const view = document.defaultView;
    const EventType = view?.Event ?? Event;
    svg.dispatchEvent(new EventType("input", {bubbles: true}));
  }

  function cellOf(target: EventTarget | null): CellDatum | null {
    const node = (target as Element | null)?.closest?.("g.cell");
    if (!node || !grid.contains(node)) return null;
    return {
      t: Number(node.getAttribute("data-true")),
      p: Number(node.getAttribute("data-predicted")),
      count: 0,
      share: NaN
    };
  }

  const listeners = new (document.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  const signal = listeners.signal;
  grid.addEventListener(
    "keydown",
    (event) => {
      const e = event as KeyboardEvent;
      const c = classes();
      const moves: Record<string, [number, number]> = {
        ArrowUp: [focus.t - 1, focus.p],
        ArrowDown: [focus.t + 1, focus.p],
        ArrowLeft: [focus.t, focus.p - 1],
        ArrowRight: [focus.t, focus.p + 1],
        Home: [e.ctrlKey ? 0 : focus.t, 0],
        End: [e.ctrlKey ? c - 1 : focus.t, c - 1]
      };
      if (e.key in moves) {
        e.preventDefault();
        moveFocus(...moves[e.key]);
      } else if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        const same = selected && selected.true === focus.t && selected.predicted === focus.p;
        setSelection(same ? null : {true: focus.t, predicted: focus.p});
      } else if (e.key === "Escape" && selected) {
        e.preventDefault();
        setSelection(null);
      }
    },
    {signal}
  );
  grid.addEventListener(
    "click",
    (event) => {
      const d = cellOf(event.target);
      if (!d) return;
      moveFocus(d.t, d.p);
      const same = selected && selected.true === d.t && selected.predicted === d.p;
      setSelection(same ? null : {true: d.t, predicted: d.p});
    },
    {signal}
  );
  grid.addEventListener(
    "focusin",
    (event) => {
      const d = cellOf(event.target);
      if (d) focus = {t: d.t, p: d.p};
      focused = true;
      renderMarks();
    },
    {signal}
  );
  grid.addEventListener(
    "focusout",
    () => {
      focused = false;
      renderMarks();
    },
    {signal}
  );

  render();

  const element = svg as ConfusionMatrixElement;
  Object.defineProperty(element, "value", {
    get: () => (selected ? {...selected} : null),
    set: (next: ConfusionCell | null) => {
      const c = classes();
      selected =
        next && next.true >= 0 && next.true < c && next.predicted >= 0 && next.predicted < c ? {...next} : null;
      render();
    },
    configurable: true
  });
  element.update = function (
    this: ConfusionMatrixElement,
    next: ConfusionMatrixData | null,
    nextOptions?: Partial<ConfusionMatrixOptions>
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
    focused = false;
    renderMarks();
  };
  element.toSVG = function () {
    return svgMarkup(svg);
  };
  element.toRows = function (): Row[] {
    const named = Boolean(state?.classNames);
    return rows.flatMap((row) =>
      row.cells.map((d) => ({
        true: d.t,
        predicted: d.p,
        ...(named ? {trueName: name(d.t), predictedName: name(d.p)} : {}),
        count: d.count,
        rowShare: Number.isFinite(d.share) ? d.share : null
      }))
    );
  };
  return element;
}
