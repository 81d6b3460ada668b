// The same seed gives identical numbers on cpu and wasm where no arithmetic is involved (data, initial
// weights, batch order) and agreeing numbers where there is (losses, gradients, training).
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../src/tf.js";
import {selectBackend} from "../../src/backend/select.js";
import {toy2d} from "../../src/datasets/toy2d.js";
import {losses, sampleState} from "../../src/losses/index.js";
import type {LossInputs} from "../../src/losses/index.js";
import {mlp} from "../../src/models/mlp.js";
import {random} from "../../src/random.js";
import {runToEnd, train} from "../../src/train/train.js";
import {compSumExperiment} from "../../src/experiments/compSum.js";
import {resolveParams} from "../../src/params/schema.js";
import {expectClose} from "../util/close.js";
import {drawInputs} from "../util/lossContract.js";

async function on<T>(backend: "cpu" | "wasm", f: () => Promise<T> | T): Promise<T> {
  const info = await selectBackend({override: backend});
  expect(info.name).toBe(backend);
  return f();
}

beforeAll(async () => {
  await selectBackend({override: "wasm"});
});
afterAll(async () => {
  await selectBackend({override: "cpu"});
});

describe("cpu and wasm", () => {
  test("initial weights are bitwise identical", async () => {
    const read = async () => {
      const m = mlp({embed: 2, seed: 5});
      const w = await m.read();
      m.dispose();
      return w.map((a) => Array.from(a));
    };
    expect(await on("wasm", read)).toEqual(await on("cpu", read));
  });
  test("every loss gives the same value and gradient", async () => {
    for (const [id, loss] of Object.entries(losses)) {
      // Valid random inputs drawn from the loss's own declarations (as the contract tests draw them).
      const drawn = drawInputs(loss, {dims: {L: 8}}, 4); // L > soft-top-k's default k
      const differentiable = loss.needs.find((n) => {
        const spec = loss.inputSpecs[n];
        return spec?.dtype === "float32" && (spec.values === "real" || spec.values === "cosine");
      });
      const compute = () =>
        tf.tidy(() => {
          const inputs: LossInputs = {};
          for (const [name, d] of Object.entries(drawn)) inputs[name] = tf.tensor(d.data, d.shape, d.spec.dtype);
          const state = loss.needs.includes("state") ? sampleState({size: 64}) : undefined;
          if (state) inputs.state = state;
          try {
            if (!differentiable) return [loss.fn(inputs).dataSync()[0]];
            const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => loss.fn({...inputs, [differentiable]: x}))(
              inputs[differentiable] as tf.Tensor
            );
            return [value.dataSync()[0], ...grad.dataSync()];
          } finally {
            state?.dispose();
          }
        });
      const [cpu, wasm] = [await on("cpu", compute), await on("wasm", compute)];
      expect(Number.isFinite(cpu[0]), id).toBe(true);
      try {
        expectClose(wasm, cpu, {rtol: 1e-4, atol: 1e-5});
      } catch (error) {
        throw new Error(`${id}: ${(error as Error).message}`);
      }
    }
  });
  test("a twin run's losses agree step by step over 100 steps", async () => {
    const p = resolveParams(compSumExperiment.schema, {labelNoise: 0.2, n: 200});
    const run = () => runToEnd(train({...compSumExperiment.setup(p), steps: 100, stepsPerYield: 50, evalEvery: 100}));
    const [cpu, wasm] = [await on("cpu", run), await on("wasm", run)];
    expect(wasm.backend).toBe("wasm");
    for (let i = 0; i < 2; ++i) expectClose(wasm.history.loss[i], cpu.history.loss[i], {rtol: 2e-3, atol: 1e-4});
    expect(wasm.history.loss[0].at(-1)!).toBeLessThan(wasm.history.loss[0][0]);
  });
  test("data do not depend on the backend", async () => {
    const d = () => Array.from(toy2d({seed: 3, labelNoise: 0.3}).train.x.slice(0, 20));
    expect(await on("wasm", d)).toEqual(await on("cpu", d));
  });
});
