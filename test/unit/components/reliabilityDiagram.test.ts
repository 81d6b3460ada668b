// @vitest-environment jsdom
import {afterEach, describe, expect, test, vi} from "vitest";
import {ReliabilityDiagram} from "../../../components/reliabilityDiagram.js";
import type {ReliabilityArm, ReliabilityDiagramElement} from "../../../components/reliabilityDiagram.js";
import {baselineColor, methodColor} from "../../../components/internal/palette.js";

/**
 * Five equal-width bins by hand: bins 0 and 3 are empty, bin 1 is over-confident (accuracy 0.25 at confidence 0.3),
 * bin 2 under-confident, bin 4 calibrated.
 */
function handArm(name = "focal", shift = 0): ReliabilityArm {
  return {
    name,
    bins: {
      edges: [0, 0.2, 0.4, 0.6, 0.8, 1],
      count: [0, 4, 10, 0, 6],
      confidence: [NaN, 0.3, 0.5, NaN, 0.9 - shift],
      accuracy: [NaN, 0.25 + shift, 0.7, NaN, 0.9],
      gap: [NaN, 0.05 - shift, -0.2, NaN, -shift]
    },
    band: {lower: [NaN, 0, 0.5, NaN, 0.7], upper: [NaN, 0.5, 0.9, NaN, 1]},
    ece: 0.11,
    eceInterval: [0.05, 0.2],
    mce: 0.2,
    brier: 0.31,
    nll: 0.72,
    optimalTemperature: 1.5
  };
}

function mount(figure: ReliabilityDiagramElement) {
  const host = document.createElement("div");
  host.append(figure);
  document.body.append(host);
  const events: Event[] = [];
  host.addEventListener("input", (e) => events.push(e));
  return {host, events};
}

const slider = (f: Element) => f.querySelector<HTMLInputElement>('input[type="range"]')!;
const radio = (f: Element, value: string) => f.querySelector<HTMLInputElement>(`input[value="${value}"]`)!;
const key = (target: Element, k: string) => {
  const event = new KeyboardEvent("keydown", {key: k, bubbles: true, cancelable: true});
  target.dispatchEvent(event);
  return event;
};

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

describe("ReliabilityDiagram", () => {
  test("ReliabilityDiagram(data) is a group of controls and an accessible SVG whose description summarises the bins", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    expect(figure.className).toBe("losslab-reliability-diagram");
    const svg = figure.querySelector("svg")!;
    expect(svg.getAttribute("role")).toBe("img");
    const [titleId, descId] = svg.getAttribute("aria-labelledby")!.split(" ");
    expect(svg.querySelector(`[id="${titleId}"]`)!.textContent).toBe("Reliability diagram");
    const desc = svg.querySelector(`[id="${descId}"]`)!.textContent!;
    expect(desc).toContain("5 equal-width bins");
    expect(desc).toContain("focal: ECE 0.110 (90% CI 0.050–0.200) · MCE 0.200 · Brier 0.310 · NLL 0.720");
    expect(desc).toContain("3 of 5 bins hold samples");
    expect(desc).toContain("largest gap in confidence 0.40–0.60, accuracy 0.700 at confidence 0.500 (under-confident)");
    figure.update({...handArm(), ece: 0.05, eceInterval: undefined});
    expect(svg.querySelector(`[id="${descId}"]`)!.textContent).toContain("focal: ECE 0.050 · MCE 0.200");
  });

  test("ReliabilityDiagram draws empty bins as absent: no bar, gap, band or histogram bar, and no NaN", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    expect([...figure.querySelectorAll(".bins g.bin")].map((g) => g.getAttribute("data-bin"))).toEqual(["1", "2", "4"]);
    expect([...figure.querySelectorAll(".histogram rect")].map((r) => r.getAttribute("data-bin"))).toEqual([
      "1",
      "2",
      "4"
    ]);
    expect(figure.outerHTML).not.toMatch(/NaN|Infinity|undefined/);
  });

  test("ReliabilityDiagram draws accuracy bars, gap bars from accuracy to confidence, and bands in plot coordinates", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0, width: 420, height: 400});
    const ticks = [...figure.querySelectorAll(".losslab-axis-y .tick")];
    expect(ticks.map((t) => t.textContent)).toEqual(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    const yOf = (tick: Element) => Number(/translate\(0,([\d.]+)\)/.exec(tick.getAttribute("transform")!)![1]);
    const y0 = yOf(ticks[0]);
    const y1 = yOf(ticks[5]);
    const y = (v: number) => y0 + (y1 - y0) * v;
    const bin = figure.querySelector('.bins g.bin[data-bin="1"]')!;
    const bar = bin.querySelector(".accuracy")!;
    const gap = bin.querySelector(".gap")!;
    expect(Number(bar.getAttribute("y"))).toBeCloseTo(y(0.25), 1);
    expect(Number(bar.getAttribute("y")) + Number(bar.getAttribute("height"))).toBeCloseTo(y0, 1);
    expect(Number(gap.getAttribute("y"))).toBeCloseTo(y(0.3), 1);
    expect(Number(gap.getAttribute("y")) + Number(gap.getAttribute("height"))).toBeCloseTo(y(0.25), 1);
    const band = bin.querySelector(".band")!.getAttribute("d")!;
    const [, , top, bottom] = /M([\d.]+),([\d.]+)V([\d.]+)/.exec(band)!.map(Number);
    expect([top, bottom]).toEqual([expect.closeTo(y(0), 1), expect.closeTo(y(0.5), 1)]);
    expect(bin.querySelector("title")!.textContent).toBe(
      "focal · confidence 0.20–0.40: 4 samples, accuracy 0.250, mean confidence 0.300, gap +0.050 (over-confident); 90% bootstrap band 0.000–0.500"
    );
  });

  test("ReliabilityDiagram.update() keeps the same nodes and redraws them", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const bars = [...figure.querySelectorAll(".bins rect, .bins path, .histogram rect")];
    const controls = [...figure.querySelectorAll("input, button")];
    const readout = figure.querySelector(".readout .arm");
    const before = bars.map((b) => b.getAttribute("y") ?? b.getAttribute("d"));
    expect(figure.update(handArm("focal", 0.05), {width: 500})).toBe(figure);
    expect([...figure.querySelectorAll(".bins rect, .bins path, .histogram rect")]).toEqual(bars);
    expect([...figure.querySelectorAll("input, button")]).toEqual(controls);
    expect(figure.querySelector(".readout .arm")).toBe(readout);
    expect(bars.map((b) => b.getAttribute("y") ?? b.getAttribute("d"))).not.toEqual(before);
    expect(figure.querySelector("svg")!.getAttribute("width")).toBe("500");
  });

  test("ReliabilityDiagram of twin arms names each arm by its loss and colours baseline and method", () => {
    const figure = ReliabilityDiagram(
      [
        {...handArm("cross-entropy"), role: "baseline"},
        {...handArm("focal", 0.05), role: "method", optimalTemperature: 0.8}
      ],
      {document, duration: 0}
    );
    const rows = [...figure.querySelectorAll(".readout .arms g.arm")];
    expect(rows.map((g) => g.getAttribute("data-arm"))).toEqual(["cross-entropy", "focal"]);
    expect(rows.map((g) => g.querySelector("rect")!.getAttribute("fill"))).toEqual([baselineColor, methodColor]);
    expect(rows[0].textContent).toContain("cross-entropy: ECE 0.110");
    // Side by side: within a bin, the baseline's bar lies left of the method's.
    const [a, b] = [...figure.querySelectorAll('.bins g.bin[data-bin="2"] .accuracy')];
    expect(Number(a.getAttribute("x")) + Number(a.getAttribute("width"))).toBeLessThanOrEqual(
      Number(b.getAttribute("x"))
    );
    expect([...figure.querySelectorAll(".optimal-buttons button")].map((b) => b.textContent)).toEqual([
      "Use T* = 1.50 (cross-entropy)",
      "Use T* = 0.80 (focal)"
    ]);
    expect(slider(figure).getAttribute("aria-valuetext")).toBe(
      "T = 1.00; NLL-optimal T: cross-entropy 1.50, focal 0.80"
    );
  });

  test("ReliabilityDiagram(null) shows an empty state and accepts data later", () => {
    const figure = ReliabilityDiagram(null, {document, duration: 0});
    expect(figure.querySelectorAll(".bins g.bin")).toHaveLength(0);
    expect(figure.querySelector(".empty")!.getAttribute("display")).toBeNull();
    expect(figure.toRows()).toEqual([]);
    expect(figure.querySelector("desc")!.textContent).toBe("Reliability diagram with no predictions yet.");
    figure.update(handArm());
    expect(figure.querySelectorAll(".bins g.bin")).toHaveLength(3);
    expect(figure.querySelector(".empty")!.getAttribute("display")).toBe("none");
    figure.update(null);
    expect(figure.querySelectorAll(".bins g.bin, .histogram rect, .optimal-buttons button")).toHaveLength(0);
  });

  test("ReliabilityDiagram.toRows() gives one row per bin and arm, empty bins included with count 0", () => {
    const figure = ReliabilityDiagram([{...handArm("cross-entropy"), role: "baseline"}, handArm("focal", 0.05)], {
      document,
      duration: 0
    });
    const rows = figure.toRows();
    expect(rows).toHaveLength(10);
    expect(rows[1]).toEqual({
      arm: "cross-entropy",
      lower: 0.2,
      upper: 0.4,
      count: 4,
      confidence: 0.3,
      accuracy: 0.25,
      gap: 0.05,
      bandLow: 0,
      bandHigh: 0.5
    });
    expect(rows[3]).toMatchObject({arm: "cross-entropy", count: 0, accuracy: NaN, bandLow: NaN});
    expect(rows[6]).toMatchObject({arm: "focal", accuracy: 0.3, gap: 0});
    // Without a gap array the gap is confidence − accuracy; without a band, the band columns are NaN.
    const {gap: _, ...bins} = handArm().bins;
    const plain = ReliabilityDiagram({bins: bins as ReliabilityArm["bins"]}, {document, duration: 0}).toRows();
    expect(plain[2]).toMatchObject({arm: "model", gap: expect.closeTo(-0.2, 12), bandLow: NaN, bandHigh: NaN});
  });

  test("ReliabilityDiagram.toSVG() is standalone SVG markup of the chart, without the HTML controls", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const markup = figure.toSVG();
    expect(markup).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.localName).toBe("svg");
    expect(parsed.querySelectorAll("g.bin")).toHaveLength(3);
    expect(markup).not.toMatch(/<input|<button|<fieldset/);
    expect(markup).toContain("focal: ECE 0.110");
  });
});

describe("ReliabilityDiagram controls", () => {
  test("clicking the equal-mass radio sets value.binning and fires one bubbling input event", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const {events} = mount(figure);
    expect(figure.value).toEqual({binning: "equal-width", temperature: 1});
    radio(figure, "equal-mass").click();
    expect(figure.value).toEqual({binning: "equal-mass", temperature: 1});
    expect(events).toHaveLength(1);
    expect(events[0].target).toBe(figure);
    radio(figure, "equal-mass").click(); // already checked: no change, no event
    expect(events).toHaveLength(1);
  });

  test("dragging the slider sets value.temperature = 2^position (log scale) with one input event per move", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const {events} = mount(figure);
    const range = slider(figure);
    expect([range.min, range.max, range.value]).toEqual(["-2", "2", "0"]);
    range.value = "1";
    range.dispatchEvent(new Event("input", {bubbles: true}));
    expect(figure.value.temperature).toBe(2);
    expect(events).toHaveLength(1);
    expect(range.getAttribute("aria-valuetext")).toBe("T = 2.00; NLL-optimal T: focal 1.50");
    expect(figure.querySelector("output")!.textContent).toBe("T = 2.00");
    expect(figure.querySelector(".legend .settings")!.textContent).toBe("5 equal-width bins · T = 2.00");
    range.dispatchEvent(new Event("change", {bubbles: true})); // release: no second event
    expect(events).toHaveLength(1);
  });

  test("the slider steps with the arrow keys, Page Up/Down, Home and End", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const {events} = mount(figure);
    const range = slider(figure);
    range.focus();
    expect(key(range, "ArrowRight").defaultPrevented).toBe(true);
    expect(figure.value.temperature).toBe(Number((2 ** 0.02).toPrecision(4)));
    key(range, "ArrowLeft");
    key(range, "ArrowDown");
    expect(figure.value.temperature).toBe(Number((2 ** -0.02).toPrecision(4)));
    key(range, "PageUp");
    expect(range.value).toBe("0.18");
    key(range, "End");
    expect(figure.value.temperature).toBe(4);
    key(range, "ArrowUp"); // at the end: no change, no event
    key(range, "Home");
    expect(figure.value.temperature).toBe(0.25);
    expect(events).toHaveLength(6);
    expect(key(range, "a").defaultPrevented).toBe(false);
  });

  test("the binning radios switch with the arrow keys and Space, moving focus", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const {events} = mount(figure);
    const width = radio(figure, "equal-width");
    const mass = radio(figure, "equal-mass");
    expect([width.tabIndex, mass.tabIndex]).toEqual([0, -1]);
    width.focus();
    expect(key(width, "ArrowRight").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(mass);
    expect(mass.checked).toBe(true);
    expect([width.tabIndex, mass.tabIndex]).toEqual([-1, 0]);
    expect(figure.value.binning).toBe("equal-mass");
    key(mass, "ArrowLeft");
    expect(figure.value.binning).toBe("equal-width");
    key(width, " "); // already selected
    expect(events).toHaveLength(2);
  });

  test("the NLL-optimal temperature is marked on the track and its button sets it", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const {events} = mount(figure);
    const mark = figure.querySelector<HTMLElement>(".optimal-marks .optimal")!;
    // log₂ 1.5 = 0.585 on a track from −2 to 2: 64.6 % along it.
    expect(mark.style.left).toBe("64.6%");
    expect(figure.querySelector("datalist option")!.getAttribute("value")).toBe(String(Math.log2(1.5)));
    const button = figure.querySelector<HTMLButtonElement>(".optimal-buttons button")!;
    expect(button.textContent).toBe("Use T* = 1.50 (focal)");
    button.click();
    expect(figure.value).toEqual({binning: "equal-width", temperature: 1.5});
    expect(events).toHaveLength(1);
    expect(slider(figure).value).toBe("0.58");
  });

  test("setting value or passing {binning, temperature} to update() moves the controls without an event", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const {events} = mount(figure);
    figure.value = {binning: "equal-mass", temperature: 0.5};
    expect(radio(figure, "equal-mass").checked).toBe(true);
    expect(slider(figure).value).toBe("-1");
    figure.update(handArm(), {temperature: 3, binning: "equal-width"});
    expect(figure.value).toEqual({binning: "equal-width", temperature: 3});
    expect(radio(figure, "equal-width").checked).toBe(true);
    expect(events).toHaveLength(0);
  });

  test("the key and description name the temperature the data were computed at, else the slider's", () => {
    const figure = ReliabilityDiagram({...handArm(), temperature: 2}, {document, duration: 0});
    expect(figure.value.temperature).toBe(1);
    expect(figure.querySelector(".legend .settings")!.textContent).toBe("5 equal-width bins · T = 2.00");
    expect(figure.querySelector("desc")!.textContent).toContain("probabilities at temperature T = 2.00");
    figure.update(handArm());
    expect(figure.querySelector(".legend .settings")!.textContent).toBe("5 equal-width bins · T = 1.00");
    const mass = {...handArm(), bins: {...handArm().bins, edges: [0, 0.3, 0.45, 0.6, 0.85, 1]}};
    figure.update(mass);
    expect(figure.querySelector(".legend .settings")!.textContent).toBe("5 equal-mass bins · T = 1.00");
  });

  test("ReliabilityDiagram({controls: false}) hides the controls", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0, controls: false});
    expect(figure.querySelector<HTMLElement>(".losslab-reliability-controls")!.style.display).toBe("none");
  });

  test("destroy() releases the listeners: controls no longer fire and updates do nothing", () => {
    const figure = ReliabilityDiagram(handArm(), {document, duration: 0});
    const {events} = mount(figure);
    const bars = [...figure.querySelectorAll(".bins g.bin")];
    figure.destroy();
    radio(figure, "equal-mass").click();
    key(slider(figure), "ArrowRight");
    figure.querySelector<HTMLButtonElement>(".optimal-buttons button")!.click();
    expect(events).toHaveLength(0);
    expect(figure.value).toEqual({binning: "equal-width", temperature: 1});
    expect(slider(figure).disabled).toBe(true);
    figure.update(null);
    expect([...figure.querySelectorAll(".bins g.bin")]).toEqual(bars);
  });
});

describe("ReliabilityDiagram transitions", () => {
  function frames() {
    const queue: FrameRequestCallback[] = [];
    vi.spyOn(window, "requestAnimationFrame").mockImplementation((callback) => queue.push(callback));
    vi.spyOn(window, "cancelAnimationFrame").mockImplementation((id) => void (queue[id - 1] = () => {}));
    return (now: number) => queue.splice(0).forEach((callback) => callback(now));
  }

  test("update() moves bars from where they were to the new values over `duration` ms", () => {
    const tick = frames();
    const figure = ReliabilityDiagram(handArm(), {document, duration: 100});
    const bar = figure.querySelector('.bins g.bin[data-bin="1"] .accuracy')!;
    const from = Number(bar.getAttribute("y")); // the first render is drawn at once
    const final = ReliabilityDiagram(handArm("focal", 0.2), {document, duration: 0})
      .querySelector('.bins g.bin[data-bin="1"] .accuracy')!
      .getAttribute("y");
    figure.update(handArm("focal", 0.2));
    expect(Number(bar.getAttribute("y"))).toBe(from);
    tick(1000);
    tick(1050);
    const middle = Number(bar.getAttribute("y"));
    expect(middle).toBeLessThan(from);
    expect(middle).toBeGreaterThan(Number(final));
    tick(1100);
    expect(bar.getAttribute("y")).toBe(final);
  });

  test("toSVG() during a transition exports the end state", () => {
    const tick = frames();
    const figure = ReliabilityDiagram(handArm(), {document, duration: 100});
    figure.update(handArm("focal", 0.2));
    tick(0);
    const markup = figure.toSVG();
    const still = ReliabilityDiagram(handArm("focal", 0.2), {document, duration: 0}).toSVG();
    const bars = (m: string) => m.match(/class="accuracy"[^>]*/g);
    expect(bars(markup)).toEqual(bars(still));
  });

  test("while the visitor drags the slider, updates are drawn at once", () => {
    frames();
    const figure = ReliabilityDiagram(handArm(), {document, duration: 100});
    slider(figure).value = "0.5";
    slider(figure).dispatchEvent(new Event("input", {bubbles: true}));
    figure.update(handArm("focal", 0.2));
    const still = ReliabilityDiagram(handArm("focal", 0.2), {document, duration: 0});
    const y = (f: Element) => f.querySelector('.bins g.bin[data-bin="1"] .accuracy')!.getAttribute("y");
    expect(y(figure)).toBe(y(still));
  });
});
