import {scaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {formatValue, px} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import type {Frame} from "./internal/frame.js";
import {armColors} from "./internal/palette.js";
import {createFigureSvg, setAttribute, setSvgSize, setText} from "./internal/svg.js";
import {marginBins, marginEdges} from "./marginHistogram.js";

/** One group of values (e.g. the per-sample λᵢ of the training points whose label is clean). */
export interface HistogramGroup {
  /** Identity for the keyed join (default: the label). */
  key?: string;
  label: string;
  values: ArrayLike<number>;
  /** Colour of the group (default: the extra-arm palette in order). */
  color?: string;
}

/** Groups of one quantity, binned on shared edges and overlaid. */
export interface GroupHistogramData {
  groups: readonly HistogramGroup[];
}

export interface GroupHistogramOptions {
  /** Width in pixels (default 480); the figure shrinks with its container. */
  width: number;
  /** Height in pixels (default 200). */
  height: number;
  title?: string;
  description?: string;
  /** What the values are, for the x axis. */
  xLabel: string;
  /** About this many bins over the domain (default 24); edges are round multiples of a step. */
  bins: number;
  /** A fixed domain [lo, hi]; default: the data's range, kept while the data stay inside it and fill half of it. */
  domain?: [number, number];
  /** "share": each group's histogram sums to 1, so groups of different sizes compare; "count": values per bin. */
  y: "share" | "count";
  document?: Document;
}

export type GroupHistogramElement = SVGSVGElement &
  ComponentElement<GroupHistogramData | null, GroupHistogramOptions> &
  Exportable;

const defaults: GroupHistogramOptions = {width: 480, height: 200, xLabel: "value", bins: 24, y: "share"};

/** Per-group counts on shared bin edges, with each group's size and mean (non-finite values left out). */
export interface GroupBins {
  edges: Float64Array;
  counts: number[][];
  total: number[];
  mean: number[];
}

/**
 * Bins every group's values on the same edges (values outside them land in the end bins, as in marginBins) and
 * gives each group's size and mean. Pure, so the view and its tests bin alike.
 */
export function groupBins(groups: readonly Pick<HistogramGroup, "values">[], edges: ArrayLike<number>): GroupBins {
  const counts: number[][] = [];
  const total: number[] = [];
  const mean: number[] = [];
  let e: Float64Array = Float64Array.from(edges);
  for (const g of groups) {
    const b = marginBins(g.values, new Int32Array(g.values.length), 1, edges);
    e = b.edges;
    counts.push(b.counts[0]);
    total.push(b.total[0]);
    let sum = 0;
    for (let i = 0; i < g.values.length; ++i) if (Number.isFinite(g.values[i])) sum += g.values[i];
    mean.push(b.total[0] ? sum / b.total[0] : NaN);
  }
  return {edges: e, counts, total, mean};
}

/** The range of all finite values of the groups ([NaN, NaN] when there are none). */
function dataRange(groups: readonly HistogramGroup[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const g of groups) {
    for (let i = 0; i < g.values.length; ++i) {
      const v = g.values[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

interface GroupDatum {
  key: string;
  label: string;
  color: string;
  index: number;
}

/**
 * Overlaid histograms of one quantity in a few groups — the per-sample λᵢ of ALDR-KL for clean and for corrupted
 * training points, say — on shared round-numbered bins: the first group filled, the others outlined, each with a
 * dashed line at its mean and its size and mean in the legend. The domain follows the data with hysteresis (it
 * grows at once, shrinks only when the data fill less than half of it), so a live figure does not jitter.
 */
export function GroupHistogram(
  data: GroupHistogramData | null = null,
  options: Partial<GroupHistogramOptions> = {}
): GroupHistogramElement {
  const document = documentOf(options);
  let current: GroupHistogramOptions = {...defaults, ...options};
  let state: GroupHistogramData | null = data;
  let destroyed = false;
  let domain: [number, number] | undefined;
  let yMax = 0;
  let bins: GroupBins = {edges: marginEdges(0, 1, 1), counts: [], total: [], mean: []};
  let groups: GroupDatum[] = [];

  const {svg, title, desc} = createFigureSvg(document, "losslab-group-histogram");
  const bars = createSvgElement(document, "g");
  bars.setAttribute("class", "bars");
  const means = createSvgElement(document, "g");
  means.setAttribute("class", "means");
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  const empty = createSvgElement(document, "text");
  empty.setAttribute("class", "empty");
  empty.setAttribute("text-anchor", "middle");
  empty.setAttribute("fill-opacity", "0.6");
  svg.append(bars, means, xAxis, yAxis, legend, empty);

  function compute(): void {
    const list = state?.groups ?? [];
    groups = list.map((g, index) => ({
      key: g.key ?? g.label,
      label: g.label,
      color: g.color ?? armColors[index % armColors.length],
      index
    }));
    let [lo, hi] = current.domain ?? dataRange(list);
    if (!current.domain) {
      if (!Number.isFinite(lo)) [lo, hi] = domain ?? [0, 1];
      const span = hi - lo || Math.abs(hi) * 0.01 || 1;
      const inside = domain && lo >= domain[0] && hi <= domain[1];
      const fills = domain && span >= 0.5 * (domain[1] - domain[0]);
      if (!(inside && fills)) domain = [lo - 0.1 * span, hi + 0.1 * span];
      [lo, hi] = domain!;
    }
    bins = groupBins(list, marginEdges(lo, hi, current.bins));
  }

  function value(g: number, b: number): number {
    const count = bins.counts[g][b];
    if (current.y === "count") return count;
    return bins.total[g] > 0 ? count / bins.total[g] : 0;
  }

  function render(): void {
    compute();
    const {width, height} = current;
    const legendRows = Math.max(1, groups.length);
    const layout: Frame = frame(width, height, {top: 10 + legendRows * 15, right: 12, bottom: 40, left: 46});
    const {edges} = bins;
    const x = scaleLinear()
      .domain([edges[0], edges[edges.length - 1]])
      .range([layout.left, layout.left + layout.innerWidth]);
    let top1 = 0;
    for (let g = 0; g < groups.length; ++g)
      for (let b = 0; b < edges.length - 1; ++b) top1 = Math.max(top1, value(g, b));
    // The y scale grows at once and shrinks only when the tallest bar falls below half of it.
    const target = (top1 || (current.y === "share" ? 0.5 : 1)) * 1.1;
    if (!(yMax >= target && target >= 0.5 * yMax)) yMax = target;
    const y = scaleLinear()
      .domain([0, yMax])
      .nice(4)
      .range([layout.top + layout.innerHeight, layout.top]);

    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Histogram by group");
    setText(desc, current.description ?? describe());
    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: layout.top + layout.innerHeight,
      ticks: Math.max(2, Math.round(layout.innerWidth / 80)),
      label: current.xLabel
    });
    renderAxis(yAxis, y, {
      orient: "left",
      offset: layout.left,
      ticks: 4,
      label: current.y === "share" ? "share of the group" : "count",
      format: current.y === "share" ? (v) => `${Math.round(v * 100)}%` : undefined
    });

    const path = (g: number, close: boolean): string => {
      let d = `M${px(x(edges[0]))},${px(y(0))}`;
      for (let b = 0; b < edges.length - 1; ++b) d += `V${px(y(value(g, b)))}H${px(x(edges[b + 1]))}`;
      return d + `V${px(y(0))}` + (close ? "Z" : "");
    };
    select(bars)
      .selectAll<SVGPathElement, GroupDatum>("path")
      .data(groups, (d) => d.key)
      .join("path")
      .each(function (d) {
        const filled = d.index === 0;
        setAttribute(this, "data-group", d.key);
        setAttribute(this, "fill", filled ? d.color : "none");
        setAttribute(this, "fill-opacity", filled ? "0.4" : null);
        setAttribute(this, "stroke", d.color);
        setAttribute(this, "stroke-width", filled ? "1" : "1.75");
        setAttribute(this, "d", path(d.index, filled));
      });
    select(means)
      .selectAll<SVGLineElement, GroupDatum>("line")
      .data(groups, (d) => d.key)
      .join("line")
      .each(function (d) {
        const m = bins.mean[d.index];
        const inView = Number.isFinite(m) && m >= edges[0] && m <= edges[edges.length - 1];
        setAttribute(this, "display", inView ? null : "none");
        const xm = String(px(inView ? x(m) : layout.left));
        setAttribute(this, "x1", xm);
        setAttribute(this, "x2", xm);
        setAttribute(this, "y1", String(layout.top));
        setAttribute(this, "y2", String(layout.top + layout.innerHeight));
        setAttribute(this, "stroke", d.color);
        setAttribute(this, "stroke-width", "1.5");
        setAttribute(this, "stroke-dasharray", "4,3");
      });
    select(legend)
      .selectAll<SVGGElement, GroupDatum>("g.item")
      .data(groups, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "item");
        g.append("rect").attr("width", 14).attr("height", 9).attr("y", -4.5);
        g.append("text").attr("x", 20).attr("dy", "0.32em");
        return g;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${layout.left},${px(8 + d.index * 15)})`);
        const [rect, text] = this.children as unknown as [SVGRectElement, SVGTextElement];
        setAttribute(rect, "fill", d.index === 0 ? d.color : "none");
        setAttribute(rect, "fill-opacity", d.index === 0 ? "0.4" : null);
        setAttribute(rect, "stroke", d.color);
        setText(text, `${d.label}: n = ${bins.total[d.index]}, mean ${formatValue(bins.mean[d.index])} (dashed)`);
      });
    const none = groups.every((_, g) => bins.total[g] === 0);
    setAttribute(empty, "display", none ? null : "none");
    setAttribute(empty, "x", String(px(layout.left + layout.innerWidth / 2)));
    setAttribute(empty, "y", String(px(layout.top + layout.innerHeight / 2)));
    setText(empty, "no values yet");
  }

  function describe(): string {
    if (!groups.length) return "Overlaid histograms by group: no data yet.";
    const parts = groups.map(
      (d) => `${d.label}: ${bins.total[d.index]} values, mean ${formatValue(bins.mean[d.index])}`
    );
    return `Overlaid histograms of ${current.xLabel} for ${groups.map((d) => d.label).join(" and ")}, as ${
      current.y === "share" ? "the share of each group per bin" : "counts per bin"
    }; ${parts.join("; ")}.`;
  }

  render();

  const element = svg as GroupHistogramElement;
  element.update = function (
    this: GroupHistogramElement,
    next: GroupHistogramData | null,
    nextOptions?: Partial<GroupHistogramOptions>
  ) {
    if (destroyed) return this;
    state = next ?? null;
    if (nextOptions) current = {...current, ...nextOptions};
    render();
    return this;
  };
  element.destroy = function () {
    destroyed = true;
  };
  element.toSVG = function () {
    return svgMarkup(svg);
  };
  element.toRows = function (): Row[] {
    const rows: Row[] = [];
    for (const d of groups) {
      for (let b = 0; b < bins.edges.length - 1; ++b) {
        const count = bins.counts[d.index][b];
        rows.push({
          group: d.label,
          binStart: bins.edges[b],
          binEnd: bins.edges[b + 1],
          count,
          share: bins.total[d.index] > 0 ? count / bins.total[d.index] : null
        });
      }
    }
    return rows;
  };
  return element;
}
