import {contours} from "d3-contour";
import {scaleLinear} from "d3-scale";
import type {ScaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf, resolveRenderer} from "./internal/context.js";
import type {Renderer} from "./internal/context.js";
import {contourPath, gridToPlot} from "./internal/contour.js";
import type {Grid} from "./internal/contour.js";
import {argmaxAt, classScore, confidence, confidenceOpacity, fieldPixels, marginFromProbs} from "./internal/field.js";
import {formatList, px} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import type {Frame} from "./internal/frame.js";
import {classColor} from "./internal/palette.js";
import {createClipRect, createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** The decision field of a 2-D classifier evaluated on a grid, and optionally the training points. */
export interface DecisionData {
  classes: number;
  /** Cell (i, j) has centre (x0 + (i + ½)(x1 − x0)/nx, y1 − (j + ½)(y1 − y0)/ny): row-major, row 0 at the top. */
  grid: Grid;
  /** [ny·nx, classes] softmax probabilities per cell. */
  probs: Float32Array;
  /** [ny·nx] top-1 minus top-2 logit per cell (≥ 0; 0 on the decision boundary); derived from probs when absent. */
  margin?: Float32Array;
  points?: {
    /** [n, 2] row-major. */
    x: Float32Array;
    /** The label shown (may be noisy). */
    label: Int32Array;
    /** True labels; points whose clean label differs from label are ringed as mislabelled. */
    clean?: Int32Array;
    /** Keys for the join (default: the index). */
    ids?: Int32Array;
  };
}

export interface DecisionMarginOptions {
  /** Width in pixels (default 360); the figure shrinks with its container. */
  width: number;
  /** Height in pixels (default: the width). */
  height?: number;
  title?: string;
  description?: string;
  /** Logit-margin levels drawn as dashed lines. */
  contours: number[];
  /** Draw the decision boundary (where the argmax class changes). */
  boundary: boolean;
  points: boolean;
  pointRadius: number;
  /** "canvas" draws the field as an nx × ny canvas under the SVG; "svg" as one <rect> per cell. */
  renderer: Renderer;
  document?: Document;
}

export type DecisionMarginElement = HTMLDivElement & ComponentElement<DecisionData | null, DecisionMarginOptions>;

const defaults: DecisionMarginOptions = {
  width: 360,
  contours: [1, 2, 4],
  boundary: true,
  points: true,
  pointRadius: 2.5,
  renderer: "auto"
};

const emptyGrid: Grid = {nx: 1, ny: 1, x0: -1, x1: 1, y0: -1, y1: 1};

interface LegendItem {
  key: string;
  text: string;
  x: number;
  y: number;
}

const legendRow = 16;

interface PointDatum {
  key: number;
  index: number;
}

/**
 * Decision regions of a 2-D classifier: a field tinted by the predicted class, deeper where the
 * model is confident, with the decision boundary and logit-margin contours (the top-1 minus top-2
 * logit, the quantity margin losses act on) over it, and the points coloured by their (possibly
 * noisy) label, mislabelled ones ringed. The field is a canvas under the SVG in browsers and one
 * rect per cell under renderer "svg".
 */
export function DecisionMargin(
  data: DecisionData | null = null,
  options: Partial<DecisionMarginOptions> = {}
): DecisionMarginElement {
  const document = documentOf(options);
  let current: DecisionMarginOptions = {...defaults, ...options};
  const renderer = resolveRenderer(current.renderer, document);
  let state: DecisionData | null = data;
  let destroyed = false;

  const root = document.createElement("div") as DecisionMarginElement;
  root.className = "losslab-decision-margin";
  root.setAttribute("style", "position: relative;");
  let canvas: HTMLCanvasElement | null = null;
  let context: CanvasRenderingContext2D | null = null;
  let image: ImageData | null = null;
  if (renderer === "canvas") {
    canvas = document.createElement("canvas");
    canvas.className = "field";
    canvas.setAttribute("aria-hidden", "true");
    context = canvas.getContext("2d");
    root.append(canvas);
  }

  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-decision-margin-svg");
  svg.setAttribute("style", "position: relative; display: block; max-width: 100%; height: auto; overflow: visible;");
  const clip = createClipRect(document, defs);
  const field = createSvgElement(document, "g");
  field.setAttribute("class", "field");
  field.setAttribute("clip-path", `url(#${clip.id})`);
  field.setAttribute("shape-rendering", "crispEdges");
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const lines = createSvgElement(document, "g");
  lines.setAttribute("class", "contours");
  lines.setAttribute("clip-path", `url(#${clip.id})`);
  lines.setAttribute("fill", "none");
  lines.setAttribute("stroke", "currentColor");
  const margins = createSvgElement(document, "g");
  margins.setAttribute("class", "margins");
  margins.setAttribute("stroke-dasharray", "3,3");
  margins.setAttribute("stroke-width", "1");
  const boundary = createSvgElement(document, "path");
  boundary.setAttribute("class", "boundary");
  boundary.setAttribute("stroke-width", "1.75");
  lines.append(margins, boundary);
  const dots = createSvgElement(document, "g");
  dots.setAttribute("class", "points");
  dots.setAttribute("stroke-width", "0.75");
  dots.setAttribute("style", "stroke: var(--theme-background, white);");
  const rings = createSvgElement(document, "g");
  rings.setAttribute("class", "mislabelled");
  rings.setAttribute("fill", "none");
  rings.setAttribute("stroke", "currentColor");
  rings.setAttribute("stroke-width", "1.25");
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  svg.append(field, xAxis, yAxis, lines, dots, rings, legend);
  root.append(svg);

  // d3-contour only indexes its input, so typed arrays pass without copying.
  let contourGenerator = contours();
  let scoreBuffer: Float32Array | undefined;
  let marginBuffer: Float32Array | undefined;

  function render(): void {
    const {width, pointRadius} = current;
    const height = current.height ?? width;
    const items = legendItems();
    const rows = items.length ? items[items.length - 1].y / legendRow + 1 : 0;
    // Height defaults to the width; legend rows beyond the first take from the plot, not the figure.
    const layout = frame(width, height, {top: 10, right: 10, bottom: 40 + rows * legendRow, left: 44});
    const grid = state?.grid ?? emptyGrid;
    const x = scaleLinear()
      .domain([grid.x0, grid.x1])
      .range([layout.left, layout.left + layout.innerWidth]);
    const y = scaleLinear()
      .domain([grid.y0, grid.y1])
      .range([layout.top + layout.innerHeight, layout.top]);

    setAttribute(root, "style", `position: relative; max-width: ${width}px;`);
    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Decision regions");
    setText(desc, current.description ?? describe());
    setRect(clip.rect, layout.left, layout.top, layout.innerWidth, layout.innerHeight);

    const ticks = (n: number) => Math.max(2, Math.round(n / 60));
    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: layout.top + layout.innerHeight,
      ticks: ticks(layout.innerWidth),
      label: "x₁"
    });
    renderAxis(yAxis, y, {orient: "left", offset: layout.left, ticks: ticks(layout.innerHeight), label: "x₂"});

    renderField(layout);
    renderContours(grid, x, y);
    renderPoints(x, y, pointRadius);
    renderLegend(layout, items);
  }

  function renderField(layout: Frame): void {
    const valid = state && state.grid.nx > 0 && state.grid.ny > 0 && state.classes > 0;
    const nx = valid ? state!.grid.nx : 0;
    const ny = valid ? state!.grid.ny : 0;
    const classes = valid ? state!.classes : 0;
    const cells = nx * ny;
    if (canvas) {
      // The canvas has one pixel per cell and CSS stretches it over the plot area, in percentages of
      // the figure so that it follows the SVG when the figure is scaled down.
      const {width, height} = layout;
      const style =
        `position: absolute; left: ${pct(layout.left / width)}; top: ${pct(layout.top / height)}; ` +
        `width: ${pct(layout.innerWidth / width)}; height: ${pct(layout.innerHeight / height)}; image-rendering: auto;`;
      setAttribute(canvas, "style", style);
      if (!context || cells === 0) {
        context?.clearRect(0, 0, canvas.width, canvas.height);
        return;
      }
      if (canvas.width !== nx || canvas.height !== ny || !image) {
        canvas.width = nx;
        canvas.height = ny;
        image = context.createImageData(nx, ny);
      }
      fieldPixels(state!.probs, classes, cells, image.data);
      context.putImageData(image, 0, 0);
      return;
    }
    const w = layout.innerWidth / Math.max(1, nx);
    const h = layout.innerHeight / Math.max(1, ny);
    const indices = cells === 0 ? [] : Array.from({length: cells}, (_, i) => i);
    select(field)
      .selectAll<SVGRectElement, number>("rect")
      .data(indices, (i) => i)
      .join("rect")
      .each(function (cell) {
        const i = cell % nx;
        const j = (cell - i) / nx;
        const k = argmaxAt(state!.probs, cell * classes, classes);
        setRect(this, px(layout.left + i * w), px(layout.top + j * h), px(w), px(h));
        if (k < 0) {
          setAttribute(this, "fill", "none");
          setAttribute(this, "fill-opacity", null);
          return;
        }
        const t = confidence(state!.probs[cell * classes + k], classes);
        setAttribute(this, "fill", classColor(k));
        setAttribute(this, "fill-opacity", confidenceOpacity(t).toFixed(3));
      });
  }

  function renderContours(grid: Grid, x: ScaleLinear<number, number>, y: ScaleLinear<number, number>): void {
    const valid = state && grid.nx > 1 && grid.ny > 1 && state.classes > 0;
    const levels = valid ? current.contours.filter((level) => Number.isFinite(level)) : [];
    const cells = grid.nx * grid.ny;
    const transform = gridToPlot(grid, x, y);
    if (valid) contourGenerator = contourGenerator.size([grid.nx, grid.ny]);
    let margin: Float32Array | undefined;
    if (levels.length > 0) {
      margin = state!.margin ?? (marginBuffer = marginFromProbs(state!.probs, state!.classes, cells, marginBuffer));
    }
    select(margins)
      .selectAll<SVGPathElement, number>("path")
      .data(levels, (level) => String(level))
      .join("path")
      .each(function (level, i) {
        const geometry = contourGenerator.contour(margin as unknown as number[], level);
        setAttribute(this, "data-level", String(level));
        // Farther levels fade, so the eye reads them outwards from the boundary.
        setAttribute(this, "stroke-opacity", (0.75 - (0.4 * i) / Math.max(1, levels.length - 1)).toFixed(3));
        setAttribute(this, "d", contourPath(geometry.coordinates, grid, transform));
      });
    let path = "";
    if (valid && current.boundary && state!.classes > 1) {
      // Every boundary separates two classes, at least one of which is not the last: C − 1 contours cover them all.
      for (let k = 0; k < state!.classes - 1; ++k) {
        scoreBuffer = classScore(state!.probs, state!.classes, cells, k, scoreBuffer);
        path += contourPath(
          contourGenerator.contour(scoreBuffer as unknown as number[], 0).coordinates,
          grid,
          transform
        );
      }
    }
    setAttribute(boundary, "d", path);
    setAttribute(boundary, "display", path ? null : "none");
  }

  function renderPoints(x: ScaleLinear<number, number>, y: ScaleLinear<number, number>, radius: number): void {
    const points = current.points ? state?.points : undefined;
    const n = points ? Math.min(points.label.length, points.x.length >> 1) : 0;
    const all: PointDatum[] = [];
    const mislabelled: PointDatum[] = [];
    for (let i = 0; i < n; ++i) {
      const d = {key: points!.ids ? points!.ids[i] : i, index: i};
      all.push(d);
      if (points!.clean && points!.clean[i] !== points!.label[i]) mislabelled.push(d);
    }
    const position = function (this: SVGCircleElement, d: PointDatum) {
      setAttribute(this, "cx", String(px(x(points!.x[2 * d.index]))));
      setAttribute(this, "cy", String(px(y(points!.x[2 * d.index + 1]))));
    };
    select(dots)
      .selectAll<SVGCircleElement, PointDatum>("circle")
      .data(all, (d) => d.key)
      .join("circle")
      .each(position)
      .each(function (d) {
        setAttribute(this, "r", String(radius));
        setAttribute(this, "fill", classColor(points!.label[d.index]));
      });
    select(rings)
      .selectAll<SVGCircleElement, PointDatum>("circle")
      .data(mislabelled, (d) => d.key)
      .join("circle")
      .each(position)
      .each(function () {
        setAttribute(this, "r", String(radius + 2.5));
      });
  }

  function legendItems(): LegendItem[] {
    const items: LegendItem[] = [];
    if (current.boundary) items.push({key: "boundary", text: "decision boundary", x: 0, y: 0});
    const levels = current.contours.filter((level) => Number.isFinite(level));
    if (levels.length) items.push({key: "margin", text: `logit margin ${formatList(levels)}`, x: 0, y: 0});
    if (current.points && state?.points?.clean) items.push({key: "mislabelled", text: "mislabelled", x: 0, y: 0});
    // Rows wrap at the figure's width (text width estimated: there is no layout engine under jsdom).
    let x = 0;
    let y = 0;
    const room = current.width - 44 - 10;
    for (const item of items) {
      const w = 20 + item.text.length * 5.5 + 14;
      if (x > 0 && x + w > room) {
        x = 0;
        y += legendRow;
      }
      item.x = x;
      item.y = y;
      x += w;
    }
    return items;
  }

  function renderLegend(layout: Frame, items: LegendItem[]): void {
    setAttribute(legend, "transform", `translate(${layout.left},${layout.top + layout.innerHeight + 46})`);
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(items, (d) => d.key)
      .join((enter) => {
        const item = enter.append("g").attr("class", (d) => `item legend-${d.key}`);
        item.each(function (d) {
          const g = select(this);
          if (d.key === "mislabelled") {
            g.append("circle")
              .attr("cx", 6)
              .attr("r", 4)
              .attr("fill", "none")
              .attr("stroke", "currentColor")
              .attr("stroke-width", 1.25);
          } else {
            g.append("line")
              .attr("x2", 16)
              .attr("stroke", "currentColor")
              .attr("stroke-width", d.key === "boundary" ? 1.75 : 1)
              .attr("stroke-dasharray", d.key === "boundary" ? null : "3,3");
          }
          g.append("text").attr("x", 20).attr("dy", "0.32em");
        });
        return item;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${px(d.x)},${d.y})`);
        setText(this.lastElementChild!, d.text);
      });
  }

  function describe(): string {
    const classes = state?.classes ?? 0;
    const levels = current.contours.filter((level) => Number.isFinite(level));
    const parts = [
      `Decision regions of a ${classes}-class classifier over inputs x₁ and x₂: the shading shows the predicted class, deeper where the model is more confident`
    ];
    if (current.boundary) parts.push("a solid line marks the decision boundary");
    if (levels.length) parts.push(`dashed lines mark logit margins of ${formatList(levels)}`);
    const n = current.points && state?.points ? state.points.label.length : 0;
    if (n)
      parts.push(`${n} points are coloured by their label${state?.points?.clean ? ", mislabelled ones ringed" : ""}`);
    return `${parts.join("; ")}.`;
  }

  render();

  root.update = function (
    this: DecisionMarginElement,
    next: DecisionData | null,
    nextOptions?: Partial<DecisionMarginOptions>
  ) {
    if (destroyed) return this;
    state = next ?? null;
    if (nextOptions) current = {...current, ...nextOptions};
    render();
    return this;
  };
  root.destroy = function () {
    destroyed = true;
    if (canvas) {
      // Zero-size the canvas so the browser frees its backing store even if a page keeps the node.
      canvas.width = 0;
      canvas.height = 0;
      canvas.remove();
      canvas = null;
    }
    context = null;
    image = null;
  };
  return root;
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(3)}%`;
}
