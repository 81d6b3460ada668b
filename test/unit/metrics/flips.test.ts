import {describe, expect, test} from "vitest";
import {
  accuracy,
  argmax,
  flipMatrix,
  flips,
  negativeFlipImpact,
  negativeFlipRate,
  positiveFlipRate,
  relativeNegativeFlipRate
} from "../../../src/metrics/index.js";
import {random} from "../../../src/random.js";

// Hand case, six samples, three classes:
//   sample   0  1  2  3  4  5
//   label    0  1  2  0  1  2
//   old      0  1  0  0  2  2   → right on 0, 1, 3, 5 (ER_old = 2/6)
//   new      0  2  2  1  1  2   → right on 0, 2, 4, 5 (ER_new = 2/6)
// negative flips (old right, new wrong): 1, 3 → NFR = 2/6;  positive flips (old wrong, new right): 2, 4 → PFR = 2/6
// NFI = NFR / ER_new = 1;  RNFR = NFR / ((1 − ER_old)·ER_new) = (1/3) / ((2/3)·(1/3)) = 1.5
// flip matrix over old-right samples: 0: 0→0, 1: 1→2, 3: 0→1, 5: 2→2  ⇒  [[1, 1, 0], [0, 0, 1], [0, 0, 1]]
const labels = [0, 1, 2, 0, 1, 2];
const oldP = [0, 1, 0, 0, 2, 2];
const newP = [0, 2, 2, 1, 1, 2];

describe("hand-computed flips", () => {
  test("negativeFlipRate(old, new, labels) = 2/6", () => {
    expect(negativeFlipRate(oldP, newP, labels)).toBe(2 / 6);
  });
  test("positiveFlipRate(old, new, labels) = 2/6", () => {
    expect(positiveFlipRate(oldP, newP, labels)).toBe(2 / 6);
  });
  test("negativeFlipImpact(old, new, labels) = NFR / ER_new = 1", () => {
    expect(negativeFlipImpact(oldP, newP, labels)).toBe(1);
  });
  test("relativeNegativeFlipRate(old, new, labels) = NFR / ((1 − ER_old)·ER_new) = 1.5", () => {
    expect(relativeNegativeFlipRate(oldP, newP, labels)).toBeCloseTo(1.5, 14);
  });
  test("flipMatrix(old, new, labels, 3) counts old-right samples by old → new prediction", () => {
    expect(flipMatrix(oldP, newP, labels, 3)).toEqual([
      [1, 1, 0],
      [0, 0, 1],
      [0, 0, 1]
    ]);
  });
  test("flips(old, new, labels) reports every statistic at once, consistent with the single functions", () => {
    const f = flips(oldP, newP, labels);
    expect(f).toEqual({
      total: 6,
      negativeFlips: 2,
      positiveFlips: 2,
      oldErrorRate: 2 / 6,
      newErrorRate: 2 / 6,
      negativeFlipRate: negativeFlipRate(oldP, newP, labels),
      positiveFlipRate: positiveFlipRate(oldP, newP, labels),
      negativeFlipImpact: negativeFlipImpact(oldP, newP, labels),
      relativeNegativeFlipRate: relativeNegativeFlipRate(oldP, newP, labels)
    });
  });
});

describe("identities on seeded random predictions", () => {
  const rng = random(5).fork("flips");
  const n = 200,
    C = 5;
  const y = Array.from({length: n}, () => rng.int(C));
  const oldLogits = rng.uniforms(n * C, -2, 2),
    newLogits = rng.uniforms(n * C, -2, 2);
  // Make the new model better on average so that both flip kinds occur.
  for (let i = 0; i < n; ++i) newLogits[i * C + y[i]] += 1;
  const o = argmax(oldLogits, C),
    nw = argmax(newLogits, C);
  test("PFR − NFR equals accuracy(new) − accuracy(old)", () => {
    const d = positiveFlipRate(o, nw, y) - negativeFlipRate(o, nw, y);
    expect(d).toBeCloseTo(accuracy(newLogits, y, C) - accuracy(oldLogits, y, C), 14);
    expect(negativeFlipRate(o, nw, y)).toBeGreaterThan(0);
  });
  test("the off-diagonal sum of flipMatrix divided by N is the NFR, the total is the old model's hit count", () => {
    const m = flipMatrix(o, nw, y, C);
    let off = 0,
      all = 0;
    for (let a = 0; a < C; ++a) {
      for (let b = 0; b < C; ++b) {
        all += m[a][b];
        if (a !== b) off += m[a][b];
      }
    }
    expect(off / n).toBe(negativeFlipRate(o, nw, y));
    expect(all / n).toBe(accuracy(oldLogits, y, C));
  });
  test("relativeNegativeFlipRate matches MPT's utils.py formula written out", () => {
    let erOld = 0,
      erNew = 0,
      nf = 0;
    for (let i = 0; i < n; ++i) {
      erOld += o[i] !== y[i] ? 1 / n : 0;
      erNew += nw[i] !== y[i] ? 1 / n : 0;
      nf += o[i] === y[i] && nw[i] !== y[i] ? 1 / n : 0;
    }
    expect(relativeNegativeFlipRate(o, nw, y)).toBeCloseTo(nf / ((1 - erOld) * erNew), 12);
  });
});

describe("edge cases", () => {
  test("identical models have no flips and an identity-diagonal flip matrix", () => {
    expect(negativeFlipRate(oldP, oldP, labels)).toBe(0);
    expect(positiveFlipRate(oldP, oldP, labels)).toBe(0);
    expect(flipMatrix(oldP, oldP, labels, 3)).toEqual([
      [2, 0, 0],
      [0, 1, 0],
      [0, 0, 1]
    ]);
  });
  test("a new model that is always right: NFR 0, NFI and RNFR 0 by MPT's zero-denominator convention", () => {
    expect(negativeFlipRate(oldP, labels, labels)).toBe(0);
    expect(negativeFlipImpact(oldP, labels, labels)).toBe(0);
    expect(relativeNegativeFlipRate(oldP, labels, labels)).toBe(0);
    expect(positiveFlipRate(oldP, labels, labels)).toBe(2 / 6);
  });
  test("an old model always right and a new one always wrong: NFR 1, NFI 1, RNFR 1", () => {
    const wrong = labels.map((l) => (l + 1) % 3);
    expect(negativeFlipRate(labels, wrong, labels)).toBe(1);
    expect(negativeFlipImpact(labels, wrong, labels)).toBe(1);
    expect(relativeNegativeFlipRate(labels, wrong, labels)).toBe(1);
  });
  test("an old model always wrong: no negative flips and an all-zero flip matrix", () => {
    const wrong = labels.map((l) => (l + 1) % 3);
    expect(negativeFlipRate(wrong, newP, labels)).toBe(0);
    expect(
      flipMatrix(wrong, newP, labels, 3)
        .flat()
        .every((v) => v === 0)
    ).toBe(true);
  });
  test("a single sample", () => {
    expect(negativeFlipRate([1], [0], [1])).toBe(1);
    expect(positiveFlipRate([0], [1], [1])).toBe(1);
  });
  test("no samples: rates are NaN", () => {
    expect(negativeFlipRate([], [], [])).toBeNaN();
    expect(negativeFlipImpact([], [], [])).toBeNaN();
    expect(relativeNegativeFlipRate([], [], [])).toBeNaN();
    expect(flips([], [], []).positiveFlipRate).toBeNaN();
  });
});

describe("bad input throws errors that name the function, the argument and the sizes", () => {
  test("mismatched lengths", () => {
    expect(() => negativeFlipRate([0, 1], [0], [0, 1])).toThrow(
      "negativeFlipRate: newPredictions has 1 entries, expected 2 (one per entry of oldPredictions)"
    );
    expect(() => flipMatrix([0, 1], [0, 1], [0], 2)).toThrow(
      "flipMatrix: labels has 1 entries, expected 2 (one per entry of oldPredictions)"
    );
  });
  test("predictions that are not class indices, and classes out of range in flipMatrix", () => {
    expect(() => positiveFlipRate([0.5], [0], [0])).toThrow("positiveFlipRate: oldPredictions[0] = 0.5");
    expect(() => flipMatrix([0], [3], [0], 3)).toThrow("flipMatrix: newPredictions[0] = 3 is not a class index");
  });
});
