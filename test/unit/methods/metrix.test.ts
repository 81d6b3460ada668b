// The Metrix notebook's own code (card 22): λ ~ Beta(α, α), the hardest-negative choice, the input- and
// embedding-level tape hooks (checked against a hand-built mixture), and the retrieval metrics.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {random} from "../../../src/random.js";
import {gaussianClasses} from "../../../src/datasets/gaussian.js";
import {mlp} from "../../../src/models/mlp.js";
import {metrix} from "../../../src/losses/metrix.js";
import {
  metrixHardestNegatives,
  metrixNotebookMetrics,
  metrixSampleLambda,
  metrixTape
} from "../../../src/methods/metrix.js";
import type {TapeContext} from "../../../src/train/train.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("metrixSampleLambda", () => {
  test("draws Beta(α, α): mean 1/2, variance 1/(4(2α + 1)); seeded", () => {
    for (const alpha of [2, 0.5]) {
      const rng = random(7);
      const draws = Array.from({length: 20000}, () => metrixSampleLambda(rng, alpha));
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
      expect(mean).toBeCloseTo(0.5, 2);
      expect(variance).toBeCloseTo(1 / (4 * (2 * alpha + 1)), 2);
      expect(draws.every((v) => v > 0 && v < 1)).toBe(true);
    }
    expect(metrixSampleLambda(random(3), 2)).toBe(metrixSampleLambda(random(3), 2));
    expect(() => metrixSampleLambda(random(1), 0)).toThrow(/invalid alpha: 0/);
  });
});

describe("metrixHardestNegatives", () => {
  test("picks the nearest differently-labelled row", () => {
    const e = tf.tensor2d([
      [0, 0],
      [0.1, 0],
      [1, 0],
      [0.5, 0],
      [3, 0]
    ]);
    const y = tf.tensor1d([0, 0, 1, 1, 2], "int32");
    const hard = metrixHardestNegatives(e as tf.Tensor2D, y as tf.Tensor1D);
    // Row 0 (label 0): negatives at 1, 0.5, 3 → row 3; row 1 → row 3; row 2 (label 1): 0, 0.1, 3 → row 1;
    // row 3: 0, 0.1, 3 → row 1; row 4 (label 2): nearest of the rest is row 2.
    expect(Array.from(hard.dataSync())).toEqual([3, 3, 1, 1, 2]);
    tf.dispose([e, y, hard]);
  });
});

describe("metrixTape", () => {
  const data = gaussianClasses({classes: 4, dims: 3, perClass: 6, seed: 2, trainClasses: 3});
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
  const ctxFor = (model: ReturnType<typeof mlp>): TapeContext => {
    const x = tf.tensor2d(data.train.x.subarray(0, 18), [6, 3]);
    const labels = tf.tensor1d(data.train.y.subarray(0, 6), "int32");
    return {
      model,
      encoders: {},
      out: model.apply(x),
      x,
      labels,
      ids: tf.tensor1d(data.train.ids.subarray(0, 6), "int32"),
      views: {},
      split: "train",
      rows,
      data,
      apply: (z) => model.apply(z),
      step: 0,
      training: true,
      seed: 1,
      rng: random(9)
    };
  };

  test("input level: every positive pair's positive mixed with the anchor's hardest negative, then embedded", () => {
    const model = mlp({inputs: 3, hidden: [8], embed: 3, normalize: true, classes: 3, seed: 1});
    const ctx = ctxFor(model);
    const y = Array.from(data.train.y.subarray(0, 6));
    const out = metrixTape("input", 2)(ctx);
    const lambda = metrixSampleLambda(random(9).fork("lambda"), 2);
    const anchors = Array.from(out.mixAnchors.dataSync());
    const pairs: [number, number][] = [];
    for (let a = 0; a < 6; ++a) for (let p = 0; p < 6; ++p) if (p !== a && y[p] === y[a]) pairs.push([a, p]);
    expect(anchors).toEqual(pairs.map(([a]) => a));
    const hard = Array.from(metrixHardestNegatives(ctx.out.embeddings!, ctx.labels).dataSync());
    expect(Array.from(out.mixLabelsA.dataSync())).toEqual(pairs.map(([, p]) => y[p]));
    expect(Array.from(out.mixLabelsB.dataSync())).toEqual(pairs.map(([a]) => y[hard[a]]));
    Array.from(out.mixWeights.dataSync()).forEach((v) => expect(v).toBeCloseTo(lambda, 6));
    // The same mixture built by hand and embedded.
    const xs = data.train.x;
    const manual = pairs.flatMap(([a, p]) =>
      [0, 1, 2].map((j) => lambda * xs[p * 3 + j] + (1 - lambda) * xs[hard[a] * 3 + j])
    );
    const expected = model.apply(tf.tensor2d(manual, [pairs.length, 3])).embeddings!.dataSync();
    const got = out.mixedEmbeddings.dataSync();
    expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    // The loss accepts them and its gradient reaches the weights through the mixed branch.
    const {grads} = tf.variableGrads(() => {
      const c = ctxFor(model);
      return metrix.fn({embeddings: c.out.embeddings, labels: c.labels, ...metrixTape("input", 2)(c)});
    }, [...model.variables]);
    expect(Object.values(grads).some((g) => tf.sum(tf.abs(g)).dataSync()[0] > 0)).toBe(true);
    model.dispose();
  });

  test("embedding level: the official positive–negative pairing of the clean embeddings", () => {
    const model = mlp({inputs: 3, hidden: [8], embed: 3, normalize: true, classes: 3, seed: 1});
    const out = metrixTape("embedding", 2)(ctxFor(model));
    const y = Array.from(data.train.y.subarray(0, 6));
    let expected = 0;
    for (let a = 0; a < 6; ++a) {
      const pos = y.filter((v, j) => j !== a && v === y[a]).length;
      const neg = y.filter((v) => v !== y[a]).length;
      expected += pos * neg;
    }
    expect(out.mixedEmbeddings.shape).toEqual([expected, 3]);
    model.dispose();
  });
});

describe("metrixNotebookMetrics", () => {
  test("Recall@1 and utilization on the test embeddings against the probe embeddings", () => {
    const data = gaussianClasses({classes: 4, dims: 2, perClass: 4, seed: 1, trainClasses: 2});
    // Test rows embedded at their class's own point: perfect retrieval. Probe rows all at (0, 0, 1).
    const test = Float32Array.from({length: data.test.n * 3}, (_, i) =>
      i % 3 === data.test.y[Math.floor(i / 3)] - 2 ? 1 : 0
    );
    const probe = Float32Array.from({length: data.train.n * 3}, (_, i) => (i % 3 === 2 ? 1 : 0));
    const m = metrixNotebookMetrics().host!({
      data,
      arm: {} as never,
      index: 0,
      testLogits: new Float32Array(),
      probeLogits: new Float32Array(),
      probeSize: data.train.n,
      testEmbeddings: test,
      probeEmbeddings: probe,
      step: 0
    });
    expect(m.recallAt1).toBe(1);
    expect(m.mapAtR).toBe(1);
    // Every test point (e₁ or e₂) is √2 from (0, 0, 1): squared distance 2.
    expect(m.utilization).toBeCloseTo(2, 6);
  });
});
