// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {
  LossContour,
  currentPoint,
  gridMinima,
  gridSize,
  gridValueAt,
  landscapeDomain,
  landscapeRamp,
  lossLevels,
  planeAxes,
  planeCaption
} from "../../../components/lossContour.js";
import type {LandscapeData, LandscapeGrid} from "../../../components/lossContour.js";
import type {Plane, PlaneGrid, TrajectoryProjection} from "../../../src/landscape/index.js";

/** L(a, b) = 0.1 + a² + 2b² on a 5 × 4 grid (a ∈ {−1, −0.5, 0, 0.5, 1}, b ∈ {−1, 0, 1, 2}): minimum 0.1 at (0, 0). */
interface Grid extends LandscapeGrid {
  values: Float32Array;
  a: Float64Array;
  b: Float64Array;
}

function bowl(): Grid {
  const a = Float64Array.from([-1, -0.5, 0, 0.5, 1]);
  const b = Float64Array.from([-1, 0, 1, 2]);
  const values = new Float32Array(20);
  for (let j = 0; j < 4; ++j) for (let i = 0; i < 5; ++i) values[j * 5 + i] = 0.1 + a[i] ** 2 + 2 * b[j] ** 2;
  return {values, a, b};
}

function data(grid: LandscapeGrid = bowl()): LandscapeData {
  return {
    grid,
    plane: {kind: "random-filter-normalized", label: "two filter-normalised random directions"},
    trajectory: {
      a: Float32Array.from([-1, -0.5, 0.25]),
      b: Float32Array.from([2, 1, 0.25]),
      steps: Int32Array.from([0, 10, 20]),
      residual: Float32Array.from([0, 0.5, 0.25])
    }
  };
}

const pca: LandscapeData["plane"] = {kind: "pca", label: "PCA of the trajectory", explainedVariance: [0.823, 0.114]};

function key(target: Element, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new window.KeyboardEvent("keydown", {key, bubbles: true, cancelable: true, ...init});
  target.dispatchEvent(event);
  return event;
}

function readoutText(contour: Element): string | null {
  const readout = contour.querySelector(".readout")!;
  return readout.getAttribute("display") === "none" ? null : readout.textContent;
}

// Compile-time check that the engine's results fill the views' types without conversion.
export function fromEngine(grid: PlaneGrid, plane: Plane, trajectory: TrajectoryProjection): LandscapeData {
  return {grid, plane, trajectory};
}

describe("levels and domains", () => {
  test("lossLevels(domain) on a log scale is increasing, spans exactly [lo, hi] and has a constant ratio", () => {
    const levels = lossLevels([0.02, 2], {count: 12});
    expect(levels).toHaveLength(13);
    expect(levels[0]).toBe(0.02);
    expect(levels[12]).toBe(2);
    const ratio = levels[1] / levels[0];
    for (let k = 1; k < levels.length; ++k) {
      expect(levels[k]).toBeGreaterThan(levels[k - 1]);
      expect(levels[k] / levels[k - 1]).toBeCloseTo(ratio, 10);
    }
    // Two decades in 12 bands: each band is 10^(2/12) wide.
    expect(ratio).toBeCloseTo(10 ** (2 / 12), 10);
  });

  test("lossLevels(domain, {scale: 'linear'}) has equal steps", () => {
    const levels = lossLevels([1, 3], {scale: "linear", count: 4});
    expect(levels).toEqual([1, 1.5, 2, 2.5, 3]);
  });

  test("lossLevels stays finite and increasing on degenerate domains", () => {
    for (const domain of [
      [0, 1],
      [-1, 2],
      [0.5, 0.5],
      [NaN, NaN],
      [3, 1]
    ] as [number, number][]) {
      for (const scale of ["log", "linear"] as const) {
        const levels = lossLevels(domain, {scale, count: 5});
        expect(levels.every(Number.isFinite), `${domain} ${scale}`).toBe(true);
        for (let k = 1; k < levels.length; ++k) expect(levels[k]).toBeGreaterThan(levels[k - 1]);
        if (scale === "log") expect(levels[0]).toBeGreaterThan(0);
      }
    }
  });

  test("the log levels of a grid's domain cover the grid's range, and the map draws one band per level", () => {
    const grid = bowl();
    const [lo, hi] = landscapeDomain([grid]);
    expect(lo).toBeCloseTo(0.1, 6);
    expect(hi).toBeCloseTo(0.1 + 1 + 8, 5);
    const levels = lossLevels([lo, hi], {count: 7});
    for (const v of grid.values) {
      expect(v).toBeGreaterThanOrEqual(levels[0]);
      expect(v).toBeLessThanOrEqual(levels[levels.length - 1]);
    }
    const contour = LossContour(data(grid), {document, levels: 7});
    const bands = [...contour.querySelectorAll(".bands path")];
    expect(bands).toHaveLength(7);
    expect(bands[0].getAttribute("data-level")).toBe("0.1");
    // The lowest band holds every cell: its outline is the whole grid.
    expect(bands[0].getAttribute("d")).toMatch(/^M.*Z$/);
    // Colours run from dark to light along the ramp.
    expect(bands[0].getAttribute("fill")).toBe(landscapeRamp(0.5 / 7));
    expect(bands[6].getAttribute("fill")).toBe(landscapeRamp(6.5 / 7));
  });

  test("landscapeDomain covers several grids, skips non-finite values and (log) non-positive ones", () => {
    const a = bowl();
    const b = bowl();
    b.values = Float32Array.from(b.values, (v) => 3 * v);
    b.values[0] = NaN;
    b.values[1] = 0;
    const [lo, hi] = landscapeDomain([a, b, null]);
    expect(lo).toBeCloseTo(0.1, 6);
    expect(hi).toBeCloseTo(3 * 9.1, 4);
    expect(landscapeDomain([b], {scale: "linear"})[0]).toBe(0);
    expect(landscapeDomain([])).toEqual([NaN, NaN]);
  });

  test("landscapeRamp runs dark to light (a sequential ramp) and clamps t", () => {
    const lightness = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let previous = -1;
    for (let k = 0; k <= 10; ++k) {
      const l = lightness(landscapeRamp(k / 10));
      expect(l).toBeGreaterThan(previous);
      previous = l;
    }
    expect(landscapeRamp(-1)).toBe(landscapeRamp(0));
    expect(landscapeRamp(2)).toBe(landscapeRamp(1));
    expect(landscapeRamp(0)).toBe("#440154");
  });

  test("two maps with the same domain option draw the same levels and colours whatever their own data", () => {
    const flat = bowl();
    const sharp = bowl();
    sharp.values = Float32Array.from(sharp.values, (v) => 4 * v);
    const domain = landscapeDomain([flat, sharp]);
    const left = LossContour(data(flat), {document, domain});
    const right = LossContour(data(sharp), {document, domain});
    const bands = (c: Element) =>
      [...c.querySelectorAll(".bands path")].map((p) => `${p.getAttribute("data-level")} ${p.getAttribute("fill")}`);
    expect(bands(left)).toEqual(bands(right));
    // The flat map's own levels would differ.
    expect(bands(LossContour(data(flat), {document}))).not.toEqual(bands(left));
  });
});

describe("grid helpers", () => {
  test("gridSize throws a short message when values do not hold n_b × n_a numbers", () => {
    const grid = bowl();
    grid.values = new Float32Array(19);
    expect(() => gridSize(grid)).toThrow("invalid grid: 19 values for 4 × 5 (n_b × n_a) points");
    expect(() => LossContour(data(grid), {document})).toThrow(/invalid grid/);
  });

  test("gridMinima finds the lowest cell and, with {local}, every cell below its neighbours", () => {
    const grid = bowl();
    expect(gridMinima(grid).global).toMatchObject({i: 2, j: 1, a: 0, b: 0});
    expect(gridMinima(grid).global!.value).toBeCloseTo(0.1, 6);
    expect(gridMinima(grid).local).toEqual([]);
    // A second dip at (i 4, j 3), higher than the global minimum.
    grid.values[3 * 5 + 4] = 0.5;
    const {global, local} = gridMinima(grid, {local: true});
    expect(global).toMatchObject({i: 2, j: 1});
    expect(local.map((c) => [c.i, c.j])).toEqual([
      [2, 1],
      [4, 3]
    ]);
    expect(gridMinima(grid, {local: true, max: 1}).local).toHaveLength(1);
  });

  test("gridMinima skips non-finite cells and gives null for a grid without values", () => {
    const grid = bowl();
    grid.values[1 * 5 + 2] = NaN;
    expect(gridMinima(grid).global).toMatchObject({i: 1, j: 1});
    grid.values.fill(NaN);
    expect(gridMinima(grid).global).toBeNull();
  });

  test("gridValueAt is exact on samples and bilinear between them", () => {
    const grid = bowl();
    expect(gridValueAt(grid, 0, 0)).toBeCloseTo(0.1, 6);
    expect(gridValueAt(grid, 1, 2)).toBeCloseTo(9.1, 5);
    // Mid-cell: the mean of the four corners.
    const corners = [
      [0, 0],
      [0.5, 0],
      [0, 1],
      [0.5, 1]
    ].map(([a, b]) => 0.1 + a * a + 2 * b * b);
    expect(gridValueAt(grid, 0.25, 0.5)).toBeCloseTo(corners.reduce((s, v) => s + v, 0) / 4, 5);
    // Outside the grid the value is clamped to its edge.
    expect(gridValueAt(grid, 5, 0)).toBeCloseTo(gridValueAt(grid, 1, 0), 6);
  });

  test("gridValueAt is NaN next to a missing sample, but exact on a sample whose neighbour is missing", () => {
    const grid = bowl();
    grid.values[1 * 5 + 3] = NaN; // (a 0.5, b 0)
    expect(gridValueAt(grid, 0.25, 0)).toBeNaN();
    expect(gridValueAt(grid, 0, 0)).toBeCloseTo(0.1, 6);
  });

  test("currentPoint is data.current, else the trajectory's last finite point", () => {
    const d = data();
    expect(currentPoint(d)).toEqual({a: 0.25, b: 0.25});
    d.trajectory!.a = Float32Array.from([-1, -0.5, NaN]);
    expect(currentPoint(d)).toEqual({a: -0.5, b: 1});
    expect(currentPoint({...d, current: {a: 0.5, b: -1}})).toEqual({a: 0.5, b: -1});
    expect(currentPoint(null)).toBeNull();
  });
});

describe("plane caption and axes", () => {
  test("planeCaption always names the plane", () => {
    expect(planeCaption({...data(), trajectory: undefined})).toEqual([
      "Plane: two filter-normalised random directions"
    ]);
    expect(planeCaption(null)).toEqual(["No landscape yet."]);
  });

  test("planeCaption gives a PCA plane's explained variance of both axes", () => {
    const lines = planeCaption({grid: bowl(), plane: pca});
    expect(lines).toEqual([
      "Plane: PCA of the trajectory",
      "PCA of the trajectory: PC1 explains 82.3 %, PC2 11.4 % of its variance (93.7 % together)"
    ]);
    expect(planeCaption({grid: bowl(), plane: {kind: "pca", label: "PCA"}})[1]).toMatch(/not given/);
  });

  test("planeCaption says how far the trajectory lies off the plane (largest and current)", () => {
    const d = data();
    expect(planeCaption(d)[1]).toBe("Trajectory projected on the plane: off the plane by up to 0.5, now 0.25");
    d.trajectory!.relativeResidual = Float32Array.from([0, 0.125, 0.0625]);
    expect(planeCaption(d)[1]).toBe(
      "Trajectory projected on the plane: off the plane by up to 0.5 (12.5 % of its displacement), now 0.25"
    );
    d.trajectory!.residual = 0.3;
    d.trajectory!.relativeResidual = undefined;
    expect(planeCaption(d)[1]).toBe("Trajectory projected on the plane: off the plane by up to 0.3");
  });

  test("planeAxes derives axis titles from the plane's kind unless the plane names them", () => {
    expect(planeAxes(data().plane)).toEqual([
      "random filter-normalised direction 1",
      "random filter-normalised direction 2"
    ]);
    expect(planeAxes(pca)).toEqual(["PC1 (82.3 % of variance)", "PC2 (11.4 % of variance)"]);
    expect(planeAxes({kind: "other", label: "my plane", axes: ["u", "v"]})).toEqual(["u", "v"]);
    expect(planeAxes({kind: "other", label: "my plane"})).toEqual(["my plane: axis 1", "my plane: axis 2"]);
  });

  test("LossContour shows the caption, the axis titles and, for PCA, the explained variance in caption and description", () => {
    const contour = LossContour({...data(), plane: pca}, {document, width: 600});
    const caption = contour.querySelector(".caption")!.textContent!;
    expect(caption).toContain("Plane: PCA of the trajectory");
    expect(caption).toContain("PC1 explains 82.3 %, PC2 11.4 %");
    expect(contour.querySelector(".losslab-axis-x .label")!.textContent).toBe("PC1 (82.3 % of variance)");
    expect(contour.querySelector(".losslab-axis-y .label")!.textContent).toBe("PC2 (11.4 % of variance)");
    const desc = contour.querySelector("desc")!.textContent!;
    expect(desc).toContain("PC1 explains 82.3 %");
    expect(desc).toContain("log-scaled levels");
    expect(contour.querySelector(".ramp-label")!.textContent).toBe("loss (log-scaled levels)");
  });

  test("a long caption wraps inside a narrow figure", () => {
    const contour = LossContour({...data(), plane: pca}, {document, width: 300});
    const lines = [...contour.querySelectorAll(".caption text")];
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line.textContent!.length * 6).toBeLessThanOrEqual(300 - 58 + 10);
  });
});

describe("LossContour", () => {
  test("update() with a new grid keeps every node: bands, trajectory, markers, caption and axes", () => {
    const contour = LossContour(data(), {document});
    const selector = [
      ".bands path",
      "path.trajectory",
      "path.trajectory-halo",
      "circle.start",
      "circle.current",
      ".minima g",
      ".caption text",
      ".losslab-axis-x .tick",
      ".legend g.item",
      ".ramp-bands rect",
      ".readout"
    ].join(", ");
    const before = [...contour.querySelectorAll(selector)];
    const bandD = contour.querySelector(".bands path:nth-child(3)")!.getAttribute("d");
    const next = bowl();
    next.values = Float32Array.from(next.values, (v, k) => v * (1 + 0.1 * (k % 3)));
    expect(contour.update(data(next))).toBe(contour);
    const after = [...contour.querySelectorAll(selector)];
    expect(after).toHaveLength(before.length);
    after.forEach((node, k) => expect(node).toBe(before[k]));
    expect(contour.querySelector(".bands path:nth-child(3)")!.getAttribute("d")).not.toBe(bandD);
  });

  test("a trajectory-only update (same grid object) keeps the bands untouched and moves the current point", () => {
    const grid = bowl();
    const contour = LossContour(data(grid), {document});
    const bands = [...contour.querySelectorAll(".bands path")];
    const shapes = bands.map((p) => p.getAttribute("d"));
    const now = contour.querySelector("circle.current")!;
    const cx = now.getAttribute("cx");
    // Mutating the grid in place proves the bands are not recomputed: an in-place change is not seen.
    grid.values.fill(5);
    const d = data(grid);
    // (Same caption lines, so the same layout: a caption that grows moves the map and redraws the bands.)
    d.trajectory = {
      a: Float32Array.from([-1, 0.5]),
      b: Float32Array.from([2, -1]),
      residual: Float32Array.from([0, 0.5])
    };
    contour.update(d);
    const after = [...contour.querySelectorAll(".bands path")];
    after.forEach((p, k) => {
      expect(p).toBe(bands[k]);
      expect(p.getAttribute("d")).toBe(shapes[k]);
    });
    expect(contour.querySelector("circle.current")).toBe(now);
    expect(now.getAttribute("cx")).not.toBe(cx);
    // Two points: one move and one line segment.
    expect(contour.querySelector("path.trajectory")!.getAttribute("d")).toMatch(/^M[\d.,]+L[\d.,]+$/);
    // A new grid object (same buffer) is redrawn.
    contour.update({...d, grid: {...grid}});
    expect([...contour.querySelectorAll(".bands path")].map((p) => p.getAttribute("d"))).not.toEqual(shapes);
  });

  test("the trajectory polyline breaks at non-finite points; the start and current markers sit at its ends", () => {
    const d = data();
    d.trajectory!.a = Float32Array.from([-1, NaN, -0.5, 0.25]);
    d.trajectory!.b = Float32Array.from([2, 0, 1, 0.25]);
    const contour = LossContour(d, {document});
    const path = contour.querySelector("path.trajectory")!.getAttribute("d")!;
    expect(path.match(/M/g)).toHaveLength(2);
    const start = contour.querySelector("circle.start")!;
    expect(path.startsWith(`M${start.getAttribute("cx")},${start.getAttribute("cy")}`)).toBe(true);
    const now = contour.querySelector("circle.current")!;
    expect(path.endsWith(`L${now.getAttribute("cx")},${now.getAttribute("cy")}`)).toBe(true);
  });

  test("the grid minimum is marked (and local minima with localMinima), each with a title", () => {
    const grid = bowl();
    grid.values[3 * 5 + 4] = 0.5;
    const contour = LossContour(data(grid), {document});
    expect([...contour.querySelectorAll(".minima g.minimum")].map((g) => g.getAttribute("data-kind"))).toEqual([
      "minimum"
    ]);
    expect(contour.querySelector(".minima title")!.textContent).toBe("grid minimum: a 0, b 0: loss 0.1");
    contour.update(data(grid), {localMinima: true});
    expect([...contour.querySelectorAll(".minima g.minimum")].map((g) => g.getAttribute("data-kind"))).toEqual([
      "minimum",
      "local"
    ]);
    expect(contour.querySelector(".legend-local")).not.toBeNull();
  });

  test("role colours the trajectory and the current point by the arm's colour", () => {
    const contour = LossContour(data(), {document, role: "method"});
    expect(contour.querySelector("path.trajectory")!.getAttribute("stroke")).toBe("#E69F00");
    expect(contour.querySelector("circle.current")!.getAttribute("fill")).toBe("#E69F00");
  });

  test("keyboard: focus shows the current point's cell, arrows move cell by cell (Shift: five), Home goes to the minimum", () => {
    const contour = LossContour(data(), {document});
    const map = contour.querySelector(".map")!;
    expect(map.getAttribute("tabindex")).toBe("0");
    expect(readoutText(contour)).toBeNull();
    map.dispatchEvent(new window.FocusEvent("focus"));
    // The current point (0.25, 0.25) is nearest the cell (a 0.5, b 0) — ties round up.
    expect(readoutText(contour)).toBe("a 0.5, b 0: loss 0.35");
    expect(key(map, "ArrowUp").defaultPrevented).toBe(true);
    expect(readoutText(contour)).toBe("a 0.5, b 1: loss 2.35");
    key(map, "ArrowLeft");
    expect(readoutText(contour)).toBe("a 0, b 1: loss 2.1");
    key(map, "ArrowLeft", {shiftKey: true});
    expect(readoutText(contour)).toBe("a −1, b 1: loss 3.1");
    key(map, "ArrowDown", {shiftKey: true});
    expect(readoutText(contour)).toBe("a −1, b −1: loss 3.1");
    key(map, "Home");
    expect(readoutText(contour)).toBe("a 0, b 0: loss 0.1");
    key(map, "End");
    expect(readoutText(contour)).toBe("a 0.5, b 0: loss 0.35");
    const cursor = contour.querySelector("rect.cursor")!;
    expect(cursor.getAttribute("display")).toBeNull();
    key(map, "Escape");
    expect(readoutText(contour)).toBeNull();
    expect(key(map, "x").defaultPrevented).toBe(false);
    map.dispatchEvent(new window.FocusEvent("blur"));
    expect(readoutText(contour)).toBeNull();
    expect(contour.querySelector(".readout")!.getAttribute("aria-live")).toBe("polite");
  });

  test("the keyboard cursor survives an update and follows a smaller grid", () => {
    const contour = LossContour(data(), {document});
    const map = contour.querySelector(".map")!;
    map.dispatchEvent(new window.FocusEvent("focus"));
    key(map, "ArrowRight", {shiftKey: true});
    expect(readoutText(contour)).toBe("a 1, b 0: loss 1.1");
    const small: LandscapeGrid = {values: Float32Array.from([1, 2, 3, 4]), a: [0, 1], b: [0, 1]};
    contour.update(data(small));
    // Column 4 and row 1 clamp to column 1 and row 1 of the 2 × 2 grid.
    expect(readoutText(contour)).toBe("a 1, b 1: loss 4");
  });

  test("toRows gives the grid cells (a, b, loss) and the trajectory (step, a, b, residual)", () => {
    const contour = LossContour(data(), {document});
    const rows = contour.toRows();
    expect(rows).toHaveLength(20 + 3);
    expect(rows[0]).toEqual({kind: "grid", step: null, a: -1, b: -1, loss: 3.1, residual: null});
    expect(rows[7]).toEqual({kind: "grid", step: null, a: 0, b: 0, loss: 0.1, residual: null});
    expect(rows[21]).toEqual({kind: "trajectory", step: 10, a: -0.5, b: 1, loss: null, residual: 0.5});
  });

  test("toSVG is standalone markup that parses as SVG", () => {
    const contour = LossContour({...data(), plane: pca}, {document});
    const markup = contour.toSVG();
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new window.DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.localName).toBe("svg");
    expect(parsed.querySelectorAll(".bands path").length).toBe(12);
    expect(parsed.querySelector(".caption")!.textContent).toContain("PC1 explains 82.3 %");
  });

  test("null data draws an empty, captioned frame; update fills it and null empties it again", () => {
    const contour = LossContour(null, {document});
    expect(contour.querySelectorAll(".bands path")).toHaveLength(0);
    expect(contour.querySelector(".caption")!.textContent).toBe("No landscape yet.");
    expect(contour.querySelector("desc")!.textContent).toMatch(/no grid yet/);
    expect(contour.querySelector("circle.current")!.getAttribute("display")).toBe("none");
    expect(contour.toRows()).toEqual([]);
    const map = contour.querySelector(".map")!;
    map.dispatchEvent(new window.FocusEvent("focus"));
    key(map, "ArrowUp");
    expect(readoutText(contour)).toBeNull();
    contour.update(data());
    expect(contour.querySelectorAll(".bands path")).toHaveLength(12);
    contour.update(null);
    expect(contour.querySelectorAll(".bands path")).toHaveLength(0);
    expect(contour.querySelector("path.trajectory")!.getAttribute("display")).toBe("none");
  });

  test("destroy() releases the listeners and the tab stop; later updates do nothing", () => {
    const contour = LossContour(data(), {document});
    const map = contour.querySelector(".map")!;
    contour.destroy();
    expect(map.getAttribute("tabindex")).toBeNull();
    map.dispatchEvent(new window.FocusEvent("focus"));
    expect(key(map, "ArrowUp").defaultPrevented).toBe(false);
    expect(readoutText(contour)).toBeNull();
    const d = contour.querySelector("path.trajectory")!.getAttribute("d");
    contour.update({...data(), trajectory: {a: [0], b: [0]}});
    expect(contour.querySelector("path.trajectory")!.getAttribute("d")).toBe(d);
  });
});
