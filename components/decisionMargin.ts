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
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {float32Value, formatList, px} from "./internal/format.js";
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
    /** [n, 2] row-major. Point arrays are compared by reference between updates: pass new ones to redraw. */
    x: Float32Array;
    /** The label shown (may be noisy). */
    label: Int32Array;
    /** True labels; points whose clean label differs from label are ringed as mislabelled. */
    clean?: Int32Array;
    /** Keys for the join (default: the index). */
    ids?: Int32Array;
    /** 1 marks a negative flip (the old model was right, the new one is wrong): drawn with a bold outer ring. */
    flipped?: Uint8Array;
  };
  /**
   * An old model's field on the same grid and classes (e.g. the model before an update), drawn as its
   * decision boundary (and, with the option previousMargins, its margin contours) over the new field.
   */
  previous?: {
    /** [ny·nx, classes] softmax probabilities per cell of the old model. */
    probs: Float32Array;
    /** [ny·nx] the old model's top-1 minus top-2 logit; derived from probs when absent. */
    margin?: Float32Array;
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
  /** With data.previous: also draw the old model's logit-margin contours (at the levels of `contours`), dotted. */
  previousMargins: boolean;
  points: boolean;
  pointRadius: number;
  /** "canvas" draws the field as an nx × ny canvas under the SVG; "svg" as one <rect> per cell. */
  renderer: Renderer;
  document?: Document;
}

export type DecisionMarginElement = HTMLDivElement &
  ComponentElement<DecisionData | null, DecisionMarginOptions> &
  Exportable;

const defaults: DecisionMarginOptions = {
  width: 360,
  contours: [1, 2, 4],
  boundary: true,
  previousMargins: false,
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
 *
 * Old vs new: with data.previous (an old model's field on the same grid) the old model's decision
 * boundary is drawn as an outlined dashed line over the new field (and its margin contours, dotted,
 * with the option previousMargins), and points.flipped rings the negative flips (old model right,
 * new model wrong) in bold, so a reader sees where an update moved the boundary across samples.
 *
 * Export: toSVG() inlines the canvas field as an image at the plot area (under renderer "svg" the
 * cells are already vector rects); toRows() gives one row per drawn point (id, x, y, label, clean,
 * flipped). The grid field itself is not exported as rows: it is a dense model evaluation, not data
 * marks (a page that needs it has the probabilities it passed in).
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
  // The old model's lines: an outlined dashed boundary (a background-coloured halo under dark dashes)
  // and dotted margin contours, under the new model's lines so that an unchanged boundary reads as solid.
  const previous = createSvgElement(document, "g");
  previous.setAttribute("class", "previous");
  previous.setAttribute("clip-path", `url(#${clip.id})`);
  previous.setAttribute("fill", "none");
  const previousMargins = createSvgElement(document, "g");
  previousMargins.setAttribute("class", "previous-margins");
  previousMargins.setAttribute("stroke", "currentColor");
  previousMargins.setAttribute("stroke-dasharray", "0.5,3");
  previousMargins.setAttribute("stroke-linecap", "round");
  previousMargins.setAttribute("stroke-width", "1.5");
  const previousHalo = createSvgElement(document, "path");
  previousHalo.setAttribute("class", "previous-halo");
  previousHalo.setAttribute("stroke-width", "4");
  previousHalo.setAttribute("stroke-opacity", "0.8");
  previousHalo.setAttribute("style", "stroke: var(--theme-background, white);");
  const previousBoundary = createSvgElement(document, "path");
  previousBoundary.setAttribute("class", "previous-boundary");
  previousBoundary.setAttribute("stroke", "currentColor");
  previousBoundary.setAttribute("stroke-width", "1.75");
  previousBoundary.setAttribute("stroke-dasharray", "7,4");
  previous.append(previousMargins, previousHalo, previousBoundary);
  const dots = createSvgElement(document, "g");
  dots.setAttribute("class", "points");
  dots.setAttribute("stroke-width", "0.75");
  dots.setAttribute("style", "stroke: var(--theme-background, white);");
  const rings = createSvgElement(document, "g");
  rings.setAttribute("class", "mislabelled");
  rings.setAttribute("fill", "none");
  rings.setAttribute("stroke", "currentColor");
  rings.setAttribute("stroke-width", "1.25");
  const flips = createSvgElement(document, "g");
  flips.setAttribute("class", "flipped");
  flips.setAttribute("fill", "none");
  flips.setAttribute("stroke", "currentColor");
  flips.setAttribute("stroke-width", "2.25");
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  svg.append(field, xAxis, yAxis, previous, lines, dots, rings, flips, legend);
  root.append(svg);

  // d3-contour only indexes its input, so typed arrays pass without copying.
  let contourGenerator = contours();
  let scoreBuffer: Float32Array | undefined;
  let marginBuffer: Float32Array | undefined;
  let previousMarginBuffer: Float32Array | undefined;
  let layout: Frame = frame(current.width, current.height ?? current.width, {top: 0, right: 0, bottom: 0, left: 0});

  function render(): void {
    const {width, pointRadius} = current;
    const height = current.height ?? width;
    const items = legendItems();
    const rows = items.length ? items[items.length - 1].y / legendRow + 1 : 0;
    // Height defaults to the width; legend rows beyond the first take from the plot, not the figure.
    layout = frame(width, height, {top: 10, right: 10, bottom: 40 + rows * legendRow, left: 44});
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
    renderPrevious(grid, x, y);
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
    const path = valid && current.boundary ? boundaryPath(state!.probs, state!.classes, grid, transform) : "";
    setAttribute(boundary, "d", path);
    setAttribute(boundary, "display", path ? null : "none");
  }

  /** The decision boundary of a probability field as one path (empty for fewer than two classes). */
  function boundaryPath(
    probs: Float32Array,
    classes: number,
    grid: Grid,
    transform: (gx: number, gy: number) => [number, number]
  ): string {
    const cells = grid.nx * grid.ny;
    let path = "";
    // Every boundary separates two classes, at least one of which is not the last: C − 1 contours cover them all.
    for (let k = 0; k < classes - 1; ++k) {
      scoreBuffer = classScore(probs, classes, cells, k, scoreBuffer);
      path += contourPath(contourGenerator.contour(scoreBuffer as unknown as number[], 0).coordinates, grid, transform);
    }
    return path;
  }

  function renderPrevious(grid: Grid, x: ScaleLinear<number, number>, y: ScaleLinear<number, number>): void {
    const old = hasPrevious() ? state!.previous! : null;
    const cells = grid.nx * grid.ny;
    const transform = gridToPlot(grid, x, y);
    // contourGenerator was sized for this grid by renderContours.
    const path = old ? boundaryPath(old.probs, state!.classes, grid, transform) : "";
    for (const line of [previousHalo, previousBoundary]) {
      setAttribute(line, "d", path);
      setAttribute(line, "display", path ? null : "none");
    }
    const levels = old && current.previousMargins ? finiteLevels() : [];
    let margin: Float32Array | undefined;
    if (levels.length > 0) {
      margin =
        old!.margin && old!.margin.length === cells
          ? old!.margin
          : (previousMarginBuffer = marginFromProbs(old!.probs, state!.classes, cells, previousMarginBuffer));
    }
    select(previousMargins)
      .selectAll<SVGPathElement, number>("path")
      .data(levels, (level) => String(level))
      .join("path")
      .each(function (level) {
        setAttribute(this, "data-level", String(level));
        setAttribute(
          this,
          "d",
          contourPath(contourGenerator.contour(margin as unknown as number[], level).coordinates, grid, transform)
        );
      });
  }

  /** Whether data.previous is drawable: a field of the same grid and classes as the new one. */
  function hasPrevious(): boolean {
    const old = state?.previous;
    if (!state || !old || state.classes < 2 || state.grid.nx < 2 || state.grid.ny < 2) return false;
    return old.probs.length === state.grid.nx * state.grid.ny * state.classes;
  }

  function finiteLevels(): number[] {
    return current.contours.filter((level) => Number.isFinite(level));
  }

  /** Indices of the points drawn (all of them, or none when the option points is off). */
  function pointCount(): number {
    const points = current.points ? state?.points : undefined;
    return points ? Math.min(points.label.length, points.x.length >> 1) : 0;
  }

  // What the points were last drawn from: a live page updates the field several times a second while the points
  // (the same arrays) stay put, and re-joining hundreds of circles each time cost a frame's budget. Arrays are
  // compared by reference: pass new arrays when their values change.
  let drawnPoints: unknown[] = [];

  function renderPoints(x: ScaleLinear<number, number>, y: ScaleLinear<number, number>, radius: number): void {
    const points = current.points ? state?.points : undefined;
    const key = [
      points?.x,
      points?.label,
      points?.ids,
      points?.clean,
      points?.flipped,
      radius,
      ...x.domain(),
      ...x.range(),
      ...y.domain(),
      ...y.range()
    ];
    if (key.length === drawnPoints.length && key.every((v, i) => v === drawnPoints[i])) return;
    drawnPoints = key;
    const n = pointCount();
    const all: PointDatum[] = [];
    const mislabelled: PointDatum[] = [];
    const flipped: PointDatum[] = [];
    for (let i = 0; i < n; ++i) {
      const d = {key: points!.ids ? points!.ids[i] : i, index: i};
      all.push(d);
      if (points!.clean && points!.clean[i] !== points!.label[i]) mislabelled.push(d);
      if (points!.flipped && points!.flipped[i]) flipped.push(d);
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
    // Outside the mislabelled ring (which may ring the same point) and heavier, so the two read apart.
    select(flips)
      .selectAll<SVGCircleElement, PointDatum>("circle")
      .data(flipped, (d) => d.key)
      .join("circle")
      .each(position)
      .each(function () {
        setAttribute(this, "r", String(radius + 5.5));
      });
  }

  function legendItems(): LegendItem[] {
    const items: LegendItem[] = [];
    if (current.boundary) items.push({key: "boundary", text: "decision boundary", x: 0, y: 0});
    const levels = finiteLevels();
    if (levels.length) items.push({key: "margin", text: `logit margin ${formatList(levels)}`, x: 0, y: 0});
    if (hasPrevious()) {
      items.push({key: "previous", text: "old model boundary", x: 0, y: 0});
      if (current.previousMargins && levels.length) {
        items.push({key: "previous-margin", text: `old model margin ${formatList(levels)}`, x: 0, y: 0});
      }
    }
    if (current.points && state?.points?.clean) items.push({key: "mislabelled", text: "mislabelled", x: 0, y: 0});
    if (current.points && state?.points?.flipped) {
      items.push({key: "flipped", text: "negative flip (old right, new wrong)", x: 0, y: 0});
    }
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
          if (d.key === "mislabelled" || d.key === "flipped") {
            g.append("circle")
              .attr("cx", 6)
              .attr("r", d.key === "flipped" ? 5 : 4)
              .attr("fill", "none")
              .attr("stroke", "currentColor")
              .attr("stroke-width", d.key === "flipped" ? 2.25 : 1.25);
          } else if (d.key === "previous") {
            g.append("line")
              .attr("x2", 16)
              .attr("stroke-width", 4)
              .attr("style", "stroke: var(--theme-background, white);");
            g.append("line")
              .attr("x2", 16)
              .attr("stroke", "currentColor")
              .attr("stroke-width", 1.75)
              .attr("stroke-dasharray", "7,4");
          } else if (d.key === "previous-margin") {
            g.append("line")
              .attr("x2", 16)
              .attr("stroke", "currentColor")
              .attr("stroke-width", 1.5)
              .attr("stroke-linecap", "round")
              .attr("stroke-dasharray", "0.5,3");
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
    const levels = finiteLevels();
    const parts = [
      `Decision regions of a ${classes}-class classifier over inputs x₁ and x₂: the shading shows the predicted class, deeper where the model is more confident`
    ];
    if (current.boundary) parts.push("a solid line marks the decision boundary");
    if (levels.length) parts.push(`dashed lines mark logit margins of ${formatList(levels)}`);
    if (hasPrevious()) {
      parts.push(
        `an outlined dashed line marks the old model's decision boundary${
          current.previousMargins && levels.length ? ", dotted lines its logit margins" : ""
        }`
      );
    }
    const n = pointCount();
    if (n) {
      parts.push(`${n} points are coloured by their label${state?.points?.clean ? ", mislabelled ones ringed" : ""}`);
      const flipped = state?.points?.flipped;
      if (flipped) {
        let count = 0;
        for (let i = 0; i < n; ++i) if (flipped[i]) ++count;
        parts.push(
          `${count} ${count === 1 ? "is a negative flip" : "are negative flips"} (the old model right, the new one wrong), ringed in bold`
        );
      }
    }
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
  root.toSVG = function () {
    const layers =
      canvas && canvas.width > 0
        ? [{canvas, x: layout.left, y: layout.top, width: layout.innerWidth, height: layout.innerHeight}]
        : [];
    return svgMarkup(svg, layers);
  };
  root.toRows = function (): Row[] {
    const points = state?.points;
    const n = pointCount();
    const rows: Row[] = [];
    for (let i = 0; i < n; ++i) {
      rows.push({
        id: points!.ids ? points!.ids[i] : i,
        x: float32Value(points!.x[2 * i]),
        y: float32Value(points!.x[2 * i + 1]),
        label: points!.label[i],
        clean: points!.clean ? points!.clean[i] : null,
        flipped: points!.flipped ? points!.flipped[i] !== 0 : null
      });
    }
    return rows;
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
