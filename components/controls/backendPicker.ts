import {backendOrder} from "../../src/backend/order.js";
import type {BackendInfo} from "../../src/backend/select.js";

export interface BackendPickerElement extends HTMLElement {
  /** The requested backend ("auto" for the best available). */
  value: string;
  update(info: BackendInfo): BackendPickerElement;
  destroy(): void;
}

/**
 * A menu to choose the TF.js backend (auto, webgpu, webgl, wasm, cpu), kept in the URL as ?backend=…,
 * with the active backend and its adapter shown beside it, and any fallback notice. Emits "input".
 */
export function BackendPicker(initial: string | null, options: {document?: Document} = {}): BackendPickerElement {
  const document = options.document ?? globalThis.document;
  const window = document.defaultView;
  const root = document.createElement("div") as unknown as BackendPickerElement;
  root.className = "losslab-backend";
  const label = document.createElement("label");
  label.textContent = "backend ";
  const select = document.createElement("select");
  for (const name of ["auto", ...backendOrder]) {
    const o = document.createElement("option");
    o.value = name;
    o.textContent = name === "auto" ? "best available" : name;
    select.append(o);
  }
  select.value = initial && (backendOrder as readonly string[]).includes(initial) ? initial : "auto";
  label.append(select);
  const active = document.createElement("span");
  active.className = "losslab-backend-active";
  const notice = document.createElement("div");
  notice.className = "losslab-notice";
  notice.setAttribute("role", "status");
  notice.hidden = true;
  root.append(label, active, notice);

  select.addEventListener("change", () => {
    if (window) {
      const url = new URL(window.location.href);
      if (select.value === "auto") url.searchParams.delete("backend");
      else url.searchParams.set("backend", select.value);
      window.history.replaceState(window.history.state, "", url);
    }
    root.dispatchEvent(new (window?.Event ?? Event)("input", {bubbles: true}));
  });
  Object.defineProperty(root, "value", {
    get: () => select.value,
    set: (v: string) => void (select.value = v)
  });
  root.update = (info) => {
    root.dataset.backend = info.name;
    active.textContent = `active: ${info.name} (${info.adapter}${info.float32 ? "" : ", float16"})`;
    notice.hidden = !info.notice;
    notice.textContent = info.notice ?? "";
    return root;
  };
  root.destroy = () => root.replaceChildren();
  return root;
}
