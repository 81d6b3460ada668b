import {describe, expect, test} from "vitest";
import {downsampleMinMax, gap} from "../../../../components/internal/downsample.js";
import {random} from "../../../../src/random.js";

function range(n: number): Float64Array {
  return Float64Array.from({length: n}, (_, i) => i);
}

describe("downsampleMinMax", () => {
  test("downsampleMinMax(x, y, {buckets}) keeps every point when each column holds at most two", () => {
    const x = range(40);
    const y = x.map((v) => Math.sin(v));
    expect([...downsampleMinMax(x, y, {x0: 0, x1: 40, buckets: 20})]).toEqual([...range(40)]);
  });

  test("downsampleMinMax keeps each column's first, lowest, highest and last point in order", () => {
    const x = range(10);
    const y = [5, 7, 1, 9, 3, 4, 8, 0, 6, 2];
    // Two columns: indices 0–4 and 5–9.
    expect([...downsampleMinMax(x, y, {x0: 0, x1: 10, buckets: 2})]).toEqual([0, 2, 3, 4, 5, 6, 7, 9]);
  });

  test("downsampleMinMax keeps the extremes of every column of a long noisy series", () => {
    const rng = random("downsample");
    const n = 100_000;
    const buckets = 500;
    const x = range(n);
    const y = Float64Array.from({length: n}, () => rng.normal());
    y[31_415] = 50;
    y[27_182] = -50;
    const kept = downsampleMinMax(x, y, {x0: 0, x1: n, buckets});
    expect(kept.length).toBeLessThanOrEqual(4 * buckets);
    expect([...kept]).toContain(31_415);
    expect([...kept]).toContain(27_182);
    for (let b = 0; b < buckets; b += 37) {
      const lo = (b * n) / buckets;
      const hi = ((b + 1) * n) / buckets;
      const column = [...kept].filter((i) => i >= lo && i < hi);
      const values = y.slice(lo, hi);
      expect(Math.min(...column.map((i) => y[i]))).toBe(Math.min(...values));
      expect(Math.max(...column.map((i) => y[i]))).toBe(Math.max(...values));
    }
    // Indices stay increasing, so the line is drawn in order.
    for (let i = 1; i < kept.length; ++i) expect(kept[i]).toBeGreaterThan(kept[i - 1]);
  });

  test("downsampleMinMax marks one gap per run of undefined values and none at the ends", () => {
    const x = range(9);
    const y = [NaN, 1, 2, NaN, Infinity, 3, 4, NaN, NaN];
    expect([...downsampleMinMax(x, y, {x0: 0, x1: 9, buckets: 9})]).toEqual([1, 2, gap, 5, 6]);
  });

  test("downsampleMinMax({defined}) treats values the predicate rejects as gaps (log scale: y ≤ 0)", () => {
    const x = range(5);
    const y = [1, 0.1, 0, 0.01, -1];
    const defined = (v: number) => v > 0;
    expect([...downsampleMinMax(x, y, {x0: 0, x1: 5, buckets: 5, defined})]).toEqual([0, 1, gap, 3]);
  });

  test("downsampleMinMax gathers points left and right of the domain into one column each", () => {
    const x = range(100);
    const y = x.map((v) => (v % 2 ? v : -v));
    const kept = [...downsampleMinMax(x, y, {x0: 40, x1: 60, buckets: 20})];
    expect(kept.filter((i) => i < 40).length).toBeLessThanOrEqual(4);
    expect(kept.filter((i) => i >= 60).length).toBeLessThanOrEqual(4);
    expect(kept.filter((i) => i >= 40 && i < 60)).toEqual([...range(20)].map((i) => 40 + i));
  });

  test("downsampleMinMax of an empty series is empty", () => {
    expect(downsampleMinMax([], [], {x0: 0, x1: 1, buckets: 10})).toHaveLength(0);
  });
});
