import {describe, expect, test} from "vitest";
import {hash32, random} from "../../src/random.js";

describe("random(seed)", () => {
  test("the same seed gives the same stream", () => {
    expect(Array.from(random(7).uniforms(5))).toEqual(Array.from(random(7).uniforms(5)));
  });
  test("different seeds give different streams", () => {
    expect(Array.from(random(7).uniforms(5))).not.toEqual(Array.from(random(8).uniforms(5)));
  });
  test("the first values are pinned, so any change to the generator is visible", () => {
    const r = random(1);
    expect([r.uniform(), r.uniform(), r.int(10), r.normal()].map((v) => +v.toFixed(6))).toMatchInlineSnapshot(`
      [
        0.072414,
        0.119774,
        2,
        0.344151,
      ]
    `);
  });
  test("fork(label) depends on the seed and label only, not on how much was drawn", () => {
    const a = random(3);
    const b = random(3);
    b.uniforms(100);
    expect(Array.from(a.fork("init").uniforms(4))).toEqual(Array.from(b.fork("init").uniforms(4)));
    expect(Array.from(a.fork("init").uniforms(4))).not.toEqual(Array.from(a.fork("data").uniforms(4)));
  });
  test("uniform() lies in [0, 1) with mean ≈ ½", () => {
    const u = random(5).uniforms(20000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((a, b) => a + b, 0) / u.length).toBeCloseTo(0.5, 2);
  });
  test("normal() has mean ≈ 0 and variance ≈ 1", () => {
    const z = random(6).normals(40000);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });
  test("permutation(n) contains every index once", () => {
    const p = random(2).permutation(50);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({length: 50}, (_, i) => i));
  });
  test("int(n) rejects a non-positive range", () => {
    expect(() => random(1).int(0)).toThrow("invalid range for int: 0");
  });
  test("hash32 spreads nearby strings", () => {
    expect(hash32("a")).not.toBe(hash32("b"));
    expect(hash32("seed/1")).toBe(hash32("seed/1"));
  });
});
