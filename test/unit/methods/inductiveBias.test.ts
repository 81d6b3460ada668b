// Card 27's numerics and hypothesis spaces against independent values: scipy 1.17 (ncx2.logpdf/logcdf, ncx2.fit,
// kstest) and mpmath at 50 digits for the deep left tail where scipy's log-CDF is −∞, the official Sankaran formula
// evaluated in Python, closed-form moments of the kernel draws' errors, and TF.js autodiff for the host MLP's gradient.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {forwardMlp} from "../../../src/models/mlp.js";
import {random} from "../../../src/random.js";
import {trainControl} from "../../../src/train/control.js";
import {
  inductiveBiasCholesky,
  inductiveBiasCurves,
  inductiveBiasEstimate,
  inductiveBiasHistogram,
  inductiveBiasStudy,
  inductiveBiasTask,
  mlpHypothesisConfig,
  mlpHypothesisGradient,
  ncx2Fit,
  ncx2KsTest,
  ncx2LogCdf,
  ncx2LogLikelihood,
  ncx2LogPdf,
  ncx2SankaranBias,
  rbfErrorMoments,
  rbfErrorSampler,
  rbfKernelMatrix,
  rbfPosterior,
  trainMlpHypotheses
} from "../../../src/methods/inductiveBias.js";
import type {InductiveBiasEvent, InductiveBiasStudyOptions} from "../../../src/methods/inductiveBias.js";
import {inductiveBiasExperiment, inductiveBiasStudyOptions} from "../../../src/experiments/inductiveBias.js";
import {resolveParams} from "../../../src/params/schema.js";
import {runToEnd, train} from "../../../src/train/train.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// scipy.stats 1.17: ncx2.logpdf(x, k, λ) and ncx2.logcdf(x, k, λ) (chi2 for λ = 0).
const scipy = [
  {x: 0.5, k: 3, l: 2, logpdf: -2.3540727619134483, logcdf: -3.4161213348286026},
  {x: 2, k: 3, l: 2, logpdf: -1.9771447508704763, logcdf: -1.510801058178974},
  {x: 10, k: 4, l: 20, logpdf: -4.16862109357864, logcdf: -3.136262946010705},
  {x: 0.01, k: 2, l: 5, logpdf: -3.1856860274351844, logcdf: -7.794578013888678},
  {x: 30, k: 50, l: 40, logpdf: -15.313433860208361, logcdf: -14.871445083517253},
  {x: 200, k: 100, l: 80, logpdf: -4.503287781410995, logcdf: -0.20773093181616847},
  {x: 0.3, k: 0.7, l: 0, logpdf: -0.5446004175303549, logcdf: -0.5867338648162482},
  {x: 5, k: 1.5, l: 0.001, logpdf: -3.624334941303169, logcdf: -0.0508285581960238}
];

// A seeded sample of 0.02 · χ'²(6, 4): six squared unit normals, the first with mean 2.
function ncx2Sample(): number[] {
  const rng = random(7);
  return Array.from({length: 2000}, () => {
    let s = 0;
    for (let j = 0; j < 6; ++j) s += (rng.normal() + (j === 0 ? 2 : 0)) ** 2;
    return 0.02 * s;
  });
}
// scipy.stats.ncx2.fit(sample, floc=0) on exactly this sample, its log-likelihood, and kstest against that fit.
const scipyFit = {df: 6.704717473328392, nc: 1.2912813061827197, scale: 0.025485839239002397, ll: 1782.8576613160249};
const scipyKs = {statistic: 0.009997866344517048, asymptoticP: 0.9882894485188053};

describe("noncentral χ² in log space", () => {
  test("ncx2LogPdf and ncx2LogCdf match scipy to 1e-12 relative", () => {
    for (const c of scipy) {
      expect(ncx2LogPdf(c.x, c.k, c.l)).toBeCloseTo(c.logpdf, 11);
      expect(ncx2LogCdf(c.x, c.k, c.l)).toBeCloseTo(c.logcdf, 11);
    }
  });
  test("ncx2LogCdf stays finite and exact deep in the left tail, where scipy returns −∞ (mpmath, 50 digits)", () => {
    expect(ncx2LogCdf(0.001, 20, 300)).toBeCloseTo(-241.1070754927022, 9);
    expect(ncx2LogCdf(1e-4, 10, 50)).toBeCloseTo(-79.304762842119312, 9);
    expect(ncx2LogCdf(0.05, 3, 400)).toBeCloseTo(-204.20711325460588, 7);
  });
  test("ncx2SankaranBias is the official inductive_bias_alt (evaluated in Python)", () => {
    expect(ncx2SankaranBias(0.001, 20, 300)).toBeCloseTo(170.9136823065138, 9);
    expect(ncx2SankaranBias(0.5, 3, 2)).toBeCloseTo(1.5712629478540392, 12);
    expect(ncx2SankaranBias(1e-4, 10, 50)).toBeCloseTo(35.9261600096107, 10);
  });
  test("ncx2LogLikelihood (tabulated terms) equals the sum of ncx2LogPdf", () => {
    const xs = ncx2Sample().slice(0, 300);
    for (const p of [
      {df: 6, nc: 4, scale: 0.02},
      {df: 0.8, nc: 30, scale: 0.005},
      {df: 40, nc: 0, scale: 0.01}
    ]) {
      const direct = xs.reduce((a, x) => a + ncx2LogPdf(x / p.scale, p.df, p.nc) - Math.log(p.scale), 0);
      expect(ncx2LogLikelihood(xs, p)).toBeCloseTo(direct, 8);
    }
  });
});

describe("ncx2Fit and ncx2KsTest", () => {
  test("ncx2Fit reaches scipy's ncx2.fit(floc=0) maximum and parameters", () => {
    const fit = ncx2Fit(ncx2Sample());
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(scipyFit.ll - 1e-6);
    expect(fit.df).toBeCloseTo(scipyFit.df, 3);
    expect(fit.nc).toBeCloseTo(scipyFit.nc, 3);
    expect(fit.scale / scipyFit.scale).toBeCloseTo(1, 4);
  });
  test("ncx2KsTest matches scipy's kstest statistic and asymptotic p-value", () => {
    const ks = ncx2KsTest(ncx2Sample(), scipyFit);
    expect(ks.statistic).toBeCloseTo(scipyKs.statistic, 6);
    expect(ks.pValue).toBeCloseTo(scipyKs.asymptoticP, 2);
  });
  test("ncx2KsTest rejects a fit of the wrong scale", () => {
    expect(ncx2KsTest(ncx2Sample(), {...scipyFit, scale: scipyFit.scale * 1.2}).pValue).toBeLessThan(1e-6);
  });
  test("inductiveBiasEstimate reads −log F(ε) of the fit, and counts the samples below ε", () => {
    const xs = ncx2Sample();
    const e = inductiveBiasEstimate(xs, 0.05);
    expect(e.bias).toBeCloseTo(-ncx2LogCdf(0.05 / e.fit.scale, e.fit.df, e.fit.nc), 12);
    expect(e.empirical).toBeCloseTo(-Math.log(xs.filter((x) => x <= 0.05).length / xs.length), 12);
    // With scipy's parameters the same ε gives scipy's −logcdf, 8.478694138256971 at ε = 0.01.
    expect(-ncx2LogCdf(0.01 / scipyFit.scale, scipyFit.df, scipyFit.nc)).toBeCloseTo(8.478694138256971, 9);
    expect(inductiveBiasEstimate(xs, 1e-6).empirical).toBe(Infinity);
  });
});

describe("the kernel hypothesis space", () => {
  test("inductiveBiasCholesky factors an SPD matrix: L Lᵀ = A", () => {
    const rng = random(3);
    const n = 6;
    const b = Array.from({length: n * n}, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; ++i)
      for (let j = 0; j < n; ++j) for (let k = 0; k < n; ++k) a[i * n + j] += b[i * n + k] * b[j * n + k];
    for (let i = 0; i < n; ++i) a[i * n + i] += 0.5;
    const {factor: l, jitter} = inductiveBiasCholesky(a, n, 0);
    expect(jitter).toBe(0);
    for (let i = 0; i < n; ++i) {
      for (let j = 0; j < n; ++j) {
        let s = 0;
        for (let k = 0; k < n; ++k) s += l[i * n + k] * l[j * n + k];
        expect(s).toBeCloseTo(a[i * n + j], 10);
      }
    }
  });
  test("rbfPosterior of two 1-D points matches the hand-computed GP formulas", () => {
    // x = 0, 1 with labels 0, 1 (C = 2), query at 0.5, σ = 1: k = e^{−1/2}, k* = e^{−1/8} to both points.
    const k = Math.exp(-0.5);
    const ks = Math.exp(-0.125);
    const post = rbfPosterior([0, 1], [0, 1], [0.5], 1, 2, 1);
    // K⁻¹ = [[1, −k], [−k, 1]] / (1 − k²); μ = k*ᵀ K⁻¹ y: symmetric, each class gets k* (1 − k)/(1 − k²) = k*/(1 + k).
    expect(post.mean[0]).toBeCloseTo(ks / (1 + k), 6);
    expect(post.mean[1]).toBeCloseTo(ks / (1 + k), 6);
    // σ² = 1 − k*ᵀ K⁻¹ k* = 1 − 2 k*² / (1 + k)
    expect(post.chol[0] ** 2).toBeCloseTo(1 - (2 * ks * ks) / (1 + k), 5);
  });
  test("rbfPosterior with no nugget interpolates: the mean at training points is the one-hot label", () => {
    const task = inductiveBiasTask({
      shape: "blobs",
      classes: 3,
      nTrain: 12,
      nTest: 30,
      noise: 0.1,
      dims: 2,
      dimNoise: 0,
      seed: 2
    });
    const t = task.data.train;
    const post = rbfPosterior(t.x, t.y, t.x, 2, 3, 1);
    for (let i = 0; i < t.n; ++i)
      for (let c = 0; c < 3; ++c) expect(post.mean[i * 3 + c]).toBeCloseTo(t.y[i] === c ? 1 : 0, 2);
    expect(post.meanVariance).toBeLessThan(1e-4);
    const far = rbfPosterior(t.x, t.y, [50, 50], 2, 3, 1);
    expect(far.mean[0]).toBeCloseTo(0, 8);
    expect(far.chol[0] ** 2).toBeCloseTo(1, 5);
  });
  test("rbfKernelMatrix is exp(−‖a − b‖²/2σ²)", () => {
    const k = rbfKernelMatrix([0, 0, 1, 2], [3, 4], 2, 2);
    expect(k[0]).toBeCloseTo(Math.exp(-25 / 8), 12);
    expect(k[1]).toBeCloseTo(Math.exp(-8 / 8), 12);
  });
  test("rbfErrorSampler's batched draws have the exact mean and variance of the error (rbfErrorMoments)", async () => {
    const task = inductiveBiasTask({
      shape: "blobs",
      classes: 4,
      nTrain: 16,
      nTest: 40,
      noise: 0.1,
      dims: 4,
      dimNoise: 0.5,
      seed: 1
    });
    const d = task.data;
    const post = rbfPosterior(d.train.x, d.train.y, d.test.x, d.inputs, d.classes, 1, 0.01);
    const before = tf.memory().numTensors;
    const sampler = rbfErrorSampler(post, d.test.y);
    const errors = await sampler.draw(
      Array.from({length: 4000}, (_, i) => i),
      random(5)
    );
    sampler.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const n = errors.length;
    const mean = errors.reduce((a, b) => a + b, 0) / n;
    const variance = errors.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    const exact = rbfErrorMoments(post, d.test.y);
    // Four standard errors of the mean; the variance to 10 %.
    expect(Math.abs(mean - exact.mean)).toBeLessThan(4 * Math.sqrt(exact.variance / n));
    expect(variance / exact.variance).toBeGreaterThan(0.9);
    expect(variance / exact.variance).toBeLessThan(1.1);
  });
});

describe("the network hypothesis space", () => {
  test("mlpHypothesisGradient matches TF.js autodiff of the same MLP and MSE", () => {
    const task = inductiveBiasTask({
      shape: "moons",
      classes: 2,
      nTrain: 10,
      nTest: 10,
      noise: 0.1,
      dims: 3,
      dimNoise: 0.5,
      seed: 4
    });
    const config = mlpHypothesisConfig(task.data, {width: 5, depth: 2, epochs: 1, batch: 4, lr: 1e-3});
    const shapes = [[3, 5], [5], [5, 5], [5], [5, 2], [2]];
    const size = shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
    const theta = Float64Array.from(random(9).normals(size, 0.7));
    const rows = 6;
    const x = task.data.train.x.subarray(0, rows * 3);
    const y = new Float64Array(rows * 2);
    for (let i = 0; i < rows; ++i) y[i * 2 + task.data.train.y[i]] = 1;
    const host = mlpHypothesisGradient(config, theta, x, y, rows);
    const vars: tf.Variable[] = [];
    let offset = 0;
    for (const [i, shape] of shapes.entries()) {
      const n = shape.reduce((a, b) => a * b, 1);
      vars.push(tf.variable(tf.tensor(Float32Array.from(theta.subarray(offset, offset + n)), shape), true, `ib-w${i}`));
      offset += n;
    }
    const g = tf.variableGrads(() => {
      const out = forwardMlp(config, vars, tf.tensor2d(x, [rows, 3])).logits;
      return tf.mean(tf.square(tf.sub(out, tf.tensor2d(Float32Array.from(y), [rows, 2])))) as tf.Scalar;
    }, vars);
    expect(host.loss).toBeCloseTo(g.value.dataSync()[0], 5);
    const autodiff = vars.flatMap((v) => Array.from(g.grads[v.name].dataSync()));
    expect(autodiff).toHaveLength(size);
    autodiff.forEach((a, i) => expect(host.gradient[i]).toBeCloseTo(a, 4));
    tf.dispose([g.value, ...Object.values(g.grads), ...vars]);
  });
  test("trainMlpHypotheses: a network does not depend on the others trained with it, and training fits the data", async () => {
    const task = inductiveBiasTask({
      shape: "blobs",
      classes: 3,
      nTrain: 24,
      nTest: 30,
      noise: 0.1,
      dims: 2,
      dimNoise: 0,
      seed: 3
    });
    const o = {width: 16, depth: 2, epochs: 60, batch: 8, lr: 3e-3};
    const together = await trainMlpHypotheses(task.data, o, [0, 1, 2, 3], 5);
    const alone = await trainMlpHypotheses(task.data, o, [2], 5);
    expect(alone.errors[0]).toBe(together.errors[2]);
    expect(new Set(together.errors).size).toBe(4);
    const untrained = await trainMlpHypotheses(task.data, {...o, epochs: 1, lr: 1e-6}, [0, 1, 2, 3], 5);
    for (let k = 0; k < 4; ++k) expect(together.trainErrors[k]).toBeLessThan(untrained.trainErrors[k] / 3);
  });
});

describe("the task", () => {
  const base = {shape: "blobs" as const, classes: 4, nTest: 60, noise: 0.1, dimNoise: 0.5, seed: 6};
  test("training sets are nested and the test set is fixed as n grows", () => {
    const small = inductiveBiasTask({...base, nTrain: 16, dims: 2}).data;
    const large = inductiveBiasTask({...base, nTrain: 64, dims: 2}).data;
    expect(Array.from(large.train.ids.subarray(0, 16))).toEqual(Array.from(small.train.ids));
    expect(Array.from(large.test.x)).toEqual(Array.from(small.test.x));
  });
  test("embedding in d dimensions keeps the plane's geometry (a rotation) and adds per-sample noise dimensions", () => {
    const flat = inductiveBiasTask({...base, nTrain: 20, dims: 2});
    const lifted = inductiveBiasTask({...base, nTrain: 20, dims: 6});
    const quiet = inductiveBiasTask({...base, nTrain: 20, dims: 6, dimNoise: 0});
    expect(lifted.data.inputs).toBe(6);
    const dist = (x: Float32Array, d: number, i: number, j: number) =>
      Math.hypot(...Array.from({length: d}, (_, k) => x[i * d + k] - x[j * d + k]));
    expect(dist(quiet.data.train.x, 6, 0, 1)).toBeCloseTo(dist(flat.data.train.x, 2, 0, 1), 5);
    expect(Array.from(lifted.plane)).toEqual(Array.from(flat.plane));
    expect(dist(lifted.data.train.x, 6, 0, 1)).not.toBeCloseTo(dist(flat.data.train.x, 2, 0, 1), 2);
    // lift() maps plane points into the same space as the (noise-free) data.
    const p = quiet.lift(flat.plane.subarray(0, 2));
    for (let k = 0; k < 6; ++k) expect(p[k]).toBeCloseTo(quiet.data.train.x[k], 5);
  });
});

describe("inductiveBiasStudy", () => {
  const options: InductiveBiasStudyOptions = {
    task: {shape: "blobs", classes: 3, nTrain: 16, nTest: 30, noise: 0.1, dims: 3, dimNoise: 0.5, seed: 1},
    sigma: 1,
    nugget: 0.01,
    mlp: {width: 8, depth: 1, epochs: 10, batch: 8, lr: 1e-2},
    epsilon: 0.05,
    hypotheses: 24,
    seed: 1,
    grid: 8
  };
  test("yields TrainEvent-shaped events until every class has its hypotheses, leaking no tensor", async () => {
    const before = tf.memory().numTensors;
    const events: InductiveBiasEvent[] = [];
    for await (const e of inductiveBiasStudy({...options, stepsPerYield: 10})) events.push(e);
    expect(tf.memory().numTensors).toBe(before);
    expect(events.map((e) => e.step)).toEqual([0, 10, 20, 24]);
    const last = events.at(-1)!;
    expect(last.status).toBe("done");
    expect(last.arms.map((a) => [a.id, a.role])).toEqual([
      ["mlp", "baseline"],
      ["rbf", "method"]
    ]);
    expect(last.history.step).toHaveLength(24);
    expect(last.history.loss.map((l) => l.length)).toEqual([24, 24]);
    expect(last.history.evalStep).toEqual([10, 20, 24]);
    for (const [i, a] of last.arms.entries()) {
      expect(a.errors).toHaveLength(24);
      expect(Array.from(a.errors)).toEqual(last.history.loss[i]);
      expect(a.loss).toBe(a.errors[23]);
      expect(a.metrics.inductiveBias / inductiveBiasEstimate(a.errors, 0.05).bias).toBeCloseTo(1, 5);
      expect(a.view.probs).toHaveLength(8 * 8 * 3);
    }
    expect(last.history.metrics.inductiveBias[1]).toHaveLength(3);
  });
  test("the same seed gives the same study, however the hypotheses are chunked", async () => {
    const run = async (stepsPerYield: number) => {
      let last: InductiveBiasEvent | undefined;
      for await (const e of inductiveBiasStudy({...options, grid: 0, stepsPerYield})) last = e;
      return last!.arms.map((a) => Array.from(a.errors));
    };
    expect(await run(24)).toEqual(await run(5));
  });
  test("honours a control: paused it waits, single steps sample one hypothesis per class, reset starts over", async () => {
    const control = trainControl({playing: false, speed: 4});
    const study = inductiveBiasStudy({...options, grid: 0}, {control});
    expect((await study.next()).value).toMatchObject({step: 0, status: "ready"});
    control.step(1);
    expect((await study.next()).value).toMatchObject({step: 1, status: "paused"});
    control.play();
    expect((await study.next()).value).toMatchObject({step: 5, status: "running"});
    control.reset();
    expect((await study.next()).value).toMatchObject({step: 0, status: "ready"});
    const before = tf.memory().numTensors;
    await study.return();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});

describe("views", () => {
  const fit = {df: 6, nc: 2, scale: 0.02};
  const event = {
    epsilon: 0.01,
    arms: [{id: "rbf", label: "RBF", role: "method", errors: Float32Array.from(ncx2Sample()), fit}]
  } as unknown as InductiveBiasEvent;
  test("inductiveBiasHistogram is a density (area 1), with the fitted density and a line at ε", () => {
    const [hist, fitted, eps] = inductiveBiasHistogram(event, 0, {bins: 25});
    let area = 0;
    for (let i = 1; i + 1 < hist.x.length; i += 2) area += (hist.x[i + 1] - hist.x[i]) * hist.y[i];
    expect(area).toBeCloseTo(1, 6);
    expect(fitted.dashed).toBe(true);
    expect(Array.from(eps.x)).toEqual([0.01, 0.01]);
  });
  test("inductiveBiasCurves: I(ε) falls as ε grows, and the ε line spans the curves", () => {
    const [curve, line] = inductiveBiasCurves([{key: "a", label: "a", fit}], 0.001, 0.5, {epsilon: 0.01});
    for (let i = 1; i < curve.y.length; ++i) expect(curve.y[i]).toBeLessThanOrEqual(curve.y[i - 1]);
    expect(line.y[1]).toBeCloseTo(curve.y[0], 12);
  });
});

describe("inductiveBiasExperiment", () => {
  test("setup trains one conventional network of the NN class on the study's task", async () => {
    const p = resolveParams(inductiveBiasExperiment.schema, {nTrain: 24, epochs: 20, dims: 4});
    const o = inductiveBiasExperiment.setup(p);
    expect(o.data.inputs).toBe(4);
    expect(Array.from(o.data.train.x)).toEqual(
      Array.from(inductiveBiasTask(inductiveBiasStudyOptions(p).task).data.train.x)
    );
    const last = await runToEnd(train({...o, evalEvery: o.steps, stepsPerYield: 20}));
    expect(last.step).toBe(20 * 3);
    const losses = last.history.loss[0];
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 2);
  });
});
