import {scaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import type {Renderer} from "./internal/context.js";
import {autoExtent} from "./internal/domain.js";
import {px} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import {classColor} from "./internal/palette.js";
import {createClipRect, createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** A 2-D embedding of labelled points, optionally with class weight vectors. */
export interface EmbeddingData {
  classes: number;
  points: {
    /** [n, 2] row-major. */
    x: Float32Array;
    label: Int32Array;
    /** Keys for the join (default: the index). */
    ids?: Int32Array;
    /** Predicted classes; points predicted wrongly get an outline. */
    predicted?: Int32Array;
  };
  /** The embeddings are L2-normalised: draw the unit circle (and weights as unit directions). */
  normalized?: boolean;
  /** [classes, 2] class weight vectors or prototypes, drawn as arrows from the origin. */
  weights?: Float32Array;
}

export interface EmbeddingPlotOptions {
  /** Width in pixels (default 360); the figure shrinks with its container. */
  width: number;
  /** Height in pixels (default: the width). */
  height?: number;
  title?: string;
  description?: string;
  /** Fixed symmetric half-extent of the view; default: follows the data with hysteresis. */
  domain?: number;
  pointRadius: number;
  /** Accepted for the common component options; points are always SVG (fine up to a few thousand). */
  renderer: Renderer;
  document?: Document;
}

export type EmbeddingPlotElement = SVGSVGElement & ComponentElement<EmbeddingData | null, EmbeddingPlotOptions>;

const defaults: EmbeddingPlotOptions = {width: 360, pointRadius: 2.5, renderer: "auto"};

interface PointDatum {
  key: number;
  index: number;
}

interface WeightDatum {
  k: number;
  x: number;
  y: number;
}

/** The largest absolute coordinate among the points and the weights that will be drawn. */
function largestCoordinate(data: EmbeddingData | null, weights: WeightDatum[]): number {
  let max = 0;
  if (data) {
    const n = Math.min(data.points.label.length, data.points.x.length >> 1) * 2;
    for (let i = 0; i < n; ++i) {
      const v = Math.abs(data.points.x[i]);
      if (v > max) max = v;
    }
    if (data.normalized) max = Math.max(max, 1);
  }
  for (const w of weights) max = Math.max(max, Math.abs(w.x), Math.abs(w.y));
  return max;
}

/**
 * The weight vectors to draw. For normalised embeddings the logits are cosines, so only a weight's
 * direction matters and it is drawn as a unit vector on the circle; otherwise as given.
 */
function weightVectors(data: EmbeddingData | null): WeightDatum[] {
  const weights = data?.weights;
  if (!data || !weights) return [];
  const out: WeightDatum[] = [];
  for (let k = 0; k < Math.min(data.classes, weights.length >> 1); ++k) {
    let x = weights[2 * k];
    let y = weights[2 * k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (data.normalized) {
      const norm = Math.hypot(x, y);
      if (norm === 0) continue;
      x /= norm;
      y /= norm;
    }
    out.push({k, x, y});
  }
  return out;
}

/**
 * A 2-D embedding scatter with equal aspect ratio: points coloured by class (misclassified ones
 * outlined), a light cross at the origin, the unit circle for normalised embeddings and class
 * weight vectors as arrows. The view follows the data with hysteresis so it does not jitter while
 * a model trains.
 */
export function EmbeddingPlot(
  data: EmbeddingData | null = null,
  options: Partial<EmbeddingPlotOptions> = {}
): EmbeddingPlotElement {
  const document = documentOf(options);
  let current: EmbeddingPlotOptions = {...defaults, ...options};
  let state: EmbeddingData | null = data;
  let extent: number | undefined;
  let destroyed = false;

  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-embedding-plot");
  const clip = createClipRect(document, defs);
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const body = createSvgElement(document, "g");
  body.setAttribute("clip-path", `url(#${clip.id})`);
  const cross = createSvgElement(document, "path");
  cross.setAttribute("class", "origin");
  cross.setAttribute("fill", "none");
  cross.setAttribute("style", "stroke: var(--theme-foreground-faint, #ccc);");
  const circle = createSvgElement(document, "g");
  circle.setAttribute("class", "unit-circle");
  circle.setAttribute("fill", "none");
  circle.setAttribute("stroke-dasharray", "4,3");
  circle.setAttribute("style", "stroke: var(--theme-foreground-muted, #888);");
  const dots = createSvgElement(document, "g");
  dots.setAttribute("class", "points");
  dots.setAttribute("style", "stroke: var(--theme-background, white);");
  dots.setAttribute("stroke-width", "0.75");
  const arrows = createSvgElement(document, "g");
  arrows.setAttribute("class", "weights");
  arrows.setAttribute("stroke-width", "2");
  arrows.setAttribute("stroke-linecap", "round");
  body.append(cross, circle, dots, arrows);
  svg.append(xAxis, yAxis, body);

  function render(): void {
    const {width, pointRadius} = current;
    const height = current.height ?? width;
    const layout = frame(width, height, {top: 10, right: 10, bottom: 38, left: 44});
    const weights = weightVectors(state);
    extent = current.domain ?? autoExtent(extent, largestCoordinate(state, weights));
    // Equal aspect: one unit is the same number of pixels on both axes, the shorter side spanning ±extent.
    const unit = Math.min(layout.innerWidth, layout.innerHeight) / (2 * extent);
    const cx = layout.left + layout.innerWidth / 2;
    const cy = layout.top + layout.innerHeight / 2;
    const hx = layout.innerWidth / 2 / unit;
    const hy = layout.innerHeight / 2 / unit;
    const x = scaleLinear()
      .domain([-hx, hx])
      .range([layout.left, layout.left + layout.innerWidth]);
    const y = scaleLinear()
      .domain([-hy, hy])
      .range([layout.top + layout.innerHeight, layout.top]);

    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Embedding space");
    setText(desc, current.description ?? describe(weights.length));
    setRect(clip.rect, layout.left, layout.top, layout.innerWidth, layout.innerHeight);
    const ticks = (n: number) => Math.max(2, Math.round(n / 60));
    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: layout.top + layout.innerHeight,
      ticks: ticks(layout.innerWidth),
      label: "z₁"
    });
    renderAxis(yAxis, y, {orient: "left", offset: layout.left, ticks: ticks(layout.innerHeight), label: "z₂"});
    setAttribute(
      cross,
      "d",
      `M${px(layout.left)},${px(cy)}H${px(layout.left + layout.innerWidth)}M${px(cx)},${px(layout.top)}V${px(layout.top + layout.innerHeight)}`
    );

    select(circle)
      .selectAll<SVGCircleElement, number>("circle")
      .data(state?.normalized ? [1] : [])
      .join("circle")
      .each(function (r) {
        setAttribute(this, "cx", String(px(cx)));
        setAttribute(this, "cy", String(px(cy)));
        setAttribute(this, "r", String(px(r * unit)));
      });

    const points = state?.points;
    const n = points ? Math.min(points.label.length, points.x.length >> 1) : 0;
    const all: PointDatum[] = [];
    // Points whose embedding is not finite (a diverged run) leave the plot rather than break it.
    for (let i = 0; i < n; ++i) {
      if (Number.isFinite(points!.x[2 * i]) && Number.isFinite(points!.x[2 * i + 1])) {
        all.push({key: points!.ids ? points!.ids[i] : i, index: i});
      }
    }
    select(dots)
      .selectAll<SVGCircleElement, PointDatum>("circle")
      .data(all, (d) => d.key)
      .join("circle")
      .each(function (d) {
        const i = d.index;
        const wrong = points!.predicted !== undefined && points!.predicted[i] !== points!.label[i];
        setAttribute(this, "cx", String(px(x(points!.x[2 * i]))));
        setAttribute(this, "cy", String(px(y(points!.x[2 * i + 1]))));
        setAttribute(this, "r", String(wrong ? pointRadius + 1 : pointRadius));
        setAttribute(this, "fill", classColor(points!.label[i]));
        // Misclassified points get a foreground outline, drawn over the background-coloured halo.
        setAttribute(this, "class", wrong ? "misclassified" : null);
        setAttribute(this, "style", wrong ? "stroke: currentColor;" : null);
        setAttribute(this, "stroke-width", wrong ? "1.5" : null);
      });

    select(arrows)
      .selectAll<SVGGElement, WeightDatum>("g.weight")
      .data(weights, (d) => d.k)
      .join((enter) => {
        const g = enter.append("g").attr("class", "weight");
        g.append("line");
        g.append("path").attr("class", "head").attr("stroke", "none");
        return g;
      })
      .each(function (d) {
        const color = classColor(d.k);
        const [line, head] = this.children as unknown as [SVGLineElement, SVGPathElement];
        const tx = x(d.x);
        const ty = y(d.y);
        const length = Math.hypot(tx - cx, ty - cy);
        setAttribute(this, "data-class", String(d.k));
        setAttribute(line, "stroke", color);
        setAttribute(head, "fill", color);
        // Stop the shaft at the head's base so the round cap does not poke through the tip.
        const size = Math.min(8, length / 2);
        const ux = length > 0 ? (tx - cx) / length : 0;
        const uy = length > 0 ? (ty - cy) / length : 0;
        const bx = tx - ux * size;
        const by = ty - uy * size;
        setAttribute(line, "x1", String(px(cx)));
        setAttribute(line, "y1", String(px(cy)));
        setAttribute(line, "x2", String(px(bx)));
        setAttribute(line, "y2", String(px(by)));
        const wx = -uy * size * 0.45;
        const wy = ux * size * 0.45;
        setAttribute(head, "d", `M${px(tx)},${px(ty)}L${px(bx + wx)},${px(by + wy)}L${px(bx - wx)},${px(by - wy)}Z`);
      });
  }

  function describe(weightCount: number): string {
    const n = state ? Math.min(state.points.label.length, state.points.x.length >> 1) : 0;
    const classes = state?.classes ?? 0;
    const parts = [
      `Scatter plot of ${n} points in a 2-D embedding space (z₁, z₂), coloured by class (${classes} classes)`
    ];
    if (state?.normalized) parts.push("the dashed circle is the unit circle of L2-normalised embeddings");
    if (weightCount) parts.push(`arrows from the origin show the ${weightCount} class weight vectors`);
    if (state?.points.predicted) parts.push("outlined points are misclassified");
    return `${parts.join("; ")}.`;
  }

  render();

  const element = svg as EmbeddingPlotElement;
  element.update = function (
    this: EmbeddingPlotElement,
    next: EmbeddingData | null,
    nextOptions?: Partial<EmbeddingPlotOptions>
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
  return element;
}
