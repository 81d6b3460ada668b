import {contours} from "d3-contour";
import {scaleLinear} from "d3-scale";
import {describe, expect, test} from "vitest";
import {contourPath, gridToPlot} from "../../../../components/internal/contour.js";

const grid = {nx: 4, ny: 2, x0: -2, x1: 2, y0: 0, y1: 1};
// A 400 × 100 px plot with 10 px margins: the y range is inverted (data up = screen up).
const x = scaleLinear().domain([-2, 2]).range([10, 410]);
const y = scaleLinear().domain([0, 1]).range([110, 10]);

function points(path: string): number[][] {
  return [...path.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe("gridToPlot", () => {
  test("gridToPlot maps the grid's corners onto the plot's corners, row 0 at the top", () => {
    const transform = gridToPlot(grid, x, y);
    expect(transform(0, 0)).toEqual([10, 10]);
    expect(transform(4, 2)).toEqual([410, 110]);
    expect(transform(4, 0)).toEqual([410, 10]);
  });

  test("gridToPlot puts cell (i, j)'s sample, at grid (i + ½, j + ½), on the cell centre", () => {
    const transform = gridToPlot(grid, x, y);
    // Cell (1, 0): x ∈ [−1, 0], top row y ∈ [0.5, 1] → centre (−0.5, 0.75).
    expect(transform(1.5, 0.5)).toEqual([x(-0.5), y(0.75)]);
    // Cell (3, 1): x ∈ [1, 2], bottom row y ∈ [0, 0.5] → centre (1.5, 0.25).
    expect(transform(3.5, 1.5)).toEqual([x(1.5), y(0.25)]);
  });
});

describe("contourPath", () => {
  test("contourPath of a left–right ramp is one vertical line at the crossing, off the plot's frame", () => {
    // value = column index in every row; the 1.5 level lies between columns 1 and 2, at x = 0.
    const values = [0, 1, 2, 3, 0, 1, 2, 3];
    const geometry = contours().size([4, 2]).contour(values, 1.5);
    const path = contourPath(geometry.coordinates, grid, gridToPlot(grid, x, y));
    const ps = points(path);
    expect(path.match(/M/g)).toHaveLength(1);
    for (const [px] of ps) expect(px).toBeCloseTo(x(0), 6);
    // Extended to the top and bottom edges of the plot, and nothing along the frame.
    expect(Math.min(...ps.map((p) => p[1]))).toBeCloseTo(10, 6);
    expect(Math.max(...ps.map((p) => p[1]))).toBeCloseTo(110, 6);
  });

  test("contourPath respects row 0 = top: a top–bottom ramp crosses at the data's middle height", () => {
    // Row 0 (top) is high, row 1 (bottom) low: the 0.5 level lies at y = 0.5 in data units.
    const values = [1, 1, 1, 1, 0, 0, 0, 0];
    const geometry = contours().size([4, 2]).contour(values, 0.5);
    const ps = points(contourPath(geometry.coordinates, grid, gridToPlot(grid, x, y)));
    expect(ps.length).toBeGreaterThan(1);
    for (const [, py] of ps) expect(py).toBeCloseTo(y(0.5), 6);
  });

  test("contourPath keeps a ring that never touches the edge closed", () => {
    const values = [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0];
    const geometry = contours().size([4, 3]).contour(values, 0.5);
    const path = contourPath(geometry.coordinates, {nx: 4, ny: 3}, (gx, gy) => [gx, gy]);
    expect(path).toMatch(/^M[^M]*Z$/);
  });

  test("contourPath of a field entirely above the level draws nothing", () => {
    const geometry = contours().size([4, 2]).contour([1, 1, 1, 1, 1, 1, 1, 1], 0.5);
    expect(contourPath(geometry.coordinates, grid, gridToPlot(grid, x, y))).toBe("");
  });
});
