// The trainer's per-arm inputs (constants, perSample, paramsAt, extra), its metric hooks and logits/state readback,
// on cpu, on the autodiff path and on the fused path (its cpu reference kernels), which must agree.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {toy2d} from "../../../src/datasets/toy2d.js";
import {
  aldrKl,
  crossEntropy,
  ensLoss,
  focal,
  generalizedFocal,
  smoothAdversarialCompSum
} from "../../../src/losses/index.js";
import {runToEnd, train} from "../../../src/train/train.js";
import type {ArmSpec, TrainOptions} from "../../../src/train/train.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const data = toy2d({n: 160, classes: 3, seed: 2});
const binary = toy2d({shape: "moons", n: 160, seed: 2});
const run = (arms: ArmSpec[], o: Partial<TrainOptions> = {}) =>
  runToEnd(
    train({
      data,
      model: {hidden: [12]},
      arms,
      optimizer: {type: "adam", lr: 0.01},
      batchSize: 16,
      seed: 4,
      steps: 30,
      stepsPerYield: 10,
      evalEvery: 10,
      ...o
    })
  );
const close = (a: readonly number[], b: readonly number[], tol: number) =>
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]))));

describe("per-arm loss inputs", () => {
  test("constants reach the loss: class weights change cross-entropy's run, uniform weights do not", async () => {
    const last = await run([
      {id: "ce", label: "CE", loss: crossEntropy},
      {id: "uniform", label: "CE, w = 1", loss: crossEntropy, constants: {classWeights: new Float32Array([1, 1, 1])}},
      {id: "weighted", label: "CE, w", loss: crossEntropy, constants: {classWeights: new Float32Array([1, 5, 0.2])}}
    ]);
    close(last.history.loss[1], last.history.loss[0], 1e-5);
    expect(Math.abs(last.history.loss[2][5] - last.history.loss[0][5])).toBeGreaterThan(1e-3);
  });
  test("perSample values are gathered by id: a constant likelihood equals the weight it implies", async () => {
    const size = Math.max(...data.train.ids, ...data.test.ids) + 1;
    const last = await run([
      {
        id: "gf",
        label: "GF",
        loss: generalizedFocal,
        params: {eta: 1, gamma: 5},
        perSample: {sampleLikelihood: new Float32Array(size).fill(1)}
      },
      {
        id: "gf0",
        label: "GF, p = 0",
        loss: generalizedFocal,
        params: {eta: 1, gamma: 5},
        perSample: {sampleLikelihood: new Float32Array(size)}
      }
    ]);
    // p = 1 → weight η/(η + 1) = ½ at every sample; p = 0 → weight 1: the first loss is half the second at step 1.
    expect(last.history.loss[0][0]).toBeCloseTo(last.history.loss[1][0] / 2, 5);
  });
  test("a perSample array that does not cover every id is refused", async () => {
    await expect(
      run([{id: "gf", label: "GF", loss: generalizedFocal, perSample: {sampleLikelihood: new Float32Array(3)}}])
    ).rejects.toThrow("perSample.sampleLikelihood must be a Float32Array indexed by sample id");
  });
  test("paramsAt changes the loss's parameters per step (EnsLoss draws a new derivative each step)", async () => {
    const arms = (fixed: boolean): ArmSpec[] => [
      {
        id: "ens",
        label: "EnsLoss",
        loss: ensLoss,
        params: {seed: 3},
        ...(fixed ? {} : {paramsAt: (step: number) => ({draw: step})})
      }
    ];
    const moving = await run(arms(false), {data: binary});
    const fixed = await run(arms(true), {data: binary});
    expect(moving.history.loss[0][0]).toBe(fixed.history.loss[0][0]);
    expect(moving.history.loss[0].slice(1)).not.toEqual(fixed.history.loss[0].slice(1));
  });
  test("extra: logitsOf applies the model inside the tape (zero perturbation = the clean batch)", async () => {
    const last = await run([
      {id: "ce", label: "CE", loss: crossEntropy},
      {
        id: "adv",
        label: "adversarial comp-sum, ε = 0",
        loss: smoothAdversarialCompSum,
        params: {tau: 1, nu: 2},
        extra: ({x}) => ({logitsOf: {adversarialLogits: tf.add(x, 0) as tf.Tensor2D}})
      },
      {
        id: "shifted",
        label: "adversarial comp-sum, x + 0.5",
        loss: smoothAdversarialCompSum,
        params: {tau: 1, nu: 2},
        extra: ({x}) => ({logitsOf: {adversarialLogits: tf.add(x, 0.5) as tf.Tensor2D}})
      }
    ]);
    // Unmoved inputs give a zero penalty: the adversarial comp-sum at τ = 1 is cross-entropy. Moved ones add to it.
    close(last.history.loss[1], last.history.loss[0], 1e-4);
    expect(last.history.loss[2][0]).toBeGreaterThan(last.history.loss[0][0] + 1e-3);
  });
});

describe("the fused path carries the same inputs", () => {
  const arms: ArmSpec[] = [
    {id: "w", label: "CE, w", loss: crossEntropy, constants: {classWeights: new Float32Array([1, 3, 0.5])}},
    {
      id: "focal",
      label: "focal",
      loss: focal,
      params: {gamma: 2},
      constants: {classAlpha: new Float32Array([0.2, 1, 2])}
    }
  ];
  test("class weights and class α: fused (cpu kernels) equals autodiff, and the arms report their path", async () => {
    const autodiff = await run(arms, {fast: false});
    const fused = await run(arms, {fast: true});
    expect(fused.arms.map((a) => a.path)).toEqual(["fused", "fused"]);
    for (let i = 0; i < 2; ++i) close(fused.history.loss[i], autodiff.history.loss[i], 1e-4);
  });
  test("paramsAt on the fused path equals autodiff", async () => {
    const ens: ArmSpec[] = [
      {id: "ens", label: "EnsLoss", loss: ensLoss, params: {seed: 1}, paramsAt: (s) => ({draw: s})}
    ];
    const autodiff = await run(ens, {data: binary, fast: false});
    const fused = await run(ens, {data: binary, fast: true});
    expect(fused.arms[0].path).toBe("fused");
    close(fused.history.loss[0], autodiff.history.loss[0], 1e-4);
  });
  test("an arm with extra stays on autodiff and says why", async () => {
    const last = await run(
      [{id: "adv", label: "adv", loss: smoothAdversarialCompSum, extra: ({x}) => ({logitsOf: {adversarialLogits: x}})}],
      {fast: true, steps: 2}
    );
    expect(last.arms[0].path).toBe("autodiff");
    expect(last.arms[0].pathNote).toMatch(/extra/);
  });
});

describe("metric hooks and readback", () => {
  test("device and host metrics are computed per arm and recorded in the history; logits and state read back", async () => {
    const before = tf.memory().numTensors;
    const last = await run(
      [
        {id: "ce", label: "CE", loss: crossEntropy},
        {id: "aldr", label: "ALDR-KL", loss: aldrKl}
      ],
      {
        view: {logits: true, state: true, probe: 50},
        metrics: {
          device: ({testLogits}) => ({meanLogit: tf.mean(testLogits) as tf.Scalar}),
          host: ({testLogits, data: d, index, state}) => {
            let correct = 0;
            for (let i = 0; i < d.test.n; ++i) {
              const row = Array.from(testLogits.subarray(i * d.classes, (i + 1) * d.classes));
              if (row.indexOf(Math.max(...row)) === d.test.y[i]) correct++;
            }
            return {hostAccuracy: correct / d.test.n, armIndex: index, ...(state ? {stateSize: state.length} : {})};
          }
        }
      }
    );
    for (const [i, arm] of last.arms.entries()) {
      expect(arm.metrics.hostAccuracy).toBe(arm.metrics.testAccuracy);
      expect(arm.metrics.armIndex).toBe(i);
      expect(arm.view.testLogits).toHaveLength(data.test.n * 3);
      expect(arm.view.probeLogits).toHaveLength(50 * 3);
      const logits = arm.view.testLogits!;
      expect(arm.metrics.meanLogit).toBeCloseTo(logits.reduce((a, b) => a + b, 0) / logits.length, 4);
    }
    expect(last.arms[0].view.state).toBeUndefined();
    expect(last.arms[1].view.state!.length).toBe(last.arms[1].metrics.stateSize);
    expect(last.arms[0].metrics.stateSize).toBeUndefined();
    expect(last.history.evalStep).toEqual([0, 10, 20, 30]);
    expect(last.history.metrics.hostAccuracy[1]).toHaveLength(4);
    expect(last.history.metrics.stateSize[0]).toEqual([NaN, NaN, NaN, NaN]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("optimizers", () => {
  test("a momentum run releases every tensor (TF.js's MomentumOptimizer keeps its learning rate otherwise)", async () => {
    const before = tf.memory().numTensors;
    await run([{id: "ce", label: "CE", loss: crossEntropy}], {optimizer: {type: "momentum", lr: 0.05}});
    expect(tf.memory().numTensors).toBe(before);
  });
});
