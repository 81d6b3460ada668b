import {describe, expect, test} from "vitest";
import {classCounts, imbalancedCounts} from "../../../src/datasets/dataset.js";
import {shapes, toy2d} from "../../../src/datasets/toy2d.js";

describe("toy2d(options)", () => {
  for (const shape of shapes) {
    test(`${shape}: is seeded, finite, and splits into disjoint train/test ids`, () => {
      const a = toy2d({shape, n: 200, seed: 3});
      const b = toy2d({shape, n: 200, seed: 3});
      expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
      expect(a.train.n + a.test.n).toBe(200);
      expect(Array.from(a.train.x).every(Number.isFinite)).toBe(true);
      const ids = new Set([...a.train.ids, ...a.test.ids]);
      expect(ids.size).toBe(200);
      expect(Math.max(...a.train.x.map(Math.abs))).toBeLessThan(4);
    });
  }
  test("a different seed gives different points", () => {
    expect(Array.from(toy2d({seed: 1}).train.x.slice(0, 4))).not.toEqual(
      Array.from(toy2d({seed: 2}).train.x.slice(0, 4))
    );
  });
  test("binary shapes have two classes whatever is asked", () => {
    expect(toy2d({shape: "moons", classes: 5}).classes).toBe(2);
  });
  test("the split is stratified: every class is in the test split", () => {
    const d = toy2d({classes: 5, n: 300, imbalance: 10, seed: 1});
    expect(classCounts(d.test.y, 5).every((c) => c > 0)).toBe(true);
  });
  test("imbalance sets the ratio of the largest to the smallest class", () => {
    const counts = imbalancedCounts(1000, 4, 10);
    expect(counts[0] / counts[3]).toBeCloseTo(10, 0);
    expect(counts[0]).toBeGreaterThan(counts[1]);
    const d = toy2d({classes: 4, n: 1000, imbalance: 10, testFraction: 0});
    const c = classCounts(d.train.y, 4);
    expect(c[0] / c[3]).toBeCloseTo(10, 0);
  });
  test("symmetric label noise corrupts exactly the requested share of training labels, to other classes", () => {
    const d = toy2d({n: 1000, classes: 3, labelNoise: 0.4, seed: 2});
    expect(d.noiseRate).toBeCloseTo(0.4, 2);
    let changed = 0;
    for (let i = 0; i < d.train.n; ++i) if (d.train.y[i] !== d.train.yClean[i]) changed++;
    expect(changed).toBe(Math.round(0.4 * d.train.n));
    expect(Array.from(d.test.y)).toEqual(Array.from(d.test.yClean));
  });
  test("class-dependent (pairflip) noise maps class k to k + 1 mod C", () => {
    const d = toy2d({n: 600, classes: 3, labelNoise: 0.3, labelNoiseKind: "pairflip", seed: 4});
    for (let i = 0; i < d.train.n; ++i) {
      if (d.train.y[i] !== d.train.yClean[i]) expect(d.train.y[i]).toBe((d.train.yClean[i] + 1) % 3);
    }
  });
  test("label noise leaves the inputs unchanged", () => {
    const clean = toy2d({seed: 9});
    const noisy = toy2d({seed: 9, labelNoise: 0.5});
    expect(Array.from(noisy.train.x)).toEqual(Array.from(clean.train.x));
    expect(Array.from(noisy.train.yClean)).toEqual(Array.from(clean.train.y));
  });
  test("bad options throw with the value", () => {
    expect(() => toy2d({n: 2})).toThrow("invalid n: 2");
    expect(() => toy2d({shape: "stars" as never})).toThrow("invalid shape: stars");
    expect(() => toy2d({labelNoise: 1.5})).toThrow("invalid label noise rate: 1.5");
  });
});
