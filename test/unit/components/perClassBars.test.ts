// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {PerClassBars} from "../../../components/perClassBars.js";
import type {PerClassArm, PerClassBarsData} from "../../../components/perClassBars.js";
import {perClass} from "../../../src/metrics/classification.js";

// Six samples of three classes: class 2 is never predicted, so its precision is undefined (NaN).
const labels = [0, 0, 1, 1, 2, 2];
const baseline: PerClassArm = {
  key: "ce",
  label: "cross-entropy",
  role: "baseline",
  ...perClass([0, 1, 1, 1, 0, 1], labels, 3)
};
const method: PerClassArm = {key: "focal", label: "focal", role: "method", ...perClass([0, 0, 1, 1, 2, 1], labels, 3)};

function bar(figure: Element, metric: string, k: number, arm: string): SVGGElement {
  return figure.querySelector<SVGGElement>(
    `.panel[data-metric="${metric}"] g.bar[data-class="${k}"][data-arm="${arm}"]`
  )!;
}

function width(g: Element): number {
  return Number(g.querySelector("rect")!.getAttribute("width"));
}

describe("PerClassBars", () => {
  test("PerClassBars draws one panel per metric and one bar per class, headed and labelled", () => {
    const figure = PerClassBars({arms: [baseline]}, {document});
    expect([...figure.querySelectorAll(".panel")].map((p) => p.getAttribute("data-metric"))).toEqual([
      "precision",
      "recall",
      "f1",
      "support"
    ]);
    expect([...figure.querySelectorAll(".panel .header")].map((t) => t.textContent)).toEqual([
      "precision",
      "recall",
      "F1",
      "support (samples)"
    ]);
    expect(figure.querySelectorAll("g.bar")).toHaveLength(12);
    expect([...figure.querySelectorAll(".row-labels text")].map((t) => t.textContent)).toEqual([
      "class 0",
      "class 1",
      "class 2"
    ]);
  });

  test("PerClassBars bar lengths are proportional to the metric on a 0–1 axis", () => {
    const figure = PerClassBars({arms: [baseline]}, {document});
    // Recall: class 0 1/2, class 1 2/2, class 2 0/2.
    const half = width(bar(figure, "recall", 0, "ce"));
    expect(half).toBeGreaterThan(0);
    expect(width(bar(figure, "recall", 1, "ce"))).toBeCloseTo(2 * half, 1);
    expect(width(bar(figure, "recall", 2, "ce"))).toBe(0);
    expect(bar(figure, "recall", 0, "ce").querySelector("text")!.textContent).toBe("0.50");
    expect(bar(figure, "support", 1, "ce").querySelector("text")!.textContent).toBe("2");
  });

  test("PerClassBars shows an undefined metric as – and says why on hover", () => {
    const figure = PerClassBars({arms: [baseline]}, {document});
    const g = bar(figure, "precision", 2, "ce");
    expect(width(g)).toBe(0);
    expect(g.querySelector("text")!.textContent).toBe("–");
    expect(g.querySelector("title")!.textContent).toBe(
      "class 2: precision – (undefined: the class is never predicted)"
    );
  });

  test("PerClassBars colours one model's bars by class and twin arms by role, with a legend", () => {
    const single = PerClassBars({arms: [baseline]}, {document});
    expect([0, 1, 2].map((k) => bar(single, "f1", k, "ce").querySelector("rect")!.getAttribute("fill"))).toEqual([
      "#0072B2",
      "#E69F00",
      "#009E73"
    ]);
    expect(single.querySelectorAll(".legend .item")).toHaveLength(0);
    const twin = PerClassBars({arms: [baseline, method], classNames: ["cat", "dog", "frog"]}, {document});
    expect(bar(twin, "f1", 0, "ce").querySelector("rect")!.getAttribute("fill")).toBe("#60758F");
    expect(bar(twin, "f1", 0, "focal").querySelector("rect")!.getAttribute("fill")).toBe("#E69F00");
    expect([...twin.querySelectorAll(".legend .item")].map((g) => g.textContent)).toEqual(["cross-entropy", "focal"]);
    // Side by side: the second arm's bar sits below the first within the class row.
    const y = (g: Element) => Number(g.querySelector("rect")!.getAttribute("y"));
    expect(y(bar(twin, "f1", 0, "focal"))).toBeGreaterThan(y(bar(twin, "f1", 0, "ce")));
    expect(y(bar(twin, "f1", 1, "ce"))).toBeGreaterThan(y(bar(twin, "f1", 0, "focal")));
    expect(bar(twin, "f1", 1, "focal").querySelector("title")!.textContent).toBe("dog, focal: F1 0.80");
  });

  test("PerClassBars.update() keeps each bar's node and drops the panels of metrics no longer shown", () => {
    const data: PerClassBarsData = {arms: [baseline, method]};
    const figure = PerClassBars(data, {document});
    const kept = bar(figure, "recall", 1, "focal");
    const panel = figure.querySelector('.panel[data-metric="recall"]');
    const next = {arms: [{...baseline}, {...method, recall: [1, 0.25, 1]}]};
    expect(figure.update(next, {metrics: ["recall", "f1"]})).toBe(figure);
    expect(bar(figure, "recall", 1, "focal")).toBe(kept);
    expect(figure.querySelector('.panel[data-metric="recall"]')).toBe(panel);
    expect(figure.querySelectorAll(".panel")).toHaveLength(2);
    expect(kept.querySelector("text")!.textContent).toBe("0.25");
  });

  test("PerClassBars.toRows() gives one row per bar (arm, class, metric, value), NaN as null", () => {
    const figure = PerClassBars({arms: [baseline, method]}, {document, metrics: ["precision", "support"]});
    const rows = figure.toRows();
    expect(rows).toHaveLength(2 * 3 * 2);
    expect(rows[0]).toEqual({arm: "cross-entropy", class: 0, className: "class 0", metric: "precision", value: 0.5});
    expect(rows.find((r) => r.arm === "cross-entropy" && r.class === 2 && r.metric === "precision")!.value).toBeNull();
    expect(rows.filter((r) => r.metric === "support").map((r) => r.value)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  test("PerClassBars(null) draws no bars, says so, and accepts data later", () => {
    const figure = PerClassBars(null, {document});
    expect(figure.querySelectorAll("g.bar")).toHaveLength(0);
    expect(figure.querySelector("desc")!.textContent).toContain("no data yet");
    expect(figure.toRows()).toEqual([]);
    figure.update({arms: [method]});
    expect(figure.querySelectorAll("g.bar")).toHaveLength(12);
    expect(figure.querySelector("desc")!.textContent).toContain("lowest F1 class 2 (0.67)");
  });

  test("PerClassBars.toSVG() is standalone SVG markup that parses", () => {
    const markup = PerClassBars({arms: [baseline, method]}, {document}).toSVG();
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.querySelectorAll("g.bar")).toHaveLength(24);
  });

  test("PerClassBars.destroy() makes update() a no-op", () => {
    const figure = PerClassBars({arms: [baseline]}, {document});
    figure.destroy();
    figure.update(null);
    expect(figure.querySelectorAll("g.bar")).toHaveLength(12);
  });
});
