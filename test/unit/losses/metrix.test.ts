import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {metrix, metrixLosses, metrixPairs, mixedInputs, utilization} from "../../../src/losses/metrix.js";
import type {LossInputs} from "../../../src/losses/defineLoss.js";
import {reduceTerm} from "../../../src/losses/reducers.js";
import {random} from "../../../src/random.js";
import {contrastiveOracle, mixedOracle, officialEmbedStep, utilizationOracle} from "../../oracles/metrix.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 8;
const D = 3;
const M = 5;
const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
useCpuBackend();

function fixture(seed = 1) {
  const rng = random(seed).fork("metrix");
  const x: ArrayLike<number> = rng.normals(B * D);
  const mixed: ArrayLike<number> = rng.normals(M * D);
  const labelsA = Int32Array.from({length: M}, (_, k) => labels[(2 * k) % B]);
  const labelsB = Int32Array.from({length: M}, (_, k) => labels[(2 * k + 3) % B]);
  const lambdas = Float32Array.from({length: M}, (_, k) => 0.15 + 0.17 * k);
  const anchors = Int32Array.from({length: M}, (_, k) => (2 * k + 1) % B);
  return {x, mixed, labelsA, labelsB, lambdas, anchors};
}

type Fixture = ReturnType<typeof fixture>;

function inputs(
  f: Fixture,
  {anchored = true, x = f.x as ArrayLike<number>, mixed = f.mixed as ArrayLike<number>} = {}
) {
  const m = f.lambdas.length;
  const out: LossInputs = {
    embeddings: tf.tensor2d(Float32Array.from(x), [B, D]),
    labels: tf.tensor1d(labels, "int32"),
    mixedEmbeddings: tf.tensor2d(Float32Array.from(mixed), [m, D]),
    mixLabelsA: tf.tensor1d(f.labelsA, "int32"),
    mixLabelsB: tf.tensor1d(f.labelsB, "int32"),
    mixWeights: tf.tensor1d(f.lambdas)
  };
  if (anchored) out.mixAnchors = tf.tensor1d(f.anchors, "int32");
  return out;
}

function value(f: Fixture, params?: object, opts?: Parameters<typeof inputs>[1]): number {
  return tf.tidy(() => metrix.fn(inputs(f, opts), params).dataSync()[0]);
}

function expected(f: Fixture, params: {weight?: number; posMargin?: number; negMargin?: number} = {}, anchored = true) {
  const mixedPart = mixedOracle(
    f.x,
    labels,
    D,
    {
      mixed: f.mixed,
      labelsA: f.labelsA,
      labelsB: f.labelsB,
      lambdas: f.lambdas,
      anchors: anchored ? f.anchors : undefined
    },
    params
  );
  return contrastiveOracle(f.x, labels, D, params) + mixedPart.value;
}

describe("values match the float64 reference", () => {
  test("metrix() with mixAnchors equals clean contrastive + 0.4 × the mixed pairs' contrastive (official pairing)", () => {
    const f = fixture(1);
    expectClose([value(f)], [expected(f)]);
  });
  test("metrix() without mixAnchors pairs every clean row with every mixed example", () => {
    const f = fixture(2);
    expectClose([value(f, {}, {anchored: false})], [expected(f, {}, false)]);
  });
  test("metrix({weight: 0.3, posMargin: 0.1, negMargin: 1.2}) follows its margins and weight", () => {
    const f = fixture(3);
    const params = {weight: 0.3, posMargin: 0.1, negMargin: 1.2};
    expectClose([value(f, params)], [expected(f, params)]);
    expectClose([value(f, params, {anchored: false})], [expected(f, params, false)]);
  });
  test("metrix() on the official embedding-level positive–negative pairing equals the official step", () => {
    const x = random(4)
      .fork("official")
      .normals(B * D);
    for (const lam of [0.3, 0.62]) {
      const pairs = metrixPairs(labels, "positive-negative");
      const v = tf.tidy(() => {
        const E = tf.tensor2d(x, [B, D]);
        return metrix
          .fn({embeddings: E, labels: tf.tensor1d(labels, "int32"), ...mixedInputs(E, labels, pairs, lam)})
          .dataSync()[0];
      });
      expectClose([v], [officialEmbedStep(x, labels, D, lam)]);
    }
  });
  test("utilization(queries, references) is the mean squared distance to the nearest reference", () => {
    const q = [
      [0, 0],
      [1, 1],
      [3, 0]
    ];
    const r = [
      [0, 1],
      [2, 2],
      [3, 0.5]
    ];
    // nearest: (0,1) → 1; (0,1) or (2,2) → 1; (3,0.5) → 0.25
    expect(utilization(q.flat(), r.flat(), 2)).toBeCloseTo((1 + 1 + 0.25) / 3, 12);
    const rng = random(5).fork("util");
    const qq = Array.from({length: 7}, () => Array.from(rng.normals(3)));
    const rr = Array.from({length: 11}, () => Array.from(rng.normals(3)));
    expect(utilization(qq.flat(), rr.flat(), 3)).toBeCloseTo(utilizationOracle(qq, rr), 10);
    expect(utilization(qq.flat(), [...rr, ...qq].flat(), 3)).toBe(0);
  });
});

describe("properties", () => {
  test("metrix({weight: 0}) equals the contrastive loss (PML ContrastiveLoss, neg_margin 0.5) on the clean batch", () => {
    const f = fixture(6);
    expectClose([value(f, {weight: 0})], [contrastiveOracle(f.x, labels, D)]);
    expect(Math.abs(value(f) - value(f, {weight: 0}))).toBeGreaterThan(1e-3);
  });
  test("with mixWeights ∈ {0, 1} the mixed term is the base loss on the unmixed (anchor, source) pairs", () => {
    // Each "mixed" example is one of its sources; λ = 1 picks the A side, λ = 0 the B side.
    const rng = random(7).fork("unmixed");
    const x = rng.normals(B * D);
    const sources = Int32Array.from([2, 5, 7, 0, 4, 6]);
    const lambdas = Float32Array.from([1, 0, 1, 0, 0, 1]);
    const other = Int32Array.from([6, 1, 3, 3, 1, 2]);
    const m = sources.length;
    const mixed = new Float32Array(m * D);
    sources.forEach((s, k) => mixed.set(x.subarray(s * D, (s + 1) * D), k * D));
    // the source sits on the λ-side; the other side is an unrelated sample
    const labelsA = Int32Array.from({length: m}, (_, k) => labels[lambdas[k] === 1 ? sources[k] : other[k]]);
    const labelsB = Int32Array.from({length: m}, (_, k) => labels[lambdas[k] === 1 ? other[k] : sources[k]]);
    const f: Fixture = {x, mixed, labelsA, labelsB, lambdas, anchors: Int32Array.from([0, 3, 6, 1, 4, 7])};
    const mixedOnly = value(f, {weight: 1}) - value(f, {weight: 0});
    // The same pairs as a plain contrastive loss over an explicit list (anchor vs the source sample).
    const pos: number[] = [];
    const neg: number[] = [];
    const unit = (i: number) => {
      const v = Array.from(x.subarray(i * D, (i + 1) * D));
      const n = Math.hypot(...v);
      return v.map((a) => a / n);
    };
    f.anchors.forEach((a, k) => {
      const d = Math.hypot(...unit(a).map((v, j) => v - unit(sources[k])[j]));
      if (labels[a] === labels[sources[k]]) pos.push(d);
      else neg.push(Math.max(0.5 - d, 0));
    });
    const avg = (v: number[]) => {
      const nz = v.filter((a) => a > 0);
      return nz.length ? nz.reduce((a, b) => a + b, 0) / nz.length : 0;
    };
    expectClose([mixedOnly], [avg(pos) + avg(neg)]);
    // Without anchors: every row against the unmixed sources is PML's ContrastiveLoss with ref_emb.
    const all = value(f, {weight: 1}, {anchored: false}) - value(f, {weight: 0}, {anchored: false});
    const refLabels = Int32Array.from(sources, (s) => labels[s]);
    expectClose([all], [contrastiveOracle(x, labels, D, {}, {x: mixed, labels: refLabels})]);
  });
  test("the interpolated pair terms are linear in λ: v(λ) = (1 − λ)·v(0) + λ·v(1)", () => {
    const f = fixture(8);
    const termValues = (lam: number) =>
      tf.tidy(() => {
        const t = metrix.terms(inputs({...f, lambdas: new Float32Array(M).fill(lam)}, {anchored: false}));
        return [t.mixedPositive.values.dataSync(), t.mixedNegative.values.dataSync()].map((a) => Array.from(a));
      });
    const [p0, n0] = termValues(0);
    const [p1, n1] = termValues(1);
    for (const lam of [0.25, 0.7]) {
      const [p, n] = termValues(lam);
      expectClose(
        p,
        p0.map((v, i) => (1 - lam) * v + lam * p1[i])
      );
      expectClose(
        n,
        n0.map((v, i) => (1 - lam) * v + lam * n1[i])
      );
    }
    // and the soft label is not constant: some pair is positive at λ = 1 and not at λ = 0
    expect(p1.some((v, i) => v > 0 && p0[i] === 0)).toBe(true);
  });
  test("mixing two samples of the anchor's class is a full positive whatever λ", () => {
    const f = fixture(9);
    const same: Fixture = {
      ...f,
      labelsA: new Int32Array(M).fill(1),
      labelsB: new Int32Array(M).fill(1),
      anchors: new Int32Array(M).fill(2)
    };
    const v = (lam: number) => value({...same, lambdas: new Float32Array(M).fill(lam)}, {weight: 1});
    expectClose([v(0.2), v(0.9)], [v(1), v(1)]);
  });
  test("metrix() with no mixed examples (M = 0) is the clean contrastive loss", () => {
    const f = fixture(10);
    const empty: Fixture = {
      ...f,
      mixed: new Float32Array(0),
      labelsA: new Int32Array(0),
      labelsB: new Int32Array(0),
      lambdas: new Float32Array(0),
      anchors: new Int32Array(0)
    };
    expectClose([value(empty)], [contrastiveOracle(f.x, labels, D)]);
  });
  test("metrixPairs(labels, kind) builds the official index lists", () => {
    const small = [0, 0, 1, 2];
    const pn = metrixPairs(small, "positive-negative");
    expect(Array.from(pn.anchors)).toEqual([0, 0, 1, 1]);
    expect(Array.from(pn.first)).toEqual([1, 1, 0, 0]);
    expect(Array.from(pn.second)).toEqual([2, 3, 2, 3]);
    const an = metrixPairs(small, "anchor-negative");
    expect(Array.from(an.anchors)).toEqual([2, 2, 2, 3, 3, 3]);
    expect(Array.from(an.first)).toEqual([2, 2, 2, 3, 3, 3]);
    expect(Array.from(an.second)).toEqual([0, 1, 3, 0, 1, 2]);
    // an anchor with two positives repeats its list, always with its first positive
    const rep = metrixPairs([0, 0, 0, 1], "positive-negative");
    expect(Array.from(rep.anchors)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(rep.first)).toEqual([1, 1, 0, 0, 0, 0]);
    expect(metrixPairs([0, 0, 1, 1], "anchor-negative").anchors.length).toBe(0);
  });
});

describe("gradients", () => {
  for (const anchored of [true, false]) {
    test(`metrix() ${anchored ? "with" : "without"} mixAnchors: autograd matches the float64 oracle for both embedding inputs`, () => {
      const f = fixture(11);
      const base = inputs(f, {anchored});
      gradcheck(
        (x) => metrix.fn({...base, embeddings: x as tf.Tensor2D}, {weight: 0.7}),
        (x) => expected({...f, x}, {weight: 0.7}, anchored),
        base.embeddings as tf.Tensor
      );
      gradcheck(
        (m) => metrix.fn({...base, mixedEmbeddings: m as tf.Tensor2D}, {weight: 0.7}),
        (m) => expected({...f, mixed: m}, {weight: 0.7}, anchored),
        base.mixedEmbeddings as tf.Tensor
      );
      tf.dispose(Object.values(base) as tf.Tensor[]);
    });
  }
  test("embedding-level mixing passes gradients through mixedInputs to the clean embeddings", () => {
    const x = random(12)
      .fork("grad")
      .normals(B * D);
    const pairs = metrixPairs(labels, "positive-negative");
    const x0 = tf.tensor2d(x, [B, D]);
    const y = tf.tensor1d(labels, "int32");
    gradcheck(
      (e) => {
        const mixed = mixedInputs(e as tf.Tensor2D, labels, pairs, 0.35);
        return metrix.fn({embeddings: e as tf.Tensor2D, labels: y, ...mixed});
      },
      (e) => officialEmbedStep(e, labels, D, 0.35),
      x0
    );
    tf.dispose([x0, y]);
  });
});

describe("numerics and bad input", () => {
  test("a batch with no valid pairs (one sample, no mixed examples) is exactly 0 with a zero gradient", () => {
    const [v, g] = tf.tidy(() => {
      const rest = {
        labels: tf.tensor1d([2], "int32"),
        mixedEmbeddings: tf.zeros([0, D]) as tf.Tensor2D,
        mixLabelsA: tf.tensor1d([], "int32"),
        mixLabelsB: tf.tensor1d([], "int32"),
        mixWeights: tf.tensor1d([])
      };
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => metrix.fn({...rest, embeddings: x as tf.Tensor2D}))(
        tf.tensor2d([[0.3, -1, 2]])
      );
      return [value.dataSync()[0], grad.dataSync()];
    });
    expect(v).toBe(0);
    expect(Array.from(g)).toEqual([0, 0, 0]);
  });
  test("a class with one sample, coincident embeddings and ±1e4 values stay finite", () => {
    const f = fixture(13);
    const x = Float32Array.from(f.x, (v, i) => (i < D * 2 ? 1e4 : v > 0 ? 1e4 : -1e4));
    const lone = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 4]);
    const [v, g] = tf.tidy(() => {
      const base = inputs(f);
      const {value, grad} = tf.valueAndGrad((e: tf.Tensor) =>
        metrix.fn({
          ...base,
          labels: tf.tensor1d(lone, "int32"),
          embeddings: e as tf.Tensor2D,
          mixedEmbeddings: tf.tensor2d(x.subarray(0, M * D), [M, D])
        })
      )(tf.tensor2d(x, [B, D]));
      return [value.dataSync()[0], grad.dataSync()];
    });
    expect(Number.isFinite(v)).toBe(true);
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
  test("mixWeights outside [0, 1] and mixAnchors outside the batch are rejected", () => {
    const f = fixture(14);
    expect(() => value({...f, lambdas: Float32Array.from([0.2, 1.5, 0, 0, 0])})).toThrow(
      "metrix: mixWeights[1] = 1.5 is outside [0, 1]"
    );
    expect(() => value({...f, anchors: Int32Array.from([0, 1, 8, 2, 3])})).toThrow(
      "metrix: mixAnchors[2] = 8 is outside [0, 8)"
    );
  });
  test("a mismatch between mixedEmbeddings and mixWeights names M", () => {
    const f = fixture(15);
    expect(() =>
      tf.tidy(() => metrix.fn({...inputs(f, {anchored: false}), mixWeights: tf.tensor1d([0.2, 0.5])}))
    ).toThrow(/^metrix: mixWeights has M = 2, expected 5/);
  });
  test("invalid hyper-parameters throw with the loss id and value", () => {
    const f = fixture(16);
    expect(() => value(f, {negMargin: -1})).toThrow("metrix: invalid negMargin: -1");
    expect(() => value(f, {weight: 3})).toThrow("metrix: invalid weight: 3");
  });
  test("terms() exposes the four pair terms with their masks, reducing to fn()", () => {
    const f = fixture(17);
    const [fromTerms, names] = tf.tidy(() => {
      const t = metrix.terms(inputs(f));
      const total = Object.values(t).reduce((s, term) => s + reduceTerm(term).dataSync()[0], 0);
      return [total, Object.keys(t)] as const;
    });
    expect(names).toEqual(["positive", "negative", "mixedPositive", "mixedNegative"]);
    expectClose([fromTerms], [value(f)]);
    expect(metrixLosses).toEqual([metrix]);
  });
});

lossContract(metrix, {params: [{}, {weight: 0}, {posMargin: 0.2, negMargin: 1}]});
