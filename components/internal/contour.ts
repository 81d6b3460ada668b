import type {GridSpec} from "../../src/train/train.js";
import {px} from "./format.js";

/** The trainer's evaluation grid: cell (i, j) is column i, row j, row 0 at the top (one definition, in src/train). */
export type Grid = GridSpec;

/** A MultiPolygon as d3-contour returns it: polygons of rings of [x, y] points in grid units. */
export type ContourCoordinates = number[][][][];

/**
 * Maps d3-contour's grid units to plot coordinates. d3-contour puts the sample of cell (i, j) at
 * (i + ½, j + ½) and the grid's outer edge at 0 and nx (ny), which is exactly our cell layout: grid
 * x gx ↦ x0 + gx (x1 − x0)/nx, and grid y gy ↦ y1 − gy (y1 − y0)/ny because row 0 is the top row.
 * The data coordinates then go through the plot's scales.
 */
export function gridToPlot(
  grid: Grid,
  x: (value: number) => number,
  y: (value: number) => number
): (gx: number, gy: number) => [number, number] {
  const dx = (grid.x1 - grid.x0) / grid.nx;
  const dy = (grid.y1 - grid.y0) / grid.ny;
  return (gx, gy) => [x(grid.x0 + gx * dx), y(grid.y1 - gy * dy)];
}

/**
 * An SVG path for contour lines. d3-contour closes every ring along the grid's outer edge (it treats
 * outside values as −∞), which would draw the frame of the plot as part of the contour; this drops
 * every segment that touches the edge and instead carries the open line's ends straight on to the
 * edge (they stop half a cell inside it, at the outermost samples). Rings that never touch the edge
 * stay closed.
 */
export function contourPath(
  coordinates: ContourCoordinates,
  grid: Pick<Grid, "nx" | "ny">,
  transform: (gx: number, gy: number) => [number, number]
): string {
  const {nx, ny} = grid;
  const onEdge = (p: number[]): boolean => p[0] <= 0 || p[0] >= nx || p[1] <= 0 || p[1] >= ny;
  let path = "";
  for (const polygon of coordinates) {
    for (const ring of polygon) {
      // d3-contour repeats the first point at the end of a ring.
      const n = ring.length - 1;
      if (n < 2) continue;
      const start = ring.findIndex(onEdge);
      if (start < 0) {
        for (let i = 0; i < n; ++i) {
          const [x, y] = transform(ring[i][0], ring[i][1]);
          path += `${i === 0 ? "M" : "L"}${px(x)},${px(y)}`;
        }
        path += "Z";
        continue;
      }
      // Walk once around the ring from an edge point, emitting runs of at least two interior points.
      let run: number[][] = [];
      for (let step = 1; step <= n; ++step) {
        const p = ring[(start + step) % n];
        if (!onEdge(p)) run.push(p);
        if (onEdge(p) || step === n) {
          if (run.length > 1) {
            extendToEdge(run, nx, ny);
            run.forEach(([gx, gy], i) => {
              const [x, y] = transform(gx, gy);
              path += `${i === 0 ? "M" : "L"}${px(x)},${px(y)}`;
            });
          }
          run = [];
        }
      }
    }
  }
  return path;
}

// Extends both ends of an open line along its end segment until it meets the grid's outer edge, when
// the edge is at most one cell away (farther, the straight extension would be a guess).
function extendToEdge(run: number[][], nx: number, ny: number): void {
  const end = (p: number[], q: number[]): number[] | null => {
    const length = Math.hypot(p[0] - q[0], p[1] - q[1]);
    if (length === 0) return null;
    const dx = (p[0] - q[0]) / length;
    const dy = (p[1] - q[1]) / length;
    let t = Infinity;
    if (dx > 0) t = Math.min(t, (nx - p[0]) / dx);
    if (dx < 0) t = Math.min(t, -p[0] / dx);
    if (dy > 0) t = Math.min(t, (ny - p[1]) / dy);
    if (dy < 0) t = Math.min(t, -p[1] / dy);
    return t > 0 && t <= 1 ? [p[0] + t * dx, p[1] + t * dy] : null;
  };
  const n = run.length;
  const head = end(run[0], run[1]);
  const tail = end(run[n - 1], run[n - 2]);
  if (tail) run.push(tail);
  if (head) run.unshift(head);
}
