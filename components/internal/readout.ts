import {createSvgElement} from "./context.js";

/** The parts of a step read-out: a vertical rule, a dot per series, and a box with the step and a row per series. */
export interface Readout {
  /** The group to append; hidden until shown. */
  readout: SVGGElement;
  rule: SVGLineElement;
  dots: SVGGElement;
  box: SVGGElement;
  boxBackground: SVGRectElement;
  boxStep: SVGTextElement;
  boxRows: SVGGElement;
}

/** Creates the read-out shared by the streaming curve charts (LossCurve, FlipCurves), hidden and inert to the pointer. */
export function createReadout(document: Document): Readout {
  const readout = createSvgElement(document, "g");
  readout.setAttribute("class", "readout");
  readout.setAttribute("display", "none");
  readout.setAttribute("pointer-events", "none");
  const rule = createSvgElement(document, "line");
  rule.setAttribute("class", "rule");
  rule.setAttribute("style", "stroke: currentColor; stroke-opacity: 0.35;");
  const dots = createSvgElement(document, "g");
  dots.setAttribute("class", "dots");
  const box = createSvgElement(document, "g");
  box.setAttribute("class", "box");
  const boxBackground = createSvgElement(document, "rect");
  boxBackground.setAttribute("rx", "3");
  boxBackground.setAttribute("style", "fill: var(--theme-background, white); fill-opacity: 0.9;");
  boxBackground.setAttribute("stroke", "currentColor");
  boxBackground.setAttribute("stroke-opacity", "0.2");
  const boxStep = createSvgElement(document, "text");
  boxStep.setAttribute("class", "step");
  boxStep.setAttribute("font-weight", "bold");
  const boxRows = createSvgElement(document, "g");
  boxRows.setAttribute("class", "rows");
  box.append(boxBackground, boxStep, boxRows);
  readout.append(rule, dots, box);
  return {readout, rule, dots, box, boxBackground, boxStep, boxRows};
}
