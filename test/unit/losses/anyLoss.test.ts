import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {anyLoss, anyLossLosses, anyLossMetrics, softConfusion} from "../../../src/losses/anyLoss.js";
import {random} from "../../../src/random.js";
import {anyLossOracle, confusionOracle, hardMetricOracle} from "../../oracles/anyLoss.js";
import type {Metric} from "../../oracles/anyLoss.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const B = 10;
useCpuBackend();

/** Two-column logits (p = σ(z₁ − z₀) spread over (0, 1)) and an imbalanced label vector. */
function fixture(seed = 1, scale = 2, b = B) {
  const logits = random(seed)
    .fork("any")
    .uniforms(b * 2, -scale, scale);
  const labels = Int32Array.from({length: b}, (_, i) => (i % 3 === 0 ? 1 : 0));
  return {logits, labels};
}

function value(logits: Float32Array, labels: Int32Array, params: object = {}): number {
  return tf.tidy(
    () =>
      anyLoss
        .fn({logits: tf.tensor2d(logits, [labels.length, 2]), labels: tf.tensor1d(labels, "int32")}, params)
        .dataSync()[0]
  );
}

describe("anyloss", () => {
  for (const metric of anyLossMetrics) {
    for (const amplifier of [73, 5]) {
      test(`anyLoss({metric: "${metric}", amplifier: ${amplifier}}) equals the float64 reference`, () => {
        const {logits, labels} = fixture(2);
        expectClose(
          [value(logits, labels, {metric, amplifier})],
          [anyLossOracle(logits, labels, metric as Metric, amplifier)]
        );
      });
    }
  }
  test('anyLoss({metric: "f1", beta: 2}) equals the F-β reference', () => {
    const {logits, labels} = fixture(3);
    expectClose([value(logits, labels, {beta: 2})], [anyLossOracle(logits, labels, "f1", 73, 2)]);
  });
  test("anyLoss() defaults to F1 with the paper's amplifier L = 73", () => {
    expect(anyLoss.schema.metric.default).toBe("f1");
    expect(anyLoss.schema.amplifier.default).toBe(73);
  });
  test("softConfusion entries equal the reference and sum to the batch size", () => {
    const {logits, labels} = fixture(4);
    for (const amplifier of [1, 73, 1e4]) {
      const [tp, fp, fn, tn] = tf.tidy(() => {
        const m = softConfusion(tf.tensor2d(logits, [B, 2]), tf.tensor1d(labels, "int32"), amplifier);
        return [m.tp, m.fp, m.fn, m.tn].map((t) => t.dataSync()[0]);
      });
      const ref = confusionOracle(logits, labels, amplifier);
      expectClose([tp, fp, fn, tn], [ref.tp, ref.fp, ref.fn, ref.tn]);
      expect(tp + fp + fn + tn).toBeCloseTo(B, 4);
      expect(tp + fn).toBeCloseTo(ref.n1, 4);
      expect(Math.min(tp, fp, fn, tn)).toBeGreaterThanOrEqual(0);
    }
  });
  for (const metric of anyLossMetrics) {
    test(`anyLoss({metric: "${metric}"}) approaches 1 − the hard ${metric} as the amplifier grows`, () => {
      const {logits, labels} = fixture(5, 3, 24);
      // keep p away from ½ so the hard decisions are unambiguous
      for (let i = 0; i < 24; ++i) if (Math.abs(logits[2 * i + 1] - logits[2 * i]) < 0.3) logits[2 * i + 1] += 0.6;
      const hard = 1 - hardMetricOracle(logits, labels, metric as Metric);
      const gaps = [2, 6, 20, 3000].map((amplifier) => Math.abs(value(logits, labels, {metric, amplifier}) - hard));
      expect(gaps[0], "the soft and hard metrics must differ at small L").toBeGreaterThan(0.01);
      expect(gaps[1]).toBeLessThan(gaps[0]);
      expect(gaps[2]).toBeLessThan(gaps[1]);
      expect(gaps[3]).toBeLessThanOrEqual(gaps[2]);
      expect(gaps[3]).toBeLessThan(1e-4);
    });
  }
  for (const metric of anyLossMetrics) {
    test(`anyLoss({metric: "${metric}"}): autograd matches central differences of the float64 reference`, () => {
      const {logits, labels} = fixture(6, 1.5);
      const y = tf.tensor1d(labels, "int32");
      const x0 = tf.tensor2d(logits, [B, 2]);
      for (const amplifier of [4, 20]) {
        gradcheck(
          (x) => anyLoss.fn({logits: x as tf.Tensor2D, labels: y}, {metric, amplifier}),
          (x) => anyLossOracle(x, labels, metric as Metric, amplifier),
          x0
        );
      }
      x0.dispose();
      y.dispose();
    });
  }
  test("anyLoss stays finite for one-class batches and for logits of ±1e4", () => {
    const cases = [
      {
        logits: Float32Array.from({length: 8}, (_, j) => (j % 3 === 0 ? 1e4 : -1e4)),
        labels: new Int32Array([1, 0, 1, 0])
      },
      {logits: new Float32Array([0.3, -0.2, 1, 2, -1, 0.5, 0, 0]), labels: new Int32Array([0, 0, 0, 0])},
      {logits: new Float32Array([0.3, -0.2, 1, 2, -1, 0.5, 0, 0]), labels: new Int32Array([1, 1, 1, 1])}
    ];
    for (const {logits, labels} of cases) {
      for (const metric of anyLossMetrics) {
        const [v, g] = tf.tidy(() => {
          const y = tf.tensor1d(labels, "int32");
          const {value, grad} = tf.valueAndGrad((x: tf.Tensor) =>
            anyLoss.fn({logits: x as tf.Tensor2D, labels: y}, {metric})
          )(tf.tensor2d(logits, [4, 2]));
          return [value.dataSync()[0], grad.dataSync()];
        });
        expect(Number.isFinite(v), `${metric}: value ${v}`).toBe(true);
        expect(Array.from(g).every(Number.isFinite), `${metric}: gradient`).toBe(true);
      }
    }
  });
  test("anyLoss rejects per-sample weights instead of ignoring them", () => {
    const {logits, labels} = fixture();
    expect(() =>
      tf.tidy(() =>
        anyLoss.fn({
          logits: tf.tensor2d(logits, [B, 2]),
          labels: tf.tensor1d(labels, "int32"),
          weights: tf.ones([B]) as tf.Tensor1D
        })
      )
    ).toThrow(/^anyloss: per-sample weights are not supported/);
  });
  test("anyLoss rejects logits that are not [B, 2]", () => {
    expect(() =>
      tf.tidy(() =>
        anyLoss.fn({logits: tf.zeros([4, 3]) as tf.Tensor2D, labels: tf.zeros([4], "int32") as tf.Tensor1D})
      )
    ).toThrow("anyloss: logits must be [B, 2]");
  });
  test("anyLoss: invalid hyper-parameters throw with the loss id and value", () => {
    const {logits, labels} = fixture();
    expect(() => value(logits, labels, {metric: "precision"})).toThrow('anyloss: invalid metric: "precision"');
    expect(() => value(logits, labels, {amplifier: 0})).toThrow("anyloss: invalid amplifier: 0");
  });
  test("anyLossLosses lists anyloss", () => {
    expect(anyLossLosses.map((l) => l.id)).toEqual(["anyloss"]);
  });
});

lossContract(anyLoss, {
  dims: {C: 2},
  params: anyLossMetrics.map((metric) => ({metric}))
});
