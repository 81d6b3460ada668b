// The same seed gives identical numbers on cpu and wasm where no arithmetic is involved (data, initial
// weights, batch order) and agreeing numbers where there is (losses, gradients, training).
import {afterAll, beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../src/tf.js";
import {selectBackend} from "../../src/backend/select.js";
import {toy2d} from "../../src/datasets/toy2d.js";
import {losses} from "../../src/losses/index.js";
import {mlp} from "../../src/models/mlp.js";
import {random} from "../../src/random.js";
import {runToEnd, train} from "../../src/train/train.js";
import {compSumExperiment} from "../../src/experiments/compSum.js";
import {resolveParams} from "../../src/params/schema.js";
import {expectClose} from "../util/close.js";

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
    const rng = random(4).fork("parity");
    const logits = rng.uniforms(8 * 5, -4, 4);
    const labels = Int32Array.from({length: 8}, (_, i) => (i * 3) % 5);
    for (const [id, loss] of Object.entries(losses)) {
      const compute = () =>
        tf.tidy(() => {
          const y = tf.tensor1d(labels, "int32");
          const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => loss.fn({logits: x as tf.Tensor2D, labels: y}))(
            tf.tensor2d(logits, [8, 5])
          );
          return [value.dataSync()[0], ...grad.dataSync()];
        });
      const [cpu, wasm] = [await on("cpu", compute), await on("wasm", compute)];
      expect(Number.isFinite(cpu[0]), id).toBe(true);
      expectClose(wasm, cpu, {rtol: 1e-4, atol: 1e-6});
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
