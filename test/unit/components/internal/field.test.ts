import {describe, expect, test} from "vitest";
import {
  argmaxAt,
  classScore,
  confidence,
  confidenceOpacity,
  fieldOpacity,
  fieldPixels,
  marginFromProbs
} from "../../../../components/internal/field.js";
import {classRgb} from "../../../../components/internal/palette.js";

describe("confidence", () => {
  test("confidence(1/C, C) is 0 and confidence(1, C) is 1 for any class count", () => {
    for (const classes of [2, 3, 10]) {
      expect(confidence(1 / classes, classes)).toBeCloseTo(0, 12);
      expect(confidence(1, classes)).toBe(1);
    }
  });

  test("confidence rescales linearly between chance and certainty and clamps outside", () => {
    expect(confidence(0.5, 3)).toBeCloseTo((0.5 - 1 / 3) / (2 / 3), 12);
    expect(confidence(0.1, 3)).toBe(0);
    expect(confidence(1.2, 3)).toBe(1);
    expect(confidence(0.3, 1)).toBe(1);
  });

  test("confidenceOpacity rises from the faint minimum to the readable maximum", () => {
    expect(confidenceOpacity(0)).toBe(fieldOpacity.min);
    expect(confidenceOpacity(1)).toBe(fieldOpacity.max);
    expect(confidenceOpacity(0.5)).toBeGreaterThan(confidenceOpacity(0.25));
    expect(fieldOpacity.max).toBeLessThanOrEqual(0.5);
  });
});

describe("fieldPixels", () => {
  test("fieldPixels colours each cell by its argmax class with opacity from its confidence", () => {
    // Three cells, three classes: uniform, confident class 2, half-way class 1.
    const probs = Float32Array.from([1 / 3, 1 / 3, 1 / 3, 0, 0, 1, 0.2, 0.6, 0.2]);
    const pixels = fieldPixels(probs, 3, 3);
    expect([...pixels.slice(0, 3)]).toEqual(classRgb(0));
    expect(pixels[3]).toBe(Math.round(255 * fieldOpacity.min));
    expect([...pixels.slice(4, 7)]).toEqual(classRgb(2));
    expect(pixels[7]).toBe(Math.round(255 * fieldOpacity.max));
    expect([...pixels.slice(8, 11)]).toEqual(classRgb(1));
    expect(pixels[11]).toBe(Math.round(255 * confidenceOpacity(confidence(0.6, 3))));
  });

  test("fieldPixels leaves cells without finite probabilities transparent and reuses its buffer", () => {
    const out = new Uint8ClampedArray(8).fill(9);
    const pixels = fieldPixels(Float32Array.from([NaN, NaN, 0.9, 0.1]), 2, 2, out);
    expect(pixels).toBe(out);
    expect([...pixels.slice(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...pixels.slice(4, 7)]).toEqual(classRgb(0));
  });

  test("argmaxAt takes the first of tied classes", () => {
    expect(argmaxAt([0.4, 0.4, 0.2], 0, 3)).toBe(0);
    expect(argmaxAt([9, 0.1, 0.7, 0.2], 1, 3)).toBe(1);
  });
});

describe("marginFromProbs", () => {
  test("marginFromProbs recovers the top-1 minus top-2 logit from softmax probabilities", () => {
    const logits = [2, -1, 0.5];
    const z = logits.map(Math.exp);
    const sum = z.reduce((a, b) => a + b);
    const probs = Float32Array.from(z.map((v) => v / sum));
    expect(marginFromProbs(probs, 3, 1)[0]).toBeCloseTo(1.5, 5);
  });

  test("classScore is positive inside a class's region, negative outside and zero on a tie", () => {
    const probs = [0.7, 0.2, 0.1, 0.2, 0.5, 0.3, 0.45, 0.45, 0.1];
    expect([...classScore(probs, 3, 3, 0)].map((v) => Math.round(v * 100) / 100)).toEqual([0.5, -0.3, 0]);
  });
});
