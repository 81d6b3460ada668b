import {select} from "d3-selection";
import type {ScaleLinear, ScaleLogarithmic} from "d3-scale";
import {createSvgElement} from "./context.js";
import {px} from "./format.js";
import {setAttribute, setText} from "./svg.js";

/** Space around the plot area, in pixels. */
export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** The plot area inside the margins. */
export interface Frame extends Margins {
  width: number;
  height: number;
  /** Plot-area width and height. */
  innerWidth: number;
  innerHeight: number;
}

/** Lays out a plot area of `width` × `height` with the given margins. */
export function frame(width: number, height: number, margins: Margins): Frame {
  return {
    ...margins,
    width,
    height,
    innerWidth: Math.max(1, width - margins.left - margins.right),
    innerHeight: Math.max(1, height - margins.top - margins.bottom)
  };
}

/** A continuous scale an axis can draw. */
export type AxisScale = ScaleLinear<number, number> | ScaleLogarithmic<number, number>;

export interface AxisOptions {
  orient: "bottom" | "left";
  /** Where the axis sits: the y of a bottom axis, the x of a left axis. */
  offset: number;
  /** Approximate number of ticks. */
  ticks: number;
  /** Axis label (say "log scale" in it when the scale is logarithmic). */
  label: string;
  /** Length of grid lines drawn across the plot from each tick (0: none). */
  grid?: number;
  /** Tick label format; defaults to the scale's tickFormat. */
  format?: (value: number) => string;
}

const axisStroke = "stroke: currentColor; stroke-opacity: 0.45;";
const gridStroke = "stroke: var(--theme-foreground-faintest, #eee);";

/** Creates an empty axis group; render it with renderAxis. */
export function createAxis(document: Document, className: string): SVGGElement {
  const g = createSvgElement(document, "g");
  g.setAttribute("class", `losslab-axis ${className}`);
  g.setAttribute("fill", "currentColor");
  g.setAttribute("aria-hidden", "true");
  const domain = createSvgElement(document, "path");
  domain.setAttribute("class", "domain");
  domain.setAttribute("fill", "none");
  domain.setAttribute("style", axisStroke);
  const ticks = createSvgElement(document, "g");
  ticks.setAttribute("class", "ticks");
  const label = createSvgElement(document, "text");
  label.setAttribute("class", "label");
  label.setAttribute("text-anchor", "middle");
  g.append(domain, ticks, label);
  return g;
}

/**
 * Draws an axis into a group made by createAxis: a domain line, ticks joined by value (a tick that
 * stays keeps its node) with optional grid lines, and a label centred along the axis.
 */
export function renderAxis(g: SVGGElement, scale: AxisScale, options: AxisOptions): void {
  const {orient, offset, ticks: count, grid = 0} = options;
  const bottom = orient === "bottom";
  const [r0, r1] = scale.range();
  const values = scale.ticks(count);
  const format = options.format ?? scale.tickFormat(count);
  setAttribute(g, "transform", bottom ? `translate(0,${px(offset)})` : `translate(${px(offset)},0)`);
  const [domain, tickGroup, label] = g.children as unknown as [SVGPathElement, SVGGElement, SVGTextElement];
  setAttribute(domain, "d", bottom ? `M${px(r0)},0H${px(r1)}` : `M0,${px(r0)}V${px(r1)}`);
  select(tickGroup)
    .selectAll<SVGGElement, number>("g.tick")
    .data(values, (d) => String(d))
    .join((enter) => {
      const tick = enter.append("g").attr("class", "tick");
      if (grid > 0) tick.append("line").attr("class", "grid").attr("style", gridStroke);
      tick.append("line").attr("class", "mark").attr("style", axisStroke);
      tick
        .append("text")
        .attr("text-anchor", bottom ? "middle" : "end")
        .attr("dy", bottom ? "0.71em" : "0.32em");
      return tick;
    })
    .each(function (value) {
      const position = px(scale(value));
      setAttribute(this, "transform", bottom ? `translate(${position},0)` : `translate(0,${position})`);
      const children = this.children;
      const gridLine = children.length === 3 ? children[0] : null;
      const mark = children[children.length - 2];
      const text = children[children.length - 1];
      if (gridLine) {
        setAttribute(gridLine, bottom ? "y2" : "x2", String(bottom ? -grid : grid));
        setAttribute(gridLine, "display", grid > 0 ? null : "none");
      }
      setAttribute(mark, bottom ? "y2" : "x2", bottom ? "5" : "-5");
      setAttribute(text, bottom ? "y" : "x", bottom ? "8" : "-8");
      setText(text, format(value));
    });
  setText(label, options.label);
  if (bottom) {
    setAttribute(label, "x", String(px((r0 + r1) / 2)));
    setAttribute(label, "y", "30");
    setAttribute(label, "transform", null);
  } else {
    setAttribute(label, "x", String(px(-(r0 + r1) / 2)));
    setAttribute(label, "y", "-36");
    setAttribute(label, "transform", "rotate(-90)");
  }
}
