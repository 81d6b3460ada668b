// The LDR-KL notebook's own code: the official label-noise generators, λ split by clean/corrupted samples, and the
// λ profile of LDR-KL (checked against the registry's TF.js ldrValues and hand-computed values).
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import type {Split} from "../../../src/datasets/dataset.js";
import {toy2d} from "../../../src/datasets/toy2d.js";
import {ldrValues} from "../../../src/losses/ldrKl.js";
import {ldrKlMetrics, ldrKlSetup, ldrKlSchema, ldrKlTestSize} from "../../../src/experiments/ldrKl.js";
import {
  ldrKlCorruptLabels,
  ldrKlData,
  ldrKlLambdaGroups,
  ldrKlLambdaMeans,
  ldrKlLambdaProfile
} from "../../../src/methods/ldrKl.js";
import {defaults} from "../../../src/params/schema.js";
import {random} from "../../../src/random.js";
import {expectClose} from "../../util/close.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** A split of n samples with labels i mod C (clean), inputs unused. */
function split(n: number, classes: number): Split {
  const y = Int32Array.from({length: n}, (_, i) => i % classes);
  return {n, x: new Float32Array(2 * n), y: y.slice(), yClean: y, ids: Int32Array.from({length: n}, (_, i) => i)};
}

describe("ldrKlCorruptLabels", () => {
  const n = 40000;
  const C = 4;
  const wrongShare = (s: Split) => s.y.filter((v, i) => v !== s.yClean[i]).length / s.n;

  test("uniform: a share rate of the labels is redrawn from all C classes, so rate·(C − 1)/C end up wrong", () => {
    const s = ldrKlCorruptLabels(split(n, C), C, 0.6, "uniform", random(3));
    expect(wrongShare(s)).toBeCloseTo((0.6 * (C - 1)) / C, 2); // 0.45 ± 0.005 (sd of the share ≈ 0.0025)
    // Every wrong label is some other class; each of the C − 1 other classes is hit about equally often.
    const hits = new Array(C).fill(0);
    for (let i = 0; i < n; ++i) if (s.y[i] !== s.yClean[i]) hits[(s.y[i] - s.yClean[i] + C) % C]++;
    expect(hits[0]).toBe(0);
    for (const h of hits.slice(1)) expect(h / (n * 0.45)).toBeCloseTo(1 / 3, 1);
  });

  test("uniform at rate 1: the labels are uniform over all classes, independent of the true one", () => {
    const s = ldrKlCorruptLabels(split(n, C), C, 1, "uniform", random(4));
    expect(wrongShare(s)).toBeCloseTo(0.75, 2);
    const counts = new Array(C).fill(0);
    for (let i = 0; i < n; ++i) if (s.yClean[i] === 0) counts[s.y[i]]++;
    for (const c of counts) expect(c / (n / C)).toBeCloseTo(0.25, 1);
  });

  test("class-dependent: a share rate of the labels moves to the next class, y → (y + 1) mod C", () => {
    const s = ldrKlCorruptLabels(split(n, C), C, 0.4, "class-dependent", random(5));
    expect(wrongShare(s)).toBeCloseTo(0.4, 2);
    let other = 0;
    for (let i = 0; i < n; ++i) if (s.y[i] !== s.yClean[i] && s.y[i] !== (s.yClean[i] + 1) % C) other++;
    expect(other).toBe(0);
  });

  test("rate 0 changes nothing; the clean labels and the input split are kept", () => {
    const input = split(100, C);
    const before = input.y.slice();
    const s = ldrKlCorruptLabels(input, C, 0, "uniform", random(1));
    expect(Array.from(s.y)).toEqual(Array.from(input.yClean));
    expect(Array.from(input.y)).toEqual(Array.from(before));
    const t = ldrKlCorruptLabels(input, C, 0.9, "class-dependent", random(1));
    expect(t.yClean).toBe(input.yClean);
    expect(Array.from(input.y)).toEqual(Array.from(before));
  });

  test("the corrupted samples are nested: a sample corrupted at a lower rate is corrupted the same way at a higher one", () => {
    const lo = ldrKlCorruptLabels(split(2000, C), C, 0.2, "uniform", random(9));
    const hi = ldrKlCorruptLabels(split(2000, C), C, 0.7, "uniform", random(9));
    for (let i = 0; i < 2000; ++i) if (lo.y[i] !== lo.yClean[i]) expect(hi.y[i]).toBe(lo.y[i]);
  });

  test("invalid rates, classes and kinds throw", () => {
    expect(() => ldrKlCorruptLabels(split(10, C), C, 1.5, "uniform", random(1))).toThrow(
      "invalid label noise rate: 1.5"
    );
    expect(() => ldrKlCorruptLabels(split(10, C), 1, 0.5, "uniform", random(1))).toThrow("invalid classes: 1");
    expect(() => ldrKlCorruptLabels(split(10, C), C, 0.5, "pairflip" as never, random(1))).toThrow(
      "invalid noise kind: pairflip"
    );
  });
});

describe("ldrKlData", () => {
  const o = {shape: "blobs", classes: 4, n: 1200, testFraction: 1000 / 1200, noise: 0.3, seed: 2} as const;
  test("the points and clean labels are toy2d's; only the training labels are corrupted", () => {
    const data = ldrKlData({...o, labelNoise: 0.6, noiseKind: "uniform"});
    const clean = toy2d({...o, labelNoise: 0});
    expect(Array.from(data.train.x)).toEqual(Array.from(clean.train.x));
    expect(Array.from(data.train.yClean)).toEqual(Array.from(clean.train.y));
    expect(Array.from(data.test.y)).toEqual(Array.from(data.test.yClean));
    expect(data.train.n).toBe(200);
    expect(data.test.n).toBe(1000);
    const wrong = data.train.y.filter((v, i) => v !== data.train.yClean[i]).length;
    expect(data.noiseRate).toBe(wrong / 200);
    expect(data.noiseRate).toBeGreaterThan(0.3);
    expect(data.noiseRate).toBeLessThan(0.6);
  });

  test("the experiment's setup puts the test split at its fixed size and keeps the model's tanh", () => {
    const setup = ldrKlSetup(defaults(ldrKlSchema));
    expect(setup.data.test.n).toBe(ldrKlTestSize);
    expect(setup.data.train.n).toBe(200);
    expect(setup.model?.activation).toBe("tanh");
    expect(setup.arms.map((a) => a.id)).toEqual(["ce", "aldr-kl"]);
  });
});

describe("ldrKlLambdaGroups", () => {
  const train: Split = {
    n: 5,
    x: new Float32Array(10),
    y: Int32Array.from([0, 1, 2, 0, 1]),
    yClean: Int32Array.from([0, 2, 2, 0, 0]),
    ids: Int32Array.from([7, 3, 0, 5, 1])
  };
  const state = Float32Array.from([9.5, 9.9, 0, 9.7, 0, 9.6, 0, 9.2]);

  test("reads λ by sample id and splits by clean (y = yClean) and corrupted labels", () => {
    const g = ldrKlLambdaGroups(state, train);
    expect(Array.from(g.clean)).toEqual(Array.from(Float32Array.from([9.2, 9.5, 9.6])));
    expect(Array.from(g.corrupted)).toEqual(Array.from(Float32Array.from([9.7, 9.9])));
  });

  test("unvisited samples (state ≤ 0) are left out, and the means follow", () => {
    const s = state.slice();
    s[3] = 0;
    const g = ldrKlLambdaGroups(s, train);
    expect(Array.from(g.corrupted)).toEqual(Array.from(Float32Array.from([9.9])));
    const m = ldrKlLambdaMeans(s, train);
    expect(m.clean).toBeCloseTo((9.2 + 9.5 + 9.6) / 3, 5);
    expect(m.corrupted).toBeCloseTo(9.9, 5);
    expect(ldrKlLambdaMeans(new Float32Array(8), train)).toEqual({clean: NaN, corrupted: NaN});
  });

  test("a state shorter than the ids throws", () => {
    expect(() => ldrKlLambdaGroups(new Float32Array(4), train)).toThrow("no state for sample id 7");
  });

  test("the metrics hook reports the two means for an arm with a state and nothing otherwise", () => {
    const data = {name: "t", inputs: 2, classes: 3, train, test: train, noiseRate: 0.4};
    const ctx = {
      data,
      index: 1,
      testLogits: new Float32Array(),
      probeLogits: new Float32Array(),
      probeSize: 0,
      step: 0
    };
    const arm = {id: "x", label: "x", loss: {} as never};
    expect(ldrKlMetrics.host!({...ctx, arm})).toEqual({});
    const m = ldrKlMetrics.host!({...ctx, arm, state});
    expect(m.lambdaClean).toBeCloseTo((9.2 + 9.5 + 9.6) / 3, 5);
    expect(m.lambdaCorrupted).toBeCloseTo((9.7 + 9.9) / 2, 5);
  });
});

describe("ldrKlLambdaProfile", () => {
  const gaps = [0, 0.6, -0.9, 0.1];

  test("λ·log-mean-exp of the gaps, by hand at λ = 1", () => {
    const {value, weights} = ldrKlLambdaProfile(gaps, [1]);
    const e = gaps.map(Math.exp);
    const sum = e.reduce((a, b) => a + b, 0);
    expect(value[0]).toBeCloseTo(Math.log(sum / 4), 12);
    expectClose(
      weights[0],
      e.map((v) => v / sum),
      {rtol: 1e-12, atol: 0}
    );
  });

  test("tends to the largest gap as λ → 0 and to the mean gap as λ → ∞", () => {
    const {value, weights} = ldrKlLambdaProfile(gaps, [1e-3, 1e4]);
    // At λ = 1e-3 only the max counts: value = max + λ log(1/C) to within e^{−500}.
    expect(value[0]).toBeCloseTo(0.6 + 1e-3 * Math.log(1 / 4), 10);
    expect(weights[0][1]).toBeCloseTo(1, 10);
    const mean = gaps.reduce((a, b) => a + b, 0) / 4;
    expect(value[1]).toBeCloseTo(mean, 4);
  });

  test("agrees with the registry's TF.js ldrValues", () => {
    const lambdas = [0.05, 0.3, 1, 10];
    const {value} = ldrKlLambdaProfile(gaps, lambdas);
    const tfValues = lambdas.map((l) => tf.tidy(() => ldrValues(tf.tensor2d([gaps]), l).dataSync()[0]));
    expectClose(tfValues, value);
  });

  test("invalid λ and empty gaps throw", () => {
    expect(() => ldrKlLambdaProfile(gaps, [0])).toThrow("invalid lambda: 0");
    expect(() => ldrKlLambdaProfile([], [1])).toThrow("gaps is empty");
  });
});
