// @vitest-environment jsdom
import {describe, expect, test, vi} from "vitest";
import {LossCurve} from "../../../components/lossCurve.js";
import {csvFormat, fileSlug, svgMarkup} from "../../../components/internal/export.js";
import {defineElement, toAnywidget, widgets} from "../../../components/widgets/index.js";
import type {LossLabElement, WidgetComponent} from "../../../components/widgets/index.js";

const series = [{key: "ce", label: "cross-entropy", role: "baseline", x: [0, 10, 20], y: [1, 0.6, 0.4]}];

/** A component that records its calls, for checking what an adapter does with it. */
function spyComponent() {
  const calls = {created: 0, updates: [] as unknown[], destroyed: 0};
  const Component: WidgetComponent = (data) => {
    calls.created++;
    const el = document.createElement("div") as any;
    el.textContent = JSON.stringify(data);
    el.update = (next: unknown) => {
      calls.updates.push(next);
      el.textContent = JSON.stringify(next);
      return el;
    };
    el.destroy = () => calls.destroyed++;
    el.toSVG = () => "<svg/>";
    el.toRows = () => [{a: 1}];
    return el;
  };
  return {Component, calls};
}

let tagCount = 0;
const freshTag = () => `losslab-test-${++tagCount}`;

describe("custom elements", () => {
  test("data from a JSON attribute renders once; setting .data updates the same figure; removal destroys it", () => {
    const {Component, calls} = spyComponent();
    const tag = freshTag();
    defineElement(tag, Component, {}, window);
    const el = document.createElement(tag) as LossLabElement;
    el.setAttribute("data", '{"n": 1}');
    document.body.append(el);
    expect(calls.created).toBe(1);
    const figure = el.figure;
    expect(figure?.textContent).toBe('{"n":1}');
    el.data = {n: 2};
    expect(el.figure).toBe(figure);
    expect(calls.updates.at(-1)).toEqual({n: 2});
    el.remove();
    expect(calls.destroyed).toBe(1);
    expect(el.figure).toBeNull();
  });
  test("declared attributes become options, numbers parsed", () => {
    const seen: unknown[] = [];
    const tag = freshTag();
    defineElement(
      tag,
      (data, options) => {
        seen.push(options?.width);
        const el = document.createElement("div") as any;
        el.update = (_: unknown, o: {width?: number}) => (seen.push(o?.width), el);
        el.destroy = () => {};
        return el;
      },
      {},
      window
    );
    const el = document.createElement(tag);
    el.setAttribute("width", "480");
    document.body.append(el);
    el.setAttribute("width", "300");
    expect(seen).toEqual([480, 300]);
    el.remove();
  });
  test("the export attribute adds an SVG / PNG / CSV menu of buttons", () => {
    const {Component} = spyComponent();
    const tag = freshTag();
    defineElement(tag, Component, {}, window);
    const el = document.createElement(tag);
    el.setAttribute("export", "");
    document.body.append(el);
    expect([...el.querySelectorAll(".losslab-export button")].map((b) => b.textContent)).toEqual(["SVG", "PNG", "CSV"]);
    el.removeAttribute("export");
    expect(el.querySelector(".losslab-export")).toBeNull();
    el.remove();
  });
  test("invalid JSON in the data attribute keeps the previous data and says why in the element", () => {
    const {Component, calls} = spyComponent();
    const tag = freshTag();
    defineElement(tag, Component, {}, window);
    const el = document.createElement(tag) as LossLabElement;
    el.setAttribute("data", '{"n": 1}');
    document.body.append(el);
    el.setAttribute("data", "{oops");
    expect(el.data).toEqual({n: 1});
    expect(calls.updates).toEqual([]);
    const notice = el.querySelector(".losslab-widget-notice");
    expect(notice?.getAttribute("role")).toBe("alert");
    expect(notice?.textContent).toMatch(
      new RegExp(`^${tag}: the data attribute is not valid JSON .*kept the previous data`)
    );
    el.setAttribute("data", '{"n": 2}');
    expect(el.querySelector(".losslab-widget-notice")).toBeNull();
    expect(el.data).toEqual({n: 2});
    el.remove();
  });
  test("a real component works as an element: losslab-loss-curve draws its series", () => {
    defineElement("losslab-loss-curve", widgets["losslab-loss-curve"], {}, window);
    const el = document.createElement("losslab-loss-curve") as LossLabElement;
    document.body.append(el);
    el.data = series;
    expect(el.querySelectorAll("svg path.line, svg .lines path").length).toBeGreaterThan(0);
    el.remove();
  });
});

describe("anywidget adapter", () => {
  test("render() builds from the model, follows its changes and cleans up", () => {
    const {Component, calls} = spyComponent();
    const listeners = new Map<string, Set<() => void>>();
    const state: Record<string, unknown> = {data: {n: 1}, options: {width: 200}};
    const model = {
      get: (name: "data" | "options") => state[name],
      on: (event: string, f: () => void) => listeners.set(event, (listeners.get(event) ?? new Set()).add(f)),
      off: (event: string, f: () => void) => listeners.get(event)?.delete(f)
    };
    const el = document.createElement("div");
    const cleanup = toAnywidget(Component).render({model, el});
    expect(el.textContent).toBe('{"n":1}');
    state.data = {n: 5};
    for (const f of listeners.get("change:data") ?? []) f();
    expect(calls.updates.at(-1)).toEqual({n: 5});
    cleanup();
    expect(calls.destroyed).toBe(1);
    expect(el.childElementCount).toBe(0);
    expect([...listeners.values()].every((set) => set.size === 0)).toBe(true);
  });
});

describe("export helpers", () => {
  test("csvFormat quotes commas, quotes and newlines and leaves missing and non-finite cells empty", () => {
    expect(
      csvFormat([
        {a: 1, b: 'say "hi", twice'},
        {a: NaN, c: "x\ny"}
      ])
    ).toBe('a,b,c\r\n1,"say ""hi"", twice",\r\n,,"x\ny"\r\n');
  });
  test("fileSlug makes file-name-safe names", () => {
    expect(fileSlug("Reliability diagram: CE (τ = 1)")).toBe("reliability-diagram-ce-1");
    expect(fileSlug("***")).toBe("figure");
  });
  test("svgMarkup is standalone SVG that parses on its own", () => {
    const curve = LossCurve(series, {document, width: 320});
    const markup = svgMarkup(curve);
    expect(markup).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(curve.toSVG()).toBe(markup);
    expect(curve.toRows()).toEqual([
      {series: "cross-entropy", role: "baseline", step: 0, value: 1},
      {series: "cross-entropy", role: "baseline", step: 10, value: 0.6},
      {series: "cross-entropy", role: "baseline", step: 20, value: 0.4}
    ]);
    curve.destroy();
  });
  test("LossCurve(null) is an empty chart", () => {
    const curve = LossCurve(null, {document});
    expect(curve.toRows()).toEqual([]);
    curve.destroy();
  });
});
