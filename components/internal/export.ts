import {svgNamespace} from "./context.js";

/** A cell of exported data. */
export type Cell = string | number | boolean | null | undefined;
/** One row of a figure's data, keyed by column. */
export type Row = Record<string, Cell>;

/**
 * What every LossLab figure can export: itself as standalone SVG markup (dense canvas layers inlined
 * as images) and the data it draws as rows (for CSV). Components implement both; `ExportMenu` and the
 * widgets call them.
 */
export interface Exportable {
  toSVG(): string;
  toRows(): Row[];
}

/** A canvas to inline into an exported SVG, at a position in the SVG's user units. */
export interface CanvasLayer {
  canvas: HTMLCanvasElement;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Standalone SVG markup of `svg`: namespace declared, explicit size, and canvas layers drawn under
 * the vector content as <image> elements (a data URL each), so the file opens on its own in a browser
 * or an editor. Pixel layers use `image-rendering: pixelated`, as they are shown.
 */
export function svgMarkup(svg: SVGSVGElement, layers: readonly CanvasLayer[] = []): string {
  const document = svg.ownerDocument;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  // XMLSerializer declares the SVG namespace itself (setting xmlns too would duplicate it); images
  // use SVG 2's plain href, so no xlink namespace is needed.
  // The page's responsive style (max-width: 100%) means nothing in a file.
  clone.removeAttribute("style");
  clone.setAttribute("style", "font-family: system-ui, sans-serif; background: white;");
  const anchor = clone.querySelector("defs")?.nextSibling ?? clone.firstChild;
  for (const layer of layers) {
    let href: string;
    try {
      href = layer.canvas.toDataURL("image/png");
    } catch {
      continue; // a canvas without pixels (jsdom) exports without its layer
    }
    const image = document.createElementNS(svgNamespace, "image");
    image.setAttribute("x", String(layer.x));
    image.setAttribute("y", String(layer.y));
    image.setAttribute("width", String(layer.width));
    image.setAttribute("height", String(layer.height));
    image.setAttribute("preserveAspectRatio", "none");
    image.setAttribute("style", "image-rendering: pixelated");
    image.setAttribute("href", href);
    clone.insertBefore(image, anchor);
  }
  const Serializer = document.defaultView?.XMLSerializer ?? globalThis.XMLSerializer;
  return new Serializer().serializeToString(clone);
}

function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Rows as RFC 4180 CSV: a header of the columns (default: every key, in order of first appearance),
 * quoted where needed; null, undefined and non-finite numbers are empty cells.
 */
export function csvFormat(rows: readonly Row[], columns?: readonly string[]): string {
  const keys = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [keys.map(csvCell).join(",")];
  for (const row of rows) lines.push(keys.map((key) => csvCell(row[key])).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** Renders SVG markup to a PNG blob at `scale` × its size (2 by default, for sharp figures on paper). */
export async function pngBlob(markup: string, document: Document, {scale = 2} = {}): Promise<Blob> {
  const view = document.defaultView;
  if (!view) throw new Error("pngBlob: the document has no window");
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(markup);
  const width = Number(size?.[1] ?? 640);
  const height = Number(size?.[2] ?? 480);
  const image = new view.Image();
  const url = view.URL.createObjectURL(new view.Blob([markup], {type: "image/svg+xml"}));
  try {
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error("pngBlob: the SVG could not be rendered"));
      image.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext("2d");
    if (!context) throw new Error("pngBlob: no 2-D canvas context");
    context.fillStyle = "white";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("pngBlob: encoding failed"))), "image/png")
    );
  } finally {
    view.URL.revokeObjectURL(url);
  }
}

/** Offers `content` to the visitor as a download named `filename`. */
export function downloadFile(document: Document, filename: string, content: Blob | string, type = "text/plain"): void {
  const view = document.defaultView;
  if (!view) return;
  const blob = typeof content === "string" ? new view.Blob([content], {type}) : content;
  const url = view.URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  view.setTimeout(() => view.URL.revokeObjectURL(url), 1000);
}

/** A file-name-safe slug of a figure name ("Reliability diagram: CE" → "reliability-diagram-ce"). */
export function fileSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^\w\s-]/g, "")
      .trim()
      .replace(/[\s_-]+/g, "-") || "figure"
  );
}

/**
 * Three buttons that export a figure: SVG (vector), PNG (2× raster) and CSV (the data drawn). Plain
 * <button>s, so they are reachable and operable from the keyboard.
 */
export function ExportMenu(
  figure: Exportable,
  {name = "figure", document = globalThis.document}: {name?: string; document?: Document} = {}
): HTMLDivElement {
  const menu = document.createElement("div");
  menu.className = "losslab-export";
  menu.setAttribute("role", "group");
  menu.setAttribute("aria-label", `Export ${name}`);
  const slug = fileSlug(name);
  const button = (label: string, title: string, action: () => void | Promise<void>) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    b.addEventListener("click", () => {
      void Promise.resolve()
        .then(action)
        .catch((error: Error) => {
          b.title = `${title} — failed: ${error.message}`;
        });
    });
    return b;
  };
  menu.append(
    button("SVG", `Download ${name} as SVG`, () =>
      downloadFile(document, `${slug}.svg`, figure.toSVG(), "image/svg+xml")
    ),
    button("PNG", `Download ${name} as PNG`, async () =>
      downloadFile(document, `${slug}.png`, await pngBlob(figure.toSVG(), document))
    ),
    button("CSV", `Download the data of ${name} as CSV`, () =>
      downloadFile(document, `${slug}.csv`, csvFormat(figure.toRows()), "text/csv")
    )
  );
  return menu;
}
