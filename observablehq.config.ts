import {texHtml} from "./components/internal/tex.ts";
import {families, methodPath, methods} from "./src/catalog.ts";

// The sidebar lists the live notebooks by family; the gallery (index) lists every method.
const pages = families
  .map((family) => ({
    name: family.title,
    pages: methods
      .filter((m) => m.family === family.id && m.status === "live")
      .map((m) => ({name: m.title, path: `/${methodPath(m)}`}))
  }))
  .filter((section) => section.pages.length > 0)
  .concat([
    {name: "Views", pages: [{name: "Loss landscapes", path: "/views/loss-landscapes"}]},
    {
      name: "Library",
      pages: [
        {name: "Loss library", path: "/library/losses"},
        {name: "Embedding LossLab", path: "/embedding"}
      ]
    }
  ]);

// TeX in a page's Markdown, rendered to MathML with KaTeX when the site is built: $…$ inline, and
// $$…$$ as a paragraph of its own for a displayed formula. The HTML is what tex() from the components
// builds in the browser, so fixed formulas cost a page no KaTeX download. A dollar followed by { is
// Framework's ${…} and "\$" a literal dollar. Inline TeX runs to the next unescaped $, which must
// follow a non-space and not precede a digit, or the dollar stays text ("costs $5 and $10" is no
// formula). Raw HTML blocks are left alone: use tex() there.
interface MathToken {
  content: string;
  markup: string;
  block: boolean;
  map: [number, number] | null;
}
interface InlineState {
  src: string;
  pos: number;
  posMax: number;
  push(type: string, tag: string, nesting: number): MathToken;
}
interface BlockState {
  src: string;
  line: number;
  blkIndent: number;
  bMarks: number[];
  eMarks: number[];
  tShift: number[];
  sCount: number[];
  push(type: string, tag: string, nesting: number): MathToken;
}
interface MarkdownIt {
  inline: {ruler: {before(name: string, rule: string, fn: (state: InlineState, silent: boolean) => boolean): void}};
  block: {
    ruler: {
      before(
        name: string,
        rule: string,
        fn: (state: BlockState, startLine: number, endLine: number, silent: boolean) => boolean,
        options?: {alt: string[]}
      ): void;
    };
  };
  renderer: {rules: Record<string, (tokens: MathToken[], idx: number) => string>};
}

const DOLLAR = 0x24;
const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || Number.isNaN(code);

function inlineMath(state: InlineState, silent: boolean): boolean {
  const {src, pos, posMax} = state;
  if (src.charCodeAt(pos) !== DOLLAR) return false;
  const first = src.charCodeAt(pos + 1);
  if (first === 0x7b || first === DOLLAR || isSpace(first)) return false;
  let end = src.indexOf("$", pos + 2);
  while (end !== -1 && src.charCodeAt(end - 1) === 0x5c) end = src.indexOf("$", end + 1);
  if (end === -1 || end >= posMax) return false;
  const after = src.charCodeAt(end + 1);
  if (isSpace(src.charCodeAt(end - 1)) || (after >= 0x30 && after <= 0x39) || after === 0x7b) return false;
  if (!silent) {
    const token = state.push("math_inline", "", 0);
    token.content = src.slice(pos + 1, end);
    token.markup = "$";
  }
  state.pos = end + 1;
  return true;
}

function blockMath(state: BlockState, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  const lineText = (line: number) => state.src.slice(state.bMarks[line] + state.tShift[line], state.eMarks[line]);
  const opening = lineText(startLine);
  if (!opening.startsWith("$$")) return false;
  const lines = [opening.slice(2)];
  for (let line = startLine; line < endLine; ++line) {
    if (line > startLine) lines.push(lineText(line));
    const text = lines[lines.length - 1];
    const close = text.indexOf("$$");
    if (close === -1) continue;
    if (text.slice(close + 2).trim() !== "") return false;
    if (silent) return true;
    lines[lines.length - 1] = text.slice(0, close);
    const token = state.push("math_block", "div", 0);
    token.block = true;
    token.content = lines.join("\n").trim();
    token.markup = "$$";
    token.map = [startLine, line + 1];
    state.line = line + 1;
    return true;
  }
  return false;
}

function texMath(md: MarkdownIt): MarkdownIt {
  md.inline.ruler.before("escape", "math_inline", inlineMath);
  md.block.ruler.before("paragraph", "math_block", blockMath, {alt: ["paragraph"]});
  md.renderer.rules.math_inline = (tokens, idx) => texHtml(tokens[idx].content);
  md.renderer.rules.math_block = (tokens, idx) => texHtml(tokens[idx].content, {display: true}) + "\n";
  return md;
}

export default {
  root: "notebooks",
  title: "LossLab",
  pages,
  // No Google Fonts: the site must not request anything from other hosts (system fonts instead).
  globalStylesheets: [],
  style: "style.css",
  // ?embed=1 (a notebook in another site's iframe) marks the page before it paints; style.css then
  // shows only the figures and controls.
  head:
    '<script>if (new URLSearchParams(location.search).get("embed") === "1") document.documentElement.classList.add("losslab-embed");</script>' +
    '<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Cpath d=%22M1 2 Q5 14 8 9 T15 3%22 fill=%22none%22 stroke=%22%23E69F00%22 stroke-width=%222.5%22/%3E%3C/svg%3E">',
  footer: "LossLab — see what a loss function does. Trains live in your browser with TensorFlow.js.",
  toc: true,
  search: false,
  linkify: true,
  typographer: false,
  markdownIt: texMath
};
