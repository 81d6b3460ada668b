import {describe, expect, test} from "vitest";
import {principalProjection} from "../../../src/metrics/projection.js";

describe("principalProjection", () => {
  test("recovers the axes of an elongated cloud, with a fixed sign", () => {
    // Points spread along (1, 1, 0)/√2 (σ 3) and (1, −1, 0)/√2 (σ 1), none along z.
    const pts: number[] = [];
    for (let i = -5; i <= 5; ++i) {
      for (const t of [-1, 1]) {
        const a = 3 * i,
          b = t;
        pts.push((a + b) / Math.SQRT2 + 2, (a - b) / Math.SQRT2 - 1, 0);
      }
    }
    const out = principalProjection(pts, 3, 2);
    expect(out.length).toBe(44);
    for (let r = 0; r < 22; ++r) {
      const i = Math.floor(r / 2) - 5,
        t = r % 2 ? 1 : -1;
      // The first axis is ±(1, 1, 0)/√2: its largest loading is positive, so the sign is +.
      expect(out[2 * r]).toBeCloseTo(3 * i, 4);
      expect(Math.abs(out[2 * r + 1])).toBeCloseTo(Math.abs(t), 4);
    }
  });
  test("a third axis of a rank-2 cloud is zero; malformed input is refused", () => {
    const out = principalProjection([0, 0, 1, 0, 0, 2, 3, 3], 2, 3);
    expect(out.length).toBe(12);
    for (let r = 0; r < 4; ++r) expect(out[3 * r + 2]).toBe(0);
    expect(() => principalProjection([1, 2, 3], 2)).toThrow(/not rows of 2/);
  });
});
