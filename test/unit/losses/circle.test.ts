import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {circle} from "../../../src/losses/circle.js";
import {random} from "../../../src/random.js";
import {circleOracle, clusteredEmbeddings, cosineMatrixOf} from "../../oracles/metric.js";
import {expectClose} from "../../util/close.js";
import {lossContract} from "../../util/lossContract.js";

const D = 3;
const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 3, 0]);
const B = labels.length;
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

function value(emb: Float32Array, y: Int32Array, params: object = {}): number {
  return tf.tidy(
    () =>
      circle.fn({embeddings: tf.tensor2d(emb, [y.length, D]), labels: tf.tensor1d(y, "int32")}, params).dataSync()[0]
  );
}

function valueAndGrad(emb: Float32Array, y: Int32Array, params: object = {}): [number, Float32Array] {
  return tf.tidy(() => {
    const labelsT = tf.tensor1d(y, "int32");
    const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
      circle.fn({embeddings: x as tf.Tensor2D, labels: labelsT}, params)
    )(tf.tensor2d(emb, [y.length, D]));
    return [value.dataSync()[0], grad.dataSync() as Float32Array];
  });
}

/** Directional derivatives of a float64 function by central differences (ε = 1e-6) along seeded unit directions. */
function directional(
  f: (x: Float64Array) => number,
  x0: Float32Array,
  directions: number
): {u: Float64Array[]; fd: number[]} {
  const rng = random(7).fork("directions");
  const x = Float64Array.from(x0);
  const us: Float64Array[] = [];
  const fd: number[] = [];
  for (let d = 0; d < directions; ++d) {
    const u = Float64Array.from(rng.normals(x.length));
    const norm = Math.hypot(...u);
    u.forEach((v, i) => (u[i] = v / norm));
    const eps = 1e-6;
    fd.push((f(x.map((v, i) => v + eps * u[i])) - f(x.map((v, i) => v - eps * u[i]))) / (2 * eps));
    us.push(u);
  }
  return {u: us, fd};
}

describe("circle matches the float64 PML reference", () => {
  for (const params of [{}, {m: 0.25, gamma: 256}, {m: 0.1, gamma: 10}]) {
    test(`circle(${JSON.stringify(params)}) equals CircleLoss`, () => {
      const emb = fixture(1);
      const expected = circleOracle(emb, labels, D, params);
      expect(expected).toBeGreaterThan(0);
      expectClose([value(emb, labels, params)], [expected]);
    });
  }
});

describe("gradients", () => {
  for (const params of [{}, {m: 0.25, gamma: 30}]) {
    test(`circle(${JSON.stringify(params)}): autograd is the gradient with the weights α held at their current values`, () => {
      const emb = fixture(2);
      const frozen = cosineMatrixOf(emb, B, D);
      const [, grad] = valueAndGrad(emb, labels, params);
      const {u, fd} = directional((x) => circleOracle(x, labels, D, params, frozen), emb, 3);
      const full = directional((x) => circleOracle(x, labels, D, params), emb, 3).fd;
      for (let d = 0; d < u.length; ++d) {
        let auto = 0;
        for (let i = 0; i < grad.length; ++i) auto += grad[i] * u[d][i];
        expect(Math.abs(auto - fd[d]), `direction ${d}: ${auto} vs ${fd[d]}`).toBeLessThanOrEqual(
          1e-5 + 1e-3 * Math.abs(fd[d])
        );
        // α is detached: autograd is not the derivative of the value itself
        expect(Math.abs(auto - full[d]), `direction ${d} against the undetached derivative`).toBeGreaterThan(1e-3);
      }
    });
  }
});

describe("properties", () => {
  // a = e₀, p at angle θ, n at θ/2 with cos(θ/2) = c: both a and p see s_p = cos θ, s_n = c.
  const c = 0.9;
  const half = Math.acos(c);
  const onCircle = Float32Array.from([1, 0, 0, Math.cos(2 * half), Math.sin(2 * half), 0, c, Math.sin(half), 0]);
  const circleLabels = Int32Array.from([0, 0, 1]);
  const sp = Math.cos(2 * half);
  const radiusM = Math.sqrt((c * c + (sp - 1) ** 2) / 2); // s_n² + (s_p − 1)² = 2m²
  test("circle({m}) is log 2 for every γ on the decision boundary s_n² + (s_p − 1)² = 2m² (Sun et al. 2020, §3.3)", () => {
    for (const gamma of [10, 80, 256]) {
      expectClose([value(onCircle, circleLabels, {m: radiusM, gamma})], [Math.LN2], {rtol: 1e-4, atol: 2e-4});
    }
  });
  test("circle({m, gamma}) with one positive and one negative is softplus(γ(s_n² + (s_p − 1)² − 2m²))", () => {
    // Off the boundary: outside the circle (smaller m) the loss grows with γ, inside (larger m) it vanishes.
    for (const m of [radiusM - 0.05, radiusM + 0.05])
      for (const gamma of [10, 80]) {
        const z = gamma * (c * c + (sp - 1) ** 2 - 2 * m * m);
        const expected = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
        expectClose([value(onCircle, circleLabels, {m, gamma})], [expected], {rtol: 1e-4, atol: 1e-5});
      }
    expect(value(onCircle, circleLabels, {m: radiusM - 0.05, gamma: 80})).toBeGreaterThan(1);
    expect(value(onCircle, circleLabels, {m: radiusM + 0.05, gamma: 80})).toBeLessThan(0.1);
  });
  for (const [name, y] of [
    ["all labels distinct (no positive)", Int32Array.from([0, 1, 2, 3, 4])],
    ["all labels equal (no negative)", Int32Array.from([2, 2, 2, 2, 2])]
  ] as const) {
    test(`circle() with ${name} is exactly 0 with a zero, finite gradient`, () => {
      const [v, g] = valueAndGrad(fixture(3, y), y);
      expect(v).toBe(0);
      expect(Array.from(g).every((x) => x === 0)).toBe(true);
    });
  }
  test("circle() ignores an anchor without positives (a class of one sample)", () => {
    const emb = fixture(4);
    // Moving the singleton (sample 6) changes its pairs as a negative of others but it is never an anchor.
    expectClose([value(emb, labels)], [circleOracle(emb, labels, D)]);
    const without = Int32Array.from([0, 1, 2, 0, 1, 2, 0]);
    expect(circleOracle(emb.subarray(0, 7 * D), without, D)).not.toBeCloseTo(circleOracle(emb, labels, D), 3);
  });
  test("circle() stays finite for embeddings of ±1e4, coincident points and γ = 512", () => {
    const emb = fixture(5).map((v) => v * 1e4);
    emb.set(emb.subarray(0, D), D);
    for (const gamma of [80, 512]) {
      const [v, g] = valueAndGrad(emb, labels, {gamma});
      expect(Number.isFinite(v)).toBe(true);
      expect(Array.from(g).every(Number.isFinite)).toBe(true);
    }
  });
  test("circle with bad hyper-parameters throws naming the loss and the value", () => {
    const emb = fixture(6);
    expect(() => value(emb, labels, {m: 1.5})).toThrow("circle: invalid m: 1.5");
    expect(() => value(emb, labels, {gamma: 0})).toThrow("circle: invalid gamma: 0");
    expect(() => value(emb, labels, {distance: "euclidean"})).toThrow("circle: unknown parameter: distance");
  });
});

lossContract(circle, {
  params: [{}, {m: 0.25, gamma: 256}],
  noGradcheck:
    "circle loss detaches its pair weights α (as PML does), so autograd is not the derivative of the value; the gradient is checked against the frozen-α float64 reference above"
});
