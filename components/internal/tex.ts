import katex from "katex";

const className = (display: boolean) => (display ? "losslab-tex losslab-tex-display" : "losslab-tex");

/** KaTeX's MathML for a TeX expression; invalid TeX comes back in red instead of throwing. */
function mathml(expression: string, display: boolean): string {
  return katex.renderToString(expression, {output: "mathml", displayMode: display, throwOnError: false});
}

/**
 * Renders TeX to MathML with KaTeX: browsers lay MathML out natively, so pages need no KaTeX CSS or
 * fonts (nothing is fetched at run time). Invalid TeX is shown in red instead of throwing.
 */
export function tex(expression: string, options: {display?: boolean; document?: Document} = {}): HTMLElement {
  const document = options.document ?? globalThis.document;
  const display = options.display ?? false;
  const el = document.createElement(display ? "div" : "span");
  el.className = className(display);
  el.innerHTML = mathml(expression, display);
  return el;
}

/**
 * The element tex() returns, as HTML text. The site renders a page's fixed formulas with it at build
 * time (observablehq.config.ts, notebooks/data/loss-formulas.json.ts), so such pages load no KaTeX.
 */
export function texHtml(expression: string, options: {display?: boolean} = {}): string {
  const display = options.display ?? false;
  const tag = display ? "div" : "span";
  return `<${tag} class="${className(display)}">${mathml(expression, display)}</${tag}>`;
}
