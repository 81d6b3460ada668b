import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {dice, diceLosses, tversky} from "../../../src/losses/dice.js";
import type {LossSpec} from "../../../src/losses/defineLoss.js";
import {random} from "../../../src/random.js";
import {diceOracle, tverskyOracle} from "../../oracles/dice.js";
import type {DiceOptions, TverskyOptions} from "../../oracles/dice.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 8;
useCpuBackend();

/** Seeded logits in [−scale, scale] and labels covering every class, more of class 0 (imbalanced). */
function fixture(classes: number, seed = 1, scale = 2.5, b = B) {
  const logits = random(seed)
    .fork("dice")
    .uniforms(b * classes, -scale, scale);
  const labels = Int32Array.from({length: b}, (_, i) => (i % 3 === 2 ? i % classes : 0));
  labels[1] = classes - 1;
  return {logits, labels};
}

function value(
  loss: LossSpec<any>,
  logits: Float32Array,
  labels: Int32Array,
  classes: number,
  params: object = {}
): number {
  return tf.tidy(
    () =>
      loss
        .fn({logits: tf.tensor2d(logits, [labels.length, classes]), labels: tf.tensor1d(labels, "int32")}, params)
        .dataSync()[0]
  );
}

const denominators = ["square", "batch", "linear"] as const;

describe("dice", () => {
  for (const mode of ["multiclass", "binary"] as const) {
    const C = mode === "binary" ? 2 : 4;
    for (const denominator of denominators) {
      for (const [alpha, smooth] of [
        [0.01, 1],
        [0, 1e-4],
        [0.5, 0.1]
      ]) {
        test(`dice(${JSON.stringify({mode, denominator, alpha, smooth})}) equals the float64 reference`, () => {
          const {logits, labels} = fixture(C, 2);
          const o: DiceOptions = {alpha, smooth, denominator, mode};
          expectClose([value(dice, logits, labels, C, o)], [diceOracle(logits, labels, C, o)]);
        });
      }
    }
  }
  test("dice() defaults to the released scripts: α = 0.01, γ = 1, square denominator, multiclass", () => {
    expect(dice.schema.alpha.default).toBe(0.01);
    expect(dice.schema.smooth.default).toBe(1);
    expect(dice.schema.denominator.default).toBe("square");
    expect(dice.schema.mode.default).toBe("multiclass");
    const {logits, labels} = fixture(3, 3);
    const o: DiceOptions = {alpha: 0.01, smooth: 1, denominator: "square", mode: "multiclass"};
    expectClose([value(dice, logits, labels, 3)], [diceOracle(logits, labels, 3, o)]);
  });
  test("dice({alpha}) changes the loss: the (1 − p)^α factor is applied", () => {
    const {logits, labels} = fixture(4, 4);
    const plain = value(dice, logits, labels, 4, {alpha: 0});
    const adjusted = value(dice, logits, labels, 4, {alpha: 0.5});
    expect(Math.abs(adjusted - plain)).toBeGreaterThan(0.05);
  });
  test('dice({mode: "binary"}) is one batch-level Dice, not the per-class sum of the multiclass path', () => {
    const {logits, labels} = fixture(2, 5);
    const binary = value(dice, logits, labels, 2, {mode: "binary"});
    const multi = value(dice, logits, labels, 2, {mode: "multiclass"});
    expect(Math.abs(binary - multi)).toBeGreaterThan(0.05);
  });
  test("dice(): per-sample weights give the weighted mean of per-example values", () => {
    const {logits, labels} = fixture(4, 6);
    const w = Float32Array.from({length: B}, (_, i) => 0.5 + (i % 3));
    const v = tf.tidy(
      () =>
        dice
          .fn({logits: tf.tensor2d(logits, [B, 4]), labels: tf.tensor1d(labels, "int32"), weights: tf.tensor1d(w)})
          .dataSync()[0]
    );
    const o: DiceOptions = {alpha: 0.01, smooth: 1, denominator: "square", mode: "multiclass"};
    expectClose([v], [diceOracle(logits, labels, 4, o, w)]);
  });
  test('dice({mode: "binary"}) rejects per-sample weights and logits that are not [B, 2]', () => {
    const {logits, labels} = fixture(2);
    expect(() =>
      tf.tidy(() =>
        dice.fn(
          {
            logits: tf.tensor2d(logits, [B, 2]),
            labels: tf.tensor1d(labels, "int32"),
            weights: tf.ones([B]) as tf.Tensor1D
          },
          {mode: "binary"}
        )
      )
    ).toThrow(/^dice: per-sample weights are not supported in binary mode/);
    expect(() => value(dice, new Float32Array(12), new Int32Array(4), 3, {mode: "binary"})).toThrow(
      "dice: logits must be [B, 2] in binary mode (the score is z₁ − z₀), got [4,3]"
    );
  });
  for (const mode of ["multiclass", "binary"] as const) {
    test(`dice({mode: "${mode}"}): autograd matches central differences of the float64 reference`, () => {
      const C = mode === "binary" ? 2 : 4;
      const {logits, labels} = fixture(C, 7, 1.5);
      const y = tf.tensor1d(labels, "int32");
      const x0 = tf.tensor2d(logits, [B, C]);
      for (const denominator of denominators) {
        const o: DiceOptions = {alpha: 0.3, smooth: 0.5, denominator, mode};
        gradcheck(
          (x) => dice.fn({logits: x as tf.Tensor2D, labels: y}, o),
          (x) => diceOracle(x, labels, C, o),
          x0
        );
      }
      x0.dispose();
      y.dispose();
    });
  }
  test("dice stays finite where p rounds to 1 ((1 − p)^α) and for logits of ±1e4", () => {
    for (const mode of ["multiclass", "binary"] as const) {
      const C = mode === "binary" ? 2 : 3;
      for (const scale of [50, 1e4]) {
        const logits = Float32Array.from({length: 4 * C}, (_, j) => (j % (C + 1) === 0 ? scale : -scale));
        const labels = Int32Array.from({length: 4}, (_, i) => i % 2);
        for (const denominator of denominators) {
          const [v, g] = tf.tidy(() => {
            const yt = tf.tensor1d(labels, "int32");
            const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
              dice.fn({logits: x as tf.Tensor2D, labels: yt}, {mode, denominator, alpha: 0.01})
            )(tf.tensor2d(logits, [4, C]));
            return [value.dataSync()[0], grad.dataSync()];
          });
          expect(Number.isFinite(v), `${mode} ${denominator} ${scale}: value ${v}`).toBe(true);
          expect(Array.from(g).every(Number.isFinite), `${mode} ${denominator} ${scale}: gradient`).toBe(true);
        }
      }
    }
  });
  test("dice: invalid hyper-parameters throw with the loss id and value", () => {
    const {logits, labels} = fixture(3);
    expect(() => value(dice, logits, labels, 3, {alpha: -1})).toThrow("dice: invalid alpha: -1");
    expect(() => value(dice, logits, labels, 3, {smooth: 0})).toThrow("dice: invalid smooth: 0");
    expect(() => value(dice, logits, labels, 3, {denominator: "cube"})).toThrow('dice: invalid denominator: "cube"');
  });
});

describe("tversky", () => {
  for (const mode of ["multiclass", "binary"] as const) {
    const C = mode === "binary" ? 2 : 4;
    for (const [alpha, beta, smooth] of [
      [0.5, 0.5, 1],
      [0.3, 0.7, 1],
      [0.9, 0.1, 1e-3]
    ]) {
      test(`tversky(${JSON.stringify({mode, alpha, beta, smooth})}) equals the float64 reference`, () => {
        const {logits, labels} = fixture(C, 8);
        const o: TverskyOptions = {alpha, beta, smooth, mode};
        expectClose([value(tversky, logits, labels, C, o)], [tverskyOracle(logits, labels, C, o)]);
      });
    }
    test(`tversky({alpha: 0.5, beta: 0.5, smooth: γ, mode: "${mode}"}) equals dice({alpha: 0, denominator: "linear", smooth: 2γ})`, () => {
      const {logits, labels} = fixture(C, 9);
      for (const gamma of [1, 0.05]) {
        const t = value(tversky, logits, labels, C, {alpha: 0.5, beta: 0.5, smooth: gamma, mode});
        const d = value(dice, logits, labels, C, {alpha: 0, denominator: "linear", smooth: 2 * gamma, mode});
        expectClose([t], [d]);
        const o: DiceOptions = {alpha: 0, smooth: 2 * gamma, denominator: "linear", mode};
        expectClose([t], [diceOracle(logits, labels, C, o)]);
      }
      // … and not with unequal weights
      const skew = value(tversky, logits, labels, C, {alpha: 0.1, beta: 0.9, smooth: 1, mode});
      expect(
        Math.abs(skew - value(dice, logits, labels, C, {alpha: 0, denominator: "linear", smooth: 2, mode}))
      ).toBeGreaterThan(1e-3);
    });
  }
  test("tversky({beta}) weighs false negatives: a missed positive costs more as β grows, a false alarm does not", () => {
    // binary: sample 0 is a positive predicted negative (FN), sample 1 a negative predicted positive (FP)
    const logits = new Float32Array([2, -2, -2, 2]);
    const missed = new Int32Array([1]);
    const alarm = new Int32Array([0]);
    const at = (labels: Int32Array, row: number, beta: number) =>
      value(tversky, logits.slice(2 * row, 2 * row + 2), labels, 2, {mode: "binary", alpha: 0.5, beta});
    expect(at(missed, 0, 0.9)).toBeGreaterThan(at(missed, 0, 0.1) + 0.1);
    expect(at(alarm, 1, 0.9)).toBeCloseTo(at(alarm, 1, 0.1), 6);
  });
  test("tversky: autograd matches central differences of the float64 reference", () => {
    for (const mode of ["multiclass", "binary"] as const) {
      const C = mode === "binary" ? 2 : 4;
      const {logits, labels} = fixture(C, 10, 1.5);
      const y = tf.tensor1d(labels, "int32");
      const x0 = tf.tensor2d(logits, [B, C]);
      const o: TverskyOptions = {alpha: 0.3, beta: 0.7, smooth: 0.5, mode};
      gradcheck(
        (x) => tversky.fn({logits: x as tf.Tensor2D, labels: y}, o),
        (x) => tverskyOracle(x, labels, C, o),
        x0
      );
      x0.dispose();
      y.dispose();
    }
  });
  test("tversky stays finite for logits of ±1e4", () => {
    const logits = Float32Array.from({length: 12}, (_, j) => (j % 4 === 0 ? 1e4 : -1e4));
    const labels = new Int32Array([0, 1, 2, 1]);
    const [v, g] = tf.tidy(() => {
      const yt = tf.tensor1d(labels, "int32");
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => tversky.fn({logits: x as tf.Tensor2D, labels: yt}))(
        tf.tensor2d(logits, [4, 3])
      );
      return [value.dataSync()[0], grad.dataSync()];
    });
    expect(Number.isFinite(v)).toBe(true);
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
  test("tversky: invalid hyper-parameters throw with the loss id and value", () => {
    const {logits, labels} = fixture(3);
    expect(() => value(tversky, logits, labels, 3, {beta: 2})).toThrow("tversky: invalid beta: 2");
    expect(() => value(tversky, logits, labels, 3, {mode: "multilabel"})).toThrow(
      'tversky: invalid mode: "multilabel"'
    );
  });
});

test("dice and tversky: a one-sample batch equals the references in both modes", () => {
  for (const mode of ["multiclass", "binary"] as const) {
    const C = mode === "binary" ? 2 : 3;
    const logits = new Float32Array(C).map((_, k) => 0.7 * k - 0.4);
    const labels = new Int32Array([1]);
    for (const denominator of denominators) {
      const o: DiceOptions = {alpha: 0.01, smooth: 1, denominator, mode};
      expectClose([value(dice, logits, labels, C, o)], [diceOracle(logits, labels, C, o)]);
    }
    const t: TverskyOptions = {alpha: 0.3, beta: 0.7, smooth: 1, mode};
    expectClose([value(tversky, logits, labels, C, t)], [tverskyOracle(logits, labels, C, t)]);
  }
});

test("diceLosses lists dice and tversky", () => {
  expect(diceLosses.map((l) => l.id)).toEqual(["dice", "tversky"]);
});

lossContract(dice, {params: [{}, {denominator: "batch", alpha: 0.5}, {denominator: "linear", smooth: 1e-4}]});
lossContract(dice.with({mode: "binary"}), {
  dims: {C: 2},
  params: [{}, {denominator: "batch"}, {denominator: "linear"}]
});
lossContract(tversky, {params: [{}, {alpha: 0.2, beta: 0.8}]});
lossContract(tversky.with({mode: "binary"}), {dims: {C: 2}});
