import {scaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import {methodColor} from "./internal/palette.js";
import {createClipRect, createFigureSvg, setAttribute, setSvgSize, setText} from "./internal/svg.js";

/** Points in a 2-D embedding with the cluster each was put in and the loss weight that follows from it. */
export interface ClusterWeightsData {
  /** [n, 2] row-major coordinates. */
  x: Float32Array;
  /** Cluster of each point; −1 marks noise (no cluster), drawn as a ring. */
  cluster: Int32Array;
  /** Loss weight of each point. */
  weight: ArrayLike<number>;
  /** The range of possible weights, for size and colour (default: the data's extent). */
  weightDomain?: [number, number];
}

export interface ClusterWeightsOptions {
  /** Width in pixels (default 360); the figure shrinks with its container. */
  width: number;
  /** Height in pixels (default: the width). */
  height?: number;
  title?: string;
  description?: string;
  /** Smallest and largest point radius in pixels (default 1.5 and 5). */
  radius: [number, number];
  document?: Document;
}

export type ClusterWeightsElement = SVGSVGElement &
  ComponentElement<ClusterWeightsData | null, ClusterWeightsOptions> &
  Exportable;

const defaults: ClusterWeightsOptions = {width: 360, radius: [1.5, 5]};

/** Colour of the lowest weight; the highest takes the method's orange (the weight is the method's). */
const lowColor = "#C8D2DD";

interface ClusterLabel {
  cluster: number;
  x: number;
  y: number;
  n: number;
}

interface LegendItem {
  key: string;
  text: string;
  t: number;
  ring: boolean;
  x: number;
}

/**
 * A 2-D embedding coloured and sized by each point's loss weight (pale and small: common, low weight; orange and
 * large: rare, high weight), with each cluster named at its centroid by its id and size and noise points (cluster
 * −1) drawn as rings — DatasetEquity's picture of which appearances the weighting favours. Points are SVG
 * circles keyed by index (fine up to a few thousand).
 */
export function ClusterWeights(
  data: ClusterWeightsData | null = null,
  options: Partial<ClusterWeightsOptions> = {}
): ClusterWeightsElement {
  const document = documentOf(options);
  let current: ClusterWeightsOptions = {...defaults, ...options};
  let state: ClusterWeightsData | null = data;
  let destroyed = false;

  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-cluster-weights");
  const clip = createClipRect(document, defs);
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const points = createSvgElement(document, "g");
  points.setAttribute("class", "points");
  points.setAttribute("clip-path", `url(#${clip.id})`);
  const labels = createSvgElement(document, "g");
  labels.setAttribute("class", "cluster-labels");
  svg.append(legend, xAxis, yAxis, points, labels);

  function count(): number {
    if (!state) return 0;
    return Math.min(state.x.length >> 1, state.cluster.length, state.weight.length);
  }

  function domain(): [number, number] {
    if (state?.weightDomain) return state.weightDomain;
    let lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < count(); ++i) {
      const w = state!.weight[i];
      if (w < lo) lo = w;
      if (w > hi) hi = w;
    }
    return Number.isFinite(lo) ? [lo, hi > lo ? hi : lo + 1] : [0, 1];
  }

  function render(): void {
    const {width, radius} = current;
    const height = current.height ?? width;
    const n = count();
    const layout = frame(width, height, {top: 28, right: 10, bottom: 34, left: 40});
    // One scale for both axes, so distances (DBSCAN's radius) look the same in every direction.
    let x0 = Infinity,
      x1 = -Infinity,
      y0 = Infinity,
      y1 = -Infinity;
    for (let i = 0; i < n; ++i) {
      const px_ = state!.x[2 * i],
        py = state!.x[2 * i + 1];
      if (px_ < x0) x0 = px_;
      if (px_ > x1) x1 = px_;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
    }
    if (!n) [x0, x1, y0, y1] = [-1, 1, -1, 1];
    const half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.08 || 1;
    const cx = (x0 + x1) / 2,
      cy = (y0 + y1) / 2;
    const side = Math.min(layout.innerWidth, layout.innerHeight);
    const left = layout.left + (layout.innerWidth - side) / 2;
    const top = layout.top + (layout.innerHeight - side) / 2;
    const xs = scaleLinear()
      .domain([cx - half, cx + half])
      .range([left, left + side]);
    const ys = scaleLinear()
      .domain([cy - half, cy + half])
      .range([top + side, top]);
    const [w0, w1] = domain();
    const t = (w: number) => Math.max(0, Math.min(1, (w - w0) / (w1 - w0 || 1)));
    const color = scaleLinear<string>().domain([0, 1]).range([lowColor, methodColor]);
    const r = (u: number) => radius[0] + (radius[1] - radius[0]) * u;

    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Clusters and loss weights");
    setText(desc, current.description ?? describe());
    setAttribute(clip.rect, "x", String(px(left)));
    setAttribute(clip.rect, "y", String(px(top)));
    setAttribute(clip.rect, "width", String(px(side)));
    setAttribute(clip.rect, "height", String(px(side)));
    renderAxis(xAxis, xs, {orient: "bottom", offset: top + side, ticks: 4, label: "x₁"});
    renderAxis(yAxis, ys, {orient: "left", offset: left, ticks: 4, label: "x₂"});

    // Rare (heavy) points last, so they sit on top.
    const order = Array.from({length: n}, (_, i) => i).sort((a, b) => state!.weight[a] - state!.weight[b] || a - b);
    select(points)
      .selectAll<SVGCircleElement, number>("circle")
      .data(order, (i) => String(i))
      .join("circle")
      .order()
      .each(function (i) {
        const u = t(state!.weight[i]);
        const noise = state!.cluster[i] < 0;
        setAttribute(this, "cx", String(px(xs(state!.x[2 * i]))));
        setAttribute(this, "cy", String(px(ys(state!.x[2 * i + 1]))));
        setAttribute(this, "r", String(px(r(u))));
        setAttribute(this, "fill", noise ? "none" : color(u));
        setAttribute(this, "stroke", noise ? color(u) : null);
        setAttribute(this, "stroke-width", noise ? "1.2" : null);
        setAttribute(this, "fill-opacity", noise ? null : "0.85");
      });

    const sums = new Map<number, ClusterLabel>();
    for (let i = 0; i < n; ++i) {
      const c = state!.cluster[i];
      if (c < 0) continue;
      const s = sums.get(c) ?? {cluster: c, x: 0, y: 0, n: 0};
      s.x += state!.x[2 * i];
      s.y += state!.x[2 * i + 1];
      s.n++;
      sums.set(c, s);
    }
    const clusterLabels = [...sums.values()].sort((a, b) => a.cluster - b.cluster);
    select(labels)
      .selectAll<SVGTextElement, ClusterLabel>("text")
      .data(clusterLabels, (d) => String(d.cluster))
      .join((enter) =>
        enter
          .append("text")
          .attr("text-anchor", "middle")
          .attr("font-weight", "bold")
          .attr("paint-order", "stroke")
          .attr("stroke", "var(--theme-background, white)")
          .attr("stroke-width", 3)
      )
      .each(function (d) {
        setAttribute(this, "x", String(px(xs(d.x / d.n))));
        setAttribute(this, "y", String(px(ys(d.y / d.n) - 14)));
        setText(this, `#${d.cluster} · ${d.n}`);
      });

    const fmt = (w: number) => (Math.round(w * 100) / 100).toString();
    const legendItems: LegendItem[] = [];
    let lx = layout.left;
    for (const [key, u, ring] of [
      ["low", 0, false],
      ["mid", 0.5, false],
      ["high", 1, false],
      ["noise", 1, true]
    ] as const) {
      const text = ring ? "DBSCAN noise" : `w = ${fmt(w0 + u * (w1 - w0))}`;
      legendItems.push({key, text, t: u, ring, x: lx});
      lx += 16 + textWidth(text) + 12;
    }
    setAttribute(legend, "transform", "translate(0,10)");
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(legendItems, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "item");
        g.append("circle").attr("cx", 6);
        g.append("text").attr("x", 14).attr("dy", "0.32em");
        return g;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${px(d.x)},0)`);
        const [circle, text] = this.children as unknown as [SVGCircleElement, SVGTextElement];
        setAttribute(circle, "r", String(px(r(d.t))));
        setAttribute(circle, "fill", d.ring ? "none" : color(d.t));
        setAttribute(circle, "stroke", d.ring ? color(d.t) : null);
        setText(text, d.text);
      });
  }

  function describe(): string {
    const n = count();
    if (!n) return "Clusters and loss weights: no data yet.";
    const clusters = new Set<number>();
    let noise = 0;
    for (let i = 0; i < n; ++i) {
      if (state!.cluster[i] < 0) noise++;
      else clusters.add(state!.cluster[i]);
    }
    const [w0, w1] = domain();
    return `${n} points in ${clusters.size} clusters and ${noise} noise points; weights from ${w0.toFixed(2)} to ${w1.toFixed(2)}, larger and more orange for rarer points.`;
  }

  render();

  const element = svg as ClusterWeightsElement;
  element.update = function (
    this: ClusterWeightsElement,
    next: ClusterWeightsData | null,
    nextOptions?: Partial<ClusterWeightsOptions>
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
    for (let i = 0; i < count(); ++i) {
      rows.push({x1: state!.x[2 * i], x2: state!.x[2 * i + 1], cluster: state!.cluster[i], weight: state!.weight[i]});
    }
    return rows;
  };
  return element;
}
