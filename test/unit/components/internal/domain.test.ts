import {describe, expect, test} from "vitest";
import {autoExtent, niceCeil} from "../../../../components/internal/domain.js";

describe("niceCeil", () => {
  test("niceCeil rounds up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten", () => {
    expect([0.9, 1, 1.01, 1.3, 2.2, 2.7, 3.5, 4.5, 5.5, 7, 9, 11, 0.013].map(niceCeil)).toEqual([
      1, 1, 1.2, 1.5, 2.5, 3, 4, 5, 6, 8, 10, 12, 0.015
    ]);
  });

  test("niceCeil of zero, a negative or a non-finite value is 1", () => {
    expect([0, -3, NaN, Infinity].map(niceCeil)).toEqual([1, 1, 1, 1]);
  });
});

describe("autoExtent", () => {
  test("autoExtent(undefined, maxAbs) starts at a nice bound just above the padded data", () => {
    expect(autoExtent(undefined, 1.8)).toBe(2);
    expect(autoExtent(undefined, 0)).toBe(1);
  });

  test("autoExtent keeps its previous extent while the data move inside the hysteresis band", () => {
    let extent = autoExtent(undefined, 1.8);
    for (const maxAbs of [1.7, 1.82, 1.6, 1.2, 1.01, 1.84]) {
      extent = autoExtent(extent, maxAbs);
      expect(extent).toBe(2);
    }
  });

  test("autoExtent grows with head-room once the data leave the view", () => {
    const grown = autoExtent(2, 1.95);
    expect(grown).toBeGreaterThan(1.95 * 1.08);
    expect(grown).toBe(niceCeil(1.95 * 1.08 * 1.25));
    // … and then holds while the cloud keeps spreading a little.
    expect(autoExtent(grown, 2.1)).toBe(grown);
  });

  test("autoExtent shrinks only when the data fill less than half of the view", () => {
    expect(autoExtent(4, 1.9)).toBe(4);
    expect(autoExtent(4, 1.5)).toBe(niceCeil(1.5 * 1.08));
  });
});
