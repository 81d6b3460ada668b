import {hcl} from "d3-color";
import {format} from "d3-format";
import {scaleLinear} from "d3-scale";
import type {ScaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ReliabilityBins} from "../src/metrics/calibration.js";
import type {Binning} from "../src/metrics/calibrationViews.js";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {px, textWidth} from "./internal/format.js";
import {createAxis, renderAxis} from "./internal/frame.js";
import {uniqueId} from "./internal/ids.js";
import {armColor} from "./internal/palette.js";
import {createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** The two binnings the toggle offers: equal-width bins on [0, 1], or equal-mass bins (confidence quantiles). */
export type {Binning};

/** What the diagram's controls ask for; the page recomputes the bins with it and calls update(). */
export interface ReliabilityValue {
  binning: Binning;
  temperature: number;
}

/**
 * Bins as reliabilityBins (src/metrics/calibration.ts) returns them; plain number arrays (JSON, widgets) work too.
 * Bin b is [edges[b], edges[b+1]); bins with count 0 are empty and drawn as absent.
 */
export type ReliabilityBinsData = {[K in Exclude<keyof ReliabilityBins, "total">]: ArrayLike<number>} & {
  total?: number;
};

/** One arm of the diagram: one model's bins and read-outs (reliabilityView in src/metrics computes all of it). */
export interface ReliabilityArm {
  bins: ReliabilityBinsData;
  /** The arm's name in the read-out: its loss, e.g. "focal" (default "model"). */
  name?: string;
  /** Twin-run role, "baseline" or "method" (or another role), which picks the colour; default by position. */
  role?: string;
  /** Identity for the keyed join (default: name, else role, else position). */
  key?: string;
  /** Bootstrap band of each bin's accuracy (bootstrapReliability's lower / upper). */
  band?: {lower: ArrayLike<number>; upper: ArrayLike<number>};
  /** Coverage of the band and of eceInterval, for labels (default 0.9). */
  level?: number;
  ece?: number;
  eceInterval?: readonly [number, number];
  mce?: number;
  brier?: number;
  nll?: number;
  /** The temperature the bins and numbers were computed at (shown in the key; default: the slider's). */
  temperature?: number;
  /** The NLL-optimal temperature, marked on the slider. */
  optimalTemperature?: number;
}

/** One arm, or the arms of a twin run (baseline first, then the method). */
export type ReliabilityData = ReliabilityArm | readonly ReliabilityArm[];

export interface ReliabilityDiagramOptions {
  /** Width in pixels (default 420); the figure shrinks with its container. */
  width: number;
  /** Height of the chart in pixels (default derived from the width and the number of arms). */
  height?: number;
  title?: string;
  description?: string;
  document?: Document;
  /** Length of the transition between updates in ms (default 150; 0 in snapshots). */
  duration: number;
  /** The toggle's initial state. */
  binning: Binning;
  /** The slider's initial temperature. */
  temperature: number;
  /** The slider's range (log scale; default [0.25, 4]). */
  temperatureRange: readonly [number, number];
  /** Show the binning toggle and the temperature slider (default true). */
  controls: boolean;
  /** Draw the confidence histogram under the diagram (default true). */
  histogram: boolean;
}

export type ReliabilityDiagramElement = HTMLDivElement &
  ComponentElement<ReliabilityData | null, ReliabilityDiagramOptions> &
  Exportable & {value: ReliabilityValue};

const defaults: ReliabilityDiagramOptions = {
  width: 420,
  duration: 150,
  binning: "equal-width",
  temperature: 1,
  temperatureRange: [0.25, 4],
  controls: true,
  histogram: true
};

// The slider moves in steps of 0.02 in log₂ T (1.4 % per step); Page Up/Down move ten steps.
const sliderStep = 0.02;

const controlsStyle =
  "flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: flex-start; font: 13px system-ui, sans-serif; margin-bottom: 0.25rem;";

const fixed3 = format(".3f");
const fixed2 = format(".2f");
const grouped = format(",d");

/** A temperature for read-outs: two decimals ("1.44"), one above 10 ("12.5"). */
function formatTemperature(t: number): string {
  if (!Number.isFinite(t)) return "–";
  return t >= 10 ? t.toFixed(1) : fixed2(t);
}

function formatMetric(v: number | undefined): string {
  return v !== undefined && Number.isFinite(v) ? fixed3(v) : "–";
}

function formatLevel(level: number): string {
  return `${Math.round(level * 1000) / 10}%`;
}

/** Whether bins have equal-width edges k/B (else they are read as equal-mass). */
function equalWidth(edges: ArrayLike<number>): boolean {
  const bins = edges.length - 1;
  for (let k = 0; k <= bins; ++k) if (Math.abs(edges[k] - k / bins) > 1e-9) return false;
  return true;
}

interface Arm {
  arm: ReliabilityArm;
  key: string;
  name: string;
  color: string;
  index: number;
  bins: number;
}

/** A non-empty bin of one arm: what one bar, its gap bar, band and histogram bar draw. */
interface BinDatum {
  arm: Arm;
  index: number;
  lower: number;
  upper: number;
  count: number;
  confidence: number;
  accuracy: number;
  bandLow: number;
  bandHigh: number;
}

function armsOf(data: ReliabilityData | null | undefined): Arm[] {
  if (!data) return [];
  const list: readonly ReliabilityArm[] = Array.isArray(data) ? data : [data as ReliabilityArm];
  const used = new Set<string>();
  return list.map((arm, index) => {
    // Roles by position when none is given: one arm is the method; twins are baseline then method.
    const role =
      arm.role ?? (list.length === 1 ? "method" : index === 0 ? "baseline" : index === 1 ? "method" : `arm ${index}`);
    let key = arm.key ?? arm.name ?? arm.role ?? String(index);
    if (used.has(key)) key = `${key}#${index}`;
    used.add(key);
    const bins = Math.max(0, Math.min(arm.bins.count.length, arm.bins.edges.length - 1));
    const color = armColor(role, role === "baseline" || role === "method" ? undefined : Math.max(0, index - 2));
    return {
      arm,
      key,
      name: arm.name ?? arm.role ?? (list.length > 1 ? `arm ${index + 1}` : "model"),
      color,
      index,
      bins
    };
  });
}

function binsOf(a: Arm): BinDatum[] {
  const {bins, band} = a.arm;
  const out: BinDatum[] = [];
  for (let b = 0; b < a.bins; ++b) {
    const count = bins.count[b];
    const accuracy = bins.accuracy[b];
    const confidence = bins.confidence[b];
    // Empty bins (and bins without finite means) are absent, not zero.
    if (!(count > 0) || !Number.isFinite(accuracy) || !Number.isFinite(confidence)) continue;
    out.push({
      arm: a,
      index: b,
      lower: bins.edges[b],
      upper: bins.edges[b + 1],
      count,
      confidence,
      accuracy,
      bandLow: band ? band.lower[b] : NaN,
      bandHigh: band ? band.upper[b] : NaN
    });
  }
  return out;
}

interface KeyItem {
  key: string;
  text: string;
  x: number;
  y: number;
}

interface Move {
  el: Element;
  from: number[];
  to: number[];
  draw: (el: Element, v: number[]) => void;
}

const drawRect = (el: Element, [x, y, w, h]: number[]) => setRect(el, px(x), px(y), px(w), px(h));

const drawBand = (el: Element, [x, y0, y1, cap]: number[]) =>
  setAttribute(
    el,
    "d",
    `M${px(x)},${px(y0)}V${px(y1)}M${px(x - cap)},${px(y0)}H${px(x + cap)}M${px(x - cap)},${px(y1)}H${px(x + cap)}`
  );

const easeCubicInOut = (t: number) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);

/**
 * A reliability diagram (DeGroot & Fienberg 1983; Guo et al. 2017, fig. 1): per confidence bin, the accuracy of the
 * top-label predictions as a bar, the gap to the diagonal (confidence − accuracy, the term ECE averages) as a hatched
 * bar, a bootstrap band per bin, and below it the number of samples per bin on the same confidence axis; read-outs
 * of ECE (with its bootstrap interval), MCE, Brier score and NLL per arm. Its controls, an equal-width ↔ equal-mass
 * toggle and a log-scale temperature slider with the NLL-optimal temperature marked, make it an input: they set
 * `value = {binning, temperature}` and fire a bubbling "input" event; the page recomputes the bins (reliabilityView
 * in src/metrics) and calls update().
 */
export function ReliabilityDiagram(
  data: ReliabilityData | null = null,
  options: Partial<ReliabilityDiagramOptions> = {}
): ReliabilityDiagramElement {
  const document = documentOf(options);
  const view = document.defaultView;
  let current: ReliabilityDiagramOptions = {...defaults, ...options};
  let arms: Arm[] = armsOf(data);
  let state: ReliabilityValue = {binning: current.binning, temperature: current.temperature};
  let destroyed = false;
  let interacting = false; // while the slider is dragged, updates are drawn without transitions
  const listeners = new (document.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  const signal = listeners.signal;

  const root = document.createElement("div") as unknown as ReliabilityDiagramElement;
  root.className = "losslab-reliability-diagram";
  root.setAttribute("role", "group");

  // ------------------------------------------------------------------------------------------------
  // Controls (HTML, so they are native, focusable form controls).
  const controls = document.createElement("div");
  controls.className = "losslab-reliability-controls";
  const binningGroup = document.createElement("fieldset");
  binningGroup.className = "binning";
  binningGroup.setAttribute("style", "border: none; margin: 0; padding: 0; display: flex; gap: 0.75rem;");
  const binningLegend = document.createElement("legend");
  binningLegend.textContent = "Bins";
  binningLegend.setAttribute("style", "float: left; padding: 0; margin-right: 0.25rem; font-weight: 600;");
  binningGroup.append(binningLegend);
  // The radios' group name is the fieldset's id: unique in the document, and renumbered like any id in snapshots.
  binningGroup.id = uniqueId(document, "losslab-reliability-binning");
  const radioName = binningGroup.id;
  const radios = (["equal-width", "equal-mass"] as const).map((value) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = radioName;
    input.value = value;
    label.append(input, ` ${value.replace("-", " ")}`);
    binningGroup.append(label);
    return input;
  });

  const temperatureBox = document.createElement("div");
  temperatureBox.className = "temperature";
  temperatureBox.setAttribute("style", "display: grid; grid-template-columns: auto 12rem auto; gap: 0 0.5rem;");
  const sliderId = uniqueId(document, "losslab-reliability-temperature");
  const sliderLabel = document.createElement("label");
  sliderLabel.htmlFor = sliderId;
  sliderLabel.textContent = "Temperature T (log scale)";
  sliderLabel.setAttribute("style", "font-weight: 600;");
  const slider = document.createElement("input");
  slider.type = "range";
  slider.id = sliderId;
  slider.step = String(sliderStep);
  slider.setAttribute("style", "width: 100%; margin: 0;");
  const datalist = document.createElement("datalist");
  datalist.id = uniqueId(document, "losslab-reliability-optimal");
  slider.setAttribute("list", datalist.id);
  const output = document.createElement("output");
  output.setAttribute("for", sliderId);
  output.setAttribute("style", "font-variant-numeric: tabular-nums;");
  // The NLL-optimal temperatures, as triangles under the track (the datalist also ticks the track in browsers that
  // draw list options) and as buttons that jump there.
  const track = document.createElement("div");
  track.className = "optimal-marks";
  track.setAttribute("aria-hidden", "true");
  track.setAttribute("style", "grid-column: 2; position: relative; height: 12px; margin: 0 8px;");
  const jumps = document.createElement("div");
  jumps.className = "optimal-buttons";
  jumps.setAttribute("style", "grid-column: 1 / 4; display: flex; flex-wrap: wrap; gap: 0.25rem;");
  temperatureBox.append(sliderLabel, slider, output, datalist, track, jumps);
  controls.append(binningGroup, temperatureBox);

  // ------------------------------------------------------------------------------------------------
  // Chart (SVG).
  const {svg, title, desc, defs} = createFigureSvg(document, "losslab-reliability-diagram-svg");
  const patterns = createSvgElement(document, "g");
  patterns.setAttribute("class", "patterns");
  defs.append(patterns);
  const keyPattern = hatch(document, "currentColor", "none");
  keyPattern.id = uniqueId(document, "losslab-hatch");
  defs.append(keyPattern);
  const header = createSvgElement(document, "g");
  header.setAttribute("class", "readout");
  const readouts = createSvgElement(document, "g");
  readouts.setAttribute("class", "arms");
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  header.append(readouts, legend);
  const yAxis = createAxis(document, "losslab-axis-y");
  const countAxis = createAxis(document, "losslab-axis-count");
  const xAxis = createAxis(document, "losslab-axis-x");
  const baseline = createSvgElement(document, "path");
  baseline.setAttribute("class", "baseline");
  baseline.setAttribute("style", "stroke: currentColor; stroke-opacity: 0.45;");
  const diagonal = createSvgElement(document, "line");
  diagonal.setAttribute("class", "diagonal");
  diagonal.setAttribute("stroke", "currentColor");
  diagonal.setAttribute("stroke-opacity", "0.6");
  diagonal.setAttribute("stroke-dasharray", "4,3");
  const bars = createSvgElement(document, "g");
  bars.setAttribute("class", "bins");
  const histogram = createSvgElement(document, "g");
  histogram.setAttribute("class", "histogram");
  const empty = createSvgElement(document, "text");
  empty.setAttribute("class", "empty");
  empty.setAttribute("text-anchor", "middle");
  empty.setAttribute("fill-opacity", "0.6");
  empty.textContent = "No predictions yet";
  svg.append(header, yAxis, countAxis, xAxis, bars, diagonal, baseline, histogram, empty);
  root.append(controls, svg);

  // ------------------------------------------------------------------------------------------------
  // Transitions: each animated element remembers the numbers it shows; an update moves it from there.
  const shown = new WeakMap<Element, number[]>();
  let moves: Move[] = [];
  let running: Move[] = [];
  let frameId: number | null = null;

  function place(el: Element, to: number[], draw: Move["draw"], animate: boolean): void {
    const from = shown.get(el);
    if (!animate || !from || from.length !== to.length) {
      draw(el, to);
      shown.set(el, to);
    } else if (from.some((v, i) => v !== to[i])) {
      moves.push({el, from, to, draw});
    }
  }

  function finish(): void {
    if (frameId !== null) view?.cancelAnimationFrame(frameId);
    frameId = null;
    for (const m of running) {
      m.draw(m.el, m.to);
      shown.set(m.el, m.to);
    }
    running = [];
  }

  function start(duration: number): void {
    if (frameId !== null) view?.cancelAnimationFrame(frameId);
    frameId = null;
    running = moves;
    moves = [];
    if (running.length === 0) return;
    if (!(duration > 0) || !view?.requestAnimationFrame) return finish();
    let t0: number | null = null;
    const tick = (now: number) => {
      if (t0 === null) t0 = now;
      const t = Math.min(1, (now - t0) / duration);
      const e = easeCubicInOut(t);
      for (const m of running) {
        const v = m.from.map((f, i) => f + (m.to[i] - f) * e);
        m.draw(m.el, v);
        shown.set(m.el, v);
      }
      if (t < 1) frameId = view.requestAnimationFrame(tick);
      else {
        frameId = null;
        running = [];
      }
    };
    frameId = view.requestAnimationFrame(tick);
  }

  function animating(): boolean {
    if (interacting || !(current.duration > 0)) return false;
    return !view?.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
  }

  // ------------------------------------------------------------------------------------------------
  function render(): void {
    const animate = animating();
    // Whatever is still moving jumps to where it was going; the new move starts from there.
    finish();
    const {width} = current;
    const left = 48;
    const right = 14;
    const innerWidth = Math.max(1, width - left - right);

    // Header: one read-out row per arm, then a key that wraps.
    const rowHeight = 15;
    const armLines = arms.map((a) => readoutLines(a, width - left - right - 16));
    const armRows = armLines.reduce((sum, lines) => sum + lines.length, 0);
    const keyTop = 8 + armRows * rowHeight;
    const keyItems = layoutKey(left, width - right, keyTop, rowHeight);
    const keyRows = (keyItems[keyItems.length - 1].y - keyTop) / rowHeight + 1;
    const top = 14 + (armRows + keyRows) * rowHeight;
    const gap = 12;
    const bottom = 36;
    let mainHeight: number;
    let histHeight: number;
    if (current.height !== undefined) {
      const available = Math.max(60, current.height - top - bottom - (current.histogram ? gap : 0));
      histHeight = current.histogram ? Math.round(available * 0.24) : 0;
      mainHeight = available - histHeight;
    } else {
      mainHeight = Math.round(Math.max(140, Math.min(320, innerWidth * 0.72)));
      histHeight = current.histogram ? Math.round(Math.max(44, Math.min(90, mainHeight * 0.28))) : 0;
    }
    const height = top + mainHeight + (current.histogram ? gap + histHeight : 0) + bottom;
    setSvgSize(svg, width, height);

    const x = scaleLinear()
      .domain([0, 1])
      .range([left, left + innerWidth]);
    const mainBottom = top + mainHeight;
    const y = scaleLinear().domain([0, 1]).range([mainBottom, top]);
    const histTop = mainBottom + gap;
    const histBottom = histTop + histHeight;
    const all = arms.map(binsOf);
    let maxCount = 0;
    for (const list of all) for (const d of list) maxCount = Math.max(maxCount, d.count);
    const h: ScaleLinear<number, number> = scaleLinear()
      .domain([0, Math.max(2, maxCount)])
      .range([histBottom, histTop])
      .nice(2);

    setText(title, current.title ?? "Reliability diagram");
    setAttribute(root, "aria-label", current.title ?? "Reliability diagram");
    setText(desc, current.description ?? describe());

    // Hatch patterns for the gap bars, one per arm (a <g> in <defs> holds them for the keyed join).
    const patternId = new Map<string, string>();
    select(patterns)
      .selectAll<SVGPatternElement, Arm>("pattern")
      .data(arms, (a) => a.key)
      .join((enter) =>
        enter.append((a) => {
          const p = hatch(document, darker(a.color), a.color);
          p.id = uniqueId(document, "losslab-hatch");
          return p;
        })
      )
      .each(function (a) {
        const [background, line] = this.children as unknown as [SVGRectElement, SVGLineElement];
        setAttribute(background, "fill", a.color);
        setAttribute(line, "stroke", darker(a.color));
        patternId.set(a.key, this.id);
      });

    renderHeader(armLines, keyItems, left, rowHeight);

    renderAxis(yAxis, y, {
      orient: "left",
      offset: left,
      ticks: Math.max(2, Math.min(5, Math.round(mainHeight / 50))),
      label: "accuracy",
      grid: innerWidth
    });
    setAttribute(countAxis, "display", current.histogram ? null : "none");
    if (current.histogram) {
      renderAxis(countAxis, h, {orient: "left", offset: left, ticks: 2, label: "samples", format: grouped});
    }
    const axisBottom = current.histogram ? histBottom : mainBottom;
    renderAxis(xAxis, x, {
      orient: "bottom",
      offset: axisBottom,
      ticks: Math.max(2, Math.min(10, Math.round(innerWidth / 60))),
      label: "confidence (top-label probability)"
    });
    setAttribute(baseline, "d", current.histogram ? `M${px(left)},${px(mainBottom)}H${px(left + innerWidth)}` : "");
    setAttribute(diagonal, "x1", String(px(x(0))));
    setAttribute(diagonal, "y1", String(px(y(0))));
    setAttribute(diagonal, "x2", String(px(x(1))));
    setAttribute(diagonal, "y2", String(px(y(1))));
    setAttribute(empty, "display", arms.length ? "none" : null);
    setAttribute(empty, "x", String(px(left + innerWidth / 2)));
    setAttribute(empty, "y", String(px(top + mainHeight / 2)));

    // Each arm takes its share of every bin's width, so twin bars stand side by side.
    const slot = (d: BinDatum) => {
      const x0 = x(d.lower);
      const x1 = x(d.upper);
      const pad = Math.min(1, (x1 - x0) / 4);
      const share = (x1 - x0 - 2 * pad) / arms.length;
      const inner = arms.length > 1 ? Math.min(1, share / 4) : 0;
      return {x: x0 + pad + d.arm.index * share + inner / 2, width: Math.max(0, share - inner)};
    };

    select(bars)
      .selectAll<SVGGElement, Arm>("g.arm")
      .data(arms, (a) => a.key)
      .join((enter) => enter.append("g").attr("class", "arm"))
      .each(function (a, i) {
        setAttribute(this, "data-arm", a.name);
        select(this)
          .selectAll<SVGGElement, BinDatum>("g.bin")
          .data(all[i], (d) => String(d.index))
          .join((enter) => {
            const g = enter.append("g").attr("class", "bin");
            g.append("title");
            g.append("rect").attr("class", "accuracy").attr("fill-opacity", 0.8);
            g.append("rect").attr("class", "gap").attr("stroke-width", 1);
            g.append("path")
              .attr("class", "band")
              .attr("fill", "none")
              .attr("stroke", "currentColor")
              .attr("stroke-width", 1.25);
            return g;
          })
          .each(function (d) {
            const [tip, bar, gapBar, band] = this.children as unknown as [
              SVGTitleElement,
              SVGRectElement,
              SVGRectElement,
              SVGPathElement
            ];
            const {x: bx, width: bw} = slot(d);
            setAttribute(this, "data-bin", String(d.index));
            setText(tip, binTitle(d));
            setAttribute(bar, "fill", a.color);
            place(bar, [bx, y(d.accuracy), bw, y(0) - y(d.accuracy)], drawRect, animate);
            const hi = Math.max(d.accuracy, d.confidence);
            const lo = Math.min(d.accuracy, d.confidence);
            setAttribute(gapBar, "fill", `url(#${patternId.get(a.key)})`);
            setAttribute(gapBar, "stroke", darker(a.color));
            place(gapBar, [bx, y(hi), bw, y(lo) - y(hi)], drawRect, animate);
            const banded = Number.isFinite(d.bandLow) && Number.isFinite(d.bandHigh);
            setAttribute(band, "display", banded ? null : "none");
            if (banded) {
              const cap = Math.max(1, Math.min(4, bw / 3));
              place(band, [bx + bw / 2, y(d.bandLow), y(d.bandHigh), cap], drawBand, animate);
            }
          });
      });

    setAttribute(histogram, "display", current.histogram ? null : "none");
    select(histogram)
      .selectAll<SVGGElement, Arm>("g.arm")
      .data(current.histogram ? arms : [], (a) => a.key)
      .join((enter) => enter.append("g").attr("class", "arm").attr("fill-opacity", 0.7))
      .each(function (a, i) {
        setAttribute(this, "data-arm", a.name);
        setAttribute(this, "fill", a.color);
        select(this)
          .selectAll<SVGRectElement, BinDatum>("rect")
          .data(all[i], (d) => String(d.index))
          .join((enter) => {
            const rect = enter.append("rect");
            rect.append("title");
            return rect;
          })
          .each(function (d) {
            const {x: bx, width: bw} = slot(d);
            setAttribute(this, "data-bin", String(d.index));
            setText(
              this.firstElementChild!,
              `${a.name} · confidence ${fixed2(d.lower)}–${fixed2(d.upper)}: ${grouped(d.count)} samples`
            );
            place(this, [bx, h(d.count), bw, h(0) - h(d.count)], drawRect, animate);
          });
      });

    start(animate ? current.duration : 0);
  }

  function binTitle(d: BinDatum): string {
    const gap = d.confidence - d.accuracy;
    const kind = gap > 0 ? "over-confident" : gap < 0 ? "under-confident" : "calibrated";
    const band =
      Number.isFinite(d.bandLow) && Number.isFinite(d.bandHigh)
        ? `; ${formatLevel(d.arm.arm.level ?? 0.9)} bootstrap band ${fixed3(d.bandLow)}–${fixed3(d.bandHigh)}`
        : "";
    return (
      `${d.arm.name} · confidence ${fixed2(d.lower)}–${fixed2(d.upper)}: ${grouped(d.count)} samples, ` +
      `accuracy ${fixed3(d.accuracy)}, mean confidence ${fixed3(d.confidence)}, gap ${gap >= 0 ? "+" : "−"}${fixed3(Math.abs(gap))} (${kind})${band}`
    );
  }

  function readoutText(a: Arm): string {
    return `${a.name}: ${readoutParts(a).join(" · ")}`;
  }

  function readoutParts(a: Arm): string[] {
    const {ece, eceInterval, mce, brier, nll, level = 0.9} = a.arm;
    const parts = [`ECE ${formatMetric(ece)}`];
    if (eceInterval && Number.isFinite(eceInterval[0]) && Number.isFinite(eceInterval[1])) {
      parts[0] += ` (${formatLevel(level)} CI ${fixed3(eceInterval[0])}–${fixed3(eceInterval[1])})`;
    }
    if (mce !== undefined) parts.push(`MCE ${formatMetric(mce)}`);
    if (brier !== undefined) parts.push(`Brier ${formatMetric(brier)}`);
    if (nll !== undefined) parts.push(`NLL ${formatMetric(nll)}`);
    return parts;
  }

  /** An arm's read-out in lines that fit `room` pixels: the name and ECE first, then the other numbers. */
  function readoutLines(a: Arm, room: number): string[] {
    const [first, ...rest] = readoutParts(a);
    const lines = [`${a.name}: ${first}`];
    for (const part of rest) {
      const joined = `${lines[lines.length - 1]} · ${part}`;
      if (textWidth(joined) <= room) lines[lines.length - 1] = joined;
      else lines.push(part);
    }
    return lines;
  }

  /** The temperature the drawn bins were computed at: the data's when it says, else the slider's. */
  function drawnTemperature(): number {
    const t = arms.find((a) => Number.isFinite(a.arm.temperature))?.arm.temperature;
    return t ?? state.temperature;
  }

  function binningOfData(): Binning | null {
    const first = arms.find((a) => a.bins > 0);
    if (!first) return null;
    return equalWidth(Array.from({length: first.bins + 1}, (_, k) => first.arm.bins.edges[k]))
      ? "equal-width"
      : "equal-mass";
  }

  function keyTexts(): {key: string; text: string}[] {
    const items = [
      {key: "bar", text: "accuracy"},
      {key: "gap", text: "gap to diagonal"},
      {key: "diagonal", text: "perfect calibration"}
    ];
    const banded = arms.find((a) => a.arm.band);
    if (banded) items.push({key: "band", text: `${formatLevel(banded.arm.level ?? 0.9)} bootstrap band`});
    const binning = binningOfData();
    const bins = arms.length ? arms[0].bins : 0;
    const what = binning ? `${bins} ${binning} bins · ` : "";
    items.push({key: "settings", text: `${what}T = ${formatTemperature(drawnTemperature())}`});
    return items;
  }

  function layoutKey(x0: number, x1: number, y0: number, rowHeight: number): KeyItem[] {
    let x = x0;
    let y = y0;
    return keyTexts().map((item) => {
      const w = (item.key === "settings" ? 0 : 20) + textWidth(item.text) + 14;
      if (x > x0 && x + w > x1) {
        x = x0;
        y += rowHeight;
      }
      const placed = {...item, x, y};
      x += w;
      return placed;
    });
  }

  function renderHeader(armLines: string[][], keyItems: KeyItem[], left: number, rowHeight: number): void {
    let row = 0;
    select(readouts)
      .selectAll<SVGGElement, Arm>("g.arm")
      .data(arms, (a) => a.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "arm");
        g.append("rect").attr("width", 10).attr("height", 10).attr("y", -5);
        g.append("text");
        return g;
      })
      .each(function (a, i) {
        setAttribute(this, "transform", `translate(${left},${8 + row * rowHeight})`);
        row += armLines[i].length;
        setAttribute(this, "data-arm", a.name);
        const [swatch, text] = this.children as unknown as [SVGRectElement, SVGTextElement];
        setAttribute(swatch, "fill", a.color);
        select(text)
          .selectAll<SVGTSpanElement, string>("tspan")
          .data(armLines[i])
          .join((enter) => enter.append("tspan").attr("x", 16).attr("dy", "0.32em"))
          .each(function (line, j) {
            setAttribute(this, "y", String(j * rowHeight));
            setText(this, line);
          });
      });
    const patternUrl = `url(#${keyPattern.id})`;
    select(legend)
      .selectAll<SVGGElement, KeyItem>("g.item")
      .data(keyItems, (d) => d.key)
      .join((enter) =>
        enter
          .append("g")
          .attr("class", (d) => `item ${d.key}`)
          .each(function (d) {
            const g = select(this);
            if (d.key === "bar")
              g.append("rect").attr("width", 14).attr("height", 9).attr("y", -4.5).attr("fill-opacity", 0.55);
            else if (d.key === "gap") {
              g.append("rect")
                .attr("width", 14)
                .attr("height", 9)
                .attr("y", -4.5)
                .attr("fill", patternUrl)
                .attr("stroke", "currentColor");
            } else if (d.key === "diagonal") {
              g.append("line").attr("x2", 14).attr("stroke", "currentColor").attr("stroke-dasharray", "4,3");
            } else if (d.key === "band") {
              g.append("path").attr("d", "M7,-5V5M4,-5H10M4,5H10").attr("fill", "none").attr("stroke", "currentColor");
            }
            g.append("text")
              .attr("x", d.key === "settings" ? 0 : 20)
              .attr("dy", "0.32em")
              .attr("fill-opacity", d.key === "settings" ? 0.75 : null);
          })
      )
      .each(function (d) {
        setAttribute(this, "transform", `translate(${d.x},${d.y})`);
        setText(this.lastElementChild!, d.text);
      });
  }

  function describe(): string {
    if (arms.length === 0) return "Reliability diagram with no predictions yet.";
    const binning = binningOfData();
    const names = arms.map((a) => a.name).join(" and ");
    const parts = [
      `Reliability diagram of ${names}: accuracy against top-label confidence in ${arms[0].bins} ${binning ?? ""} bins, ` +
        `probabilities at temperature T = ${formatTemperature(drawnTemperature())}; the dashed diagonal is perfect calibration.`
    ];
    for (const a of arms) {
      const list = binsOf(a);
      let worst: BinDatum | null = null;
      for (const d of list) {
        if (!worst || Math.abs(d.confidence - d.accuracy) > Math.abs(worst.confidence - worst.accuracy)) worst = d;
      }
      let text = `${readoutText(a)}; ${list.length} of ${a.bins} bins hold samples`;
      if (worst) {
        const over = worst.confidence >= worst.accuracy;
        text +=
          `; largest gap in confidence ${fixed2(worst.lower)}–${fixed2(worst.upper)}, ` +
          `accuracy ${fixed3(worst.accuracy)} at confidence ${fixed3(worst.confidence)} (${over ? "over" : "under"}-confident)`;
      }
      parts.push(`${text}.`);
    }
    if (current.histogram) parts.push("Below it, the number of samples in each bin.");
    return parts.join(" ");
  }

  // ------------------------------------------------------------------------------------------------
  // Controls: state → widgets, widgets → state + one bubbling input event.
  const log2 = Math.log2;

  function syncControls(): void {
    setAttribute(controls, "style", `${current.controls ? "display: flex" : "display: none"}; ${controlsStyle}`);
    for (const radio of radios) {
      // The attribute too, so the state shows in serialised markup (snapshots, server-side rendering).
      radio.defaultChecked = radio.value === state.binning;
      radio.checked = radio.value === state.binning;
      radio.tabIndex = radio.checked ? 0 : -1;
    }
    const [t0, t1] = current.temperatureRange;
    slider.min = String(log2(t0));
    slider.max = String(log2(t1));
    const clamped = Math.min(log2(t1), Math.max(log2(t0), log2(state.temperature)));
    const position = Math.round(clamped / sliderStep) * sliderStep;
    slider.defaultValue = slider.value = String(Math.round(position * 1000) / 1000);
    const optimal = arms.filter((a) => Number.isFinite(a.arm.optimalTemperature));
    const text = `T = ${formatTemperature(state.temperature)}`;
    output.value = text;
    output.textContent = text;
    const marks = optimal.map((a) => `${a.name} ${formatTemperature(a.arm.optimalTemperature!)}`);
    slider.setAttribute("aria-valuetext", marks.length ? `${text}; NLL-optimal T: ${marks.join(", ")}` : text);

    select(datalist)
      .selectAll<HTMLOptionElement, Arm>("option")
      .data(optimal, (a) => a.key)
      .join("option")
      .each(function (a) {
        this.value = String(log2(a.arm.optimalTemperature!));
        this.label = `NLL-optimal T for ${a.name}`;
      });
    select(track)
      .selectAll<HTMLSpanElement, Arm>("span")
      .data(optimal, (a) => a.key)
      .join("span")
      .each(function (a) {
        const t = a.arm.optimalTemperature!;
        const f = Math.min(1, Math.max(0, (log2(t) - log2(t0)) / (log2(t1) - log2(t0))));
        this.className = "optimal";
        this.dataset.arm = a.name;
        this.title = `NLL-optimal temperature for ${a.name}: T = ${formatTemperature(t)}`;
        this.textContent = "▲";
        this.setAttribute(
          "style",
          `position: absolute; left: ${Math.round(f * 1000) / 10}%; transform: translateX(-50%); color: ${a.color}; font-size: 10px; line-height: 12px;`
        );
      });
    select(jumps)
      .selectAll<HTMLButtonElement, Arm>("button")
      .data(optimal, (a) => a.key)
      .join((enter) =>
        enter
          .append("button")
          .attr("type", "button")
          .on("click", function (_, a) {
            if (destroyed || !Number.isFinite(a.arm.optimalTemperature)) return;
            setValue({...state, temperature: a.arm.optimalTemperature!}, true);
          })
      )
      .each(function (a) {
        this.dataset.arm = a.name;
        const t = formatTemperature(a.arm.optimalTemperature!);
        this.textContent = optimal.length > 1 || a.arm.name ? `Use T* = ${t} (${a.name})` : `Use T* = ${t}`;
        this.title = `Set the temperature to the NLL-optimal T for ${a.name}`;
      });
  }

  function setValue(next: ReliabilityValue, emit: boolean): void {
    const changed = next.binning !== state.binning || next.temperature !== state.temperature;
    state = {binning: next.binning, temperature: next.temperature};
    syncControls();
    // The key line shows T; redraw the chart's text (the bins arrive with the page's update()).
    if (changed) render();
    if (emit && changed) {
      const EventClass = view?.Event ?? Event;
      root.dispatchEvent(new EventClass("input", {bubbles: true}));
    }
  }

  function sliderTemperature(): number {
    return Number((2 ** Number(slider.value)).toPrecision(4));
  }

  // Native events of the inner controls stop here: the root fires one "input" event of its own per change.
  controls.addEventListener(
    "input",
    (event) => {
      event.stopPropagation();
      if (destroyed) return;
      if (event.target === slider) {
        interacting = true;
        setValue({...state, temperature: sliderTemperature()}, true);
      }
    },
    {signal}
  );
  controls.addEventListener(
    "change",
    (event) => {
      event.stopPropagation();
      if (destroyed) return;
      if (event.target === slider) interacting = false;
      const radio = radios.find((r) => r === event.target);
      if (radio && radio.checked) setValue({...state, binning: radio.value as Binning}, true);
    },
    {signal}
  );
  slider.addEventListener("pointerup", () => (interacting = false), {signal});
  slider.addEventListener("blur", () => (interacting = false), {signal});

  // Keyboard: handled here (with preventDefault) so every browser, and jsdom, behaves the same.
  slider.addEventListener(
    "keydown",
    (event) => {
      if (destroyed) return;
      const min = Number(slider.min);
      const max = Number(slider.max);
      const value = Number(slider.value);
      const steps: Record<string, number> = {
        ArrowRight: 1,
        ArrowUp: 1,
        ArrowLeft: -1,
        ArrowDown: -1,
        PageUp: 10,
        PageDown: -10
      };
      let next: number;
      if (event.key in steps) next = value + steps[event.key] * sliderStep;
      else if (event.key === "Home") next = min;
      else if (event.key === "End") next = max;
      else return;
      event.preventDefault();
      next = Math.min(max, Math.max(min, Math.round(next / sliderStep) * sliderStep));
      slider.value = String(Math.round(next * 1000) / 1000);
      interacting = false;
      setValue({...state, temperature: sliderTemperature()}, true);
    },
    {signal}
  );
  for (const radio of radios) {
    radio.addEventListener(
      "keydown",
      (event) => {
        if (destroyed) return;
        const other = radios.find((r) => r !== radio)!;
        let target: HTMLInputElement;
        if (["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"].includes(event.key)) target = other;
        else if (event.key === " " || event.key === "Enter") target = radio;
        else return;
        event.preventDefault();
        target.focus();
        setValue({...state, binning: target.value as Binning}, true);
      },
      {signal}
    );
  }

  syncControls();
  render();

  Object.defineProperty(root, "value", {
    get: (): ReliabilityValue => ({...state}),
    set: (v: ReliabilityValue) => {
      if (destroyed || !v) return;
      const binning = v.binning === "equal-mass" ? "equal-mass" : "equal-width";
      const temperature = v.temperature > 0 && Number.isFinite(v.temperature) ? v.temperature : state.temperature;
      setValue({binning, temperature}, false);
    },
    enumerable: true
  });

  root.update = function (next: ReliabilityData | null, nextOptions?: Partial<ReliabilityDiagramOptions>) {
    if (destroyed) return root;
    arms = armsOf(next);
    if (nextOptions) {
      current = {...current, ...nextOptions};
      if (nextOptions.binning !== undefined) state = {...state, binning: nextOptions.binning};
      if (nextOptions.temperature !== undefined) state = {...state, temperature: nextOptions.temperature};
    }
    syncControls();
    render();
    return root;
  };
  root.destroy = function () {
    destroyed = true;
    listeners.abort();
    finish();
    // A destroyed figure's controls are inert: disabled controls fire no events of their own either.
    for (const control of controls.querySelectorAll<HTMLInputElement | HTMLButtonElement>("input, button")) {
      control.disabled = true;
    }
    select(jumps).selectAll("button").on("click", null);
  };
  root.toSVG = function () {
    finish();
    return svgMarkup(svg);
  };
  root.toRows = function (): Row[] {
    const rows: Row[] = [];
    for (const a of arms) {
      const {bins, band} = a.arm;
      for (let b = 0; b < a.bins; ++b) {
        rows.push({
          arm: a.name,
          lower: bins.edges[b],
          upper: bins.edges[b + 1],
          count: bins.count[b],
          confidence: bins.confidence[b],
          accuracy: bins.accuracy[b],
          gap: bins.gap?.[b] ?? bins.confidence[b] - bins.accuracy[b],
          bandLow: band ? band.lower[b] : NaN,
          bandHigh: band ? band.upper[b] : NaN
        });
      }
    }
    return rows;
  };
  return root;
}

/** A diagonal hatch pattern: lines of `stroke` over a faint `background` (or none). */
function hatch(document: Document, stroke: string, background: string): SVGPatternElement {
  const pattern = createSvgElement(document, "pattern");
  pattern.setAttribute("patternUnits", "userSpaceOnUse");
  pattern.setAttribute("width", "4");
  pattern.setAttribute("height", "4");
  pattern.setAttribute("patternTransform", "rotate(45)");
  const rect = createSvgElement(document, "rect");
  rect.setAttribute("width", "4");
  rect.setAttribute("height", "4");
  rect.setAttribute("fill", background);
  rect.setAttribute("fill-opacity", "0.18");
  const line = createSvgElement(document, "line");
  line.setAttribute("y2", "4");
  line.setAttribute("stroke", stroke);
  line.setAttribute("stroke-width", "1.5");
  pattern.append(rect, line);
  return pattern;
}

/** A darker tone of an arm colour for outlines and hatching, so the gap reads over its own bar. */
function darker(color: string): string {
  return hcl(color).darker(1.1).formatHex();
}
