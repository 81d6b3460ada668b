// The hybrid multi-label notebook's method code (src/methods/hybridMultiLabel.ts): the BCE baseline against TF.js's
// own sigmoid cross-entropy and the hybrid loss with its extra terms off, and the host-side helpers against values
// worked out by hand.
import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {hybridMultiLabel} from "../../../src/losses/hybridMultiLabel.js";
import {
  hybridMultiLabelBce,
  hybridMultiLabelClassWeights,
  hybridMultiLabelCooccurrenceGap,
  hybridMultiLabelCorrelation,
  hybridMultiLabelCounts,
  hybridMultiLabelMetrics,
  hybridMultiLabelMinority,
  hybridMultiLabelPca,
  hybridMultiLabelPerLabel,
  hybridMultiLabelPredictedCooccurrence
} from "../../../src/methods/hybridMultiLabel.js";
import type {Dataset} from "../../../src/datasets/dataset.js";
import type {HostMetricContext} from "../../../src/train/train.js";
import {useCpuBackend} from "../../util/backend.js";

useCpuBackend();

// 4 samples × 3 labels.
const targets = Float32Array.from([1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0]);
const logits = Float32Array.from([2, -1, 0.5, 1, -3, 0, -2, 4, 1, 0.3, 0.7, -0.2]);

describe("hybridMultiLabelBce", () => {
  test("hybridMultiLabelBce equals tf.losses.sigmoidCrossEntropy (mean over every element)", () => {
    const z = tf.tensor2d(logits, [4, 3]);
    const y = tf.tensor2d(targets, [4, 3]);
    const ours = tf.tidy(() => hybridMultiLabelBce.fn({logits: z, targets: y}).dataSync()[0]);
    const reference = tf.tidy(() => tf.losses.sigmoidCrossEntropy(y, z).dataSync()[0]);
    expect(ours).toBeCloseTo(reference, 5);
    // By hand: softplus(z) − y·z averaged.
    let sum = 0;
    logits.forEach((v, i) => (sum += Math.log1p(Math.exp(v)) - targets[i] * v));
    expect(ours).toBeCloseTo(sum / logits.length, 5);
    tf.dispose([z, y]);
  });

  test("hybridMultiLabelBce equals the hybrid loss with α = β = 0 and no class weights", () => {
    const z = tf.tensor2d(logits, [4, 3]);
    const y = tf.tensor2d(targets, [4, 3]);
    const e = tf.tensor2d(
      Float32Array.from({length: 8}, (_, i) => Math.sin(i + 1)),
      [4, 2]
    );
    const [ours, hybrid] = tf.tidy(() => [
      hybridMultiLabelBce.fn({logits: z, targets: y}).dataSync()[0],
      hybridMultiLabel
        .fn(
          {logits: z, targets: y, embeddings: e},
          {correlationWeight: 0, contrastiveWeight: 0, classWeighting: "none"}
        )
        .dataSync()[0]
    ]);
    expect(ours).toBeCloseTo(hybrid, 6);
    tf.dispose([z, y, e]);
  });

  test("hybridMultiLabelBce stays finite at logits of ±1e4", () => {
    const z = tf.tensor2d([1e4, -1e4], [1, 2]);
    const y = tf.tensor2d([0, 1], [1, 2]);
    const value = tf.tidy(() => hybridMultiLabelBce.fn({logits: z, targets: y}).dataSync()[0]);
    expect(value).toBeCloseTo(1e4, 0);
    tf.dispose([z, y]);
  });
});

describe("host helpers", () => {
  test("hybridMultiLabelCounts counts positives per label", () => {
    expect(hybridMultiLabelCounts(targets, 3)).toEqual([3, 3, 1]);
  });

  test("hybridMultiLabelClassWeights gives N / (C·n_c)", () => {
    const w = hybridMultiLabelClassWeights(targets, 3);
    expect(Array.from(w)).toEqual([4 / 9, 4 / 9, 4 / 3].map(Math.fround));
  });

  test("hybridMultiLabelCorrelation gives P(y_d | y_c) with a [C, C] shape", () => {
    const {values, shape} = hybridMultiLabelCorrelation(targets, 3);
    expect(shape).toEqual([3, 3]);
    // Label 0 in samples 0, 1, 3; label 1 in 0, 2, 3; label 2 in 2.
    const expected = [1, 2 / 3, 0, 2 / 3, 1, 1 / 3, 0, 1, 1];
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  test("hybridMultiLabelCorrelation leaves the row of an absent label at 0", () => {
    const {values} = hybridMultiLabelCorrelation([1, 0, 1, 0], 2);
    expect(Array.from(values)).toEqual([1, 0, 0, 0]);
  });

  test("hybridMultiLabelPerLabel thresholds logits at 0 and counts per label", () => {
    const r = hybridMultiLabelPerLabel(logits, targets, 3);
    // Predictions (z ≥ 0): [1,0,1], [1,0,1], [0,1,1], [1,1,0].
    // Label 0: tp 3 (samples 0, 1, 3), predicted 3, support 3. Label 1: tp 2 (2, 3), predicted 2, support 3.
    // Label 2: tp 1 (2), predicted 3, support 1.
    expect(r.support).toEqual([3, 3, 1]);
    expect(r.precision).toEqual([1, 1, 1 / 3]);
    expect(r.recall).toEqual([1, 2 / 3, 1]);
    expect(r.f1[0]).toBeCloseTo(1, 12);
    expect(r.f1[1]).toBeCloseTo(0.8, 12);
    expect(r.f1[2]).toBeCloseTo(0.5, 12);
  });

  test("hybridMultiLabelPerLabel gives NaN precision for a label never predicted", () => {
    const r = hybridMultiLabelPerLabel([-1, -1], [1, 0], 2);
    expect(r.precision[0]).toBeNaN();
    expect(r.recall[0]).toBe(0);
    expect(r.f1[1]).toBeNaN();
  });

  test("hybridMultiLabelCooccurrenceGap is 0 for probabilities equal to the targets, and matches a hand value", () => {
    const sure = Float64Array.from(targets, (t) => (t ? 40 : -40));
    // R is stored in float32 (2/3 rounds), hence 1e-6.
    expect(hybridMultiLabelCooccurrenceGap(sure, targets, 3)).toBeCloseTo(0, 6);
    // All logits 0: p = ½ everywhere, so P̂_cd = ½ for every pair; R off-diagonal = [2/3, 0; 2/3, 1/3; 0, 1].
    const half = new Float64Array(12);
    const R = [2 / 3, 0, 2 / 3, 1 / 3, 0, 1];
    const expected = Math.sqrt(R.reduce((s, r) => s + (0.5 - r) ** 2, 0));
    expect(hybridMultiLabelCooccurrenceGap(half, targets, 3)).toBeCloseTo(expected, 6);
  });

  test("hybridMultiLabelPredictedCooccurrence gives Σ p_c p_d / Σ p_c on sigmoid probabilities", () => {
    // Two samples, two labels: p = [[½, σ(ln 3) = ¾], [σ(−ln 3) = ¼, ½]].
    const P = hybridMultiLabelPredictedCooccurrence([0, Math.log(3), -Math.log(3), 0], 2);
    expect(P[0 * 2 + 1]).toBeCloseTo((0.5 * 0.75 + 0.25 * 0.5) / (0.5 + 0.25), 12);
    expect(P[1 * 2 + 0]).toBeCloseTo((0.5 * 0.75 + 0.25 * 0.5) / (0.75 + 0.5), 12);
    expect(P[0]).toBeCloseTo((0.25 + 0.0625) / 0.75, 12);
  });

  test("hybridMultiLabelMinority picks the rarest labels by training count, ties by index", () => {
    // Counts [3, 3, 1]: round(1.5) = 2 labels, label 2 then label 0 (the tie with label 1 goes to the lower index).
    expect(hybridMultiLabelMinority(targets, 3, 0.5)).toEqual([0, 2]);
    expect(hybridMultiLabelMinority(targets, 3, 0.1)).toEqual([2]);
  });

  test("hybridMultiLabelMetrics reports the multi-label scores at logit 0", () => {
    const data = {
      classes: 3,
      train: {targets},
      test: {targets}
    } as unknown as Dataset;
    const m = hybridMultiLabelMetrics({data, testLogits: logits} as unknown as HostMetricContext);
    expect(m.macroF1).toBeCloseTo((1 + 0.8 + 0.5) / 3, 12);
    // Predictions [1,0,1],[1,0,1],[0,1,1],[1,1,0] vs targets [1,1,0],[1,0,0],[0,1,1],[1,1,0]: wrong at (0,1),(0,2),(1,2).
    expect(m.hamming).toBeCloseTo(3 / 12, 12);
    expect(m.minorityF1).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(m.cooccurrenceGap).toBeGreaterThan(0);
  });

  test("hybridMultiLabelPca recovers the direction of largest variance", () => {
    // Points along (3, 4)/5 with a small orthogonal wobble.
    const n = 20;
    const pts = new Float64Array(n * 2);
    for (let i = 0; i < n; ++i) {
      const t = i - 9.5;
      const w = (i % 2 ? 0.1 : -0.1) * (i % 3);
      pts[2 * i] = 1 + (3 * t) / 5 - (4 * w) / 5;
      pts[2 * i + 1] = -2 + (4 * t) / 5 + (3 * w) / 5;
    }
    const out = hybridMultiLabelPca(pts, n, 2);
    for (let i = 0; i < n; ++i) expect(out[2 * i]).toBeCloseTo(i - 9.5, 0);
    // The first coordinate carries far more variance than the second.
    const v = (k: number) => out.filter((_, j) => j % 2 === k).reduce((s, x) => s + x * x, 0);
    expect(v(0)).toBeGreaterThan(100 * v(1));
  });
});
