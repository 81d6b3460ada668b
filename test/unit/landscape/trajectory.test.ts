import {describe, expect, test} from "vitest";
import {projectTrajectory} from "../../../src/landscape/trajectory.js";
import {paramDot, paramNorm, planePoint} from "../../../src/landscape/params.js";
import {random} from "../../../src/random.js";
import {useCpuBackend} from "../../util/backend.js";
import {expectClose} from "../../util/close.js";

useCpuBackend();

const P = 50;
function gaussian(seed: number): Float64Array {
  const rng = random(seed);
  return Float64Array.from({length: P}, () => rng.normal());
}
// A skewed plane: d2 is far from orthogonal to d1 and longer.
const origin = gaussian(1);
const d1 = gaussian(2);
const d2 = gaussian(3).map((x, i) => 3 * x + 2 * d1[i]);
const plane = {origin, d1, d2};
const coords = [
  [0, 0],
  [1, 0],
  [0, 1],
  [-0.7, 2.5],
  [3.25, -1.5]
];

describe("projectTrajectory(points, plane)", () => {
  test("points that lie in the plane project to their exact coordinates, with residual ≈ 0", () => {
    const points = coords.map(([a, b]) => planePoint(origin, a, d1, b, d2));
    const p = projectTrajectory(points, plane);
    expectClose(
      p.a,
      coords.map((c) => c[0]),
      {rtol: 0, atol: 1e-12}
    );
    expectClose(
      p.b,
      coords.map((c) => c[1]),
      {rtol: 0, atol: 1e-12}
    );
    for (const r of p.residual) expect(r).toBeLessThan(1e-12);
    for (const r of p.relativeResidual) expect(r).toBeLessThan(1e-12);
  });
  test("off-plane points keep their in-plane coordinates and report their distance to the plane", () => {
    // n ⟂ d1, d2 with ‖n‖ = 1.
    let n = gaussian(4);
    const e1 = d1.map((x) => x / paramNorm(d1));
    const r2 = d2.map((x, i) => x - paramDot(d2, e1) * e1[i]);
    const e2 = r2.map((x) => x / paramNorm(r2));
    n = n.map((x, i) => x - paramDot(n, e1) * e1[i] - paramDot(n, e2) * e2[i]);
    n = n.map((x) => x / paramNorm(n));
    const offsets = [0.7, 0, 2, 0.1, 5];
    const points = coords.map(([a, b], t) => planePoint(origin, a, d1, b, d2).map((x, i) => x + offsets[t] * n[i]));
    const p = projectTrajectory(points, plane);
    expectClose(
      p.a,
      coords.map((c) => c[0]),
      {rtol: 0, atol: 1e-10}
    );
    expectClose(
      p.b,
      coords.map((c) => c[1]),
      {rtol: 0, atol: 1e-10}
    );
    expectClose(p.residual, offsets, {rtol: 1e-9, atol: 1e-10});
    // The second point is θ = origin + d1 + 0: no displacement off the plane.
    expect(p.relativeResidual[1]).toBeLessThan(1e-12);
    expect(p.relativeResidual[0]).toBeCloseTo(1, 12); // at the origin plus a pure normal offset
  });
  test("a degenerate plane is refused", () => {
    expect(() => projectTrajectory([origin], {origin, d1, d2: d1.map((x) => 2 * x)})).toThrow(/parallel/);
    expect(() => projectTrajectory([origin], {origin, d1: new Float64Array(P), d2})).toThrow(/d1 = 0/);
  });
});
