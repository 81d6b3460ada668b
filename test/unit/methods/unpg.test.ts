// The UNPG notebook's host-side code (src/methods/unpg.ts) against hand-computed values and against the loss's own
// on-device whisker filter (src/losses/unpg.ts).
import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {gaussianClasses} from "../../../src/datasets/gaussian.js";
import {whiskerMask} from "../../../src/losses/unpg.js";
import {
  unpgDuplicateIdentity,
  unpgPairSimilarities,
  unpgTarAtFar,
  unpgVerification,
  unpgWhiskerWindow
} from "../../../src/methods/unpg.js";
import {useCpuBackend} from "../../util/backend.js";

useCpuBackend();

describe("unpgTarAtFar", () => {
  test("accepts genuine pairs above the (⌊far·M⌋ + 1)-th highest impostor score", () => {
    const impostor = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
    const genuine = [0.35, 0.65, 0.85, 0.92, 0.99];
    // far 0.2 → k = 2: threshold = 3rd highest impostor = 0.8; genuine above: 0.85, 0.92, 0.99.
    expect(unpgTarAtFar(genuine, impostor, 0.2)).toBeCloseTo(3 / 5, 12);
    // far 0 → threshold = the highest impostor (0.95): only 0.99 passes.
    expect(unpgTarAtFar(genuine, impostor, 0)).toBeCloseTo(1 / 5, 12);
    // far 0.05 → k = 0: the same.
    expect(unpgTarAtFar(genuine, impostor, 0.05)).toBeCloseTo(1 / 5, 12);
    // far 0.5 → k = 5: threshold 0.5; 0.65, 0.85, 0.92, 0.99 pass.
    expect(unpgTarAtFar(genuine, impostor, 0.5)).toBeCloseTo(4 / 5, 12);
    expect(unpgTarAtFar(genuine, impostor, 1)).toBe(1);
    expect(unpgTarAtFar([], impostor, 0.1)).toBeNaN();
  });
  test("never lets more than far·M impostors through, ties included", () => {
    const impostor = [0.5, 0.5, 0.5, 0.5];
    // far 0.5 → k = 2, threshold 0.5; a genuine pair at exactly 0.5 is rejected, as every impostor is.
    expect(unpgTarAtFar([0.5, 0.6], impostor, 0.5)).toBe(0.5);
  });
});

describe("unpgPairSimilarities and unpgVerification", () => {
  test("split the unordered pairs by label, as cosines", () => {
    const e = [1, 0, 2, 0, 0, 3, 0, -1];
    const {positive, negative} = unpgPairSimilarities(e, [0, 0, 1, 1], 2);
    expect(Array.from(positive)).toEqual([1, -1]);
    expect(Array.from(negative)).toEqual([0, 0, 0, 0]);
  });
  test("a perfectly separated embedding verifies everything", () => {
    const e = [1, 0, 0.99, 0.14, -1, 0, -0.99, 0.14];
    const v = unpgVerification(e, [0, 0, 1, 1], 2);
    expect(v.tarAtFar2).toBe(1);
    expect(v.overlap).toBe(0);
  });
});

describe("unpgWhiskerWindow", () => {
  test("uses the official quartile indices and drops the outliers", () => {
    const values = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 2];
    // M = 8: Q1 = sorted[2] = 0.2, Q3 = sorted[6] = 0.6, IQR 0.4, window [−0.4, 1.2] with w = 1.5.
    const w = unpgWhiskerWindow(values, 1.5);
    expect(w.q1).toBe(0.2);
    expect(w.q3).toBe(0.6);
    expect(w.lo).toBeCloseTo(-0.4, 12);
    expect(w.hi).toBeCloseTo(1.2, 12);
    expect(w.dropped).toBe(1);
  });
  test("agrees with the loss's on-device whiskerMask", () => {
    const values = Float32Array.from({length: 40}, (_, i) => Math.sin(i * 1.7) * (i % 7 === 0 ? 3 : 1));
    const keep = Float32Array.from({length: 40}, (_, i) => (i % 5 === 0 ? 0 : 1));
    const kept = Array.from(values).filter((_, i) => keep[i]);
    const w = unpgWhiskerWindow(kept, 1);
    const mask = tf.tidy(() => whiskerMask(tf.tensor1d(values), tf.tensor1d(keep), 1).dataSync());
    expect(Array.from(mask).reduce((a, b) => a + b, 0)).toBe(kept.length - w.dropped);
    expect(w.dropped).toBeGreaterThan(0);
  });
});

describe("unpgDuplicateIdentity", () => {
  test("relabels a share of one identity as a new one and shifts the held-out identities", () => {
    const data = gaussianClasses({classes: 6, dims: 4, perClass: 20, trainClasses: 4, seed: 3});
    const dup = unpgDuplicateIdentity(data, {trainClasses: 4, fraction: 0.25, seed: 3});
    expect(dup.classes).toBe(7);
    let moved = 0;
    for (let i = 0; i < data.train.n; ++i) {
      if (dup.train.y[i] !== data.train.y[i]) {
        expect(data.train.y[i]).toBe(0);
        expect(dup.train.y[i]).toBe(4);
        expect(dup.train.yClean[i]).toBe(0);
        moved++;
      }
    }
    expect(moved).toBe(5);
    expect(Array.from(dup.test.y).every((y, i) => y === data.test.y[i] + 1)).toBe(true);
    expect(Math.min(...dup.test.y)).toBe(5);
  });
});
