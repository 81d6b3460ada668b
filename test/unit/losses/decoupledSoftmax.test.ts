import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {decoupledSoftmax, softTopK, softTopKLog} from "../../../src/losses/decoupledSoftmax.js";
import type {LossSpec} from "../../../src/losses/defineLoss.js";
import {random} from "../../../src/random.js";
import {crossEntropyOracle} from "../../oracles/compSum.js";
import {
  decoupledSoftmaxOracle,
  decoupledTerms,
  scoresOf,
  softmaxBaselineOracle,
  softTopKLogRow,
  softTopKOracle
} from "../../oracles/decoupledSoftmax.js";
import type {Retrieval} from "../../oracles/decoupledSoftmax.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

useCpuBackend();

const D = 4;
const L = 8;
// Five queries with 1, 3, 2, 6 and 0 positives among eight labels.
const targetRows = [
  [0, 0, 1, 0, 0, 0, 0, 0],
  [1, 0, 0, 1, 0, 1, 0, 0],
  [0, 1, 0, 0, 0, 0, 1, 0],
  [1, 1, 1, 0, 1, 1, 0, 1],
  [0, 0, 0, 0, 0, 0, 0, 0]
];

function fixture(seed = 1, rows = targetRows): Retrieval {
  const rng = random(seed).fork("dexml");
  return {queries: rng.normals(rows.length * D), labels: rng.normals(L * D), targets: rows.flat(), dim: D};
}

function inputs(r: Retrieval) {
  const b = r.queries.length / r.dim;
  const l = r.labels.length / r.dim;
  return {
    embeddings: tf.tensor2d(Float32Array.from(r.queries), [b, r.dim]),
    labelEmbeddings: tf.tensor2d(Float32Array.from(r.labels), [l, r.dim]),
    targets: tf.tensor2d(Float32Array.from(r.targets), [b, l])
  };
}

function value(loss: LossSpec<any>, r: Retrieval, params?: object): number {
  return tf.tidy(() => loss.fn(inputs(r), params).dataSync()[0]);
}

describe("values match float64 references", () => {
  for (const params of [{}, {tau: 0.2}, {normalize: false, tau: 1}]) {
    test(`decoupledSoftmax(${JSON.stringify(params)}) equals the per-positive reference`, () => {
      for (const seed of [1, 2, 3]) {
        const r = fixture(seed);
        expectClose([value(decoupledSoftmax, r, params)], [decoupledSoftmaxOracle(r, params)]);
      }
    });
  }
  // Without sampling every positive is scored; with sampling rows of ≤ k positives are unchanged.
  for (const params of [
    {sample: false},
    {sample: false, k: 3, alpha: 1},
    {sample: false, tau: 0.2, alpha: 5},
    {sample: false, normalize: false, tau: 1, k: 2},
    // Scores up to ±50: float32 rounds most sigmoids to 0 or 1, the threshold must still be exact.
    {sample: false, tau: 0.02, k: 3}
  ]) {
    test(`softTopK(${JSON.stringify(params)}) equals the float64 bisection reference`, () => {
      for (const seed of [1, 2, 3]) {
        const r = fixture(seed);
        expectClose([value(softTopK, r, params)], [softTopKOracle(r, params)], {rtol: 2e-4, atol: 2e-5});
      }
    });
  }
});

describe("gradients", () => {
  const cases: [string, LossSpec<any>, object, (r: Retrieval) => number][] = [
    ["decoupledSoftmax()", decoupledSoftmax, {}, (r) => decoupledSoftmaxOracle(r)],
    ["decoupledSoftmax({tau: 0.2})", decoupledSoftmax, {tau: 0.2}, (r) => decoupledSoftmaxOracle(r, {tau: 0.2})],
    ["softTopK({sample: false})", softTopK, {sample: false}, (r) => softTopKOracle(r)],
    [
      "softTopK({sample: false, tau: 0.02, k: 3}) (saturated sigmoids)",
      softTopK,
      {sample: false, tau: 0.02, k: 3},
      (r) => softTopKOracle(r, {tau: 0.02, k: 3})
    ],
    [
      "softTopK({sample: false, tau: 0.2, k: 3, alpha: 4})",
      softTopK,
      {sample: false, tau: 0.2, k: 3, alpha: 4},
      (r) => softTopKOracle(r, {tau: 0.2, k: 3, alpha: 4})
    ]
  ];
  for (const [name, loss, params, oracle] of cases) {
    for (const input of ["embeddings", "labelEmbeddings"] as const) {
      test(`${name}: autograd with respect to ${input} matches central differences`, () => {
        const r = fixture(4);
        const t = inputs(r);
        const key = input === "embeddings" ? "queries" : "labels";
        gradcheck(
          (x) => loss.fn({...t, [input]: x}, params),
          (x) => oracle({...r, [key]: x}),
          t[input],
          {rtol: 3e-3}
        );
        tf.dispose(t);
      });
    }
  }
  test("softTopKLog's implicit gradient matches central differences of the float64 threshold", () => {
    const rng = random(5).fork("scores");
    const s0 = Float64Array.from(rng.normals(2 * 7, 2));
    const w = rng.normals(2 * 7);
    const weighted = (logp: number[][]) => logp.flat().reduce((a, v, i) => a + w[i] * v, 0);
    const s = tf.tensor2d(Float32Array.from(s0), [2, 7]);
    const wt = tf.tensor2d(w, [2, 7]);
    gradcheck(
      (x) => tf.sum(tf.mul(softTopKLog(x as tf.Tensor2D, 3, 1.5, 32), wt)),
      (x) => weighted([0, 1].map((i) => softTopKLogRow(Array.from(x.slice(i * 7, i * 7 + 7)), 3, 1.5))),
      s
    );
    tf.dispose([s, wt]);
  });
});

lossContract(decoupledSoftmax, {dims: {L}, params: [{}, {sample: true}, {normalize: false, tau: 1}]});
lossContract(softTopK, {dims: {L}, params: [{}, {sample: false}, {k: 2, alpha: 5}]});

describe("decoupled softmax properties", () => {
  test("decoupledSoftmax() with one positive per query is softmax cross-entropy over cos/τ", () => {
    const rows = [0, 3, 7, 1].map((j) => Array.from({length: L}, (_, k) => (k === j ? 1 : 0)));
    const r = fixture(6, rows);
    const s = scoresOf(r).flat();
    expectClose([value(decoupledSoftmax, r)], [crossEntropyOracle(s, [0, 3, 7, 1], L)]);
    // The same data through TF.js's own softmax cross-entropy.
    const reference = tf.tidy(
      () => tf.losses.softmaxCrossEntropy(tf.tensor2d(rows.flat(), [4, L]), tf.tensor2d(s, [4, L])).dataSync()[0]
    );
    expectClose([value(decoupledSoftmax, r)], [reference]);
  });

  test("decoupledSoftmax() positives do not compete: adding a positive leaves the others' terms unchanged", () => {
    // Query 1 has positives 0, 3, 5; append a ninth label equal to label 3 and mark it positive too.
    const r = fixture(7, [targetRows[1]]);
    const labels = [...Array.from(r.labels), ...Array.from(r.labels).slice(3 * D, 4 * D)];
    const dup = {...r, labels, targets: [...targetRows[1], 1]};
    const [t0, t3, t5] = decoupledTerms(scoresOf(r)[0], [0, 3, 5]);
    // Old terms unchanged, the new positive scores like label 3: (t0 + t3 + t5 + t3) / 4.
    expectClose([value(decoupledSoftmax, dup)], [(t0 + 2 * t3 + t5) / 4]);
    expectClose([value(decoupledSoftmax, r)], [(t0 + t3 + t5) / 3]);
    // InfoNCE puts the other positives in the denominator: there every old term grows.
    const z = (row: number[]) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
    const s = scoresOf(r)[0];
    const s2 = scoresOf(dup)[0];
    expect(z(s2) - z(s)).toBeGreaterThan(1e-2);
    expectClose([softmaxBaselineOracle(dup)], [4 * z(s2) - s[0] - 2 * s[3] - s[5]]);
  });

  test("decoupledSoftmax() queries without positives count as 0 in the batch mean", () => {
    const r = fixture(8);
    const withoutEmpty = {...r, queries: Array.from(r.queries).slice(0, 4 * D), targets: targetRows.slice(0, 4).flat()};
    expectClose([value(decoupledSoftmax, r)], [(value(decoupledSoftmax, withoutEmpty) * 4) / 5]);
  });

  test("decoupledSoftmax() is invariant to rescaling either tower (scores are cosines over τ)", () => {
    const r = fixture(9);
    const scaled = {
      ...r,
      queries: Array.from(r.queries).map((v) => v * 7),
      labels: Array.from(r.labels).map((v) => v / 3)
    };
    expectClose([value(decoupledSoftmax, scaled)], [value(decoupledSoftmax, r)]);
    // Without normalisation the scale does matter.
    expect(
      Math.abs(
        value(decoupledSoftmax, scaled, {normalize: false, tau: 1}) -
          value(decoupledSoftmax, r, {normalize: false, tau: 1})
      )
    ).toBeGreaterThan(1e-2);
  });

  test("decoupledSoftmax({sample: true}) scores one positive, each about equally often", () => {
    const r = fixture(10, [targetRows[1]]);
    const terms = decoupledTerms(scoresOf(r)[0], [0, 3, 5]);
    const counts = [0, 0, 0];
    const draws = 240;
    for (let draw = 0; draw < draws; ++draw) {
      const v = value(decoupledSoftmax, r, {sample: true, draw});
      const hit = terms.findIndex((t) => Math.abs(t - v) <= 1e-4 * Math.max(1, Math.abs(t)));
      expect(hit, `draw ${draw}: ${v} is none of ${terms}`).toBeGreaterThanOrEqual(0);
      counts[hit] += 1;
    }
    for (const c of counts) expect(c / draws).toBeGreaterThan(0.22);
    // The same seed and draw give the same sample; the expectation is the default (all positives).
    expect(value(decoupledSoftmax, r, {sample: true, draw: 3})).toBe(
      value(decoupledSoftmax, r, {sample: true, draw: 3})
    );
    expectClose([terms.reduce((a, t) => a + t, 0) / 3], [value(decoupledSoftmax, r)]);
  });

  test("decoupledSoftmax({sample: true}) draws positives in proportion to their relevance", () => {
    const r = {...fixture(11, [targetRows[2]]), targets: [0, 3, 0, 0, 0, 0, 1, 0]};
    const terms = decoupledTerms(scoresOf(r)[0], [1, 6]);
    let first = 0;
    const draws = 400;
    for (let draw = 0; draw < draws; ++draw) {
      const v = value(decoupledSoftmax, r, {sample: true, draw, seed: 3});
      if (Math.abs(v - terms[0]) <= 1e-4 * Math.max(1, Math.abs(terms[0]))) first += 1;
    }
    expect(first / draws).toBeGreaterThan(0.68);
    expect(first / draws).toBeLessThan(0.82);
  });
});

describe("soft top-k properties", () => {
  test("softTopKLog memberships sum to k in each row and approach the hard top-k as α grows", () => {
    const scores = [
      [3, -1, 2, 0.5, -2, 1],
      [0, 4, -3, 2.5, 1, -1]
    ];
    const [sums, hard] = tf.tidy(() => {
      const s = tf.tensor2d(scores);
      const p = tf.exp(softTopKLog(s, 3, 2, 32));
      return [tf.sum(p, 1).dataSync(), tf.exp(softTopKLog(s, 3, 60, 64)).dataSync()];
    });
    expectClose(sums, [3, 3], {rtol: 1e-5, atol: 1e-5});
    // Top 3 of each row: {3, 2, 1} → indices 0, 2, 5 and {4, 2.5, 1} → 1, 3, 4.
    expectClose(hard, [1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0], {rtol: 0, atol: 1e-6});
  });

  test("softTopKLog is invariant to shifting a row's scores (the threshold absorbs the shift)", () => {
    const [a, b] = tf.tidy(() => {
      const s = tf.tensor2d([[3, -1, 2, 0.5, -2, 1]]);
      return [
        softTopKLog(s, 2, 1.5, 40).dataSync(),
        softTopKLog(tf.add(s, 7.25) as tf.Tensor2D, 2, 1.5, 40).dataSync()
      ];
    });
    expectClose(a, b, {rtol: 1e-4, atol: 1e-5});
  });

  test("softTopKLog's implicit gradient is orthogonal to a common shift of the scores", () => {
    // Without the implicit term (t treated as a constant) the gradient of Σ_j log p_j would be α(1 − p_j);
    // with it, shifting all scores together leaves p unchanged, so the gradient sums to 0 along (1, …, 1).
    const g = tf.tidy(() =>
      tf
        .grad((s: tf.Tensor) => tf.sum(softTopKLog(s as tf.Tensor2D, 2, 1.5, 32)))(
          tf.tensor2d([[3, -1, 2, 0.5, -2, 1]])
        )
        .dataSync()
    );
    expect(Math.abs(Array.from(g).reduce((a, v) => a + v, 0))).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(g).map(Math.abs))).toBeGreaterThan(1e-2);
  });

  test("softTopK({sample: true}) scores k of a query's positives and drops the rest from the competition", () => {
    // One query with six positives, k = 2: the value must be the reference for one 2-subset.
    const r = fixture(12, [targetRows[3]]);
    const pos = [0, 1, 2, 4, 5, 7];
    const subsets: number[][] = [];
    for (let a = 0; a < pos.length; ++a) for (let b = a + 1; b < pos.length; ++b) subsets.push([pos[a], pos[b]]);
    const refs = subsets.map((u) => softTopKOracle(r, {k: 2}, () => u));
    const seen = new Set<number>();
    for (let draw = 0; draw < 60; ++draw) {
      const v = value(softTopK, r, {k: 2, draw});
      const hit = refs.findIndex((t) => Math.abs(t - v) <= 2e-4 * Math.max(1, Math.abs(t)));
      expect(hit, `draw ${draw}: ${v}`).toBeGreaterThanOrEqual(0);
      seen.add(hit);
    }
    expect(seen.size).toBeGreaterThan(8);
    // A query with at most k positives keeps all of them: sampling changes nothing there.
    const few = fixture(13, [targetRows[1]]);
    expectClose([value(softTopK, few, {k: 3, draw: 5})], [value(softTopK, few, {k: 3, sample: false})]);
  });

  test("softTopK() requires k below the number of labels", () => {
    expect(() => value(softTopK, fixture(), {k: L})).toThrow(
      "soft-top-k: invalid k: 8 (must be below the number of labels L = 8)"
    );
  });
});

describe("numerics and bad input", () => {
  test("a batch without any positive gives exactly 0 with a zero gradient", () => {
    const r = fixture(15, [targetRows[4], targetRows[4]]);
    for (const [loss, params] of [
      [decoupledSoftmax, {}],
      [decoupledSoftmax, {sample: true}],
      [softTopK, {}]
    ] as const) {
      expect(value(loss, r, params)).toBe(0);
      const g = tf.tidy(() => {
        const t = inputs(r);
        return tf
          .grad((x: tf.Tensor) => loss.fn({...t, embeddings: x as tf.Tensor2D}, params))(t.embeddings)
          .dataSync();
      });
      expect(
        Array.from(g).every((v) => v === 0),
        loss.id
      ).toBe(true);
    }
  });
  test("both losses stay finite for embeddings of ±1e4, normalised or not", () => {
    const r = fixture(14);
    const big = {
      ...r,
      queries: Array.from(r.queries).map((v) => v * 1e4),
      labels: Array.from(r.labels).map((v) => v * 1e4)
    };
    for (const loss of [decoupledSoftmax, softTopK]) {
      for (const normalize of [true, false]) {
        const [v, g] = tf.tidy(() => {
          const t = inputs(big);
          const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
            loss.fn({...t, embeddings: x as tf.Tensor2D}, {normalize})
          )(t.embeddings);
          return [value.dataSync()[0], grad.dataSync()];
        });
        expect(Number.isFinite(v), `${loss.id} normalize ${normalize}: ${v}`).toBe(true);
        expect(Array.from(g).every(Number.isFinite), `${loss.id} gradient`).toBe(true);
      }
    }
  });
  test("bad hyper-parameters throw naming the loss and the value", () => {
    expect(() => value(decoupledSoftmax, fixture(), {tau: 0})).toThrow("decoupled-softmax: invalid tau: 0");
    expect(() => value(softTopK, fixture(), {alpha: -1})).toThrow("soft-top-k: invalid alpha: -1");
    expect(() => value(softTopK, fixture(), {k: 1.5})).toThrow("soft-top-k: invalid k: 1.5");
  });
  test("targets must have one column per label", () => {
    const r = fixture();
    expect(() =>
      tf.tidy(() =>
        decoupledSoftmax.fn({
          embeddings: tf.tensor2d(Float32Array.from(r.queries), [5, D]),
          labelEmbeddings: tf.tensor2d(Float32Array.from(r.labels), [L, D]),
          targets: tf.zeros([5, L - 1]) as tf.Tensor2D
        })
      )
    ).toThrow(/^decoupled-softmax: targets has L = 7, expected 8/);
  });
});
