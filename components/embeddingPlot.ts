import {format} from "d3-format";
import {scaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import type {Renderer} from "./internal/context.js";
import {autoExtent} from "./internal/domain.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {float32Value, formatValue, px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import type {Frame} from "./internal/frame.js";
import {uniqueId} from "./internal/ids.js";
import {classColor, unknownColor} from "./internal/palette.js";
import {createClipRect, createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/**
 * An angular margin of a normalised-softmax loss. "additive-angle" is ArcFace's cos(θ_y + m), m in
 * radians (Deng et al. 2019, eq. 3); "additive-cosine" is CosFace's cos θ_y − m, m on the cosine
 * (Wang et al. 2018, eq. 4).
 */
export interface AngularMargin {
  kind: "additive-angle" | "additive-cosine";
  value: number;
}

/**
 * The pairs a miner picked this step, as flat index pairs into the points: [i0, j0, i1, j1, …]. A
 * triplet (a, p, n) is the positive pair (a, p) plus the negative pair (a, n).
 */
export interface MinedPairs {
  pos?: Int32Array;
  neg?: Int32Array;
  /**
   * What the solid (`pos`) and dashed (`neg`) lines stand for, in the legend and the figure's description, where they
   * are not a miner's pairs (e.g. "support → prototype", "clip → caption"); default "positive pair", "negative pair".
   */
  posLabel?: string;
  negLabel?: string;
}

/** A 2-D embedding of labelled points, optionally with class weight vectors, margins and mined pairs. */
export interface EmbeddingData {
  classes: number;
  points: {
    /** [n, 2] row-major. */
    x: Float32Array;
    label: Int32Array;
    /** Keys for the join (default: the index); shown as the sample id. */
    ids?: Int32Array;
    /** Predicted classes; points predicted wrongly get an outline. */
    predicted?: Int32Array;
    /** Per-sample loss, shown in the point's detail. */
    loss?: Float32Array;
  };
  /** The embeddings are L2-normalised: draw the unit circle (and weights as unit directions). */
  normalized?: boolean;
  /** [classes, 2] class weight vectors or prototypes, drawn as arrows from the origin. */
  weights?: Float32Array;
  /** The loss's angular margin, drawn as wedges around the weight directions (normalised embeddings with weights only). */
  margin?: AngularMargin;
  /** The pairs the miner picked this step, drawn as lines. */
  pairs?: MinedPairs;
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
  /** At most this many mined pairs are drawn (default 400), an evenly spaced subset of each kind. */
  maxPairs: number;
  /** Accepted for the common component options; points are always SVG (fine up to a few thousand). */
  renderer: Renderer;
  document?: Document;
}

export type EmbeddingPlotElement = SVGSVGElement &
  ComponentElement<EmbeddingData | null, EmbeddingPlotOptions> &
  Exportable;

const defaults: EmbeddingPlotOptions = {width: 360, pointRadius: 2.5, maxPairs: 400, renderer: "auto"};

/** How close (in pixels) the pointer must come to a point for its detail to show. */
const hoverRadius = 12;
const legendRow = 16;
const coordinate = format(".3~f");

interface PointDatum {
  key: number;
  index: number;
}

interface WeightDatum {
  k: number;
  x: number;
  y: number;
}

/** A class's margin wedge: angles in radians, counter-clockwise from the z₁ axis. */
export interface MarginWedge {
  k: number;
  /** Direction of the class weight. */
  angle: number;
  /** The wedge spans [start, end] counter-clockwise (start < end, within ±π of angle); start = end = angle when empty. */
  start: number;
  end: number;
}

interface LegendItem {
  key: "positive" | "negative" | "margin";
  text: string;
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

/** Whether `margin` is one this plot can draw: a known kind and a finite value in [0, π) (angle) or [0, 2) (cosine). */
function validMargin(margin: AngularMargin | undefined): margin is AngularMargin {
  if (!margin || !(margin.value >= 0) || !Number.isFinite(margin.value)) return false;
  if (margin.kind === "additive-angle") return margin.value < Math.PI;
  if (margin.kind === "additive-cosine") return margin.value < 2;
  return false;
}

/**
 * The arc of directions α where a sample of the class with unit weight direction `own` satisfies the
 * margin against the one class with direction `other` (angles in radians). Both kinds give an arc
 * centred on the direction of w_own − w_other (away from the other class):
 * - additive cosine (CosFace): cos θ_own − cos θ_other = (cos α, sin α)·(w_own − w_other)
 *   = |w_own − w_other| cos(α − ψ) > m, an arc of half-width acos(m / |w_own − w_other|) around
 *   ψ = arg(w_own − w_other), with |w_own − w_other| = 2 sin(δ/2), δ the angle between the weights;
 * - additive angle (ArcFace): θ_own + m < θ_other holds on the arc of half-width (π − m)/2 around the
 *   same ψ when m < δ (and nowhere otherwise): towards the other weight it ends (δ − m)/2 from the own
 *   weight, the Voronoi half-gap less m/2, and behind it (δ + m)/2 short of the antipode of the other.
 * Returns null when the arc is empty.
 */
export function marginArc(
  kind: AngularMargin["kind"],
  m: number,
  own: number,
  other: number
): {centre: number; halfWidth: number} | null {
  const dx = Math.cos(own) - Math.cos(other);
  const dy = Math.sin(own) - Math.sin(other);
  const distance = Math.hypot(dx, dy);
  if (!(distance > 0)) return null;
  const centre = Math.atan2(dy, dx);
  if (kind === "additive-angle") {
    const delta = 2 * Math.asin(Math.min(1, distance / 2));
    return m < delta ? {centre, halfWidth: (Math.PI - m) / 2} : null;
  }
  return m < distance ? {centre, halfWidth: Math.acos(m / distance)} : null;
}

/**
 * The margin wedges of normalised 2-D embeddings: for each class weight direction, the arc of
 * directions where a sample of that class satisfies the margin against every other class, i.e.
 * (ArcFace, Deng et al. 2019) θ_y + m < min_{j≠y} θ_j, or (CosFace, Wang et al. 2018)
 * cos θ_y − m > max_{j≠y} cos θ_j, θ_j the angle to weight j: the intersection of the per-class arcs
 * of marginArc, itself one arc or empty because each is at most a half circle. The ArcFace wedge
 * always contains its weight direction and reaches (gap − m)/2 towards each neighbour; the CosFace
 * wedge reaches gap/2 − asin(m / (2 sin(gap/2))) towards a neighbour — the cosine margin acts like an
 * angular margin that is wider between close classes — and may even lie beside its weight direction
 * when another weight is close (1 − cos gap ≤ m), because the gap between cosines grows as a sample
 * moves away from both. With m = 0 the wedges tile the circle (the classes' decision regions); fewer
 * than two weights give no wedges. `weights` is [classes, 2]; zero or non-finite rows are skipped.
 */
export function marginWedges(weights: ArrayLike<number>, classes: number, margin: AngularMargin): MarginWedge[] {
  const directions: {k: number; angle: number}[] = [];
  for (let k = 0; k < Math.min(classes, weights.length >> 1); ++k) {
    const x = weights[2 * k];
    const y = weights[2 * k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y) || (x === 0 && y === 0)) continue;
    directions.push({k, angle: Math.atan2(y, x)});
  }
  if (directions.length < 2 || !validMargin(margin)) return [];
  const tau = 2 * Math.PI;
  return directions.map(({k, angle}) => {
    // Intersect the arcs one by one, each shifted by whole turns next to the current one: arcs of at
    // most half a circle overlap, if at all, only there.
    let lo = NaN;
    let hi = NaN;
    for (const other of directions) {
      if (other.k === k) continue;
      const arc = marginArc(margin.kind, margin.value, angle, other.angle);
      if (!arc) return {k, angle, start: angle, end: angle};
      // The first arc is placed within ±π of the weight direction, later ones next to the current arc.
      const mid = Number.isNaN(lo) ? angle : (lo + hi) / 2;
      const centre = arc.centre + tau * Math.round((mid - arc.centre) / tau);
      if (Number.isNaN(lo)) {
        lo = centre - arc.halfWidth;
        hi = centre + arc.halfWidth;
        continue;
      }
      lo = Math.max(lo, centre - arc.halfWidth);
      hi = Math.min(hi, centre + arc.halfWidth);
      if (!(hi > lo)) return {k, angle, start: angle, end: angle};
    }
    return {k, angle, start: lo, end: hi};
  });
}

/**
 * Picks at most `cap` of the valid pairs in `pos` and `neg` (both endpoints drawn), shared between
 * the kinds in proportion to their counts, each an evenly spaced subset so the picture stays
 * representative and stable from step to step. Returns pair indices into each array.
 */
export function capPairs(
  pos: ArrayLike<number> | undefined,
  neg: ArrayLike<number> | undefined,
  valid: (i: number, j: number) => boolean,
  cap: number
): {pos: number[]; neg: number[]; totalPos: number; totalNeg: number} {
  const collect = (pairs: ArrayLike<number> | undefined): number[] => {
    const out: number[] = [];
    if (!pairs) return out;
    for (let p = 0; p + 1 < pairs.length; p += 2) if (valid(pairs[p], pairs[p + 1])) out.push(p >> 1);
    return out;
  };
  const allPos = collect(pos);
  const allNeg = collect(neg);
  const total = allPos.length + allNeg.length;
  const limit = Number.isNaN(cap) ? defaults.maxPairs : Math.max(0, Math.floor(cap));
  if (total <= limit) return {pos: allPos, neg: allNeg, totalPos: allPos.length, totalNeg: allNeg.length};
  let quotaPos = Math.min(allPos.length, Math.round((limit * allPos.length) / total));
  const quotaNeg = Math.min(allNeg.length, limit - quotaPos);
  quotaPos = Math.min(allPos.length, limit - quotaNeg);
  const spread = (all: number[], quota: number) =>
    Array.from({length: quota}, (_, i) => all[Math.floor((i * all.length) / quota)]);
  return {
    pos: spread(allPos, quotaPos),
    neg: spread(allNeg, quotaNeg),
    totalPos: allPos.length,
    totalNeg: allNeg.length
  };
}

/**
 * The index of the point nearest to point `from` in the direction (dx, dy) (screen coordinates), for
 * arrow-key navigation: among the points ahead of it (positive projection on the direction), the one
 * with the smallest distance plus sideways offset, so a point straight ahead beats a closer one off
 * to the side. Ties go to the lower index; −1 when no point lies ahead.
 */
export function nearestInDirection(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  from: number,
  dx: number,
  dy: number
): number {
  let best = -1;
  let bestScore = Infinity;
  const n = Math.min(x.length, y.length);
  for (let j = 0; j < n; ++j) {
    if (j === from) continue;
    const ex = x[j] - x[from];
    const ey = y[j] - y[from];
    const ahead = ex * dx + ey * dy;
    if (!(ahead > 0)) continue;
    const side = Math.abs(ex * dy - ey * dx);
    const score = Math.hypot(ahead, side) + side;
    if (score < bestScore) {
      bestScore = score;
      best = j;
    }
  }
  return best;
}

/**
 * The detail lines of point `index`: its sample id, label (and predicted class, flagged when wrong),
 * per-sample loss when given, and position. The tooltip shows them; screen readers hear them joined.
 */
export function pointDetail(data: EmbeddingData, index: number): string[] {
  const {points} = data;
  const id = points.ids ? points.ids[index] : index;
  const label = points.label[index];
  const lines = [`sample ${id}`];
  if (points.predicted) {
    const predicted = points.predicted[index];
    lines.push(`label ${label}, predicted ${predicted}${predicted === label ? "" : " (misclassified)"}`);
  } else {
    lines.push(`label ${label}`);
  }
  if (points.loss) lines.push(`loss ${formatValue(points.loss[index])}`);
  lines.push(`z = (${coordinate(points.x[2 * index])}, ${coordinate(points.x[2 * index + 1])})`);
  return lines.map((line) => line.replace(/-/g, "−"));
}

/**
 * A 2-D embedding scatter with equal aspect ratio: points coloured by class (misclassified ones
 * outlined), a light cross at the origin, the unit circle for normalised embeddings, class weight
 * vectors as arrows, translucent angular-margin wedges around the weight directions (marginWedges),
 * and the pairs the miner picked this step as lines (positives solid, negatives dashed, at most
 * maxPairs of them). The view follows the data with hysteresis so it does not jitter while a model
 * trains.
 *
 * Hover and keyboard: the pointer near a point shows a tooltip with its sample id, label, predicted
 * class and loss. The points form one tab stop (role listbox, the root is therefore role group, not
 * img): on focus the last point read (else the first in data order) gets a focus ring and the same
 * tooltip, and its detail is the accessible name of the active option (aria-activedescendant).
 * Arrow keys move to the nearest point in that direction (nearestInDirection), Page Down / Page Up
 * step through the points in data order (so every point is reachable, stacked ones too), Home / End
 * go to the first / last, Escape hides the tooltip until the next key.
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
  // The points are an interactive listbox, which a role="img" root would hide from assistive technology.
  svg.setAttribute("role", "group");
  const clip = createClipRect(document, defs);
  const xAxis = createAxis(document, "losslab-axis-x");
  const yAxis = createAxis(document, "losslab-axis-y");
  const body = createSvgElement(document, "g");
  body.setAttribute("clip-path", `url(#${clip.id})`);
  const cross = createSvgElement(document, "path");
  cross.setAttribute("class", "origin");
  cross.setAttribute("fill", "none");
  cross.setAttribute("style", "stroke: var(--theme-foreground-faint, #ccc);");
  const wedgeGroup = createSvgElement(document, "g");
  wedgeGroup.setAttribute("class", "margin-wedges");
  wedgeGroup.setAttribute("fill-opacity", "0.14");
  wedgeGroup.setAttribute("stroke-opacity", "0.55");
  wedgeGroup.setAttribute("stroke-width", "1");
  const circle = createSvgElement(document, "g");
  circle.setAttribute("class", "unit-circle");
  circle.setAttribute("fill", "none");
  circle.setAttribute("stroke-dasharray", "4,3");
  circle.setAttribute("style", "stroke: var(--theme-foreground-muted, #888);");
  const pairGroup = createSvgElement(document, "g");
  pairGroup.setAttribute("class", "pairs");
  pairGroup.setAttribute("fill", "none");
  pairGroup.setAttribute("stroke-width", "0.75");
  pairGroup.setAttribute("aria-hidden", "true");
  const positivePath = createSvgElement(document, "path");
  positivePath.setAttribute("class", "positive");
  positivePath.setAttribute("stroke", "currentColor");
  positivePath.setAttribute("stroke-opacity", "0.6");
  const negativePath = createSvgElement(document, "path");
  negativePath.setAttribute("class", "negative");
  negativePath.setAttribute("stroke", unknownColor);
  negativePath.setAttribute("stroke-opacity", "0.85");
  negativePath.setAttribute("stroke-dasharray", "3,2");
  pairGroup.append(positivePath, negativePath);
  const dots = createSvgElement(document, "g");
  dots.setAttribute("class", "points");
  dots.setAttribute("style", "stroke: var(--theme-background, white); outline: none;");
  dots.setAttribute("stroke-width", "0.75");
  dots.setAttribute("role", "listbox");
  dots.setAttribute("aria-label", "Points: arrow keys move to the nearest point");
  const arrows = createSvgElement(document, "g");
  arrows.setAttribute("class", "weights");
  arrows.setAttribute("stroke-width", "2");
  arrows.setAttribute("stroke-linecap", "round");
  body.append(cross, wedgeGroup, circle, pairGroup, dots, arrows);
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  const ring = createSvgElement(document, "circle");
  ring.setAttribute("class", "focus-ring");
  ring.setAttribute("fill", "none");
  ring.setAttribute("stroke", "currentColor");
  ring.setAttribute("stroke-width", "1.5");
  ring.setAttribute("pointer-events", "none");
  ring.setAttribute("display", "none");
  const tooltip = createSvgElement(document, "g");
  tooltip.setAttribute("class", "tooltip");
  // The active option's accessible name carries the same text for screen readers.
  tooltip.setAttribute("aria-hidden", "true");
  tooltip.setAttribute("pointer-events", "none");
  tooltip.setAttribute("display", "none");
  const tooltipBox = createSvgElement(document, "rect");
  tooltipBox.setAttribute("rx", "3");
  tooltipBox.setAttribute("style", "fill: var(--theme-background, white); fill-opacity: 0.92;");
  tooltipBox.setAttribute("stroke", "currentColor");
  tooltipBox.setAttribute("stroke-opacity", "0.25");
  const tooltipLines = createSvgElement(document, "g");
  tooltipLines.setAttribute("class", "lines");
  tooltip.append(tooltipBox, tooltipLines);
  svg.append(xAxis, yAxis, body, legend, ring, tooltip);

  const activeId = uniqueId(document, "losslab-embedding-point");
  let layout: Frame = frame(current.width, current.width, {top: 0, right: 0, bottom: 0, left: 0});
  // Drawn points in data order, their screen positions and their nodes (keyed by datum key).
  let drawn: PointDatum[] = [];
  let screenX = new Float64Array(0);
  let screenY = new Float64Array(0);
  const nodes = new Map<number, SVGCircleElement>();
  let activeKey: number | undefined; // the keyboard's point
  let hoverKey: number | undefined; // the pointer's point
  let focused = false;
  let tooltipHidden = false; // Escape hides the keyboard tooltip until the next navigation key
  let activeNode: SVGCircleElement | null = null;
  let pairSummary = {drawnPos: 0, drawnNeg: 0, totalPos: 0, totalNeg: 0};

  function render(): void {
    const {width, pointRadius} = current;
    const height = current.height ?? width;
    const weights = weightVectors(state);
    const wedges =
      state?.normalized && state.weights && validMargin(state.margin)
        ? marginWedges(state.weights, state.classes, state.margin)
        : [];
    const points = state?.points;
    const n = points ? Math.min(points.label.length, points.x.length >> 1) : 0;
    const finite = (i: number) =>
      i >= 0 && i < n && Number.isFinite(points!.x[2 * i]) && Number.isFinite(points!.x[2 * i + 1]);
    const picked = capPairs(
      state?.pairs?.pos,
      state?.pairs?.neg,
      (i, j) => Number.isInteger(i) && Number.isInteger(j) && finite(i) && finite(j),
      current.maxPairs
    );
    pairSummary = {
      drawnPos: picked.pos.length,
      drawnNeg: picked.neg.length,
      totalPos: picked.totalPos,
      totalNeg: picked.totalNeg
    };
    const items = legendItems(wedges.length > 0);
    const rows = items.length ? items[items.length - 1].y / legendRow + 1 : 0;
    // Height defaults to the width; legend rows take from the plot, not the figure.
    layout = frame(width, height, {top: 10, right: 10, bottom: 38 + (rows ? 8 + rows * legendRow : 0), left: 44});
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
    setText(desc, current.description ?? describe(weights.length, wedges));
    setRect(clip.rect, layout.left, layout.top, layout.innerWidth, layout.innerHeight);
    const ticks = (count: number) => Math.max(2, Math.round(count / 60));
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

    select(wedgeGroup)
      .selectAll<SVGPathElement, MarginWedge>("path")
      .data(
        wedges.filter((w) => w.end > w.start),
        (d) => d.k
      )
      .join("path")
      .each(function (d) {
        const color = classColor(d.k);
        const r = unit;
        const x0 = cx + r * Math.cos(d.start);
        const y0 = cy - r * Math.sin(d.start);
        const x1 = cx + r * Math.cos(d.end);
        const y1 = cy - r * Math.sin(d.end);
        // Counter-clockwise in the plot is counter-clockwise on screen too (y flipped): sweep flag 0.
        const large = d.end - d.start > Math.PI ? 1 : 0;
        setAttribute(this, "data-class", String(d.k));
        setAttribute(this, "fill", color);
        setAttribute(this, "stroke", color);
        setAttribute(
          this,
          "d",
          `M${px(cx)},${px(cy)}L${px(x0)},${px(y0)}A${px(r)},${px(r)} 0 ${large} 0 ${px(x1)},${px(y1)}Z`
        );
      });

    select(circle)
      .selectAll<SVGCircleElement, number>("circle")
      .data(state?.normalized ? [1] : [])
      .join("circle")
      .each(function (r) {
        setAttribute(this, "cx", String(px(cx)));
        setAttribute(this, "cy", String(px(cy)));
        setAttribute(this, "r", String(px(r * unit)));
      });

    const segments = (pairs: ArrayLike<number> | undefined, chosen: number[]): string => {
      let d = "";
      for (const p of chosen) {
        const i = pairs![2 * p];
        const j = pairs![2 * p + 1];
        d += `M${px(x(points!.x[2 * i]))},${px(y(points!.x[2 * i + 1]))}L${px(x(points!.x[2 * j]))},${px(y(points!.x[2 * j + 1]))}`;
      }
      return d;
    };
    const positive = segments(state?.pairs?.pos, picked.pos);
    const negative = segments(state?.pairs?.neg, picked.neg);
    setAttribute(positivePath, "d", positive || null);
    setAttribute(negativePath, "d", negative || null);

    drawn = [];
    // Points whose embedding is not finite (a diverged run) leave the plot rather than break it.
    for (let i = 0; i < n; ++i) if (finite(i)) drawn.push({key: points!.ids ? points!.ids[i] : i, index: i});
    screenX = new Float64Array(drawn.length);
    screenY = new Float64Array(drawn.length);
    drawn.forEach((d, r) => {
      screenX[r] = px(x(points!.x[2 * d.index]));
      screenY[r] = px(y(points!.x[2 * d.index + 1]));
    });
    nodes.clear();
    select(dots)
      .selectAll<SVGCircleElement, PointDatum>("circle")
      .data(drawn, (d) => d.key)
      .join("circle")
      .each(function (d, r) {
        const i = d.index;
        const wrong = points!.predicted !== undefined && points!.predicted[i] !== points!.label[i];
        nodes.set(d.key, this);
        setAttribute(this, "cx", String(screenX[r]));
        setAttribute(this, "cy", String(screenY[r]));
        setAttribute(this, "r", String(wrong ? pointRadius + 1 : pointRadius));
        setAttribute(this, "fill", classColor(points!.label[i]));
        // Misclassified points get a foreground outline, drawn over the background-coloured halo.
        setAttribute(this, "class", wrong ? "misclassified" : null);
        setAttribute(this, "style", wrong ? "stroke: currentColor;" : null);
        setAttribute(this, "stroke-width", wrong ? "1.5" : null);
      });
    setAttribute(dots, "tabindex", drawn.length && !destroyed ? "0" : null);

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

    renderLegend(items);
    renderDetail();
  }

  function legendItems(hasWedges: boolean): LegendItem[] {
    const items: LegendItem[] = [];
    if (pairSummary.drawnPos)
      items.push({key: "positive", text: state?.pairs?.posLabel ?? "positive pair", x: 0, y: 0});
    if (pairSummary.drawnNeg)
      items.push({key: "negative", text: state?.pairs?.negLabel ?? "negative pair", x: 0, y: 0});
    if (hasWedges && state?.margin) items.push({key: "margin", text: marginText(state.margin), x: 0, y: 0});
    // Rows wrap at the figure's width (text width estimated: there is no layout engine under jsdom).
    let lx = 0;
    let ly = 0;
    const room = current.width - 44 - 10;
    for (const item of items) {
      const w = 20 + textWidth(item.text, {perCharacter: 5.5}) + 14;
      if (lx > 0 && lx + w > room) {
        lx = 0;
        ly += legendRow;
      }
      item.x = lx;
      item.y = ly;
      lx += w;
    }
    return items;
  }

  function renderLegend(items: LegendItem[]): void {
    setAttribute(legend, "transform", `translate(${layout.left},${layout.top + layout.innerHeight + 46})`);
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(items, (d) => d.key)
      .join((enter) => {
        const item = enter.append("g").attr("class", (d) => `item legend-${d.key}`);
        item.each(function (d) {
          const g = select(this);
          if (d.key === "margin") {
            g.append("path")
              .attr("d", "M0,0L14.1,5.13A15,15 0 0 0 14.1,-5.13Z")
              .attr("fill", "currentColor")
              .attr("fill-opacity", 0.2)
              .attr("stroke", "currentColor")
              .attr("stroke-opacity", 0.55);
          } else {
            g.append("line")
              .attr("x2", 16)
              .attr("stroke", d.key === "positive" ? "currentColor" : unknownColor)
              .attr("stroke-opacity", d.key === "positive" ? 0.6 : 0.85)
              .attr("stroke-width", 1.25)
              .attr("stroke-dasharray", d.key === "negative" ? "3,2" : null);
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

  /** The row (position in `drawn`) of a key, or −1. */
  function rowOf(key: number | undefined): number {
    if (key === undefined) return -1;
    for (let r = 0; r < drawn.length; ++r) if (drawn[r].key === key) return r;
    return -1;
  }

  /** Places the tooltip and the ring on the hovered point, else (while focused) the active one; marks the active option. */
  function renderDetail(): void {
    const activeRow = rowOf(activeKey);
    if (activeRow < 0) activeKey = undefined;
    const node = activeRow >= 0 ? (nodes.get(activeKey!) ?? null) : null;
    if (activeNode && activeNode !== node) {
      for (const name of ["id", "role", "aria-selected", "aria-label", "aria-posinset", "aria-setsize"]) {
        activeNode.removeAttribute(name);
      }
    }
    activeNode = node;
    if (node && state) {
      const detail = pointDetail(state, drawn[activeRow].index);
      setAttribute(node, "id", activeId);
      setAttribute(node, "role", "option");
      setAttribute(node, "aria-selected", "true");
      setAttribute(node, "aria-label", detail.join(", "));
      setAttribute(node, "aria-posinset", String(activeRow + 1));
      setAttribute(node, "aria-setsize", String(drawn.length));
    }
    setAttribute(dots, "aria-activedescendant", node ? activeId : null);

    let row = rowOf(hoverKey);
    if (row < 0) hoverKey = undefined;
    if (row < 0 && focused && !tooltipHidden) row = activeRow;
    if (row < 0 || !state || destroyed) {
      setAttribute(tooltip, "display", "none");
      setAttribute(ring, "display", "none");
      return;
    }
    const lines = pointDetail(state, drawn[row].index);
    const sx = screenX[row];
    const sy = screenY[row];
    setAttribute(ring, "display", null);
    setAttribute(ring, "cx", String(sx));
    setAttribute(ring, "cy", String(sy));
    setAttribute(ring, "r", String(current.pointRadius + 4));
    select(tooltipLines)
      .selectAll<SVGTextElement, string>("text")
      .data(lines)
      .join((enter) => enter.append("text").attr("x", 6).attr("dy", "0.32em"))
      .each(function (line, i) {
        setAttribute(this, "y", String(10 + i * 13));
        setAttribute(this, "font-weight", i === 0 ? "bold" : null);
        setText(this, line);
      });
    const boxWidth = 12 + Math.max(...lines.map((line) => textWidth(line, {perCharacter: 5.5})));
    const boxHeight = 7 + lines.length * 13;
    setRect(tooltipBox, 0, 0, px(boxWidth), boxHeight);
    // Up and to the right of the point, flipped to whichever side keeps it inside the figure.
    const right = layout.left + layout.innerWidth;
    const bx = sx + 10 + boxWidth <= right ? sx + 10 : Math.max(0, sx - 10 - boxWidth);
    const by = sy - 10 - boxHeight >= 0 ? sy - 10 - boxHeight : sy + 10;
    setAttribute(tooltip, "transform", `translate(${px(bx)},${px(by)})`);
    setAttribute(tooltip, "display", null);
  }

  function marginText(margin: AngularMargin): string {
    return margin.kind === "additive-angle"
      ? `margin region, additive angle m = ${formatValue(margin.value)} rad`
      : `margin region, additive cosine m = ${formatValue(margin.value)}`;
  }

  function describe(weightCount: number, wedges: MarginWedge[]): string {
    const n = state ? Math.min(state.points.label.length, state.points.x.length >> 1) : 0;
    const classes = state?.classes ?? 0;
    const parts = [
      `Scatter plot of ${n} points in a 2-D embedding space (z₁, z₂), coloured by class (${classes} classes)`
    ];
    if (state?.normalized) parts.push("the dashed circle is the unit circle of L2-normalised embeddings");
    if (weightCount) parts.push(`arrows from the origin show the ${weightCount} class weight vectors`);
    if (wedges.length && state?.margin) {
      const empty = wedges.filter((w) => !(w.end > w.start)).map((w) => w.k);
      parts.push(
        `shaded wedges mark where a sample of the class of that colour satisfies the ${
          state.margin.kind === "additive-angle" ? "additive angular" : "additive cosine"
        } margin m = ${formatValue(state.margin.value)}${
          empty.length ? ` (empty for class${empty.length > 1 ? "es" : ""} ${empty.join(", ")})` : ""
        }`
      );
    }
    const {drawnPos, drawnNeg, totalPos, totalNeg} = pairSummary;
    const named = state?.pairs?.posLabel !== undefined || state?.pairs?.negLabel !== undefined;
    if (totalPos + totalNeg > 0 && named) {
      const kinds = [
        [drawnPos, totalPos, state?.pairs?.posLabel ?? "positive pair", "solid"],
        [drawnNeg, totalNeg, state?.pairs?.negLabel ?? "negative pair", "dashed"]
      ] as const;
      const text = kinds
        .filter(([, total]) => total > 0)
        .map(([drawn, total, label, style]) => `${drawn < total ? `${drawn} of ${total}` : total} ${label} (${style})`);
      parts.push(`lines: ${text.join(", ")}`);
    } else if (totalPos + totalNeg > 0) {
      const capped = drawnPos + drawnNeg < totalPos + totalNeg;
      parts.push(
        capped
          ? `lines join ${drawnPos + drawnNeg} of the ${totalPos + totalNeg} pairs the miner picked this step (${drawnPos} of ${totalPos} positive pairs solid, ${drawnNeg} of ${totalNeg} negative pairs dashed)`
          : `lines join the ${totalPos} positive pairs (solid) and ${totalNeg} negative pairs (dashed) the miner picked this step`
      );
    }
    if (state?.points.predicted) parts.push("outlined points are misclassified");
    if (n) parts.push("focus the points and use the arrow keys to read them one by one");
    return `${parts.join("; ")}.`;
  }

  // Pointer position in SVG user units; CSS may scale the figure, so divide by the rendered size.
  function pointerPosition(event: MouseEvent): [number, number] {
    const rect = svg.getBoundingClientRect();
    const scale = rect.width > 0 ? current.width / rect.width : 1;
    return [(event.clientX - rect.left) * scale, (event.clientY - rect.top) * scale];
  }

  const listeners = new (document.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  const signal = listeners.signal;
  svg.addEventListener(
    "pointermove",
    (event) => {
      const [mx, my] = pointerPosition(event as MouseEvent);
      let best = -1;
      let bestDistance = hoverRadius;
      for (let r = 0; r < drawn.length; ++r) {
        const d = Math.hypot(screenX[r] - mx, screenY[r] - my);
        if (d <= bestDistance) {
          bestDistance = d;
          best = r;
        }
      }
      const key = best >= 0 ? drawn[best].key : undefined;
      if (key !== hoverKey) {
        hoverKey = key;
        renderDetail();
      }
    },
    {signal}
  );
  svg.addEventListener(
    "pointerleave",
    () => {
      hoverKey = undefined;
      renderDetail();
    },
    {signal}
  );
  dots.addEventListener(
    "focus",
    () => {
      focused = true;
      tooltipHidden = false;
      if (rowOf(activeKey) < 0 && drawn.length) activeKey = drawn[0].key;
      renderDetail();
    },
    {signal}
  );
  dots.addEventListener(
    "blur",
    () => {
      focused = false;
      renderDetail();
    },
    {signal}
  );
  const directions: Record<string, [number, number]> = {
    ArrowRight: [1, 0],
    ArrowLeft: [-1, 0],
    ArrowUp: [0, -1],
    ArrowDown: [0, 1]
  };
  dots.addEventListener(
    "keydown",
    (event) => {
      const key = (event as KeyboardEvent).key;
      if (!drawn.length) return;
      let row = rowOf(activeKey);
      if (key === "Escape") {
        if (tooltipHidden) return;
        tooltipHidden = true;
      } else if (key in directions) {
        const [dx, dy] = directions[key];
        const next = row < 0 ? 0 : nearestInDirection(screenX, screenY, row, dx, dy);
        if (next >= 0) row = next;
      } else if (key === "PageDown") {
        row = row < 0 ? 0 : Math.min(drawn.length - 1, row + 1);
      } else if (key === "PageUp") {
        row = row < 0 ? 0 : Math.max(0, row - 1);
      } else if (key === "Home") {
        row = 0;
      } else if (key === "End") {
        row = drawn.length - 1;
      } else {
        return;
      }
      event.preventDefault();
      if (key !== "Escape") tooltipHidden = false;
      activeKey = drawn[Math.max(0, row)].key;
      focused = true;
      renderDetail();
    },
    {signal}
  );

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
    listeners.abort();
    hoverKey = undefined;
    focused = false;
    setAttribute(dots, "tabindex", null);
    renderDetail();
  };
  element.toSVG = function () {
    return svgMarkup(svg);
  };
  element.toRows = function (): Row[] {
    const points = state?.points;
    if (!points) return [];
    return drawn.map(({index: i}) => ({
      id: points.ids ? points.ids[i] : i,
      x: float32Value(points.x[2 * i]),
      y: float32Value(points.x[2 * i + 1]),
      label: points.label[i],
      predicted: points.predicted ? points.predicted[i] : null,
      loss: points.loss ? float32Value(points.loss[i]) : null
    }));
  };
  return element;
}
