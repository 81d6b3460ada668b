// The MLCD notebook's method code (src/methods/mlcd.ts) against values worked out by hand or computed independently.
import {describe, expect, test} from "vitest";
import {
  mlcdKMeans,
  mlcdMetrics,
  mlcdNearestCentres,
  mlcdRandomFeatures,
  mlcdRidgeProbe,
  mlcdScoreSides,
  mlcdSplitScores,
  mlcdToyData
} from "../../../src/methods/mlcd.js";
import {random} from "../../../src/random.js";
import type {HostMetricContext} from "../../../src/train/train.js";

describe("mlcdKMeans", () => {
  test("mlcdKMeans recovers three well-separated blobs exactly", () => {
    const rng = random(3);
    const means = [
      [0, 0],
      [10, 0],
      [0, 10]
    ];
    const n = 60;
    const x = new Float64Array(n * 2);
    for (let i = 0; i < n; ++i) {
      const m = means[i % 3];
      x[2 * i] = m[0] + 0.5 * rng.normal();
      x[2 * i + 1] = m[1] + 0.5 * rng.normal();
    }
    const {centres, assignment} = mlcdKMeans(x, n, 2, 3, random(1));
    // Every blob is one cluster, and its centre is the blob's sample mean.
    for (let b = 0; b < 3; ++b) {
      const members = Array.from({length: n}, (_, i) => i).filter((i) => i % 3 === b);
      const c = assignment[members[0]];
      for (const i of members) expect(assignment[i]).toBe(c);
      const mean = [0, 1].map((j) => members.reduce((s, i) => s + x[2 * i + j], 0) / members.length);
      expect(centres[2 * c]).toBeCloseTo(mean[0], 10);
      expect(centres[2 * c + 1]).toBeCloseTo(mean[1], 10);
    }
    expect(new Set(assignment).size).toBe(3);
  });

  test("mlcdKMeans is deterministic for a seed and rejects k > n", () => {
    const x = Float64Array.from({length: 40}, (_, i) => Math.sin(i * 1.7));
    const a = mlcdKMeans(x, 20, 2, 4, random(5));
    const b = mlcdKMeans(x, 20, 2, 4, random(5));
    expect(Array.from(a.centres)).toEqual(Array.from(b.centres));
    expect(() => mlcdKMeans(x, 20, 2, 21, random(5))).toThrow(/invalid k/);
  });
});

describe("mlcdNearestCentres", () => {
  test("mlcdNearestCentres lists the l nearest centres, nearest first, ties by index", () => {
    const centres = [0, 0, 1, 0, 3, 0, -1, 0];
    // Point at 0.4: distances 0.4, 0.6, 2.6, 1.4 → 0, 1, 3. Point at 0.5: 0.5 and 0.5 tie → 0, then 1.
    const near = mlcdNearestCentres([0.4, 0, 0.5, 0], 2, 2, centres, 4, 3);
    expect(Array.from(near)).toEqual([0, 1, 3, 0, 1, 3]);
    expect(() => mlcdNearestCentres([0, 0], 1, 2, centres, 4, 5)).toThrow(/invalid l/);
  });
});

describe("mlcdRandomFeatures", () => {
  test("mlcdRandomFeatures is relu(Wx + b) with the stream's W and b", () => {
    const rng = random(9);
    const W = random(9)
      .fork("w")
      .normals(3 * 2);
    const b = random(9).fork("b").uniforms(3, -1, 1);
    const f = mlcdRandomFeatures([0.5, -2], 1, 2, 3, rng);
    for (let h = 0; h < 3; ++h) expect(f[h]).toBeCloseTo(Math.max(0, b[h] + W[2 * h] * 0.5 - 2 * W[2 * h + 1]), 6);
  });
});

describe("mlcdRidgeProbe", () => {
  test("mlcdRidgeProbe solves least squares exactly at λ = 0 (1-D, hand-computed)", () => {
    // x = 0, 1, 2, 3 with classes 0, 0, 1, 1: the one-hot regression of class 1 on [x, 1] is 0.4x − 0.1.
    const {weights, accuracy} = mlcdRidgeProbe([0, 1, 2, 3], [0, 0, 1, 1], [0.2, 2.8], [0, 1], 1, 2, 0);
    expect(weights[0 * 2 + 1]).toBeCloseTo(0.4, 10);
    expect(weights[1 * 2 + 1]).toBeCloseTo(-0.1, 10);
    expect(weights[0 * 2 + 0]).toBeCloseTo(-0.4, 10);
    expect(weights[1 * 2 + 0]).toBeCloseTo(1.1, 10);
    expect(accuracy).toBe(1);
  });

  test("mlcdRidgeProbe shrinks the slope with λ but not the bias", () => {
    const big = mlcdRidgeProbe([0, 1, 2, 3], [0, 0, 1, 1], [], [], 1, 2, 1e6);
    expect(Math.abs(big.weights[1])).toBeLessThan(1e-5);
    expect(big.weights[2 + 1]).toBeCloseTo(0.5, 4); // the bias alone fits the class share
    expect(big.accuracy).toBeNaN();
  });
});

describe("score sides", () => {
  test("mlcdScoreSides counts positives above 0 and negatives below 0", () => {
    const scores = [2, -1, 0.5, -3, 1, 0];
    const targets = [1, 0, 0, 1, 1, 0];
    // Positives 2, −3, 1 → 2 of 3 above; negatives −1, 0.5, 0 → 1 of 3 below (0 is not below).
    const s = mlcdScoreSides(scores, targets);
    expect(s.positiveAbove).toBeCloseTo(2 / 3, 12);
    expect(s.negativeBelow).toBeCloseTo(1 / 3, 12);
    const split = mlcdSplitScores(scores, targets);
    expect(Array.from(split.positive)).toEqual([2, -3, 1]);
    expect(Array.from(split.negative)).toEqual([-1, 0.5, 0]);
  });
});

describe("mlcdToyData", () => {
  test("mlcdToyData gives K-way targets with l positives, y the nearest, and 6 semantic groups", () => {
    const data = mlcdToyData({clusters: 12, positives: 3, trainPerMode: 5, testPerMode: 3, seed: 2});
    expect(data.classes).toBe(12);
    expect(data.train.n).toBe(6 * 3 * 5);
    expect(data.test.n).toBe(6 * 3 * 3);
    for (const split of [data.train, data.test]) {
      for (let i = 0; i < split.n; ++i) {
        const row = split.targets!.subarray(i * 12, (i + 1) * 12);
        expect(row.reduce((a, b) => a + b, 0)).toBe(3);
        expect(row[split.y[i]]).toBe(1);
      }
      expect(new Set(split.groups).size).toBe(6);
      // Every semantic class has 3 sub-modes' worth of samples.
      for (let g = 0; g < 6; ++g) expect(split.groups!.filter((v) => v === g).length).toBe(split.n / 6);
    }
    const again = mlcdToyData({clusters: 12, positives: 3, trainPerMode: 5, testPerMode: 3, seed: 2});
    expect(Array.from(again.train.targets!)).toEqual(Array.from(data.train.targets!));
  });

  test("mlcdMetrics reports the probe and the score sides", () => {
    const data = mlcdToyData({clusters: 6, positives: 2, trainPerMode: 4, testPerMode: 2, seed: 1});
    // Embeddings = the inputs themselves: a linear probe on 2-D points around a circle does well above chance.
    const m = mlcdMetrics({
      data,
      testLogits: Float32Array.from(data.test.targets!, (t) => (t ? 1 : -1)),
      testEmbeddings: data.test.x,
      probeEmbeddings: data.train.x,
      probeSize: data.train.n
    } as unknown as HostMetricContext);
    expect(m.positiveAbove).toBe(1);
    expect(m.negativeBelow).toBe(1);
    expect(m.thresholdAgreement).toBe(1);
    expect(m.probeAccuracy).toBeGreaterThan(0.4);
  });
});
