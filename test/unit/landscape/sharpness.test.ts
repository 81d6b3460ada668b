import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import {mlp} from "../../../src/models/mlp.js";
import {flattenWeights, layoutOf, paramDot, paramNorm} from "../../../src/landscape/params.js";
import {
  hessianVectorProduct,
  hutchinsonTrace,
  modelLossOf,
  topHessianEigenvalue
} from "../../../src/landscape/sharpness.js";
import type {LossOf} from "../../../src/landscape/sharpness.js";
import {random} from "../../../src/random.js";
import {useCpuBackend} from "../../util/backend.js";
import {expectClose} from "../../util/close.js";

useCpuBackend();

const P = 12;
function gaussian(n: number, seed: number): Float64Array {
  const rng = random(seed);
  return Float64Array.from({length: n}, () => rng.normal());
}
// A = Q diag(λ) Qᵀ with Q orthogonal (Gram–Schmidt of Gaussian columns): known eigenpairs.
function symmetric(lambda: number[], seed = 1): {A: Float64Array; Q: Float64Array[]} {
  const Q: Float64Array[] = [];
  for (let k = 0; k < P; ++k) {
    let q = gaussian(P, seed * 100 + k);
    for (const e of Q) {
      const d = paramDot(q, e);
      q = q.map((x, i) => x - d * e[i]);
    }
    const n = paramNorm(q);
    Q.push(q.map((x) => x / n));
  }
  const A = new Float64Array(P * P);
  for (let i = 0; i < P; ++i)
    for (let j = 0; j < P; ++j) for (let k = 0; k < P; ++k) A[i * P + j] += lambda[k] * Q[k][i] * Q[k][j];
  return {A, Q};
}
// L(θ) = ½ θᵀAθ: a "model" whose Hessian is A everywhere.
function quadratic(A: Float64Array): {lossOf: LossOf; dispose(): void} {
  const a = tf.tensor2d(Float32Array.from(A), [P, P]);
  return {
    lossOf: (flat) =>
      tf.mul(0.5, tf.sum(tf.mul(flat, tf.reshape(tf.matMul(a, tf.reshape(flat, [P, 1])), [P])))) as tf.Scalar,
    dispose: () => a.dispose()
  };
}
const theta = gaussian(P, 7).map((x) => 0.2 * x);
const spectrum = [5, 2, 1, 0.5, 0.25, 0.1, 0, -0.1, -0.2, -0.3, 0.05, 0.3];

describe("sharpness on a known quadratic ½θᵀAθ", () => {
  test("hessianVectorProduct(lossOf, θ, v) ≈ Av for a v of any length", async () => {
    const {A} = symmetric(spectrum);
    const q = quadratic(A);
    const v = gaussian(P, 3).map((x) => 10 * x);
    const Av = Array.from({length: P}, (_, i) => paramDot(A.subarray(i * P, (i + 1) * P), v));
    expectClose(await hessianVectorProduct(q.lossOf, theta, v), Av, {rtol: 1e-3, atol: 1e-2});
    q.dispose();
  });
  test("topHessianEigenvalue recovers the top eigenvalue and its eigenvector", async () => {
    const {A, Q} = symmetric(spectrum);
    const q = quadratic(A);
    const top = await topHessianEigenvalue(q.lossOf, theta, {seed: 2, tolerance: 1e-7, maxIterations: 200});
    expect(top.converged).toBe(true);
    expect(Math.abs(top.value - 5)).toBeLessThan(5e-3);
    expect(Math.abs(paramDot(top.vector, Q[0]))).toBeGreaterThan(0.999);
    expect(top.dominant.value).toBe(top.value);
    expect(top.history.length).toBe(top.iterations);
    q.dispose();
  });
  test("a dominant negative eigenvalue is reported as dominant; the value is still the largest one", async () => {
    const lambda = [-6, 4, 1, 0.5, 0.25, 0.1, 0, -0.1, -0.2, -0.3, 0.05, 0.3];
    const {A, Q} = symmetric(lambda, 2);
    const q = quadratic(A);
    const top = await topHessianEigenvalue(q.lossOf, theta, {seed: 3, tolerance: 1e-8, maxIterations: 500});
    expect(Math.abs(top.dominant.value + 6)).toBeLessThan(6e-3);
    expect(Math.abs(top.value - 4)).toBeLessThan(1e-2);
    expect(Math.abs(paramDot(top.vector, Q[1]))).toBeGreaterThan(0.99);
    q.dispose();
  });
  test("the iteration cap stops a slow iteration and says it did not converge", async () => {
    const {A} = symmetric([1, 0.999, ...spectrum.slice(2)]);
    const q = quadratic(A);
    const top = await topHessianEigenvalue(q.lossOf, theta, {tolerance: 1e-12, maxIterations: 3});
    expect(top.converged).toBe(false);
    expect(top.iterations).toBe(3);
    q.dispose();
  });
  test("hutchinsonTrace matches trace(A) within its standard error bounds", async () => {
    const {A} = symmetric(spectrum);
    const q = quadratic(A);
    const trace = spectrum.reduce((s, x) => s + x, 0);
    const est = await hutchinsonTrace(q.lossOf, theta, {seed: 5, samples: 64});
    expect(est.samples).toBe(64);
    expect(est.standardError).toBeGreaterThan(0.05);
    expect(Math.abs(est.mean - trace)).toBeLessThanOrEqual(3 * est.standardError);
    q.dispose();
  });
  test("hutchinsonTrace is exact for a diagonal A (zᵀDz = trace D for every Rademacher z)", async () => {
    const A = new Float64Array(P * P);
    spectrum.forEach((x, i) => (A[i * P + i] = x));
    const q = quadratic(A);
    const est = await hutchinsonTrace(q.lossOf, theta, {seed: 1, samples: 8});
    expect(Math.abs(est.mean - spectrum.reduce((s, x) => s + x, 0))).toBeLessThan(1e-3);
    expect(est.standardError).toBeLessThan(1e-3);
    q.dispose();
  });
});

describe("sharpness of an MLP through modelLossOf", () => {
  test("modelLossOf(flat weights) is the loss of model.apply on the probe batch", async () => {
    const model = mlp({hidden: [8], seed: 3});
    const x = tf.randomNormal([32, 2], 0, 1, "float32", 1) as tf.Tensor2D;
    const labels = tf.tensor1d(
      Array.from({length: 32}, (_, i) => i % 3),
      "int32"
    );
    const flat = flattenWeights(await model.read(), layoutOf(model));
    const lossOf = modelLossOf({model, probe: {x, labels}, loss: crossEntropy});
    const [got, want] = tf.tidy(() => [
      lossOf(tf.tensor1d(Float32Array.from(flat))).dataSync()[0],
      crossEntropy.fn({logits: model.apply(x).logits, labels}).dataSync()[0]
    ]);
    expect(Math.abs(got - want)).toBeLessThan(1e-6);
    tf.dispose([x, labels]);
    model.dispose();
  });
  test("finite-difference Hv through tanh and softmax matches the loss's second difference vᵀHv", async () => {
    const model = mlp({hidden: [8], activation: "tanh", seed: 4});
    const x = tf.randomNormal([64, 2], 0, 1, "float32", 2) as tf.Tensor2D;
    const labels = tf.tensor1d(
      Array.from({length: 64}, (_, i) => i % 3),
      "int32"
    );
    const flat = flattenWeights(await model.read(), layoutOf(model));
    const lossOf = modelLossOf({model, probe: {x, labels}, loss: crossEntropy});
    const v = gaussian(flat.length, 9);
    const vn = v.map((z) => z / paramNorm(v));
    const h = 0.05;
    const L = (s: number) =>
      tf.tidy(() => lossOf(tf.tensor1d(Float32Array.from(flat, (w, i) => w + s * vn[i]))).dataSync()[0]);
    const second = (L(h) - 2 * L(0) + L(-h)) / (h * h);
    const vHv = paramDot(vn, await hessianVectorProduct(lossOf, flat, vn));
    expect(Math.abs(vHv)).toBeGreaterThan(1e-3);
    expect(Math.abs(vHv - second)).toBeLessThan(0.05 * Math.abs(second) + 1e-3);
    tf.dispose([x, labels]);
    model.dispose();
  });
});
