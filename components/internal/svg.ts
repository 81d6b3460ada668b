import {createSvgElement} from "./context.js";
import {uniqueId} from "./ids.js";

/** An accessible SVG root: role="img", a <title> and a <desc> that aria-labelledby names. */
export interface FigureSvg {
  svg: SVGSVGElement;
  title: SVGTitleElement;
  desc: SVGDescElement;
  defs: SVGDefsElement;
}

/**
 * Creates an SVG root with class `className`, an accessible name and description, and an empty
 * <defs>; its style keeps it responsive (it shrinks with its container and keeps its aspect ratio).
 */
export function createFigureSvg(document: Document, className: string): FigureSvg {
  const svg = createSvgElement(document, "svg");
  svg.setAttribute("class", className);
  svg.setAttribute("role", "img");
  svg.setAttribute("fill", "currentColor");
  svg.setAttribute("font-family", "system-ui, sans-serif");
  svg.setAttribute("font-size", "10");
  svg.setAttribute("style", "display: block; max-width: 100%; height: auto; overflow: visible;");
  const title = createSvgElement(document, "title");
  const desc = createSvgElement(document, "desc");
  title.id = uniqueId(document, `${className}-title`);
  desc.id = uniqueId(document, `${className}-desc`);
  svg.setAttribute("aria-labelledby", `${title.id} ${desc.id}`);
  const defs = createSvgElement(document, "defs");
  svg.append(title, desc, defs);
  return {svg, title, desc, defs};
}

/** Sets the SVG's size and viewBox (user units = CSS pixels at full size). */
export function setSvgSize(svg: SVGSVGElement, width: number, height: number): void {
  setAttribute(svg, "width", String(width));
  setAttribute(svg, "height", String(height));
  setAttribute(svg, "viewBox", `0 0 ${width} ${height}`);
}

/** Sets an attribute only when its value changes, so per-frame updates do not dirty the DOM. */
export function setAttribute(element: Element, name: string, value: string | null): void {
  if (value === null) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
  } else if (element.getAttribute(name) !== value) {
    element.setAttribute(name, value);
  }
}

/** Sets an element's text only when it changes. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Creates (once) a clip path with one rectangle in `defs` and returns its id and rectangle. */
export function createClipRect(document: Document, defs: SVGDefsElement): {id: string; rect: SVGRectElement} {
  const clip = createSvgElement(document, "clipPath");
  clip.id = uniqueId(document, "losslab-clip");
  const rect = createSvgElement(document, "rect");
  clip.append(rect);
  defs.append(clip);
  return {id: clip.id, rect};
}

/** Positions a rectangle. */
export function setRect(rect: Element, x: number, y: number, width: number, height: number): void {
  setAttribute(rect, "x", String(x));
  setAttribute(rect, "y", String(y));
  setAttribute(rect, "width", String(Math.max(0, width)));
  setAttribute(rect, "height", String(Math.max(0, height)));
}
