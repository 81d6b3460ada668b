import {describe, expect, test} from "vitest";
import {mapAtR, recallAtK, tolerance, uniformity} from "../../../src/metrics/index.js";
import {expectClose} from "../../util/close.js";

const tight = {rtol: 1e-12, atol: 1e-14};

// Hand case, 1-D embeddings (dims = 1), Euclidean:
//   index  0    1    2    3    4    5
//   x      0    1    1.5  3    3.2  10
//   label  A=0  A=0  B=1  A=0  B=1  C=2 (lone: no other member, left out)
// neighbours (nearest first; 2 is at 1.5 from both 0 and 3, a tie ranked by index):
//   q0 (A, R = 2): 1 A, 2 B, 3 A, 4 B → R@1 1, R@2 1, R@3 1;  AP@R over the first 2 [1, 0] = (1/2)(1/1) = 0.5
//   q1 (A, R = 2): 2 B, 0 A, 3 A, 4 B → R@1 0, R@2 1, R@3 1;  AP@R [0, 1] = (1/2)(1/2) = 0.25
//   q2 (B, R = 1): 1 A, 0 A, 3 A, 4 B → R@1 0, R@2 0, R@3 0;  AP@R [0] = 0
//   q3 (A, R = 2): 4 B, 2 B, 1 A, 0 A → R@1 0, R@2 0, R@3 1;  AP@R [0, 0] = 0
//   q4 (B, R = 1): 3 A, 2 B, …       → R@1 0, R@2 1, R@3 1;  AP@R [0] = 0
// Recall@1 = 1/5, Recall@2 = 3/5, Recall@3 = 4/5, Recall@4 = 1 (q2 finds 4 at rank 4), MAP@R = 0.75/5 = 0.15.
// Averaged per class (PML avg_of_avgs): R@1 = (1/3 + 0)/2 = 1/6, MAP@R = (0.75/3 + 0)/2 = 0.125.
// A numpy transcription of PML's AccuracyCalculator (k-NN without self, relevance mask, lone-query mask) agrees.
const x1 = [0, 1, 1.5, 3, 3.2, 10];
const y1 = [0, 0, 1, 0, 1, 2];

describe("hand-computed retrieval", () => {
  test("recallAtK(x, labels, 1, {k}) = 1/5, 3/5, 4/5, 1 for k = 1…4", () => {
    expect(recallAtK(x1, y1, 1)).toBe(0.2);
    expect(recallAtK(x1, y1, 1, {k: 2})).toBe(0.6);
    expect(recallAtK(x1, y1, 1, {k: 3})).toBe(0.8);
    expect(recallAtK(x1, y1, 1, {k: 4})).toBe(1);
  });
  test("mapAtR(x, labels, 1) = 0.15", () => {
    expectClose([mapAtR(x1, y1, 1)], [0.15], tight);
  });
  test('recallAtK and mapAtR with {average: "classes"} take the mean of per-class means', () => {
    expectClose([recallAtK(x1, y1, 1, {average: "classes"})], [1 / 6], tight);
    expectClose([mapAtR(x1, y1, 1, {average: "classes"})], [0.125], tight);
  });
  test("a distance tie is ranked by sample index", () => {
    // Query 0 at 0 has a class-1 point at −1 and a class-0 point at +1, both at distance 1; a class-1 point at −1.2
    // keeps the others' answers fixed. Listed with the class-1 point first, query 0 misses (R@1 = 3/4); listed with
    // the class-0 point first, it hits (R@1 = 1).
    expect(recallAtK([0, -1, 1, -1.2], [0, 1, 0, 1], 1)).toBe(0.75);
    expect(recallAtK([0, 1, -1, -1.2], [0, 0, 1, 1], 1)).toBe(1);
  });
  test('recallAtK({distance: "cosine"}) ranks by angle, ignoring norms', () => {
    // Unit vectors at 0° (label 0) and 20° (label 1), and a vector of norm 50 at 8° (label 0). By angle the two
    // label-0 points are each other's nearest (8° < 12°, 20°); by Euclidean distance query 0 is nearest the
    // 20° unit vector and misses, while the long vector's nearest is still the 0° one (49.00 < 49.02).
    const deg = Math.PI / 180;
    const e = [1, 0, 50 * Math.cos(8 * deg), 50 * Math.sin(8 * deg), Math.cos(20 * deg), Math.sin(20 * deg)];
    expect(recallAtK(e, [0, 0, 1], 2, {distance: "cosine"})).toBe(1);
    expect(recallAtK(e, [0, 0, 1], 2)).toBe(0.5);
  });
});

describe("pytorch-metric-learning agreement on a seeded 14 × 3 fixture", () => {
  // round(N(0, 1), 2) from numpy default_rng(3); class 4 is a lone query. Expected numbers come from a numpy
  // transcription of PML's AccuracyCalculator (ref = query, k = N − 1, self removed from the k-NN lists, relevance mask
  // of R = class size − 1 columns, lone queries masked out), pasted here; no distance ties in this fixture.
  // prettier-ignore
  const x = [2.04, -2.56, 0.42, -0.57, -0.45, -0.22, -2.02, -0.23, -0.87, 3.32, 0.23, -0.35, -0.28, -0.67, -1.06,
    -0.39, 0.48, -0.24, 0.96, -0.2, 0.02, 1.55, 0.55, -0.51, -0.18, 0.54, 1.94, -0.27, -0.24, 1.0, -0.89, -0.29, 0.88,
    0.58, 0.09, 0.67, -2.83, 1.02, -0.96, -1.67, 0.28, 0.7];
  const y = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4];
  test("euclidean: precision_at_1, recall@k and MAP@R", () => {
    expectClose([recallAtK(x, y, 3)], [0.07692307692307693], tight);
    expectClose(
      [2, 3, 5, 100].map((k) => recallAtK(x, y, 3, {k})),
      [0.3076923076923077, 0.5384615384615384, 0.6923076923076923, 1],
      tight
    );
    expectClose([mapAtR(x, y, 3)], [0.11752136752136752], tight);
  });
  test("euclidean, avg_of_avgs", () => {
    expectClose([recallAtK(x, y, 3, {average: "classes"})], [0.08333333333333333], tight);
    expectClose([recallAtK(x, y, 3, {k: 2, average: "classes"})], [0.29166666666666663], tight);
    expectClose([mapAtR(x, y, 3, {average: "classes"})], [0.1111111111111111], tight);
  });
  test("cosine: precision_at_1, recall@k and MAP@R", () => {
    const o = {distance: "cosine"} as const;
    expectClose([recallAtK(x, y, 3, o)], [0.3076923076923077], tight);
    expectClose(
      [2, 3, 5].map((k) => recallAtK(x, y, 3, {...o, k})),
      [0.46153846153846156, 0.46153846153846156, 0.6923076923076923],
      tight
    );
    expectClose([mapAtR(x, y, 3, o)], [0.16666666666666666], tight);
    expectClose([mapAtR(x, y, 3, {...o, average: "classes"})], [0.16666666666666666], tight);
  });
  test("uniformity(x, 3) and tolerance(x, labels, 3) equal the reference scripts' values", () => {
    // uniform_loss of uniformity.py (normalise, log mean exp(−t·pdist²)) and tolerance.py (normalise, pooled mean
    // cosine over same-class pairs without the diagonal), re-run in numpy.
    expectClose([uniformity(x, 3)], [-2.1669396965982552], tight);
    expectClose([uniformity(x, 3, {t: 1})], [-1.4660777367987965], tight);
    expectClose([tolerance(x, y, 3)], [-0.04111683430912885], tight);
  });
});

describe("uniformity and tolerance by hand", () => {
  test("uniformity of two antipodal unit vectors is −t·4 = −8", () => {
    expect(uniformity([1, 0, -1, 0], 2)).toBe(-8);
  });
  test("uniformity of three vectors 120° apart is −t·3 = −6, whatever their norms", () => {
    const s = Math.sqrt(3) / 2;
    expectClose([uniformity([5, 0, -0.5, s, -2, -4 * s], 2)], [-6], tight);
  });
  test("uniformity({normalize: false}) survives distances whose exp underflows", () => {
    // exp(−2·100²) is 0 in float64; log-sum-exp keeps the exact value −20000.
    expect(uniformity([0, 100], 1, {normalize: false})).toBe(-20000);
  });
  test("uniformity is higher (less negative) for clumped points than for spread ones", () => {
    expect(uniformity([1, 0, 0.99, 0.1, 0.98, 0.2], 2)).toBeGreaterThan(uniformity([1, 0, -0.5, 0.87, -0.5, -0.87], 2));
  });
  test("tolerance is the mean cosine of same-class pairs: 0.5 for two class mates 60° apart", () => {
    // Class 0 at 0° and 60° (cos 0.5), class 1 alone at 180° adds no pair.
    const s = Math.sqrt(3) / 2;
    expectClose([tolerance([1, 0, 3 * 0.5, 3 * s, -1, 0], [0, 0, 1], 2)], [0.5], tight);
  });
  test("tolerance({normalize: false}) averages raw dot products", () => {
    expect(tolerance([2, 0, 3, 0], [0, 0], 2, {normalize: false})).toBe(6);
  });
});

describe("edge cases", () => {
  test("lone queries are left out; a set of only lone queries gives NaN", () => {
    // Adding a far-away singleton class changes nothing.
    expect(recallAtK([0, 1, 5, 6, 100], [0, 0, 1, 1, 2], 1)).toBe(1);
    expect(recallAtK([0, 1, 2], [0, 1, 2], 1)).toBeNaN();
    expect(mapAtR([0, 1, 2], [0, 1, 2], 1)).toBeNaN();
  });
  test("recallAtK({k}) larger than N − 1 uses every neighbour", () => {
    expect(recallAtK(x1, y1, 1, {k: 1000})).toBe(1);
  });
  test("perfect clusters give Recall@1 = MAP@R = 1; interleaved ones give 0", () => {
    const x = [0, 0.1, 0.2, 10, 10.1, 10.2];
    expect(recallAtK(x, [0, 0, 0, 1, 1, 1], 1)).toBe(1);
    expect(mapAtR(x, [0, 0, 0, 1, 1, 1], 1)).toBe(1);
    // Alternating labels on a line: every nearest neighbour (ties included) has the other label.
    expect(recallAtK([0, 1, 2, 3], [0, 1, 0, 1], 1)).toBe(0);
  });
  test("tolerance and uniformity with too few samples are NaN", () => {
    expect(tolerance([1, 0, 0, 1], [0, 1], 2)).toBeNaN();
    expect(uniformity([1, 0], 2)).toBeNaN();
  });
  test("a zero embedding stays zero under cosine normalisation instead of producing NaN", () => {
    expect(recallAtK([0, 0, 1, 0, 1, 0.1], [0, 0, 0], 2, {distance: "cosine"})).toBe(1);
    expect(tolerance([0, 0, 1, 0], [0, 0], 2)).toBe(0);
  });
});

describe("bad input throws errors that name the function, the argument and the sizes", () => {
  test("embeddings whose size is not a multiple of dims, and labels of the wrong length", () => {
    expect(() => recallAtK([1, 2, 3], [0, 0], 2)).toThrow(
      "recallAtK: embeddings has 3 entries, not a multiple of dims = 2"
    );
    expect(() => mapAtR([1, 2, 3, 4], [0], 2)).toThrow(
      "mapAtR: labels has 1 entries, expected 2 (one per row of embeddings)"
    );
  });
  test("non-finite embeddings and labels that are not non-negative integers", () => {
    expect(() => tolerance([1, NaN], [0], 2)).toThrow("tolerance: embeddings[1] is NaN");
    expect(() => recallAtK([1, 2], [0, -1], 1)).toThrow("recallAtK: labels[1] = -1 is not a class index");
  });
  test("invalid options", () => {
    expect(() => recallAtK([1, 2], [0, 0], 1, {k: 0})).toThrow("recallAtK: invalid k: 0");
    expect(() => mapAtR([1, 2], [0, 0], 1, {distance: "manhattan" as "cosine"})).toThrow(
      "mapAtR: invalid distance: manhattan"
    );
    expect(() => recallAtK([1, 2], [0, 0], 1, {average: "macro" as "classes"})).toThrow(
      "recallAtK: invalid average: macro"
    );
    expect(() => uniformity([1, 2], 1, {t: 0})).toThrow("uniformity: invalid t: 0");
    expect(() => uniformity([1, 2], 0)).toThrow("uniformity: invalid dims: 0");
  });
});
