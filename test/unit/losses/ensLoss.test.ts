import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {ensLoss, ensLossDraw, ensLossLosses} from "../../../src/losses/ensLoss.js";
import {random} from "../../../src/random.js";
import {ensLossDerivativesOracle, ensLossOracle, marginsOracle} from "../../oracles/ensLoss.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 8;
useCpuBackend();

/** Two-column logits whose margins are well separated, and alternating labels. */
function fixture(seed = 1, scale = 3, b = B) {
  const logits = random(seed)
    .fork("ens")
    .uniforms(b * 2, -scale / 2, scale / 2);
  const labels = Int32Array.from({length: b}, (_, i) => i % 2);
  return {logits, labels};
}

function value(logits: Float32Array, labels: Int32Array, params: object = {}): number {
  return tf.tidy(
    () =>
      ensLoss
        .fn({logits: tf.tensor2d(logits, [labels.length, 2]), labels: tf.tensor1d(labels, "int32")}, params)
        .dataSync()[0]
  );
}

/** The derivative the loss applies at each margin: g_i = B·∂L/∂z_i1·y_i. */
function derivatives(logits: Float32Array, labels: Int32Array, params: object = {}): Float64Array {
  const grad = tf.tidy(() => {
    const y = tf.tensor1d(labels, "int32");
    return tf
      .grad((x: tf.Tensor) => ensLoss.fn({logits: x as tf.Tensor2D, labels: y}, params))(
        tf.tensor2d(logits, [labels.length, 2])
      )
      .dataSync();
  });
  const n = labels.length;
  return Float64Array.from({length: n}, (_, i) => n * grad[2 * i + 1] * (2 * labels[i] - 1));
}

/** Logits [0, ±m] whose margins are exactly the grid values, with both labels represented. */
function gridFixture(grid: number[]) {
  const labels = Int32Array.from(grid, (_, i) => (i % 3 === 0 ? 0 : 1));
  const logits = new Float32Array(grid.length * 2);
  grid.forEach((m, i) => (logits[2 * i + 1] = labels[i] === 1 ? m : -m));
  return {logits, labels};
}

describe("ensloss", () => {
  for (const boxCox of [0, 0.5, -0.5, 1]) {
    for (const draw of [0, 1, 7]) {
      test(`ensLoss({seed: 3, draw: ${draw}, boxCox: ${boxCox}}) equals the float64 reference`, () => {
        const {logits, labels} = fixture(2, 4);
        expectClose([value(logits, labels, {seed: 3, draw, boxCox})], [ensLossOracle(logits, labels, 3, draw, boxCox)]);
      });
    }
  }
  test("ensLoss({seed, draw}) is the same for the same seed and draw, different for another draw or seed", () => {
    const {logits, labels} = fixture(3);
    const a = value(logits, labels, {seed: 5, draw: 10});
    expect(value(logits, labels, {seed: 5, draw: 10})).toBe(a);
    const otherDraw = value(logits, labels, {seed: 5, draw: 11});
    const otherSeed = value(logits, labels, {seed: 6, draw: 10});
    expect(Math.abs(otherDraw - a)).toBeGreaterThan(1e-4);
    expect(Math.abs(otherSeed - a)).toBeGreaterThan(1e-4);
    expect(Array.from(ensLossDraw(B, 5, 10, 0))).not.toEqual(Array.from(ensLossDraw(B, 5, 11, 0)));
  });
  test("every drawn derivative is negative and non-decreasing in the margin on a grid (convex, calibrated)", () => {
    const grid = Array.from({length: 25}, (_, i) => -3 + i * 0.25); // contains 0 and margins > 1
    const {logits, labels} = gridFixture(grid);
    expectClose(marginsOracle(logits, labels), grid);
    for (const boxCox of [-1, -0.5, 0, 0.5, 1]) {
      for (let draw = 0; draw < 12; ++draw) {
        const g = derivatives(logits, labels, {seed: 1, draw, boxCox});
        const at0 = g[grid.indexOf(0)];
        // Bartlett et al. 2006 (the paper's Theorem 1): a convex φ is calibrated iff φ'(0) < 0.
        expect(at0, `φ'(0) at draw ${draw}, λ ${boxCox}`).toBeLessThan(0);
        for (let i = 0; i < grid.length; ++i) {
          expect(g[i]).toBeLessThan(0);
          expect(g[i]).toBeGreaterThanOrEqual(-1 - 2e-6);
          // superlinear tail: |φ'(s)| ≤ 1/s beyond s = 1
          if (grid[i] > 1) expect(-g[i] * grid[i]).toBeLessThanOrEqual(1 + 1e-5);
          if (i > 0) expect(g[i], `monotone at ${grid[i]}`).toBeGreaterThanOrEqual(g[i - 1] - 1e-6);
        }
        expectClose(g, ensLossDerivativesOracle(grid, 1, draw, boxCox), {rtol: 1e-4, atol: 1e-5});
      }
    }
  });
  test("ensLoss: the derivatives are random — draws give different derivative curves", () => {
    const grid = Array.from({length: 16}, (_, i) => -2 + i * 0.2);
    const {logits, labels} = gridFixture(grid);
    const a = derivatives(logits, labels, {draw: 0});
    const b = derivatives(logits, labels, {draw: 1});
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeGreaterThan(0.05);
  });
  test("ensLoss: autograd (g held fixed) matches central differences of the float64 reference", () => {
    // Margins in (−0.9, 0.9), apart from each other: the ranks and the tail do not change under ε.
    const grid = [-0.85, -0.6, -0.35, -0.1, 0.15, 0.4, 0.65, 0.88];
    const {logits, labels} = gridFixture(grid);
    for (let i = 0; i < B; ++i) logits[2 * i] += 0.1 * i; // both columns vary
    const y = tf.tensor1d(labels, "int32");
    const x0 = tf.tensor2d(logits, [B, 2]);
    for (const draw of [0, 3]) {
      const g = ensLossDerivativesOracle(marginsOracle(logits, labels), 2, draw, 0);
      gradcheck(
        (x) => ensLoss.fn({logits: x as tf.Tensor2D, labels: y}, {seed: 2, draw}),
        (x) => ensLossOracle(x, labels, 2, draw, 0, g),
        x0
      );
    }
    x0.dispose();
    y.dispose();
  });
  test("ensLoss: tied margins take the sorted draws in index order", () => {
    const {logits, labels} = gridFixture([0.5, 0.5, -1, 0.5, 2, 2]);
    expectClose(derivatives(logits, labels, {draw: 4}), ensLossDerivativesOracle([0.5, 0.5, -1, 0.5, 2, 2], 0, 4, 0), {
      rtol: 1e-4,
      atol: 1e-5
    });
  });
  test("ensLoss stays finite in value and gradient for logits of ±1e4", () => {
    const logits = Float32Array.from({length: B * 2}, (_, j) => (j % 3 === 0 ? 1e4 : -1e4));
    const labels = Int32Array.from({length: B}, (_, i) => i % 2);
    const [v, g] = tf.tidy(() => {
      const y = tf.tensor1d(labels, "int32");
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => ensLoss.fn({logits: x as tf.Tensor2D, labels: y}))(
        tf.tensor2d(logits, [B, 2])
      );
      return [value.dataSync()[0], grad.dataSync()];
    });
    expect(Number.isFinite(v)).toBe(true);
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
  test("ensLoss: a one-sample batch gets the most negative clipped draw", () => {
    const {logits, labels} = fixture(4, 1, 1);
    expectClose([value(logits, labels, {draw: 2})], [ensLossOracle(logits, labels, 0, 2, 0)]);
  });
  test("ensLoss rejects logits that are not [B, 2]", () => {
    expect(() =>
      tf.tidy(() =>
        ensLoss.fn({logits: tf.zeros([4, 3]) as tf.Tensor2D, labels: tf.zeros([4], "int32") as tf.Tensor1D})
      )
    ).toThrow("ensloss: logits must be [B, 2], got [4,3]");
  });
  test("ensLoss: labels outside {0, 1} are rejected", () => {
    expect(() =>
      tf.tidy(() => ensLoss.fn({logits: tf.zeros([2, 2]) as tf.Tensor2D, labels: tf.tensor1d([0, 2], "int32")}))
    ).toThrow(/ensloss: labels\[1\] = 2 is out of range \[0, 2\)/);
  });
  test("ensLoss: invalid hyper-parameters throw with the loss id and value", () => {
    const {logits, labels} = fixture();
    expect(() => value(logits, labels, {boxCox: 2})).toThrow("ensloss: invalid boxCox: 2");
    expect(() => value(logits, labels, {draw: 1.5})).toThrow("ensloss: invalid draw: 1.5");
  });
  test("ensLossLosses lists ensloss", () => {
    expect(ensLossLosses.map((l) => l.id)).toEqual(["ensloss"]);
  });
});

// The contract's float32 gradient check needs margins below 1 and apart from each other (above 1 the
// value is g·s with g = r/s, whose difference quotient is 0 while the gradient is r/s by design).
lossContract(ensLoss, {
  dims: {C: 2},
  params: [{}, {seed: 9, draw: 4, boxCox: -0.5}],
  fixed: (dims) => ({
    logits: Float32Array.from({length: dims.B * 2}, (_, j) => (j % 2 ? 0.1 * (j >> 1) - 0.35 : 0.05 * (j >> 1)))
  })
});
