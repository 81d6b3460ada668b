import {describe, expect, test} from "vitest";
import {binConfidences, calibrationErrors, ece, mce, reliabilityBins, softmax} from "../../../src/metrics/index.js";
import {expectClose} from "../../util/close.js";

const tight = {rtol: 1e-12, atol: 1e-14};

// The 40 × 4 fixture of classification.test.ts (numpy default_rng(7)). netcal cannot be installed here, so the
// expected numbers come from a line-by-line numpy/scipy re-derivation of netcal's `_Miscalibration` path for
// multi-class input (clip to [eps, 1 − eps], argmax/max, np.linspace or np.quantile edges with 0 and 1 ends,
// np.histogramdd counts, scipy.stats.binned_statistic_dd means, NaN → 0, Σ |acc − conf|·n_b/N and max) run with
// numpy 1.24.2 / scipy 1.10.1 and pasted here; the tests never call Python.
const C = 4;
// prettier-ignore
const logits = [0.0, 0.6, -0.55, -1.78, -0.91, -1.98, 0.12, 2.68, -0.98, -1.24, 0.98, 0.71, 0.21, -1.86, -0.06, 1.39,
  -2.69, -0.92, -3.8, -2.58, -3.68, -0.47, -2.53, 0.54, 0.31, -0.37, -5.03, -1.08, -0.1, 0.23, -3.06, -0.96, -1.96,
  -1.62, 2.12, -1.62, -0.07, 1.77, -1.17, -0.22, 0.22, 0.13, -2.45, 0.15, 2.72, -3.09, 1.72, 0.24, -1.28, 4.0, 1.52,
  -2.4, 0.15, 1.15, -0.38, 1.37, -0.13, 1.33, 2.88, -1.35, 0.41, -0.93, 0.25, -2.37, -1.16, -0.39, 1.8, 2.29, -2.65,
  -1.59, 1.29, -3.98, -0.93, -0.19, 2.51, 1.38, -0.65, -0.74, -0.5, 3.05, -0.86, -0.61, 0.71, -0.24, -0.39, -2.23,
  -0.02, -0.89, 2.33, 1.31, -0.05, 1.34, -0.68, 2.1, -0.01, 1.17, -2.58, 0.69, -3.38, -4.07, -0.61, -1.8, 0.33, 4.49,
  -1.66, -1.25, 0.41, 0.99, -0.35, -0.41, 1.4, 1.04, -2.07, -0.16, 0.07, -2.11, 0.52, -1.72, 1.94, 0.39, 0.18, -1.18,
  -0.24, -4.0, -2.26, 0.73, -4.26, 1.69, -3.49, 1.51, -1.69, 1.56, 0.26, -3.07, 2.5, 2.88, -0.13, -0.55, -0.32, -1.95,
  2.2, -1.09, -0.1, -1.59, -1.25, -2.56, 2.51, -0.31, 1.93, 0.03, -1.39, -0.65, -1.12, 0.02, -0.75, -0.6, -2.76,
  -1.61, 3.31, -1.34];
// prettier-ignore
const labels = [3, 3, 2, 0, 2, 2, 3, 1, 0, 2, 1, 2, 1, 1, 0, 3, 3, 1, 0, 2, 1, 2, 0, 0, 2, 0, 2, 1, 0, 3, 2, 3, 3, 2,
  3, 0, 3, 3, 2, 3];
const probs = softmax(logits, C);

describe("netcal agreement on the seeded 40 × 4 fixture", () => {
  // prettier-ignore
  const cases = [
    {bins: 15, strategy: "width", ece: 0.4178415052275553, mce: 0.9594534810301892,
      count: [0, 0, 0, 0, 0, 2, 4, 7, 6, 2, 6, 3, 1, 5, 4]},
    {bins: 15, strategy: "mass", ece: 0.4375311097744738, mce: 0.9661104422916943,
      count: [3, 3, 2, 3, 2, 3, 3, 2, 3, 2, 3, 3, 2, 3, 3]},
    {bins: 10, strategy: "width", ece: 0.4229730854553829, mce: 0.8159486249467778,
      count: [0, 0, 0, 2, 8, 9, 4, 7, 2, 8]},
    {bins: 10, strategy: "mass", ece: 0.4165986256374413, mce: 0.9594534810301892,
      count: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4]},
    {bins: 4, strategy: "mass", ece: 0.4109409298388472, mce: 0.6286945887243507, count: [10, 10, 10, 10]}
  ] as const;
  for (const c of cases) {
    test(`ece/mce(probs, labels, C, {bins: ${c.bins}, strategy: "${c.strategy}"}) equal netcal's ECE/MCE`, () => {
      const o = {bins: c.bins, strategy: c.strategy};
      expectClose([ece(probs, labels, C, o)], [c.ece], tight);
      expectClose([mce(probs, labels, C, o)], [c.mce], tight);
      expect(Array.from(reliabilityBins(probs, labels, C, o).count)).toEqual(c.count);
    });
  }
  test("ece(probs, labels, C) defaults to 15 equal-width bins", () => {
    expect(ece(probs, labels, C)).toBe(ece(probs, labels, C, {bins: 15, strategy: "width"}));
    expect(reliabilityBins(probs, labels, C).count.length).toBe(15);
  });
  test('reliabilityBins({strategy: "width"}) edges equal np.linspace(0, 1, B + 1) bit for bit', () => {
    // np.linspace(0, 1, 11) has 0.30000000000000004, 0.6000000000000001 and 0.7000000000000001 (k·0.1, not k/10).
    const edges = reliabilityBins(probs, labels, C, {bins: 10}).edges;
    expect(Array.from(edges)).toEqual([
      0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9, 1.0
    ]);
  });
  test('reliabilityBins({strategy: "mass"}) edges equal np.quantile of the confidences bit for bit', () => {
    const edges = reliabilityBins(probs, labels, C, {bins: 10, strategy: "mass"}).edges;
    expect(Array.from(edges)).toEqual([
      0.0, 0.4495407943742371, 0.4932919231781527, 0.5160988226382048, 0.5682602341224391, 0.6332218015820159,
      0.7021864914051121, 0.7542347945683736, 0.9012972940918434, 0.930345464731496, 1.0
    ]);
  });
});

describe("hand-computed bins", () => {
  // Five rows, C = 3, B = 5 equal-width bins with edges 0, .2, .4, .6, .8, 1:
  //   [.9, .05, .05] label 0 → conf .9,  right    → bin 4
  //   [.85, .1, .05] label 1 → conf .85, wrong    → bin 4
  //   [.5, .3, .2]   label 0 → conf .5,  right    → bin 2
  //   [.2, .7, .1]   label 1 → conf .7,  right    → bin 3
  //   [.4, .35, .25] label 2 → conf .4,  wrong    → bin 2 (0.4 sits on an edge: bins are closed on the left)
  // bin 2: n 2, conf .45, acc .5, gap −.05;  bin 3: n 1, conf .7, acc 1, gap −.3;  bin 4: n 2, conf .875, acc .5, gap .375
  // ECE = (2/5)·.05 + (1/5)·.3 + (2/5)·.375 = .02 + .06 + .15 = .23 (netcal: 0.23); MCE = .375.
  const p = [0.9, 0.05, 0.05, 0.85, 0.1, 0.05, 0.5, 0.3, 0.2, 0.2, 0.7, 0.1, 0.4, 0.35, 0.25];
  const y = [0, 1, 0, 1, 2];
  test("reliabilityBins({bins: 5}) reports counts, means and gaps, NaN for empty bins", () => {
    const b = reliabilityBins(p, y, 3, {bins: 5});
    expect(Array.from(b.count)).toEqual([0, 0, 2, 1, 2]);
    expectClose(b.confidence, [NaN, NaN, 0.45, 0.7, 0.875], tight);
    expectClose(b.accuracy, [NaN, NaN, 0.5, 1, 0.5], tight);
    expectClose(b.gap, [NaN, NaN, -0.05, -0.3, 0.375], tight);
    expect(b.total).toBe(5);
  });
  test("ece({bins: 5}) is 0.23 and mce is 0.375; empty bins add nothing", () => {
    expectClose([ece(p, y, 3, {bins: 5})], [0.23], tight);
    expectClose([mce(p, y, 3, {bins: 5})], [0.375], tight);
    const {ece: e, mce: m} = calibrationErrors(reliabilityBins(p, y, 3, {bins: 5}));
    expectClose([e, m], [0.23, 0.375], tight);
  });
  test("a confidence on an inner edge goes to the bin on its right", () => {
    // conf 0.4 = 2·(1/5) exactly: bin 2 = [0.4, 0.6), not bin 1.
    expect(Array.from(binConfidences([0.4], [1], {bins: 5}).count)).toEqual([0, 0, 1, 0, 0]);
  });
  test("confidence 1 is clipped to 1 − 2⁻⁵² and lands in the closed last bin", () => {
    const b = binConfidences([1, 0], [1, 0], {bins: 5});
    expect(Array.from(b.count)).toEqual([1, 0, 0, 0, 1]);
    expect(b.confidence[4]).toBe(1 - Number.EPSILON);
    expect(b.confidence[0]).toBe(Number.EPSILON);
  });
});

describe("equal-mass bins and ties", () => {
  test('binConfidences({strategy: "mass"}) puts ties in one bin and leaves zero-width bins empty', () => {
    // Confidences [.5 ×5, .9], B = 3: np.quantile at 1/3 and 2/3 (positions 5/3 and 10/3 of 0..5) are both 0.5, so
    // edges are [0, .5, .5, 1]; bin 0 = [0, .5) and bin 1 = [.5, .5) are empty and all six land in bin 2, as
    // np.histogramdd counts them (netcal stops on these edges with scipy's "smallest edge difference is 0").
    const b = binConfidences([0.5, 0.5, 0.5, 0.5, 0.5, 0.9], [1, 1, 0, 0, 1, 1], {bins: 3, strategy: "mass"});
    expect(Array.from(b.edges)).toEqual([0, 0.5, 0.5, 1]);
    expect(Array.from(b.count)).toEqual([0, 0, 6]);
    expectClose(b.accuracy, [NaN, NaN, 4 / 6], tight);
  });
  test("ties that do not collapse an edge still share one bin", () => {
    // [.5 ×4, .9 ×2], B = 3: quantile at 2/3 (position 10/3) = .5 + (1/3)·.4 = 0.6333…; numpy gives 0.6333333333333332.
    const b = binConfidences([0.5, 0.5, 0.5, 0.5, 0.9, 0.9], [1, 0, 1, 0, 1, 1], {bins: 3, strategy: "mass"});
    expect(Array.from(b.edges)).toEqual([0, 0.5, 0.6333333333333332, 1]);
    expect(Array.from(b.count)).toEqual([0, 4, 2]);
  });
  test("quantile edges interpolate from the upper neighbour past the midpoint, as numpy's _lerp", () => {
    // [.53, .57, .64, .85, 1], B = 3: the 2/3 quantile sits at position 8/3, weight 2/3 between .64 and .85.
    // .85 − .21·(1/3) = 0.7799999999999999 (np.quantile), whereas .64 + .21·(2/3) would give 0.78.
    const b = binConfidences([0.85, 0.53, 1, 0.64, 0.57], [1, 0, 1, 1, 0], {bins: 3, strategy: "mass"});
    expect(Array.from(b.edges)).toEqual([0, 0.5933333333333333, 0.7799999999999999, 1]);
    expect(Array.from(b.count)).toEqual([2, 1, 2]);
  });
  test("equal-mass bins hold N/B samples each when confidences are distinct", () => {
    const conf = Array.from({length: 20}, (_, i) => 0.3 + i * 0.03);
    const b = binConfidences(conf, new Array(20).fill(1), {bins: 4, strategy: "mass"});
    expect(Array.from(b.count)).toEqual([5, 5, 5, 5]);
  });
});

describe("edge cases", () => {
  test("all correct at confidence 1: ECE is 2⁻⁵² (netcal's clip), not exactly 0", () => {
    const p = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0];
    expect(ece(p, [0, 1, 2, 0], 3)).toBe(Number.EPSILON);
  });
  test("all wrong at confidence 1: ECE and MCE are 1 − 2⁻⁵²", () => {
    const p = [1, 0, 0, 0, 1, 0];
    expect(ece(p, [1, 2], 3)).toBe(1 - Number.EPSILON);
    expect(mce(p, [1, 2], 3)).toBe(1 - Number.EPSILON);
  });
  test("a perfectly calibrated bin has gap 0", () => {
    // Four samples at confidence 0.75, three right: accuracy 0.75.
    const b = binConfidences([0.75, 0.75, 0.75, 0.75], [1, 1, 1, 0], {bins: 10});
    expect(calibrationErrors(b)).toEqual({ece: 0, mce: 0});
  });
  test("a single sample: ECE = |1 − 0.6| whatever the binning", () => {
    const p = [0.6, 0.3, 0.1];
    expectClose([ece(p, [0], 3)], [0.4], tight);
    expectClose([ece(p, [0], 3, {strategy: "mass"})], [0.4], tight);
    // With one sample every quantile is 0.6, so edges are [0, .6, …, .6, 1] and it lands in the last bin.
    expect(reliabilityBins(p, [0], 3, {strategy: "mass"}).count[14]).toBe(1);
  });
  test("binConfidences accepts booleans for correctness", () => {
    expect(calibrationErrors(binConfidences([0.8, 0.8], [true, false], {bins: 2})).ece).toBeCloseTo(0.3, 15);
  });
});

describe("bad input throws errors that name the function, the argument and the sizes", () => {
  test("labels that do not match the rows of probs", () => {
    expect(() => ece([0.5, 0.5, 0.5, 0.5], [0], 2)).toThrow("reliabilityBins: labels has 1 entries, expected 2");
  });
  test("labels out of range", () => {
    expect(() => ece([0.5, 0.5], [2], 2)).toThrow("reliabilityBins: labels[0] = 2 is not a class index");
  });
  test("non-finite or out-of-range probabilities, and logits passed as probabilities", () => {
    expect(() => ece([NaN, 1], [0], 2)).toThrow("reliabilityBins: probs[0] is NaN, expected a finite number");
    expect(() => ece([3, -2], [0], 2)).toThrow("reliabilityBins: probs[0] = 3 is not a probability");
    expect(() => mce([0.9, 0.9], [0], 2)).toThrow("reliabilityBins: probs row 0 sums to 1.8, expected 1");
    expect(() => binConfidences([1.2], [1])).toThrow("binConfidences: confidences[0] = 1.2 is not a probability");
  });
  test("correctness that is not 0/1 and mismatched lengths", () => {
    expect(() => binConfidences([0.5], [2])).toThrow("binConfidences: correct[0] = 2 is not 0, 1, true or false");
    expect(() => binConfidences([0.5, 0.6], [1])).toThrow(
      "binConfidences: correct has 1 entries, expected 2 (one per confidence)"
    );
  });
  test("invalid bins or strategy, and no samples", () => {
    expect(() => ece([1, 0], [0], 2, {bins: 0})).toThrow("reliabilityBins: invalid bins: 0");
    expect(() => ece([1, 0], [0], 2, {strategy: "log" as "mass"})).toThrow("reliabilityBins: invalid strategy: log");
    expect(() => ece([], [], 2)).toThrow("reliabilityBins: no samples");
    expect(() => binConfidences([], [])).toThrow("binConfidences: no samples");
  });
});
