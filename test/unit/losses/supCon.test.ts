import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {distanceNames} from "../../../src/losses/distances.js";
import {infoNce} from "../../../src/losses/ntXent.js";
import {supCon} from "../../../src/losses/supCon.js";
import {random} from "../../../src/random.js";
import {clusteredEmbeddings, ntXentOracle, supConOracle} from "../../oracles/metric.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const D = 3;
const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 3, 0]);
const B = labels.length;
const ids = Int32Array.from({length: B}, (_, i) => i);
useCpuBackend();

function fixture(seed: number, y: Int32Array = labels, spread = 0.9): Float32Array {
  return clusteredEmbeddings(
    random(seed)
      .fork("embeddings")
      .uniforms(y.length * (D + 1)),
    y,
    D,
    {spread}
  );
}
function jitter(emb: Float32Array, seed: number, scale = 0.3): Float32Array {
  const noise = random(seed).fork("view").normals(emb.length);
  return emb.map((v, i) => v + scale * noise[i]);
}

type Inputs = {emb: Float32Array; y: Int32Array; other?: Float32Array; weights?: Float32Array};
function tensors({emb, y, other, weights}: Inputs) {
  return {
    embeddings: tf.tensor2d(emb, [y.length, D]),
    labels: tf.tensor1d(y, "int32"),
    ...(other ? {otherEmbeddings: tf.tensor2d(other, [y.length, D])} : {}),
    ...(weights ? {weights: tf.tensor1d(weights)} : {})
  };
}
function value(inputs: Inputs, params: object = {}): number {
  return tf.tidy(() => supCon.fn(tensors(inputs), params).dataSync()[0]);
}
function valueAndGrad(inputs: Inputs, params: object = {}): [number, Float32Array] {
  return tf.tidy(() => {
    const t = tensors(inputs);
    const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => supCon.fn({...t, embeddings: x as tf.Tensor2D}, params))(
      t.embeddings
    );
    return [value.dataSync()[0], grad.dataSync() as Float32Array];
  });
}

describe("supCon matches the float64 PML reference", () => {
  for (const distance of distanceNames) {
    for (const temperature of [0.1, 0.5]) {
      test(`supCon(${JSON.stringify({distance, temperature})}) equals SupConLoss`, () => {
        const emb = fixture(1);
        const params = {distance, temperature};
        const expected = supConOracle(emb, labels, D, params);
        expect(expected).toBeGreaterThan(0);
        expectClose([value({emb, y: labels}, params)], [expected]);
      });
    }
  }
  test("supCon() with otherEmbeddings equals SupConLoss on the 2B rows with labels [y; y]", () => {
    const emb = fixture(2);
    const other = jitter(emb, 2);
    expectClose([value({emb, y: labels, other})], [supConOracle(emb, labels, D, {}, other)]);
  });
  test("supCon() differs from nt-xent when anchors have several positives (other positives sit in its denominator)", () => {
    const emb = fixture(3);
    const sup = supConOracle(emb, labels, D, {temperature: 0.1});
    expect(Math.abs(sup - ntXentOracle(emb, labels, D, {temperature: 0.1}))).toBeGreaterThan(1e-2);
    expectClose([value({emb, y: labels}, {temperature: 0.1})], [sup]);
  });
  test("supCon() with one positive per anchor (two views, each sample its own class) equals infoNce()", () => {
    const emb = fixture(4);
    const other = jitter(emb, 4);
    const infoNceValue = tf.tidy(
      () =>
        infoNce
          .fn({embeddings: tf.tensor2d(emb, [B, D]), otherEmbeddings: tf.tensor2d(other, [B, D])}, {temperature: 0.1})
          .dataSync()[0]
    );
    expectClose([value({emb, y: ids, other})], [infoNceValue]);
  });
});

describe("gradients", () => {
  for (const params of [{}, {temperature: 0.5, distance: "euclidean"}] as const) {
    test(`supCon(${JSON.stringify(params)}): autograd matches central differences`, () => {
      const emb = fixture(5);
      const y = tf.tensor1d(labels, "int32");
      const x0 = tf.tensor2d(emb, [B, D]);
      gradcheck(
        (x) => supCon.fn({embeddings: x as tf.Tensor2D, labels: y}, params),
        (x) => supConOracle(x, labels, D, params),
        x0
      );
      tf.dispose([x0, y]);
    });
  }
  test("supCon() with two views: autograd matches central differences in the second view", () => {
    const emb = fixture(6);
    const other = jitter(emb, 6);
    const a = tf.tensor2d(emb, [B, D]);
    const y = tf.tensor1d(labels, "int32");
    const b = tf.tensor2d(other, [B, D]);
    gradcheck(
      (x) => supCon.fn({embeddings: a, labels: y, otherEmbeddings: x as tf.Tensor2D}, {temperature: 0.3}),
      (x) => supConOracle(emb, labels, D, {temperature: 0.3}, x),
      b
    );
    tf.dispose([a, b, y]);
  });
});

describe("edge cases", () => {
  for (const [name, y] of [
    ["all labels distinct (no positive)", Int32Array.from([0, 1, 2, 3, 4])],
    ["all labels equal (no negative)", Int32Array.from([3, 3, 3, 3, 3])],
    ["one sample", Int32Array.from([0])]
  ] as const) {
    test(`supCon() with ${name} is exactly 0 with a zero, finite gradient`, () => {
      const [v, g] = valueAndGrad({emb: fixture(7, y), y});
      expect(v).toBe(0);
      expect(Array.from(g).every((x) => x === 0)).toBe(true);
    });
  }
  test("supCon() averages only over anchors with positives: the singleton class adds neither loss nor count", () => {
    const emb = fixture(8);
    const rows = tf.tidy(() => supCon.terms(tensors({emb, y: labels})).loss.values.dataSync());
    expect(Math.abs(rows[6])).toBe(0);
    const others = Array.from(rows).filter((_, i) => i !== 6);
    expect(others.every((v) => v > 0)).toBe(true);
    expectClose([value({emb, y: labels})], [others.reduce((a, b) => a + b, 0) / others.length]);
  });
  test("supCon() with two views applies each sample's weight to both of its rows", () => {
    const emb = fixture(9);
    const other = jitter(emb, 9);
    const weights = Float32Array.from({length: B}, (_, i) => 0.5 + (i % 3));
    const rows = tf.tidy(() => supCon.terms(tensors({emb, y: labels, other})).loss.values.dataSync());
    let sum = 0;
    let count = 0;
    rows.forEach((v, r) => {
      sum += weights[r % B] * v;
      if (weights[r % B] * v > 0) ++count;
    });
    expectClose([value({emb, y: labels, other, weights})], [sum / count]);
  });
  test("supCon({temperature: 0.01}) stays finite for embeddings of ±1e4 and coincident points", () => {
    const emb = fixture(10).map((v) => v * 1e4);
    emb.set(emb.subarray(0, D), D);
    for (const distance of distanceNames) {
      const [v, g] = valueAndGrad({emb, y: labels}, {distance, temperature: 0.01});
      expect(Number.isFinite(v), `${distance} value`).toBe(true);
      expect(Array.from(g).every(Number.isFinite), `${distance} gradient`).toBe(true);
    }
  });
  test("supcon with bad hyper-parameters throws naming the loss and the value", () => {
    const emb = fixture(11);
    expect(() => value({emb, y: labels}, {temperature: 20})).toThrow("supcon: invalid temperature: 20");
    expect(() => value({emb, y: labels}, {distance: "l1"})).toThrow('supcon: invalid distance: "l1"');
  });
});

lossContract(supCon, {params: [{}, {temperature: 0.5, distance: "squared-euclidean"}]});
