/** The SVG namespace, for createElementNS. */
export const svgNamespace = "http://www.w3.org/2000/svg";

/** Where a dense layer is drawn: "auto" picks canvas when the document can make a 2-D context, else SVG. */
export type Renderer = "canvas" | "svg" | "auto";

/** Options every component shares: the document to render into, so figures render under jsdom and in iframes. */
export interface ContextOptions {
  document?: Document;
}

/** The document to create nodes in: options.document, else the global one; throws when neither exists. */
export function documentOf(options: ContextOptions | undefined): Document {
  const document = options?.document ?? globalThis.document;
  if (!document) throw new Error("missing document: pass {document} when rendering outside a browser");
  return document;
}

/** Creates an SVG element of the given tag in `document`. */
export function createSvgElement<K extends keyof SVGElementTagNameMap>(
  document: Document,
  tag: K
): SVGElementTagNameMap[K] {
  return document.createElementNS(svgNamespace, tag) as SVGElementTagNameMap[K];
}

const canvasSupport = new WeakMap<Document, boolean>();

/**
 * Whether `document` can make a 2-D canvas context. jsdom is answered without asking, because its
 * getContext logs a "not implemented" error through the virtual console.
 */
export function canvasAvailable(document: Document): boolean {
  let ok = canvasSupport.get(document);
  if (ok === undefined) {
    ok = false;
    const agent = document.defaultView?.navigator?.userAgent ?? "";
    if (!/jsdom/i.test(agent)) {
      try {
        ok = document.createElement("canvas").getContext("2d") != null;
      } catch {
        ok = false;
      }
    }
    canvasSupport.set(document, ok);
  }
  return ok;
}

/** Resolves the renderer option to the renderer actually used. */
export function resolveRenderer(renderer: Renderer | undefined, document: Document): "canvas" | "svg" {
  if (renderer === "svg") return "svg";
  if (renderer === "canvas") return "canvas";
  if (renderer === undefined || renderer === "auto") return canvasAvailable(document) ? "canvas" : "svg";
  throw new Error(`invalid renderer: ${String(renderer)}`);
}
