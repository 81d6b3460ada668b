// The fused training path (src/fast/) against the autodiff path on cpu, whose reference kernels are the oracle of
// the WebGPU programs (the browser suite runs the same comparison on webgpu).
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {toy2d} from "../../../src/datasets/toy2d.js";
import {losses} from "../../../src/losses/index.js";
import type {LossSpec} from "../../../src/losses/defineLoss.js";
import {mlp} from "../../../src/models/mlp.js";
import type {ModelConfig} from "../../../src/models/mlp.js";
import {fusedArm, fusedPlan} from "../../../src/fast/fused.js";
import {hasFusedKernels} from "../../../src/fast/kernels.js";
import {
  createOptimizer,
  optimizerStep,
  readOptimizerState,
  writeOptimizerState
} from "../../../src/train/optimizers.js";
import type {OptimizerSpec} from "../../../src/train/optimizers.js";
import {runToEnd, train} from "../../../src/train/train.js";
import type {TrainOptions} from "../../../src/train/train.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const data = toy2d({shape: "spirals", n: 256, classes: 3, seed: 1});

/** |a − b| ≤ tol · max(1, |b|) elementwise; returns the worst ratio to the tolerance. */
function worst(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; ++i) w = Math.max(w, Math.abs(a[i] - b[i]) / (tol * Math.max(1, Math.abs(b[i]))));
  return w;
}

async function run(
  o: Partial<TrainOptions> & {loss: LossSpec<any>; params?: Record<string, number>; steps?: number},
  fast: boolean
) {
  const steps = o.steps ?? 100;
  const options: TrainOptions = {
    data,
    model: {hidden: [32, 32], ...o.model},
    arms: [{id: o.loss.id, label: o.loss.title, loss: o.loss, params: o.params}],
    optimizer: o.optimizer ?? {type: "adam", lr: 0.01},
    batchSize: 64,
    seed: 5,
    steps,
    stepsPerYield: 25,
    evalEvery: steps,
    view: {probe: 64, weights: true},
    fast
  };
  const last = await runToEnd(train(options));
  return {
    loss: last.history.loss[0].slice(),
    weights: last.arms[0].view.weights!,
    path: last.arms[0].path,
    note: last.arms[0].pathNote,
    metrics: last.arms[0].metrics
  };
}

const cases: {
  name: string;
  loss: string;
  params?: Record<string, number>;
  model?: Partial<ModelConfig>;
  optimizer?: OptimizerSpec;
  steps?: number;
}[] = [
  {name: "reference MLP, cross-entropy, Adam (fused loss kernel)", loss: "cross-entropy"},
  {
    name: "label smoothing, momentum",
    loss: "cross-entropy",
    params: {smoothing: 0.1},
    optimizer: {type: "momentum", lr: 0.05}
  },
  {name: "plain SGD, tanh", loss: "cross-entropy", model: {activation: "tanh"}, optimizer: {type: "sgd", lr: 0.1}},
  {name: "focal loss (autodiff tail), clipped Adam", loss: "focal", optimizer: {type: "adam", lr: 0.01, clipNorm: 0.5}},
  {name: "normalised 2-D embedding, nt-xent (head in the tail)", loss: "nt-xent", model: {embed: 2, normalize: true}},
  {
    name: "cosine head without embedding, tanh (activation after the chain)",
    loss: "cross-entropy",
    model: {head: "cosine", activation: "tanh"}
  },
  {
    name: "linear embedding, then linear head (all in the chain)",
    loss: "generalized-cross-entropy",
    model: {embed: 3, hidden: [16, 16, 16]}
  },
  // ALDR-KL's per-sample λ update amplifies float32 rounding: the paths agree to 1e-6 over the first steps, then part
  // ways exponentially (as two autodiff runs that sum in a different order would), so it is held to 25 steps.
  {name: "ALDR-KL (per-sample state, ids), 25 steps", loss: "aldr-kl", steps: 25}
];

describe("fused path = autodiff path over 100 steps (cpu reference kernels)", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const o = {loss: losses[c.loss], params: c.params, model: c.model, optimizer: c.optimizer, steps: c.steps};
      const stock = await run(o, false);
      const fused = await run(o, true);
      expect(stock.path).toBe("autodiff");
      expect(fused.path, fused.note).toBe("fused");
      expect(worst(fused.loss, stock.loss)).toBeLessThanOrEqual(1);
      fused.weights.forEach((w, i) => expect(worst(w, stock.weights[i])).toBeLessThanOrEqual(1));
      expect(fused.metrics.testAccuracy).toBeCloseTo(stock.metrics.testAccuracy, 2);
      // And training did something: the loss fell.
      expect(fused.loss.at(-1)!).toBeLessThan(fused.loss[0]);
    });
  }
});

describe("fused plan", () => {
  const config = (o: Partial<ModelConfig> = {}) => mlp({hidden: [64, 64], ...o}).config;
  test("covers the reference MLP whole, with the loss fused", () => {
    const plan = fusedPlan(config(), losses["cross-entropy"], {}, "cpu");
    expect(plan.ok && plan.chain.length).toBe(3);
    expect(plan.ok && plan.fusedCrossEntropy).toBe(0);
    expect(plan.ok && plan.size).toBe(2 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3);
  });
  test("says why it does not cover a model", () => {
    const gelu = fusedPlan(config({activation: "gelu"}), losses["cross-entropy"], {}, "cpu");
    expect(gelu.ok).toBe(false);
    expect(!gelu.ok && gelu.reason).toMatch(/gelu/);
    expect(fusedPlan(config({dropout: 0.2}), losses["cross-entropy"], {}, "cpu").ok).toBe(false);
    expect(fusedPlan(config(), losses["cross-entropy"], {}, "wasm").ok).toBe(hasFusedKernels("wasm"));
  });
  test("the trainer reports the autodiff path and why", async () => {
    const last = await runToEnd(
      train({
        data,
        model: {hidden: [8], activation: "gelu"},
        arms: [{id: "ce", label: "CE", loss: losses["cross-entropy"]}],
        optimizer: {type: "adam", lr: 0.01},
        batchSize: 32,
        seed: 1,
        steps: 2,
        fast: true
      })
    );
    expect(last.arms[0].path).toBe("autodiff");
    expect(last.arms[0].pathNote).toMatch(/gelu/);
  });
});

describe("fused step", () => {
  const spec: OptimizerSpec = {type: "adam", lr: 0.01};
  const batch = () => {
    const x = tf.tensor2d(data.train.x, [data.train.n, 2]);
    const labels = tf.tensor1d(data.train.y, "int32");
    const ids = tf.tensor1d(data.train.ids, "int32");
    const index = tf.tensor1d(
      Int32Array.from({length: 512}, (_, i) => (i * 7) % data.train.n),
      "int32"
    );
    return {
      x,
      labels,
      ids,
      index,
      rows: 256,
      offset: 0,
      dispose: () => [x, labels, ids, index].forEach((t) => t.dispose())
    };
  };

  test("is 11 kernels for the reference MLP with cross-entropy and Adam", async () => {
    const model = mlp({hidden: [64, 64], seed: 1});
    const arm = fusedArm(model, losses["cross-entropy"], {}, spec);
    const b = batch();
    arm.step(b).dispose(); // first step outside the profile
    const profile = await tf.profile(() => {
      arm.step(b).dispose();
    });
    expect(profile.kernels.map((k) => k.name)).toEqual([
      "LossLabDense",
      "LossLabDense",
      "LossLabDense",
      "LossLabSoftmaxCrossEntropy",
      "Slice",
      "Reshape",
      "LossLabDenseGradParams",
      "LossLabDenseGradInput",
      "LossLabDenseGradParams",
      "LossLabDenseGradInput",
      "LossLabDenseGradParams",
      "LossLabOptimizerUpdate"
    ]);
    arm.dispose();
    model.dispose();
    b.dispose();
  });

  test("leaks no tensors", () => {
    const model = mlp({hidden: [16], seed: 1});
    const arm = fusedArm(model, losses.focal, {}, {type: "momentum", lr: 0.01, clipNorm: 1});
    const b = batch();
    arm.step(b).dispose();
    const before = tf.memory().numTensors;
    for (let k = 0; k < 5; ++k) arm.step({...b, offset: k % 2 ? 256 : 0}).dispose();
    expect(tf.memory().numTensors).toBe(before);
    arm.dispose();
    model.dispose();
    b.dispose();
  });

  test("its state reads back in the stock optimizer's format and resumes there", async () => {
    const make = () => mlp({hidden: [16, 16], seed: 2});
    const loss = losses["cross-entropy"];
    const b = batch();
    const rows = tf.slice(b.index, 0, 256);
    const xb = tf.gather(b.x, rows) as tf.Tensor2D;
    const yb = tf.gather(b.labels, rows) as tf.Tensor1D;
    // Ten fused steps, then the state moves to a stock Adam and both go on for five more steps.
    const fusedModel = make();
    const arm = fusedArm(fusedModel, loss, {}, spec);
    for (let k = 0; k < 10; ++k) arm.step(b).dispose();
    const saved = await arm.read();
    expect(saved.optimizer.values[0][0]).toBe(10);
    const stockModel = make();
    stockModel.write(saved.weights);
    const optimizer = createOptimizer(spec);
    await writeOptimizerState(optimizer, saved.optimizer);
    for (let k = 0; k < 5; ++k) {
      optimizerStep(
        optimizer,
        () => loss.fn({logits: stockModel.apply(xb).logits, labels: yb}),
        stockModel.variables
      ).dispose();
      arm.step(b).dispose();
    }
    const stockWeights = await stockModel.read();
    const fusedWeights = (await arm.read()).weights;
    fusedWeights.forEach((w, i) => expect(worst(w, stockWeights[i])).toBeLessThanOrEqual(1));
    // And back: a fused arm resumed from the stock state continues like the original.
    const resumedModel = make();
    resumedModel.write(fusedWeights);
    const resumed = fusedArm(resumedModel, loss, {}, spec, (await arm.read()).optimizer);
    expect(resumed.steps).toBe(15);
    const a = arm.step(b),
      c = resumed.step(b);
    expect(worst(await c.data(), await a.data(), 1e-6)).toBeLessThanOrEqual(1);
    for (const t of [a, c, rows, xb, yb]) t.dispose();
    for (const x of [arm, resumed, fusedModel, stockModel, resumedModel]) x.dispose();
    optimizer.dispose();
    b.dispose();
  });

  test("resumes from an optimizer state without slots for the last variables", async () => {
    // A stock optimizer creates a variable's slots on the first gradient it applies to it; a state saved from one
    // that never updated the head (a loss that reads only embeddings) has slots for the layers before it only.
    const model = mlp({hidden: [8], embed: 2, normalize: true, seed: 3});
    const loss = losses["nt-xent"];
    const b = batch();
    const first = fusedArm(model, loss, {}, spec);
    for (let k = 0; k < 3; ++k) first.step(b).dispose();
    const full = (await first.read()).optimizer;
    const keep = (list: unknown[]) => [list[0], ...list.slice(1, 5), ...list.slice(7, 11)];
    const saved = {
      names: keep(full.names) as string[],
      shapes: keep(full.shapes) as number[][],
      dtypes: keep(full.dtypes) as tf.DataType[],
      values: keep(full.values) as Float32Array[]
    };
    const arm = fusedArm(model, loss, {}, spec, saved);
    expect(arm.steps).toBe(3);
    const values = (await arm.state.data()) as Float32Array;
    const before = (await first.state.data()) as Float32Array;
    const n = arm.plan.size,
      head = n - arm.plan.tailOffset;
    // Slots before the head as saved, the head's zero, in both m and v.
    for (const slot of [1, 2]) {
      expect(Array.from(values.slice(slot * n, (slot + 1) * n - head))).toEqual(
        Array.from(before.slice(slot * n, (slot + 1) * n - head))
      );
      expect(values.slice((slot + 1) * n - head, (slot + 1) * n).every((v) => v === 0)).toBe(true);
    }
    expect(() => fusedArm(model, loss, {}, spec, {...saved, values: saved.values.slice(0, 4)})).toThrow(
      /cannot resume/
    );
    for (const x of [first, arm, model]) x.dispose();
    b.dispose();
  });
});
