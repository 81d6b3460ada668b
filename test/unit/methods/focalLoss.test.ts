import {describe, expect, test} from "vitest";
import {ece} from "../../../src/metrics/calibration.js";
import {softmax} from "../../../src/metrics/classification.js";
import {classCounts} from "../../../src/datasets/dataset.js";
import {resolveParams} from "../../../src/params/schema.js";
import {focalLossArms, focalLossClassWeights, focalLossSchema} from "../../../src/experiments/focalLoss.js";
import {
  focalLossArmWeights,
  focalLossAuroc,
  focalLossAveragePrecision,
  focalLossBestThreshold,
  focalLossBinaryScores,
  focalLossEpochs,
  focalLossFeatureNames,
  focalLossFeatures,
  focalLossGradientShares,
  focalLossHostMetrics,
  focalLossIcu,
  focalLossLabel,
  focalLossPositiveProbs,
  focalLossPrCurve,
  focalLossPull,
  focalLossStay,
  focalLossValue
} from "../../../src/methods/focalLoss.js";
import {random} from "../../../src/random.js";
import {expectClose} from "../../util/close.js";

describe("focalLossValue and focalLossPull", () => {
  test("focalLossValue(p, 0) is cross-entropy −log p; at γ = 2 it is scaled by (1 − p)²", () => {
    expect(focalLossValue(0.3, 0)).toBeCloseTo(-Math.log(0.3), 14);
    expect(focalLossValue(0.9, 2)).toBeCloseTo(-0.01 * Math.log(0.9), 14);
    expect(focalLossValue(0.1, 2)).toBeCloseTo(-0.81 * Math.log(0.1), 14);
  });

  test("focalLossPull(p, 0) is 1 − p, and every γ matches a central difference of the loss in the margin", () => {
    expect(focalLossPull(0.3, 0)).toBeCloseTo(0.7, 14);
    const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
    for (const gamma of [0, 0.5, 2, 5]) {
      for (const u of [-3, -0.5, 0.2, 2.5]) {
        const h = 1e-5;
        const fd = (focalLossValue(sigmoid(u + h), gamma) - focalLossValue(sigmoid(u - h), gamma)) / (2 * h);
        expect(focalLossPull(sigmoid(u), gamma)).toBeCloseTo(-fd, 7);
      }
    }
  });
});

describe("ranking metrics", () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.3, 0.3, 0.2];
  const labels = [1, 0, 1, 0, 1, 0, 0];

  test("focalLossAuroc equals the share of positive–negative pairs ranked right (ties ½), by brute force", () => {
    let wins = 0,
      pairs = 0;
    for (let i = 0; i < scores.length; ++i) {
      for (let j = 0; j < scores.length; ++j) {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
    }
    expect(focalLossAuroc(scores, labels)).toBeCloseTo(wins / pairs, 14);
    // By hand: 0.9 beats 4 negatives, 0.7 beats 3, 0.3 beats 1 and ties 1 → (4 + 3 + 1.5)/12.
    expect(focalLossAuroc(scores, labels)).toBeCloseTo(8.5 / 12, 14);
  });

  test("focalLossAuroc is NaN with a single class", () => {
    expect(focalLossAuroc([0.1, 0.2], [0, 0])).toBeNaN();
  });

  test("focalLossPrCurve groups tied scores into one point and ends at recall 1", () => {
    const c = focalLossPrCurve(scores, labels);
    expect(Array.from(c.threshold)).toEqual([0.9, 0.8, 0.7, 0.6, 0.3, 0.2]);
    expectClose(c.recall, [1 / 3, 1 / 3, 2 / 3, 2 / 3, 1, 1], {rtol: 0, atol: 1e-14});
    expectClose(c.precision, [1, 1 / 2, 2 / 3, 2 / 4, 3 / 6, 3 / 7], {rtol: 0, atol: 1e-14});
  });

  test("focalLossAveragePrecision is Σ (R_k − R_{k−1}) P_k (scikit-learn's average_precision_score)", () => {
    expect(focalLossAveragePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBeCloseTo(0.5 + 0.5 * (2 / 3), 14);
    expect(focalLossAveragePrecision(scores, labels)).toBeCloseTo((1 / 3) * 1 + (1 / 3) * (2 / 3) + (1 / 3) * 0.5, 14);
    expect(focalLossAveragePrecision([0.2, 0.1], [0, 0])).toBeNaN();
  });

  test("the ranking metrics reject non-binary labels and length mismatches", () => {
    expect(() => focalLossAuroc([0.1], [2])).toThrow(/not 0 or 1/);
    expect(() => focalLossPrCurve([0.1, 0.2], [1])).toThrow(/expected 2/);
  });
});

describe("threshold metrics", () => {
  test("focalLossBinaryScores counts at p > ½ by default and at p ≥ t with a threshold", () => {
    const probs = [0.9, 0.5, 0.7, 0.2, 0.6, 0.1];
    const labels = [1, 1, 0, 1, 0, 0];
    const half = focalLossBinaryScores(probs, labels);
    // p > ½: predicted positive 0.9 (tp), 0.7 (fp), 0.6 (fp); positives missed: 0.5, 0.2.
    expect(half.recall).toBeCloseTo(1 / 3, 14);
    expect(half.precision).toBeCloseTo(1 / 3, 14);
    expect(half.specificity).toBeCloseTo(1 / 3, 14);
    expect(half.f1).toBeCloseTo(2 / 6, 14);
    expect(focalLossBinaryScores(probs, labels, 0.5).recall).toBeCloseTo(2 / 3, 14);
  });

  test("focalLossBestThreshold attains the best F1 over all of the samples' own thresholds (brute force)", () => {
    const rng = random(4);
    const probs = Array.from({length: 60}, () => rng.uniform());
    const labels = probs.map((p) => (rng.uniform() < p ? 1 : 0));
    const best = Math.max(...probs.map((t) => focalLossBinaryScores(probs, labels, t).f1));
    expect(focalLossBinaryScores(probs, labels, focalLossBestThreshold(probs, labels)).f1).toBeCloseTo(best, 14);
  });
});

describe("focalLossGradientShares", () => {
  test("focalLossGradientShares splits Σ w·pull by easy samples and by class (hand-computed)", () => {
    // Positives with p = 0.9 (easy, pull 0.1) and 0.3 (pull 0.7); a negative with p = 0.05 (p_t 0.95, easy, 0.05).
    const probs = [0.9, 0.3, 0.05];
    const labels = [1, 1, 0];
    const ce = focalLossGradientShares(probs, labels, {gamma: 0, classWeights: [1, 1]});
    expect(ce.easy).toBeCloseTo(0.15 / 0.85, 12);
    expect(ce.minority).toBeCloseTo(0.8 / 0.85, 12);
    const weighted = focalLossGradientShares(probs, labels, {gamma: 0, classWeights: [2, 1]});
    expect(weighted.minority).toBeCloseTo(0.8 / 0.9, 12);
    const fl = focalLossGradientShares(probs, labels, {gamma: 2, classWeights: [1, 1]});
    const g = [focalLossPull(0.9, 2), focalLossPull(0.3, 2), focalLossPull(0.95, 2)];
    expect(fl.easy).toBeCloseTo((g[0] + g[2]) / (g[0] + g[1] + g[2]), 12);
    expect(fl.easy).toBeLessThan(ce.easy);
  });

  test("focalLossArmWeights reads γ from focal arms and the class weights from constants", () => {
    const p = resolveParams(focalLossSchema, {gamma: 1.5, alpha: 0.8});
    const data = focalLossIcu({patients: 100, seed: 1});
    const arms = focalLossArms(p, data);
    expect(focalLossArmWeights(arms.ce)).toEqual({gamma: 0, classWeights: [1, 1]});
    const w = focalLossArmWeights(arms.weighted);
    expect(w.gamma).toBe(0);
    expectClose(w.classWeights, focalLossClassWeights(data));
    const f = focalLossArmWeights(arms.focal);
    expect(f.gamma).toBe(1.5);
    expectClose(f.classWeights, [0.2, 0.8]);
  });
});

describe("focalLossHostMetrics", () => {
  test("focalLossHostMetrics agrees with the metrics it is built from", () => {
    const data = focalLossIcu({patients: 200, seed: 2});
    const rng = random(9);
    const logits = (n: number) => Float32Array.from({length: 2 * n}, () => rng.normal());
    const testLogits = logits(data.test.n);
    const probeLogits = logits(data.train.n);
    const p = resolveParams(focalLossSchema, {});
    const arm = focalLossArms(p, data).focal;
    const m = focalLossHostMetrics({data, arm, testLogits, probeLogits, probeSize: data.train.n});
    const probs = focalLossPositiveProbs(testLogits);
    expect(m.ece).toBe(ece(softmax(testLogits, 2), data.test.y, 2));
    expect(m.recall).toBe(focalLossBinaryScores(probs, data.test.y).recall);
    expect(m.auroc).toBe(focalLossAuroc(probs, data.test.y));
    expect(m.auprc).toBe(focalLossAveragePrecision(probs, data.test.y));
    const probeProbs = focalLossPositiveProbs(probeLogits);
    expect(m.threshold).toBe(focalLossBestThreshold(probeProbs, data.train.y));
    expect(m.gradEasy).toBe(focalLossGradientShares(probeProbs, data.train.y, {gamma: 2, classWeights: [1, 1]}).easy);
  });
});

describe("the simulated ICU cohort", () => {
  test("focalLossFeatures of a flat stay: means equal the values, slopes 0; a linear ramp has its rate as slope", () => {
    const n = 2 * focalLossEpochs;
    const flat = {hr: new Float64Array(n).fill(80), sbp: new Float64Array(n).fill(160), deteriorating: false};
    const f = focalLossFeatures(flat);
    expect(f.length).toBe(focalLossFeatureNames.length);
    expect(focalLossFeatureNames.length).toBe(48);
    // Window 0: HR mean, min, max, slope; SBP …; SI = 0.5 ….
    expectClose(Array.from(f.subarray(0, 12)), [80, 80, 80, 0, 160, 160, 160, 0, 0.5, 0.5, 0.5, 0], {
      rtol: 0,
      atol: 1e-12
    });
    const ramp = {
      hr: Float64Array.from({length: n}, (_, t) => 70 + 0.5 * t),
      sbp: new Float64Array(n).fill(150),
      deteriorating: true
    };
    const g = focalLossFeatures(ramp);
    expect(focalLossFeatureNames[3]).toBe("HR slope 0–6 h");
    expect(g[3]).toBeCloseTo(0.5, 12);
    expect(g[36 + 3]).toBeCloseTo(0.5, 12); // last window's HR slope
    expect(g[36 + 1]).toBeCloseTo(70 + 0.5 * 36, 12); // its minimum
  });

  test("focalLossLabel needs SI ≥ 0.7 for two consecutive epochs of the next day", () => {
    const n = 2 * focalLossEpochs;
    const stay = {hr: new Float64Array(n).fill(70), sbp: new Float64Array(n).fill(140), deteriorating: false};
    expect(focalLossLabel(stay)).toBe(0);
    stay.hr[60] = 100; // one epoch at SI = 0.71
    expect(focalLossLabel(stay)).toBe(0);
    stay.hr[62] = 100;
    expect(focalLossLabel(stay)).toBe(0);
    stay.hr[61] = 100;
    expect(focalLossLabel(stay)).toBe(1);
    stay.hr.fill(70);
    stay.hr[10] = stay.hr[11] = 100; // an episode in the observed day does not count
    expect(focalLossLabel(stay)).toBe(0);
  });

  test("focalLossStay: deteriorating stays drift toward shock, stable ones do not", () => {
    const rng = random(3);
    const lastSi = (sick: boolean) => {
      let sum = 0;
      for (let i = 0; i < 200; ++i) {
        const s = focalLossStay(rng, sick);
        sum += s.hr[2 * focalLossEpochs - 1] / s.sbp[2 * focalLossEpochs - 1] - s.hr[0] / s.sbp[0];
      }
      return sum / 200;
    };
    expect(lastSi(true)).toBeGreaterThan(0.2);
    expect(Math.abs(lastSi(false))).toBeLessThan(0.02);
  });

  test("focalLossIcu: 48 standardised features, a normal observed day, about 20 % positives, seeded", () => {
    const d = focalLossIcu({patients: 1000, deteriorating: 0.2, seed: 1});
    expect(d.inputs).toBe(48);
    expect(d.train.n).toBe(700);
    expect(d.test.n).toBe(300);
    for (const j of [0, 17, 47]) {
      let mean = 0,
        sq = 0;
      for (let i = 0; i < d.train.n; ++i) mean += d.train.x[i * 48 + j] / d.train.n;
      for (let i = 0; i < d.train.n; ++i) sq += (d.train.x[i * 48 + j] - mean) ** 2 / d.train.n;
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(Math.sqrt(sq)).toBeCloseTo(1, 3);
    }
    const positives = classCounts([...d.train.y, ...d.test.y], 2)[1] / 1000;
    expect(positives).toBeGreaterThan(0.15);
    expect(positives).toBeLessThan(0.25);
    expect(focalLossIcu({patients: 100, seed: 4}).train.x).toEqual(focalLossIcu({patients: 100, seed: 4}).train.x);
    expect(() => focalLossIcu({deteriorating: 0})).toThrow(/invalid deteriorating/);
  });
});

describe("the focal-loss experiment's arms", () => {
  test("focalLossArms: class weights N/(2·n_c), focal's α as classAlpha [1 − α, α], α < 0 passes none", () => {
    const data = focalLossIcu({patients: 300, seed: 5});
    const counts = classCounts(data.train.y, 2);
    expectClose(
      focalLossClassWeights(data),
      counts.map((c) => data.train.n / (2 * c))
    );
    const off = focalLossArms(resolveParams(focalLossSchema, {}), data);
    expect(off.focal.constants).toBeUndefined();
    expect(off.focal.label).toBe("focal (γ = 2)");
    const on = focalLossArms(resolveParams(focalLossSchema, {alpha: 0.25}), data);
    expectClose(on.focal.constants!.classAlpha as Float32Array, [0.75, 0.25]);
    expect(on.focal.label).toBe("focal (γ = 2, α = 0.25)");
  });
});
