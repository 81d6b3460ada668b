// The trainer's inputs for metric and contrastive learning: samplers (class-balanced, episodes), the in-tape hook,
// further encoders, target vectors, named views, shaped constants, test-embedding readback and the arrays hook.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {gaussianClasses, superclassOf} from "../../../src/datasets/gaussian.js";
import {balancedBatcher, episodeBatcher, episodeSupport, samplerFor} from "../../../src/train/batches.js";
import {
  crossEntropy,
  decoupledSoftmax,
  infoNce,
  multiSimilarity,
  protoTriplet,
  unpg
} from "../../../src/losses/index.js";
import {runToEnd, train} from "../../../src/train/train.js";
import type {TrainOptions} from "../../../src/train/train.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const labels = Int32Array.from({length: 60}, (_, i) => i % 6); // 6 classes × 10
const classesOf = (rows: Int32Array) => Array.from(rows, (r) => labels[r]);

describe("samplers", () => {
  test("balanced batches hold P distinct classes × K distinct samples, grouped by class, reproducibly", () => {
    const b = balancedBatcher(labels, 3, 4, 7);
    expect(b.size).toBe(12);
    for (const step of [0, 1, 5, 40]) {
      const rows = b.at(step);
      expect(new Set(rows).size).toBe(12);
      const ys = classesOf(rows);
      expect(new Set(ys).size).toBe(3);
      for (let p = 0; p < 3; ++p) expect(new Set(ys.slice(p * 4, p * 4 + 4)).size).toBe(1);
      expect(Array.from(balancedBatcher(labels, 3, 4, 7).at(step))).toEqual(Array.from(rows));
    }
    expect(Array.from(b.at(0))).not.toEqual(Array.from(b.at(1)));
    expect(Array.from(balancedBatcher(labels, 3, 4, 8).at(0))).not.toEqual(Array.from(b.at(0)));
  });
  test("classes with fewer than K samples are never drawn; too few eligible classes is a clear error", () => {
    const uneven = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 3, 3, 3]);
    const b = balancedBatcher(uneven, 3, 3, 1);
    for (let s = 0; s < 20; ++s) expect(Array.from(b.at(s), (r) => uneven[r])).not.toContain(2);
    expect(() => balancedBatcher(uneven, 4, 3, 1)).toThrow(/needs 4 classes with at least 3 samples/);
    expect(() => balancedBatcher(uneven, 2, 0, 1)).toThrow(/invalid samples per class/);
  });
  test("episodes put all support rows first, then the queries, class by class", () => {
    const e = episodeBatcher(labels, 3, 2, 3, 5);
    expect(e.size).toBe(15);
    const rows = e.at(2);
    expect(new Set(rows).size).toBe(15);
    const ys = classesOf(rows);
    const support = ys.slice(0, 6);
    const queries = ys.slice(6);
    for (let w = 0; w < 3; ++w) {
      expect(support[2 * w]).toBe(support[2 * w + 1]);
      expect(queries.slice(3 * w, 3 * w + 3)).toEqual([support[2 * w], support[2 * w], support[2 * w]]);
    }
    expect(Array.from(episodeSupport(3, 2, 3))).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => episodeBatcher(labels, 1, 1, 1, 0)).toThrow(/invalid ways/);
  });
  test("samplerFor picks the batcher a spec names; random keeps the batch size", () => {
    expect(samplerFor(undefined, labels, 16, 0).size).toBe(16);
    expect(samplerFor({kind: "balanced", classes: 2, perClass: 5}, labels, 16, 0).size).toBe(10);
    expect(samplerFor({kind: "episodes", ways: 2, shots: 1, queries: 2}, labels, 16, 0).size).toBe(6);
  });
});

describe("gaussian classes", () => {
  test("open-set: train on the first classes, test on the rest; ids unique; reproducible", () => {
    const d = gaussianClasses({classes: 6, dims: 4, perClass: 10, trainClasses: 4, seed: 3});
    expect(d.train.n).toBe(40);
    expect(d.test.n).toBe(20);
    expect(Math.max(...d.train.y)).toBe(3);
    expect(Math.min(...d.test.y)).toBe(4);
    expect(new Set([...d.train.ids, ...d.test.ids]).size).toBe(60);
    expect(Array.from(gaussianClasses({classes: 6, dims: 4, perClass: 10, trainClasses: 4, seed: 3}).test.x)).toEqual(
      Array.from(d.test.x)
    );
  });
  test("superclasses put their classes closer to each other than to other superclasses' classes", () => {
    const d = gaussianClasses({classes: 8, dims: 6, perClass: 30, superclasses: 2, spread: 0.1, seed: 1});
    const mean = (k: number) => {
      const m = new Array(6).fill(0);
      let c = 0;
      for (let i = 0; i < d.train.n; ++i) {
        if (d.train.y[i] !== k) continue;
        c++;
        for (let j = 0; j < 6; ++j) m[j] += d.train.x[i * 6 + j];
      }
      return m.map((v) => v / c);
    };
    const means = Array.from({length: 8}, (_, k) => mean(k));
    const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, j) => v - b[j]));
    let within = 0,
      across = 0,
      nw = 0,
      na = 0;
    for (let a = 0; a < 8; ++a)
      for (let b = a + 1; b < 8; ++b) {
        if (superclassOf(a, 2) === superclassOf(b, 2)) ((within += dist(means[a], means[b])), nw++);
        else ((across += dist(means[a], means[b])), na++);
      }
    expect(within / nw).toBeLessThan(0.6 * (across / na));
    expect(() => gaussianClasses({trainClasses: 16})).toThrow(/invalid trainClasses/);
  });
});

const open = gaussianClasses({classes: 8, dims: 6, perClass: 16, trainClasses: 6, seed: 2});
const base = (o: Partial<TrainOptions>): TrainOptions => ({
  data: open,
  model: {hidden: [16], embed: 4, normalize: true},
  arms: [],
  optimizer: {type: "adam", lr: 0.01},
  batchSize: 16,
  seed: 4,
  steps: 20,
  stepsPerYield: 10,
  evalEvery: 10,
  ...o
});

describe("tape hook, encoders and readback", () => {
  test("balanced batches train multi-similarity; host metrics get the test embeddings; fused declines tape arms", async () => {
    let seen = 0;
    const last = await runToEnd(
      train(
        base({
          sampler: {kind: "balanced", classes: 3, perClass: 4},
          fast: true,
          arms: [
            {id: "ms", label: "MS", loss: multiSimilarity},
            {
              id: "unpg",
              label: "UNPG",
              loss: unpg,
              tape: ({model}) => ({prototypes: model.classWeights()})
            }
          ],
          metrics: {
            host: ({testEmbeddings, probeEmbeddings}) => {
              seen = testEmbeddings!.length;
              return {probeRows: probeEmbeddings!.length / 4};
            }
          },
          view: {testEmbeddings: true}
        })
      )
    );
    expect(seen).toBe(open.test.n * 4);
    expect(last.arms[0].metrics.probeRows).toBe(open.train.n);
    expect(last.arms[1].view.testEmbeddings!.length).toBe(open.test.n * 4);
    expect(last.arms[1].path).toBe("autodiff");
    expect(last.arms[1].pathNote).toMatch(/tape/);
    for (const a of last.arms) expect(Number.isFinite(a.loss)).toBe(true);
    expect(Number.isFinite(last.arms[1].metrics.testLoss)).toBe(true);
  });
  test("class weights on the tape: prototypes are the head's class vectors, and gradients reach them", async () => {
    const m = (await import("../../../src/models/mlp.js")).mlp({inputs: 3, hidden: [5], embed: 4, classes: 6, seed: 1});
    const w = m.classWeights();
    expect(w.shape).toEqual([6, 4]);
    const grads = tf.variableGrads(() => tf.sum(tf.square(m.classWeights())) as tf.Scalar, [...m.variables]);
    const head = m.variables[m.variables.length - 2];
    expect(grads.grads[head.name]).toBeDefined();
    m.dispose();
  });
  test("a second encoder on a named view trains through the tape (InfoNCE across two modalities)", async () => {
    const rng = new Float32Array(open.train.n * 3).map((_, i) => Math.sin(i));
    const withView = {
      ...open,
      train: {...open.train, views: {audio: rng}},
      test: {...open.test, views: {audio: new Float32Array(open.test.n * 3).map((_, i) => Math.cos(i))}}
    };
    const reads: Float32Array[] = [];
    const last = await runToEnd(
      train(
        base({
          data: withView,
          steps: 30,
          arms: [
            {
              id: "nce",
              label: "NCE",
              loss: infoNce,
              encoders: {audio: {inputs: 3, hidden: [8], classes: 4, embed: 4, normalize: true}},
              tape: ({encoders, views}) => ({otherEmbeddings: encoders.audio.apply(views.audio).embeddings!})
            }
          ],
          metrics: {
            arrays: ({encoders, testViews}) => ({audio: encoders.audio.apply(testViews.audio).embeddings!}),
            host: ({arrays}) => {
              reads.push(arrays!.audio);
              return {};
            }
          }
        })
      )
    );
    expect(reads.length).toBe(4);
    expect(reads[0].length).toBe(open.test.n * 4);
    // The encoder's output on fixed inputs moved: its weights were trained.
    const moved = reads[3].reduce((s, v, i) => s + Math.abs(v - reads[0][i]), 0);
    expect(moved).toBeGreaterThan(1e-3);
    expect(Number.isFinite(last.arms[0].metrics.testLoss)).toBe(true);
  });
  test("target vectors and a label tower: decoupled softmax over learned label embeddings lowers its loss", async () => {
    const C = open.classes;
    const targets = (y: Int32Array) => {
      const t = new Float32Array(y.length * C);
      y.forEach((k, i) => (t[i * C + k] = 1));
      return t;
    };
    const closed = gaussianClasses({classes: C, dims: 6, perClass: 16, seed: 2});
    const data = {
      ...closed,
      train: {...closed.train, targets: targets(closed.train.y)},
      test: {...closed.test, targets: targets(closed.test.y)}
    };
    const eye = tf.eye(C) as tf.Tensor2D;
    const last = await runToEnd(
      train(
        base({
          data,
          steps: 60,
          stepsPerYield: 20,
          evalEvery: 60,
          arms: [
            {
              id: "dexml",
              label: "decoupled softmax",
              loss: decoupledSoftmax,
              encoders: {labels: {inputs: C, hidden: [], classes: 4}},
              tape: ({encoders}) => ({labelEmbeddings: encoders.labels.apply(eye).logits})
            }
          ]
        })
      )
    );
    eye.dispose();
    const loss = last.history.loss[0];
    expect(loss[loss.length - 1]).toBeLessThan(0.8 * loss[0]);
    await expect(
      train(
        base({
          data: {...data, train: {...data.train, targets: new Float32Array(3)}},
          arms: [{id: "ce", label: "CE", loss: crossEntropy}]
        })
      ).next()
    ).rejects.toThrow(/targets have 3 values/);
  });
  test("episodes with a shaped support mask train proto-triplet; test loss can be skipped", async () => {
    const last = await runToEnd(
      train(
        base({
          sampler: {kind: "episodes", ways: 3, shots: 2, queries: 2},
          testLoss: false,
          arms: [
            {
              id: "pt",
              label: "proto-triplet",
              loss: protoTriplet,
              constants: {isSupport: {values: episodeSupport(3, 2, 2), shape: [12]}}
            }
          ]
        })
      )
    );
    expect(Number.isFinite(last.arms[0].loss)).toBe(true);
    expect(Number.isNaN(last.arms[0].metrics.testLoss)).toBe(true);
  });
  test("a loss needing an input nobody provides is refused with the hooks named", async () => {
    await expect(train(base({arms: [{id: "u", label: "UNPG", loss: unpg}]})).next()).rejects.toThrow(
      /needs prototypes.*constants, perSample, extra or tape/
    );
  });
});
