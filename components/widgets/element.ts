import type {ComponentElement} from "../internal/component.js";
import {ExportMenu} from "../internal/export.js";
import type {Exportable} from "../internal/export.js";

/** A LossLab component: data and options in, an element with update() and destroy() out. */
export type WidgetComponent = (data: any, options?: any) => Element & ComponentElement<any, any>;

/** How an HTML attribute's text becomes an option value. */
export type AttributeParser = (text: string) => unknown;

/**
 * The element a LossLab custom element renders into: it owns one component and re-renders it from
 * `data` and `options`. Data and options come as properties (`el.data = {...}`) or as JSON in the
 * `data` / `options` attributes; every declared attribute (e.g. width="480") becomes an option.
 * Setting data calls the component's update(), never re-creates it; removal destroys it. With the
 * `export` attribute an SVG / PNG / CSV export menu follows the figure.
 */
export interface LossLabElement extends HTMLElement {
  data: unknown;
  options: Record<string, unknown>;
  /** The component's element, once connected. */
  readonly figure: (Element & ComponentElement<any, any>) | null;
}

/**
 * Registers a custom element for a component (STYLE §2 "Widget adapters": thin, no rendering code of
 * its own). Does nothing if the tag is already defined or the page has no customElements registry;
 * `window` is the one whose registry and HTMLElement to use (an iframe's, jsdom's).
 */
export function defineElement(
  tag: string,
  Component: WidgetComponent,
  attributes: Record<string, AttributeParser> = {},
  window: {customElements?: CustomElementRegistry; HTMLElement?: typeof HTMLElement} = globalThis
): void {
  const registry = window.customElements;
  const Base = window.HTMLElement;
  if (!registry || !Base || registry.get(tag)) return;
  const parsers: Record<string, AttributeParser> = {width: Number, height: Number, title: String, ...attributes};
  class Element extends Base implements LossLabElement {
    static observedAttributes = ["data", "options", "export", ...Object.keys(parsers)];
    #data: unknown = null;
    #options: Record<string, unknown> = {};
    #figure: (globalThis.Element & ComponentElement<any, any>) | null = null;
    #menu: HTMLElement | null = null;

    get figure() {
      return this.#figure;
    }
    get data(): unknown {
      return this.#data;
    }
    set data(value: unknown) {
      this.#data = value;
      this.#render();
    }
    get options(): Record<string, unknown> {
      return this.#options;
    }
    set options(value: Record<string, unknown>) {
      this.#options = {...value};
      this.#render();
    }
    connectedCallback(): void {
      this.#render();
    }
    disconnectedCallback(): void {
      this.#figure?.destroy();
      this.#figure = null;
      this.#menu = null;
      this.replaceChildren();
    }
    attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
      if (value === null) {
        if (name !== "export") delete this.#options[name];
      } else if (name === "data" || name === "options") {
        // Bad JSON keeps what was there and says so in the element (nothing is lost, nothing thrown
        // from inside the browser's attribute callback).
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch (error) {
          this.#notice(
            `${tag}: the ${name} attribute is not valid JSON (${(error as Error).message}); kept the previous ${name}`
          );
          return;
        }
        this.#notice(null);
        if (name === "data") this.#data = parsed;
        else this.#options = {...this.#options, ...(parsed as object)};
      } else if (name in parsers) {
        this.#options[name] = parsers[name](value);
      }
      this.#render();
    }
    #notice(message: string | null): void {
      let notice = this.querySelector(":scope > .losslab-widget-notice");
      if (message === null) {
        notice?.remove();
        return;
      }
      if (!notice) {
        notice = this.ownerDocument.createElement("p");
        notice.className = "losslab-widget-notice";
        notice.setAttribute("role", "alert");
        this.prepend(notice);
      }
      notice.textContent = message;
    }
    #render(): void {
      if (!this.isConnected) return;
      const options = {...this.#options, document: this.ownerDocument};
      if (!this.#figure) {
        this.#figure = Component(this.#data, options);
        this.append(this.#figure);
      } else this.#figure.update(this.#data, options);
      const wantsMenu = this.hasAttribute("export") && isExportable(this.#figure);
      if (wantsMenu && !this.#menu) {
        const name = (this.#options.title as string | undefined) ?? tag.replace(/^losslab-/, "");
        this.#menu = ExportMenu(this.#figure as unknown as Exportable, {name, document: this.ownerDocument});
        this.append(this.#menu);
      } else if (!wantsMenu && this.#menu) {
        this.#menu.remove();
        this.#menu = null;
      }
    }
  }
  registry.define(tag, Element);
}

function isExportable(figure: unknown): figure is Exportable {
  return typeof (figure as Exportable)?.toSVG === "function" && typeof (figure as Exportable)?.toRows === "function";
}
