import {scaleLinear, scaleLog} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {float32Value, formatValue, px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import type {AxisScale, Frame} from "./internal/frame.js";
import {createReadout} from "./internal/readout.js";
import {createClipRect, createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";
import {seriesColors} from "./lossCurve.js";

/**
 * One 1-D slice L(α) = L((1 − α)·θ₀ + α·θ₁): the loss at coefficients `alpha` (ascending, usually
 * running beyond both ends, e.g. −0.5 … 1.5), shaped like the landscape engine's 1-D result, so
 * `{...lineSlice, label, role}` is a curve.
 */
export interface SliceCurve {
  /** Identity for the keyed join (default: the label). */
  key?: string;
  /** Name in the legend and the read-out, e.g. "cross-entropy" or "label smoothing". */
  label: string;
  /** Interpolation coefficients α, ascending. */
  alpha: ArrayLike<number>;
  /** Loss at each α; non-finite values (and values ≤ 0 on a log scale) leave gaps. */
  values: ArrayLike<number>;
  /** "baseline" | "method" | another arm: picks the colour through armColor. */
  role?: string;
  color?: string;
  dashed?: boolean;
}

/** The slices to draw and what their ends are. */
export interface SliceData {
  curves: SliceCurve[];
  /** What α = 0 and α = 1 are, e.g. ["initial", "current"] or ["cross-entropy arm", "label-smoothing arm"]. */
  endpoints?: [string, string];
}

export interface LossSliceOptions {
  /** Width in pixels (default 480); the figure shrinks with its container. */
  width: number;
  /** Height in pixels (default 260). */
  height?: number;
  title?: string;
  description?: string;
  /** The y axis: "linear" (default) or "log". */
  scale: "linear" | "log";
  xLabel: string;
  yLabel: string;
  /** Fixed y domain (e.g. shared by twin figures); default: the extent of the data. */
  yDomain?: [number, number];
  legend: boolean;
  document?: Document;
}

export type LossSliceElement = SVGSVGElement & ComponentElement<SliceData | null, LossSliceOptions> & Exportable;

const defaults: LossSliceOptions = {
  width: 480,
  scale: "linear",
  xLabel: "interpolation coefficient α",
  yLabel: "loss",
  legend: true
};

/** The value of a curve at α by linear interpolation between its samples; NaN outside its range or at a gap. */
export function sliceValueAt(curve: SliceCurve, alpha: number): number {
  const {alpha: a, values} = curve;
  const n = Math.min(a.length, values.length);
  if (n === 0 || !(alpha >= a[0] && alpha <= a[n - 1])) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= alpha) lo = mid;
    else hi = mid;
  }
  if (a[lo] === alpha) return values[lo];
  if (a[hi] === alpha) return values[hi];
  const t = (alpha - a[lo]) / (a[hi] - a[lo]);
  return values[lo] + t * (values[hi] - values[lo]);
}

function keyOf(curve: SliceCurve): string {
  return curve.key ?? curve.label;
}

/** Every α of every curve, ascending and without repeats: the stops of the keyboard read-out. */
function alphaStops(curves: readonly SliceCurve[]): number[] {
  const all = new Set<number>();
  for (const c of curves) {
    const n = Math.min(c.alpha.length, c.values.length);
    for (let i = 0; i < n; ++i) if (Number.isFinite(c.alpha[i])) all.add(c.alpha[i]);
  }
  return [...all].sort((p, q) => p - q);
}

interface EndpointDatum {
  key: string;
  curve: number;
  alpha: 0 | 1;
  value: number;
}

interface LegendItem {
  key: string;
  label: string;
  color: string;
  dashed: boolean;
  x: number;
  y: number;
}

const legendRow = 16;

/**
 * A 1-D slice of a loss landscape, L(α) along the line through two parameter sets (initial → current
 * weights, or the two arms of a twin run), usually including the parts beyond both ends. Dashed rules
 * mark α = 0 and α = 1, labelled with what they are (data.endpoints), and each curve has a dot at both
 * ends; several curves (twin runs) take their arm colours. Log y option.
 *
 * Keyboard and pointer: the plot is one tab stop; arrow keys step the read-out through the sampled α
 * values (Shift: five at a time), Home / End go to the first / last, 0 and 1 jump to the endpoints.
 * The read-out (a polite live region) shows every curve's loss at that α.
 */
export function LossSlice(data: SliceData | null = null, options: Partial<LossSliceOptions> = {}): LossSliceElement {
  const document = documentOf(options);
  let current: LossSliceOptions = {...defaults, ...options};
  let state: SliceData | null = data;
  let destroyed = false;

  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-loss-slice");
  svg.setAttribute("role", "figure");
  const [titleId, descId] = svg.getAttribute("aria-labelledby")!.split(" ");
  svg.setAttribute("aria-labelledby", titleId);
  svg.setAttribute("aria-describedby", descId);
  const clip = createClipRect(document, defs);
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const plot = createSvgElement(document, "g");
  plot.setAttribute("class", "plot");
  plot.setAttribute("tabindex", "0");
  plot.setAttribute("role", "application");
  plot.setAttribute("aria-roledescription", "slice plot");
  plot.setAttribute("aria-label", "Loss slice: arrow keys move a read-out along α, 0 and 1 jump to the endpoints");
  plot.setAttribute("style", "outline: none;");
  const overlay = createSvgElement(document, "rect");
  overlay.setAttribute("class", "overlay");
  overlay.setAttribute("fill", "none");
  overlay.setAttribute("pointer-events", "all");
  const focusFrame = createSvgElement(document, "rect");
  focusFrame.setAttribute("class", "focus-frame");
  focusFrame.setAttribute("fill", "none");
  focusFrame.setAttribute("stroke", "currentColor");
  focusFrame.setAttribute("stroke-width", "2");
  focusFrame.setAttribute("display", "none");
  const rules = createSvgElement(document, "g");
  rules.setAttribute("class", "endpoints");
  rules.setAttribute("aria-hidden", "true");
  const lines = createSvgElement(document, "g");
  lines.setAttribute("class", "lines");
  lines.setAttribute("clip-path", `url(#${clip.id})`);
  lines.setAttribute("fill", "none");
  lines.setAttribute("stroke-width", "1.75");
  lines.setAttribute("stroke-linejoin", "round");
  const ends = createSvgElement(document, "g");
  ends.setAttribute("class", "end-dots");
  ends.setAttribute("stroke-width", "1.25");
  ends.setAttribute("style", "stroke: var(--theme-background, white);");
  ends.setAttribute("aria-hidden", "true");
  plot.append(overlay, focusFrame, rules, lines, ends);
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  legend.setAttribute("aria-hidden", "true");
  const {readout, rule, dots, box, boxBackground, boxStep, boxRows} = createReadout(document);
  readout.setAttribute("aria-live", "polite");
  svg.append(xAxis, yAxis, plot, legend, readout);

  let layout: Frame = frame(current.width, 260, {top: 0, right: 0, bottom: 0, left: 0});
  let x: AxisScale = scaleLinear();
  let y: AxisScale = scaleLinear();
  let colors: string[] = [];
  let stops: number[] = [];
  let cursor: number | null = null; // index into stops
  let focused = false;
  let hovering = false;

  function curves(): SliceCurve[] {
    return state?.curves ?? [];
  }

  function endpointLabels(): [string, string] {
    return state?.endpoints ?? ["α = 0", "α = 1"];
  }

  function render(): void {
    const {width, legend: showLegend} = current;
    const height = current.height ?? 260;
    const log = current.scale === "log";
    const list = curves();
    colors = seriesColors(
      list.map((c) => ({key: keyOf(c), label: c.label, x: [], y: [], role: c.role, color: c.color}))
    );
    const items = showLegend ? layoutLegend(list, width - 16) : [];
    const rows = items.length ? items[items.length - 1].y / legendRow + 1 : 0;
    // Room on top for the legend and the endpoint labels.
    const top = 10 + rows * legendRow + 16;
    layout = frame(width, height, {top, right: 16, bottom: 38, left: 52});
    setSvgSize(svg, width, height);

    // x: the sampled range, always including both endpoints.
    let x0 = 0;
    let x1 = 1;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const c of list) {
      const n = Math.min(c.alpha.length, c.values.length);
      for (let i = 0; i < n; ++i) {
        const a = c.alpha[i];
        const v = c.values[i];
        if (!Number.isFinite(a)) continue;
        x0 = Math.min(x0, a);
        x1 = Math.max(x1, a);
        if (!Number.isFinite(v) || (log && v <= 0)) continue;
        y0 = Math.min(y0, v);
        y1 = Math.max(y1, v);
      }
    }
    x = scaleLinear()
      .domain([x0, x1])
      .range([layout.left, layout.left + layout.innerWidth]);
    let yd: [number, number] = current.yDomain ?? [y0, y1];
    if (!(yd[0] <= yd[1]) || (log && !(yd[0] > 0))) yd = log ? [0.1, 1] : [0, 1];
    else if (yd[0] === yd[1]) yd = log ? [yd[0] / 2, yd[1] * 2] : [yd[0] - 1, yd[1] + 1];
    y = (log ? scaleLog() : scaleLinear()).domain(yd).range([layout.top + layout.innerHeight, layout.top]);
    if (!current.yDomain) y.nice(Math.max(2, Math.round(layout.innerHeight / 40)));

    setText(title, current.title ?? "Loss along a line");
    setRect(clip.rect, layout.left, layout.top - 2, layout.innerWidth, layout.innerHeight + 4);
    setRect(overlay, layout.left, layout.top, layout.innerWidth, layout.innerHeight);
    setRect(focusFrame, layout.left - 2, layout.top - 2, layout.innerWidth + 4, layout.innerHeight + 4);
    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: layout.top + layout.innerHeight,
      ticks: Math.max(2, Math.round(layout.innerWidth / 70)),
      label: current.xLabel
    });
    const yTicks = Math.max(2, Math.round(layout.innerHeight / 40));
    renderAxis(yAxis, y, {
      orient: "left",
      offset: layout.left,
      ticks: yTicks,
      label: log ? `${current.yLabel} (log scale)` : current.yLabel,
      grid: layout.innerWidth,
      format: log ? y.tickFormat(yTicks, "~g") : undefined
    });

    // Endpoint rules at α = 0 and α = 1 with their labels above the plot.
    const [label0, label1] = endpointLabels();
    select(rules)
      .selectAll<SVGGElement, {alpha: number; label: string}>("g.endpoint")
      .data(
        [
          {alpha: 0, label: label0},
          {alpha: 1, label: label1}
        ],
        (d) => String(d.alpha)
      )
      .join((enter) => {
        const g = enter.append("g").attr("class", "endpoint");
        g.append("line").attr("stroke", "currentColor").attr("stroke-opacity", 0.5).attr("stroke-dasharray", "4,3");
        g.append("text").attr("text-anchor", "middle").attr("dy", "-0.4em");
        return g;
      })
      .each(function (d) {
        const [line, text] = this.children as unknown as [SVGLineElement, SVGTextElement];
        setAttribute(this, "transform", `translate(${px(x(d.alpha))},0)`);
        setAttribute(line, "y1", String(layout.top));
        setAttribute(line, "y2", String(layout.top + layout.innerHeight));
        setAttribute(text, "y", String(layout.top));
        setText(text, state?.endpoints ? `${d.label} (α = ${d.alpha})` : d.label);
      });

    const defined = (v: number) => Number.isFinite(v) && (!log || v > 0);
    select(lines)
      .selectAll<SVGPathElement, SliceCurve>("path")
      .data(list, keyOf)
      .join("path")
      .each(function (c, k) {
        let d = "";
        let move = true;
        const n = Math.min(c.alpha.length, c.values.length);
        for (let i = 0; i < n; ++i) {
          if (!Number.isFinite(c.alpha[i]) || !defined(c.values[i])) {
            move = true;
            continue;
          }
          d += `${move ? "M" : "L"}${px(x(c.alpha[i]))},${px(y(c.values[i]))}`;
          move = false;
        }
        setAttribute(this, "data-key", keyOf(c));
        setAttribute(this, "stroke", colors[k]);
        setAttribute(this, "stroke-dasharray", c.dashed ? "5,3" : null);
        setAttribute(this, "d", d);
      });

    const endDots: EndpointDatum[] = [];
    list.forEach((c, k) => {
      for (const alpha of [0, 1] as const) {
        const value = sliceValueAt(c, alpha);
        if (defined(value)) endDots.push({key: `${keyOf(c)}@${alpha}`, curve: k, alpha, value});
      }
    });
    select(ends)
      .selectAll<SVGPathElement, EndpointDatum>("path")
      .data(endDots, (d) => d.key)
      .join((enter) => enter.append("path").call((p) => p.append("title")))
      .each(function (d) {
        // α = 0 a circle, α = 1 a square: the ends differ by shape as well as by label.
        const cx = px(x(d.alpha));
        const cy = px(y(d.value));
        setAttribute(
          this,
          "d",
          d.alpha === 0 ? `M${cx - 4},${cy}a4,4 0 1,0 8,0a4,4 0 1,0 -8,0Z` : `M${cx - 3.5},${cy - 3.5}h7v7h-7Z`
        );
        setAttribute(this, "fill", colors[d.curve]);
        setText(
          this.firstElementChild!,
          `${list[d.curve].label} at ${endpointLabels()[d.alpha]}: ${formatValue(d.value)}`
        );
      });

    renderLegend(items);
    stops = alphaStops(list);
    if (cursor !== null) cursor = stops.length ? Math.min(cursor, stops.length - 1) : null;
    renderReadout();
    setAttribute(plot, "tabindex", destroyed ? null : "0");
    setText(desc, current.description ?? describe());
  }

  function layoutLegend(list: readonly SliceCurve[], right: number): LegendItem[] {
    let lx = 52;
    let ly = 0;
    return list.map((c, k) => {
      const w = 24 + textWidth(c.label) + 14;
      if (lx > 52 && lx + w > right) {
        lx = 52;
        ly += legendRow;
      }
      const item = {key: keyOf(c), label: c.label, color: colors[k], dashed: Boolean(c.dashed), x: lx, y: ly};
      lx += w;
      return item;
    });
  }

  function renderLegend(items: LegendItem[]): void {
    setAttribute(legend, "transform", "translate(0,8)");
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(items, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "item");
        g.append("line").attr("x2", 18).attr("y1", 6).attr("y2", 6).attr("stroke-width", 2);
        g.append("text").attr("x", 24).attr("y", 6).attr("dy", "0.32em");
        return g;
      })
      .each(function (d) {
        const [line, text] = this.children as unknown as [SVGLineElement, SVGTextElement];
        setAttribute(this, "transform", `translate(${d.x},${d.y})`);
        setAttribute(line, "stroke", d.color);
        setAttribute(line, "stroke-dasharray", d.dashed ? "5,3" : null);
        setText(text, d.label);
      });
  }

  function renderReadout(): void {
    setAttribute(focusFrame, "display", focused ? null : "none");
    const list = curves();
    if (cursor === null || !(focused || hovering) || stops.length === 0) {
      setAttribute(readout, "display", "none");
      return;
    }
    const alpha = stops[cursor];
    const log = current.scale === "log";
    const rows = list.map((c, k) => {
      const value = sliceValueAt(c, alpha);
      return {
        key: keyOf(c),
        label: c.label,
        color: colors[k],
        dashed: c.dashed,
        value,
        shown: Number.isFinite(value) && !(log && value <= 0)
      };
    });
    const sx = px(x(alpha));
    setAttribute(readout, "display", null);
    setAttribute(rule, "x1", String(sx));
    setAttribute(rule, "x2", String(sx));
    setAttribute(rule, "y1", String(layout.top));
    setAttribute(rule, "y2", String(layout.top + layout.innerHeight));
    select(dots)
      .selectAll<SVGCircleElement, (typeof rows)[number]>("circle")
      .data(rows, (d) => d.key)
      .join((enter) => enter.append("circle").attr("r", 3))
      .each(function (d) {
        setAttribute(this, "display", d.shown ? null : "none");
        setAttribute(this, "fill", d.color);
        setAttribute(this, "cx", String(sx));
        setAttribute(this, "cy", d.shown ? String(px(y(d.value))) : "0");
      });
    const [label0, label1] = endpointLabels();
    const named = state?.endpoints !== undefined;
    const where = named && alpha === 0 ? ` (${label0})` : named && alpha === 1 ? ` (${label1})` : "";
    const heading = `α ${formatValue(alpha)}${where}`;
    const texts = rows.map((d) => `${d.label} ${formatValue(d.value)}`);
    setText(boxStep, heading);
    setAttribute(boxStep, "x", "8");
    setAttribute(boxStep, "y", "14");
    select(boxRows)
      .selectAll<SVGGElement, (typeof rows)[number]>("g.row")
      .data(rows, (d) => d.key)
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
        setAttribute(line, "stroke-dasharray", d.dashed ? "4,2" : null);
        setText(text, texts[i]);
      });
    const boxWidth = 36 + Math.max(textWidth(heading) - 20, ...texts.map((t) => textWidth(t)));
    const boxHeight = 22 + rows.length * 14;
    setRect(boxBackground, 0, 0, boxWidth, boxHeight);
    const bx = sx + 8 + boxWidth <= layout.left + layout.innerWidth ? sx + 8 : sx - 8 - boxWidth;
    setAttribute(box, "transform", `translate(${px(bx)},${layout.top})`);
  }

  function describe(): string {
    const list = curves();
    if (list.length === 0) return "Loss along a line between two parameter sets; no slice yet.";
    const [label0, label1] = endpointLabels();
    const [d0, d1] = x.domain();
    const parts = [
      `Line chart of ${current.yLabel}${current.scale === "log" ? " on a log scale" : ""} along the line from ${state?.endpoints ? `${label0} (α = 0) to ${label1} (α = 1)` : "α = 0 to α = 1"}, α from ${formatValue(d0)} to ${formatValue(d1)}`
    ];
    for (const c of list) {
      parts.push(
        `${c.label}: ${formatValue(sliceValueAt(c, 0))} at α = 0, ${formatValue(sliceValueAt(c, 1))} at α = 1, lowest ${formatValue(lowest(c))}`
      );
    }
    return `${parts.join("; ")}.`;
  }

  function lowest(c: SliceCurve): number {
    let best = Infinity;
    const n = Math.min(c.alpha.length, c.values.length);
    for (let i = 0; i < n; ++i) if (Number.isFinite(c.values[i]) && c.values[i] < best) best = c.values[i];
    return best;
  }

  function moveTo(index: number): void {
    if (stops.length === 0) return;
    cursor = Math.max(0, Math.min(stops.length - 1, index));
    renderReadout();
  }

  function nearestStop(alpha: number): number {
    let best = 0;
    for (let k = 1; k < stops.length; ++k) if (Math.abs(stops[k] - alpha) < Math.abs(stops[best] - alpha)) best = k;
    return best;
  }

  const listeners = new (document.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  const on = (target: EventTarget, type: string, handler: (event: Event) => void) =>
    target.addEventListener(type, handler, {signal: listeners.signal});
  on(plot, "focus", () => {
    focused = true;
    if (cursor === null && stops.length) cursor = nearestStop(1);
    renderReadout();
  });
  on(plot, "blur", () => {
    focused = false;
    renderReadout();
  });
  on(plot, "keydown", (event) => {
    const e = event as KeyboardEvent;
    if (stops.length === 0) return;
    const step = e.shiftKey ? 5 : 1;
    const at = cursor ?? nearestStop(1);
    if (e.key === "ArrowRight" || e.key === "ArrowUp") moveTo(at + step);
    else if (e.key === "ArrowLeft" || e.key === "ArrowDown") moveTo(at - step);
    else if (e.key === "Home") moveTo(0);
    else if (e.key === "End") moveTo(stops.length - 1);
    else if (e.key === "0") moveTo(nearestStop(0));
    else if (e.key === "1") moveTo(nearestStop(1));
    else if (e.key === "Escape") setAttribute(readout, "display", "none");
    else return;
    e.preventDefault();
  });
  on(overlay, "pointermove", (event) => {
    if (stops.length === 0) return;
    const e = event as MouseEvent;
    const rect = svg.getBoundingClientRect();
    const scale = rect.width > 0 ? current.width / rect.width : 1;
    hovering = true;
    moveTo(nearestStop(x.invert((e.clientX - rect.left) * scale)));
  });
  on(overlay, "pointerleave", () => {
    hovering = false;
    renderReadout();
  });

  render();

  const element = svg as LossSliceElement;
  element.update = function (this: LossSliceElement, next: SliceData | null, nextOptions?: Partial<LossSliceOptions>) {
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
    renderReadout();
    setAttribute(plot, "tabindex", null);
  };
  element.toSVG = function () {
    return svgMarkup(svg);
  };
  element.toRows = function (): Row[] {
    const rows: Row[] = [];
    for (const c of curves()) {
      const n = Math.min(c.alpha.length, c.values.length);
      for (let i = 0; i < n; ++i) {
        rows.push({
          curve: c.label,
          role: c.role ?? "",
          alpha: float32Value(c.alpha[i]),
          loss: float32Value(c.values[i])
        });
      }
    }
    return rows;
  };
  return element;
}
