// Card 14's host-side code: the data, the three update rules against hand-computed iterates and against the registry's
// TF.js losses (logistic, batch-perceptron) as oracles, the decision field, the sweep and the live run's control.
import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {batchPerceptron, logistic} from "../../../src/losses/binary.js";
import {trainControl} from "../../../src/train/control.js";
import type {TrainEvent} from "../../../src/train/train.js";
import {
  lrGdPerceptronCosine,
  lrGdPerceptronCriterion,
  lrGdPerceptronData,
  lrGdPerceptronField,
  lrGdPerceptronFormatGamma,
  lrGdPerceptronGradient,
  lrGdPerceptronIterationsToSeparate,
  lrGdPerceptronLogisticLoss,
  lrGdPerceptronMargins,
  lrGdPerceptronMinCosine,
  lrGdPerceptronMisclassified,
  lrGdPerceptronRule,
  lrGdPerceptronRun,
  lrGdPerceptronSoftplus,
  lrGdPerceptronStep,
  lrGdPerceptronSweep,
  lrGdPerceptronTrace
} from "../../../src/methods/lrGdPerceptron.js";
import type {LrGdPerceptronDesign, LrGdPerceptronRunParams} from "../../../src/methods/lrGdPerceptron.js";
import {expectClose} from "../../util/close.js";

useCpuBackend();

/** A design from rows (x₁, x₂) and signs, with the bias column appended. */
function design(rows: [number, number][], signs: number[]): LrGdPerceptronDesign {
  return {
    n: rows.length,
    a: Float64Array.from(rows.flatMap(([x1, x2]) => [x1, x2, 1])),
    y: Float64Array.from(signs)
  };
}

/** Two points on a line, +1 at x₁ = 2 and −1 at x₁ = 1 (boundary between them needs a bias). */
const pair = design(
  [
    [2, 0],
    [1, 0]
  ],
  [1, -1]
);

describe("lrGdPerceptronData", () => {
  test("keeps n points at least minMargin from the true line, labelled by it, with a bias column", () => {
    const {dataset, train, test: held} = lrGdPerceptronData({n: 300, testN: 50, minMargin: 0.05, seed: 3});
    expect([train.n, held.n, dataset.train.n, dataset.test.n]).toEqual([300, 50, 300, 50]);
    const {w, b} = lrGdPerceptronRule;
    for (let i = 0; i < train.n; ++i) {
      const m = w[0] * train.a[3 * i] + w[1] * train.a[3 * i + 1] + b;
      expect(Math.abs(m)).toBeGreaterThanOrEqual(0.05);
      expect(train.y[i]).toBe(Math.sign(m));
      expect(train.a[3 * i + 2]).toBe(1);
      expect(dataset.train.y[i]).toBe(m > 0 ? 1 : 0);
      expect(dataset.train.x[2 * i]).toBe(train.a[3 * i]);
    }
    // The true rule separates the data: its margins are all positive.
    const margins = lrGdPerceptronMargins(train, [w[0], w[1], b]);
    expect(lrGdPerceptronMisclassified(margins)).toBe(0);
  });
  test("is seeded: the same seed gives the same points, another seed others", () => {
    const a = lrGdPerceptronData({seed: 5}).train;
    expect(lrGdPerceptronData({seed: 5}).train.a).toEqual(a.a);
    expect(lrGdPerceptronData({seed: 6}).train.a).not.toEqual(a.a);
  });
  test("draws from N((2, 1), diag(9, ¼))", () => {
    const {train} = lrGdPerceptronData({n: 2000, minMargin: 0.001, seed: 1});
    let m1 = 0,
      m2 = 0;
    for (let i = 0; i < train.n; ++i) {
      m1 += train.a[3 * i] / train.n;
      m2 += train.a[3 * i + 1] / train.n;
    }
    let v1 = 0,
      v2 = 0;
    for (let i = 0; i < train.n; ++i) {
      v1 += (train.a[3 * i] - m1) ** 2 / train.n;
      v2 += (train.a[3 * i + 1] - m2) ** 2 / train.n;
    }
    expect(m1).toBeCloseTo(2, 0);
    expect(m2).toBeCloseTo(1, 1);
    expect(v1 / 9).toBeCloseTo(1, 1);
    expect(v2 / 0.25).toBeCloseTo(1, 1);
  });
  test("rejects bad options", () => {
    expect(() => lrGdPerceptronData({n: 1})).toThrow("invalid n: 1");
    expect(() => lrGdPerceptronData({minMargin: -1})).toThrow("invalid minMargin: -1");
  });
});

describe("the objective", () => {
  test("lrGdPerceptronSoftplus is exact at 0 and finite at ±1e4", () => {
    expect(lrGdPerceptronSoftplus(0)).toBe(Math.LN2);
    expect(lrGdPerceptronSoftplus(1e4)).toBe(1e4);
    expect(lrGdPerceptronSoftplus(-1e4)).toBe(0);
    expect(lrGdPerceptronSoftplus(-30)).toBeCloseTo(Math.exp(-30), 20);
  });
  test("loss and criterion on hand-computed margins", () => {
    expect(lrGdPerceptronLogisticLoss([0, 0])).toBe(Math.LN2);
    expect(lrGdPerceptronLogisticLoss([1, -1])).toBeCloseTo(
      (Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(1))) / 2,
      14
    );
    expect(lrGdPerceptronCriterion([2, -1, -3, 0])).toBe(1);
    expect(lrGdPerceptronMisclassified([2, -1, 0, 1e-9])).toBe(2);
  });
  test("loss and gradient match the registry's logistic loss (TF.js autodiff, float32)", () => {
    const {train} = lrGdPerceptronData({n: 40, seed: 2});
    const w = [0.3, -1.2, 0.4];
    const margins = lrGdPerceptronMargins(train, w);
    const ours = lrGdPerceptronGradient(train, w);
    const [value, grad] = tf.tidy(() => {
      const A = tf.tensor2d(Float32Array.from(train.a), [train.n, 3]);
      const y = tf.tensor1d(Float32Array.from(train.y));
      const {value, grad} = tf.valueAndGrad((v: tf.Tensor) =>
        logistic.fn({scores: tf.squeeze(tf.matMul(A, tf.reshape(v, [3, 1])), [1]) as tf.Tensor1D, signs: y})
      )(tf.tensor1d(w));
      return [value.dataSync()[0], Array.from(grad.dataSync())];
    });
    expect(lrGdPerceptronLogisticLoss(margins)).toBeCloseTo(value, 5);
    expectClose(ours, grad, {rtol: 1e-4, atol: 1e-5});
  });
});

describe("lrGdPerceptronStep", () => {
  test("the batch perceptron on two points, by hand (a tie counts by half)", () => {
    const v = new Float64Array(3);
    const expected = [
      [0.25, 0, 0], // from 0 every point is a tie: (1/2n) Σ y a
      [-0.25, 0, -0.5], // m = (0.5, −0.25): the −1 point is added
      [0.75, 0, 0], // m = (−1, 0.75): the +1 point is added
      [0.25, 0, -0.5], // m = (1.5, −0.75)
      [0.75, 0, -0.25] // m = (0, 0.25): the tie adds half of the +1 point
    ];
    for (const e of expected) {
      lrGdPerceptronStep({kind: "perceptron"}, pair, v);
      expectClose(v, e, {rtol: 0, atol: 1e-15});
    }
  });
  test("the perceptron step is minus the registry batch-perceptron loss's gradient", () => {
    const {train} = lrGdPerceptronData({n: 60, seed: 4});
    const v = new Float64Array([0.5, 0.2, -0.3]);
    const before = Array.from(v);
    lrGdPerceptronStep({kind: "perceptron"}, train, v);
    const grad = tf.tidy(() => {
      const A = tf.tensor2d(Float32Array.from(train.a), [train.n, 3]);
      const y = tf.tensor1d(Float32Array.from(train.y));
      return Array.from(
        tf
          .grad((u: tf.Tensor) =>
            batchPerceptron.fn({scores: tf.squeeze(tf.matMul(A, tf.reshape(u, [3, 1])), [1]) as tf.Tensor1D, signs: y})
          )(tf.tensor1d(before))
          .dataSync()
      );
    });
    expectClose(
      Array.from(v, (x, j) => x - before[j]),
      grad.map((g) => -g),
      {rtol: 1e-4, atol: 1e-6}
    );
  });
  test("LR+GD: w − γ∇f, and its first step from 0 is exactly γ times the perceptron's", () => {
    const {train} = lrGdPerceptronData({n: 50, seed: 7});
    const w = new Float64Array([0.1, 0.7, -0.2]);
    const g = lrGdPerceptronGradient(train, w);
    const expected = Array.from(w, (x, j) => x - 3 * g[j]);
    lrGdPerceptronStep({kind: "lr-gd", gamma: 3}, train, w);
    expectClose(w, expected, {rtol: 1e-14, atol: 1e-14});
    const a = new Float64Array(3);
    const v = new Float64Array(3);
    lrGdPerceptronStep({kind: "lr-gd", gamma: 1e5}, train, a);
    lrGdPerceptronStep({kind: "perceptron"}, train, v);
    expectClose(
      a,
      Array.from(v, (x) => 1e5 * x),
      {rtol: 1e-14, atol: 0}
    );
  });
  test("Normalized LR+GD: w − (γ/f)∇f while f is representable", () => {
    const {train} = lrGdPerceptronData({n: 50, seed: 8});
    const w = new Float64Array([0.4, 2, -1]);
    const f = lrGdPerceptronLogisticLoss(lrGdPerceptronMargins(train, w));
    const g = lrGdPerceptronGradient(train, w);
    const expected = Array.from(w, (x, j) => x - (2 / f) * g[j]);
    lrGdPerceptronStep({kind: "normalized", gamma: 2}, train, w);
    expectClose(w, expected, {rtol: 1e-12, atol: 1e-12});
  });
  test("Normalized LR+GD stays finite after separation, where f and ∇f underflow, and tends to the worst point", () => {
    // Margins 1000 and 1010: f ≈ (e^{−1000} + e^{−1010})/2 underflows; ∇f/f → −(y₁a₁ + e^{−10}y₂a₂)/(1 + e^{−10}).
    const d = design(
      [
        [1, 0],
        [2, 0]
      ],
      [1, 1]
    );
    const w = new Float64Array([10, 0, 990]);
    expect(lrGdPerceptronLogisticLoss(lrGdPerceptronMargins(d, w))).toBe(0);
    lrGdPerceptronStep({kind: "normalized", gamma: 1}, d, w);
    const e = Math.exp(-10);
    expectClose(w, [10 + (1 + 2 * e) / (1 + e), 0, 990 + 1], {rtol: 1e-12, atol: 1e-12});
  });
});

describe("traces and the sweep", () => {
  test("iterations to separation on two points, by hand", () => {
    // None of the hand-computed iterates v₀ … v₅ above separates the pair (v₄ leaves a tie, which counts).
    const t = lrGdPerceptronTrace({kind: "perceptron"}, pair, 5, {keepWeights: true});
    expect(Array.from(t.misclassified)).toEqual([2, 1, 1, 1, 1, 1]);
    expect(t.separatedAt).toBe(Infinity);
    expectClose(t.weights!.subarray(15, 18), [0.75, 0, -0.25], {rtol: 0, atol: 1e-15});
    // Two points split by the origin separate after one step.
    const easy = design(
      [
        [1, 0],
        [-1, 0]
      ],
      [1, -1]
    );
    expect(lrGdPerceptronIterationsToSeparate({kind: "perceptron"}, easy, 10)).toBe(1);
    expect(lrGdPerceptronIterationsToSeparate({kind: "lr-gd", gamma: 0.01}, easy, 10)).toBe(1);
  });
  test("the trace's loss starts at log 2 and its counts agree with the margins", () => {
    const {train} = lrGdPerceptronData({n: 100, seed: 2});
    const t = lrGdPerceptronTrace({kind: "lr-gd", gamma: 10}, train, 20, {keepWeights: true});
    expect(t.loss[0]).toBeCloseTo(Math.LN2, 14);
    expect(t.misclassified[0]).toBe(100);
    const w = t.weights!.subarray(60, 63);
    const m = lrGdPerceptronMargins(train, w);
    expect(t.loss[20]).toBe(lrGdPerceptronLogisticLoss(m));
    expect(t.misclassified[20]).toBe(lrGdPerceptronMisclassified(m));
  });
  test("LR+GD at γ = 1e6 follows the perceptron's direction (cosine > 0.99999 over 30 iterations)", () => {
    const {train} = lrGdPerceptronData({seed: 1});
    expect(lrGdPerceptronMinCosine(1e6, train, 30)).toBeGreaterThan(0.99999);
    expect(lrGdPerceptronMinCosine(1, train, 30)).toBeLessThan(0.99);
  });
  test("the sweep: one row per γ, consistent with single runs", () => {
    const {train} = lrGdPerceptronData({n: 100, seed: 3});
    const s = lrGdPerceptronSweep(train, {gammas: [1, 100], maxIterations: 500, peakWindow: 10});
    expect(s.rows.map((r) => r.gamma)).toEqual([1, 100]);
    expect(s.perceptron).toBe(lrGdPerceptronIterationsToSeparate({kind: "perceptron"}, train, 500));
    expect(s.rows[1].lrGd).toBe(lrGdPerceptronIterationsToSeparate({kind: "lr-gd", gamma: 100}, train, 500));
    expect(s.rows[0].normalized).toBe(lrGdPerceptronIterationsToSeparate({kind: "normalized", gamma: 1}, train, 500));
    expect(s.rows[0].peakLoss).toBeCloseTo(Math.LN2, 14);
  });
  test("cosine and γ labels", () => {
    expect(lrGdPerceptronCosine([1, 0, 0], [2, 0, 0])).toBe(1);
    expect(lrGdPerceptronCosine([1, 0, 0], [0, 3, 0])).toBe(0);
    expect(lrGdPerceptronCosine([0, 0, 0], [1, 0, 0])).toBeNaN();
    expect([1e5, 1000, 0.1, 10 ** 0.5].map(lrGdPerceptronFormatGamma)).toEqual(["1e5", "1000", "0.1", "3.16"]);
  });
});

describe("lrGdPerceptronField", () => {
  test("probabilities of the two classes and the logit margin |s| at cell centres", () => {
    const g = {nx: 2, ny: 2, x0: 0, x1: 2, y0: 0, y1: 2};
    const {probs, margin} = lrGdPerceptronField(g, [1, 0, -1]);
    // Cell (0, 0) is at (0.5, 1.5): s = −0.5; cell (1, 0) at (1.5, 1.5): s = 0.5.
    expect(margin[0]).toBe(0.5);
    expect(probs[1]).toBeCloseTo(1 / (1 + Math.exp(0.5)), 7);
    expect(probs[0] + probs[1]).toBeCloseTo(1, 7);
    expect(probs[3]).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 7);
  });
});

describe("lrGdPerceptronRun", () => {
  const p: LrGdPerceptronRunParams = {
    baselineGamma: 1,
    gamma: 1000,
    normalized: true,
    normalizedGamma: 1,
    n: 80,
    minMargin: 0.02,
    steps: 30,
    seed: 1
  };
  test("runs to the end without a control: four arms, every iteration in the history", async () => {
    let last: TrainEvent | undefined;
    for await (const e of lrGdPerceptronRun(p, {stepsPerYield: 7, grid: 16})) last = e;
    expect(last!.step).toBe(30);
    expect(last!.status).toBe("done");
    expect(last!.arms.map((a) => a.id)).toEqual(["lr-gd-small", "lr-gd-large", "perceptron", "normalized"]);
    expect(last!.arms.map((a) => a.role)).toEqual(["baseline", "method", "perceptron", "normalized"]);
    expect(last!.history.step).toHaveLength(31);
    expect(last!.history.loss[1]).toHaveLength(31);
    expect(last!.history.metrics.misclassified[2][0]).toBe(80);
    expect(last!.arms[0].view.probs).toHaveLength(16 * 8 * 2);
    // The perceptron arm's loss is its own criterion; the others' the logistic loss.
    const {train} = lrGdPerceptronData({n: 80, minMargin: 0.02, seed: 1});
    const v = lrGdPerceptronTrace({kind: "perceptron"}, train, 30, {keepWeights: true}).weights!.subarray(90, 93);
    expect(last!.arms[2].loss).toBe(lrGdPerceptronCriterion(lrGdPerceptronMargins(train, v)));
    const w = lrGdPerceptronTrace({kind: "lr-gd", gamma: 1000}, train, 30, {keepWeights: true}).weights!.subarray(
      90,
      93
    );
    expect(last!.arms[1].loss).toBe(lrGdPerceptronLogisticLoss(lrGdPerceptronMargins(train, w)));
    expect(last!.arms[1].metrics.angleToPerceptron).toBeCloseTo(
      (Math.acos(lrGdPerceptronCosine(w, v)) * 180) / Math.PI,
      9
    );
  });
  test("honours the control: single steps while paused, reset to 0, and stops on return()", async () => {
    const control = trainControl({playing: false, speed: 5});
    const run = lrGdPerceptronRun({...p, normalized: false}, {control, grid: 0});
    expect((await run.next()).value).toMatchObject({step: 0, status: "ready"});
    expect((await run.next()).value).toMatchObject({step: 0, status: "paused"});
    control.step(3);
    const stepped = (await run.next()).value as TrainEvent;
    expect([stepped.step, stepped.status, stepped.arms.length]).toEqual([3, "paused", 3]);
    control.reset();
    control.step(1);
    expect(((await run.next()).value as TrainEvent).step).toBe(0);
    expect(((await run.next()).value as TrainEvent).step).toBe(1);
    control.play();
    const playing = (await run.next()).value as TrainEvent;
    expect([playing.step, playing.status]).toEqual([6, "running"]);
    const end = await run.return(undefined as never);
    expect(end.done).toBe(true);
  });
  test("stops when the invalidation promise resolves", async () => {
    let invalidate!: () => void;
    const invalidation = new Promise<void>((resolve) => (invalidate = resolve));
    const control = trainControl({playing: false});
    const run = lrGdPerceptronRun(p, {control, invalidation, grid: 0});
    await run.next();
    await run.next(); // paused, now waiting for the control
    const pending = run.next();
    invalidate();
    expect((await pending).done).toBe(true);
  });
});

describe("lrGdPerceptronExperiment", () => {
  test("live runs the Float64 study and reports the TF.js backend's name", async () => {
    const {lrGdPerceptronExperiment: experiment} = await import("../../../src/experiments/lrGdPerceptron.js");
    const {resolveParams} = await import("../../../src/params/schema.js");
    const run = experiment.live(resolveParams(experiment.schema, {n: 40, steps: 50}));
    const first = (await run.next()).value as TrainEvent;
    expect([first.backend, first.arms.length, first.grid?.nx]).toEqual([tf.getBackend(), 4, 96]);
    await run.return(undefined as never);
  });
  test("setup is the method arm on the trainer: a linear model, SGD with lr = γ/2, full batch; it separates the data", async () => {
    const {lrGdPerceptronExperiment: experiment} = await import("../../../src/experiments/lrGdPerceptron.js");
    const {resolveParams} = await import("../../../src/params/schema.js");
    const {runToEnd, train} = await import("../../../src/train/train.js");
    const p = resolveParams(experiment.schema, {n: 100, gamma: 10});
    const options = experiment.setup(p);
    expect([options.optimizer.lr, options.batchSize, options.model?.hidden]).toEqual([5, 100, []]);
    const last = await runToEnd(train({...options, steps: 300, evalEvery: 300, stepsPerYield: 100}));
    expect(last.arms[0].metrics.trainAccuracy).toBeGreaterThan(0.95);
  });
});
