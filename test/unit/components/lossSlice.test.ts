// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {LossSlice, sliceValueAt} from "../../../components/lossSlice.js";
import type {SliceCurve, SliceData} from "../../../components/lossSlice.js";
import type {LineSlice} from "../../../src/landscape/index.js";

/** α = −0.5, −0.25 … 1.5 (9 points); L = 0.5 + (α − 0.5)² · scale. */
function curve(key: string, role: string, scale = 1): SliceCurve {
  const alpha = Float64Array.from({length: 9}, (_, i) => -0.5 + i / 4);
  return {key, label: key, role, alpha, values: Float32Array.from(alpha, (a) => 0.5 + scale * (a - 0.5) ** 2)};
}

function twin(): SliceData {
  return {
    curves: [curve("cross-entropy", "baseline"), curve("label smoothing", "method", 2)],
    endpoints: ["initial", "current"]
  };
}

function key(target: Element, name: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new window.KeyboardEvent("keydown", {key: name, bubbles: true, cancelable: true, ...init});
  target.dispatchEvent(event);
  return event;
}

function readout(plot: Element): string | null {
  const g = plot.querySelector(".readout")!;
  if (g.getAttribute("display") === "none") return null;
  return [
    g.querySelector(".step")!.textContent,
    ...[...g.querySelectorAll(".row text")].map((t) => t.textContent)
  ].join(" | ");
}

// Compile-time check that the engine's 1-D result, with a label, is a curve.
export function fromEngine(slice: LineSlice): SliceCurve {
  return {...slice, label: "cross-entropy", role: "baseline"};
}

describe("sliceValueAt", () => {
  test("sliceValueAt is exact on samples, linear between them and NaN outside the sampled range", () => {
    const c = curve("c", "baseline");
    expect(sliceValueAt(c, 0.5)).toBeCloseTo(0.5, 6);
    expect(sliceValueAt(c, 1.5)).toBeCloseTo(1.5, 6);
    // Between α = 0 (0.75) and α = 0.25 (0.5625).
    expect(sliceValueAt(c, 0.125)).toBeCloseTo((0.75 + 0.5625) / 2, 6);
    expect(sliceValueAt(c, 2)).toBeNaN();
    expect(sliceValueAt({label: "empty", alpha: [], values: []}, 0)).toBeNaN();
  });
});

describe("LossSlice", () => {
  test("dashed rules mark α = 0 and α = 1 with the endpoints' labels, and every curve has a dot at both", () => {
    const plot = LossSlice(twin(), {document});
    const labels = [...plot.querySelectorAll(".endpoints text")].map((t) => t.textContent);
    expect(labels).toEqual(["initial (α = 0)", "current (α = 1)"]);
    const dots = [...plot.querySelectorAll(".end-dots path")];
    expect(dots).toHaveLength(4);
    expect(dots.map((d) => d.querySelector("title")!.textContent)).toEqual([
      "cross-entropy at initial: 0.75",
      "cross-entropy at current: 0.75",
      "label smoothing at initial: 1",
      "label smoothing at current: 1"
    ]);
    // α = 0 is a circle and α = 1 a square, both on the rules' x.
    const ruleX = [...plot.querySelectorAll(".endpoints g.endpoint")].map((g) =>
      Number(/translate\(([\d.]+),/.exec(g.getAttribute("transform")!)![1])
    );
    expect(dots[0].getAttribute("d")).toMatch(new RegExp(`^M${ruleX[0] - 4},`));
    expect(dots[1].getAttribute("d")).toMatch(new RegExp(`^M${ruleX[1] - 3.5},`));
    expect(dots[1].getAttribute("d")).toMatch(/h7v7h-7Z$/);
  });

  test("without endpoint names the rules say just α = 0 and α = 1", () => {
    const plot = LossSlice({curves: [curve("c", "baseline")]}, {document});
    expect([...plot.querySelectorAll(".endpoints text")].map((t) => t.textContent)).toEqual(["α = 0", "α = 1"]);
  });

  test("twin curves take their arms' colours, in the lines, the dots and the legend", () => {
    const plot = LossSlice(twin(), {document});
    expect([...plot.querySelectorAll(".lines path")].map((p) => p.getAttribute("stroke"))).toEqual([
      "#60758F",
      "#E69F00"
    ]);
    expect([...plot.querySelectorAll(".legend line")].map((p) => p.getAttribute("stroke"))).toEqual([
      "#60758F",
      "#E69F00"
    ]);
    expect(plot.querySelector(".end-dots path:last-child")!.getAttribute("fill")).toBe("#E69F00");
  });

  test("scale 'log' says so on the axis and leaves gaps at non-positive values", () => {
    const c = curve("c", "baseline");
    (c.values as Float32Array)[4] = 0;
    const plot = LossSlice({curves: [c]}, {document, scale: "log"});
    expect(plot.querySelector(".losslab-axis-y .label")!.textContent).toBe("loss (log scale)");
    expect(plot.querySelector(".lines path")!.getAttribute("d")!.match(/M/g)).toHaveLength(2);
    expect(plot.querySelector("desc")!.textContent).toContain("on a log scale");
    // On a linear scale the zero is drawn.
    plot.update({curves: [c]}, {scale: "linear"});
    expect(plot.querySelector(".lines path")!.getAttribute("d")!.match(/M/g)).toHaveLength(1);
  });

  test("the x axis covers both endpoints even when the slice does not", () => {
    const plot = LossSlice({curves: [{label: "short", alpha: [0.2, 0.4, 0.6], values: [1, 2, 3]}]}, {document});
    const ticks = [...plot.querySelectorAll(".losslab-axis-x .tick text")].map((t) => t.textContent);
    expect(Number(ticks[0])).toBe(0);
    expect(Number(ticks[ticks.length - 1])).toBe(1);
    // Ends the curve does not reach get no dots.
    expect(plot.querySelectorAll(".end-dots path")).toHaveLength(0);
  });

  test("update() keeps the nodes of curves, dots, rules and axes", () => {
    const plot = LossSlice(twin(), {document});
    const selector = ".lines path, .end-dots path, .endpoints g, .legend g.item, .losslab-axis-x .tick, .readout";
    const before = [...plot.querySelectorAll(selector)];
    const d = plot.querySelector(".lines path")!.getAttribute("d");
    const next = twin();
    next.curves[0] = curve("cross-entropy", "baseline", 0.5);
    expect(plot.update(next)).toBe(plot);
    const after = [...plot.querySelectorAll(selector)];
    expect(after).toHaveLength(before.length);
    after.forEach((node, k) => expect(node).toBe(before[k]));
    expect(plot.querySelector(".lines path")!.getAttribute("d")).not.toBe(d);
  });

  test("keyboard: focus reads α = 1, arrows step through the samples (Shift: five), Home/End, 0 and 1 jump", () => {
    const plot = LossSlice(twin(), {document});
    const target = plot.querySelector(".plot")!;
    expect(target.getAttribute("tabindex")).toBe("0");
    expect(readout(plot)).toBeNull();
    target.dispatchEvent(new window.FocusEvent("focus"));
    expect(readout(plot)).toBe("α 1 (current) | cross-entropy 0.75 | label smoothing 1");
    expect(key(target, "ArrowLeft").defaultPrevented).toBe(true);
    expect(readout(plot)).toBe("α 0.75 | cross-entropy 0.5625 | label smoothing 0.625");
    key(target, "ArrowLeft", {shiftKey: true});
    expect(readout(plot)).toBe("α −0.5 | cross-entropy 1.5 | label smoothing 2.5");
    key(target, "End");
    expect(readout(plot)).toBe("α 1.5 | cross-entropy 1.5 | label smoothing 2.5");
    key(target, "0");
    expect(readout(plot)).toBe("α 0 (initial) | cross-entropy 0.75 | label smoothing 1");
    key(target, "Home");
    key(target, "ArrowLeft");
    expect(readout(plot)).toMatch(/^α −0.5 /);
    key(target, "1");
    expect(readout(plot)).toMatch(/^α 1 \(current\)/);
    key(target, "Escape");
    expect(readout(plot)).toBeNull();
    expect(key(target, "q").defaultPrevented).toBe(false);
    target.dispatchEvent(new window.FocusEvent("blur"));
    expect(readout(plot)).toBeNull();
    expect(plot.querySelector(".readout")!.getAttribute("aria-live")).toBe("polite");
  });

  test("the description names the endpoints and gives each curve's loss at both ends and its lowest", () => {
    const desc = LossSlice(twin(), {document}).querySelector("desc")!.textContent!;
    expect(desc).toContain("from initial (α = 0) to current (α = 1), α from −0.5 to 1.5");
    expect(desc).toContain("cross-entropy: 0.75 at α = 0, 0.75 at α = 1, lowest 0.5");
    expect(desc).toContain("label smoothing: 1 at α = 0, 1 at α = 1, lowest 0.5");
  });

  test("toRows gives one row per sample (curve, role, alpha, loss)", () => {
    const rows = LossSlice(twin(), {document}).toRows();
    expect(rows).toHaveLength(18);
    expect(rows[0]).toEqual({curve: "cross-entropy", role: "baseline", alpha: -0.5, loss: 1.5});
    expect(rows[14]).toEqual({curve: "label smoothing", role: "method", alpha: 0.75, loss: 0.625});
  });

  test("toSVG is standalone markup that parses as SVG", () => {
    const markup = LossSlice(twin(), {document}).toSVG();
    const parsed = new window.DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.getAttribute("xmlns")).toBe("http://www.w3.org/2000/svg");
    expect(parsed.querySelectorAll(".lines path")).toHaveLength(2);
  });

  test("null data: axes and rules only, no rows, no read-out; update fills it", () => {
    const plot = LossSlice(null, {document});
    expect(plot.querySelectorAll(".lines path")).toHaveLength(0);
    expect(plot.querySelectorAll(".endpoints g")).toHaveLength(2);
    expect(plot.querySelector("desc")!.textContent).toMatch(/no slice yet/);
    expect(plot.toRows()).toEqual([]);
    const target = plot.querySelector(".plot")!;
    target.dispatchEvent(new window.FocusEvent("focus"));
    expect(key(target, "ArrowLeft").defaultPrevented).toBe(false);
    expect(readout(plot)).toBeNull();
    plot.update(twin());
    expect(plot.querySelectorAll(".lines path")).toHaveLength(2);
  });

  test("destroy() releases the listeners and the tab stop; later updates do nothing", () => {
    const plot = LossSlice(twin(), {document});
    const target = plot.querySelector(".plot")!;
    plot.destroy();
    expect(target.getAttribute("tabindex")).toBeNull();
    target.dispatchEvent(new window.FocusEvent("focus"));
    expect(key(target, "ArrowLeft").defaultPrevented).toBe(false);
    expect(readout(plot)).toBeNull();
    plot.update(null);
    expect(plot.querySelectorAll(".lines path")).toHaveLength(2);
  });
});
