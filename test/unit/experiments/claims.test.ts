// Claim checks: the verdict rules (superiority with a threshold, non-inferiority with a margin), metrics read from the
// history, the best of several baselines, and studies outside train().
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {toy2d} from "../../../src/datasets/toy2d.js";
import {crossEntropy, meanAbsoluteError} from "../../../src/losses/compSum.js";
import {defineSchema} from "../../../src/params/schema.js";
import {claimVerdict, defineExperiment, readClaimMetric} from "../../../src/experiments/experiment.js";
import type {TrainEvent} from "../../../src/train/train.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("claimVerdict", () => {
  const up = {direction: "higher" as const};
  test("superiority: the sign, most seeds, and the claimed threshold", () => {
    expect(claimVerdict([0.02, 0.03, -0.01], up).verdict).toBe("reproduced");
    expect(claimVerdict([0.02, 0.03, -0.01], {...up, threshold: 0.03}).verdict).toBe("smaller");
    expect(claimVerdict([0.05, 0.06, 0.04], {...up, threshold: 0.03})).toMatchObject({verdict: "reproduced", agree: 3});
    expect(claimVerdict([-0.02, -0.03, 0.01], up).verdict).toBe("contradicted");
    expect(claimVerdict([0.05, -0.01, -0.01], up).verdict).toBe("inconclusive");
    expect(claimVerdict([-0.02, -0.03, 0.01], {direction: "lower"}).verdict).toBe("reproduced");
  });
  test("mean and sample standard deviation", () => {
    const r = claimVerdict([1, 2, 3], up);
    expect(r.mean).toBe(2);
    expect(r.sd).toBe(1);
  });
  test("non-inferiority: within the margin on average and on most seeds", () => {
    const ni = {...up, test: "non-inferiority" as const, margin: 0.02};
    expect(claimVerdict([-0.01, 0.0, -0.015], ni)).toMatchObject({verdict: "reproduced", agree: 3});
    expect(claimVerdict([-0.05, -0.04, 0.0], ni).verdict).toBe("contradicted");
    expect(claimVerdict([-0.08, 0.01, 0.0], ni).verdict).toBe("inconclusive");
    expect(() => claimVerdict([0], {...ni, margin: 0})).toThrow("margin > 0");
  });
});

describe("readClaimMetric", () => {
  const e = {
    arms: [{metrics: {acc: 0.7}}],
    history: {metrics: {acc: [[0.5, 0.9, NaN, 0.7]]}}
  } as unknown as TrainEvent;
  test("last, extremes and gaps over the evaluations", () => {
    expect(readClaimMetric(e, 0, "acc")).toBe(0.7);
    expect(readClaimMetric(e, 0, "acc", "max")).toBe(0.9);
    expect(readClaimMetric(e, 0, "acc", "min")).toBe(0.5);
    expect(readClaimMetric(e, 0, "acc", "max-minus-last")).toBeCloseTo(0.2);
    expect(readClaimMetric(e, 0, "acc", "last-minus-min")).toBeCloseTo(0.2);
    expect(readClaimMetric(e, 0, "acc", (ev, i) => ev.arms[i].metrics.acc * 2)).toBe(1.4);
  });
});

describe("claims in defineExperiment", () => {
  let setups = 0;
  const schema = defineSchema({seed: {type: "int", default: 1, min: 0, max: 99, doc: "seed"}});
  const experiment = defineExperiment({
    slug: "test/claims",
    title: "claims",
    card: "none",
    schema,
    view: {},
    setup: (p) => (
      setups++,
      {
        data: toy2d({n: 120, classes: 3, seed: p.seed}),
        model: {hidden: [8]},
        arms: [
          {id: "mae", label: "MAE", loss: meanAbsoluteError},
          {id: "ce", label: "CE", loss: crossEntropy},
          {id: "ce2", label: "CE again", loss: crossEntropy}
        ],
        optimizer: {type: "adam", lr: 0.01},
        batchSize: 32,
        seed: p.seed
      }
    ),
    claims: [
      {
        id: "best-baseline",
        text: "CE again is no better than the best of MAE and CE",
        cite: "a test",
        metric: "testLoss",
        metricLabel: "test loss",
        direction: "lower",
        baseline: ["mae", "ce"],
        method: "ce2",
        read: "min",
        params: {},
        steps: 40,
        seeds: [1, 2]
      },
      {
        id: "same-runs",
        text: "CE again is as accurate as CE (the runs of best-baseline, another metric)",
        cite: "a test",
        metric: "testAccuracy",
        metricLabel: "test accuracy",
        direction: "higher",
        baseline: "ce",
        method: "ce2",
        read: "min",
        params: {},
        steps: 40,
        seeds: [1, 2]
      },
      {
        id: "study",
        text: "a study outside train()",
        cite: "a test",
        metric: "value",
        metricLabel: "value",
        direction: "higher",
        test: "non-inferiority",
        margin: 0.5,
        params: {},
        steps: 0,
        seeds: [1, 2, 3],
        measure: async (_p, seed) => ({
          baseline: seed,
          method: seed + 0.1 * (seed - 2),
          baselineLabel: "A",
          methodLabel: "B"
        })
      }
    ]
  });
  test("the best of several baselines, read at its minimum over training", async () => {
    const [r] = await experiment.check({claims: ["best-baseline"]});
    expect(r.baseline).toBe("best of MAE, CE");
    expect(r.method).toBe("CE again");
    expect(r.read).toBe("min");
    // CE again trains exactly as CE: the best baseline is at most as high, so every difference is ≥ 0 and CE's equal.
    for (const row of r.rows) expect(row.difference).toBeGreaterThanOrEqual(0);
    expect(r.verdict).not.toBe("reproduced");
  });
  test("claims over the same parameters, seeds, steps and backend share their runs, across check() calls", async () => {
    setups = 0;
    const [a, b] = await experiment.check({claims: ["best-baseline", "same-runs"], seeds: [5, 6]});
    expect(setups).toBe(2);
    expect(a.rows.map((r) => r.seed)).toEqual([5, 6]);
    for (const row of b.rows) expect(row.difference).toBe(0);
    await experiment.check({claims: ["same-runs"], seeds: [5, 6, 7]});
    expect(setups).toBe(3);
  });
  test("a study reports its own labels and values", async () => {
    const [r] = await experiment.check({claims: ["study"]});
    expect(r.rows.map((x) => x.difference.toFixed(2))).toEqual(["-0.10", "0.00", "0.10"]);
    expect([r.baseline, r.method, r.test, r.margin, r.verdict]).toEqual([
      "A",
      "B",
      "non-inferiority",
      0.5,
      "reproduced"
    ]);
  });
});
