import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {toy2d} from "../../../src/datasets/toy2d.js";
import {aldrKl, crossEntropy, generalizedCrossEntropy, kd, sumExponential} from "../../../src/losses/index.js";
import {batcher} from "../../../src/train/batches.js";
import {trainControl} from "../../../src/train/control.js";
import {runToEnd, train} from "../../../src/train/train.js";
import type {TrainEvent, TrainOptions} from "../../../src/train/train.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const data = toy2d({n: 200, classes: 3, seed: 1});
const base = (o: Partial<TrainOptions> = {}): TrainOptions => ({
  data,
  model: {hidden: [16, 16]},
  arms: [
    {id: "ce", label: "CE", loss: crossEntropy},
    {id: "gce", label: "GCE", loss: generalizedCrossEntropy, params: {q: 0.7}}
  ],
  optimizer: {type: "adam", lr: 0.01},
  batchSize: 32,
  seed: 3,
  steps: 60,
  stepsPerYield: 10,
  evalEvery: 20,
  ...o
});

async function collect(o: TrainOptions): Promise<TrainEvent[]> {
  const events: TrainEvent[] = [];
  for await (const e of train(o)) events.push(e);
  return events;
}
const strip = (e: TrainEvent) => ({
  step: e.step,
  status: e.status,
  arms: e.arms.map((a) => ({loss: a.loss, metrics: a.metrics}))
});

describe("train(options)", () => {
  test("yields a ready event at step 0, then chunks of stepsPerYield, and ends done", async () => {
    const events = await collect(base());
    expect(events.map((e) => e.step)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(events[0].status).toBe("ready");
    expect(events.at(-1)!.status).toBe("done");
    expect(events.filter((e) => e.evaluated).map((e) => e.step)).toEqual([0, 20, 40, 60]);
    expect(events.at(-1)!.history.step).toHaveLength(60);
  });
  test("the loss falls for both arms", async () => {
    const last = await runToEnd(train(base({steps: 200, stepsPerYield: 50})));
    const h = last.history;
    for (let i = 0; i < 2; ++i) expect(h.loss[i].at(-1)!).toBeLessThan(0.7 * h.loss[i][0]);
    expect(last.arms[0].metrics.testAccuracy).toBeGreaterThan(0.8);
  });
  test("events hold plain numbers and typed arrays, never tensors", async () => {
    const events = await collect(base({steps: 20, view: {grid: 8, probe: 50}}));
    const e = events.at(-1)!;
    expect(e.arms[0].view.probs).toBeInstanceOf(Float32Array);
    expect(e.arms[0].view.probs!.length).toBe(8 * 8 * 3);
    expect(e.arms[0].view.margin!.length).toBe(64);
    const hasTensor = JSON.stringify(e, (_k, v) =>
      v instanceof tf.Tensor ? "TENSOR" : ArrayBuffer.isView(v) ? [] : v
    ).includes("TENSOR");
    expect(hasTensor).toBe(false);
  });
  test("the same seed gives an identical event stream on cpu", async () => {
    const [a, b] = [await collect(base()), await collect(base())];
    expect(a.map(strip)).toEqual(b.map(strip));
  });
  test("twin arms start from identical weights: with the same loss their losses coincide at every step", async () => {
    const last = await runToEnd(
      train(
        base({
          arms: [
            {id: "a", label: "CE", loss: crossEntropy},
            {id: "b", label: "CE too", loss: crossEntropy}
          ]
        })
      )
    );
    expect(last.history.loss[1]).toEqual(last.history.loss[0]);
  });
  test("the batch order is a pure function of (seed, step)", () => {
    const a = batcher(100, 32, 5);
    const b = batcher(100, 32, 5);
    const late = Array.from(b.at(7));
    expect(Array.from(a.at(0))).toEqual(Array.from(batcher(100, 32, 5).at(0)));
    expect(Array.from(a.at(7))).toEqual(late);
    expect(a.perEpoch).toBe(3);
    const epoch = [...a.at(0), ...a.at(1), ...a.at(2)];
    expect(new Set(epoch).size).toBe(96);
  });
  test("tensor count stays flat over 2 000 steps and after return()", async () => {
    const before = tf.memory().numTensors;
    const run = train(base({steps: Infinity, stepsPerYield: 100, evalEvery: 100, view: {grid: 10}}));
    let counts: number[] = [];
    for await (const e of run) {
      counts.push(tf.memory().numTensors);
      if (e.step >= 2000) break; // for-await's break calls return()
    }
    counts = counts.slice(2);
    expect(Math.max(...counts)).toBe(Math.min(...counts));
    expect(tf.memory().numTensors).toBe(before);
  });
  test("a diverging run stops with status 'diverged' and an explanation", async () => {
    const last = await runToEnd(
      train(
        base({
          arms: [{id: "sum-exp", label: "Sum-exponential", loss: sumExponential}],
          optimizer: {type: "sgd", lr: 1e5},
          model: {hidden: [64, 64]},
          steps: 200
        })
      )
    );
    expect(last.status).toBe("diverged");
    expect(last.step).toBeLessThan(200);
    expect(last.message).toMatch(
      /Sum-exponential diverged at step \d+: its training loss (became NaN|overflowed|exploded).*Lower the learning rate \(now 100000\) or turn on gradient clipping/
    );
  });
  test("gradient clipping keeps the same run finite", async () => {
    const last = await runToEnd(
      train(
        base({
          arms: [{id: "sum-exp", label: "Sum-exponential", loss: sumExponential}],
          optimizer: {type: "sgd", lr: 0.5, clipNorm: 1},
          steps: 100
        })
      )
    );
    expect(last.status).toBe("done");
    expect(Number.isFinite(last.arms[0].loss)).toBe(true);
  });
  test("view.weights copies every arm's weights at each evaluation, in variable order", async () => {
    const events = await collect(base({view: {weights: true}, steps: 40, stepsPerYield: 20, evalEvery: 20}));
    const evaluated = events.filter((e) => e.evaluated);
    expect(evaluated.length).toBeGreaterThan(1);
    for (const e of evaluated) {
      for (const arm of e.arms) {
        expect(arm.view.weights?.map((w) => w.length)).toEqual([2 * 16, 16, 16 * 16, 16, 16 * 3, 3]);
      }
    }
    const [first, last] = [evaluated[0].arms[0].view.weights!, evaluated.at(-1)!.arms[0].view.weights!];
    expect(first[0]).not.toEqual(last[0]);
    expect(events.every((e) => !e.evaluated || e.arms.every((a) => a.view.weights))).toBe(true);
    const plain = await collect(base({steps: 20, stepsPerYield: 20, evalEvery: 20}));
    expect(plain.every((e) => e.arms.every((a) => a.view.weights === undefined))).toBe(true);
  });
  test("a loss with per-sample state (aldr-kl) trains with state the trainer creates, and leaks nothing", async () => {
    const before = tf.memory().numTensors;
    const last = await runToEnd(
      train(base({arms: [{id: "aldr", label: "ALDR-KL", loss: aldrKl}], steps: 40, stepsPerYield: 20}))
    );
    expect(last.status).toBe("done");
    expect(last.history.loss[0].at(-1)).toBeLessThan(last.history.loss[0][0]);
    expect(tf.memory().numTensors).toBe(before);
  });
  test("a loss that needs an input train() cannot provide is named before training", async () => {
    await expect(train(base({arms: [{id: "kd", label: "KD", loss: kd}]})).next()).rejects.toThrow(
      "train: the loss kd needs teacherLogits, which train() does not provide"
    );
  });
  test("bad options are rejected before training", () => {
    expect(() => train(base({arms: []})).next()).rejects.toThrow("train: at least one arm is needed");
    expect(train(base({batchSize: 0})).next()).rejects.toThrow("invalid batch size: 0");
  });
});

describe("train with a control", () => {
  test("pause holds, step(n) runs n steps, play resumes, reset restarts from step 0; invalidation ends the run", async () => {
    const control = trainControl({playing: false, speed: 5});
    let invalidate!: () => void;
    const invalidation = new Promise<void>((resolve) => (invalidate = resolve));
    const before = tf.memory().numTensors;
    const run = train(base({steps: Infinity, control, invalidation}));
    const next = async () => (await run.next()).value as TrainEvent;
    expect((await next()).status).toBe("ready");
    expect((await next()).status).toBe("paused");
    const pending = next();
    control.step(3);
    const stepped = await pending;
    expect([stepped.step, stepped.status, stepped.evaluated]).toEqual([3, "paused", true]);
    control.play();
    const playing = await next();
    expect([playing.step, playing.status]).toEqual([8, "running"]);
    control.setSpeed(2);
    expect((await next()).step).toBe(10);
    control.reset();
    const reset = await next();
    expect([reset.step, reset.status, reset.history.step.length]).toEqual([0, "ready", 0]);
    control.pause();
    await next(); // paused
    const waiting = run.next();
    invalidate();
    expect((await waiting).done).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
  test("an off-screen run holds without changing playing", async () => {
    const control = trainControl({speed: 1});
    const run = train(base({steps: Infinity, control}));
    await run.next();
    control.setVisible(false);
    expect(control.playing).toBe(true);
    expect(((await run.next()).value as TrainEvent).status).toBe("paused");
    control.setVisible(true);
    expect(((await run.next()).value as TrainEvent).status).toBe("running");
    await run.return(undefined as never);
  });
});
