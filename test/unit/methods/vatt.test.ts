// Card 09's method code: the synthetic two-modality clips, cross-modal Recall@K against hand-computed rankings, and the
// joint PCA used by the plot.
import {describe, expect, test} from "vitest";
import {vattClips, vattJointPca, vattRecallAtK} from "../../../src/methods/vatt.js";

describe("vattClips", () => {
  test("shapes, ids, the caption view and reproducibility", () => {
    const d = vattClips({train: 50, test: 20, widthA: 5, widthB: 3, candidates: 4, seed: 2});
    expect(d.inputs).toBe(5);
    expect(d.train.x.length).toBe(50 * 5);
    expect(d.train.views!.b.length).toBe(50 * 4 * 3);
    expect(d.test.views!.b.length).toBe(20 * 4 * 3);
    expect(new Set([...d.train.ids, ...d.test.ids]).size).toBe(70);
    expect(
      Array.from(vattClips({train: 50, test: 20, widthA: 5, widthB: 3, candidates: 4, seed: 2}).train.views!.b)
    ).toEqual(Array.from(d.train.views!.b));
    expect(() => vattClips({mismatch: 2})).toThrow(/invalid mismatch/);
  });
  test("about `mismatch` of the training captions describe another clip; test captions never do", () => {
    const d = vattClips({train: 3000, test: 100, candidates: 3, mismatch: 1 / 3, seed: 1});
    const matched = d.train.groups!.reduce((s, v) => s + v, 0);
    expect(matched / (3000 * 3)).toBeCloseTo(2 / 3, 1.5);
    expect(Array.from(d.test.groups!).every((v) => v === 3)).toBe(true);
    // Without noise, a matched caption equals the clean caption of its own clip: test candidates are identical.
    const clean = vattClips({train: 10, test: 10, candidates: 2, widthB: 4, noise: 0, seed: 3});
    const b = clean.test.views!.b;
    for (let i = 0; i < 10; ++i) for (let j = 0; j < 4; ++j) expect(b[i * 8 + j]).toBe(b[i * 8 + 4 + j]);
  });
});

describe("vattRecallAtK", () => {
  test("matches a hand ranking of cosine similarities", () => {
    // A rows (2-D): clip 0 → (1, 0), clip 1 → (0, 1), clip 2 → (1, 1).
    const a = [1, 0, 0, 1, 1, 1];
    // B rows: clip 0's caption (0.9, 0.1) — own is the most similar to a0 (rank 0).
    // clip 1's caption (1, 0.2) — for a1 = (0, 1) its own (cos ≈ 0.196) loses to b2 (0, 1) (cos 1): rank 1.
    // clip 2's caption (0, 1) — for a2 = (1, 1) cos 0.707, b1 cos ≈ 0.832 and b0 cos ≈ 0.781 beat it: rank 2.
    const b = [0.9, 0.1, 1, 0.2, 0, 1];
    expect(vattRecallAtK(a, b, 2, 1)).toBeCloseTo(1 / 3, 12);
    expect(vattRecallAtK(a, b, 2, 2)).toBeCloseTo(2 / 3, 12);
    expect(vattRecallAtK(a, b, 2, 3)).toBe(1);
    expect(vattRecallAtK(a, a, 2, 1)).toBe(1);
    expect(() => vattRecallAtK(a, [1, 2], 2, 1)).toThrow(/\[n, dims\]/);
  });
});

describe("vattJointPca", () => {
  test("projects onto the principal axes of both modalities' unit vectors", () => {
    // Unit vectors spread along e0 ± small e1 in 3-D: the first axis is e0 (up to sign), the third coordinate unused.
    const a = [1, 0.1, 0, -1, 0.1, 0, 1, -0.1, 0];
    const b = [-1, -0.1, 0, 1, 0, 0, -1, 0, 0];
    const out = vattJointPca(a, b, 3);
    expect(out.length).toBe(12);
    const first = Array.from({length: 6}, (_, i) => out[2 * i]);
    const spread1 = Math.max(...first) - Math.min(...first);
    const second = Array.from({length: 6}, (_, i) => out[2 * i + 1]);
    const spread2 = Math.max(...second) - Math.min(...second);
    expect(spread1).toBeGreaterThan(1.9);
    expect(spread2).toBeLessThan(0.3);
    // Signs follow the data: a0 and b1 point the same way.
    expect(Math.sign(out[0])).toBe(Math.sign(out[2 * 4]));
  });
});
