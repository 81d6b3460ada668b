import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {mean, meanNonZero, reduceTerms, sum} from "../../../src/losses/reducers.js";
import {detach, noGradient} from "../../../src/losses/masks.js";
import {sampleState} from "../../../src/losses/state.js";
import {expectClose} from "../../util/close.js";

const leaks = useCpuBackend();

const read = (f: () => tf.Tensor) => tf.tidy(() => Array.from(f().dataSync()));

describe("reducers", () => {
  test("mean(term, weights) is Σ wℓ / Σ w", () => {
    const v = read(() => mean({values: tf.tensor1d([1, 2, 3]), kind: "element"}, tf.tensor1d([1, 0, 3])));
    expectClose(v, [(1 + 9) / 4]);
  });
  test("meanNonZero averages only the positive weighted values (PML's AvgNonZeroReducer)", () => {
    const v = read(() =>
      meanNonZero({values: tf.tensor1d([0, 2, 4, 6]), kind: "pair", weights: tf.tensor1d([1, 1, 1, 0])})
    );
    expectClose(v, [3]);
  });
  test("meanNonZero of nothing is exactly 0 with a zero, finite gradient", () => {
    const [v, g] = tf.tidy(() => {
      const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => meanNonZero({values: tf.relu(x), kind: "pair"}))(
        tf.tensor1d([-1, -2, -3])
      );
      return [value.dataSync()[0], Array.from(grad.dataSync())];
    });
    expect(v).toBe(0);
    expect(g).toEqual([0, 0, 0]);
  });
  test("sum(term) adds the weighted values", () => {
    expectClose(
      read(() => sum({values: tf.tensor1d([1, 2]), kind: "element", weights: tf.tensor1d([2, 3])})),
      [8]
    );
  });
  test("reduceTerms adds several terms and backpropagates through all of them", () => {
    const g = read(() =>
      tf.grad((x: tf.Tensor) =>
        reduceTerms({
          a: {values: tf.square(x), kind: "element"},
          b: {values: tf.mul(x, 3), kind: "element", reduce: "sum"},
          c: {values: x, kind: "pair", reduce: "mean-nonzero"}
        })
      )(tf.tensor1d([1, 2]))
    );
    // d/dx [mean(x²) + 3Σx + Σx/#(x>0)] = x + 3 + 1/2
    expectClose(g, [1 + 3.5, 2 + 3.5]);
  });
  test("reduceTerms applies per-sample weights to per-sample terms only, times the term's own weights", () => {
    const v = read(() =>
      reduceTerms(
        {
          perSample: {values: tf.tensor1d([1, 3]), kind: "element", weights: tf.tensor1d([2, 1])},
          pairs: {values: tf.tensor2d([1, 1, 1, 1], [2, 2]), kind: "pair"}
        },
        tf.tensor1d([1, 3])
      )
    );
    // (2·1·1 + 1·3·3) / (2 + 3) + 1
    expectClose(v, [11 / 5 + 1]);
  });
});

describe("gradient stops", () => {
  test("detach(x) passes the value and no gradient", () => {
    const g = read(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, detach(tf.square(x)))))(tf.tensor1d([1, 2])));
    expectClose(g, [1, 4]);
  });
  test("noGradient(f) lets a comparison sit on the gradient path", () => {
    const positive = noGradient((x) => tf.cast(tf.greater(x, 0), "float32"));
    const g = read(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, positive(x))))(tf.tensor1d([1, -2, 3])));
    expectClose(g, [1, 0, 1]);
  });
  test("a bare comparison on the gradient path makes tf.grad throw (why noGradient exists)", () => {
    expect(() =>
      tf.tidy(() =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, tf.cast(tf.greater(x, 0), "float32"))))(tf.tensor1d([1]))
      )
    ).toThrow(/gradient function not found for Greater/);
    // TF.js leaves the failed tape's tensors behind; they are not ours to count.
    leaks.recount();
  });
});

describe("sampleState", () => {
  test("gather reads, write replaces the given ids only, reset restores the initial value", () => {
    const state = sampleState({size: 5, initial: 0.5});
    tf.tidy(() => state.write(tf.tensor1d([3, 1], "int32"), tf.tensor1d([2, 7])));
    expect(Array.from(state.readSync())).toEqual([0.5, 7, 0.5, 2, 0.5]);
    expect(read(() => state.gather(tf.tensor1d([1, 3, 0], "int32")))).toEqual([7, 2, 0.5]);
    state.reset();
    expect(Array.from(state.readSync())).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    state.dispose();
  });
  test("writes inside a gradient computation stay off the tape", () => {
    const state = sampleState({size: 3, initial: 1});
    const ids = tf.tensor1d([0, 2], "int32");
    const g = read(() =>
      tf.grad((x: tf.Tensor) => {
        const lambda = state.gather(ids);
        const loss = tf.sum(tf.mul(x, lambda));
        state.write(ids, tf.add(lambda, detach(x)) as tf.Tensor1D);
        return loss as tf.Scalar;
      })(tf.tensor1d([5, 6]))
    );
    expectClose(g, [1, 1]);
    expect(Array.from(state.readSync())).toEqual([6, 1, 7]);
    ids.dispose();
    state.dispose();
  });
  test("bad sizes and ids are named", () => {
    expect(() => sampleState({size: 0})).toThrow("invalid size: 0");
    const state = sampleState({size: 2});
    expect(() => tf.tidy(() => state.gather(tf.tensor1d([0, 1])))).toThrow(
      /ids must be \[B\] int32, got \[2\] float32/
    );
    state.dispose();
  });
});
