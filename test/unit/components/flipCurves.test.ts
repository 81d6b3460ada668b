// @vitest-environment jsdom
import {afterEach, describe, expect, test} from "vitest";
import {FlipCurves, flipCurveMetrics} from "../../../components/flipCurves.js";
import type {FlipCurveArm, FlipCurvesElement} from "../../../components/flipCurves.js";
import {baselineColor, methodColor} from "../../../components/internal/palette.js";
import {flipHistory, recordFlips} from "../../../src/metrics/flipMasks.js";

// Two arms over steps 0, 10, …: NFR falling from 20 % (baseline) or 10 % (method), PFR rising.
function arms(points: number): FlipCurveArm[] {
  const make = (name: string, role: string, start: number): FlipCurveArm => {
    const step = Array.from({length: points}, (_, i) => i * 10);
    return {
      name,
      role,
      step,
      negativeFlipRate: step.map((_, i) => start / (1 + i)),
      negativeFlipImpact: step.map((_, i) => 0.5 - 0.01 * i),
      relativeNegativeFlipRate: step.map((_, i) => 1.2 - 0.05 * i),
      positiveFlipRate: step.map((_, i) => 0.01 * i)
    };
  };
  return [make("cross-entropy", "baseline", 0.2), make("PCT", "method", 0.1)];
}

const mounted: FlipCurvesElement[] = [];
function mount(element: FlipCurvesElement): FlipCurvesElement {
  document.body.append(element);
  mounted.push(element);
  return element;
}
afterEach(() => {
  for (const m of mounted.splice(0)) {
    m.destroy();
    m.remove();
  }
});

const panels = (c: Element) => [...c.querySelectorAll<SVGGElement>("g.panel")];
const paths = (c: Element) => [...c.querySelectorAll<SVGPathElement>("g.lines path")];
const overlay = (c: Element) => c.querySelector<SVGRectElement>("rect.overlay")!;
const key = (target: Element, k: string) =>
  target.dispatchEvent(new KeyboardEvent("keydown", {key: k, bubbles: true, cancelable: true}));

describe("FlipCurves rendering", () => {
  test("FlipCurves(arms) draws NFR, NFI and PFR panels with one line per arm in its arm colour", () => {
    const c = FlipCurves(arms(5), {document});
    expect(panels(c).map((p) => p.getAttribute("data-metric"))).toEqual([
      "negativeFlipRate",
      "negativeFlipImpact",
      "positiveFlipRate"
    ]);
    const nfr = [...panels(c)[0].querySelectorAll("g.lines path")];
    expect(nfr.map((p) => p.getAttribute("stroke"))).toEqual([baselineColor, methodColor]);
    expect(nfr.map((p) => p.getAttribute("data-key"))).toEqual(["cross-entropy", "PCT"]);
    expect(nfr[0].getAttribute("d")!.match(/[ML]/g)).toHaveLength(5);
  });
  test("the legend names each arm by its name", () => {
    const c = FlipCurves(arms(3), {document});
    expect([...c.querySelectorAll("g.legend text")].map((t) => t.textContent)).toEqual(["cross-entropy", "PCT"]);
  });
  test("rates are on percent axes starting at 0; relative NFR is a ratio with a reference line at 1", () => {
    const c = FlipCurves(arms(5), {document, metrics: ["negativeFlipRate", "relativeNegativeFlipRate"]});
    const [nfr, rnfr] = panels(c);
    const ticks = (p: Element) => [...p.querySelectorAll("g.tick text")].map((t) => t.textContent!);
    expect(ticks(nfr)[0]).toBe("0%");
    expect(ticks(nfr).every((t) => t.endsWith("%"))).toBe(true);
    expect(ticks(rnfr).some((t) => t.endsWith("%"))).toBe(false);
    expect(ticks(rnfr)).toContain("1");
    expect(nfr.querySelector("g.reference")!.getAttribute("display")).toBe("none");
    const reference = rnfr.querySelector("g.reference")!;
    expect(reference.getAttribute("display")).toBeNull();
    expect(reference.querySelector("text")!.textContent).toBe("independent errors");
    // The reference line sits on the tick labelled 1.
    const one = [...rnfr.querySelectorAll("g.tick")].find((t) => t.querySelector("text")!.textContent === "1")!;
    expect(one.getAttribute("transform")).toBe(`translate(0,${reference.querySelector("line")!.getAttribute("y1")})`);
  });
  test("flipCurveMetrics picks relative NFR when no arm has NFI, and drops metrics without data", () => {
    const [a] = arms(3);
    const {negativeFlipImpact: _nfi, positiveFlipRate: _pfr, ...rest} = a;
    expect(flipCurveMetrics([rest])).toEqual(["negativeFlipRate", "relativeNegativeFlipRate"]);
    expect(flipCurveMetrics([a])).toEqual(["negativeFlipRate", "negativeFlipImpact", "positiveFlipRate"]);
    expect(flipCurveMetrics([a], ["positiveFlipRate"])).toEqual(["positiveFlipRate"]);
    expect(flipCurveMetrics([])).toEqual(["negativeFlipRate"]);
  });
  test("non-finite values leave gaps in the line", () => {
    const [a] = arms(5);
    const c = FlipCurves([{...a, negativeFlipRate: [0.1, 0.2, NaN, 0.1, 0.05]}], {document});
    expect(paths(c)[0].getAttribute("d")!.match(/M/g)).toHaveLength(2);
  });
  test("a FlipHistory from recordFlips spreads into an arm", () => {
    const history = flipHistory();
    recordFlips(history, 0, [0, 1, 2], [0, 2, 2], [0, 1, 2]);
    recordFlips(history, 10, [0, 1, 2], [0, 1, 2], [0, 1, 2]);
    const c = FlipCurves([{name: "CE", role: "baseline", ...history}], {document});
    expect(c.toRows().filter((r) => r.metric === "negativeFlipRate")).toEqual([
      {step: 0, arm: "CE", metric: "negativeFlipRate", value: 1 / 3},
      {step: 10, arm: "CE", metric: "negativeFlipRate", value: 0}
    ]);
  });
  test("the description names the metrics, the arms and the latest values", () => {
    const c = FlipCurves(arms(3), {document});
    const desc = c.querySelector("desc")!.textContent!;
    expect(desc).toContain("negative flip rate (NFR), negative flip impact (NFI) and positive flip rate (PFR)");
    expect(desc).toContain("2 arms (cross-entropy, PCT)");
    expect(desc).toContain("At step 20: cross-entropy: NFR 6.67%, NFI 48%, PFR 2%; PCT: NFR 3.33%");
  });
  test("FlipCurves(null) draws one empty panel and says there is no data", () => {
    const c = FlipCurves(null, {document});
    expect(panels(c)).toHaveLength(1);
    expect(paths(c)).toHaveLength(0);
    expect(c.querySelector("text.empty")!.textContent).toBe("No flip statistics yet.");
    expect(c.toRows()).toEqual([]);
    expect(c.step).toBeNull();
  });
  test("FlipCurves's root is a figure named by its title and description", () => {
    const c = FlipCurves(arms(2), {document, title: "Flips while PCT trains"});
    expect(c.getAttribute("role")).toBe("figure");
    const [titleId] = c.getAttribute("aria-labelledby")!.split(" ");
    expect(c.querySelector(`#${titleId}`)!.textContent).toBe("Flips while PCT trains");
  });
});

describe("FlipCurves update", () => {
  test("update(arms) appends in place: the same panels, paths and legend items, longer lines", () => {
    const c = FlipCurves(arms(3), {document});
    const beforePanels = panels(c);
    const beforePaths = paths(c);
    const beforeLegend = [...c.querySelectorAll("g.legend g.item")];
    const beforeD = beforePaths[0].getAttribute("d")!;
    c.update(arms(8));
    panels(c).forEach((p, i) => expect(p).toBe(beforePanels[i]));
    paths(c).forEach((p, i) => expect(p).toBe(beforePaths[i]));
    [...c.querySelectorAll("g.legend g.item")].forEach((g, i) => expect(g).toBe(beforeLegend[i]));
    expect(paths(c)[0].getAttribute("d")!.match(/[ML]/g)).toHaveLength(8);
    expect(paths(c)[0].getAttribute("d")).not.toBe(beforeD);
    expect(c.querySelector("desc")!.textContent).toContain("At step 70");
  });
  test("update from no data to data hides the empty message", () => {
    const c = FlipCurves(null, {document});
    c.update(arms(3));
    expect(c.querySelector("text.empty")!.getAttribute("display")).toBe("none");
    expect(paths(c).length).toBe(6);
  });
  test("update(arms, {metrics}) replaces panels by metric and keeps the panels that stay", () => {
    const c = FlipCurves(arms(3), {document});
    const nfr = panels(c)[0];
    c.update(arms(3), {metrics: ["negativeFlipRate", "relativeNegativeFlipRate"]});
    expect(panels(c).map((p) => p.getAttribute("data-metric"))).toEqual([
      "negativeFlipRate",
      "relativeNegativeFlipRate"
    ]);
    expect(panels(c)[0]).toBe(nfr);
  });
  test("update after destroy() does nothing", () => {
    const c = FlipCurves(arms(3), {document});
    c.destroy();
    c.update(arms(8));
    expect(paths(c)[0].getAttribute("d")!.match(/[ML]/g)).toHaveLength(3);
  });
});

describe("FlipCurves read-out", () => {
  test("the plot is one keyboard stop: focus shows the latest step, arrows move, Home and End jump, Escape hides", () => {
    const c = mount(FlipCurves(arms(5), {document}));
    const o = overlay(c);
    expect(o.getAttribute("tabindex")).toBe("0");
    expect(o.getAttribute("role")).toBe("slider");
    o.focus();
    expect(c.step).toBe(40);
    expect(c.querySelector("g.readout")!.getAttribute("display")).toBeNull();
    key(o, "ArrowLeft");
    expect(c.step).toBe(30);
    key(o, "Home");
    expect(c.step).toBe(0);
    key(o, "ArrowLeft");
    expect(c.step).toBe(0);
    key(o, "End");
    expect(c.step).toBe(40);
    key(o, "ArrowRight");
    expect(c.step).toBe(40);
    key(o, "Escape");
    expect(c.step).toBeNull();
    expect(c.querySelector("g.readout")!.getAttribute("display")).toBe("none");
  });
  test("the read-out lists every arm's value of every metric at the step, and the slider speaks them", () => {
    const c = mount(FlipCurves(arms(5), {document}));
    const o = overlay(c);
    o.focus();
    key(o, "Home");
    key(o, "ArrowRight");
    const rows = [...c.querySelectorAll("g.readout g.row text")].map((t) => t.textContent);
    expect(rows).toEqual([
      "NFR · cross-entropy 10%",
      "NFR · PCT 5%",
      "NFI · cross-entropy 49%",
      "NFI · PCT 49%",
      "PFR · cross-entropy 1%",
      "PFR · PCT 1%"
    ]);
    expect(o.getAttribute("aria-valuenow")).toBe("10");
    expect(o.getAttribute("aria-valuetext")).toBe(
      "step 10: cross-entropy: NFR 10%, NFI 49%, PFR 1%; PCT: NFR 5%, NFI 49%, PFR 1%"
    );
    expect(c.querySelectorAll("g.readout circle")).toHaveLength(6);
  });
  test("blur hides the read-out", () => {
    const c = mount(FlipCurves(arms(5), {document}));
    overlay(c).focus();
    expect(c.step).toBe(40);
    overlay(c).blur();
    expect(c.step).toBeNull();
  });
  test("destroy() releases the listeners: keys no longer move the read-out", () => {
    const c = mount(FlipCurves(arms(5), {document}));
    c.destroy();
    overlay(c).focus();
    key(overlay(c), "Home");
    expect(c.step).toBeNull();
  });
});

describe("FlipCurves export", () => {
  test("toRows() gives one row per point, arm and drawn metric: step, arm, metric, value", () => {
    const c = FlipCurves(arms(4), {document, metrics: ["negativeFlipRate", "positiveFlipRate"]});
    const rows = c.toRows();
    expect(rows).toHaveLength(2 * 2 * 4);
    expect(rows[0]).toEqual({step: 0, arm: "cross-entropy", metric: "negativeFlipRate", value: 0.2});
    expect(rows[4]).toEqual({step: 0, arm: "cross-entropy", metric: "positiveFlipRate", value: 0});
    expect(rows[9]).toEqual({step: 10, arm: "PCT", metric: "negativeFlipRate", value: 0.05});
    expect(new Set(rows.map((r) => r.metric))).toEqual(new Set(["negativeFlipRate", "positiveFlipRate"]));
  });
  test("toSVG() is standalone markup that parses as SVG", () => {
    const c = FlipCurves(arms(4), {document});
    const markup = c.toSVG();
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.querySelectorAll("g.lines path")).toHaveLength(6);
  });
});
