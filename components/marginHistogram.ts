import {scaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {autoExtent} from "./internal/domain.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {formatValue, px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import type {Frame} from "./internal/frame.js";
import {armColor, classColor} from "./internal/palette.js";
import {createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** One model's logit margins on an evaluation set: a single model, or one arm of a twin run. */
export interface MarginArm {
  /** Identity for the keyed join (default: the label). */
  key?: string;
  /** The arm's name in the legend and read-outs: its loss, e.g. "focal". */
  label: string;
  /** "baseline" | "method" | another arm: picks the colour through armColor (used when there are several arms). */
  role?: string;
  /** m_i = z_{i,y_i} − max_{k≠y_i} z_{i,k} per sample, e.g. `logitMargins(logits, labels, C).margins` from src/metrics. */
  margins: ArrayLike<number>;
  /** The true class y_i of each sample. */
  labels: ArrayLike<number>;
}

/**
 * Per-sample logit margins and labels; the component bins them (marginBins) on a domain that follows
 * the data. Twin runs pass two arms evaluated on the same samples.
 */
export interface MarginHistogramData {
  classes: number;
  /** Class names for the panels (default "class 0", "class 1" …). */
  classNames?: readonly string[];
  arms: readonly MarginArm[];
}

export interface MarginHistogramOptions {
  /** Width in pixels (default 480); the figure shrinks with its container. */
  width: number;
  /** Height in pixels; default: from the number of classes (64 px per panel for up to 3 classes, 26 at 10). */
  height?: number;
  title?: string;
  description?: string;
  /** About this many bins over the domain (default 24); the edges are round numbers and 0 is always one. */
  bins: number;
  /** A fixed margin domain [lo, hi]; default: follows the data with hysteresis, always including [−1, 1]. */
  domain?: [number, number];
  /** "share": each class's histogram sums to 1, so classes of different sizes compare; "count": samples per bin. */
  y: "share" | "count";
  document?: Document;
}

export type MarginHistogramElement = SVGSVGElement &
  ComponentElement<MarginHistogramData | null, MarginHistogramOptions> &
  Exportable;

const defaults: MarginHistogramOptions = {width: 480, bins: 24, y: "share"};

/** Counts of logit margins per class and bin (see {@link marginBins}). */
export interface MarginBins {
  /** Ascending bin edges: bin b is [edges[b], edges[b + 1]); the last bin also holds edges[B]. */
  edges: Float64Array;
  /** counts[k][b]: samples of class k in bin b. Margins outside the edges are counted in the first or last bin. */
  counts: number[][];
  /** Samples of each class with a finite margin. */
  total: number[];
  /** Samples of each class with a strictly negative margin: misclassified (a margin of exactly 0 is a tie). */
  negative: number[];
  /** Samples counted in an end bin although their margin lies outside the edges. */
  clamped: number;
  /** Samples left out: a non-finite margin, or a label that is not a class index in [0, classes). */
  skipped: number;
}

const niceSteps = [1, 2, 2.5, 5, 10];

/**
 * Bin edges over [lo, hi]: consecutive multiples of a round step (1, 2, 2.5 or 5 × 10^k) chosen so
 * that about `count` bins cover the interval, widened outwards to whole steps. Because the edges are
 * multiples of the step, 0 is an edge whenever lo ≤ 0 ≤ hi, so no bin straddles the line between
 * misclassified and correct samples. An empty or invalid interval is widened to a unit around it.
 */
export function marginEdges(lo: number, hi: number, count: number): Float64Array {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [-1, 1];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const bins = Math.max(1, Math.floor(Number.isFinite(count) ? count : 1));
  const raw = (hi - lo) / bins;
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = niceSteps.find((s) => s * power >= raw * (1 - 1e-12)) ?? 10;
  // A step below 1 is kept as an integer ratio (e.g. 0.25 = 25 / 100) so that every edge is the double
  // nearest its decimal value, with no accumulated error: 0.6, not 0.6000000000000001.
  const denominator = power < 1 ? Math.round(10 / power) : 1;
  const numerator = power < 1 ? Math.round(mantissa * power * denominator) : mantissa * power;
  const step = numerator / denominator;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.max(first + 1, Math.ceil(hi / step - 1e-9));
  const edges = new Float64Array(last - first + 1);
  for (let i = 0; i < edges.length; ++i) {
    const v = ((first + i) * numerator) / denominator;
    edges[i] = v === 0 ? 0 : v; // no −0
  }
  return edges;
}

/**
 * Histograms of logit margins per true class: for every class k, how many samples of class k have a
 * margin in each bin of `edges` (ascending, at least two). Pure: plain arrays in, counts out, so the
 * view and its tests bin the same way. Margins outside the edges land in the first or last bin (and
 * are counted in `clamped`) so that every sample is shown; non-finite margins and labels outside
 * [0, classes) are skipped (counted in `skipped`).
 */
export function marginBins(
  margins: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  edges: ArrayLike<number>
): MarginBins {
  if (!Number.isInteger(classes) || classes < 0) throw new Error(`marginBins: invalid classes: ${classes}`);
  if (labels.length !== margins.length) {
    throw new Error(`marginBins: labels has ${labels.length} entries, expected ${margins.length} (one per margin)`);
  }
  const e = Float64Array.from(edges);
  if (e.length < 2) throw new Error(`marginBins: edges has ${e.length} entries, expected at least 2`);
  for (let b = 0; b < e.length - 1; ++b) {
    if (!(e[b] < e[b + 1])) throw new Error(`marginBins: edges must be finite and ascending, got ${e[b]}, ${e[b + 1]}`);
  }
  const bins = e.length - 1;
  const counts = Array.from({length: classes}, () => new Array<number>(bins).fill(0));
  const total = new Array<number>(classes).fill(0);
  const negative = new Array<number>(classes).fill(0);
  let clamped = 0;
  let skipped = 0;
  for (let i = 0; i < margins.length; ++i) {
    const m = margins[i];
    const k = labels[i];
    if (!Number.isFinite(m) || !Number.isInteger(k) || k < 0 || k >= classes) {
      ++skipped;
      continue;
    }
    let b: number;
    if (m < e[0]) {
      b = 0;
      ++clamped;
    } else if (m >= e[bins]) {
      b = bins - 1;
      if (m > e[bins]) ++clamped;
    } else {
      // The last edge ≤ m: binary search, so uneven edges work too.
      let lo = 0;
      let hi = bins - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (e[mid] <= m) lo = mid;
        else hi = mid - 1;
      }
      b = lo;
    }
    counts[k][b]++;
    total[k]++;
    if (m < 0) negative[k]++;
  }
  return {edges: e, counts, total, negative, clamped, skipped};
}

/** The colour of each arm: by role (baseline slate, method orange), other roles in order of appearance. */
function armColors(arms: readonly MarginArm[]): string[] {
  const others = new Map<string, number>();
  return arms.map((arm, i) => {
    const role = arm.role ?? arm.key ?? arm.label ?? String(i);
    if (role === "baseline" || role === "method") return armColor(role);
    if (!others.has(role)) others.set(role, others.size);
    return armColor(role, others.get(role));
  });
}

function armKey(arm: MarginArm, i: number): string {
  return arm.key ?? arm.label ?? String(i);
}

function percent(share: number): string {
  if (!Number.isFinite(share)) return "–";
  if (share > 0 && share < 0.005) return "<1%";
  return `${Math.round(share * 100)}%`;
}

interface ArmBins {
  key: string;
  label: string;
  color: string;
  index: number;
  bins: MarginBins;
}

interface PanelDatum {
  k: number;
}

interface LegendItem {
  key: string;
  label: string;
  color: string;
  index: number;
  x: number;
  y: number;
}

const legendRow = 16;
const panelGap = 6;

/**
 * Per-class histograms of the logit margin z_y − max_{k≠y} z_k, the quantity margin losses push up:
 * one small panel per true class sharing the margin axis, with a vertical line at 0 (left of it the
 * model is wrong) and each class's share of negative margins beside its panel. A single model is
 * drawn as filled histograms in the class colours; with two arms (a twin run) the first arm is a
 * filled histogram and the second an outline in the arms' colours, so two losses compare class by
 * class. Small multiples rather than overlaid lines, because ten overlaid step lines cannot be told
 * apart. The margin domain and the shared y scale follow the data with hysteresis, so the panels do
 * not jitter while a model trains; toRows() gives one row per arm, class and bin.
 */
export function MarginHistogram(
  data: MarginHistogramData | null = null,
  options: Partial<MarginHistogramOptions> = {}
): MarginHistogramElement {
  const document = documentOf(options);
  let current: MarginHistogramOptions = {...defaults, ...options};
  let state: MarginHistogramData | null = data;
  let destroyed = false;
  let lower: number | undefined; // half-extents of the automatic domain, kept between updates
  let upper: number | undefined;
  let yMax: number | undefined;
  let binned: ArmBins[] = [];

  const {svg, title, desc} = createFigureSvg(document, "losslab-margin-histogram");
  const wrong = createSvgElement(document, "rect");
  wrong.setAttribute("class", "misclassified-region");
  wrong.setAttribute("fill", "currentColor");
  wrong.setAttribute("fill-opacity", "0.05");
  const panels = createSvgElement(document, "g");
  panels.setAttribute("class", "panels");
  const xAxis = createAxis(document, "losslab-axis-x");
  const yLabel = createSvgElement(document, "text");
  yLabel.setAttribute("class", "y-label");
  yLabel.setAttribute("text-anchor", "middle");
  yLabel.setAttribute("transform", "rotate(-90)");
  yLabel.setAttribute("aria-hidden", "true");
  const zero = createSvgElement(document, "g");
  zero.setAttribute("class", "zero");
  zero.setAttribute("aria-hidden", "true");
  const zeroLine = createSvgElement(document, "line");
  zeroLine.setAttribute("stroke", "currentColor");
  zeroLine.setAttribute("stroke-width", "1.25");
  const wrongText = createSvgElement(document, "text");
  wrongText.setAttribute("text-anchor", "end");
  wrongText.setAttribute("dy", "0.32em");
  wrongText.textContent = "← misclassified";
  const rightText = createSvgElement(document, "text");
  rightText.setAttribute("dy", "0.32em");
  rightText.textContent = "correct →";
  zero.append(zeroLine, wrongText, rightText);
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  svg.append(wrong, panels, xAxis, yLabel, zero, legend);

  function name(k: number): string {
    return state?.classNames?.[k] ?? `class ${k}`;
  }

  function compute(): void {
    const arms = state?.arms ?? [];
    const classes = state?.classes ?? 0;
    let min = 0;
    let max = 0;
    for (const arm of arms) {
      for (let i = 0; i < arm.margins.length; ++i) {
        const m = arm.margins[i];
        if (!Number.isFinite(m)) continue;
        if (m < min) min = m;
        if (m > max) max = m;
      }
    }
    let lo: number;
    let hi: number;
    if (current.domain) {
      [lo, hi] = current.domain;
    } else {
      lower = autoExtent(lower, -min);
      upper = autoExtent(upper, max);
      [lo, hi] = [-lower, upper];
    }
    const edges = marginEdges(lo, hi, current.bins);
    const colors = armColors(arms);
    binned = arms.map((arm, index) => ({
      key: armKey(arm, index),
      label: arm.label,
      color: colors[index],
      index,
      bins: marginBins(arm.margins, arm.labels, classes, edges)
    }));
  }

  function value(bins: MarginBins, k: number, b: number): number {
    const count = bins.counts[k][b];
    if (current.y === "count") return count;
    return bins.total[k] > 0 ? count / bins.total[k] : 0;
  }

  function legendItems(width: number, left: number): LegendItem[] {
    if (binned.length < 2) return [];
    let x = left;
    let y = 0;
    return binned.map((arm) => {
      const w = 24 + textWidth(arm.label) + 14;
      if (x > left && x + w > width - 8) {
        x = left;
        y += legendRow;
      }
      const item = {key: arm.key, label: arm.label, color: arm.color, index: arm.index, x, y};
      x += w;
      return item;
    });
  }

  function render(): void {
    compute();
    const {width} = current;
    const classes = Math.max(0, state?.classes ?? 0);
    const slots = Math.max(1, classes);
    const left = 46;
    const right = 12 + Math.max(72, ...Array.from({length: classes}, (_, k) => textWidth(name(k)) + 18));
    const items = legendItems(width, left);
    const legendRows = items.length ? items[items.length - 1].y / legendRow + 1 : 0;
    const top = 24 + legendRows * legendRow;
    const bottom = 40;
    const auto = Math.max(26, Math.min(64, Math.round(240 / slots)));
    const height = current.height ?? top + bottom + slots * auto + (slots - 1) * panelGap;
    const layout: Frame = frame(width, height, {top, right, bottom, left});
    const panelHeight = Math.max(8, (layout.innerHeight - (slots - 1) * panelGap) / slots);
    const edges = binned[0]?.bins.edges ?? marginEdges(-1, 1, current.bins);
    const x = scaleLinear()
      .domain([edges[0], edges[edges.length - 1]])
      .range([layout.left, layout.left + layout.innerWidth]);

    let top1 = 0;
    for (const arm of binned) {
      for (let k = 0; k < classes; ++k) {
        for (let b = 0; b < edges.length - 1; ++b) top1 = Math.max(top1, value(arm.bins, k, b));
      }
    }
    // The shared y scale grows at once but shrinks only when the tallest bar falls below half of it.
    yMax = autoExtent(yMax, top1 || (current.y === "share" ? 0.5 : 1), {padding: 0, headroom: 0.1, shrinkBelow: 0.5});
    const y = scaleLinear().domain([0, yMax]).range([panelHeight, 0]);

    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Logit margins per class");
    setText(desc, current.description ?? describe());

    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: layout.top + layout.innerHeight,
      ticks: Math.max(2, Math.round(layout.innerWidth / 70)),
      label: "logit margin: true-class logit − largest other logit"
    });
    setText(yLabel, current.y === "share" ? "share of the class per bin" : "samples per bin");
    setAttribute(yLabel, "x", String(px(-(layout.top + layout.innerHeight / 2))));
    setAttribute(yLabel, "y", "12");

    // Zero line and the misclassified side, when 0 is in view.
    const x0 = x(0);
    const inView = x0 >= layout.left - 1e-9 && x0 <= layout.left + layout.innerWidth + 1e-9;
    setAttribute(zero, "display", inView ? null : "none");
    setAttribute(zeroLine, "x1", String(px(x0)));
    setAttribute(zeroLine, "x2", String(px(x0)));
    setAttribute(zeroLine, "y1", String(layout.top - 4));
    setAttribute(zeroLine, "y2", String(layout.top + layout.innerHeight));
    setAttribute(wrongText, "x", String(px(x0 - 4)));
    setAttribute(wrongText, "y", String(layout.top - 10));
    setAttribute(rightText, "x", String(px(x0 + 4)));
    setAttribute(rightText, "y", String(layout.top - 10));
    const wrongRight = inView ? x0 : layout.left + (edges[0] >= 0 ? 0 : layout.innerWidth);
    setRect(wrong, layout.left, layout.top, px(wrongRight - layout.left), layout.innerHeight);

    const formatY = (v: number) => (current.y === "share" ? percent(v) : formatValue(v));
    // One tick at each panel's top: the baseline is 0, and a 0 label would crowd the panel below's top label.
    const ticks = [yMax];
    const path = (bins: MarginBins, k: number, close: boolean): string => {
      let d = `M${px(x(edges[0]))},${px(y(0))}`;
      for (let b = 0; b < edges.length - 1; ++b) {
        d += `V${px(y(value(bins, k, b)))}H${px(x(edges[b + 1]))}`;
      }
      return d + `V${px(y(0))}` + (close ? "Z" : "");
    };

    const panelData: PanelDatum[] = Array.from({length: classes}, (_, k) => ({k}));
    select(panels)
      .selectAll<SVGGElement, PanelDatum>("g.panel")
      .data(panelData, (d) => String(d.k))
      .join((enter) => {
        const g = enter.append("g").attr("class", "panel");
        g.append("title");
        g.append("path")
          .attr("class", "y-axis")
          .attr("fill", "none")
          .attr("style", "stroke: currentColor; stroke-opacity: 0.45;");
        g.append("g").attr("class", "y-ticks").attr("text-anchor", "end").attr("aria-hidden", "true");
        g.append("g").attr("class", "bars");
        g.append("line").attr("class", "baseline").attr("style", "stroke: currentColor; stroke-opacity: 0.45;");
        g.append("rect").attr("class", "swatch").attr("width", 8).attr("height", 8);
        g.append("text").attr("class", "name").attr("dy", "0.32em");
        g.append("text").attr("class", "negative").attr("dy", "0.32em").attr("fill-opacity", 0.8);
        return g;
      })
      .each(function (d, i) {
        const k = d.k;
        const g = select(this);
        const offset = layout.top + i * (panelHeight + panelGap);
        setAttribute(this, "data-class", String(k));
        setAttribute(this, "transform", `translate(0,${px(offset)})`);
        const shares = binned.map((arm) => arm.bins.negative[k] / arm.bins.total[k]);
        const counts = binned.map((arm) => arm.bins.total[k]);
        setText(
          this.querySelector("title")!,
          `${name(k)}: ` +
            (binned.length
              ? binned
                  .map(
                    (arm, a) =>
                      `${binned.length > 1 ? `${arm.label}, ` : ""}${counts[a]} samples, ${percent(shares[a])} with a negative margin (misclassified)`
                  )
                  .join("; ")
              : "no samples")
        );
        setAttribute(this.querySelector(".y-axis")!, "d", `M${layout.left},0V${px(panelHeight)}`);
        const baseline = this.querySelector(".baseline")!;
        setAttribute(baseline, "x1", String(layout.left));
        setAttribute(baseline, "x2", String(layout.left + layout.innerWidth));
        setAttribute(baseline, "y1", String(px(panelHeight)));
        setAttribute(baseline, "y2", String(px(panelHeight)));
        g.select(".y-ticks")
          .selectAll<SVGTextElement, number>("text")
          .data(ticks)
          .join("text")
          .each(function (t) {
            setAttribute(this, "x", String(layout.left - 5));
            setAttribute(this, "y", String(px(y(t))));
            setAttribute(this, "dy", "0.71em");
            setText(this, formatY(t));
          });
        g.select(".bars")
          .selectAll<SVGPathElement, ArmBins>("path")
          .data(binned, (arm) => arm.key)
          .join("path")
          .each(function (arm) {
            // One arm: filled in the class colour. Several: the first filled, the others outlined, in arm colours.
            const color = binned.length > 1 ? arm.color : classColor(k);
            const filled = arm.index === 0;
            setAttribute(this, "data-arm", arm.key);
            setAttribute(this, "fill", filled ? color : "none");
            setAttribute(this, "fill-opacity", filled ? (binned.length > 1 ? "0.45" : "0.6") : null);
            setAttribute(this, "stroke", color);
            setAttribute(this, "stroke-width", filled ? "1" : "1.75");
            setAttribute(this, "stroke-dasharray", arm.index >= 2 ? "4,2" : null);
            setAttribute(this, "d", path(arm.bins, k, filled));
          });
        const labelX = layout.left + layout.innerWidth + 10;
        const swatch = this.querySelector(".swatch")!;
        setAttribute(swatch, "x", String(labelX));
        setAttribute(swatch, "y", String(px(panelHeight / 2 - (panelHeight >= 24 ? 10 : 4))));
        setAttribute(swatch, "fill", classColor(k));
        const nameText = this.querySelector(".name")!;
        setAttribute(nameText, "x", String(labelX + 12));
        setAttribute(nameText, "y", String(px(panelHeight / 2 - (panelHeight >= 24 ? 6 : 0))));
        setText(nameText, name(k));
        const negative = this.querySelector(".negative")!;
        // Below the name when the panel is tall enough; otherwise the hover title carries it.
        setAttribute(negative, "display", panelHeight >= 24 && binned.length ? null : "none");
        setAttribute(negative, "x", String(labelX));
        setAttribute(negative, "y", String(px(panelHeight / 2 + 7)));
        setText(negative, `< 0: ${shares.map(percent).join(" | ")}`);
      });

    setAttribute(legend, "transform", "translate(0,8)");
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(items, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "item");
        g.append("rect").attr("width", 16).attr("height", 10).attr("y", 1);
        g.append("text").attr("x", 22).attr("y", 6).attr("dy", "0.32em");
        return g;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${px(d.x)},${d.y})`);
        const [rect, text] = this.children as unknown as [SVGRectElement, SVGTextElement];
        setAttribute(rect, "fill", d.index === 0 ? d.color : "none");
        setAttribute(rect, "fill-opacity", d.index === 0 ? "0.45" : null);
        setAttribute(rect, "stroke", d.color);
        setAttribute(rect, "stroke-width", d.index === 0 ? "1" : "1.75");
        setAttribute(rect, "stroke-dasharray", d.index >= 2 ? "4,2" : null);
        setText(text, d.label);
      });
  }

  function describe(): string {
    const classes = state?.classes ?? 0;
    if (!state || classes === 0 || binned.length === 0) return "Histograms of logit margins per class: no data yet.";
    const what = current.y === "share" ? "the share of each class's samples" : "the number of samples";
    const arms = binned.length > 1 ? ` for ${binned.map((a) => a.label).join(" and ")}` : "";
    const parts = [
      `Histograms of the logit margin (the true-class logit minus the largest other logit)${arms}, one panel per class for ${classes} classes, showing ${what} per bin; a vertical line at 0 separates misclassified samples (left) from correct ones (right)`
    ];
    for (const arm of binned) {
      const list = Array.from(
        {length: classes},
        (_, k) => `${name(k)} ${percent(arm.bins.negative[k] / arm.bins.total[k])}`
      ).join(", ");
      parts.push(`${binned.length > 1 ? `${arm.label}: ` : ""}negative margins ${list}`);
    }
    return `${parts.join("; ")}.`;
  }

  render();

  const element = svg as MarginHistogramElement;
  element.update = function (
    this: MarginHistogramElement,
    next: MarginHistogramData | null,
    nextOptions?: Partial<MarginHistogramOptions>
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
    const classes = state?.classes ?? 0;
    for (const arm of binned) {
      const {edges} = arm.bins;
      for (let k = 0; k < classes; ++k) {
        for (let b = 0; b < edges.length - 1; ++b) {
          const count = arm.bins.counts[k][b];
          rows.push({
            arm: arm.label,
            class: k,
            className: name(k),
            binStart: edges[b],
            binEnd: edges[b + 1],
            count,
            share: arm.bins.total[k] > 0 ? count / arm.bins.total[k] : null
          });
        }
      }
    }
    return rows;
  };
  return element;
}
