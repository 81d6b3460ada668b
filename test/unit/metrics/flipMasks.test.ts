import {describe, expect, test} from "vitest";
import {
  flipCellMask,
  flipHistory,
  flippedMask,
  positiveFlippedMask,
  recordFlips
} from "../../../src/metrics/flipMasks.js";
import {flipMatrix, flips} from "../../../src/metrics/flips.js";
import {random} from "../../../src/random.js";

// Hand case (as in flips.test.ts), six samples, three classes:
//   sample   0  1  2  3  4  5
//   label    0  1  2  0  1  2
//   old      0  1  0  0  2  2   → right on 0, 1, 3, 5
//   new      0  2  2  1  1  2   → right on 0, 2, 4, 5
// negative flips: 1 (1 → 2), 3 (0 → 1); positive flips: 2, 4.
const labels = [0, 1, 2, 0, 1, 2];
const oldP = [0, 1, 0, 0, 2, 2];
const newP = [0, 2, 2, 1, 1, 2];

const sum = (mask: Uint8Array) => mask.reduce((a, b) => a + b, 0);

describe("flippedMask", () => {
  test("flippedMask(old, new, labels) marks the samples the old model got right and the new one gets wrong", () => {
    expect([...flippedMask(oldP, newP, labels)]).toEqual([0, 1, 0, 1, 0, 0]);
  });
  test("flippedMask returns a Uint8Array with one entry per sample", () => {
    const mask = flippedMask(Int32Array.from(oldP), Float32Array.from(newP), labels);
    expect(mask).toBeInstanceOf(Uint8Array);
    expect(mask.length).toBe(6);
  });
  test("flippedMask is all zeros when the old model is right nowhere", () => {
    expect([...flippedMask([1, 2, 0], [0, 0, 0], [0, 1, 2])]).toEqual([0, 0, 0]);
  });
  test("flippedMask is all zeros when both models are right everywhere", () => {
    expect([...flippedMask([0, 1, 2], [0, 1, 2], [0, 1, 2])]).toEqual([0, 0, 0]);
  });
  test("flippedMask is all ones when the old model is right everywhere and the new one wrong everywhere", () => {
    expect([...flippedMask([0, 1, 2], [1, 2, 0], [0, 1, 2])]).toEqual([1, 1, 1]);
  });
  test("flippedMask of a single sample", () => {
    expect([...flippedMask([3], [1], [3])]).toEqual([1]);
    expect([...flippedMask([3], [3], [3])]).toEqual([0]);
  });
  test("flippedMask of no samples is empty", () => {
    expect(flippedMask([], [], []).length).toBe(0);
  });
  test("flippedMask sums to N · NFR on random predictions", () => {
    const rng = random("flip-masks");
    const n = 500;
    const draw = () => Array.from({length: n}, () => Math.floor(rng.uniform() * 4));
    const y = draw();
    // Old model right about 70 % of the time, new model 80 %, independently.
    const o = y.map((v, i) => (rng.uniform() < 0.7 ? v : (v + 1 + (i % 3)) % 4));
    const m = y.map((v, i) => (rng.uniform() < 0.8 ? v : (v + 1 + (i % 3)) % 4));
    expect(sum(flippedMask(o, m, y))).toBe(Math.round(flips(o, m, y).negativeFlipRate * n));
    expect(sum(flippedMask(o, m, y))).toBeGreaterThan(0);
  });
  test("flippedMask names the argument whose length is wrong", () => {
    expect(() => flippedMask([0, 1], [0], [0, 1])).toThrow(/flippedMask: newPredictions has 1 entries, expected 2/);
    expect(() => flippedMask([0, 1], [0, 1], [0])).toThrow(/flippedMask: labels has 1 entries/);
  });
  test("flippedMask rejects non-integer class indices", () => {
    expect(() => flippedMask([0, 1.5], [0, 1], [0, 1])).toThrow(/oldPredictions\[1\] = 1.5 is not a class index/);
  });
});

describe("positiveFlippedMask", () => {
  test("positiveFlippedMask(old, new, labels) marks the samples the old model got wrong and the new one right", () => {
    expect([...positiveFlippedMask(oldP, newP, labels)]).toEqual([0, 0, 1, 0, 1, 0]);
  });
  test("positiveFlippedMask and flippedMask never mark the same sample", () => {
    const a = flippedMask(oldP, newP, labels);
    const b = positiveFlippedMask(oldP, newP, labels);
    expect(a.every((v, i) => !(v && b[i]))).toBe(true);
  });
});

describe("flipCellMask", () => {
  test("flipCellMask selects the samples behind an off-diagonal cell", () => {
    expect([...flipCellMask(oldP, newP, labels, {old: 0, new: 1})]).toEqual([0, 0, 0, 1, 0, 0]);
    expect([...flipCellMask(oldP, newP, labels, {old: 1, new: 2})]).toEqual([0, 1, 0, 0, 0, 0]);
  });
  test("flipCellMask selects the samples kept right on a diagonal cell", () => {
    expect([...flipCellMask(oldP, newP, labels, {old: 2, new: 2})]).toEqual([0, 0, 0, 0, 0, 1]);
  });
  test("flipCellMask ignores samples the old model got wrong", () => {
    // Sample 2: label 2, old 0 (wrong), new 2: not in cell {old: 0, new: 2}.
    expect([...flipCellMask(oldP, newP, labels, {old: 0, new: 2})]).toEqual([0, 0, 0, 0, 0, 0]);
  });
  test("flipCellMask sums to the flip matrix's cell for every cell", () => {
    const m = flipMatrix(oldP, newP, labels, 3);
    for (let a = 0; a < 3; ++a) {
      for (let b = 0; b < 3; ++b) expect(sum(flipCellMask(oldP, newP, labels, {old: a, new: b}))).toBe(m[a][b]);
    }
  });
  test("flipCellMask rejects an invalid cell", () => {
    expect(() => flipCellMask(oldP, newP, labels, {old: -1, new: 0})).toThrow(/flipCellMask: invalid cell.old: -1/);
    expect(() => flipCellMask(oldP, newP, labels, {old: 0, new: 0.5})).toThrow(/invalid cell.new: 0.5/);
  });
});

describe("flipHistory and recordFlips", () => {
  test("flipHistory() is empty", () => {
    expect(flipHistory()).toEqual({
      step: [],
      negativeFlipRate: [],
      negativeFlipImpact: [],
      relativeNegativeFlipRate: [],
      positiveFlipRate: []
    });
  });
  test("recordFlips appends the rates of flips() at the step and returns them", () => {
    const history = flipHistory();
    const f = recordFlips(history, 10, oldP, newP, labels);
    expect(f).toEqual(flips(oldP, newP, labels));
    recordFlips(history, 20, oldP, oldP, labels);
    expect(history.step).toEqual([10, 20]);
    expect(history.negativeFlipRate).toEqual([2 / 6, 0]);
    expect(history.positiveFlipRate).toEqual([2 / 6, 0]);
    expect(history.negativeFlipImpact).toEqual([1, 0]);
    expect(history.relativeNegativeFlipRate[0]).toBeCloseTo(1.5, 14);
    // The new model equals the old one: no errors beyond the old model's, no flips.
    expect(history.relativeNegativeFlipRate[1]).toBe(0);
  });
  test("recordFlips with an old model right nowhere records zero negative flips", () => {
    const history = flipHistory();
    recordFlips(history, 0, [1, 2, 0], [0, 1, 2], [0, 1, 2]);
    expect(history.negativeFlipRate).toEqual([0]);
    expect(history.relativeNegativeFlipRate).toEqual([0]);
    expect(history.positiveFlipRate).toEqual([1]);
  });
  test("recordFlips accepts a repeated step and rejects a decreasing or non-finite one", () => {
    const history = flipHistory();
    recordFlips(history, 5, oldP, newP, labels);
    recordFlips(history, 5, oldP, newP, labels);
    expect(() => recordFlips(history, 4, oldP, newP, labels)).toThrow(/recordFlips: step 4 comes after step 5/);
    expect(() => recordFlips(history, NaN, oldP, newP, labels)).toThrow(/recordFlips: invalid step: NaN/);
    expect(history.step).toEqual([5, 5]);
  });
  test("recordFlips leaves the history unchanged when the predictions are malformed", () => {
    const history = flipHistory();
    expect(() => recordFlips(history, 1, [0, 1], [0], [0, 1])).toThrow(/newPredictions/);
    expect(history.step).toEqual([]);
    expect(history.negativeFlipRate).toEqual([]);
  });
});
