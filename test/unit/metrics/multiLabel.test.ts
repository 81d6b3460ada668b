import {describe, expect, test} from "vitest";
import {cooccurrenceMatrix, multiLabelScores, precisionAtK} from "../../../src/metrics/multiLabel.js";
import {multiLabelData} from "../../../src/datasets/multiLabel.js";

describe("multi-label metrics", () => {
  // 3 samples × 3 labels.
  const targets = [1, 1, 0, 0, 1, 0, 0, 0, 0];
  const scores = [0.9, 0.2, 0.7, 0.1, 0.8, 0.0, 0.3, 0.1, 0.2];
  test("F1, Jaccard, Hamming and subset accuracy by hand", () => {
    const s = multiLabelScores(scores, targets, 3);
    // predictions: {0, 2}, {1}, {} ; label 0: tp 1; label 1: tp 1, fn 1; label 2: fp 1.
    expect(s.perLabelF1[0]).toBeCloseTo(1);
    expect(s.perLabelF1[1]).toBeCloseTo(2 / 3);
    expect(s.perLabelF1[2]).toBeCloseTo(0);
    expect(s.microF1).toBeCloseTo((2 * 2) / (2 * 2 + 1 + 1));
    expect(s.macroF1).toBeCloseTo((1 + 2 / 3 + 0) / 3);
    expect(s.jaccard).toBeCloseTo((1 / 3 + 1 + 1) / 3);
    expect(s.hamming).toBeCloseTo(2 / 9);
    expect(s.subsetAccuracy).toBeCloseTo(2 / 3);
    expect(multiLabelScores([2, -1, 1, -3], [1, 0, 1, 0], 2, 0).subsetAccuracy).toBe(1);
    expect(() => multiLabelScores([1, 2], [1], 2)).toThrow(/multiLabelScores: scores \(2\) and targets \(1\)/);
  });
  test("precision@k skips samples without relevant labels and breaks ties by index", () => {
    expect(precisionAtK(scores, targets, 3, 1)).toBeCloseTo((1 + 1) / 2);
    expect(precisionAtK(scores, targets, 3, 2)).toBeCloseTo((0.5 + 0.5) / 2);
    expect(precisionAtK([0.5, 0.5], [0, 1], 2, 1)).toBe(0);
    expect(() => precisionAtK(scores, targets, 3, 4)).toThrow(/invalid k/);
  });
  test("co-occurrence is P(j | i), NaN for labels that never occur", () => {
    const m = cooccurrenceMatrix(targets, 3);
    expect(m[0 * 3 + 1]).toBe(1);
    expect(m[1 * 3 + 0]).toBe(0.5);
    expect(m[1 * 3 + 1]).toBe(1);
    expect(Number.isNaN(m[2 * 3 + 2])).toBe(true);
  });
});

describe("multi-label data", () => {
  test("imbalanced primary labels, paired labels co-occur, targets contain the primary label", () => {
    const d = multiLabelData({labels: 6, train: 2000, test: 100, imbalance: 10, pairing: 0.8, extra: 0, seed: 1});
    const t = d.train.targets!;
    const L = 6;
    for (let i = 0; i < d.train.n; ++i) expect(t[i * L + d.train.y[i]]).toBe(1);
    const counts = new Array(L).fill(0);
    d.train.y.forEach((k) => counts[k]++);
    expect(counts[0] / counts[L - 1]).toBeGreaterThan(5);
    const co = cooccurrenceMatrix(t, L);
    expect(co[0 * L + 1]).toBeGreaterThan(0.5);
    expect(co[0 * L + 2]).toBe(0);
    expect(new Set([...d.train.ids, ...d.test.ids]).size).toBe(2100);
    expect(Array.from(multiLabelData({labels: 6, train: 2000, test: 100, seed: 1}).test.x)).not.toEqual(
      Array.from(multiLabelData({labels: 6, train: 2000, test: 100, seed: 2}).test.x)
    );
  });
});
