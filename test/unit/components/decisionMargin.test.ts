// @vitest-environment jsdom
import {afterEach, describe, expect, test, vi} from "vitest";
import {DecisionMargin} from "../../../components/decisionMargin.js";
import type {DecisionData} from "../../../components/decisionMargin.js";

// A 3-class nearest-centre field on a 10 × 10 grid over [−2, 2]², softmax of −‖p − c_k‖².
function field(centres: number[][], n = 10): {probs: Float32Array; margin: Float32Array} {
  const probs = new Float32Array(n * n * centres.length);
  const margin = new Float32Array(n * n);
  for (let j = 0; j < n; ++j) {
    for (let i = 0; i < n; ++i) {
      const x = -2 + ((i + 0.5) * 4) / n;
      const y = 2 - ((j + 0.5) * 4) / n;
      const z = centres.map(([a, b]) => -((x - a) ** 2 + (y - b) ** 2));
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      const sum = e.reduce((s, v) => s + v, 0);
      e.forEach((v, k) => (probs[(j * n + i) * centres.length + k] = v / sum));
      const sorted = [...z].sort((p, q) => q - p);
      margin[j * n + i] = sorted[0] - sorted[1];
    }
  }
  return {probs, margin};
}

const newCentres = [
  [-1, -1],
  [1, -1],
  [0, 1]
];
const oldCentres = [
  [-1, -1],
  [1.5, -1.2],
  [0, 0.5]
];

/** Four points: id 10 clean, id 11 mislabelled, id 12 a negative flip, id 13 both. */
function data(): DecisionData {
  return {
    classes: 3,
    grid: {nx: 10, ny: 10, x0: -2, x1: 2, y0: -2, y1: 2},
    ...field(newCentres),
    previous: field(oldCentres),
    points: {
      x: Float32Array.from([-1, -1, 1, -1, 0.4, -0.2, 0, 1]),
      label: Int32Array.from([0, 2, 1, 2]),
      clean: Int32Array.from([0, 1, 1, 1]),
      ids: Int32Array.from([10, 11, 12, 13]),
      flipped: Uint8Array.from([0, 0, 1, 1])
    }
  };
}

function keyOf(node: Element): number {
  return (node as unknown as {__data__: {key: number}}).__data__.key;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("DecisionMargin old vs new", () => {
  test("DecisionMargin({previous}) draws the old boundary as an outlined dashed line with a legend entry", () => {
    const figure = DecisionMargin(data(), {document, renderer: "svg"});
    const line = figure.querySelector(".previous-boundary")!;
    const halo = figure.querySelector(".previous-halo")!;
    expect(line.getAttribute("d")).toMatch(/^M/);
    expect(halo.getAttribute("d")).toBe(line.getAttribute("d"));
    expect(line.getAttribute("stroke-dasharray")).not.toBeNull();
    expect(line.getAttribute("display")).toBeNull();
    expect(figure.querySelector(".legend .legend-previous")!.textContent).toBe("old model boundary");
    expect(figure.querySelector("desc")!.textContent).toContain("old model's decision boundary");
  });

  test("DecisionMargin draws the old boundary where the new one would be when the old field equals the new", () => {
    const same = data();
    same.previous = {probs: same.probs};
    const figure = DecisionMargin(same, {document, renderer: "svg"});
    expect(figure.querySelector(".previous-boundary")!.getAttribute("d")).toBe(
      figure.querySelector(".boundary")!.getAttribute("d")
    );
  });

  test("DecisionMargin without previous, or with a field of another size, hides the old boundary and its legend entry", () => {
    const none = data();
    delete none.previous;
    const wrongSize = data();
    wrongSize.previous = {probs: new Float32Array(7)};
    for (const d of [none, wrongSize]) {
      const figure = DecisionMargin(d, {document, renderer: "svg"});
      expect(figure.querySelector(".previous-boundary")!.getAttribute("display")).toBe("none");
      expect(figure.querySelector(".previous-boundary")!.getAttribute("d")).toBe("");
      expect(figure.querySelector(".legend-previous")).toBeNull();
    }
  });

  test("DecisionMargin({previousMargins: true}) draws one dotted old contour per margin level, none by default", () => {
    const off = DecisionMargin(data(), {document, renderer: "svg", contours: [1, 2]});
    expect(off.querySelectorAll(".previous-margins path")).toHaveLength(0);
    const on = DecisionMargin(data(), {document, renderer: "svg", contours: [1, 2], previousMargins: true});
    const paths = [...on.querySelectorAll(".previous-margins path")];
    expect(paths.map((p) => p.getAttribute("data-level"))).toEqual(["1", "2"]);
    for (const p of paths) expect(p.getAttribute("d")).toMatch(/^M/);
    // The old margins differ from the new ones: the old centres moved.
    expect(paths[0].getAttribute("d")).not.toBe(on.querySelector('.margins path[data-level="1"]')!.getAttribute("d"));
    expect(on.querySelector(".legend-previous-margin")!.textContent).toBe("old model margin 1, 2");
  });

  test("DecisionMargin rings negative flips apart from mislabelled points, larger and heavier", () => {
    const figure = DecisionMargin(data(), {document, renderer: "svg", pointRadius: 3});
    const flips = [...figure.querySelectorAll(".flipped circle")];
    const mislabelled = [...figure.querySelectorAll(".mislabelled circle")];
    expect(flips.map(keyOf)).toEqual([12, 13]);
    expect(mislabelled.map(keyOf)).toEqual([11, 13]);
    expect(Number(flips[0].getAttribute("r"))).toBeGreaterThan(Number(mislabelled[0].getAttribute("r")));
    const flipGroup = figure.querySelector(".flipped")!;
    const ringGroup = figure.querySelector(".mislabelled")!;
    expect(Number(flipGroup.getAttribute("stroke-width"))).toBeGreaterThan(
      Number(ringGroup.getAttribute("stroke-width"))
    );
    expect(figure.querySelector(".legend-flipped")!.textContent).toBe("negative flip (old right, new wrong)");
    expect(figure.querySelector("desc")!.textContent).toContain("2 are negative flips");
  });

  test("DecisionMargin.update() keeps the old-boundary paths and each flipped ring's node by id", () => {
    const figure = DecisionMargin(data(), {document, renderer: "svg", previousMargins: true});
    const line = figure.querySelector(".previous-boundary");
    const contour = figure.querySelector('.previous-margins path[data-level="2"]');
    const ring = figure.querySelectorAll(".flipped circle")[1];
    const before = line!.getAttribute("d");
    const next = data();
    next.previous = field([
      [-1.2, -1],
      [1.2, -1.4],
      [0.3, 0.8]
    ]);
    next.points!.x[2 * 3] += 0.1; // id 13 moves
    expect(figure.update(next)).toBe(figure);
    expect(figure.querySelector(".previous-boundary")).toBe(line);
    expect(figure.querySelector('.previous-margins path[data-level="2"]')).toBe(contour);
    expect(figure.querySelectorAll(".flipped circle")[1]).toBe(ring);
    expect(line!.getAttribute("d")).not.toBe(before);
    // A point that stops being a flip loses its ring; the legend entry stays while flips are given.
    next.points!.flipped = Uint8Array.from([0, 0, 0, 1]);
    figure.update(next);
    expect([...figure.querySelectorAll(".flipped circle")].map(keyOf)).toEqual([13]);
    expect(figure.querySelectorAll(".flipped circle")[0]).toBe(ring);
  });

  test("DecisionMargin.toRows() gives one row per point with id, x, y, label, clean and flipped", () => {
    const figure = DecisionMargin(data(), {document, renderer: "svg"});
    const rows = figure.toRows();
    expect(rows).toHaveLength(4);
    expect(rows[2]).toEqual({
      id: 12,
      x: 0.4,
      y: -0.2,
      label: 1,
      clean: 1,
      flipped: true
    });
    expect(rows.map((r) => r.flipped)).toEqual([false, false, true, true]);
    expect(Object.keys(rows[0])).toEqual(["id", "x", "y", "label", "clean", "flipped"]);
    const plain = data();
    delete plain.points!.clean;
    delete plain.points!.flipped;
    delete plain.points!.ids;
    const rowsPlain = DecisionMargin(plain, {document, renderer: "svg"}).toRows();
    expect(rowsPlain.map((r) => r.id)).toEqual([0, 1, 2, 3]);
    expect(rowsPlain.every((r) => r.clean === null && r.flipped === null)).toBe(true);
    expect(DecisionMargin(data(), {document, renderer: "svg", points: false}).toRows()).toEqual([]);
    expect(DecisionMargin(null, {document, renderer: "svg"}).toRows()).toEqual([]);
  });

  test("DecisionMargin.toSVG() is standalone SVG markup that parses, with the cells as vector rects", () => {
    const figure = DecisionMargin(data(), {document, renderer: "svg"});
    const markup = figure.toSVG();
    expect(markup.startsWith("<svg")).toBe(true);
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.querySelectorAll(".field rect")).toHaveLength(100);
    expect(parsed.documentElement.querySelector(".previous-boundary")).not.toBeNull();
    expect(parsed.documentElement.querySelector("image")).toBeNull();
  });

  test('DecisionMargin({renderer: "canvas"}).toSVG() inlines the field canvas as an image over the plot area', () => {
    const context = {
      createImageData: (w: number, h: number) => ({data: new Uint8ClampedArray(w * h * 4), width: w, height: h}),
      putImageData: vi.fn(),
      clearRect: vi.fn()
    };
    vi.spyOn(window.HTMLCanvasElement.prototype, "getContext").mockImplementation(() => context as never);
    vi.spyOn(window.HTMLCanvasElement.prototype, "toDataURL").mockImplementation(() => "data:image/png;base64,AAAA");
    const figure = DecisionMargin(data(), {document, renderer: "canvas", width: 300});
    const clip = figure.querySelector("clipPath rect")!;
    const parsed = new DOMParser().parseFromString(figure.toSVG(), "image/svg+xml");
    const image = parsed.documentElement.querySelector("image")!;
    expect(image.getAttribute("href")).toBe("data:image/png;base64,AAAA");
    for (const name of ["x", "y", "width", "height"]) {
      expect(Number(image.getAttribute(name))).toBeCloseTo(Number(clip.getAttribute(name)), 6);
    }
    // The image is drawn first, under the field group, axes and points.
    expect(image.nextElementSibling?.getAttribute("class")).toBe("field");
    figure.destroy();
  });

  test("DecisionMargin.destroy() makes update() a no-op", () => {
    const figure = DecisionMargin(data(), {document, renderer: "svg"});
    figure.destroy();
    const next = data();
    delete next.previous;
    figure.update(next);
    expect(figure.querySelector(".previous-boundary")!.getAttribute("d")).toMatch(/^M/);
  });
});
