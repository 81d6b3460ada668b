import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {aldrKl, ldrKl, ldrKlLosses} from "../../../src/losses/ldrKl.js";
import {sampleState} from "../../../src/losses/state.js";
import type {SampleState} from "../../../src/losses/state.js";
import {random} from "../../../src/random.js";
import {crossEntropyOracle} from "../../oracles/compSum.js";
import {aldrKlOracle, aldrLambdaOracle, gapsOracle, ldrKlOracle, ldrScoresOracle} from "../../oracles/ldrKl.js";
import type {AldrParams} from "../../oracles/ldrKl.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 6;
const C = 4;
useCpuBackend();

/** Seeded logits in [−scale, scale] and labels covering every class. */
function fixture(seed = 1, scale = 3, b = B) {
  const logits = random(seed)
    .fork("ldr")
    .uniforms(b * C, -scale, scale);
  const labels = Int32Array.from({length: b}, (_, i) => i % C);
  return {logits, labels};
}

function ldrValue(logits: Float32Array, labels: Int32Array, params: object = {}): number {
  return tf.tidy(
    () =>
      ldrKl
        .fn({logits: tf.tensor2d(logits, [labels.length, C]), labels: tf.tensor1d(labels, "int32")}, params)
        .dataSync()[0]
  );
}

function aldrValue(
  logits: Float32Array,
  labels: Int32Array,
  ids: Int32Array,
  state: SampleState,
  params: object = {}
): number {
  return tf.tidy(
    () =>
      aldrKl
        .fn(
          {
            logits: tf.tensor2d(logits, [labels.length, C]),
            labels: tf.tensor1d(labels, "int32"),
            ids: tf.tensor1d(ids, "int32"),
            state
          },
          params
        )
        .dataSync()[0]
  );
}

/** Per-sample max and mean of the margin-adjusted gaps of LDR's normalised scores, batch-averaged. */
function gapLimits(logits: Float32Array, labels: Int32Array, margin: number) {
  let max = 0,
    mean = 0;
  for (let i = 0; i < labels.length; ++i) {
    const d = gapsOracle(ldrScoresOracle(logits.subarray(i * C, (i + 1) * C)), labels[i], margin);
    max += Math.max(...d) / labels.length;
    mean += d.reduce((a, b) => a + b, 0) / C / labels.length;
  }
  return {max, mean};
}

describe("ldr-kl", () => {
  for (const [lambda, margin] of [
    [10, 0.1],
    [1, 0.1],
    [0.1, 1],
    [1, 0]
  ]) {
    test(`ldrKl({lambda: ${lambda}, margin: ${margin}}) equals the float64 reference`, () => {
      const {logits, labels} = fixture(2);
      expectClose([ldrValue(logits, labels, {lambda, margin})], [ldrKlOracle(logits, labels, C, lambda, margin)]);
    });
  }
  test("ldrKl() defaults to the official λ = 10, margin 0.1", () => {
    const {logits, labels} = fixture(3);
    expect(ldrKl.schema.lambda.default).toBe(10);
    expect(ldrKl.schema.margin.default).toBe(0.1);
    expectClose([ldrValue(logits, labels)], [ldrKlOracle(logits, labels, C, 10, 0.1)]);
  });
  test("ldrKl({lambda → 0}) approaches the Crammer–Singer max of margin-adjusted gaps", () => {
    const {logits, labels} = fixture(4);
    const {max, mean} = gapLimits(logits, labels, 0.5);
    expect(max - mean, "the two limits must differ for the test to mean anything").toBeGreaterThan(0.3);
    const gaps = [0.1, 0.01, 0.001].map((lambda) => Math.abs(ldrValue(logits, labels, {lambda, margin: 0.5}) - max));
    expect(gaps[1]).toBeLessThan(gaps[0]);
    expect(gaps[2]).toBeLessThan(gaps[1]);
    // λ·log mean exp(d/λ) = max d − λ log C + O(λ e^{−gap/λ}).
    expect(gaps[2]).toBeLessThan(0.001 * Math.log(C) + 1e-4);
  });
  test("ldrKl({lambda → ∞}) approaches the mean of margin-adjusted gaps", () => {
    const {logits, labels} = fixture(5);
    const {max, mean} = gapLimits(logits, labels, 0.5);
    expect(max - mean).toBeGreaterThan(0.3);
    const gaps = [10, 100, 1e4].map((lambda) => Math.abs(ldrValue(logits, labels, {lambda, margin: 0.5}) - mean));
    expect(gaps[1]).toBeLessThan(gaps[0]);
    expect(gaps[2]).toBeLessThan(gaps[1]);
    // λ·log mean exp(d/λ) = mean d + Var(d)/(2λ) + O(λ⁻²).
    expect(gaps[2]).toBeLessThan(1e-3);
  });
  test("ldrKl({lambda: 1, margin: 0}) is cross-entropy on the normalised scores minus log C", () => {
    const {logits, labels} = fixture(6);
    const scores = new Float64Array(B * C);
    for (let i = 0; i < B; ++i) scores.set(ldrScoresOracle(logits.subarray(i * C, (i + 1) * C)), i * C);
    expectClose(
      [ldrValue(logits, labels, {lambda: 1, margin: 0})],
      [crossEntropyOracle(scores, labels, C) - Math.log(C)]
    );
  });
  test("ldrKl: autograd matches central differences of the float64 reference", () => {
    const {logits, labels} = fixture(7, 2);
    const y = tf.tensor1d(labels, "int32");
    const x0 = tf.tensor2d(logits, [B, C]);
    for (const [lambda, margin] of [
      [1, 0.1],
      [0.3, 0.5]
    ]) {
      gradcheck(
        (x) => ldrKl.fn({logits: x as tf.Tensor2D, labels: y}, {lambda, margin}),
        (x) => ldrKlOracle(x, labels, C, lambda, margin),
        x0
      );
    }
    x0.dispose();
    y.dispose();
  });
  test("ldrKl stays finite in value and gradient for logits of ±1e4 and small λ", () => {
    const logits = Float32Array.from({length: B * C}, (_, j) => (j % 3 === 0 ? 1e4 : -1e4));
    const {labels} = fixture();
    for (const lambda of [1e-3, 10]) {
      const [v, g] = tf.tidy(() => {
        const y = tf.tensor1d(labels, "int32");
        const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
          ldrKl.fn({logits: x as tf.Tensor2D, labels: y}, {lambda})
        )(tf.tensor2d(logits, [B, C]));
        return [value.dataSync()[0], grad.dataSync()];
      });
      expect(Number.isFinite(v), `value ${v}`).toBe(true);
      expect(Array.from(g).every(Number.isFinite)).toBe(true);
    }
  });
  test("ldrKl: a one-sample batch equals the reference", () => {
    const {logits, labels} = fixture(8, 3, 1);
    expectClose([ldrValue(logits, labels)], [ldrKlOracle(logits, labels, C, 10, 0.1)]);
  });
  test("ldrKl: invalid hyper-parameters throw with the loss id and value", () => {
    const {logits, labels} = fixture();
    expect(() => ldrValue(logits, labels, {lambda: 0})).toThrow("ldr-kl: invalid lambda: 0");
    expect(() => ldrValue(logits, labels, {margin: -1})).toThrow("ldr-kl: invalid margin: -1");
  });
});

const official: AldrParams = {lambda0: 10, alpha: 2, margin: 0.1, softplus: false};

describe("aldr-kl", () => {
  test("aldrKl() from a fresh state equals the float64 reference and stores the updated λ", () => {
    const {logits, labels} = fixture(11);
    const ids = Int32Array.from([3, 0, 7, 5, 1, 9]);
    const state = sampleState({size: 10, initial: 10});
    const reference = new Float64Array(10).fill(10);
    const v = aldrValue(logits, labels, ids, state);
    const {loss} = aldrKlOracle(logits, labels, ids, C, reference, official);
    expectClose([v], [loss]);
    expectClose(state.readSync(), reference);
    // The update is not a no-op: every visited λ moved below λ0.
    for (const id of ids) expect(state.readSync()[id]).toBeLessThan(10 - 1e-3);
    state.dispose();
  });
  test("aldrKl(): the λ update over several steps matches a float64 reimplementation", () => {
    const state = sampleState({size: 12});
    const reference = new Float64Array(12);
    const params: AldrParams = {lambda0: 1, alpha: 1.5, margin: 0.3, softplus: false};
    for (let step = 0; step < 4; ++step) {
      const {logits, labels} = fixture(20 + step, 2 + step);
      const ids = Int32Array.from(random(step).fork("ids").permutation(12).subarray(0, B));
      const v = aldrValue(logits, labels, ids, state, params);
      const {loss} = aldrKlOracle(logits, labels, ids, C, reference, params);
      expectClose([v], [loss]);
      expectClose(state.readSync(), reference);
    }
    // Samples seen several times used their previous λ inside the softmax: the state is not just
    // a function of the last logits (a wrong "always start from λ0" update would fail the check above).
    const revisited = aldrLambdaOracle([1, 2, 0, -1], 0.6, params) - aldrLambdaOracle([1, 2, 0, -1], 1, params);
    expect(Math.abs(revisited)).toBeGreaterThan(1e-3);
    state.dispose();
  });
  test("aldrKl({softplus: true}) equals the float64 reference", () => {
    const {logits, labels} = fixture(12);
    const ids = Int32Array.from({length: B}, (_, i) => i);
    const state = sampleState({size: B});
    const params: AldrParams = {...official, softplus: true, lambda0: 0.5};
    const v = aldrValue(logits, labels, ids, state, {softplus: true, lambda0: 0.5});
    expectClose([v], [aldrKlOracle(logits, labels, ids, C, new Float64Array(B), params).loss]);
    state.dispose();
  });
  test("aldrKl: a state starting at 0 (not visited) and one starting at λ0 give the same step", () => {
    const {logits, labels} = fixture(13);
    const ids = Int32Array.from({length: B}, (_, i) => i);
    const zero = sampleState({size: B});
    const lambda0 = sampleState({size: B, initial: 10});
    expect(aldrValue(logits, labels, ids, zero)).toBe(aldrValue(logits, labels, ids, lambda0));
    expect(Array.from(zero.readSync())).toEqual(Array.from(lambda0.readSync()));
    zero.dispose();
    lambda0.dispose();
  });
  test("aldrKl: a sample confidently predicted as another class gets a smaller λ, an uncertain one keeps λ0", () => {
    // Row 0: label 0 but class 2 predicted with confidence; row 1: equal scores (uncertain).
    const logits = new Float32Array([-1, -1, 6, -1, 0.5, 0.5, 0.5, 0.5]);
    const labels = new Int32Array([0, 0]);
    const ids = new Int32Array([0, 1]);
    const state = sampleState({size: 2});
    const params = {lambda0: 1, alpha: 2};
    tf.tidy(() => {
      aldrKl.fn(
        {
          logits: tf.tensor2d(logits, [2, C]),
          labels: tf.tensor1d(labels, "int32"),
          ids: tf.tensor1d(ids, "int32"),
          state
        },
        params
      );
    });
    const [confident, uncertain] = state.readSync();
    const floor = 1 * (1 - 1 / 2);
    // The paper: a peaked prediction (large KL to uniform) pulls λᵢ toward λ0(1 − 1/α), i.e. toward the
    // max-margin end; a flat one leaves λᵢ ≈ λ0 (more label smoothing).
    expect(confident).toBeLessThan(0.8);
    expect(confident).toBeGreaterThan(floor);
    expect(uncertain).toBeCloseTo(1, 5);
    // As in the official code, the update reads the prediction only: the same logits with the
    // "right" label (2) give the same λ.
    const again = sampleState({size: 2});
    tf.tidy(() => {
      aldrKl.fn(
        {
          logits: tf.tensor2d(logits, [2, C]),
          labels: tf.tensor1d([2, 0], "int32"),
          ids: tf.tensor1d(ids, "int32"),
          state: again
        },
        params
      );
    });
    expect(again.readSync()[0]).toBe(confident);
    state.dispose();
    again.dispose();
  });
  test("aldrKl keeps every λᵢ in (λ0(1 − 1/α), λ0] for peaked and flat rows", () => {
    const logits = Float32Array.from({length: 8 * C}, (_, j) => (j % 5 === 0 ? 50 : j % 7) - 3);
    const labels = Int32Array.from({length: 8}, (_, i) => i % C);
    const ids = Int32Array.from({length: 8}, (_, i) => i);
    const state = sampleState({size: 8});
    for (let step = 0; step < 3; ++step) aldrValue(logits, labels, ids, state, {lambda0: 2, alpha: 1.5});
    for (const v of state.readSync()) {
      expect(v).toBeGreaterThan(2 * (1 - 1 / 1.5));
      expect(v).toBeLessThanOrEqual(2);
    }
    state.dispose();
  });
  test("aldrKl({softplus: true, alpha → ∞}) equals ldrKl({lambda: lambda0}) (λ frozen at λ0)", () => {
    const {logits, labels} = fixture(14);
    const ids = Int32Array.from({length: B}, (_, i) => i);
    const state = sampleState({size: B});
    for (const lambda0 of [0.5, 10]) {
      state.reset();
      const adaptive = aldrValue(logits, labels, ids, state, {softplus: true, alpha: 1e6, lambda0});
      expectClose([adaptive], [ldrValue(logits, labels, {lambda: lambda0})]);
      expectClose(state.readSync(), new Float32Array(B).fill(lambda0), {rtol: 1e-5, atol: 0});
    }
    // … while a finite α moves λ: the equality above is not automatic.
    state.reset();
    aldrValue(logits, labels, ids, state, {softplus: true, alpha: 1.5, lambda0: 0.5});
    for (const v of state.readSync()) expect(v).toBeLessThan(0.49);
    state.dispose();
  });
  test("aldrKl.terms() does not touch the state; fn() writes it", () => {
    const {logits, labels} = fixture(15);
    const ids = Int32Array.from({length: B}, (_, i) => i);
    const state = sampleState({size: B});
    tf.tidy(() => {
      aldrKl.terms({
        logits: tf.tensor2d(logits, [B, C]),
        labels: tf.tensor1d(labels, "int32"),
        ids: tf.tensor1d(ids, "int32"),
        state
      });
    });
    expect(Array.from(state.readSync()).every((v) => v === 0)).toBe(true);
    aldrValue(logits, labels, ids, state);
    expect(Array.from(state.readSync()).every((v) => v > 0)).toBe(true);
    state.dispose();
  });
  test("aldrKl: autograd (λ detached) matches float64 central differences with λ held fixed", () => {
    const {logits, labels} = fixture(16, 2);
    const ids = Int32Array.from({length: B}, (_, i) => i);
    const params: AldrParams = {lambda0: 1, alpha: 2, margin: 0.2, softplus: false};
    const {lambdas} = aldrKlOracle(logits, labels, ids, C, new Float64Array(B), params);
    const state = sampleState({size: B});
    const grad = tf.tidy(() => {
      const y = tf.tensor1d(labels, "int32");
      const i = tf.tensor1d(ids, "int32");
      return tf
        .grad((x: tf.Tensor) => aldrKl.fn({logits: x as tf.Tensor2D, labels: y, ids: i, state}, params))(
          tf.tensor2d(logits, [B, C])
        )
        .dataSync();
    });
    const rng = random(3).fork("direction");
    for (let d = 0; d < 3; ++d) {
      const u = Float64Array.from(rng.normals(B * C));
      const norm = Math.hypot(...u);
      let auto = 0;
      for (let j = 0; j < u.length; ++j) auto += (grad[j] * u[j]) / norm;
      const eps = 1e-6;
      const at = (s: number) =>
        aldrKlOracle(
          Float64Array.from(logits, (v, j) => v + (s * eps * u[j]) / norm),
          labels,
          ids,
          C,
          new Float64Array(B),
          params,
          lambdas
        ).loss;
      const fd = (at(1) - at(-1)) / (2 * eps);
      expect(Math.abs(auto - fd), `direction ${d}: ${auto} vs ${fd}`).toBeLessThan(1e-5 + 1e-3 * Math.abs(fd));
    }
    state.dispose();
  });
  test("aldrKl stays finite for a row of zeros and for logits of ±1e4", () => {
    const logits = Float32Array.from({length: B * C}, (_, j) => (j < C ? 0 : j % 3 === 0 ? 1e4 : -1e4));
    const {labels} = fixture();
    const ids = Int32Array.from({length: B}, (_, i) => i);
    const state = sampleState({size: B});
    const [v, g] = tf.tidy(() => {
      const y = tf.tensor1d(labels, "int32");
      const i = tf.tensor1d(ids, "int32");
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
        aldrKl.fn({logits: x as tf.Tensor2D, labels: y, ids: i, state})
      )(tf.tensor2d(logits, [B, C]));
      return [value.dataSync()[0], grad.dataSync()];
    });
    expect(Number.isFinite(v), `value ${v}`).toBe(true);
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
    expect(Array.from(state.readSync()).every(Number.isFinite)).toBe(true);
    state.dispose();
  });
  test("aldrKl without a state names the missing input", () => {
    const {logits, labels} = fixture();
    expect(() =>
      tf.tidy(() =>
        aldrKl.fn({
          logits: tf.tensor2d(logits, [B, C]),
          labels: tf.tensor1d(labels, "int32"),
          ids: tf.tensor1d(
            Int32Array.from({length: B}, (_, i) => i),
            "int32"
          )
        })
      )
    ).toThrow(/^aldr-kl: missing input state .*sampleState\(\{size, initial\}\)/);
  });
  test("aldrKl: invalid hyper-parameters throw with the loss id and value", () => {
    const {logits, labels} = fixture();
    const state = sampleState({size: B});
    const ids = Int32Array.from({length: B}, (_, i) => i);
    expect(() => aldrValue(logits, labels, ids, state, {alpha: 1})).toThrow("aldr-kl: invalid alpha: 1");
    expect(() => aldrValue(logits, labels, ids, state, {lambda0: 0})).toThrow("aldr-kl: invalid lambda0: 0");
    state.dispose();
  });
});

test("ldrKlLosses lists both losses", () => {
  expect(ldrKlLosses.map((l) => l.id)).toEqual(["ldr-kl", "aldr-kl"]);
});

lossContract(ldrKl, {params: [{}, {lambda: 0.01, margin: 1}]});
lossContract(aldrKl, {
  params: [{}, {softplus: true, lambda0: 0.1, alpha: 1.5}],
  state: (dims) => sampleState({size: dims.B})
});
