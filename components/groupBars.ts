import {scaleLinear} from "d3-scale";
import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {px, textWidth} from "./internal/format.js";
import {createAxis, frame, renderAxis} from "./internal/frame.js";
import {armColor} from "./internal/palette.js";
import {createFigureSvg, setAttribute, setRect, setSvgSize, setText} from "./internal/svg.js";

/** One model's value for every group (NaN where it has none), e.g. its test accuracy per data cluster. */
export interface GroupBarsArm {
  /** Identity for the keyed join (default: the label). */
  key?: string;
  /** The arm's name in the legend: its loss. */
  label: string;
  /** "baseline" | "method" | another arm: picks the colour through armColor. */
  role?: string;
  /** One value per group, in the order of `groups`. */
  values: ArrayLike<number>;
}

/** A group on the x axis: a name and an optional second line (its size, its weight …). */
export interface GroupBarsGroup {
  label: string;
  detail?: string;
}

/** Values per group of one model or of the arms of a twin run. */
export interface GroupBarsData {
  arms: readonly GroupBarsArm[];
  groups: readonly GroupBarsGroup[];
}

export interface GroupBarsOptions {
  /** Width in pixels (default 640); the figure shrinks with its container. */
  width: number;
  /** Height in pixels (default 240). */
  height: number;
  title?: string;
  description?: string;
  /** Name of the value, on the y axis (default "accuracy"). */
  yLabel: string;
  /** The y axis (default 0–1). */
  yDomain: [number, number];
  /** Label of the x axis (default none), e.g. "cluster, rarest first". */
  xLabel: string;
  /** Number format of the values written over the bars (default two decimals). */
  format: (value: number) => string;
  document?: Document;
}

export type GroupBarsElement = SVGSVGElement & ComponentElement<GroupBarsData | null, GroupBarsOptions> & Exportable;

const defaults: GroupBarsOptions = {
  width: 640,
  height: 240,
  yLabel: "accuracy",
  yDomain: [0, 1],
  xLabel: "",
  format: (v) => v.toFixed(2)
};

interface BarDatum {
  key: string;
  group: number;
  arm: number;
  value: number;
}

interface LegendItem {
  key: string;
  label: string;
  color: string;
  x: number;
}

function armKey(arm: GroupBarsArm, i: number): string {
  return arm.key ?? arm.label ?? String(i);
}

function armColors(arms: readonly GroupBarsArm[]): string[] {
  const others = new Map<string, number>();
  return arms.map((arm, i) => {
    const role = arm.role ?? armKey(arm, i);
    if (role === "baseline" || role === "method") return armColor(role);
    if (!others.has(role)) others.set(role, others.size);
    return armColor(role, others.get(role));
  });
}

/**
 * A value per group as vertical bars, the arms of a twin run side by side in their arm colours, each bar labelled
 * with its value; the groups (e.g. data clusters, rarest first) are named under the axis with an optional second
 * line. For per-group metrics that are not per-class (PerClassBars is per class): accuracy within each appearance
 * cluster, within each subgroup. Keyed joins keep the bars between updates; toRows() gives one row per bar.
 */
export function GroupBars(
  data: GroupBarsData | null = null,
  options: Partial<GroupBarsOptions> = {}
): GroupBarsElement {
  const document = documentOf(options);
  let current: GroupBarsOptions = {...defaults, ...options};
  let state: GroupBarsData | null = data;
  let destroyed = false;

  const {svg, title, desc} = createFigureSvg(document, "losslab-group-bars");
  const legend = createSvgElement(document, "g");
  legend.setAttribute("class", "legend");
  const yAxis = createAxis(document, "losslab-axis-y");
  const groupLabels = createSvgElement(document, "g");
  groupLabels.setAttribute("class", "group-labels");
  const xLabel = createSvgElement(document, "text");
  xLabel.setAttribute("class", "x-label");
  xLabel.setAttribute("text-anchor", "middle");
  const bars = createSvgElement(document, "g");
  bars.setAttribute("class", "bars");
  svg.append(legend, yAxis, bars, groupLabels, xLabel);

  function value(arm: GroupBarsArm, g: number): number {
    const v = arm.values[g];
    return typeof v === "number" ? v : NaN;
  }

  function render(): void {
    const {width, height, yDomain, format} = current;
    const arms = state?.arms ?? [];
    const groups = state?.groups ?? [];
    const colors = armColors(arms);
    const details = groups.some((g) => g.detail);
    const top = 26;
    const bottom = 22 + (details ? 12 : 0) + (current.xLabel ? 16 : 0);
    const layout = frame(width, height, {top, right: 8, bottom, left: 48});
    const y = scaleLinear()
      .domain(yDomain)
      .range([layout.top + layout.innerHeight, layout.top]);
    const band = layout.innerWidth / Math.max(1, groups.length);
    const inner = band * 0.8;
    const barWidth = inner / Math.max(1, arms.length);
    const x0 = (g: number) => layout.left + g * band + (band - inner) / 2;

    setSvgSize(svg, width, height);
    setText(title, current.title ?? "Per-group values");
    setText(desc, current.description ?? describe());

    let lx = layout.left;
    const items: LegendItem[] = arms.map((arm, i) => {
      const item = {key: armKey(arm, i), label: arm.label, color: colors[i], x: lx};
      lx += 22 + textWidth(arm.label) + 14;
      return item;
    });
    setAttribute(legend, "transform", "translate(0,6)");
    select(legend)
      .selectAll<SVGGElement, LegendItem>("g.item")
      .data(items, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "item");
        g.append("rect").attr("width", 14).attr("height", 10).attr("y", 1);
        g.append("text").attr("x", 20).attr("y", 6).attr("dy", "0.32em");
        return g;
      })
      .each(function (d) {
        setAttribute(this, "transform", `translate(${px(d.x)},0)`);
        const [rect, text] = this.children as unknown as [SVGRectElement, SVGTextElement];
        setAttribute(rect, "fill", d.color);
        setText(text, d.label);
      });

    renderAxis(yAxis, y, {
      orient: "left",
      offset: layout.left,
      ticks: 4,
      label: current.yLabel,
      grid: layout.innerWidth
    });

    const barData: BarDatum[] = [];
    groups.forEach((_, g) =>
      arms.forEach((arm, a) => barData.push({key: `${g}/${armKey(arm, a)}`, group: g, arm: a, value: value(arm, g)}))
    );
    const base = y(Math.max(yDomain[0], Math.min(yDomain[1], 0)));
    select(bars)
      .selectAll<SVGGElement, BarDatum>("g.bar")
      .data(barData, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "bar");
        g.append("title");
        g.append("rect");
        g.append("text").attr("text-anchor", "middle").attr("font-size", "9");
        return g;
      })
      .each(function (d) {
        const arm = arms[d.arm];
        const [tip, rect, text] = this.children as unknown as [SVGTitleElement, SVGRectElement, SVGTextElement];
        const finite = Number.isFinite(d.value);
        const v = finite ? Math.max(yDomain[0], Math.min(yDomain[1], d.value)) : yDomain[0];
        const top = Math.min(base, y(v));
        const left = x0(d.group) + d.arm * barWidth;
        setAttribute(this, "data-group", String(d.group));
        setAttribute(this, "data-arm", armKey(arm, d.arm));
        setRect(rect, px(left + 0.5), px(top), px(Math.max(0, barWidth - 1)), px(finite ? Math.abs(base - y(v)) : 0));
        setAttribute(rect, "fill", colors[d.arm]);
        setAttribute(text, "x", String(px(left + barWidth / 2)));
        setAttribute(text, "y", String(px(top - 3)));
        setText(text, finite ? format(d.value) : "–");
        setText(tip, `${groups[d.group].label}, ${arm.label}: ${finite ? format(d.value) : "no value"}`);
      });

    select(groupLabels)
      .selectAll<SVGGElement, number>("g.group")
      .data(
        groups.map((_, g) => g),
        (g) => String(g)
      )
      .join((enter) => {
        const g = enter.append("g").attr("class", "group");
        g.append("text").attr("class", "name").attr("text-anchor", "middle").attr("dy", "0.71em");
        g.append("text")
          .attr("class", "detail")
          .attr("text-anchor", "middle")
          .attr("dy", "0.71em")
          .attr("y", 12)
          .attr("fill-opacity", 0.7);
        return g;
      })
      .each(function (g) {
        setAttribute(this, "transform", `translate(${px(layout.left + (g + 0.5) * band)},${px(base + 6)})`);
        const [name, detail] = this.children as unknown as [SVGTextElement, SVGTextElement];
        setText(name, groups[g].label);
        setText(detail, groups[g].detail ?? "");
      });

    setText(xLabel, current.xLabel);
    setAttribute(xLabel, "x", String(px(layout.left + layout.innerWidth / 2)));
    setAttribute(xLabel, "y", String(px(height - 4)));
  }

  function describe(): string {
    const arms = state?.arms ?? [];
    const groups = state?.groups ?? [];
    if (!arms.length || !groups.length) return "Per-group bars: no data yet.";
    const parts = arms.map((arm) => {
      const values = groups.map(
        (g, k) => `${g.label} ${Number.isFinite(value(arm, k)) ? current.format(value(arm, k)) : "–"}`
      );
      return `${arm.label}: ${values.join(", ")}`;
    });
    return `${current.yLabel} per group. ${parts.join("; ")}.`;
  }

  render();

  const element = svg as GroupBarsElement;
  element.update = function (
    this: GroupBarsElement,
    next: GroupBarsData | null,
    nextOptions?: Partial<GroupBarsOptions>
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
    const arms = state?.arms ?? [];
    (state?.groups ?? []).forEach((g, k) =>
      arms.forEach((arm) => {
        const v = value(arm, k);
        rows.push({group: g.label, detail: g.detail ?? null, arm: arm.label, value: Number.isFinite(v) ? v : null});
      })
    );
    return rows;
  };
  return element;
}
