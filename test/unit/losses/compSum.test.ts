import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {
  compSum,
  crossEntropy,
  generalizedCrossEntropy,
  getLoss,
  losses,
  meanAbsoluteError,
  sumExponential
} from "../../../src/losses/index.js";
import {random} from "../../../src/random.js";
import {compSumOracle, crossEntropyOracle, weightedCrossEntropyOracle} from "../../oracles/compSum.js";
import {expectClose} from "../../util/close.js";
import {gradcheck} from "../../util/gradcheck.js";
import {lossContract} from "../../util/lossContract.js";

const C = 4;
const B = 6;
useCpuBackend();

/** Readable seeded logits in [−3, 3] and labels covering every class. */
function fixture(seed = 1, scale = 3) {
  const rng = random(seed).fork("fixture");
  const logits = rng.uniforms(B * C, -scale, scale);
  const labels = Int32Array.from({length: B}, (_, i) => i % C);
  return {logits, labels};
}

function value(
  loss: (typeof losses)[string],
  logits: Float32Array,
  labels: Int32Array,
  params?: object,
  shape = [B, C]
): number {
  return tf.tidy(
    () =>
      loss
        .fn({logits: tf.tensor2d(logits, shape as [number, number]), labels: tf.tensor1d(labels, "int32")}, params)
        .dataSync()[0]
  );
}

describe("comp-sum family values match float64 references", () => {
  for (const tau of [0, 0.5, 1, 1.5, 1.7, 2]) {
    test(`compSum({tau: ${tau}}) equals Φ^τ(u) averaged over the batch`, () => {
      const {logits, labels} = fixture(2);
      expectClose([value(compSum, logits, labels, {tau})], [compSumOracle(logits, labels, C, tau)]);
    });
  }
  test("crossEntropy() equals −log p_y", () => {
    const {logits, labels} = fixture(3);
    expectClose([value(crossEntropy, logits, labels)], [crossEntropyOracle(logits, labels, C)]);
  });
  test("crossEntropy({smoothing: 0.1}) equals the smoothed-target cross-entropy", () => {
    const {logits, labels} = fixture(3);
    expectClose([value(crossEntropy, logits, labels, {smoothing: 0.1})], [crossEntropyOracle(logits, labels, C, 0.1)]);
  });
  test("crossEntropy() agrees with tf.losses.softmaxCrossEntropy", () => {
    const {logits, labels} = fixture(4);
    const reference = tf.tidy(
      () =>
        tf.losses
          .softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, "int32"), C), tf.tensor2d(logits, [B, C]))
          .dataSync()[0]
    );
    expectClose([value(crossEntropy, logits, labels)], [reference]);
  });
});

describe("cross-entropy class weights (PyTorch's weight=)", () => {
  function weighted(
    logits: Float32Array,
    labels: Int32Array,
    classWeights: Float32Array,
    params?: object,
    sampleWeights?: Float32Array,
    classes = C
  ): number {
    return tf.tidy(
      () =>
        crossEntropy
          .fn(
            {
              logits: tf.tensor2d(logits, [labels.length, classes]),
              labels: tf.tensor1d(labels, "int32"),
              classWeights: tf.tensor1d(classWeights),
              ...(sampleWeights ? {weights: tf.tensor1d(sampleWeights)} : {})
            },
            params
          )
          .dataSync()[0]
    );
  }
  const w = new Float32Array([0.5, 2, 1, 3]);
  test("crossEntropy with classWeights [1, 3] on a hand-computed batch is (ln 2 + 3 ln 4)/4", () => {
    // sample 0: logits [0, 0], label 0 → −log p = ln 2; sample 1: logits [ln 3, 0], label 1 → p = 1/4.
    const logits = new Float32Array([0, 0, Math.log(3), 0]);
    const labels = new Int32Array([0, 1]);
    const classWeights = new Float32Array([1, 3]);
    expectClose([weighted(logits, labels, classWeights, undefined, undefined, 2)], [(7 * Math.LN2) / 4]);
    // with smoothing 0.2: 0.8·(7 ln 2)/4 + (0.2/2)·(Σᵢ Σ_k w_k(−log p_ik))/4 = 1.7 ln 2 − 0.025 ln 3
    expectClose(
      [weighted(logits, labels, classWeights, {smoothing: 0.2}, undefined, 2)],
      [1.7 * Math.LN2 - 0.025 * Math.log(3)]
    );
  });
  test("crossEntropy with classWeights equals Σ w_y ℓ / Σ w_y", () => {
    const {logits, labels} = fixture(14);
    expectClose([weighted(logits, labels, w)], [weightedCrossEntropyOracle(logits, labels, C, w)]);
  });
  test("crossEntropy({smoothing}) with classWeights weights the smoothing part by every class, as PyTorch", () => {
    const {logits, labels} = fixture(15);
    for (const smoothing of [0.1, 0.3])
      expectClose(
        [weighted(logits, labels, w, {smoothing})],
        [weightedCrossEntropyOracle(logits, labels, C, w, smoothing)]
      );
  });
  test("equal classWeights of any size give the unweighted loss (the mean divides by Σ w_y)", () => {
    const {logits, labels} = fixture(16);
    for (const smoothing of [0, 0.1]) {
      const plain = value(crossEntropy, logits, labels, {smoothing});
      expectClose([weighted(logits, labels, new Float32Array(C).fill(1), {smoothing})], [plain]);
      expectClose([weighted(logits, labels, new Float32Array(C).fill(7), {smoothing})], [plain]);
    }
  });
  test("classWeights compose with per-sample weights: Σ sᵢ w_yᵢ ℓᵢ / Σ sᵢ w_yᵢ", () => {
    const {logits, labels} = fixture(17);
    const s = Float32Array.from({length: B}, (_, i) => 0.5 + (i % 3));
    let num = 0,
      den = 0;
    for (let i = 0; i < B; ++i) {
      num += s[i] * w[labels[i]] * crossEntropyOracle(logits.subarray(i * C, (i + 1) * C), [labels[i]], C);
      den += s[i] * w[labels[i]];
    }
    expectClose([weighted(logits, labels, w, undefined, s)], [num / den]);
  });
  test("crossEntropy with classWeights: autograd matches the float64 oracle (with and without smoothing)", () => {
    const {logits, labels} = fixture(18, 1.5);
    const y = tf.tensor1d(labels, "int32");
    const cw = tf.tensor1d(w);
    const x0 = tf.tensor2d(logits, [B, C]);
    for (const smoothing of [0, 0.2]) {
      gradcheck(
        (x) => crossEntropy.fn({logits: x as tf.Tensor2D, labels: y, classWeights: cw}, {smoothing}),
        (x) => weightedCrossEntropyOracle(x, labels, C, w, smoothing),
        x0
      );
    }
    tf.dispose([x0, y, cw]);
  });
  test("classWeights of the wrong length are rejected naming the argument", () => {
    const {logits, labels} = fixture(19);
    expect(() => weighted(logits, labels, new Float32Array([1, 2, 3]))).toThrow(
      /^cross-entropy: classWeights has classes 3, expected 4/
    );
  });
});

describe("named members are the family's special cases", () => {
  test("sum-exponential = comp-sum τ = 0 = Σ_{y'≠y} e^{h_y' − h_y}", () => {
    const {logits, labels} = fixture(5);
    expectClose([value(sumExponential, logits, labels)], [compSumOracle(logits, labels, C, 0)]);
    expectClose([value(sumExponential, logits, labels)], [value(compSum, logits, labels, {tau: 0})]);
  });
  test("cross-entropy = comp-sum τ = 1", () => {
    const {logits, labels} = fixture(6);
    expectClose([value(crossEntropy, logits, labels)], [value(compSum, logits, labels, {tau: 1})]);
  });
  test("generalizedCrossEntropy({q}) = comp-sum τ = 1 + q = (1 − p_y^q)/q", () => {
    const {logits, labels} = fixture(7);
    for (const q of [0.3, 0.7])
      expectClose([value(generalizedCrossEntropy, logits, labels, {q})], [compSumOracle(logits, labels, C, 1 + q)]);
  });
  test("generalizedCrossEntropy({q: 1}) equals MAE = 1 − p_y", () => {
    const {logits, labels} = fixture(8);
    expectClose([value(generalizedCrossEntropy, logits, labels, {q: 1})], [value(meanAbsoluteError, logits, labels)]);
  });
  test("generalizedCrossEntropy approaches cross-entropy as q → 0", () => {
    const {logits, labels} = fixture(9);
    const ce = value(crossEntropy, logits, labels);
    const gaps = [0.4, 0.2, 0.05].map((q) => Math.abs(value(generalizedCrossEntropy, logits, labels, {q}) - ce));
    expect(gaps[1]).toBeLessThan(gaps[0]);
    expect(gaps[2]).toBeLessThan(gaps[1]);
    // GCE = CE − (q/2)·E[log² p_y] + O(q²): the gap shrinks linearly with q.
    expect(gaps[2]).toBeLessThan(gaps[0] * 0.2);
  });
  test("comp-sum is continuous at τ = 1 (no cancellation near the CE member)", () => {
    const {logits, labels} = fixture(10);
    const ce = value(crossEntropy, logits, labels);
    expectClose(
      [value(compSum, logits, labels, {tau: 0.999}), value(compSum, logits, labels, {tau: 1.001})],
      [ce, ce],
      {rtol: 5e-3, atol: 1e-4}
    );
  });
  test("meanAbsoluteError is bounded by 1 and is 0 for a confident correct prediction", () => {
    expect(
      value(meanAbsoluteError, new Float32Array([-20, 20, -20, -20]), new Int32Array([1]), undefined, [1, 4])
    ).toBeCloseTo(0, 6);
    expect(
      value(meanAbsoluteError, new Float32Array([20, -20, -20, -20]), new Int32Array([1]), undefined, [1, 4])
    ).toBeCloseTo(1, 6);
  });
});

describe("gradients", () => {
  for (const [name, loss, params, tau] of [
    ["crossEntropy", crossEntropy, {}, 1],
    ["generalizedCrossEntropy q=0.7", generalizedCrossEntropy, {q: 0.7}, 1.7],
    ["meanAbsoluteError", meanAbsoluteError, {}, 2],
    ["sumExponential", sumExponential, {}, 0],
    ["compSum τ=0.5", compSum, {tau: 0.5}, 0.5]
  ] as const) {
    test(`${name}: autograd matches central differences`, () => {
      const {logits, labels} = fixture(11, 1.5);
      const y = tf.tensor1d(labels, "int32");
      const x0 = tf.tensor2d(logits, [B, C]);
      gradcheck(
        (x) => loss.fn({logits: x as tf.Tensor2D, labels: y}, params),
        (x) => compSumOracle(x, labels, C, tau),
        x0
      );
      x0.dispose();
      y.dispose();
    });
  }
});

describe("numerics and bad input", () => {
  // The comp-sum family at its extremes; every other loss gets the same check from lossContract.
  for (const id of [
    "cross-entropy",
    "comp-sum",
    "generalized-cross-entropy",
    "mean-absolute-error",
    "sum-exponential"
  ]) {
    test(`${id} stays finite in value and gradient for logits of ±50`, () => {
      const logits = new Float32Array(B * C);
      for (let i = 0; i < B; ++i)
        for (let k = 0; k < C; ++k) logits[i * C + k] = (k === (i + 1) % C ? 50 : -50) * (i % 2 ? 1 : 0.5);
      const labels = Int32Array.from({length: B}, (_, i) => i % C);
      const [v, g] = tf.tidy(() => {
        const y = tf.tensor1d(labels, "int32");
        const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => getLoss(id).fn({logits: x as tf.Tensor2D, labels: y}))(
          tf.tensor2d(logits, [B, C])
        );
        return [value.dataSync()[0], grad.dataSync()];
      });
      expect(Number.isFinite(v), `value ${v}`).toBe(true);
      expect(Array.from(g).every(Number.isFinite), "gradient").toBe(true);
    });
  }
  test("a one-sample batch of one class works", () => {
    expect(Number.isFinite(value(crossEntropy, new Float32Array([1, 2]), new Int32Array([0]), undefined, [1, 2]))).toBe(
      true
    );
  });
  test("the loss names the argument and both shapes on a batch mismatch", () => {
    expect(() =>
      tf.tidy(() =>
        crossEntropy.fn({logits: tf.zeros([4, 3]) as tf.Tensor2D, labels: tf.zeros([5], "int32") as tf.Tensor1D})
      )
    ).toThrow(/cross-entropy: labels has batch size 5, expected 4 .*\[5\]/);
  });
  test("float labels are rejected with the expected dtype", () => {
    expect(() =>
      tf.tidy(() => crossEntropy.fn({logits: tf.zeros([2, 3]) as tf.Tensor2D, labels: tf.zeros([2]) as tf.Tensor1D}))
    ).toThrow(/cross-entropy: labels must be \[B\] int32, got \[2\] float32/);
  });
  test("labels out of range are rejected on cpu", () => {
    expect(() =>
      tf.tidy(() => crossEntropy.fn({logits: tf.zeros([2, 3]) as tf.Tensor2D, labels: tf.tensor1d([0, 3], "int32")}))
    ).toThrow(/cross-entropy: labels\[1\] = 3 is out of range \[0, 3\)/);
  });
  test("a missing input is named", () => {
    expect(() => tf.tidy(() => crossEntropy.fn({logits: tf.zeros([2, 3]) as tf.Tensor2D}))).toThrow(
      /cross-entropy: missing input labels/
    );
  });
  test("invalid hyper-parameters throw with the loss id and value", () => {
    const {logits, labels} = fixture(1);
    expect(() => value(generalizedCrossEntropy, logits, labels, {q: 0})).toThrow(
      "generalized-cross-entropy: invalid q: 0"
    );
  });
});

describe("registry", () => {
  test("every entry is keyed by its id and declares a schema, needs, tex and citation", () => {
    for (const [id, loss] of Object.entries(losses)) {
      expect(loss.id).toBe(id);
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(loss.needs.length).toBeGreaterThan(0);
      expect(loss.tex.length).toBeGreaterThan(5);
      expect(loss.cite.length).toBeGreaterThan(5);
    }
  });
  test("loss.with({q}) changes the default without changing the original", () => {
    const {logits, labels} = fixture(12);
    const gce3 = generalizedCrossEntropy.with({q: 0.3});
    expect(gce3.schema.q.default).toBe(0.3);
    expect(generalizedCrossEntropy.schema.q.default).toBe(0.7);
    expectClose([value(gce3, logits, labels)], [value(generalizedCrossEntropy, logits, labels, {q: 0.3})]);
  });
  test("getLoss names the known ids when one is unknown", () => {
    expect(() => getLoss("nope")).toThrow(/unknown loss: nope \(known: .*cross-entropy/);
  });
  test("per-sample weights give the weighted mean Σwℓ/Σw", () => {
    const {logits, labels} = fixture(13);
    const w = Float32Array.from({length: B}, (_, i) => (i % 3) + 0.5);
    const weighted = tf.tidy(
      () =>
        crossEntropy
          .fn({logits: tf.tensor2d(logits, [B, C]), labels: tf.tensor1d(labels, "int32"), weights: tf.tensor1d(w)})
          .dataSync()[0]
    );
    let num = 0,
      den = 0;
    for (let i = 0; i < B; ++i) {
      num += w[i] * crossEntropyOracle(logits.subarray(i * C, (i + 1) * C), [labels[i]], C);
      den += w[i];
    }
    expectClose([weighted], [num / den]);
  });
});

for (const loss of [compSum, crossEntropy, generalizedCrossEntropy, meanAbsoluteError, sumExponential])
  lossContract(loss);
