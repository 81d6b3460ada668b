import katex from "katex";

/**
 * Renders TeX to MathML with KaTeX: browsers lay MathML out natively, so pages need no KaTeX CSS or
 * fonts (nothing is fetched at run time). Invalid TeX is shown in red instead of throwing.
 */
export function tex(expression: string, options: {display?: boolean; document?: Document} = {}): HTMLElement {
  const document = options.document ?? globalThis.document;
  const el = document.createElement(options.display ? "div" : "span");
  el.className = options.display ? "losslab-tex losslab-tex-display" : "losslab-tex";
  el.innerHTML = katex.renderToString(expression, {
    output: "mathml",
    displayMode: options.display ?? false,
    throwOnError: false
  });
  return el;
}
