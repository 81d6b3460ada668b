import {describe, expect, test} from "vitest";
import {
  accuracy,
  argmax,
  balancedAccuracy,
  brier,
  confusionMatrix,
  gMean,
  logitMargins,
  nll,
  perClass,
  softmax,
  topK
} from "../../../src/metrics/index.js";
import {expectClose} from "../../util/close.js";

const tight = {rtol: 1e-12, atol: 1e-14};

// A seeded 40 × 4 fixture shared with scikit-learn: logits = round(2·N(0, 1), 2) and labels uniform in [0, 4), both
// drawn with numpy's default_rng(7). The scikit-learn numbers below were computed once with scikit-learn 1.2.1 on
// these exact arrays (argmax predictions, softmax probabilities) and pasted here; the tests never call Python.
const C = 4;
// prettier-ignore
const logits = [0.0, 0.6, -0.55, -1.78, -0.91, -1.98, 0.12, 2.68, -0.98, -1.24, 0.98, 0.71, 0.21, -1.86, -0.06, 1.39,
  -2.69, -0.92, -3.8, -2.58, -3.68, -0.47, -2.53, 0.54, 0.31, -0.37, -5.03, -1.08, -0.1, 0.23, -3.06, -0.96, -1.96,
  -1.62, 2.12, -1.62, -0.07, 1.77, -1.17, -0.22, 0.22, 0.13, -2.45, 0.15, 2.72, -3.09, 1.72, 0.24, -1.28, 4.0, 1.52,
  -2.4, 0.15, 1.15, -0.38, 1.37, -0.13, 1.33, 2.88, -1.35, 0.41, -0.93, 0.25, -2.37, -1.16, -0.39, 1.8, 2.29, -2.65,
  -1.59, 1.29, -3.98, -0.93, -0.19, 2.51, 1.38, -0.65, -0.74, -0.5, 3.05, -0.86, -0.61, 0.71, -0.24, -0.39, -2.23,
  -0.02, -0.89, 2.33, 1.31, -0.05, 1.34, -0.68, 2.1, -0.01, 1.17, -2.58, 0.69, -3.38, -4.07, -0.61, -1.8, 0.33, 4.49,
  -1.66, -1.25, 0.41, 0.99, -0.35, -0.41, 1.4, 1.04, -2.07, -0.16, 0.07, -2.11, 0.52, -1.72, 1.94, 0.39, 0.18, -1.18,
  -0.24, -4.0, -2.26, 0.73, -4.26, 1.69, -3.49, 1.51, -1.69, 1.56, 0.26, -3.07, 2.5, 2.88, -0.13, -0.55, -0.32, -1.95,
  2.2, -1.09, -0.1, -1.59, -1.25, -2.56, 2.51, -0.31, 1.93, 0.03, -1.39, -0.65, -1.12, 0.02, -0.75, -0.6, -2.76,
  -1.61, 3.31, -1.34];
// prettier-ignore
const labels = [3, 3, 2, 0, 2, 2, 3, 1, 0, 2, 1, 2, 1, 1, 0, 3, 3, 1, 0, 2, 1, 2, 0, 0, 2, 0, 2, 1, 0, 3, 2, 3, 3, 2,
  3, 0, 3, 3, 2, 3];

describe("scikit-learn agreement on a seeded 40 × 4 fixture", () => {
  const predictions = argmax(logits, C);
  test("accuracy(logits, labels, C) equals accuracy_score", () => {
    expect(accuracy(logits, labels, C)).toBe(0.25);
  });
  test("topK(logits, labels, C, {k}) equals top_k_accuracy_score for k = 1, 2, 3", () => {
    expect(topK(logits, labels, C, {k: 1})).toBe(0.25);
    expect(topK(logits, labels, C, {k: 2})).toBe(0.5);
    expect(topK(logits, labels, C, {k: 3})).toBe(0.775);
  });
  test("confusionMatrix(predictions, labels, C) equals confusion_matrix(labels, predictions)", () => {
    expect(confusionMatrix(predictions, labels, C)).toEqual([
      [2, 1, 4, 2],
      [1, 2, 3, 1],
      [2, 4, 2, 4],
      [4, 1, 3, 4]
    ]);
  });
  test("perClass(predictions, labels, C) equals precision_recall_fscore_support", () => {
    const r = perClass(predictions, labels, C);
    expectClose(r.precision, [0.2222222222222222, 0.25, 0.16666666666666666, 0.36363636363636365], tight);
    expectClose(r.recall, [0.2222222222222222, 0.2857142857142857, 0.16666666666666666, 0.3333333333333333], tight);
    expectClose(r.f1, [0.2222222222222222, 0.26666666666666666, 0.16666666666666666, 0.34782608695652173], tight);
    expect(r.support).toEqual([9, 7, 12, 12]);
  });
  test("balancedAccuracy(predictions, labels, C) equals balanced_accuracy_score", () => {
    expectClose([balancedAccuracy(predictions, labels, C)], [0.251984126984127], tight);
  });
  test("gMean(predictions, labels, C) equals the geometric mean of recall_score(average=None)", () => {
    expectClose([gMean(predictions, labels, C)], [0.24370348190300822], tight);
  });
  test("nll(softmax(logits), labels, C) equals log_loss(eps=1e-15)", () => {
    expectClose([nll(softmax(logits, C), labels, C)], [2.146488150733841], tight);
  });
  test("brier(softmax(logits), labels, C) equals mean Σ_c (p − onehot)² from numpy", () => {
    expectClose([brier(softmax(logits, C), labels, C)], [1.0531609830687423], tight);
  });
  test("logitMargins(logits, labels, C) summary equals numpy's mean, quantiles and negative fraction", () => {
    const m = logitMargins(logits, labels, C);
    expectClose([m.mean], [-1.422], tight);
    expectClose(
      m.quantiles.map((q) => q.value),
      [-4.1085, -2.88, -1.47, -0.054999999999999986, 2.3089999999999997],
      tight
    );
    expect(m.quantiles.map((q) => q.q)).toEqual([0.05, 0.25, 0.5, 0.75, 0.95]);
    expect(m.fractionNegative).toBe(0.75);
  });
  test("metrics accept Float32Array and Int32Array as well as number[]", () => {
    const f32 = Float32Array.from([2, 1, 0, 0, 3, 1]);
    expect(accuracy(f32, Int32Array.from([0, 2]), 3)).toBe(0.5);
    expect(argmax(f32, 3)).toEqual(Int32Array.from([0, 1]));
  });
});

describe("hand-computed cases", () => {
  test("accuracy(scores) breaks argmax ties toward the first class", () => {
    // Row [1, 1, 0]: argmax is class 0, so label 0 is a hit and label 1 a miss.
    expect(accuracy([1, 1, 0], [0], 3)).toBe(1);
    expect(accuracy([1, 1, 0], [1], 3)).toBe(0);
  });
  test("topK({k: 1}) equals accuracy even with tied scores", () => {
    const scores = [1, 1, 0, 0.5, 0.5, 0.5, 2, 0, 2];
    for (const y of [0, 1, 2]) {
      const l = [y, y, y];
      expect(topK(scores, l, 3, {k: 1})).toBe(accuracy(scores, l, 3));
    }
  });
  test("topK({k}) counts a label ranked k-th but not (k+1)-th", () => {
    // Scores [0.1, 0.7, 0.2]: ranks are class 1, class 2, class 0; label 0 is third.
    expect(topK([0.1, 0.7, 0.2], [0], 3, {k: 2})).toBe(0);
    expect(topK([0.1, 0.7, 0.2], [0], 3, {k: 3})).toBe(1);
  });
  test("topK({k ≥ C}) is 1, as scikit-learn's top_k_accuracy_score", () => {
    expect(topK([0.1, 0.2, 0.7, 0.5, 0.3, 0.2, 0.6, 0.3, 0.1], [0, 1, 2], 3, {k: 3})).toBe(1);
    expect(topK([0.1, 0.2, 0.7], [0], 3, {k: 10})).toBe(1);
  });
  test("perClass leaves undefined ratios NaN for a class absent from the labels and one absent everywhere", () => {
    // labels [0, 0, 1, 1], predictions [0, 1, 1, 2], C = 4:
    // class 0: tp 1, predicted 1, support 2 → P 1, R 1/2, F1 2/(1 + 2) = 2/3
    // class 1: tp 1, predicted 2, support 2 → P 1/2, R 1/2, F1 2/4 = 1/2
    // class 2: tp 0, predicted 1, support 0 → P 0, R undefined (NaN), F1 0/(1 + 0) = 0 (scikit-learn: 0)
    // class 3: never seen → P, R, F1 all NaN (scikit-learn fills 0 with zero_division=0)
    const r = perClass([0, 1, 1, 2], [0, 0, 1, 1], 4);
    expectClose(r.precision, [1, 0.5, 0, NaN], tight);
    expectClose(r.recall, [0.5, 0.5, NaN, NaN], tight);
    expectClose(r.f1, [2 / 3, 0.5, 0, NaN], tight);
    expect(r.support).toEqual([2, 2, 0, 0]);
  });
  test("balancedAccuracy excludes classes absent from the labels, as scikit-learn (0.5 here too)", () => {
    // Recalls of the present classes 0 and 1 are 1/2 and 1/2; class 2 is predicted but has no samples.
    expect(balancedAccuracy([0, 1, 1, 2], [0, 0, 1, 1], 3)).toBe(0.5);
    expect(gMean([0, 1, 1, 2], [0, 0, 1, 1], 3)).toBeCloseTo(0.5, 15);
  });
  test("balancedAccuracy differs from accuracy under imbalance", () => {
    // 8 samples of class 0 all right, 2 of class 1 all predicted 0: accuracy 0.8, balanced (1 + 0)/2 = 0.5, G-mean 0.
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    const predictions = new Array(10).fill(0);
    expect(balancedAccuracy(predictions, labels, 2)).toBe(0.5);
    expect(gMean(predictions, labels, 2)).toBe(0);
  });
  test("gMean is √(TPR·TNR) for two classes", () => {
    // class 0: 3 of 4 right (TNR 0.75); class 1: 1 of 2 right (TPR 0.5) → √0.375.
    expect(gMean([0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 1], 2)).toBeCloseTo(Math.sqrt(0.375), 15);
  });
  test("confusionMatrix counts rows by label and columns by prediction", () => {
    expect(confusionMatrix([1, 1, 0], [0, 1, 1], 3)).toEqual([
      [0, 1, 0],
      [1, 1, 0],
      [0, 0, 0]
    ]);
  });
  test("nll is ln 2 for p_y = 1/2 and clips a zero probability at eps = 1e-15", () => {
    expect(nll([0.5, 0.25, 0.25], [0], 3)).toBeCloseTo(Math.LN2, 15);
    // −ln(1e-15) = 34.538776394910684 (scikit-learn's log_loss gives the same with eps=1e-15)
    expect(nll([0, 1, 0], [0], 3)).toBeCloseTo(34.538776394910684, 12);
    expect(nll([0, 1, 0], [0], 3, {eps: 1e-6})).toBeCloseTo(-Math.log(1e-6), 12);
  });
  test("brier sums squared errors over classes: 0.375 for [0.5, 0.25, 0.25] at label 0", () => {
    // (0.5 − 1)² + 0.25² + 0.25² = 0.25 + 0.0625 + 0.0625
    expect(brier([0.5, 0.25, 0.25], [0], 3)).toBe(0.375);
    expect(brier([1, 0, 0], [0], 3)).toBe(0);
    expect(brier([0, 1, 0], [0], 3)).toBe(2);
  });
  test("brier with C = 2 is twice scikit-learn's binary brier_score_loss (0.265)", () => {
    // rows [0.8, 0.2] and [0.3, 0.7], both label 0: (2·0.2² + 2·0.7²)/2 = 0.53; brier_score_loss([0, 0], [0.2, 0.7]) = 0.265
    expect(brier([0.8, 0.2, 0.3, 0.7], [0, 0], 2)).toBeCloseTo(2 * 0.265, 14);
  });
  test("logitMargins gives z_y − max_{k≠y} z_k and counts negatives", () => {
    // [2, 1, 0] at label 0: 2 − 1 = 1; [0, 3, 1] at label 0: 0 − 3 = −3.
    const m = logitMargins([2, 1, 0, 0, 3, 1], [0, 0], 3, {quantiles: [0, 0.5, 1]});
    expect(Array.from(m.margins)).toEqual([1, -3]);
    expect([m.mean, m.min, m.max, m.fractionNegative]).toEqual([-1, -3, 1, 0.5]);
    expect(m.quantiles).toEqual([
      {q: 0, value: -3},
      {q: 0.5, value: -1},
      {q: 1, value: 1}
    ]);
  });
  test("logitMargins counts a tie (margin 0) as not negative", () => {
    expect(logitMargins([1, 1], [1], 2).fractionNegative).toBe(0);
  });
  test("softmax rows sum to 1 and survive logits of ±1e4", () => {
    const p = softmax([1e4, -1e4, 0, 0, 0, 0], 3);
    expectClose(p, [1, 0, 0, 1 / 3, 1 / 3, 1 / 3], tight);
  });
});

describe("edge cases", () => {
  test("all correct: accuracy, balanced accuracy and G-mean are 1", () => {
    const l = [0, 1, 2, 1];
    expect(accuracy([5, 0, 0, 0, 5, 0, 0, 0, 5, 0, 5, 0], l, 3)).toBe(1);
    expect(balancedAccuracy(l, l, 3)).toBe(1);
    expect(gMean(l, l, 3)).toBe(1);
    expect(perClass(l, l, 3).f1).toEqual([1, 1, 1]);
  });
  test("all wrong: accuracy, balanced accuracy and G-mean are 0", () => {
    expect(accuracy([0, 5, 5, 0], [0, 1], 2)).toBe(0);
    expect(balancedAccuracy([1, 0], [0, 1], 2)).toBe(0);
    expect(gMean([1, 0], [0, 1], 2)).toBe(0);
  });
  test("a single sample", () => {
    expect(accuracy([0.2, 0.8], [1], 2)).toBe(1);
    expect(balancedAccuracy([1], [1], 2)).toBe(1);
    expect(nll([0.2, 0.8], [1], 2)).toBeCloseTo(-Math.log(0.8), 15);
  });
  test("no samples: averages are NaN, the confusion matrix is zero", () => {
    expect(accuracy([], [], 3)).toBeNaN();
    expect(topK([], [], 3)).toBeNaN();
    expect(balancedAccuracy([], [], 3)).toBeNaN();
    expect(gMean([], [], 3)).toBeNaN();
    expect(nll([], [], 3)).toBeNaN();
    expect(logitMargins([], [], 3).mean).toBeNaN();
    expect(confusionMatrix([], [], 2)).toEqual([
      [0, 0],
      [0, 0]
    ]);
  });
});

describe("bad input throws errors that name the function, the argument and the sizes", () => {
  test("a score matrix whose size is not a multiple of the class count", () => {
    expect(() => accuracy([1, 2, 3, 4, 5], [0, 1], 2)).toThrow(
      "accuracy: scores has 5 entries, not a multiple of classes = 2"
    );
  });
  test("labels that do not match the rows", () => {
    expect(() => nll([0.5, 0.5, 0.5, 0.5], [0, 1, 1], 2)).toThrow(
      "nll: labels has 3 entries, expected 2 (one per row of probs)"
    );
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(
      "confusionMatrix: labels has 1 entries, expected 2 (one per entry of predictions)"
    );
  });
  test("labels out of range or not integers", () => {
    expect(() => accuracy([1, 0, 0, 1], [0, 2], 2)).toThrow("accuracy: labels[1] = 2 is not a class index");
    expect(() => accuracy([1, 0, 0, 1], [0, -1], 2)).toThrow("accuracy: labels[1] = -1");
    expect(() => perClass([0, 1.5], [0, 1], 2)).toThrow("perClass: predictions[1] = 1.5 is not a class index");
  });
  test("non-finite scores", () => {
    expect(() => accuracy([1, NaN], [0], 2)).toThrow("accuracy: scores[1] is NaN, expected a finite number");
    expect(() => logitMargins([Infinity, 0], [0], 2)).toThrow("logitMargins: logits[0] is Infinity");
  });
  test("probabilities outside [0, 1] or rows that do not sum to 1 (logits passed as probs)", () => {
    expect(() => brier([1.5, -0.5], [0], 2)).toThrow("brier: probs[0] = 1.5 is not a probability in [0, 1]");
    expect(() => nll([0.2, 0.2], [0], 2)).toThrow("nll: probs row 0 sums to 0.4, expected 1");
  });
  test("invalid hyper-parameters", () => {
    expect(() => topK([1, 0], [0], 2, {k: 0})).toThrow("topK: invalid k: 0");
    expect(() => accuracy([1, 0], [0], 0)).toThrow("accuracy: invalid classes: 0");
    expect(() => nll([1, 0], [0], 2, {eps: 0})).toThrow("nll: invalid eps: 0");
    expect(() => logitMargins([1], [0], 1)).toThrow("logitMargins: invalid classes: 1");
    expect(() => logitMargins([1, 0], [0], 2, {quantiles: [1.5]})).toThrow("logitMargins: invalid quantile: 1.5");
  });
});
