// @vitest-environment jsdom
import {afterEach, describe, expect, test, vi} from "vitest";
import {DecisionMargin, EmbeddingPlot, LossCurve} from "../../components/index.js";
import type {CurveSeries, DecisionData, EmbeddingData} from "../../components/index.js";
import {random} from "../../src/random.js";
import {snapshotTest} from "../util/snapshot.js";

// ---------------------------------------------------------------------------------------------
// Fixture data: seeded and readable.

/** A training curve: exponential decay from `start` to `floor` with seeded multiplicative noise. */
function decay(seed: string, steps: number, {start = 2.3, floor = 0.2, tau = 20, noise = 0.05} = {}) {
  const rng = random(seed);
  const x = new Float64Array(steps);
  const y = new Float64Array(steps);
  for (let i = 0; i < steps; ++i) {
    x[i] = i * 10;
    y[i] = (floor + (start - floor) * Math.exp(-i / tau)) * (1 + noise * rng.normal());
  }
  return {x, y};
}

function twinSeries(steps: number): CurveSeries[] {
  return [
    {key: "baseline-train", label: "cross-entropy · train", role: "baseline", ...decay("ce-train", steps)},
    {
      key: "baseline-test",
      label: "cross-entropy · test",
      role: "baseline",
      dashed: true,
      ...decay("ce-test", steps, {floor: 0.35})
    },
    {key: "method-train", label: "focal · train", role: "method", ...decay("focal-train", steps, {tau: 14})},
    {
      key: "method-test",
      label: "focal · test",
      role: "method",
      dashed: true,
      ...decay("focal-test", steps, {tau: 14, floor: 0.3})
    }
  ];
}

const centres = [
  [-1, -0.8],
  [1.1, -0.6],
  [0, 1.2]
];

/** Softmax of logits z_k = −sharpness · ‖p − c_k‖² over a grid, with the top-1 − top-2 logit margin. */
function blobField(n: number, sharpness: number): DecisionData {
  const grid = {nx: n, ny: n, x0: -2, x1: 2, y0: -2, y1: 2};
  const classes = centres.length;
  const probs = new Float32Array(n * n * classes);
  const margin = new Float32Array(n * n);
  for (let j = 0; j < n; ++j) {
    for (let i = 0; i < n; ++i) {
      const px = grid.x0 + ((i + 0.5) * (grid.x1 - grid.x0)) / n;
      const py = grid.y1 - ((j + 0.5) * (grid.y1 - grid.y0)) / n;
      const z = centres.map(([cx, cy]) => -sharpness * ((px - cx) ** 2 + (py - cy) ** 2));
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      const cell = j * n + i;
      e.forEach((v, k) => (probs[cell * classes + k] = v / sum));
      const sorted = [...z].sort((a, b) => b - a);
      margin[cell] = sorted[0] - sorted[1];
    }
  }
  return {classes, grid, probs, margin};
}

/** `perClass` points around each centre; labels of the listed point indices are flipped to the next class. */
function blobPoints(seed: string, perClass: number, spread: number, flipped: number[] = []) {
  const rng = random(seed);
  const n = perClass * centres.length;
  const x = new Float32Array(2 * n);
  const clean = new Int32Array(n);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const k = i % centres.length;
    x[2 * i] = centres[k][0] + spread * rng.normal();
    x[2 * i + 1] = centres[k][1] + spread * rng.normal();
    clean[i] = k;
    ids[i] = 100 + i;
  }
  const label = clean.slice();
  for (const i of flipped) label[i] = (clean[i] + 1) % centres.length;
  return {x, label, clean, ids};
}

function blobEmbedding(seed: string, spread: number): EmbeddingData {
  const {x, label, ids} = blobPoints(seed, 8, spread);
  return {classes: 3, points: {x, label, ids}};
}

/** Points on the unit circle at their class angle ± a seeded jitter, with class prototypes. */
function normalizedEmbedding(seed: string, jitter: number): EmbeddingData {
  const rng = random(seed);
  const classes = 3;
  const n = 18;
  const x = new Float32Array(2 * n);
  const label = new Int32Array(n);
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const k = i % classes;
    const angle = (2 * Math.PI * k) / classes + jitter * rng.normal();
    x[2 * i] = Math.cos(angle);
    x[2 * i + 1] = Math.sin(angle);
    label[i] = k;
    predicted[i] = i === 4 ? 2 : k;
  }
  const weights = new Float32Array(2 * classes);
  for (let k = 0; k < classes; ++k) {
    weights[2 * k] = 3 * Math.cos((2 * Math.PI * k) / classes + 0.1);
    weights[2 * k + 1] = 3 * Math.sin((2 * Math.PI * k) / classes + 0.1);
  }
  return {classes, points: {x, label, predicted}, normalized: true, weights};
}

// ---------------------------------------------------------------------------------------------
// Snapshots: each fixture's name is its golden file's name.

snapshotTest(function lossCurveTwin() {
  return LossCurve(twinSeries(40), {document, yLabel: "loss"});
});

snapshotTest(function lossCurveTwinUpdated() {
  return LossCurve(twinSeries(20), {document, yLabel: "loss"}).update(twinSeries(60), {width: 480});
});

snapshotTest(function lossCurveLog() {
  const {x, y} = decay("log", 40, {start: 5, floor: 0.01, tau: 8});
  y[12] = NaN; // a missing evaluation leaves a gap
  y[25] = 0; // not drawable on a log scale
  return LossCurve([{key: "loss", label: "triplet loss", x, y}], {
    document,
    yScale: "log",
    yLabel: "loss",
    legend: false
  });
});

snapshotTest(function decisionMarginBlobs() {
  const data = blobField(12, 1.2);
  data.points = blobPoints("points", 6, 0.35, [1, 9]);
  return DecisionMargin(data, {document, renderer: "svg"});
});

snapshotTest(function decisionMarginBlobsUpdated() {
  const before = blobField(12, 0.5);
  before.points = blobPoints("points", 6, 0.35, [1, 9]);
  const after = blobField(12, 2.5);
  after.points = blobPoints("points", 6, 0.3, [1, 9, 13]);
  return DecisionMargin(before, {document, renderer: "svg"}).update(after, {contours: [1, 3]});
});

snapshotTest(function embeddingPlotBlobs() {
  return EmbeddingPlot(blobEmbedding("embed", 0.3), {document, renderer: "svg"});
});

snapshotTest(function embeddingPlotNormalized() {
  return EmbeddingPlot(normalizedEmbedding("sphere", 0.25), {document, renderer: "svg"});
});

snapshotTest(function embeddingPlotUpdated() {
  const plot = EmbeddingPlot(blobEmbedding("embed", 0.3), {document, renderer: "svg"});
  const next = blobEmbedding("embed", 0.15);
  next.points.predicted = next.points.label.map((k, i) => (i === 3 ? (k + 1) % 3 : k));
  return plot.update(next, {width: 300});
});

// ---------------------------------------------------------------------------------------------
// Behaviour.

function pointer(target: Element, type: string, clientX = 0): void {
  target.dispatchEvent(new window.MouseEvent(type, {clientX, bubbles: true}));
}

describe("LossCurve", () => {
  test("LossCurve(data) is an accessible SVG with a title and description that aria-labelledby names", () => {
    const chart = LossCurve(twinSeries(10), {document, title: "Loss", description: "Two arms."});
    expect(chart.getAttribute("class")).toBe("losslab-loss-curve");
    expect(chart.getAttribute("role")).toBe("img");
    const [titleId, descId] = chart.getAttribute("aria-labelledby")!.split(" ");
    expect(chart.querySelector(`[id="${titleId}"]`)!.textContent).toBe("Loss");
    expect(chart.querySelector(`[id="${descId}"]`)!.textContent).toBe("Two arms.");
  });

  test("LossCurve.update() keeps the same nodes and redraws them", () => {
    const chart = LossCurve(twinSeries(10), {document});
    const paths = [...chart.querySelectorAll(".lines path")];
    const ticks = chart.querySelector(".losslab-axis-y");
    const before = paths.map((p) => p.getAttribute("d"));
    expect(chart.update(twinSeries(30), {width: 500})).toBe(chart);
    expect([...chart.querySelectorAll(".lines path")]).toEqual(paths);
    expect(chart.querySelector(".losslab-axis-y")).toBe(ticks);
    expect(paths.map((p) => p.getAttribute("d"))).not.toEqual(before);
    expect(chart.getAttribute("width")).toBe("500");
  });

  test("LossCurve joins series by key: a removed key loses its path, the others keep theirs", () => {
    const series = twinSeries(10);
    const chart = LossCurve(series, {document});
    const kept = chart.querySelector('[data-key="method-train"]');
    chart.update(series.filter((s) => s.key !== "baseline-test"));
    expect(chart.querySelectorAll(".lines path")).toHaveLength(3);
    expect(chart.querySelector('[data-key="method-train"]')).toBe(kept);
    expect(chart.querySelector('[data-key="baseline-test"]')).toBeNull();
  });

  test("LossCurve leaves a gap at non-finite values", () => {
    const y = [3, 2, NaN, 1.5, 1, Infinity, 0.8, 0.7];
    const chart = LossCurve([{key: "a", label: "a", x: y.map((_, i) => i), y}], {document});
    const d = chart.querySelector(".lines path")!.getAttribute("d")!;
    expect(d.match(/M/g)).toHaveLength(3);
    expect(d).not.toMatch(/NaN|Infinity/);
  });

  test('LossCurve({yScale: "log"}) skips values ≤ 0 and says "log scale" on the axis', () => {
    const y = [1, 0.5, 0, 0.2, -1, 0.1];
    const chart = LossCurve([{key: "a", label: "a", x: y.map((_, i) => i), y}], {
      document,
      yScale: "log",
      yLabel: "loss"
    });
    expect(chart.querySelector(".lines path")!.getAttribute("d")!.match(/M/g)).toHaveLength(3);
    expect(chart.querySelector(".losslab-axis-y .label")!.textContent).toBe("loss (log scale)");
  });

  test("LossCurve colours arms by role and names every series in the legend with its dash", () => {
    const chart = LossCurve(twinSeries(5), {document});
    const items = [...chart.querySelectorAll(".legend .item")];
    expect(items.map((g) => g.textContent)).toEqual([
      "cross-entropy · train",
      "cross-entropy · test",
      "focal · train",
      "focal · test"
    ]);
    const strokes = items.map((g) => g.querySelector("line")!.getAttribute("stroke"));
    expect(strokes[0]).toBe(strokes[1]);
    expect(strokes[2]).toBe("#E69F00");
    expect(strokes[0]).not.toBe(strokes[2]);
    expect(items[1].querySelector("line")!.hasAttribute("stroke-dasharray")).toBe(true);
    expect(items[0].querySelector("line")!.hasAttribute("stroke-dasharray")).toBe(false);
  });

  test("LossCurve shows each series' value at the nearest step on hover, and destroy() removes the listeners", () => {
    const x = [0, 10, 20, 30];
    const chart = LossCurve(
      [
        {key: "a", label: "baseline", role: "baseline", x, y: [1, 0.5, 0.25, 0.125]},
        {key: "b", label: "method", role: "method", x, y: [2, 1, NaN, 0.5]}
      ],
      {document, width: 640}
    );
    const overlay = chart.querySelector(".overlay")!;
    const readout = chart.querySelector(".readout")!;
    expect(readout.getAttribute("display")).toBe("none");
    const left = Number(overlay.getAttribute("x"));
    const width = Number(overlay.getAttribute("width"));
    pointer(overlay, "pointermove", left + (width * 19) / 30); // nearest step: 20
    expect(readout.getAttribute("display")).toBeNull();
    expect(readout.querySelector(".step")!.textContent).toBe("step 20");
    expect([...readout.querySelectorAll(".row text")].map((t) => t.textContent)).toEqual(["baseline 0.25", "method –"]);
    pointer(overlay, "pointerleave");
    expect(readout.getAttribute("display")).toBe("none");
    chart.destroy();
    pointer(overlay, "pointermove", left + width / 2);
    expect(readout.getAttribute("display")).toBe("none");
  });

  test("LossCurve draws 100k points as a few points per pixel column", () => {
    const n = 100_000;
    const x = Float64Array.from({length: n}, (_, i) => i);
    const y = Float64Array.from({length: n}, (_, i) => 1 / (1 + i / 1000) + (i === 54_321 ? 5 : 0));
    const chart = LossCurve([{key: "a", label: "a", x, y}], {document, width: 640});
    const d = chart.querySelector(".lines path")!.getAttribute("d")!;
    expect(d.match(/[ML]/g)!.length).toBeLessThanOrEqual(4 * 640);
    // The spike (5 above a curve that stays ≤ 1) survives decimation: it reaches the upper part of the plot.
    const overlay = chart.querySelector(".overlay")!;
    const top = Number(overlay.getAttribute("y"));
    const bottom = top + Number(overlay.getAttribute("height"));
    const highest = Math.min(...[...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1])));
    expect((bottom - highest) / (bottom - top)).toBeGreaterThan(0.75);
  });
});

describe("DecisionMargin", () => {
  function data(): DecisionData {
    const d = blobField(12, 1.2);
    d.points = blobPoints("points", 6, 0.35, [1, 9]);
    return d;
  }

  test('DecisionMargin under jsdom with renderer "auto" falls back to one rect per cell', () => {
    const figure = DecisionMargin(data(), {document});
    expect(figure.className).toBe("losslab-decision-margin");
    expect(figure.querySelector("canvas")).toBeNull();
    expect(figure.querySelectorAll(".field rect")).toHaveLength(144);
    const svg = figure.querySelector("svg")!;
    expect(svg.getAttribute("role")).toBe("img");
    expect(svg.getAttribute("aria-labelledby")!.split(" ")).toHaveLength(2);
  });

  test("DecisionMargin rings exactly the mislabelled points and draws each margin level", () => {
    const figure = DecisionMargin(data(), {document, renderer: "svg"});
    expect(figure.querySelectorAll(".points circle")).toHaveLength(18);
    expect(figure.querySelectorAll(".mislabelled circle")).toHaveLength(2);
    const levels = [...figure.querySelectorAll(".margins path")].map((p) => p.getAttribute("data-level"));
    expect(levels).toEqual(["1", "2", "4"]);
    expect(figure.querySelector(".boundary")!.getAttribute("d")).toMatch(/^M/);
    expect(figure.querySelector(".legend")!.textContent).toContain("logit margin 1, 2, 4");
  });

  test("DecisionMargin.update() keeps the same rects, circles and contour paths", () => {
    const figure = DecisionMargin(data(), {document, renderer: "svg"});
    const rects = [...figure.querySelectorAll(".field rect")];
    const circles = [...figure.querySelectorAll(".points circle")];
    const boundary = figure.querySelector(".boundary");
    const contour = figure.querySelector('.margins path[data-level="2"]');
    const next = blobField(12, 2);
    next.points = blobPoints("points", 6, 0.2, [1, 9]);
    expect(figure.update(next)).toBe(figure);
    expect([...figure.querySelectorAll(".field rect")]).toEqual(rects);
    expect([...figure.querySelectorAll(".points circle")]).toEqual(circles);
    expect(figure.querySelector(".boundary")).toBe(boundary);
    expect(figure.querySelector('.margins path[data-level="2"]')).toBe(contour);
  });

  test("DecisionMargin joins points by id, so a reordered batch keeps each point's node", () => {
    const d = data();
    const figure = DecisionMargin(d, {document, renderer: "svg"});
    const byId = (id: number) =>
      [...figure.querySelectorAll<SVGCircleElement>(".points circle")].find(
        (c) => (c as unknown as {__data__: {key: number}}).__data__.key === id
      );
    const node = byId(105);
    const n = d.points!.label.length;
    const order = Array.from({length: n}, (_, i) => n - 1 - i);
    const reversed = {
      x: Float32Array.from(order.flatMap((i) => [d.points!.x[2 * i], d.points!.x[2 * i + 1]])),
      label: Int32Array.from(order.map((i) => d.points!.label[i])),
      ids: Int32Array.from(order.map((i) => d.points!.ids![i]))
    };
    figure.update({...d, points: reversed});
    expect(byId(105)).toBe(node);
  });

  test('DecisionMargin({renderer: "canvas"}) paints an nx × ny canvas under the SVG, and destroy() releases it', () => {
    const putImageData = vi.fn();
    const context = {
      createImageData: (w: number, h: number) => ({data: new Uint8ClampedArray(w * h * 4), width: w, height: h}),
      putImageData,
      clearRect: vi.fn()
    };
    const spy = vi.spyOn(window.HTMLCanvasElement.prototype, "getContext").mockImplementation(() => context as never);
    try {
      const figure = DecisionMargin(data(), {document, renderer: "canvas"});
      const canvas = figure.querySelector("canvas")!;
      expect(figure.firstElementChild).toBe(canvas);
      expect([canvas.width, canvas.height]).toEqual([12, 12]);
      expect(canvas.getAttribute("style")).toContain("position: absolute");
      expect(figure.querySelectorAll(".field rect")).toHaveLength(0);
      expect(putImageData).toHaveBeenCalledTimes(1);
      const pixels = putImageData.mock.calls[0][0].data as Uint8ClampedArray;
      expect(pixels.some((v, i) => i % 4 === 3 && v > 0)).toBe(true);
      figure.update(data());
      expect(putImageData).toHaveBeenCalledTimes(2);
      figure.destroy();
      expect(figure.querySelector("canvas")).toBeNull();
      expect(canvas.width).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  test("DecisionMargin(null) renders empty axes and accepts data later", () => {
    const figure = DecisionMargin(null, {document, renderer: "svg"});
    expect(figure.querySelectorAll(".points circle")).toHaveLength(0);
    figure.update(data());
    expect(figure.querySelectorAll(".points circle")).toHaveLength(18);
  });
});

describe("EmbeddingPlot", () => {
  test("EmbeddingPlot keeps an equal aspect ratio: one unit spans the same pixels on both axes", () => {
    const plot = EmbeddingPlot(normalizedEmbedding("sphere", 0.2), {document, width: 400, height: 300});
    const circle = plot.querySelector(".unit-circle circle")!;
    const r = Number(circle.getAttribute("r"));
    const cx = Number(circle.getAttribute("cx"));
    const cy = Number(circle.getAttribute("cy"));
    // Every point of a normalised embedding lies on the drawn unit circle.
    for (const c of plot.querySelectorAll(".points circle")) {
      const d = Math.hypot(Number(c.getAttribute("cx")) - cx, Number(c.getAttribute("cy")) - cy);
      expect(d).toBeCloseTo(r, 0);
    }
  });

  test("EmbeddingPlot.update() keeps each point's node by id and drops the ids that left", () => {
    const data = blobEmbedding("embed", 0.3);
    const plot = EmbeddingPlot(data, {document});
    const nodes = [...plot.querySelectorAll(".points circle")];
    const keep = 20;
    plot.update({
      classes: 3,
      points: {
        x: data.points.x.slice(0, 2 * keep),
        label: data.points.label.slice(0, keep),
        ids: data.points.ids!.slice(0, keep)
      }
    });
    expect([...plot.querySelectorAll(".points circle")]).toEqual(nodes.slice(0, keep));
  });

  test("EmbeddingPlot does not rescale for small movements but follows a spreading cloud", () => {
    const data = blobEmbedding("embed", 0.3);
    const plot = EmbeddingPlot(data, {document});
    const ticks = () => [...plot.querySelectorAll(".losslab-axis-x .tick text")].map((t) => t.textContent).join(" ");
    const before = ticks();
    plot.update({...data, points: {...data.points, x: data.points.x.map((v) => v * 1.03)}});
    expect(ticks()).toBe(before);
    plot.update({...data, points: {...data.points, x: data.points.x.map((v) => v * 3)}});
    expect(ticks()).not.toBe(before);
  });

  test("EmbeddingPlot outlines misclassified points and draws one arrow per class weight", () => {
    const plot = EmbeddingPlot(normalizedEmbedding("sphere", 0.2), {document});
    expect(plot.querySelectorAll(".points circle.misclassified")).toHaveLength(1);
    expect([...plot.querySelectorAll(".weights .weight")].map((g) => g.getAttribute("data-class"))).toEqual([
      "0",
      "1",
      "2"
    ]);
    expect(plot.querySelector(".unit-circle circle")).not.toBeNull();
    plot.update(blobEmbedding("embed", 0.3));
    expect(plot.querySelector(".unit-circle circle")).toBeNull();
    expect(plot.querySelectorAll(".weights .weight")).toHaveLength(0);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

test("EmbeddingPlot leaves out points whose embedding is not finite (a diverged run)", () => {
  const x = Float32Array.from([0.5, 0.5, NaN, 1, -0.5, Infinity, -0.2, 0.3]);
  const plot = EmbeddingPlot(
    {classes: 2, points: {x, label: Int32Array.from([0, 1, 0, 1])}},
    {document, renderer: "svg"}
  );
  const circles = [...plot.querySelectorAll("circle")].filter(
    (c) => !c.closest("[aria-hidden]") && c.getAttribute("cx") !== null
  );
  expect(
    circles.every((c) => Number.isFinite(Number(c.getAttribute("cx"))) && Number.isFinite(Number(c.getAttribute("cy"))))
  ).toBe(true);
  expect(plot.outerHTML).not.toContain("NaN");
  plot.destroy();
});
