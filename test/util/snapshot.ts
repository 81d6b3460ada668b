// Golden-file snapshots of rendered components (STYLE §4 "SVG snapshots"). The element is
// serialised one node per line, numbers rounded to 3 decimals and generated ids renumbered in order
// of appearance, so a golden file changes only when the picture does and its diff is reviewable.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";
import {test} from "vitest";

/** Where golden files live. */
export const snapshotDirectory = join(dirname(fileURLToPath(import.meta.url)), "../snapshot/output");

const svgNamespace = "http://www.w3.org/2000/svg";

// A number with a fraction or an exponent, not inside a longer number or a hex colour (#1E5E5E):
// path commands may touch it (M1.25,2). The sign stays in the text, so "1.5-0.0001" becomes "1.5-0".
const numberPattern = /(?<![\d.])(?<!#[0-9a-f]*)(?:\d+(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?/gi;

/** Rounds every decimal number in `text` to 3 decimals ("12.34567" → "12.346", "2.0" → "2"); integers stay as written. */
export function roundNumbers(text: string): string {
  return text.replace(numberPattern, (token) => {
    if (!/[.e]/i.test(token)) return token;
    const value = Math.round(Number(token) * 1000) / 1000;
    return String(value === 0 ? 0 : value);
  });
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Serialises an element for a golden file: one element per line, indented by depth; an element that
 * holds only text keeps it on its line; whitespace-only text is dropped; numbers are rounded and ids
 * renumbered (id-1, id-2 … in document order, references in url(#…), href and aria-* follow).
 */
export function serialize(element: Element): string {
  const ids = new Map<string, string>();
  for (const node of [element, ...element.querySelectorAll("[id]")]) {
    const id = node.getAttribute("id");
    if (id && !ids.has(id)) ids.set(id, `id-${ids.size + 1}`);
  }
  const idPattern = ids.size
    ? new RegExp(
        `(?<![\\w-])(${[...ids.keys()]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join("|")})(?![\\w-])`,
        "g"
      )
    : null;
  const renumber = (value: string): string => (idPattern ? value.replace(idPattern, (id) => ids.get(id)!) : value);

  const lines: string[] = [];
  const visit = (node: Element, depth: number): void => {
    const indent = "  ".repeat(depth);
    const name = node.namespaceURI === svgNamespace ? node.localName : node.localName.toLowerCase();
    const attributes = [...node.attributes]
      .map((a) => ` ${a.name}="${escapeAttribute(roundNumbers(renumber(a.value)))}"`)
      .join("");
    const children = [...node.childNodes].filter(
      (child) => child.nodeType === 1 || (child.nodeType === 3 && (child.textContent ?? "").trim() !== "")
    );
    if (children.length === 0) {
      lines.push(
        node.namespaceURI === svgNamespace
          ? `${indent}<${name}${attributes}/>`
          : `${indent}<${name}${attributes}></${name}>`
      );
    } else if (children.every((child) => child.nodeType === 3)) {
      const text = children.map((child) => child.textContent ?? "").join("");
      lines.push(`${indent}<${name}${attributes}>${escapeText(roundNumbers(text))}</${name}>`);
    } else {
      lines.push(`${indent}<${name}${attributes}>`);
      for (const child of children) {
        if (child.nodeType === 1) visit(child as Element, depth + 1);
        else lines.push(`${indent}  ${escapeText(roundNumbers((child.textContent ?? "").trim()))}`);
      }
      lines.push(`${indent}</${name}>`);
    }
  };
  visit(element, 0);
  return lines.join("\n") + "\n";
}

/** The golden file's extension: .svg for an <svg> root, .html otherwise. */
export function snapshotExtension(element: Element): "svg" | "html" {
  return element.namespaceURI === svgNamespace && element.localName === "svg" ? "svg" : "html";
}

/**
 * Compares `element` with the golden file output/<name>.<ext>. A missing golden file is written
 * (outside CI) or fails (in CI); a mismatch writes <name>-changed.<ext> beside it and fails.
 */
export function assertSnapshot(name: string, element: Element, directory = snapshotDirectory): void {
  const extension = snapshotExtension(element);
  const actual = serialize(element);
  const golden = join(directory, `${name}.${extension}`);
  const changed = join(directory, `${name}-changed.${extension}`);
  if (!existsSync(golden)) {
    if (process.env.CI) throw new Error(`missing snapshot ${golden}: run the tests locally to create it`);
    mkdirSync(directory, {recursive: true});
    writeFileSync(golden, actual);
    return;
  }
  const expected = readFileSync(golden, "utf8");
  if (actual === expected) return;
  writeFileSync(changed, actual);
  const a = expected.split("\n");
  const b = actual.split("\n");
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) ++line;
  throw new Error(
    `snapshot ${name}.${extension} changed at line ${line + 1}:\n` +
      `  expected: ${(a[line] ?? "<end of file>").trim()}\n` +
      `  actual:   ${(b[line] ?? "<end of file>").trim()}\n` +
      `read the diff (diff ${golden} ${changed}); to accept it, replace the golden file with the -changed one`
  );
}

/** Registers a snapshot test named after the fixture function (STYLE §4: the fixture's name is the snapshot's name). */
export function snapshotTest(fixture: () => Element | Promise<Element>): void {
  if (!fixture.name) throw new Error("invalid fixture: a snapshot fixture must be a named function");
  test(fixture.name, async () => {
    assertSnapshot(fixture.name, await fixture());
  });
}
