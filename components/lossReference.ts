import type {LossEntry} from "../src/losses/defineLoss.js";
import type {ParamSpec} from "../src/params/schema.js";
import {tex} from "./internal/tex.js";

export interface LossReferenceData {
  families: readonly {id: string; title: string}[];
  losses: readonly LossEntry[];
}

export interface LossReferenceOptions {
  /** Initial filter text. */
  query: string;
  document: Document;
}

export interface LossReferenceElement extends HTMLElement {
  update(data: LossReferenceData, options?: Partial<LossReferenceOptions>): LossReferenceElement;
  destroy(): void;
  /** The current filter text. */
  value: string;
}

/** A GitHub link for an "owner/repo:path" reference (the official code), or null for free text. */
export function codeUrl(code: string): string | null {
  const match = /^([\w.-]+\/[\w.-]+):([^\s(]+)/.exec(code);
  return match ? `https://github.com/${match[1]}/blob/HEAD/${match[2]}` : null;
}

function range(spec: ParamSpec): string {
  if (spec.type === "enum") return spec.options.join(" | ");
  if (spec.type === "boolean") return "true | false";
  const lo = spec.min ?? "−∞";
  const hi = spec.max ?? "∞";
  const scale = spec.type === "number" && spec.scale === "log" ? ", log scale" : "";
  return `${lo} … ${hi}${spec.type === "int" ? ", integer" : ""}${scale}`;
}

/** Whether a loss matches a filter: every word appears in its id, title, family, summary or paper. */
export function matchesQuery(loss: LossEntry, query: string): boolean {
  const text = [loss.id, loss.title, loss.family, loss.summary, loss.paper?.title ?? "", loss.paper?.authors ?? ""]
    .join(" ")
    .toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

/**
 * The loss library's reference: one card per loss, grouped by family, with its formula, the inputs it
 * reads (shapes with named dimensions), its hyper-parameters (defaults and ranges, as the notebooks'
 * controls use them), the paper and the official code it matches; a filter box narrows the list.
 */
export function LossReference(
  data: LossReferenceData,
  options: Partial<LossReferenceOptions> = {}
): LossReferenceElement {
  const document = options.document ?? globalThis.document;
  const root = document.createElement("div") as unknown as LossReferenceElement;
  root.className = "losslab-reference";
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  };
  const search = el("label", undefined, "losslab-reference-filter");
  const input = el("input");
  input.type = "search";
  input.placeholder = "focal, triplet, Hinton, noise …";
  search.append(el("span", "Filter losses "), input);
  const count = el("p", undefined, "losslab-reference-count");
  count.setAttribute("aria-live", "polite");
  const body = el("div");
  root.append(search, count, body);

  let current = data;
  let query = options.query ?? "";
  input.value = query;

  const card = (loss: LossEntry) => {
    const article = el("article", undefined, "losslab-loss");
    article.id = `loss-${loss.id}`;
    article.dataset.loss = loss.id;
    const h = el("h3", loss.title);
    h.append(" ", el("code", loss.id));
    article.append(h, el("p", loss.summary), tex(loss.tex, {display: true, document}));
    const sources = el("dl");
    if (loss.paper) {
      const a = el("a", loss.paper.title);
      a.href = loss.paper.url;
      const dd = el("dd");
      dd.append(a, ` — ${loss.paper.authors}, ${loss.paper.venue} ${loss.paper.year}`);
      sources.append(el("dt", "Paper"), dd);
    }
    sources.append(el("dt", "Formula"), el("dd", loss.cite));
    if (loss.code) {
      const dd = el("dd");
      const url = codeUrl(loss.code);
      if (url) {
        const a = el("a", loss.code);
        a.href = url;
        dd.append(a);
      } else dd.textContent = loss.code;
      sources.append(el("dt", "Matches"), dd);
    }
    article.append(sources);

    const inputs = el("table");
    inputs.append(el("caption", `Inputs of ${loss.id}`));
    const ih = el("tr");
    for (const t of ["input", "shape", "values", "meaning"]) ih.append(el("th", t));
    inputs.append(ih);
    for (const [name, spec] of Object.entries(loss.inputs)) {
      const tr = el("tr");
      const cell = el("td");
      cell.append(el("code", name));
      if (!spec.required) cell.append(el("small", " optional"));
      tr.append(cell, el("td", `${spec.shape} ${spec.dtype}`), el("td", spec.values), el("td", spec.doc));
      inputs.append(tr);
    }
    article.append(inputs);

    const params = Object.entries(loss.schema);
    if (params.length > 0) {
      const table = el("table");
      table.append(el("caption", `Hyper-parameters of ${loss.id}`));
      const hr = el("tr");
      for (const t of ["parameter", "default", "range", "meaning"]) hr.append(el("th", t));
      table.append(hr);
      for (const [name, spec] of params) {
        const tr = el("tr");
        const cell = el("td");
        cell.append(el("code", name));
        if ("symbol" in spec && spec.symbol) cell.append(" ", tex(spec.symbol, {document}));
        tr.append(cell, el("td", String(spec.default)), el("td", range(spec)), el("td", spec.doc));
        table.append(tr);
      }
      article.append(table);
    } else article.append(el("p", "No hyper-parameters.", "losslab-reference-none"));
    return article;
  };

  const render = () => {
    const shown = current.losses.filter((loss) => matchesQuery(loss, query));
    count.textContent = `${shown.length} of ${current.losses.length} losses`;
    const sections = current.families
      .map((family) => {
        const members = shown.filter((loss) => loss.family === family.id);
        if (members.length === 0) return null;
        const section = el("section");
        section.dataset.family = family.id;
        section.append(el("h2", family.title), ...members.map(card));
        return section;
      })
      .filter((s): s is HTMLElement => s !== null);
    body.replaceChildren(...sections);
  };
  const onInput = () => {
    query = input.value;
    render();
    root.dispatchEvent(new Event("input", {bubbles: true}));
  };
  input.addEventListener("input", onInput);
  // The input event of the box bubbles as the root's own; keep one event per keystroke.
  input.addEventListener("input", (event) => event.stopPropagation());

  Object.defineProperty(root, "value", {
    get: () => query,
    set: (v: string) => {
      query = v;
      input.value = v;
      render();
    }
  });
  root.update = (next, nextOptions = {}) => {
    current = next;
    if (nextOptions.query !== undefined) {
      query = nextOptions.query;
      input.value = query;
    }
    render();
    return root;
  };
  root.destroy = () => {
    input.removeEventListener("input", onInput);
    root.replaceChildren();
  };
  render();
  return root;
}
