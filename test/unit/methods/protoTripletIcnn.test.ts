// Card 26's method code: the ProtoNet loss against a float64 loop, the combined loss against its parts, and the host-side
// few-shot evaluation (episodes, nearest-prototype accuracy, hard ICNN score, margins) on hand-made points.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {icnn, protoTriplet} from "../../../src/losses/protoTriplet.js";
import {
  protoTripletIcnnCompose,
  protoTripletIcnnEpisode,
  protoTripletIcnnEpisodeView,
  protoTripletIcnnFewShot,
  protoTripletIcnnMargins,
  protoTripletIcnnProtoNet,
  protoTripletIcnnScore
} from "../../../src/methods/protoTripletIcnn.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// A 3-way 2-shot 2-query episode of 2-D embeddings, support rows first (as episodeBatcher lays them out).
const emb = [
  [1, 0.2],
  [0.8, -0.1],
  [-0.5, 1],
  [-0.2, 0.7],
  [0.1, -1.2],
  [-0.3, -0.9],
  [0.9, 0.3],
  [0.2, 0.1],
  [-0.4, 0.6],
  [0.6, 0.9],
  [0, -1],
  [-1, -0.2]
];
const lab = [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2];
const sup = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];

/** ProtoNet's loss by explicit loops in float64: prototypes as support means, softmax over −‖q − c‖². */
function protoNetOracle(normalize: boolean): number {
  const x = emb.map((v) => {
    const n = normalize ? Math.hypot(...v) : 1;
    return v.map((c) => c / n);
  });
  const protos = [0, 1, 2].map((k) => {
    const rows = x.filter((_, i) => lab[i] === k && sup[i] === 1);
    return [0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  });
  let total = 0,
    count = 0;
  x.forEach((q, i) => {
    if (sup[i]) return;
    const d = protos.map((c) => (q[0] - c[0]) ** 2 + (q[1] - c[1]) ** 2);
    const logZ = Math.log(d.reduce((s, v) => s + Math.exp(-v), 0));
    total += d[lab[i]] + logZ;
    count++;
  });
  return total / count;
}

function inputs() {
  return {
    embeddings: tf.tensor2d(emb),
    labels: tf.tensor1d(lab, "int32"),
    isSupport: tf.tensor1d(sup)
  };
}

describe("losses", () => {
  test("protoTripletIcnnProtoNet({normalize}) matches a float64 loop, with and without normalisation", () => {
    for (const normalize of [false, true]) {
      const value = protoTripletIcnnProtoNet.fn(inputs(), {normalize}).dataSync()[0];
      expect(value).toBeCloseTo(protoNetOracle(normalize), 5);
    }
  });
  test("ProtoNet is Proto-Triplet with α = 0 and ICNN with β = 0", () => {
    const base = protoTripletIcnnProtoNet.fn(inputs()).dataSync()[0];
    expect(protoTriplet.fn(inputs(), {alpha: 0}).dataSync()[0]).toBeCloseTo(base, 6);
    expect(icnn.fn(inputs(), {beta: 0}).dataSync()[0]).toBeCloseTo(base, 6);
  });
  test("the combined loss is Proto-Triplet + ICNN − ProtoNet (the ProtoNet term counted once)", () => {
    const p = {margin: 0.7, alpha: 1.5, beta: 0.5, temperature: 0.3, separation: true};
    const combined = protoTripletIcnnCompose.fn(inputs(), p).dataSync()[0];
    const pt = protoTriplet.fn(inputs(), {margin: p.margin, alpha: p.alpha}).dataSync()[0];
    const nn = icnn.fn(inputs(), {beta: p.beta, temperature: p.temperature, separation: true}).dataSync()[0];
    const base = protoTripletIcnnProtoNet.fn(inputs()).dataSync()[0];
    expect(combined).toBeCloseTo(pt + nn - base, 5);
    expect(combined).toBeGreaterThan(base);
  });
  test("the combined loss trains: gradients reach the embeddings and leave no tensors behind", () => {
    const before = tf.memory().numTensors;
    const init = tf.tensor2d(emb);
    const x = tf.variable(init);
    const labels = tf.tensor1d(lab, "int32");
    const isSupport = tf.tensor1d(sup);
    const {value, grads} = tf.variableGrads(() => protoTripletIcnnCompose.fn({embeddings: x, labels, isSupport}));
    const g = grads[x.name].dataSync();
    expect(g.some((v) => Math.abs(v) > 1e-6)).toBe(true);
    expect(g.every(Number.isFinite)).toBe(true);
    tf.dispose([value, init, x, labels, isSupport, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

// Four classes of 12 points each on a line: class k sits at x = 10 k with a small per-point offset.
const line = (() => {
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < 4; ++k)
    for (let i = 0; i < 12; ++i) {
      x.push(10 * k + 0.1 * i, 0.05 * (i % 3));
      y.push(k);
    }
  return {x: Float32Array.from(x), y: Int32Array.from(y), dims: 2};
})();

describe("episodes", () => {
  test("protoTripletIcnnEpisode draws distinct classes and disjoint rows, reproducibly by (seed, index)", () => {
    const o = {ways: 3, shots: 2, queries: 4, seed: 5};
    const a = protoTripletIcnnEpisode(line, 7, o);
    expect(new Set(a.classes).size).toBe(3);
    expect(new Set([...a.support, ...a.query]).size).toBe(18);
    a.support.forEach((row, i) => expect(line.y[row]).toBe(a.classes[Math.floor(i / 2)]));
    a.query.forEach((row, i) => expect(line.y[row]).toBe(a.classes[Math.floor(i / 4)]));
    expect(protoTripletIcnnEpisode(line, 7, o)).toEqual(a);
    expect(protoTripletIcnnEpisode(line, 8, o).query).not.toEqual(a.query);
    // Prototypes are support means.
    const c0 = [0, 1].map((j) => (line.x[a.support[0] * 2 + j] + line.x[a.support[1] * 2 + j]) / 2);
    expect(a.prototypes[0]).toBeCloseTo(c0[0], 6);
    expect(a.prototypes[1]).toBeCloseTo(c0[1], 6);
    expect(() => protoTripletIcnnEpisode(line, 0, {...o, ways: 5})).toThrow(/needs 5 classes/);
  });
  test("well separated classes give few-shot accuracy 1 with a zero interval; a swapped class does not", () => {
    const o = {ways: 3, shots: 2, queries: 4, seed: 1, episodes: 50};
    expect(protoTripletIcnnFewShot(line, o)).toEqual({accuracy: 1, ci95: 0});
    // Every point of class 3 sits on top of class 0: whenever both are drawn, the pair is a coin toss.
    const x = Float32Array.from(line.x);
    for (let i = 36; i < 48; ++i) x[2 * i] = 0.1 * (i - 36) + 0.05;
    const mixed = protoTripletIcnnFewShot({...line, x}, o);
    expect(mixed.accuracy).toBeLessThan(1);
    expect(mixed.accuracy).toBeGreaterThan(0.6);
    expect(mixed.ci95).toBeGreaterThan(0);
  });
  test("prototype margins are positive exactly for correctly classified queries", () => {
    const o = {ways: 2, shots: 1, queries: 3, seed: 2};
    const pts = {
      x: Float32Array.from([0, 0, 1, 0, 0.6, 0, 3, 0, 2, 0, 2.6, 0]),
      y: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]),
      dims: 1
    };
    const ep = protoTripletIcnnEpisode(pts, 0, o);
    const m = protoTripletIcnnMargins(pts, {...o, episodes: 1});
    expect(m.length).toBe(6);
    ep.query.forEach((_, i) => expect(m[i] > 0).toBe(ep.predicted[i] === ep.truth[i]));
  });
});

describe("ICNN score", () => {
  test("protoTripletIcnnScore is 1 for pure neighbourhoods and matches a hand computation otherwise", () => {
    expect(protoTripletIcnnScore(line, 5)).toBe(1);
    // Points on a line: 0 (a), 1 (a), 3 (b), 3.5 (b); k = 2.
    const pts = {x: [0, 1, 3, 3.5], y: [0, 0, 1, 1], dims: 1};
    // i = 0: neighbours 1 (a, d 1), 3 (b, d 9) → λ = 1/2, ω = 9 / (1 + 9).
    // i = 1: neighbours 0 (a, d 1), 3 (b, d 4) → λ = 1/2, ω = 4 / 5.
    // i = 2: neighbours 3.5 (b, d 0.25), 1 (a, d 4) → λ = 1/2, ω = 4 / 4.25.
    // i = 3: neighbours 3 (b, d 0.25), 1 (a, d 6.25) → λ = 1/2, ω = 6.25 / 6.5.
    const expected = (0.5 * (0.9 + 0.8 + 4 / 4.25 + 6.25 / 6.5)) / 4;
    expect(protoTripletIcnnScore(pts, 2)).toBeCloseTo(expected, 12);
    expect(() => protoTripletIcnnScore(pts, 4)).toThrow(/invalid k/);
  });
});

describe("episode view", () => {
  test("support, queries, then prototypes; pairs join support to prototypes and wrong queries to their claimant", () => {
    const x = Float32Array.from(line.x);
    for (let i = 36; i < 48; ++i) x[2 * i] = 0.1 * (i - 36) + 0.05; // class 3 on top of class 0
    const pts = {...line, x};
    const o = {ways: 4, shots: 2, queries: 3, seed: 3};
    const v = protoTripletIcnnEpisodeView(pts, o);
    const ep = protoTripletIcnnEpisode(pts, 0, o);
    expect(v.points.label.length).toBe(8 + 12 + 4);
    expect(Array.from(v.points.label.subarray(20))).toEqual([0, 1, 2, 3]);
    expect(v.pairs.pos.length).toBe(2 * 8);
    for (let i = 0; i < 8; ++i) expect(v.pairs.pos[2 * i + 1]).toBe(20 + Math.floor(i / 2));
    const wrong = ep.predicted.filter((k, i) => k !== ep.truth[i]).length;
    expect(v.pairs.neg.length).toBe(2 * wrong);
    expect(v.accuracy).toBeCloseTo(1 - wrong / 12, 12);
    expect(v.points.x[40]).toBeCloseTo(ep.prototypes[0], 6);
    expect(() => protoTripletIcnnEpisodeView({...line, dims: 1}, o)).toThrow(/2-D/);
  });
});

describe("protoTripletIcnnFit", () => {
  test("keeps fitting controls and moves impossible episodes to the nearest possible one", async () => {
    const {protoTripletIcnnExperiment, protoTripletIcnnFit} =
      await import("../../../src/experiments/protoTripletIcnn.js");
    const {resolveParams} = await import("../../../src/params/schema.js");
    const p = resolveParams(protoTripletIcnnExperiment.schema, {});
    expect(protoTripletIcnnFit(p)).toEqual(p);
    const q = protoTripletIcnnFit({
      ...p,
      classes: 12,
      trainClasses: 55,
      ways: 10,
      shots: 10,
      queries: 15,
      perClass: 16
    });
    expect(q.trainClasses).toBe(10);
    expect(q.ways).toBe(2);
    expect(q.perClass).toBe(25);
  });
});
