import {scaleLinear, scaleLog} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createReadout} from "./internal/readout.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {downsampleMinMax, gap} from "./internal/downsample.js";
import {formatStep, formatValue, nearestIndex, px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import type {AxisScale, Frame} from "./internal/frame.js";
import {armColor} from "./internal/palette.js";
import {createClipRect, createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** One line of a training-curve chart: y against x (steps), both plain arrays that may grow between updates. */
export interface CurveSeries {
  /** Identity for the keyed join: the same key keeps the same <path>. */
  key: string;
  /** Name in the legend and the read-out, e.g. "focal · test". */
  label: string;
  /** Steps, non-decreasing. */
  x: ArrayLike<number>;
  /** Values; non-finite values (and values ≤ 0 on a log scale) leave gaps. */
  y: ArrayLike<number>;
  /** "baseline" | "method" | another arm: picks the colour through armColor. */
  role?: string;
  /** Dashed line, e.g. test next to solid train. */
  dashed?: boolean;
  /** Overrides the role's colour. */
  color?: string;
}

export interface LossCurveOptions {
  /** Width in pixels (default 640); the figure shrinks with its container. */
  width: number;
  /** Height in pixels; default derived from the width (220 at 640). */
  height?: number;
  title?: string;
  description?: string;
  xLabel: string;
  yLabel: string;
  yScale: "linear" | "log";
  /** Fixed y domain; default: the nice extent of the visible data. */
  yDomain?: [number, number];
  /** Fixed x domain; default: the extent of the data. */
  xDomain?: [number, number];
  document?: Document;
  legend: boolean;
}

export type LossCurveElement = SVGSVGElement & ComponentElement<CurveSeries[] | null, LossCurveOptions> & Exportable;

const defaults: LossCurveOptions = {width: 640, xLabel: "step", yLabel: "", yScale: "linear", legend: true};

/** Default height for a width: 11/32 of it (220 px at 640), kept between 160 and 360 px. */
export function lossCurveHeight(width: number): number {
  return Math.max(160, Math.min(360, Math.round((width * 11) / 32)));
}

const legendRow = 16;
const legendSwatch = 18;

/** The colour of each series: its own colour, else its role's (other roles in order of appearance). */
export function seriesColors(series: readonly CurveSeries[]): string[] {
  const others = new Map<string, number>();
  return series.map((s) => {
    if (s.color) return s.color;
    const role = s.role ?? s.key;
    if (role === "baseline" || role === "method") return armColor(role);
    if (!others.has(role)) others.set(role, others.size);
    return armColor(role, others.get(role));
  });
}

interface LegendItem {
  series: CurveSeries;
  color: string;
  x: number;
  y: number;
}

function layoutLegend(series: readonly CurveSeries[], colors: string[], left: number, right: number): LegendItem[] {
  let x = left;
  let y = 0;
  return series.map((s, i) => {
    const w = legendSwatch + 6 + textWidth(s.label) + 14;
    if (x > left && x + w > right) {
      x = left;
      y += legendRow;
    }
    const item = {series: s, color: colors[i], x, y};
    x += w;
    return item;
  });
}

function dataExtent(series: readonly CurveSeries[], xDomain: [number, number] | undefined, log: boolean) {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of series) {
    const n = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < n; ++i) {
      const x = s.x[i];
      const y = s.y[i];
      if (!Number.isFinite(x)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (!Number.isFinite(y) || (log && y <= 0)) continue;
      if (xDomain && (x < xDomain[0] || x > xDomain[1])) continue;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return {x: [x0, x1] as [number, number], y: [y0, y1] as [number, number]};
}

function xDomainOf([x0, x1]: [number, number]): [number, number] {
  if (!(x0 <= x1)) return [0, 1];
  if (x0 === x1) return [x0 - 1, x1 + 1];
  return [x0, x1];
}

function yDomainOf([y0, y1]: [number, number], log: boolean): [number, number] {
  if (!(y0 <= y1)) return log ? [0.1, 1] : [0, 1];
  if (y0 === y1) {
    if (log) return [y0 / 10, y1 * 10];
    const pad = y0 === 0 ? 1 : Math.abs(y0) * 0.1;
    return [y0 - pad, y1 + pad];
  }
  return [y0, y1];
}

function linePath(indices: Int32Array, s: CurveSeries, x: AxisScale, y: AxisScale): string {
  let path = "";
  let move = true;
  for (let j = 0; j < indices.length; ++j) {
    const i = indices[j];
    if (i === gap) {
      move = true;
      continue;
    }
    path += `${move ? "M" : "L"}${px(x(s.x[i]))},${px(y(s.y[i]))}`;
    move = false;
  }
  return path;
}

// Index of the x nearest to `value` in a non-decreasing array; −1 when empty.
/**
 * A streaming line chart of training curves (loss and metrics against step, twin runs in their arm
 * colours, test dashed next to train). Long series are decimated per pixel column keeping each
 * column's minimum and maximum, so update() stays cheap enough to call every animation frame; a
 * pointer read-out shows every series' value at the nearest step.
 */
export function LossCurve(data: CurveSeries[] | null = [], options: Partial<LossCurveOptions> = {}): LossCurveElement {
  const document = documentOf(options);
  let current: LossCurveOptions = {...defaults, ...options};
  let series: CurveSeries[] = data ?? [];
  let destroyed = false;

  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-loss-curve");
  const clip = createClipRect(document, defs);
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const lines = createSvgElement(document, "g");
  lines.setAttribute("class", "lines");
  lines.setAttribute("clip-path", `url(#${clip.id})`);
  lines.setAttribute("fill", "none");
  lines.setAttribute("stroke-width", "1.5");
  lines.setAttribute("stroke-linejoin", "round");
  lines.setAttribute("stroke-linecap", "round");
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  const {readout, rule, dots, box, boxBackground, boxStep, boxRows} = createReadout(document);
  const overlay = createSvgElement(document, "rect");
  overlay.setAttribute("class", "overlay");
  overlay.setAttribute("fill", "none");
  overlay.setAttribute("pointer-events", "all");
  svg.append(xAxis, yAxis, lines, legend, readout, overlay);

  let layout: Frame = frame(current.width, 0, {top: 0, right: 0, bottom: 0, left: 0});
  let x: AxisScale = scaleLinear();
  let y: AxisScale = scaleLinear();
  let colors: string[] = [];
  let hoverX: number | undefined; // plot x of the pointer while it hovers

  function render(): void {
    const {width, xLabel, yLabel, legend: showLegend} = current;
    const height = current.height ?? lossCurveHeight(width);
    const log = current.yScale === "log";
    colors = seriesColors(series);
    const right = 16;
    const left = 52;
    const items = showLegend ? layoutLegend(series, colors, left, width - right) : [];
    const rows = items.length ? items[items.length - 1].y / legendRow + 1 : 0;
    const top = rows ? 10 + rows * legendRow : 12;
    layout = frame(width, height, {top, right, bottom: 36, left});
    setSvgSize(svg, width, height);

    const extent = dataExtent(series, current.xDomain, log);
    x = scaleLinear()
      .domain(current.xDomain ?? xDomainOf(extent.x))
      .range([layout.left, layout.left + layout.innerWidth]);
    const yd = current.yDomain ?? yDomainOf(extent.y, log);
    y = (log ? scaleLog() : scaleLinear()).domain(yd).range([layout.top + layout.innerHeight, layout.top]);
    if (!current.yDomain) y.nice(Math.max(2, Math.round(layout.innerHeight / 40)));

    setText(title, current.title ?? "Training curves");
    setText(desc, current.description ?? describe());
    setRect(clip.rect, layout.left, layout.top - 2, layout.innerWidth, layout.innerHeight + 4);
    setRect(overlay, layout.left, layout.top, layout.innerWidth, layout.innerHeight);

    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: layout.top + layout.innerHeight,
      ticks: Math.max(2, Math.round(layout.innerWidth / 80)),
      label: xLabel,
      format: formatStep
    });
    const yTicks = Math.max(2, Math.round(layout.innerHeight / 40));
    renderAxis(yAxis, y, {
      orient: "left",
      offset: layout.left,
      ticks: yTicks,
      label: log ? `${yLabel || "value"} (log scale)` : yLabel,
      grid: layout.innerWidth,
      format: log ? (y as AxisScale).tickFormat(yTicks, "~g") : undefined
    });

    const [d0, d1] = x.domain();
    const defined = log ? (v: number) => v > 0 && Number.isFinite(v) : Number.isFinite;
    select(lines)
      .selectAll<SVGPathElement, CurveSeries>("path")
      .data(series, (s) => s.key)
      .join("path")
      .each(function (s, i) {
        const indices = downsampleMinMax(s.x, s.y, {x0: d0, x1: d1, buckets: layout.innerWidth, defined});
        setAttribute(this, "data-key", s.key);
        setAttribute(this, "stroke", colors[i]);
        setAttribute(this, "stroke-dasharray", s.dashed ? "5,3" : null);
        setAttribute(this, "d", linePath(indices, s, x, y));
      });

    setAttribute(legend, "display", showLegend ? null : "none");
    setAttribute(legend, "transform", "translate(0,8)");
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(items, (d) => d.series.key)
      .join((enter) => {
        const item = enter.append("g").attr("class", "item");
        item.append("line").attr("x2", legendSwatch).attr("y1", 6).attr("y2", 6).attr("stroke-width", 2);
        item
          .append("text")
          .attr("x", legendSwatch + 6)
          .attr("y", 6)
          .attr("dy", "0.32em");
        return item;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${d.x},${d.y})`);
        const [line, text] = this.children as unknown as [SVGLineElement, SVGTextElement];
        setAttribute(line, "stroke", d.color);
        setAttribute(line, "stroke-dasharray", d.series.dashed ? "5,3" : null);
        setText(text, d.series.label);
      });

    renderReadout();
  }

  function describe(): string {
    const what = current.yLabel || "values";
    const scale = current.yScale === "log" ? " on a log scale" : "";
    const names = series.map((s) => s.label).join(", ");
    return `Line chart of ${what}${scale} against ${current.xLabel} for ${series.length} series${names ? `: ${names}` : ""}.`;
  }

  function renderReadout(): void {
    if (hoverX === undefined || series.length === 0) {
      setAttribute(readout, "display", "none");
      return;
    }
    const target = x.invert(hoverX);
    // The step shown is the data step nearest the pointer over all series.
    let step = NaN;
    for (const s of series) {
      const i = nearestIndex(s.x, Math.min(s.x.length, s.y.length), target);
      if (i >= 0 && !(Math.abs(s.x[i] - target) >= Math.abs(step - target))) step = s.x[i];
    }
    if (!Number.isFinite(step)) {
      setAttribute(readout, "display", "none");
      return;
    }
    const log = current.yScale === "log";
    const rows = series.map((s, k) => {
      const n = Math.min(s.x.length, s.y.length);
      const i = nearestIndex(s.x, n, step);
      const value = i >= 0 && s.x[i] === step ? s.y[i] : NaN;
      const shown = Number.isFinite(value) && !(log && value <= 0);
      return {series: s, color: colors[k], value, shown};
    });
    const sx = px(x(step));
    setAttribute(readout, "display", null);
    setAttribute(rule, "x1", String(sx));
    setAttribute(rule, "x2", String(sx));
    setAttribute(rule, "y1", String(layout.top));
    setAttribute(rule, "y2", String(layout.top + layout.innerHeight));
    select(dots)
      .selectAll<SVGCircleElement, (typeof rows)[number]>("circle")
      .data(rows, (d) => d.series.key)
      .join((enter) => enter.append("circle").attr("r", 3))
      .each(function (d) {
        setAttribute(this, "display", d.shown ? null : "none");
        setAttribute(this, "fill", d.color);
        setAttribute(this, "cx", String(sx));
        setAttribute(this, "cy", d.shown ? String(px(y(d.value))) : "0");
      });
    const lines = rows.map((d) => `${d.series.label} ${formatValue(d.value)}`);
    setText(boxStep, `${current.xLabel} ${formatStep(step)}`);
    setAttribute(boxStep, "x", "8");
    setAttribute(boxStep, "y", "14");
    select(boxRows)
      .selectAll<SVGGElement, (typeof rows)[number]>("g.row")
      .data(rows, (d) => d.series.key)
      .join((enter) => {
        const row = enter.append("g").attr("class", "row");
        row.append("line").attr("x1", 8).attr("x2", 22).attr("stroke-width", 2);
        row.append("text").attr("x", 28).attr("dy", "0.32em");
        return row;
      })
      .each(function (d, i) {
        setAttribute(this, "transform", `translate(0,${28 + i * 14})`);
        const [line, text] = this.children as unknown as [SVGLineElement, SVGTextElement];
        setAttribute(line, "stroke", d.color);
        setAttribute(line, "stroke-dasharray", d.series.dashed ? "4,2" : null);
        setText(text, lines[i]);
      });
    const boxWidth = 36 + Math.max(textWidth(boxStep.textContent ?? "") - 20, ...lines.map((text) => textWidth(text)));
    const boxHeight = 22 + rows.length * 14;
    setRect(boxBackground, 0, 0, boxWidth, boxHeight);
    // Beside the rule, on whichever side has room.
    const bx = sx + 8 + boxWidth <= layout.left + layout.innerWidth ? sx + 8 : sx - 8 - boxWidth;
    setAttribute(box, "transform", `translate(${px(bx)},${layout.top})`);
  }

  // Pointer position in SVG user units; CSS may scale the figure, so divide by the rendered size.
  function pointerX(event: MouseEvent): number {
    const rect = svg.getBoundingClientRect();
    const scale = rect.width > 0 ? current.width / rect.width : 1;
    return (event.clientX - rect.left) * scale;
  }

  const listeners = new (document.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  overlay.addEventListener(
    "pointermove",
    (event) => {
      const px = pointerX(event as MouseEvent);
      hoverX = Math.max(layout.left, Math.min(layout.left + layout.innerWidth, px));
      renderReadout();
    },
    {signal: listeners.signal}
  );
  overlay.addEventListener(
    "pointerleave",
    () => {
      hoverX = undefined;
      renderReadout();
    },
    {signal: listeners.signal}
  );

  render();

  const element = svg as LossCurveElement;
  element.update = function (
    this: LossCurveElement,
    next: CurveSeries[] | null,
    nextOptions?: Partial<LossCurveOptions>
  ) {
    if (destroyed) return this;
    series = next ?? [];
    if (nextOptions) current = {...current, ...nextOptions};
    render();
    return this;
  };
  element.toSVG = () => svgMarkup(svg);
  element.toRows = () => {
    const rows: Row[] = [];
    for (const s of series) {
      const n = Math.min(s.x.length, s.y.length);
      for (let i = 0; i < n; ++i) rows.push({series: s.label, role: s.role ?? "", step: s.x[i], value: s.y[i]});
    }
    return rows;
  };
  element.destroy = function () {
    destroyed = true;
    listeners.abort();
    hoverX = undefined;
    setAttribute(readout, "display", "none");
  };
  return element;
}
