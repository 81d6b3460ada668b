import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {icnn, protoTriplet} from "../../../src/losses/protoTriplet.js";
import type {LossSpec} from "../../../src/losses/defineLoss.js";
import {random} from "../../../src/random.js";
import {icnnOracle, icnnScores, protoNetOracle, protoTripletOracle} from "../../oracles/protoTriplet.js";
import type {EpisodeData} from "../../oracles/protoTriplet.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

useCpuBackend();

const D = 3;
/**
 * A 3-way episode: class 0 and 2 have two support samples, class 1 has one (its prototype is that
 * sample); one query per class, plus a query of class 3, which has no support sample and is ignored.
 */
const labels = [0, 0, 1, 2, 2, 0, 1, 2, 3, 1];
const isSupport = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
function fixture(seed = 1, std = 1): EpisodeData {
  const rng = random(seed).fork("episode");
  return {embeddings: Float64Array.from(rng.normals(labels.length * D, std)), labels, isSupport, dim: D};
}

function inputs(ep: EpisodeData) {
  const n = ep.labels.length;
  return {
    embeddings: tf.tensor2d(Float32Array.from(ep.embeddings), [n, ep.dim]),
    labels: tf.tensor1d(Int32Array.from(ep.labels), "int32"),
    isSupport: tf.tensor1d(Float32Array.from(ep.isSupport))
  };
}

function value(loss: LossSpec<any>, ep: EpisodeData, params?: object): number {
  return tf.tidy(() => loss.fn(inputs(ep), params).dataSync()[0]);
}

function gradient(loss: LossSpec<any>, ep: EpisodeData, params?: object): Float32Array {
  return tf.tidy(() => {
    const {embeddings, ...rest} = inputs(ep);
    return tf
      .grad((x: tf.Tensor) => loss.fn({...rest, embeddings: x as tf.Tensor2D}, params))(embeddings)
      .dataSync();
  }) as Float32Array;
}

describe("values match float64 references", () => {
  const ptCases = [
    {},
    {negatives: "all"},
    {margin: 1.2, alpha: 0.5},
    {normalize: false, margin: 2},
    {normalize: false, negatives: "all", margin: 1}
  ];
  for (const params of ptCases) {
    test(`protoTriplet(${JSON.stringify(params)}) equals the episode reference`, () => {
      for (const seed of [1, 2, 3]) {
        const ep = fixture(seed);
        expectClose([value(protoTriplet, ep, params)], [protoTripletOracle(ep, params)]);
      }
    });
  }
  const icnnCases = [{}, {separation: true}, {temperature: 0.5, beta: 2}, {normalize: false, temperature: 2}];
  for (const params of icnnCases) {
    test(`icnn(${JSON.stringify(params)}) equals the episode reference`, () => {
      for (const seed of [1, 2, 3]) {
        const ep = fixture(seed);
        expectClose([value(icnn, ep, params)], [icnnOracle(ep, params)]);
      }
    });
  }
});

describe("gradients", () => {
  const cases: [string, LossSpec<any>, object, (ep: EpisodeData) => number][] = [
    ["protoTriplet()", protoTriplet, {}, (ep) => protoTripletOracle(ep)],
    [
      "protoTriplet({negatives: all})",
      protoTriplet,
      {negatives: "all"},
      (ep) => protoTripletOracle(ep, {negatives: "all"})
    ],
    [
      "protoTriplet({normalize: false, margin: 2})",
      protoTriplet,
      {normalize: false, margin: 2},
      (ep) => protoTripletOracle(ep, {normalize: false, margin: 2})
    ],
    ["icnn()", icnn, {}, (ep) => icnnOracle(ep)],
    ["icnn({separation: true})", icnn, {separation: true}, (ep) => icnnOracle(ep, {separation: true})]
  ];
  for (const [name, loss, params, oracle] of cases) {
    test(`${name}: autograd matches central differences of the float64 reference`, () => {
      const ep = fixture(4);
      const {embeddings, ...rest} = inputs(ep);
      gradcheck(
        (x) => loss.fn({...rest, embeddings: x as tf.Tensor2D}, params),
        (x) => oracle({...ep, embeddings: x}),
        embeddings
      );
      embeddings.dispose();
      rest.labels.dispose();
      rest.isSupport.dispose();
    });
  }
});

const contractFixed = (dims: Record<string, number>) => ({
  isSupport: Float32Array.from({length: dims.B}, (_, i) => (i < dims.B / 2 ? 1 : 0))
});
lossContract(protoTriplet, {
  fixed: contractFixed,
  params: [{}, {negatives: "all"}, {normalize: false}]
});
lossContract(icnn, {fixed: contractFixed, params: [{}, {separation: true}, {normalize: false}]});

describe("properties", () => {
  test("protoTriplet({alpha: 0}) and icnn({beta: 0}) equal the ProtoNet cross-entropy", () => {
    const ep = fixture(5);
    const ce = protoNetOracle(ep);
    expectClose([value(protoTriplet, ep, {alpha: 0}), value(icnn, ep, {beta: 0})], [ce, ce]);
    // And the extra terms are really there by default.
    expect(value(protoTriplet, ep) - ce).toBeGreaterThan(1e-3);
    expect(value(icnn, ep) - ce).toBeGreaterThan(1e-3);
  });

  test("protoTriplet({margin}) adds nothing when every query is nearer its own prototype by more than the margin", () => {
    // Three well-separated directions; queries sit next to their prototypes.
    const dirs = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1]
    ];
    const emb: number[] = [];
    const ls = [0, 0, 1, 2, 0, 1, 2];
    const sup = [1, 1, 1, 1, 0, 0, 0];
    ls.forEach((l, i) => emb.push(...dirs[l].map((v, k) => v + 0.01 * ((i + k) % 3))));
    const ep = {embeddings: emb, labels: ls, isSupport: sup, dim: 3};
    // Squared distances between unit axes are 2, so a margin of 1 is met by every query.
    expectClose([value(protoTriplet, ep, {margin: 1})], [protoNetOracle(ep)]);
    // A margin beyond 2 cannot be met: the hinge becomes active.
    expect(value(protoTriplet, ep, {margin: 2.5}) - protoNetOracle(ep)).toBeGreaterThan(0.4);
  });

  test("a class with one support sample has that sample as its prototype", () => {
    // Query of class 1 placed exactly on the lone support sample of class 1: own distance 0.
    const ep = fixture(6);
    const emb = Float64Array.from(ep.embeddings);
    for (let k = 0; k < D; ++k) emb[6 * D + k] = emb[2 * D + k];
    const moved = {...ep, embeddings: emb};
    expectClose([value(protoTriplet, moved)], [protoTripletOracle(moved)]);
    const g = gradient(protoTriplet, moved);
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });

  test("queries of a class without support samples are ignored", () => {
    const ep = fixture(7);
    const without = {
      ...ep,
      embeddings: Float64Array.from(ep.embeddings).filter((_, i) => Math.floor(i / D) !== 8),
      labels: labels.filter((_, i) => i !== 8),
      isSupport: isSupport.filter((_, i) => i !== 8)
    };
    expectClose([value(protoTriplet, ep)], [value(protoTriplet, without)]);
    expectClose([value(icnn, ep, {beta: 0})], [value(icnn, without, {beta: 0})]);
  });

  test("labels need not be 0 … N−1: renaming classes changes nothing", () => {
    const ep = fixture(8);
    const renamed = {...ep, labels: Array.from(ep.labels, (l) => [7, 42, 3, 11][l])};
    expectClose([value(protoTriplet, renamed)], [value(protoTriplet, ep)]);
    expectClose([value(icnn, renamed)], [value(icnn, ep)]);
  });

  test("the prototype gradient reaches the support embeddings", () => {
    const g = gradient(protoTriplet, fixture(9), {alpha: 0});
    for (let i = 0; i < labels.length; ++i) {
      if (isSupport[i] !== 1) continue;
      const norm = Math.hypot(...Array.from(g.slice(i * D, (i + 1) * D)));
      expect(norm, `support ${i}`).toBeGreaterThan(1e-4);
    }
  });

  test("protoTriplet() with no queries is exactly 0 with a zero gradient", () => {
    const ep = {...fixture(10), isSupport: labels.map(() => 1)};
    expect(value(protoTriplet, ep)).toBe(0);
    expect(Array.from(gradient(protoTriplet, ep)).every((v) => v === 0)).toBe(true);
  });

  test("protoTriplet() on a one-class episode has no negative prototype: the hinge is 0", () => {
    const ep = {
      embeddings: Array.from(fixture(11).embeddings).slice(0, 4 * D),
      labels: [5, 5, 5, 5],
      isSupport: [1, 1, 0, 0],
      dim: D
    };
    // One class: softmax over one prototype is 0, and there is no negative.
    expect(value(protoTriplet, ep)).toBeCloseTo(0, 6);
    expect(Array.from(gradient(protoTriplet, ep)).every(Number.isFinite)).toBe(true);
  });

  test("icnn purity is near 1 for well-separated classes and near 1/2 for two mixed ones", () => {
    const sep = {embeddings: [1, 0, 1, 0.01, 0, 1, 0.01, 1], labels: [0, 0, 1, 1], isSupport: [1, 0, 1, 0], dim: 2};
    expect(Math.min(...icnnScores(sep))).toBeGreaterThan(0.99);
    expect(value(icnn, sep) - protoNetOracle(sep)).toBeLessThan(0.01);
    // Three coincident points, two of class 0: each class-0 point has one same-class and one other-class
    // neighbour (purity 1/2), the class-1 point none of its class (purity 0); mean 1 − λ = 2/3.
    const mixed = {embeddings: [1, 0, 1, 0, 1, 0], labels: [0, 0, 1], isSupport: [1, 0, 1], dim: 2};
    expectClose(Array.from(icnnScores(mixed)), [0.5, 0.5, 0]);
    expectClose([value(icnn, mixed, {beta: 1}) - protoNetOracle(mixed)], [2 / 3]);
  });

  test("both losses stay finite for embeddings of ±1e4", () => {
    const ep = fixture(12, 1e4);
    for (const loss of [protoTriplet, icnn]) {
      for (const normalize of [true, false]) {
        const v = value(loss, ep, {normalize});
        expect(Number.isFinite(v), `${loss.id} normalize ${normalize}: ${v}`).toBe(true);
        expect(Array.from(gradient(loss, ep, {normalize})).every(Number.isFinite)).toBe(true);
      }
    }
  });
});

describe("bad input", () => {
  test("isSupport values other than 0 and 1 are rejected", () => {
    const ep = {...fixture(13), isSupport: isSupport.map((v, i) => (i === 3 ? 0.5 : v))};
    expect(() => value(protoTriplet, ep)).toThrow("proto-triplet: isSupport[3] = 0.5 is not 0 or 1");
    expect(() => value(icnn, ep)).toThrow("icnn: isSupport[3] = 0.5 is not 0 or 1");
  });
  test("bad hyper-parameters throw naming the loss and the value", () => {
    expect(() => value(protoTriplet, fixture(), {margin: -1})).toThrow("proto-triplet: invalid margin: -1");
    expect(() => value(protoTriplet, fixture(), {negatives: "some"})).toThrow(
      'proto-triplet: invalid negatives: "some"'
    );
    expect(() => value(icnn, fixture(), {temperature: 0})).toThrow("icnn: invalid temperature: 0");
  });
  test("an isSupport of the wrong length names the argument", () => {
    const ep = {...fixture(), isSupport: isSupport.slice(1)};
    expect(() => value(protoTriplet, ep)).toThrow(/^proto-triplet: isSupport has batch size 9, expected 10/);
  });
});
