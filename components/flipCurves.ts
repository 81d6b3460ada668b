import {format} from "d3-format";
import {scaleLinear} from "d3-scale";
import type {ScaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createReadout} from "./internal/readout.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {downsampleMinMax, gap} from "./internal/downsample.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {formatStep, nearestIndex, px, textWidth} from "./internal/format.js";
import {createAxis, renderAxis} from "./internal/frame.js";
import {createClipRect, createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";
import {seriesColors} from "./lossCurve.js";

/** A flip metric FlipCurves can draw; the names are those of `flips()` and `recordFlips()` in src/metrics. */
export type FlipMetric = "negativeFlipRate" | "negativeFlipImpact" | "relativeNegativeFlipRate" | "positiveFlipRate";

/**
 * One arm of a (twin) run: its flip statistics at each recorded step, e.g. a `FlipHistory` from `recordFlips()`
 * spread into `{name: "PCT (FD-KL)", role: "method", ...history}`. Arrays may grow between updates.
 */
export type FlipCurveArm = Partial<Record<FlipMetric, ArrayLike<number>>> & {
  /** Identity for the keyed joins (default: the name). */
  key?: string;
  /** The arm's name in the legend and read-outs: its loss or method ("cross-entropy", "PCT"), never "run A". */
  name: string;
  /** "baseline" | "method" | another role: picks the arm's colour through armColor, as in LossCurve. */
  role?: string;
  /** Overrides the role's colour. */
  color?: string;
  /** Training steps, non-decreasing, one per entry of the metric arrays. */
  step: ArrayLike<number>;
};

export interface FlipCurvesOptions {
  /** Width in pixels (default 640); the figure shrinks with its container. */
  width: number;
  /** Total height in pixels; default: panels of about a sixth of the width each. */
  height?: number;
  title?: string;
  description?: string;
  /**
   * The metrics to draw, one panel each, top to bottom. Default: negative flip rate, negative flip impact (or, when no
   * arm has it, relative NFR) and positive flip rate, each where some arm has data for it.
   */
  metrics?: readonly FlipMetric[];
  xLabel: string;
  /** Fixed x domain; default: the extent of the steps. */
  xDomain?: [number, number];
  legend: boolean;
  document?: Document;
}

export type FlipCurvesElement = SVGSVGElement &
  ComponentElement<FlipCurveArm[] | null, FlipCurvesOptions> &
  Exportable & {
    /** The step the read-out shows (pointer or keyboard), or null. */
    readonly step: number | null;
  };

interface MetricInfo {
  /** Name in descriptions. */
  name: string;
  /** Panel title. */
  title: string;
  /** Short name in read-outs. */
  short: string;
  /** Fractions drawn on a percent axis; otherwise a plain ratio. */
  percent: boolean;
  /** A dashed reference line with its label. */
  reference?: {value: number; label: string};
}

const metricInfo: Record<FlipMetric, MetricInfo> = {
  negativeFlipRate: {
    name: "negative flip rate",
    title: "Negative flip rate (% of samples)",
    short: "NFR",
    percent: true
  },
  negativeFlipImpact: {
    name: "negative flip impact",
    title: "Negative flip impact (% of the new model's errors)",
    short: "NFI",
    percent: true
  },
  relativeNegativeFlipRate: {
    name: "relative negative flip rate",
    title: "Relative negative flip rate (NFR ÷ NFR of independent errors)",
    short: "relative NFR",
    percent: false,
    reference: {value: 1, label: "independent errors"}
  },
  positiveFlipRate: {
    name: "positive flip rate",
    title: "Positive flip rate (% of samples)",
    short: "PFR",
    percent: true
  }
};

const percentValue = format(".3~p");
const ratioValue = format(".3~r");

function formatMetric(metric: FlipMetric, value: number): string {
  if (!Number.isFinite(value)) return "–";
  return metricInfo[metric].percent ? percentValue(value) : ratioValue(value);
}

function hasData(arm: FlipCurveArm, metric: FlipMetric): boolean {
  const values = arm[metric];
  if (!values) return false;
  const n = Math.min(values.length, arm.step.length);
  for (let i = 0; i < n; ++i) if (Number.isFinite(values[i])) return true;
  return false;
}

/** The metrics drawn for `arms`: the option's list, else NFR, NFI (or relative NFR) and PFR where some arm has them. */
export function flipCurveMetrics(arms: readonly FlipCurveArm[], metrics?: readonly FlipMetric[]): FlipMetric[] {
  if (metrics) return [...metrics];
  const some = (m: FlipMetric) => arms.some((arm) => hasData(arm, m));
  const out: FlipMetric[] = ["negativeFlipRate"];
  if (some("negativeFlipImpact")) out.push("negativeFlipImpact");
  else if (some("relativeNegativeFlipRate")) out.push("relativeNegativeFlipRate");
  if (some("positiveFlipRate")) out.push("positiveFlipRate");
  return out;
}

const legendRow = 16;
const legendSwatch = 18;
const panelTitleHeight = 22;
const panelGap = 12;
const left = 52;
const right = 16;
const bottom = 36;

interface ArmDatum {
  key: string;
  arm: FlipCurveArm;
  color: string;
}

interface LegendItem extends ArmDatum {
  x: number;
  y: number;
}

interface Panel {
  metric: FlipMetric;
  top: number;
  height: number;
  y: ScaleLinear<number, number>;
}

/** The value of `metric` for `arm` at exactly `step` (the last entry with that step), else NaN. */
function valueAt(arm: FlipCurveArm, metric: FlipMetric, step: number): number {
  const values = arm[metric];
  if (!values) return NaN;
  const n = Math.min(values.length, arm.step.length);
  let i = nearestIndex(arm.step, n, step);
  if (i < 0 || arm.step[i] !== step) return NaN;
  while (i + 1 < n && arm.step[i + 1] === step) ++i;
  return values[i];
}

/**
 * Negative flip rate, negative flip impact (or relative NFR) and positive flip rate over training steps, one panel
 * per metric sharing the step axis, one line per arm of a twin run in its arm colour (Yan et al. 2021,
 * "Positive-Congruent Training"; MPT [39]). Rates are on percent axes starting at 0; relative NFR has a reference
 * line at 1, the NFR that independent errors would give. Built like LossCurve (same axes, colours, min–max
 * decimation), so update() appends at training speed; a read-out shows every arm's values at one step, under the
 * pointer or from the keyboard (focus the plot, then ←/→, Home/End; Escape hides it).
 */
export function FlipCurves(
  data: FlipCurveArm[] | null = null,
  options: Partial<FlipCurvesOptions> = {}
): FlipCurvesElement {
  const document = documentOf(options);
  let current: FlipCurvesOptions = {width: 640, xLabel: "step", legend: true, ...options};
  let arms: ArmDatum[] = [];
  let metrics: FlipMetric[] = [];
  let panels: Panel[] = [];
  let x: ScaleLinear<number, number> = scaleLinear();
  let readoutStep: number | null = null;
  let destroyed = false;

  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-flip-curves");
  // The read-out is operable from the keyboard, so the root is a figure rather than an opaque image.
  svg.setAttribute("role", "figure");
  const clip = createClipRect(document, defs);
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  const panelsGroup = createSvgElement(document, "g");
  panelsGroup.setAttribute("class", "panels");
  const xAxis = createAxis(document, "losslab-axis-x");
  const empty = createSvgElement(document, "text");
  empty.setAttribute("class", "empty");
  empty.setAttribute("text-anchor", "middle");
  empty.setAttribute("fill-opacity", "0.6");
  const {readout, rule, dots, box, boxBackground, boxStep, boxRows} = createReadout(document);
  const overlay = createSvgElement(document, "rect");
  overlay.setAttribute("class", "overlay");
  overlay.setAttribute("fill", "none");
  overlay.setAttribute("pointer-events", "all");
  overlay.setAttribute("tabindex", "0");
  overlay.setAttribute("role", "slider");
  overlay.setAttribute("aria-label", "Read-out step: use the left and right arrow keys");
  overlay.setAttribute("style", "outline: none;");
  const focusRing = createSvgElement(document, "rect");
  focusRing.setAttribute("class", "focus");
  focusRing.setAttribute("fill", "none");
  focusRing.setAttribute("stroke", "#0072B2");
  focusRing.setAttribute("stroke-width", "2");
  focusRing.setAttribute("stroke-dasharray", "4,2");
  focusRing.setAttribute("pointer-events", "none");
  focusRing.setAttribute("display", "none");
  svg.append(legend, panelsGroup, xAxis, empty, readout, overlay, focusRing);

  function setArms(next: FlipCurveArm[] | null): void {
    const list = next ?? [];
    const colors = seriesColors(
      list.map((a) => ({key: a.key ?? a.name, label: a.name, role: a.role, color: a.color, x: [], y: []}))
    );
    arms = list.map((arm, i) => ({key: arm.key ?? arm.name, arm, color: colors[i]}));
  }

  function stepExtent(): [number, number] {
    let x0 = Infinity;
    let x1 = -Infinity;
    for (const {arm} of arms) {
      const n = arm.step.length;
      for (let i = 0; i < n; ++i) {
        const s = arm.step[i];
        if (!Number.isFinite(s)) continue;
        if (s < x0) x0 = s;
        if (s > x1) x1 = s;
      }
    }
    if (!(x0 <= x1)) return [0, 1];
    if (x0 === x1) return [x0 - 1, x1 + 1];
    return [x0, x1];
  }

  function yMax(metric: FlipMetric): number {
    let max = 0;
    const [d0, d1] = x.domain();
    for (const {arm} of arms) {
      const values = arm[metric];
      if (!values) continue;
      const n = Math.min(values.length, arm.step.length);
      for (let i = 0; i < n; ++i) {
        const v = values[i];
        const s = arm.step[i];
        if (Number.isFinite(v) && v > max && s >= d0 && s <= d1) max = v;
      }
    }
    return max;
  }

  function render(): void {
    const {width} = current;
    metrics = flipCurveMetrics(
      arms.map((a) => a.arm),
      current.metrics
    );
    const items = current.legend ? layoutLegend() : [];
    const legendRows = items.length ? items[items.length - 1].y / legendRow + 1 : 0;
    const top = legendRows ? 10 + legendRows * legendRow : 4;
    const count = Math.max(1, metrics.length);
    const defaultPanel = Math.max(70, Math.min(140, Math.round(width * 0.16)));
    const height = current.height ?? top + count * (panelTitleHeight + defaultPanel + panelGap) - panelGap + bottom;
    const panelHeight = Math.max(
      20,
      (height - top - bottom - count * panelTitleHeight - (count - 1) * panelGap) / count
    );
    setSvgSize(svg, width, height);
    const innerWidth = Math.max(1, width - left - right);
    x = scaleLinear()
      .domain(current.xDomain ?? stepExtent())
      .range([left, left + innerWidth]);

    panels = metrics.map((metric, i) => {
      const panelTop = top + panelTitleHeight + i * (panelTitleHeight + panelHeight + panelGap);
      const info = metricInfo[metric];
      const max = yMax(metric);
      const upper = info.reference ? Math.max(max, info.reference.value * 1.2) : max > 0 ? max : 0.05;
      const y = scaleLinear()
        .domain([0, upper])
        .range([panelTop + panelHeight, panelTop])
        .nice(Math.max(2, Math.round(panelHeight / 30)));
      return {metric, top: panelTop, height: panelHeight, y};
    });
    const plotTop = panels.length ? panels[0].top : top + panelTitleHeight;
    const plotBottom = panels.length ? panels[panels.length - 1].top + panelHeight : plotTop + panelHeight;

    setText(title, current.title ?? "Negative and positive flips over training");
    setText(desc, current.description ?? describe());
    setRect(clip.rect, left, 0, innerWidth, height);

    renderLegend(items);
    renderPanels(innerWidth);
    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: plotBottom,
      ticks: Math.max(2, Math.round(innerWidth / 80)),
      label: current.xLabel,
      format: formatStep
    });
    const noData = arms.every(({arm}) => metrics.every((m) => !hasData(arm, m)));
    setText(empty, noData ? "No flip statistics yet." : "");
    setAttribute(empty, "display", noData ? null : "none");
    setAttribute(empty, "x", String(px(left + innerWidth / 2)));
    setAttribute(empty, "y", String(px((plotTop + plotBottom) / 2)));
    setRect(overlay, left, plotTop, innerWidth, plotBottom - plotTop);
    setRect(focusRing, left - 2, plotTop - 2, innerWidth + 4, plotBottom - plotTop + 4);
    renderReadout();
  }

  function layoutLegend(): LegendItem[] {
    let lx = left;
    let ly = 0;
    return arms.map((d) => {
      const w = legendSwatch + 6 + textWidth(d.arm.name) + 14;
      if (lx > left && lx + w > current.width - right) {
        lx = left;
        ly += legendRow;
      }
      const item = {...d, x: lx, y: ly};
      lx += w;
      return item;
    });
  }

  function renderLegend(items: LegendItem[]): void {
    setAttribute(legend, "display", current.legend ? null : "none");
    setAttribute(legend, "transform", "translate(0,8)");
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(items, (d) => d.key)
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
        setText(text, d.arm.name);
      });
  }

  function renderPanels(innerWidth: number): void {
    const [d0, d1] = x.domain();
    select(panelsGroup)
      .selectAll<SVGGElement, Panel>("g.panel")
      .data(panels, (p) => p.metric)
      .join((enter) => {
        const panel = enter.append("g").attr("class", "panel");
        panel.append("text").attr("class", "panel-title").attr("font-weight", "bold");
        panel.append(() => createAxis(document, "losslab-axis-y"));
        const reference = panel.append("g").attr("class", "reference").attr("aria-hidden", "true");
        reference
          .append("line")
          .attr("stroke", "currentColor")
          .attr("stroke-opacity", 0.5)
          .attr("stroke-dasharray", "2,3");
        // A halo in the background colour keeps the label readable where a curve passes behind it.
        reference
          .append("text")
          .attr("text-anchor", "end")
          .attr("dy", "-0.35em")
          .attr("fill-opacity", 0.7)
          .attr("style", "stroke: var(--theme-background, white); stroke-width: 3; paint-order: stroke;");
        panel
          .append("g")
          .attr("class", "lines")
          .attr("clip-path", `url(#${clip.id})`)
          .attr("fill", "none")
          .attr("stroke-width", 1.5)
          .attr("stroke-linejoin", "round")
          .attr("stroke-linecap", "round");
        return panel;
      })
      .each(function (panel) {
        const [panelTitle, yAxis, reference, lines] = this.children as unknown as [
          SVGTextElement,
          SVGGElement,
          SVGGElement,
          SVGGElement
        ];
        const info = metricInfo[panel.metric];
        setAttribute(this, "data-metric", panel.metric);
        setText(panelTitle, info.title);
        setAttribute(panelTitle, "x", String(left - 44));
        setAttribute(panelTitle, "y", String(px(panel.top - 10)));
        const ticks = Math.max(2, Math.round(panel.height / 30));
        renderAxis(yAxis, panel.y, {
          orient: "left",
          offset: left,
          ticks,
          label: "",
          grid: innerWidth,
          format: panel.y.tickFormat(ticks, info.percent ? "~%" : "~g")
        });
        const ref = info.reference;
        setAttribute(reference, "display", ref ? null : "none");
        if (ref) {
          const [line, text] = reference.children as unknown as [SVGLineElement, SVGTextElement];
          const ry = px(panel.y(ref.value));
          setAttribute(line, "x1", String(left));
          setAttribute(line, "x2", String(px(left + innerWidth)));
          setAttribute(line, "y1", String(ry));
          setAttribute(line, "y2", String(ry));
          setAttribute(text, "x", String(px(left + innerWidth - 2)));
          setAttribute(text, "y", String(ry));
          setText(text, ref.label);
        }
        const drawn = arms.filter((d) => d.arm[panel.metric] !== undefined);
        select(lines)
          .selectAll<SVGPathElement, ArmDatum>("path")
          .data(drawn, (d) => d.key)
          .join("path")
          .each(function (d) {
            const values = d.arm[panel.metric]!;
            const steps = d.arm.step;
            const indices = downsampleMinMax(steps, values, {x0: d0, x1: d1, buckets: innerWidth});
            setAttribute(this, "data-key", d.key);
            setAttribute(this, "stroke", d.color);
            setAttribute(this, "d", linePath(indices, steps, values, panel.y));
          });
      });
  }

  function linePath(
    indices: Int32Array,
    xs: ArrayLike<number>,
    ys: ArrayLike<number>,
    y: ScaleLinear<number, number>
  ): string {
    let path = "";
    let move = true;
    for (let j = 0; j < indices.length; ++j) {
      const i = indices[j];
      if (i === gap) {
        move = true;
        continue;
      }
      path += `${move ? "M" : "L"}${px(x(xs[i]))},${px(y(ys[i]))}`;
      move = false;
    }
    return path;
  }

  /** The latest step with data over all arms, and what each arm shows there. */
  function latestStep(): number {
    let last = NaN;
    for (const {arm} of arms) {
      for (let i = arm.step.length - 1; i >= 0; --i) {
        if (metrics.some((m) => Number.isFinite(arm[m]?.[i] ?? NaN))) {
          if (!(arm.step[i] <= last)) last = arm.step[i];
          break;
        }
      }
    }
    return last;
  }

  function valuesText(step: number): string {
    return arms
      .map(
        ({arm}) =>
          `${arm.name}: ${metrics.map((m) => `${metricInfo[m].short} ${formatMetric(m, valueAt(arm, m, step))}`).join(", ")}`
      )
      .join("; ");
  }

  function describe(): string {
    const names = metrics.map((m) => `${metricInfo[m].name} (${metricInfo[m].short})`);
    const what = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0];
    const armNames = arms.map((a) => a.arm.name).join(", ");
    const charts = metrics.length === 1 ? "Line chart" : "Line charts, one panel each,";
    const count = `${arms.length} ${arms.length === 1 ? "arm" : "arms"}${armNames ? ` (${armNames})` : ""}`;
    let text = `${charts} of ${what} against ${current.xLabel} for ${count}.`;
    const percent = metrics.filter((m) => metricInfo[m].percent).map((m) => metricInfo[m].short);
    if (percent.length) text += ` ${percent.join(", ")} in percent.`;
    if (metrics.includes("relativeNegativeFlipRate"))
      text += " Relative NFR 1 means as many flips as independent errors.";
    const last = latestStep();
    if (Number.isFinite(last)) text += ` At ${current.xLabel} ${formatStep(last)}: ${valuesText(last)}.`;
    return text;
  }

  /** All distinct steps, ascending (for keyboard navigation). */
  function allSteps(): number[] {
    const set = new Set<number>();
    for (const {arm} of arms)
      for (let i = 0; i < arm.step.length; ++i) if (Number.isFinite(arm.step[i])) set.add(arm.step[i]);
    return [...set].sort((a, b) => a - b);
  }

  /** The data step nearest to `target` over all arms; NaN when there is none. */
  function nearestStep(target: number): number {
    let step = NaN;
    for (const {arm} of arms) {
      const i = nearestIndex(arm.step, arm.step.length, target);
      if (i >= 0 && !(Math.abs(arm.step[i] - target) >= Math.abs(step - target))) step = arm.step[i];
    }
    return step;
  }

  interface ReadoutRow {
    key: string;
    panel: Panel;
    arm: ArmDatum;
    value: number;
  }

  function renderReadout(): void {
    const step = readoutStep;
    setAttribute(
      overlay,
      "aria-valuetext",
      step === null ? "no step shown" : `${current.xLabel} ${formatStep(step)}: ${valuesText(step)}`
    );
    const [d0, d1] = x.domain();
    setAttribute(overlay, "aria-valuemin", String(d0));
    setAttribute(overlay, "aria-valuemax", String(d1));
    setAttribute(overlay, "aria-valuenow", step === null ? null : String(step));
    if (step === null || panels.length === 0 || arms.length === 0) {
      setAttribute(readout, "display", "none");
      return;
    }
    const rows: ReadoutRow[] = [];
    for (const panel of panels) {
      for (const arm of arms) {
        if (arm.arm[panel.metric] === undefined) continue;
        rows.push({key: `${panel.metric}:${arm.key}`, panel, arm, value: valueAt(arm.arm, panel.metric, step)});
      }
    }
    const sx = px(x(step));
    const plotTop = panels[0].top;
    const last = panels[panels.length - 1];
    setAttribute(readout, "display", null);
    setAttribute(rule, "x1", String(sx));
    setAttribute(rule, "x2", String(sx));
    setAttribute(rule, "y1", String(px(plotTop)));
    setAttribute(rule, "y2", String(px(last.top + last.height)));
    select(dots)
      .selectAll<SVGCircleElement, ReadoutRow>("circle")
      .data(rows, (d) => d.key)
      .join((enter) => enter.append("circle").attr("r", 3))
      .each(function (d) {
        const shown = Number.isFinite(d.value);
        setAttribute(this, "display", shown ? null : "none");
        setAttribute(this, "fill", d.arm.color);
        setAttribute(this, "cx", String(sx));
        setAttribute(this, "cy", shown ? String(px(d.panel.y(d.value))) : "0");
      });
    const lines = rows.map(
      (d) => `${metricInfo[d.panel.metric].short} · ${d.arm.arm.name} ${formatMetric(d.panel.metric, d.value)}`
    );
    setText(boxStep, `${current.xLabel} ${formatStep(step)}`);
    setAttribute(boxStep, "x", "8");
    setAttribute(boxStep, "y", "14");
    select(boxRows)
      .selectAll<SVGGElement, ReadoutRow>("g.row")
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
        setAttribute(line, "stroke", d.arm.color);
        setText(text, lines[i]);
      });
    const boxWidth = 36 + Math.max(textWidth(boxStep.textContent ?? "") - 20, ...lines.map((text) => textWidth(text)));
    const boxHeight = 22 + rows.length * 14;
    setRect(boxBackground, 0, 0, boxWidth, boxHeight);
    const plotRight = x.range()[1];
    const bx = sx + 8 + boxWidth <= plotRight ? sx + 8 : sx - 8 - boxWidth;
    setAttribute(box, "transform", `translate(${px(bx)},${px(plotTop)})`);
  }

  // Pointer position in SVG user units; CSS may scale the figure, so divide by the rendered size.
  function pointerX(event: MouseEvent): number {
    const rect = svg.getBoundingClientRect();
    const scale = rect.width > 0 ? current.width / rect.width : 1;
    return (event.clientX - rect.left) * scale;
  }

  function show(step: number | null): void {
    readoutStep = step !== null && Number.isFinite(step) ? step : null;
    renderReadout();
  }

  const listeners = new (document.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  const on = (type: string, handler: (event: Event) => void) =>
    overlay.addEventListener(type, handler, {signal: listeners.signal});
  on("pointermove", (event) => {
    const [r0, r1] = x.range();
    const sx = Math.max(r0, Math.min(r1, pointerX(event as MouseEvent)));
    show(nearestStep(x.invert(sx)));
  });
  on("pointerleave", () => {
    if (document.activeElement !== overlay) show(null);
  });
  on("focus", () => {
    setAttribute(focusRing, "display", null);
    if (readoutStep === null) show(latestStep());
  });
  on("blur", () => {
    setAttribute(focusRing, "display", "none");
    show(null);
  });
  on("keydown", (event) => {
    const key = (event as KeyboardEvent).key;
    const steps = allSteps();
    if (!steps.length) return;
    let index = readoutStep === null ? steps.length - 1 : steps.indexOf(nearestStep(readoutStep));
    switch (key) {
      case "ArrowLeft":
      case "ArrowDown":
        index = Math.max(0, index - 1);
        break;
      case "ArrowRight":
      case "ArrowUp":
        index = Math.min(steps.length - 1, index + 1);
        break;
      case "PageDown":
        index = Math.max(0, index - 10);
        break;
      case "PageUp":
        index = Math.min(steps.length - 1, index + 10);
        break;
      case "Home":
        index = 0;
        break;
      case "End":
        index = steps.length - 1;
        break;
      case "Escape":
        event.preventDefault();
        show(null);
        return;
      default:
        return;
    }
    event.preventDefault();
    show(steps[Math.max(0, index)]);
  });

  setArms(data);
  render();

  const element = svg as FlipCurvesElement;
  Object.defineProperty(element, "step", {get: () => readoutStep, enumerable: true, configurable: true});
  element.update = function (
    this: FlipCurvesElement,
    next: FlipCurveArm[] | null,
    nextOptions?: Partial<FlipCurvesOptions>
  ) {
    if (destroyed) return this;
    setArms(next);
    if (nextOptions) current = {...current, ...nextOptions};
    render();
    return this;
  };
  element.destroy = function () {
    destroyed = true;
    listeners.abort();
    readoutStep = null;
    setAttribute(focusRing, "display", "none");
    renderReadout();
  };
  element.toSVG = () => svgMarkup(svg);
  element.toRows = (): Row[] => {
    const out: Row[] = [];
    for (const {arm} of arms) {
      for (const metric of metrics) {
        const values = arm[metric];
        if (!values) continue;
        const n = Math.min(values.length, arm.step.length);
        for (let i = 0; i < n; ++i) out.push({step: arm.step[i], arm: arm.name, metric, value: values[i]});
      }
    }
    return out;
  };
  return element;
}
