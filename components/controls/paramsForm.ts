import {decodeParams, encodeParams} from "../../src/params/hash.js";
import {defaults, isActive} from "../../src/params/schema.js";
import type {ParamSpec, Params, Schema} from "../../src/params/schema.js";

export interface ParamsFormOptions {
  /** Read initial values from the URL hash and write every change back to it. */
  hash?: boolean;
  /** Keys to leave out of the form (they keep their URL or default values). */
  exclude?: readonly string[];
  document?: Document;
}

export interface ParamsFormElement<S extends Schema> extends HTMLFormElement {
  /** The current, always valid, parameters. */
  value: Params<S>;
  /** Problems found in the URL when the form was created (values that fell back to defaults). */
  readonly problems: string[];
  update(values: Partial<Params<S>>): ParamsFormElement<S>;
  destroy(): void;
}

let formCount = 0;

/**
 * Controls derived from a parameter schema: a slider with a number box for numbers (log-scaled when the
 * schema says so), a checkbox for booleans, a menu for enums, grouped in fieldsets. Its `value` is
 * always valid and it emits bubbling "input" events (so Framework's `view()`/`Generators.input` work)
 * when a value is committed — on release for sliders, so a drag does not restart training at every
 * pixel. With `hash`, the URL hash holds every value: a permalink reproduces the run, and bad values
 * fall back to their defaults with a visible notice.
 */
export function paramsForm<S extends Schema>(schema: S, options: ParamsFormOptions = {}): ParamsFormElement<S> {
  const document = options.document ?? globalThis.document;
  const window = document.defaultView;
  const id = `losslab-params-${++formCount}`;
  const exclude = new Set(options.exclude ?? []);
  let problems: string[] = [];
  let value = defaults(schema) as Record<string, unknown>;
  if (options.hash && window) {
    const decoded = decodeParams(schema, window.location.hash);
    value = decoded.params as Record<string, unknown>;
    problems = decoded.problems;
  }

  const form = document.createElement("form") as unknown as ParamsFormElement<S>;
  form.className = "losslab-params";
  form.noValidate = true;
  form.addEventListener("submit", (event) => event.preventDefault());

  const notice = document.createElement("div");
  notice.className = "losslab-notice";
  notice.setAttribute("role", "status");
  form.append(notice);
  const showProblems = () => {
    notice.replaceChildren();
    notice.hidden = problems.length === 0;
    if (!problems.length) return;
    const strong = document.createElement("strong");
    strong.textContent = "This link had values LossLab could not use; their defaults are shown instead.";
    const list = document.createElement("ul");
    for (const p of problems) {
      const li = document.createElement("li");
      li.textContent = p;
      list.append(li);
    }
    notice.append(strong, list);
  };
  showProblems();

  const rows = new Map<string, {row: HTMLElement; set(v: unknown): void}>();
  const groups = new Map<string, HTMLElement>();
  const container = (group: string | undefined) => {
    if (!group) return form;
    let fieldset = groups.get(group);
    if (!fieldset) {
      fieldset = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = group;
      fieldset.append(legend);
      groups.set(group, fieldset);
      form.append(fieldset);
    }
    return fieldset;
  };

  const commit = (key: string, v: unknown) => {
    if (Object.is(value[key], v)) return;
    value = {...value, [key]: v};
    problems = [];
    showProblems();
    refreshVisibility();
    if (options.hash && window) {
      const url = new URL(window.location.href);
      url.hash = encodeParams(schema, value as Params<S>);
      window.history.replaceState(window.history.state, "", url);
    }
    form.dispatchEvent(new (window?.Event ?? Event)("input", {bubbles: true}));
  };

  for (const [key, spec] of Object.entries(schema)) {
    if (exclude.has(key)) continue;
    const control = makeControl(document, `${id}-${key}`, key, spec, value[key], (v) => commit(key, v));
    rows.set(key, control);
    container(spec.group).append(control.row);
  }

  const refreshVisibility = () => {
    for (const [key, {row}] of rows) row.hidden = !isActive(schema[key], value);
  };
  refreshVisibility();

  Object.defineProperty(form, "value", {
    get: () => value as Params<S>,
    set: (v: Params<S>) => form.update(v)
  });
  Object.defineProperty(form, "problems", {get: () => problems});
  form.update = (values) => {
    for (const [key, v] of Object.entries(values)) {
      if (!(key in schema) || v === undefined) continue;
      value = {...value, [key]: v};
      rows.get(key)?.set(v);
    }
    refreshVisibility();
    return form;
  };
  form.destroy = () => form.replaceChildren();
  return form;
}

function makeControl(
  document: Document,
  id: string,
  key: string,
  spec: ParamSpec,
  initial: unknown,
  commit: (v: unknown) => void
): {row: HTMLElement; set(v: unknown): void} {
  const row = document.createElement("div");
  row.className = `losslab-param losslab-param-${spec.type}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = spec.label ?? key;
  const help = document.createElement("small");
  help.id = `${id}-doc`;
  help.textContent = spec.doc;
  row.append(label);

  switch (spec.type) {
    case "boolean": {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.checked = initial as boolean;
      box.setAttribute("aria-describedby", help.id);
      box.addEventListener("change", () => commit(box.checked));
      label.prepend(box, " ");
      label.htmlFor = "";
      row.append(help);
      return {row, set: (v) => void (box.checked = v as boolean)};
    }
    case "enum": {
      const select = document.createElement("select");
      select.id = id;
      select.setAttribute("aria-describedby", help.id);
      for (const option of spec.options) {
        const o = document.createElement("option");
        o.value = option;
        o.textContent = spec.labels?.[option] ?? option;
        select.append(o);
      }
      select.value = initial as string;
      select.addEventListener("change", () => commit(select.value));
      row.append(select, help);
      return {row, set: (v) => void (select.value = v as string)};
    }
    case "number":
    case "int": {
      const log = spec.type === "number" && spec.scale === "log";
      const min = spec.min ?? (log ? 1e-6 : 0);
      const max = spec.max ?? Math.max(1, 10 * Math.abs(spec.default));
      const step = spec.step ?? (spec.type === "int" ? 1 : log ? undefined : niceStep(max - min));
      const toSlider = (v: number) => (log ? Math.log10(v) : v);
      const fromSlider = (s: number) => (log ? roundSignificant(10 ** s, 3) : s);
      const slider = document.createElement("input");
      slider.type = "range";
      slider.id = id;
      slider.min = String(toSlider(min));
      slider.max = String(toSlider(max));
      slider.step = log ? "any" : String(step);
      slider.setAttribute("aria-describedby", help.id);
      const box = document.createElement("input");
      box.type = "number";
      box.min = String(min);
      box.max = String(max);
      box.step = step === undefined ? "any" : String(step);
      box.setAttribute("aria-label", `${spec.label ?? key} value`);
      const show = (v: number) => {
        slider.value = String(toSlider(v));
        box.value = String(v);
      };
      show(initial as number);
      const clamp = (v: number) => {
        let x = Math.min(max, Math.max(min, v));
        if (spec.type === "int") x = Math.round(x);
        return x;
      };
      // While dragging only the number box follows; the value is committed on release.
      slider.addEventListener("input", () => void (box.value = String(fromSlider(Number(slider.value)))));
      slider.addEventListener("change", () => {
        const v = clamp(fromSlider(Number(slider.value)));
        show(v);
        commit(v);
      });
      box.addEventListener("change", () => {
        const parsed = Number(box.value);
        if (box.value.trim() === "" || !Number.isFinite(parsed)) {
          box.value = slider.value === "" ? "" : String(fromSlider(Number(slider.value)));
          return;
        }
        const v = clamp(parsed);
        show(v);
        commit(v);
      });
      const pair = document.createElement("div");
      pair.className = "losslab-range";
      pair.append(slider, box);
      row.append(pair, help);
      return {row, set: (v) => show(v as number)};
    }
  }
}

function niceStep(span: number): number {
  const raw = span / 100;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

function roundSignificant(v: number, digits: number): number {
  return Number(v.toPrecision(digits));
}
