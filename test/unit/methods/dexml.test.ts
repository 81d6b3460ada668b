// The DEXML notebook's own code: the softmax baseline against a float64 loop (value and gradient), its positive
// sampling, the retrieval toy, and the retrieval metrics against hand-computed values.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {decoupledSoftmax} from "../../../src/losses/decoupledSoftmax.js";
import {dexmlCosines, dexmlData, dexmlRecallAtK, dexmlRetrieval, dexmlSoftmax} from "../../../src/methods/dexml.js";
import {dexmlLive, dexmlTrainOptions, dexmlSchema} from "../../../src/experiments/dexml.js";
import {defaults} from "../../../src/params/schema.js";
import {random} from "../../../src/random.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const B = 4,
  L = 6,
  D = 3;
const rng = random(11).fork("dexml-test");
const queries = rng.normals(B * D);
const labels = rng.normals(L * D);
// Row i has i + 1 positives; row 3 has all but two labels positive.
const targets = Float32Array.from({length: B * L}, (_, k) => (k % L <= Math.floor(k / L) ? 1 : 0));

/** Float64 loop: mean over the query's positives of −log softmax over all labels of cos/τ, then the batch mean. */
function softmaxOracle(q: ArrayLike<number>, tau: number): number {
  let total = 0;
  for (let i = 0; i < B; ++i) {
    const qi = Array.from({length: D}, (_, a) => q[i * D + a]);
    const qn = Math.hypot(...qi);
    const s: number[] = [];
    for (let j = 0; j < L; ++j) {
      const lj = Array.from({length: D}, (_, a) => labels[j * D + a]);
      s.push(qi.reduce((acc, v, a) => acc + v * lj[a], 0) / (qn * Math.hypot(...lj)) / tau);
    }
    const max = Math.max(...s);
    const lse = max + Math.log(s.reduce((acc, v) => acc + Math.exp(v - max), 0));
    let sum = 0,
      count = 0;
    for (let j = 0; j < L; ++j) {
      if (targets[i * L + j] > 0) {
        sum += lse - s[j];
        count++;
      }
    }
    total += count ? sum / count : 0;
  }
  return total / B;
}

describe("dexmlSoftmax", () => {
  test("dexmlSoftmax({tau}) matches a float64 loop over every query and positive", () => {
    for (const tau of [0.05, 0.5]) {
      const v = tf.tidy(
        () =>
          dexmlSoftmax
            .fn(
              {
                embeddings: tf.tensor2d(queries, [B, D]),
                labelEmbeddings: tf.tensor2d(labels, [L, D]),
                targets: tf.tensor2d(targets, [B, L])
              },
              {tau}
            )
            .dataSync()[0]
      );
      expectClose([v], [softmaxOracle(queries, tau)]);
    }
  });

  test("dexmlSoftmax's gradient with respect to the queries matches finite differences of the oracle", () => {
    const lab = tf.tensor2d(labels, [L, D]);
    const tgt = tf.tensor2d(targets, [B, L]);
    const x0 = tf.tensor2d(queries, [B, D]);
    gradcheck(
      (x) => dexmlSoftmax.fn({embeddings: x as tf.Tensor2D, labelEmbeddings: lab, targets: tgt}, {tau: 0.5}),
      (x) => softmaxOracle(x, 0.5),
      x0
    );
    tf.dispose([lab, tgt, x0]);
  });

  test("with one positive per query it equals decoupled softmax (nothing else to remove from the denominator)", () => {
    const one = Float32Array.from({length: B * L}, (_, k) => (k % L === (Math.floor(k / L) * 2) % L ? 1 : 0));
    const [a, b] = tf.tidy(() => {
      const inputs = {
        embeddings: tf.tensor2d(queries, [B, D]),
        labelEmbeddings: tf.tensor2d(labels, [L, D]),
        targets: tf.tensor2d(one, [B, L])
      };
      return [dexmlSoftmax.fn(inputs).dataSync()[0], decoupledSoftmax.fn(inputs).dataSync()[0]];
    });
    expectClose([a], [b]);
  });

  test("dexmlSoftmax({sample: true}) scores one positive per query: its value is one of the per-positive terms", () => {
    const perQuery = tf.tidy(() => {
      const inputs = {
        embeddings: tf.tensor2d(queries, [B, D]),
        labelEmbeddings: tf.tensor2d(labels, [L, D]),
        targets: tf.tensor2d(targets, [B, L])
      };
      return dexmlSoftmax.terms(inputs, {sample: true, seed: 3, draw: 5}).loss.values.dataSync();
    });
    for (let i = 0; i < B; ++i) {
      const terms: number[] = [];
      for (let j = 0; j < L; ++j) {
        if (!targets[i * L + j]) continue;
        const one = Float32Array.from({length: B * L}, (_, k) => (k === i * L + j ? 1 : 0));
        terms.push(
          tf.tidy(
            () =>
              dexmlSoftmax
                .terms({
                  embeddings: tf.tensor2d(queries, [B, D]),
                  labelEmbeddings: tf.tensor2d(labels, [L, D]),
                  targets: tf.tensor2d(one, [B, L])
                })
                .loss.values.dataSync()[i]
          )
        );
      }
      expect(terms.some((t) => Math.abs(t - perQuery[i]) < 1e-4)).toBe(true);
    }
  });
});

describe("dexmlData", () => {
  test("dexmlData() gives every query 1 … maxPositives positives, y among them, and [L, dims] label features", () => {
    const d = dexmlData({labels: 20, maxPositives: 4, dims: 10, train: 300, test: 50, seed: 2});
    expect(d.inputs).toBe(10);
    expect(d.classes).toBe(20);
    expect(d.labelFeatures.length).toBe(20 * 10);
    const seen = new Set<number>();
    for (let i = 0; i < d.train.n; ++i) {
      const row = d.train.targets!.subarray(i * 20, (i + 1) * 20);
      const m = row.reduce((a, b) => a + b, 0);
      expect(m).toBeGreaterThanOrEqual(1);
      expect(m).toBeLessThanOrEqual(4);
      expect(row[d.train.y[i]]).toBe(1);
      seen.add(m);
    }
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
  });

  test("dexmlData({zipf: 1}) draws one positive about twice as often as two", () => {
    const d = dexmlData({maxPositives: 6, train: 4000, test: 10, seed: 5});
    const counts = new Array(7).fill(0);
    for (let i = 0; i < d.train.n; ++i)
      counts[d.train.targets!.subarray(i * 40, (i + 1) * 40).reduce((a, b) => a + b, 0)]++;
    // P(m) ∝ 1/m: P(1)/P(2) = 2, P(1)/P(6) = 6.
    expect(counts[1] / counts[2]).toBeGreaterThan(1.7);
    expect(counts[1] / counts[2]).toBeLessThan(2.3);
    expect(counts[1] / counts[6]).toBeGreaterThan(4.5);
  });

  test("dexmlData is deterministic in its seed", () => {
    expect(dexmlData({seed: 4, train: 20, test: 5}).train.x).toEqual(dexmlData({seed: 4, train: 20, test: 5}).train.x);
    expect(dexmlData({seed: 4, train: 20, test: 5}).train.x).not.toEqual(
      dexmlData({seed: 5, train: 20, test: 5}).train.x
    );
  });
});

describe("retrieval metrics", () => {
  // Two queries over four labels. Query 0: positives {0, 2}; ranking 1 > 0 > 3 > 2. Query 1: positive {3}; ranking 3 first.
  const scores = Float32Array.from([0.5, 0.9, 0.1, 0.2, 0.1, 0.2, 0.3, 0.8]);
  const tgt = Float32Array.from([1, 0, 1, 0, 0, 0, 0, 1]);

  test("dexmlRecallAtK counts a query's positives among its top k, by hand", () => {
    expect(dexmlRecallAtK(scores, tgt, 4, 1)).toBeCloseTo((0 + 1) / 2, 10);
    expect(dexmlRecallAtK(scores, tgt, 4, 2)).toBeCloseTo((0.5 + 1) / 2, 10);
    expect(dexmlRecallAtK(scores, tgt, 4, 4)).toBeCloseTo(1, 10);
  });

  test("dexmlRetrieval splits P@1 and R@k by the number of positives and finds the hardest negatives", () => {
    const r = dexmlRetrieval(scores, tgt, 4, {k: 2, many: 2, maxPositives: 2});
    expect(r.metrics.p1).toBeCloseTo(0.5, 10);
    expect(r.metrics.p5).toBeCloseTo((0.5 + 0.5) / 2, 10); // P@2 here (k = 2)
    expect(r.metrics.p1_1).toBe(1);
    expect(r.metrics.p1_2).toBe(0);
    expect(r.metrics.r5_2).toBeCloseTo(0.5, 10);
    expect(r.metrics.p5Many).toBeCloseTo(0.5, 10);
    expect(r.metrics.count_1).toBe(1);
    expect(Array.from(r.positiveScores)).toEqual([0.5, 0.1, 0.8].map(Math.fround));
    expect(Array.from(r.hardestNegativeScores)).toEqual([0.9, 0.3].map(Math.fround));
  });

  test("dexmlCosines normalises both sides", () => {
    const c = dexmlCosines(Float32Array.from([2, 0, 0, 3]), Float32Array.from([1, 1, 0, -5]), 2);
    expectClose(c, [Math.SQRT1_2, 0, Math.SQRT1_2, -1]);
  });
});

describe("dexmlTrainOptions", () => {
  test("the arms share the toy, the label tower and the loss inputs, and differ only in the loss", () => {
    const o = dexmlTrainOptions({...defaults(dexmlSchema), embed: 8});
    expect(o.arms.map((a) => a.loss.id)).toEqual(["dexml-softmax", "decoupled-softmax"]);
    expect(o.arms[0].encoders).toEqual(o.arms[1].encoders);
    expect(o.arms[0].params).toEqual(o.arms[1].params);
    expect(o.data.classes).toBe(40);
  });
});

describe("dexmlLive", () => {
  test("dexmlLive attaches each arm's read-out and releases every tensor when stopped early", async () => {
    const before = tf.memory().numTensors;
    const run = dexmlLive({labels: 12, maxPositives: 3, train: 100, batch: 16, steps: 100, embed: 3, seed: 2});
    let checked = false;
    for await (const e of run) {
      if (e.evaluated && e.step > 0) {
        const r = e.readouts[1]!;
        expect(r.step).toBe(e.step);
        expect(r.labelEmbeddings.length).toBe(12 * 3);
        expect(r.queries.length).toBe(e.data.test.n * 3);
        expect(Number.isFinite(e.arms[1].metrics.p5)).toBe(true);
        checked = true;
        break;
      }
    }
    expect(checked).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
