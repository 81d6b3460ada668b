import {scaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {formatValue, px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import {unknownColor} from "./internal/palette.js";
import {createFigureSvg, setAttribute, setSvgSize, setText} from "./internal/svg.js";

/**
 * The pairs of one batch as a loss weights them: for each ordered pair (anchor, other), its similarity and the weight
 * the loss's gradient puts on it (general pair weighting). Positive pairs are drawn as filled dots, negative pairs as
 * rings; pairs with weight 0 sit on the axis, paler.
 */
export interface PairWeightsData {
  similarity: ArrayLike<number>;
  weight: ArrayLike<number>;
  /** 1 for a positive (same-label) pair, 0 for a negative one. */
  positive: ArrayLike<number>;
}

export interface PairWeightsOptions {
  /** Width in pixels (default 300); the figure shrinks with its container. */
  width: number;
  /** Height in pixels (default 220). */
  height: number;
  title?: string;
  description?: string;
  xLabel: string;
  yLabel: string;
  /** Similarity axis (default [−1, 1]). */
  xDomain: [number, number];
  /**
   * The y axis ends at this quantile of the non-zero weights (default 1: the largest); larger weights are drawn at the
   * top edge as triangles, so that a few huge weights do not flatten the rest.
   */
  yQuantile: number;
  /** Colour of the positive pairs (default currentColor). */
  positiveColor: string;
  /** Colour of the negative pairs. */
  negativeColor: string;
  document?: Document;
}

export type PairWeightsElement = SVGSVGElement &
  ComponentElement<PairWeightsData | null, PairWeightsOptions> &
  Exportable;

const defaults: PairWeightsOptions = {
  width: 300,
  height: 220,
  xLabel: "similarity S_ij",
  yLabel: "weight",
  xDomain: [-1, 1],
  yQuantile: 1,
  positiveColor: "currentColor",
  negativeColor: unknownColor
};

interface Dot {
  key: number;
  x: number;
  y: number;
  positive: boolean;
}

/**
 * A scatter of pair weight against pair similarity for one batch (the multi-similarity paper's view of a pair loss):
 * which pairs a loss pays attention to, and how much. The y axis starts at 0 and ends at the largest weight.
 */
export function PairWeights(
  data: PairWeightsData | null = null,
  options: Partial<PairWeightsOptions> = {}
): PairWeightsElement {
  const document = documentOf(options);
  let current: PairWeightsOptions = {...defaults, ...options};
  let state: PairWeightsData | null = data;
  let destroyed = false;

  const {svg, title, desc} = createFigureSvg(document, "losslab-pair-weights");
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const dots = createSvgElement(document, "g");
  dots.setAttribute("class", "dots");
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  const heading = createSvgElement(document, "text");
  heading.setAttribute("class", "heading");
  heading.setAttribute("font-weight", "bold");
  svg.append(xAxis, yAxis, dots, legend, heading);

  function count(): number {
    if (!state) return 0;
    return Math.min(state.similarity.length, state.weight.length, state.positive.length);
  }

  function render(): void {
    const {width, height, xDomain} = current;
    const layout = frame(width, height, {top: current.title ? 34 : 20, right: 10, bottom: 40, left: 52});
    const n = count();
    const positive: number[] = [];
    for (let k = 0; k < n; ++k)
      if (state!.weight[k] > 0 && Number.isFinite(state!.weight[k])) positive.push(state!.weight[k]);
    positive.sort((a, b) => a - b);
    const q = Math.max(0, Math.min(1, current.yQuantile));
    const max = positive.length ? positive[Math.min(positive.length - 1, Math.ceil(q * (positive.length - 1)))] : 0;
    const x = scaleLinear()
      .domain(xDomain)
      .range([layout.left, layout.left + layout.innerWidth]);
    const y = scaleLinear()
      .domain([0, max > 0 ? max * 1.05 : 1])
      .range([layout.top + layout.innerHeight, layout.top])
      .nice(4);
    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Pair weights against similarity");
    setText(desc, current.description ?? describe(max));
    setText(heading, current.title ?? "");
    setAttribute(heading, "x", String(layout.left));
    setAttribute(heading, "y", "12");
    renderAxis(xAxis, x, {orient: "bottom", offset: layout.top + layout.innerHeight, ticks: 5, label: current.xLabel});
    renderAxis(yAxis, y, {
      orient: "left",
      offset: layout.left,
      ticks: 4,
      label: current.yLabel,
      grid: layout.innerWidth
    });

    const points: Dot[] = [];
    for (let k = 0; k < n; ++k) {
      const s = state!.similarity[k];
      const w = state!.weight[k];
      if (!Number.isFinite(s) || !Number.isFinite(w)) continue;
      points.push({key: k, x: s, y: w, positive: state!.positive[k] === 1});
    }
    select(dots)
      .selectAll<SVGPathElement, Dot>("path")
      .data(points, (d) => String(d.key))
      .join("path")
      .each(function (d) {
        const color = d.positive ? current.positiveColor : current.negativeColor;
        const top = y.domain()[1];
        const cx = px(x(Math.max(xDomain[0], Math.min(xDomain[1], d.x))));
        const cy = px(y(Math.min(d.y, top)));
        // A circle, or a triangle pointing up for a weight above the axis.
        const shape =
          d.y > top
            ? `M${cx},${cy - 3.5}L${cx + 3},${cy + 2}L${cx - 3},${cy + 2}Z`
            : `M${cx - 2.5},${cy}a2.5,2.5 0 1,0 5,0a2.5,2.5 0 1,0 -5,0`;
        setAttribute(this, "d", shape);
        setAttribute(this, "data-x", String(cx));
        setAttribute(this, "data-y", String(cy));
        setAttribute(this, "fill", d.positive ? color : "none");
        setAttribute(this, "stroke", color);
        setAttribute(this, "stroke-width", "1");
        setAttribute(this, "opacity", d.y > 0 ? "0.85" : "0.25");
      });

    const items = [
      {key: "positive", text: "positive pair", filled: true, color: current.positiveColor},
      {key: "negative", text: "negative pair", filled: false, color: current.negativeColor}
    ];
    let lx = layout.left + 4;
    select(legend)
      .selectAll<SVGGElement, (typeof items)[number]>("g.item")
      .data(items, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "item");
        g.append("circle").attr("r", 3.5).attr("cx", 4).attr("cy", 0);
        g.append("text").attr("x", 12).attr("dy", "0.32em");
        return g;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${px(lx)},${px(layout.top + 6)})`);
        lx += 12 + textWidth(d.text) + 14;
        const [dot, text] = this.children as unknown as [SVGCircleElement, SVGTextElement];
        setAttribute(dot, "fill", d.filled ? d.color : "none");
        setAttribute(dot, "stroke", d.color);
        setText(text, d.text);
      });
  }

  function describe(max: number): string {
    const n = count();
    if (!n) return "Pair weights: no batch yet.";
    let used = 0;
    for (let k = 0; k < n; ++k) if (state!.weight[k] > 0) used++;
    return `${n} pairs of one batch, ${used} with a non-zero weight; the axis ends at ${formatValue(max)}.`;
  }

  render();

  const element = svg as PairWeightsElement;
  element.update = function (this: PairWeightsElement, next, nextOptions) {
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
    for (let k = 0; k < count(); ++k) {
      rows.push({similarity: state!.similarity[k], weight: state!.weight[k], positive: state!.positive[k] === 1});
    }
    return rows;
  };
  return element;
}
