// Card 17's host-side code: naive Bayes against hand-computed values, logistic regression against its optimality
// conditions (and TF.js autodiff of the registry's cross-entropy), the official data generator, the study helpers and
// the live run's control.
import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import {random} from "../../../src/random.js";
import {trainControl} from "../../../src/train/control.js";
import type {TrainEvent} from "../../../src/train/train.js";
import {
  dvgClassMean,
  dvgCovariance,
  dvgDrawSubset,
  dvgError,
  dvgFitLogistic,
  dvgFitNaiveBayes,
  dvgGaussianData,
  dvgGaussianSampler,
  dvgLogisticObjective,
  dvgLogisticScores,
  dvgNaiveBayesScores,
  dvgRun,
  dvgSamplesToPlateau,
  dvgSizes,
  dvgStudy,
  dvgSymmetricEigen
} from "../../../src/methods/discriminativeVsGenerative.js";
import type {DvgRunParams, DvgSamples} from "../../../src/methods/discriminativeVsGenerative.js";
import {expectClose} from "../../util/close.js";

useCpuBackend();

function samples(rows: number[][], y: number[], classes: number): DvgSamples {
  return {n: rows.length, d: rows[0].length, classes, x: Float64Array.from(rows.flat()), y: Int32Array.from(y)};
}

describe("naive Bayes", () => {
  // 1-D: class 0 at 0 and 2, class 1 at 4. Means 1 and 4; class variances 1 and 0 (+ε); priors ⅔, ⅓;
  // pooled variance ⅔(1 + ε) + ⅓ε = ⅔ + ε.
  const s = samples([[0], [2], [4]], [0, 0, 1], 2);
  test("means, pooled variance and priors, by hand", () => {
    const nb = dvgFitNaiveBayes(s);
    expectClose(nb.means, [1, 4], {rtol: 0, atol: 1e-15});
    expect(nb.variance[0]).toBeCloseTo(2 / 3 + 1e-9, 15);
    expectClose(nb.logPrior, [Math.log(2 / 3), Math.log(1 / 3)], {rtol: 1e-15, atol: 0});
  });
  test("scores log π_k − ½ (x − μ_k)² / σ̄², by hand", () => {
    const nb = dvgFitNaiveBayes(s, 0);
    const scores = dvgNaiveBayesScores(nb, Float64Array.from([2, 3]), 2);
    expectClose(scores, [Math.log(2 / 3) - 0.75, Math.log(1 / 3) - 3, Math.log(2 / 3) - 3, Math.log(1 / 3) - 0.75], {
      rtol: 1e-14,
      atol: 1e-14
    });
    // x = 2 goes to class 0, x = 3 to class 1.
    expect(dvgError(scores, Int32Array.from([0, 1]))).toBe(0);
  });
  test("the pooled variance is shared, so the rule is linear in x (equal spreads: the midpoint splits the classes)", () => {
    const nb = dvgFitNaiveBayes(samples([[0], [2], [6], [8]], [0, 0, 1, 1], 2), 0);
    const scores = dvgNaiveBayesScores(nb, Float64Array.from([3.999, 4.001]), 2);
    expect(scores[0] > scores[1]).toBe(true);
    expect(scores[3] > scores[2]).toBe(true);
  });
});

describe("logistic regression", () => {
  test("objective and gradient agree with central differences (binary and multinomial)", () => {
    const rng = random(3);
    for (const classes of [2, 3]) {
      const s = samples(
        Array.from({length: 12}, () => [rng.normal(), rng.normal(), rng.normal()]),
        Array.from({length: 12}, (_, i) => i % classes),
        classes
      );
      const size = (classes === 2 ? 1 : classes) * 4;
      const w = Float64Array.from({length: size}, () => rng.normal());
      const g = new Float64Array(size);
      dvgLogisticObjective(s, w, 0.7, g);
      const scratch = new Float64Array(size);
      for (let i = 0; i < size; ++i) {
        const e = 1e-6;
        const plus = Float64Array.from(w);
        const minus = Float64Array.from(w);
        plus[i] += e;
        minus[i] -= e;
        const fd =
          (dvgLogisticObjective(s, plus, 0.7, scratch) - dvgLogisticObjective(s, minus, 0.7, scratch)) / (2 * e);
        expect(Math.abs(fd - g[i])).toBeLessThan(1e-6 * (1 + Math.abs(g[i])));
      }
    }
  });
  test("binary, by hand: x = ±1 labelled 0/1 gives b = 0 and w solving w = 2σ(−w)", () => {
    const lr = dvgFitLogistic(samples([[-1], [1]], [0, 1], 2), {tolerance: 1e-10});
    // Bisection on w − 2/(1 + e^w) = 0, independent of the solver.
    let lo = 0,
      hi = 2;
    for (let i = 0; i < 80; ++i) {
      const mid = (lo + hi) / 2;
      if (mid - 2 / (1 + Math.exp(mid)) > 0) hi = mid;
      else lo = mid;
    }
    expect(lr.w[0]).toBeCloseTo(lo, 8);
    expect(lr.w[1]).toBeCloseTo(0, 8);
    expectClose(dvgLogisticScores(lr, Float64Array.from([1]), 1), [0, lr.w[0] + lr.w[1]], {rtol: 1e-15, atol: 0});
  });
  test("multinomial: at the solution TF.js autodiff of ½‖W‖² + C Σ CE (the registry's cross-entropy) is ~0", () => {
    const {pool} = dvgGaussianData({dim: 4, classes: 3, pool: 90, testN: 3, seed: 2});
    const lr = dvgFitLogistic(pool);
    expect(lr.gradientMax).toBeLessThanOrEqual(1e-4);
    const grad = tf.tidy(() => {
      const x = tf.tensor2d(Float32Array.from(pool.x), [pool.n, 4]);
      const labels = tf.tensor1d(pool.y, "int32");
      const W = tf.tensor2d(Float32Array.from(lr.w), [3, 5]);
      return Array.from(
        tf
          .grad((v: tf.Tensor) => {
            const weights = tf.slice(v, [0, 0], [3, 4]);
            const logits = tf.add(tf.matMul(x, weights, false, true), tf.reshape(tf.slice(v, [0, 4], [3, 1]), [1, 3]));
            // The registry's cross-entropy is the batch mean: times n for the sum.
            const ce = tf.mul(crossEntropy.fn({logits: logits as tf.Tensor2D, labels: labels as tf.Tensor1D}), pool.n);
            return tf.add(ce, tf.mul(0.5, tf.sum(tf.square(weights)))) as tf.Scalar;
          })(W)
          .dataSync()
      );
    });
    // float32 over 90 samples: the autodiff gradient at the Float64 optimum is zero up to rounding.
    for (const v of grad) expect(Math.abs(v)).toBeLessThan(2e-3);
  });
  test("a warm start reaches the same minimiser, and the preconditioner does not change it", () => {
    const {pool} = dvgGaussianData({dim: 6, classes: 3, pool: 300, testN: 3, seed: 5});
    const cold = dvgFitLogistic(pool, {precondition: false});
    const warm = dvgFitLogistic(pool, {init: Float64Array.from(cold.w, (v) => v * 0.5)});
    expect(warm.objective).toBeCloseTo(cold.objective, 6);
    expectClose(warm.w, cold.w, {rtol: 1e-3, atol: 1e-3});
    expect(() => dvgFitLogistic(pool, {init: new Float64Array(2)})).toThrow("invalid init: 2 weights, expected 21");
  });
});

describe("the official data", () => {
  test("class means −1, 1, 2, 4 and the easy diagonal covariance", () => {
    expect([0, 1, 2, 3].map(dvgClassMean)).toEqual([-1, 1, 2, 4]);
    expect(Array.from(dvgCovariance(4, "easy"))).toEqual([4, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });
  test("the hard covariance is AᵀA with the easy diagonal, symmetric, and the same for every call", () => {
    const c = dvgCovariance(5, "hard");
    expect(Array.from(c)).toEqual(Array.from(dvgCovariance(5, "hard")));
    for (let i = 0; i < 5; ++i) {
      expect(c[i * 5 + i]).toBe(i < 2 ? 5 : 1);
      for (let j = 0; j < 5; ++j) expect(c[i * 5 + j]).toBe(c[j * 5 + i]);
    }
  });
  test("Jacobi eigen-decomposition reconstructs the matrix", () => {
    const c = dvgCovariance(6, "hard");
    const {values, vectors} = dvgSymmetricEigen(c, 6);
    for (let i = 0; i < 6; ++i) {
      for (let j = 0; j < 6; ++j) {
        let s = 0;
        for (let k = 0; k < 6; ++k) s += vectors[i * 6 + k] * values[k] * vectors[j * 6 + k];
        expect(s).toBeCloseTo(c[i * 6 + j], 9);
      }
    }
  });
  test("the sampler's empirical covariance is Σ for a PSD Σ", () => {
    const cov = Float64Array.from([4, 1.2, 1.2, 1]);
    const sample = dvgGaussianSampler(cov, 2);
    const rng = random(7);
    const x = new Float64Array(2);
    let a = 0,
      b = 0,
      ab = 0;
    const n = 40000;
    for (let i = 0; i < n; ++i) {
      sample(rng, x);
      a += (x[0] * x[0]) / n;
      b += (x[1] * x[1]) / n;
      ab += (x[0] * x[1]) / n;
    }
    expect(a / 4).toBeCloseTo(1, 1);
    expect(b).toBeCloseTo(1, 1);
    expect(ab / 1.2).toBeCloseTo(1, 1);
  });
  test("balanced classes, standardised as (x − 2^{K−3}) / 2^{K−3} for K > 2", () => {
    const {pool, test: held} = dvgGaussianData({dim: 3, classes: 4, pool: 4000, testN: 40, seed: 1});
    expect([pool.n, held.n]).toEqual([4000, 40]);
    const means = [0, 0, 0, 0];
    for (let i = 0; i < pool.n; ++i) means[pool.y[i]] += pool.x[i * 3 + 2] / 1000;
    // K = 4: shift and scale 2; raw means −1, 1, 2, 4 → −1.5, −0.5, 0, 1.
    expectClose(means, [-1.5, -0.5, 0, 1], {rtol: 0, atol: 0.05});
  });
});

describe("the study", () => {
  test("sizes grow by the ratio from 2K and end at the pool", () => {
    expect(dvgSizes(3, 100, 2)).toEqual([6, 12, 24, 48, 96, 100]);
    expect(dvgSizes(2, 10, 1.2)).toEqual([4, 5, 6, 7, 8, 10]);
  });
  test("subsets hold every class", () => {
    const s = samples([[0], [1], [2], [3], [4], [5]], [0, 0, 0, 0, 0, 1], 2);
    const rng = random(1);
    for (let i = 0; i < 20; ++i) expect(Array.from(dvgDrawSubset(s, 2, rng.fork(i))).map((k) => s.y[k])).toContain(1);
    expect(() => dvgDrawSubset(s, 1, rng)).toThrow("invalid training size: 1");
  });
  test("samples to plateau: the first size within 0.01 of the error at the largest size", () => {
    const points = [
      {m: 10, nb: [0.3], lr: [0.5]},
      {m: 20, nb: [0.105], lr: [0.2]},
      {m: 40, nb: [0.1], lr: [0.05]},
      {m: 80, nb: [0.1], lr: [0.045]}
    ];
    expect(dvgSamplesToPlateau(points, "nb")).toBe(20);
    expect(dvgSamplesToPlateau(points, "lr")).toBe(40);
  });
  test("a study fits one model at the whole pool and shares it over the repeats", async () => {
    const {pool, test: held} = dvgGaussianData({dim: 2, classes: 2, pool: 40, testN: 200, seed: 3});
    const points = await dvgStudy(pool, held, {sizes: [4, 40], repeats: 3, seed: 1});
    expect(points.map((p) => p.m)).toEqual([4, 40]);
    expect(new Set(points[1].lr).size).toBe(1);
    expect(new Set(points[1].nb).size).toBe(1);
  });
});

describe("dvgRun", () => {
  const p: DvgRunParams = {dataset: "gaussian", dim: 2, classes: 3, covariance: "easy", repeats: 2, ratio: 4, seed: 1};
  test("runs every size without a control, with decision fields for 2-D data", async () => {
    let last: TrainEvent | undefined;
    for await (const e of dvgRun(p, {grid: 8})) last = e;
    // Pool 198 (66 per class): sizes 6, 24, 96, 198.
    expect(last!.step).toBe(4);
    expect(last!.status).toBe("done");
    expect(last!.history.metrics.m[0]).toEqual([6, 24, 96, 198]);
    expect(last!.arms.map((a) => a.id)).toEqual(["logistic-regression", "naive-bayes"]);
    expect(last!.arms[1].view.probs).toHaveLength(8 * 8 * 3);
    expect(last!.probe).toHaveLength(198);
    expect(last!.history.loss[1][3]).toBe(last!.arms[1].metrics.testError);
  });
  test("honours the control: single steps while paused, reset to 0, stops on invalidation", async () => {
    const control = trainControl({playing: false});
    let invalidate!: () => void;
    const invalidation = new Promise<void>((resolve) => (invalidate = resolve));
    const run = dvgRun({...p, dim: 3}, {control, invalidation});
    expect((await run.next()).value).toMatchObject({step: 0, status: "ready"});
    expect((await run.next()).value).toMatchObject({step: 0, status: "paused"});
    control.step(1);
    const one = (await run.next()).value as TrainEvent;
    expect([one.step, one.status, one.arms[0].view.probs]).toEqual([1, "paused", undefined]);
    control.reset();
    expect(((await run.next()).value as TrainEvent).step).toBe(0);
    const pending = run.next();
    invalidate();
    expect((await pending).value).toMatchObject({step: 0, status: "paused"});
    expect((await run.next()).done).toBe(true);
  });
});

describe("discriminativeVsGenerativeExperiment", () => {
  // setup() is not trained here: TF.js's MomentumOptimizer.dispose() leaves its learning-rate scalar behind (it does
  // not call SGDOptimizer.dispose()), so any train() run with the "momentum" optimizer leaks one tensor.
  test("setup is the official lr_sgd arm on the trainer: a linear model, momentum SGD with lr 1, batch 256", async () => {
    const {discriminativeVsGenerativeExperiment: experiment} =
      await import("../../../src/experiments/discriminativeVsGenerative.js");
    const {resolveParams} = await import("../../../src/params/schema.js");
    const p = resolveParams(experiment.schema, {dim: 4, covariance: "easy"});
    const options = experiment.setup(p);
    expect([options.optimizer, options.batchSize, options.model?.hidden, options.data.train.n, options.steps]).toEqual([
      {type: "momentum", lr: 1, momentum: 0.9},
      256,
      [],
      399,
      200
    ]);
  });
  test("live runs the Float64 study and reports the TF.js backend's name", async () => {
    const {discriminativeVsGenerativeExperiment: experiment} =
      await import("../../../src/experiments/discriminativeVsGenerative.js");
    const {resolveParams} = await import("../../../src/params/schema.js");
    const run = experiment.live(resolveParams(experiment.schema, {dim: 2, repeats: 1, ratio: 4}));
    const events: TrainEvent[] = [];
    for await (const e of run) events.push(e);
    expect(events[0].backend).toBe(tf.getBackend());
    expect(events.at(-1)!.grid?.nx).toBe(64);
  });
});
