import {describe, expect, test} from "vitest";
import {ece, mce, reliabilityBins} from "../../../src/metrics/calibration.js";
import {
  binStrategy,
  bootstrapReliability,
  nllAtTemperature,
  optimalTemperature,
  reliabilityView,
  temperatureScale
} from "../../../src/metrics/calibrationViews.js";
import {brier, nll, softmax} from "../../../src/metrics/classification.js";
import {random} from "../../../src/random.js";
import {expectClose} from "../../util/close.js";

const tight = {rtol: 1e-12, atol: 1e-14};

/** Seeded logits z = scale · normal, with labels drawn from softmax(z) (calibrated at T = 1) or its argmax. */
function logitData(seed: string, n: number, classes: number, {scale = 2, calibrated = true} = {}) {
  const rng = random(seed);
  const logits = new Float64Array(n * classes);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    for (let c = 0; c < classes; ++c) logits[i * classes + c] = scale * rng.normal();
    const p = softmax(logits.subarray(i * classes, (i + 1) * classes), classes);
    if (calibrated) {
      let u = rng.uniform();
      let k = 0;
      while (k < classes - 1 && (u -= p[k]) >= 0) ++k;
      labels[i] = k;
    } else {
      labels[i] = p.indexOf(Math.max(...p));
    }
  }
  return {logits, labels};
}

/** numpy's linear-interpolation quantile, written plainly for the oracle. */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

describe("binStrategy", () => {
  test('binStrategy maps the toggle\'s "equal-width" / "equal-mass" to reliabilityBins\' "width" / "mass"', () => {
    expect(binStrategy("equal-width")).toBe("width");
    expect(binStrategy("equal-mass")).toBe("mass");
    expect(() => binStrategy("quantile" as never)).toThrow("binStrategy: invalid binning: quantile");
  });
});

describe("bootstrapReliability", () => {
  const C = 3;
  const {logits, labels} = logitData("boot", 300, C);
  const probs = softmax(logits, C);

  test("bootstrapReliability(probs, labels, classes, {bins, strategy}) keeps reliabilityBins' bins, ECE and MCE", () => {
    for (const strategy of ["width", "mass"] as const) {
      const boot = bootstrapReliability(probs, labels, C, {bins: 8, strategy, resamples: 20});
      const bins = reliabilityBins(probs, labels, C, {bins: 8, strategy});
      expect(boot.bins).toEqual(bins);
      expect(boot.ece).toBe(ece(probs, labels, C, {bins: 8, strategy}));
      expect(boot.mce).toBe(mce(probs, labels, C, {bins: 8, strategy}));
      expect(boot.resamples).toBe(20);
      expect(boot.level).toBe(0.9);
    }
  });

  test("bootstrapReliability matches a plain loop that re-bins every resample with reliabilityBins (equal width)", () => {
    const resamples = 30;
    const level = 0.8;
    const boot = bootstrapReliability(probs, labels, C, {bins: 6, resamples, seed: 11, level});
    // The oracle draws the same indices from the same stream, copies each resample out and bins it from scratch;
    // equal-width edges do not depend on the sample, so its bins are the fixed-edge bins.
    const rng = random(11).fork("bootstrap");
    const n = labels.length;
    const accuracies: number[][] = Array.from({length: 6}, () => []);
    const eces: number[] = [];
    for (let r = 0; r < resamples; ++r) {
      const p = new Float64Array(n * C);
      const y = new Int32Array(n);
      for (let j = 0; j < n; ++j) {
        const i = rng.int(n);
        for (let c = 0; c < C; ++c) p[j * C + c] = probs[i * C + c];
        y[j] = labels[i];
      }
      const bins = reliabilityBins(p, y, C, {bins: 6});
      bins.accuracy.forEach((a, b) => {
        if (bins.count[b] > 0) accuracies[b].push(a);
      });
      eces.push(ece(p, y, C, {bins: 6}));
    }
    const full = reliabilityBins(probs, labels, C, {bins: 6});
    const expectedLower = accuracies.map((a, b) => (full.count[b] && a.length ? quantile(a, 0.1) : NaN));
    const expectedUpper = accuracies.map((a, b) => (full.count[b] && a.length ? quantile(a, 0.9) : NaN));
    expectClose(boot.lower, expectedLower, tight);
    expectClose(boot.upper, expectedUpper, tight);
    expectClose(boot.eceInterval, [quantile(eces, 0.1), quantile(eces, 0.9)], tight);
    // Top-label confidence of 3 classes is ≥ 1/3, so bins 0 and 1 are empty (NaN bounds) and four bins are compared.
    expect([...full.count].map((c) => c > 0)).toEqual([false, false, true, true, true, true]);
  });

  test("bootstrapReliability with equal-mass bins keeps the full sample's quantile edges in every resample", () => {
    const boot = bootstrapReliability(probs, labels, C, {bins: 5, strategy: "mass", resamples: 50});
    for (let b = 0; b < 5; ++b) {
      expect(boot.lower[b]).toBeLessThanOrEqual(boot.upper[b]);
      expect(boot.lower[b]).toBeGreaterThanOrEqual(0);
      expect(boot.upper[b]).toBeLessThanOrEqual(1);
      // Each equal-mass bin holds ~60 samples: the band is neither a point nor the whole unit interval.
      expect(boot.upper[b] - boot.lower[b]).toBeGreaterThan(0.02);
      expect(boot.upper[b] - boot.lower[b]).toBeLessThan(0.5);
    }
  });

  test("bootstrapReliability({seed}) is reproducible, and another seed gives another band", () => {
    const a = bootstrapReliability(probs, labels, C, {bins: 6, resamples: 40, seed: 3});
    const b = bootstrapReliability(probs, labels, C, {bins: 6, resamples: 40, seed: 3});
    const c = bootstrapReliability(probs, labels, C, {bins: 6, resamples: 40, seed: 4});
    expect(a).toEqual(b);
    expect([...c.lower, ...c.upper]).not.toEqual([...a.lower, ...a.upper]);
  });

  test("bootstrapReliability({level}) widens the band as the level grows", () => {
    const narrow = bootstrapReliability(probs, labels, C, {bins: 6, resamples: 200, level: 0.5});
    const wide = bootstrapReliability(probs, labels, C, {bins: 6, resamples: 200, level: 0.98});
    let wider = 0;
    for (let b = 2; b < 6; ++b) {
      expect(wide.lower[b]).toBeLessThanOrEqual(narrow.lower[b]);
      expect(wide.upper[b]).toBeGreaterThanOrEqual(narrow.upper[b]);
      if (wide.upper[b] - wide.lower[b] > narrow.upper[b] - narrow.lower[b]) wider++;
    }
    expect(wider).toBe(4);
    expect(wide.eceInterval[1] - wide.eceInterval[0]).toBeGreaterThan(narrow.eceInterval[1] - narrow.eceInterval[0]);
  });

  test("bootstrapReliability gives empty bins NaN bounds and all-correct / all-wrong bins a point band", () => {
    // Confidence 0.9 (correct) and 0.6 (wrong) only: with 10 equal-width bins, bin 5 is all wrong, bin 9 all right.
    const p = [0.9, 0.1, 0.9, 0.1, 0.4, 0.6, 0.4, 0.6, 0.9, 0.1];
    const y = [0, 0, 0, 0, 0];
    const boot = bootstrapReliability(p, y, 2, {bins: 10, resamples: 50});
    expect([...boot.bins.count]).toEqual([0, 0, 0, 0, 0, 2, 0, 0, 0, 3]);
    for (const b of [0, 1, 2, 3, 4, 6, 7, 8]) {
      expect(boot.lower[b]).toBeNaN();
      expect(boot.upper[b]).toBeNaN();
    }
    expect([boot.lower[5], boot.upper[5]]).toEqual([0, 0]);
    expect([boot.lower[9], boot.upper[9]]).toEqual([1, 1]);
    // ECE: 0.4·0.6 + 0.6·0.1 = 0.3 on the full sample; resamples vary the bin shares.
    expect(boot.ece).toBeCloseTo(0.3, 12);
    expect(boot.eceInterval[0]).toBeLessThan(0.3);
    expect(boot.eceInterval[1]).toBeGreaterThan(0.3);
  });

  test("bootstrapReliability of a single sample collapses the band and the ECE interval onto the sample", () => {
    const boot = bootstrapReliability([0.3, 0.7], [0], 2, {bins: 5, resamples: 10});
    expect(boot.lower[3]).toBe(0);
    expect(boot.upper[3]).toBe(0);
    expect(boot.ece).toBeCloseTo(0.7, 12);
    expect(boot.eceInterval[0]).toBeCloseTo(0.7, 12);
    expect(boot.eceInterval[1]).toBeCloseTo(0.7, 12);
  });

  test("bootstrapReliability rejects bad options and no samples", () => {
    expect(() => bootstrapReliability(probs, labels, C, {resamples: 0})).toThrow("invalid resamples: 0");
    expect(() => bootstrapReliability(probs, labels, C, {level: 1})).toThrow("invalid level: 1");
    expect(() => bootstrapReliability([], [], C)).toThrow("no samples");
  });
});

describe("temperatureScale and nllAtTemperature", () => {
  const logits = [2, 0, -1, 0.5, 0.5, 3, 1, 1, 1];
  const labels = [0, 2, 1];

  test("temperatureScale(logits, classes, 1) is softmax, and T keeps each row's argmax", () => {
    expectClose(temperatureScale(logits, 3, 1), softmax(logits, 3), tight);
    const hot = temperatureScale(logits, 3, 4);
    const cold = temperatureScale(logits, 3, 0.25);
    expectClose(
      hot,
      softmax(
        logits.map((z) => z / 4),
        3
      ),
      tight
    );
    // Row 0: p_0 = 1 / (1 + e^{−2/T} + e^{−3/T}); softer at T = 4, sharper at T = 0.25.
    expect(hot[0]).toBeCloseTo(1 / (1 + Math.exp(-0.5) + Math.exp(-0.75)), 14);
    expect(cold[0]).toBeCloseTo(1 / (1 + Math.exp(-8) + Math.exp(-12)), 14);
    expect(cold[5]).toBeGreaterThan(hot[5]);
    expectClose([cold[6], cold[7], cold[8]], [1 / 3, 1 / 3, 1 / 3], tight);
  });

  test("temperatureScale rejects a temperature that is not positive and finite", () => {
    expect(() => temperatureScale(logits, 3, 0)).toThrow("temperatureScale: invalid temperature: 0");
    expect(() => temperatureScale(logits, 3, Infinity)).toThrow("invalid temperature: Infinity");
  });

  test("nllAtTemperature equals nll(temperatureScale(…)) and a hand-computed value", () => {
    for (const t of [0.3, 1, 2.5]) {
      expect(nllAtTemperature(logits, labels, 3, t)).toBeCloseTo(nll(temperatureScale(logits, 3, t), labels, 3), 12);
    }
    // One row (2, 0), label 0, T = 1: −log σ(2) = log(1 + e^{−2}).
    expect(nllAtTemperature([2, 0], [0], 2, 1)).toBeCloseTo(Math.log1p(Math.exp(-2)), 15);
    // Label 1 at T = 0.5: 4 + log(1 + e^{−4}).
    expect(nllAtTemperature([2, 0], [1], 2, 0.5)).toBeCloseTo(4 + Math.log1p(Math.exp(-4)), 14);
  });

  test("nllAtTemperature stays exact for confident rows where probabilities round to 1", () => {
    // Margin 40 at T = 1: the loss is e^{−40} ≈ 4.2e-18, which 1 − p cannot show.
    expect(nllAtTemperature([40, 0], [0], 2, 1) / Math.exp(-40)).toBeCloseTo(1, 12);
    expect(nllAtTemperature([40, 0], [0], 2, 0.5)).toBeLessThan(nllAtTemperature([40, 0], [0], 2, 1));
  });

  test("nllAtTemperature of no samples is NaN", () => {
    expect(nllAtTemperature([], [], 3, 1)).toBeNaN();
  });
});

describe("optimalTemperature", () => {
  test("optimalTemperature finds T = a / logit(p) for logits (a, 0) right a fraction p of the time", () => {
    // NLL(β) = −p log σ(βa) − (1 − p) log(1 − σ(βa)) is least where σ(βa) = p: β = ln(p / (1 − p)) / a.
    const logits = Array.from({length: 10}, () => [2, 0]).flat();
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]; // p = 0.8
    expect(optimalTemperature(logits, labels, 2)).toBeCloseTo(2 / Math.log(4), 5);
    const under = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]; // p = 0.9 > σ(2) ≈ 0.88: sharpen
    expect(optimalTemperature(logits, under, 2)).toBeCloseTo(2 / Math.log(9), 5);
  });

  test("optimalTemperature agrees with a fine grid search over ln T", () => {
    const {logits, labels} = logitData("grid", 200, 4, {scale: 3});
    // Make the model over-confident: double the logits of a calibrated sample (T* near 2).
    const sharp = logits.map((z) => 2 * z);
    for (const z of [logits, sharp]) {
      const t = optimalTemperature(z, labels, 4);
      const steps = 4000;
      const lo = Math.log(0.05);
      const hi = Math.log(20);
      let bestU = lo;
      let bestF = Infinity;
      for (let k = 0; k <= steps; ++k) {
        const u = lo + ((hi - lo) * k) / steps;
        const f = nllAtTemperature(z, labels, 4, Math.exp(u));
        if (f < bestF) [bestU, bestF] = [u, f];
      }
      expect(Math.abs(Math.log(t) - bestU)).toBeLessThanOrEqual((hi - lo) / steps);
      expect(nllAtTemperature(z, labels, 4, t)).toBeLessThanOrEqual(bestF + 1e-12);
    }
    const base = optimalTemperature(logits, labels, 4);
    expect(optimalTemperature(sharp, labels, 4) / base).toBeCloseTo(2, 4);
  });

  test("optimalTemperature of calibrated data is close to 1 on a large sample", () => {
    const {logits, labels} = logitData("calibrated", 5000, 3);
    expect(Math.abs(optimalTemperature(logits, labels, 3) - 1)).toBeLessThan(0.06);
  });

  test("optimalTemperature returns the lower bound when every prediction is right, the upper when binary ones are all wrong", () => {
    const {logits, labels} = logitData("confident", 100, 3, {calibrated: false});
    expect(optimalTemperature(logits, labels, 3)).toBe(0.05);
    expect(optimalTemperature(logits, labels, 3, {min: 0.2, max: 5})).toBe(0.2);
    const wrong = [1.5, -0.5, -2, 0.3, 0.2, 1.1];
    expect(optimalTemperature(wrong, [1, 0, 0], 2)).toBe(20);
  });

  test("optimalTemperature leaves a flat NLL unscaled: one class gives T = 1", () => {
    expect(optimalTemperature([0.5, -1, 2], [0, 0, 0], 1)).toBe(1);
  });

  test("optimalTemperature rejects no samples and bad bounds", () => {
    expect(() => optimalTemperature([], [], 2)).toThrow("optimalTemperature: no samples");
    expect(() => optimalTemperature([1, 0], [0], 2, {min: 0})).toThrow("invalid min: 0");
    expect(() => optimalTemperature([1, 0], [0], 2, {min: 2, max: 1})).toThrow("invalid max: 1");
  });
});

describe("reliabilityView", () => {
  test("reliabilityView(logits, labels, classes, {temperature, strategy}) bundles what the diagram draws", () => {
    const {logits, labels} = logitData("view", 400, 3, {scale: 4});
    const view = reliabilityView(logits, labels, 3, {temperature: 2, bins: 10, strategy: "mass"});
    const probs = temperatureScale(logits, 3, 2);
    expect(view.bins).toEqual(reliabilityBins(probs, labels, 3, {bins: 10, strategy: "mass"}));
    expect(view.ece).toBe(ece(probs, labels, 3, {bins: 10, strategy: "mass"}));
    expect(view.mce).toBe(mce(probs, labels, 3, {bins: 10, strategy: "mass"}));
    expect(view.brier).toBe(brier(probs, labels, 3));
    expect(view.nll).toBe(nllAtTemperature(logits, labels, 3, 2));
    expect(view.temperature).toBe(2);
    expect(view.optimalTemperature).toBe(optimalTemperature(logits, labels, 3));
    const boot = bootstrapReliability(probs, labels, 3, {bins: 10, strategy: "mass"});
    expect(view.band).toEqual({lower: boot.lower, upper: boot.upper});
    expect(view.eceInterval).toEqual(boot.eceInterval);
  });

  test("reliabilityView({bootstrap: false, optimal: false}) leaves out the band and the search", () => {
    const {logits, labels} = logitData("view", 50, 3);
    const view = reliabilityView(logits, labels, 3, {bootstrap: false, optimal: false});
    expect(view.band).toBeUndefined();
    expect(view.eceInterval).toBeUndefined();
    expect(view.optimalTemperature).toBeUndefined();
    expect(view.bins.count.length).toBe(15);
  });
});
