import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {getLoss} from "../../../src/losses/index.js";
import {mlp} from "../../../src/models/mlp.js";
import type {Model, ModelConfig} from "../../../src/models/mlp.js";
import {randomPlane} from "../../../src/landscape/directions.js";
import {flattenWeights, layoutOf, planePoint, unflattenWeights} from "../../../src/landscape/params.js";
import {defaultBlockSize, lineSlice, perPointGrid, planeGrid} from "../../../src/landscape/slice.js";
import type {LandscapeProbe} from "../../../src/landscape/slice.js";
import {random} from "../../../src/random.js";
import {useCpuBackend} from "../../util/backend.js";
import {expectClose} from "../../util/close.js";

useCpuBackend();

const N = 24;
function probeBatch(classes = 3): LandscapeProbe {
  const rng = random(11);
  return {
    x: tf.tensor2d(rng.normals(N * 2), [N, 2]),
    labels: tf.tensor1d(
      Int32Array.from({length: N}, (_, i) => i % classes),
      "int32"
    )
  };
}
function disposeProbe(p: LandscapeProbe): void {
  tf.dispose([p.x, p.labels!]);
}
async function setup(config: Partial<ModelConfig> & {seed?: number}) {
  const model = mlp(config);
  const layout = layoutOf(model);
  const theta = flattenWeights(await model.read(), layout);
  return {model, layout, theta, plane: randomPlane(theta, layout, {seed: 2, ignoreBias: false})};
}
// The loss of the model itself (model.write + model.apply + loss.fn) at a point: an oracle independent of the engine.
async function direct(model: Model, point: Float64Array, probe: LandscapeProbe, lossId: string) {
  const saved = await model.read();
  model.write(unflattenWeights(point, layoutOf(model)));
  const value = tf.tidy(() => {
    const out = model.apply(probe.x);
    return getLoss(lossId)
      .fn({logits: out.logits, labels: probe.labels, ...(out.embeddings ? {embeddings: out.embeddings} : {})})
      .dataSync()[0];
  });
  model.write(saved);
  return value;
}

describe("planeGrid({model, plane, probe, loss})", () => {
  const cases: [string, Partial<ModelConfig> & {seed?: number}][] = [
    ["cross-entropy", {hidden: [8, 6], seed: 1}],
    ["focal", {hidden: [8], activation: "tanh", seed: 2}],
    ["cosface", {hidden: [8], embed: 2, normalize: true, head: "cosine", scale: 8, seed: 3}]
  ];
  for (const [lossId, config] of cases) {
    test(`the batched grid equals the per-point grid within 1e-5 (${lossId})`, async () => {
      const {model, plane} = await setup(config);
      const probe = probeBatch();
      const loss = getLoss(lossId);
      const batched = await planeGrid({model, plane, probe, loss, steps: 9, range: 1});
      const single = await perPointGrid({model, plane, probe, loss, steps: 9, range: 1});
      expect(batched.path).toBe("batched");
      expect(batched.reason).toBeUndefined();
      expect(single.path).toBe("per-point");
      expect(batched.values.length).toBe(81);
      expectClose(batched.values, single.values, {rtol: 0, atol: 1e-5});
      // The surface is not flat: the comparison compares something.
      expect(Math.max(...batched.values) - Math.min(...batched.values)).toBeGreaterThan(0.05);
      disposeProbe(probe);
      model.dispose();
    });
  }
  test("values are row-major over (a, b) and match the model's own loss at those weights", async () => {
    const {model, plane, theta} = await setup({hidden: [8], seed: 4});
    const probe = probeBatch();
    const grid = await planeGrid({
      model,
      plane,
      probe,
      loss: getLoss("cross-entropy"),
      steps: 5,
      bounds: {a: [-1, 0.5], b: [0, 2]}
    });
    expect(Array.from(grid.a)).toEqual([-1, -0.625, -0.25, 0.125, 0.5]);
    expect(Array.from(grid.b)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(grid.kind).toBe("random-filter-normalized");
    expect(grid.label).toBe(plane.label);
    expect(grid.probeSize).toBe(N);
    for (const [i, j] of [
      [0, 0],
      [4, 1],
      [2, 3],
      [1, 4]
    ]) {
      const want = await direct(
        model,
        planePoint(theta, grid.a[i], plane.d1, grid.b[j], plane.d2),
        probe,
        "cross-entropy"
      );
      expect(Math.abs(grid.values[j * 5 + i] - want)).toBeLessThan(1e-5);
    }
    disposeProbe(probe);
    model.dispose();
  });
  test("the default grid is 41 × 41 over [−1, 1]²; blockSize changes nothing but the blocks", async () => {
    const {model, plane} = await setup({hidden: [4], seed: 5});
    const probe = probeBatch();
    const loss = getLoss("cross-entropy");
    const grid = await planeGrid({model, plane, probe, loss});
    expect([grid.a.length, grid.b.length, grid.values.length]).toEqual([41, 41, 1681]);
    expect([grid.a[0], grid.a[40], grid.b[20]]).toEqual([-1, 1, 0]);
    const rows: number[] = [];
    const blocked = await planeGrid({model, plane, probe, loss, blockSize: 100, onRow: ({row}) => rows.push(row)});
    expect(rows).toEqual(Array.from({length: 41}, (_, j) => j));
    expectClose(blocked.values, grid.values, {rtol: 0, atol: 1e-6});
    disposeProbe(probe);
    model.dispose();
  });
  test("a metric loss goes through the per-point fallback and says so", async () => {
    const {model, plane} = await setup({hidden: [8], embed: 3, seed: 6});
    const probe = probeBatch();
    const loss = getLoss("triplet-margin");
    const grid = await planeGrid({model, plane, probe, loss, steps: 3});
    expect(grid.path).toBe("per-point");
    expect(grid.reason).toMatch(/triplet-margin goes point by point: its term \w+ is a (pair|triplet) term/);
    const single = await perPointGrid({model, plane, probe, loss, steps: 3});
    expect(Array.from(grid.values)).toEqual(Array.from(single.values));
    await expect(planeGrid({model, plane, probe, loss, steps: 3, path: "batched"})).rejects.toThrow(
      /cannot be evaluated batched/
    );
    disposeProbe(probe);
    model.dispose();
  });
  test("a loss whose per-sample terms depend on the whole batch is caught by the check against loss.fn", async () => {
    const {model, plane} = await setup({hidden: [8], seed: 7});
    const probe = probeBatch();
    const loss = getLoss("correctness-aware");
    const grid = await planeGrid({model, plane, probe, loss, steps: 3});
    expect(grid.path).toBe("per-point");
    expect(grid.reason).toMatch(/disagree with loss.fn/);
    const single = await perPointGrid({model, plane, probe, loss, steps: 3});
    expect(Array.from(grid.values)).toEqual(Array.from(single.values));
    disposeProbe(probe);
    model.dispose();
  });
  test("per-sample extra inputs (weights) are repeated per point, as the reducer weights them", async () => {
    const {model, plane} = await setup({hidden: [8], seed: 8});
    const probe = probeBatch();
    const weights = tf.tensor1d(Float32Array.from({length: N}, (_, i) => (i % 4) / 3));
    const withWeights = {...probe, inputs: {weights}};
    const loss = getLoss("cross-entropy");
    const batched = await planeGrid({model, plane, probe: withWeights, loss, steps: 5});
    const single = await perPointGrid({model, plane, probe: withWeights, loss, steps: 5});
    const unweighted = await planeGrid({model, plane, probe, loss, steps: 5});
    expect(batched.path).toBe("batched");
    expectClose(batched.values, single.values, {rtol: 0, atol: 1e-5});
    expect(Math.abs(batched.values[7] - unweighted.values[7])).toBeGreaterThan(1e-4);
    weights.dispose();
    disposeProbe(probe);
    model.dispose();
  });
  test("onRow reports each row in order; abort stops the grid between rows", async () => {
    const {model, plane} = await setup({hidden: [8], seed: 9});
    const probe = probeBatch();
    const loss = getLoss("cross-entropy");
    const full = await planeGrid({model, plane, probe, loss, steps: 7});
    const controller = new AbortController();
    const rows: number[] = [];
    const run = planeGrid({
      model,
      plane,
      probe,
      loss,
      steps: 7,
      signal: controller.signal,
      onRow({row, values, done, total}) {
        rows.push(row);
        expect([done, total]).toEqual([row + 1, 7]);
        expect(Array.from(values)).toEqual(Array.from(full.values.subarray(row * 7, row * 7 + 7)));
        if (row === 2) controller.abort();
      }
    });
    await expect(run).rejects.toMatchObject({name: "AbortError"});
    expect(rows).toEqual([0, 1, 2]);
    // An already aborted signal evaluates nothing.
    await expect(planeGrid({model, plane, probe, loss, steps: 7, signal: controller.signal})).rejects.toMatchObject({
      name: "AbortError"
    });
    disposeProbe(probe);
    model.dispose();
  });
  test("invalid options are named", async () => {
    const {model, plane} = await setup({hidden: [4], seed: 1});
    const probe = probeBatch();
    const loss = getLoss("cross-entropy");
    await expect(planeGrid({model, plane, probe, loss, steps: 1})).rejects.toThrow(/invalid steps: 1/);
    await expect(planeGrid({model, plane, probe, loss, range: 0})).rejects.toThrow(/invalid range: 0/);
    disposeProbe(probe);
    model.dispose();
  });
});

describe("lineSlice({from, to, layout, model, probe, loss})", () => {
  test("α runs over [−0.5, 1.5] in 41 points; L(0) and L(1) are the losses at θa and θb", async () => {
    const {model, layout, theta: from} = await setup({hidden: [8], seed: 10});
    const other = mlp({hidden: [8], seed: 11});
    const to = flattenWeights(await other.read(), layout);
    other.dispose();
    const probe = probeBatch();
    const loss = getLoss("cross-entropy");
    const line = await lineSlice({from, to, layout, model, probe, loss});
    expect(line.path).toBe("batched");
    expect(line.alpha.length).toBe(41);
    expect([line.alpha[0], line.alpha[10], line.alpha[30], line.alpha[40]]).toEqual([-0.5, 0, 1, 1.5]);
    expect(Math.abs(line.values[10] - (await direct(model, from, probe, "cross-entropy")))).toBeLessThan(1e-5);
    expect(Math.abs(line.values[30] - (await direct(model, to, probe, "cross-entropy")))).toBeLessThan(1e-5);
    const single = await lineSlice({from, to, layout, model, probe, loss, path: "per-point", blockSize: 10});
    expectClose(line.values, single.values, {rtol: 0, atol: 1e-5});
    disposeProbe(probe);
    model.dispose();
  });
});

describe("default block size", () => {
  const config = mlp({hidden: [64, 64], seed: 0}).config;
  test("whole rows within 2^24 floats of activations on webgpu, one row elsewhere", () => {
    // 41 points × 512 samples × 64 units = 1.34M floats a row: 12 rows fit.
    expect(defaultBlockSize(41, 512, config, "webgpu")).toBe(12 * 41);
    expect(defaultBlockSize(41, 512, config, "wasm")).toBe(41);
    expect(defaultBlockSize(41, 512, config, "webgl")).toBe(41);
    // Never less than a row, never more than the grid.
    expect(defaultBlockSize(41, 1 << 20, config, "webgpu")).toBe(41);
    expect(defaultBlockSize(5, 8, config, "webgpu")).toBe(25);
  });
});
