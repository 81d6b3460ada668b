import {scaleLinear} from "d3-scale";
import type {ScaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {PerClass} from "../src/metrics/classification.js";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {niceCeil} from "./internal/domain.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import {armColor, classColor} from "./internal/palette.js";
import {createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** One model's per-class metrics: `perClass(predictions, labels, C)` from src/metrics, with a name. */
export interface PerClassArm extends PerClass {
  /** Identity for the keyed join (default: the label). */
  key?: string;
  /** The arm's name in the legend and read-outs: its loss, e.g. "focal". */
  label: string;
  /** "baseline" | "method" | another arm: picks the colour through armColor (used when there are several arms). */
  role?: string;
}

/** Per-class metrics of one model, or of the arms of a twin run side by side. */
export interface PerClassBarsData {
  arms: readonly PerClassArm[];
  /** Class names for the rows (default "class 0", "class 1" …). */
  classNames?: readonly string[];
}

/** A metric PerClassBars can draw. */
export type PerClassMetric = "precision" | "recall" | "f1" | "support";

export interface PerClassBarsOptions {
  /** Width in pixels (default 640); the figure shrinks with its container. */
  width: number;
  /** Height in pixels; default: from the number of classes and arms. */
  height?: number;
  title?: string;
  description?: string;
  /** The panels, left to right (default: precision, recall, F1, support). */
  metrics: PerClassMetric[];
  document?: Document;
}

export type PerClassBarsElement = SVGSVGElement &
  ComponentElement<PerClassBarsData | null, PerClassBarsOptions> &
  Exportable;

const defaults: PerClassBarsOptions = {width: 640, metrics: ["precision", "recall", "f1", "support"]};

const metricNames: Record<PerClassMetric, string> = {
  precision: "precision",
  recall: "recall",
  f1: "F1",
  support: "support (samples)"
};

/** Why a metric is undefined (NaN) for a class, in words. */
const undefinedWhy: Record<PerClassMetric, string> = {
  precision: "undefined: the class is never predicted",
  recall: "undefined: the class has no samples",
  f1: "undefined: the class is neither present nor predicted",
  support: "undefined"
};

interface BarDatum {
  key: string;
  k: number;
  arm: number;
  value: number;
}

interface PanelDatum {
  metric: PerClassMetric;
  index: number;
}

interface LegendItem {
  key: string;
  label: string;
  color: string;
  x: number;
  y: number;
}

const legendRow = 16;
const panelGap = 18;
/** Room right of the longest bar for its value. */
const valueRoom = 30;

function armKey(arm: PerClassArm, i: number): string {
  return arm.key ?? arm.label ?? String(i);
}

/** The colour of each arm: by role (baseline slate, method orange), other roles in order of appearance. */
function armColors(arms: readonly PerClassArm[]): string[] {
  const others = new Map<string, number>();
  return arms.map((arm, i) => {
    const role = arm.role ?? armKey(arm, i);
    if (role === "baseline" || role === "method") return armColor(role);
    if (!others.has(role)) others.set(role, others.size);
    return armColor(role, others.get(role));
  });
}

function formatMetric(metric: PerClassMetric, value: number): string {
  if (!Number.isFinite(value)) return "–";
  return metric === "support" ? String(Math.round(value)) : value.toFixed(2);
}

/**
 * Per-class precision, recall, F1 and support as horizontal bars: one panel per metric, one row per
 * class (named, with its class colour), so the classes a loss serves badly stand out. A single model's
 * bars take the class colours; the arms of a twin run sit side by side in each row in their arm
 * colours, with a legend. Rates share a fixed 0–1 axis; support has its own (sample counts). Each bar
 * is labelled with its value (an undefined metric, NaN, shows "–" and says why on hover); toRows()
 * gives one row per bar.
 */
export function PerClassBars(
  data: PerClassBarsData | null = null,
  options: Partial<PerClassBarsOptions> = {}
): PerClassBarsElement {
  const document = documentOf(options);
  let current: PerClassBarsOptions = {...defaults, ...options};
  let state: PerClassBarsData | null = data;
  let destroyed = false;

  const {svg, title, desc} = createFigureSvg(document, "losslab-per-class-bars");
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  const labels = createSvgElement(document, "g");
  labels.setAttribute("class", "row-labels");
  labels.setAttribute("aria-hidden", "true");
  const panels = createSvgElement(document, "g");
  panels.setAttribute("class", "panels");
  svg.append(legend, labels, panels);

  function classes(): number {
    let c = 0;
    for (const arm of state?.arms ?? []) {
      c = Math.max(c, arm.precision.length, arm.recall.length, arm.f1.length, arm.support.length);
    }
    return c;
  }

  function name(k: number): string {
    return state?.classNames?.[k] ?? `class ${k}`;
  }

  function metricValue(arm: PerClassArm, metric: PerClassMetric, k: number): number {
    const v = arm[metric][k];
    return typeof v === "number" ? v : NaN;
  }

  function render(): void {
    const {width, metrics} = current;
    const arms = state?.arms ?? [];
    const c = classes();
    const colors = armColors(arms);
    const twin = arms.length > 1;

    const left = 30 + Math.max(36, ...Array.from({length: c}, (_, k) => textWidth(name(k))));
    const right = 10;
    let legendItems: LegendItem[] = [];
    if (twin) {
      let x = left;
      let y = 0;
      legendItems = arms.map((arm, i) => {
        const w = 22 + textWidth(arm.label) + 14;
        if (x > left && x + w > width - right) {
          x = left;
          y += legendRow;
        }
        const item = {key: armKey(arm, i), label: arm.label, color: colors[i], x, y};
        x += w;
        return item;
      });
    }
    const legendRows = legendItems.length ? legendItems[legendItems.length - 1].y / legendRow + 1 : 0;
    const top = 10 + legendRows * legendRow + 14;
    const bottom = 26;
    const bars = Math.max(1, arms.length);
    let barHeight = bars === 1 ? 12 : Math.max(4, Math.min(10, Math.floor(22 / bars)));
    let pitch = bars * barHeight + (bars - 1) + 8;
    if (current.height !== undefined && c > 0) {
      pitch = Math.max(4, (current.height - top - bottom) / c);
      barHeight = Math.max(1, (pitch - 8 - (bars - 1)) / bars);
    }
    const height = current.height ?? Math.round(top + bottom + Math.max(1, c) * pitch);
    const layout = frame(width, height, {top, right, bottom, left});
    const rowsHeight = c * pitch;
    const m = Math.max(1, metrics.length);
    const panelWidth = Math.max(1, (layout.innerWidth - (m - 1) * panelGap) / m);

    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Per-class metrics");
    setText(desc, current.description ?? describe());

    setAttribute(legend, "transform", "translate(0,8)");
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(legendItems, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "item");
        g.append("rect").attr("width", 14).attr("height", 10).attr("y", 1);
        g.append("text").attr("x", 20).attr("y", 6).attr("dy", "0.32em");
        return g;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${px(d.x)},${d.y})`);
        const [rect, text] = this.children as unknown as [SVGRectElement, SVGTextElement];
        setAttribute(rect, "fill", d.color);
        setText(text, d.label);
      });

    select(labels)
      .selectAll<SVGGElement, number>("g.label")
      .data(
        Array.from({length: c}, (_, k) => k),
        (k) => String(k)
      )
      .join((enter) => {
        const g = enter.append("g").attr("class", "label");
        g.append("rect").attr("width", 8).attr("height", 8).attr("x", -12).attr("y", -4);
        g.append("text").attr("x", -16).attr("text-anchor", "end").attr("dy", "0.32em");
        return g;
      })
      .each(function (k) {
        setAttribute(this, "transform", `translate(${layout.left - 4},${px(top + (k + 0.5) * pitch)})`);
        const [swatch, text] = this.children as unknown as [SVGRectElement, SVGTextElement];
        setAttribute(swatch, "fill", classColor(k));
        setText(text, name(k));
      });

    let maxSupport = 0;
    for (const arm of arms) for (const s of arm.support) if (Number.isFinite(s)) maxSupport = Math.max(maxSupport, s);
    const panelData: PanelDatum[] = metrics.map((metric, index) => ({metric, index}));
    select(panels)
      .selectAll<SVGGElement, PanelDatum>("g.panel")
      .data(panelData, (d) => d.metric)
      .join((enter) => {
        const g = enter.append("g").attr("class", "panel");
        g.append("text").attr("class", "header").attr("font-weight", "bold");
        g.append(() => createAxis(document, "losslab-axis-x"));
        g.append("g").attr("class", "bars");
        return g;
      })
      .each(function (panel) {
        const {metric} = panel;
        const x0 = layout.left + panel.index * (panelWidth + panelGap);
        const domain = metric === "support" ? niceCeil(maxSupport) : 1;
        const x: ScaleLinear<number, number> = scaleLinear()
          .domain([0, domain])
          .range([x0, x0 + Math.max(1, panelWidth - valueRoom)]);
        setAttribute(this, "data-metric", metric);
        const [header, axis, group] = this.children as unknown as [SVGTextElement, SVGGElement, SVGGElement];
        setAttribute(header, "x", String(px(x0)));
        setAttribute(header, "y", String(top - 6));
        setText(header, metricNames[metric]);
        renderAxis(axis, x, {
          orient: "bottom",
          offset: top + rowsHeight,
          ticks: metric === "support" ? 3 : 2,
          label: "",
          grid: rowsHeight,
          format: (v) => String(v)
        });
        const data: BarDatum[] = [];
        for (let k = 0; k < c; ++k) {
          arms.forEach((arm, a) =>
            data.push({key: `${k}/${armKey(arm, a)}`, k, arm: a, value: metricValue(arm, metric, k)})
          );
        }
        select(group)
          .selectAll<SVGGElement, BarDatum>("g.bar")
          .data(data, (d) => d.key)
          .join((enter) => {
            const g = enter.append("g").attr("class", "bar");
            g.append("title");
            g.append("rect");
            g.append("text").attr("dy", "0.32em");
            return g;
          })
          .each(function (d) {
            const arm = arms[d.arm];
            const [tip, rect, text] = this.children as unknown as [SVGTitleElement, SVGRectElement, SVGTextElement];
            const y = top + d.k * pitch + 4 + d.arm * (barHeight + 1);
            const finite = Number.isFinite(d.value);
            const w = finite ? Math.max(0, x(Math.max(0, d.value)) - x0) : 0;
            setAttribute(this, "data-class", String(d.k));
            setAttribute(this, "data-arm", armKey(arm, d.arm));
            setRect(rect, px(x0), px(y), px(w), px(barHeight));
            setAttribute(rect, "fill", twin ? colors[d.arm] : classColor(d.k));
            setAttribute(text, "x", String(px(x0 + w + 3)));
            setAttribute(text, "font-size", bars > 1 ? "9" : null);
            setAttribute(text, "y", String(px(y + barHeight / 2)));
            setText(text, formatMetric(metric, d.value));
            setText(
              tip,
              `${name(d.k)}${twin ? `, ${arm.label}` : ""}: ${metricNames[metric]} ${
                finite ? formatMetric(metric, d.value) : `– (${undefinedWhy[metric]})`
              }`
            );
          });
      });
  }

  function describe(): string {
    const arms = state?.arms ?? [];
    const c = classes();
    if (arms.length === 0 || c === 0) return "Per-class metrics: no data yet.";
    const shown = current.metrics.map((m) => (m === "f1" ? "F1" : m));
    const list = shown.length > 1 ? `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}` : shown[0];
    const parts = [
      `Bars of per-class ${list} for ${c} classes${arms.length > 1 ? `, ${arms.map((a) => a.label).join(" and ")} side by side` : ""}`
    ];
    for (const arm of arms) {
      let worst = -1;
      for (let k = 0; k < c; ++k) {
        const f = metricValue(arm, "f1", k);
        if (Number.isFinite(f) && (worst < 0 || f < metricValue(arm, "f1", worst))) worst = k;
      }
      if (worst >= 0) {
        parts.push(
          `${arms.length > 1 ? `${arm.label}: ` : ""}lowest F1 ${name(worst)} (${formatMetric("f1", metricValue(arm, "f1", worst))})`
        );
      }
    }
    return `${parts.join("; ")}.`;
  }

  render();

  const element = svg as PerClassBarsElement;
  element.update = function (
    this: PerClassBarsElement,
    next: PerClassBarsData | null,
    nextOptions?: Partial<PerClassBarsOptions>
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
    const arms = state?.arms ?? [];
    const c = classes();
    const rows: Row[] = [];
    for (const metric of current.metrics) {
      for (let k = 0; k < c; ++k) {
        arms.forEach((arm) => {
          const value = metricValue(arm, metric, k);
          rows.push({
            arm: arm.label,
            class: k,
            className: name(k),
            metric,
            value: Number.isFinite(value) ? value : null
          });
        });
      }
    }
    return rows;
  };
  return element;
}
