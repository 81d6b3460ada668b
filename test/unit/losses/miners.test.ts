import {describe, expect, test} from "vitest";
import {useCpuBackend} from "../../util/backend.js";
import * as tf from "../../../src/tf.js";
import {distanceByName} from "../../../src/losses/distances.js";
import {
  allPairs,
  allTriplets,
  batchHard,
  countMask,
  labelMasks,
  multiSimilarityPairs,
  tripletsByMargin
} from "../../../src/losses/miners.js";
import {random} from "../../../src/random.js";
import {
  allPairsOf,
  allTripletsOf,
  batchHardOf,
  clusteredEmbeddings,
  multiSimilarityMinerOf,
  tripletMarginMinerOf
} from "../../oracles/metric.js";
import type {Pair, Triplet} from "../../oracles/metric.js";

const D = 3;
// Classes of 3, 2, 2 and 1 samples.
const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 3, 0]);
const B = labels.length;
useCpuBackend();

function fixture(seed: number, y: Int32Array = labels): Float32Array {
  return clusteredEmbeddings(
    random(seed)
      .fork("embeddings")
      .uniforms(y.length * (D + 1)),
    y,
    D,
    {spread: 1}
  );
}

/** The distance matrix as TF.js computes it, read back as float64 rows so that masks and references see the same numbers. */
function matrix(name: string, emb: Float32Array, n = B): {t: tf.Tensor2D; rows: number[][]} {
  const t = distanceByName(name).matrix(tf.tensor2d(emb, [n, D]));
  const flat = t.dataSync();
  const rows = Array.from({length: n}, (_, i) => Array.from(flat.subarray(i * n, (i + 1) * n)));
  return {t, rows};
}

function pairsOf(mask: tf.Tensor): Pair[] {
  const [n, m] = mask.shape;
  const v = mask.dataSync();
  const out: Pair[] = [];
  for (let i = 0; i < n; ++i) for (let j = 0; j < m; ++j) if (v[i * m + j] === 1) out.push([i, j]);
  return out;
}
function tripletsOf(mask: tf.Tensor): Triplet[] {
  const [n, m] = mask.shape;
  const v = mask.dataSync();
  const out: Triplet[] = [];
  for (let a = 0; a < n; ++a)
    for (let p = 0; p < m; ++p) for (let q = 0; q < m; ++q) if (v[(a * m + p) * m + q] === 1) out.push([a, p, q]);
  return out;
}
function isBinary(mask: tf.Tensor): boolean {
  return Array.from(mask.dataSync()).every((x) => x === 0 || x === 1);
}
const sorted = <T extends number[]>(list: T[]) => [...list].sort((x, y) => x.join().localeCompare(y.join()));

describe("label miners", () => {
  test("allPairs(labels) keeps every ordered same-label pair except the diagonal and every different-label pair", () => {
    tf.tidy(() => {
      const {pos, neg} = allPairs(tf.tensor1d(labels, "int32"));
      const expected = allPairsOf(labels);
      expect(sorted(pairsOf(pos))).toEqual(sorted(expected.pos));
      expect(sorted(pairsOf(neg))).toEqual(sorted(expected.neg));
      expect(isBinary(pos) && isBinary(neg)).toBe(true);
    });
  });
  test("labelMasks(queries, references, false) counts (i, i) as a positive pair across two sets", () => {
    tf.tidy(() => {
      const y = tf.tensor1d([0, 1, 0], "int32");
      const {pos, neg} = labelMasks(y, tf.tensor1d([0, 1, 0], "int32"), false);
      expect(Array.from(pos.dataSync())).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1]);
      expect(Array.from(neg.dataSync())).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0]);
    });
  });
  test("allTriplets(labels) has Σ_a n_pos(a)·n_neg(a) triplets, exactly PML's get_all_triplets_indices", () => {
    tf.tidy(() => {
      const mask = allTriplets(tf.tensor1d(labels, "int32"));
      let count = 0;
      for (let a = 0; a < B; ++a) {
        let nPos = 0;
        let nNeg = 0;
        for (let j = 0; j < B; ++j) {
          if (labels[j] !== labels[a]) ++nNeg;
          else if (j !== a) ++nPos;
        }
        count += nPos * nNeg;
      }
      expect(count).toBe(3 * 2 * 5 + 4 * 1 * 6 + 0); // three anchors of class 0, four of classes 1–2, the singleton none
      expect(countMask(mask).dataSync()[0]).toBe(count);
      expect(sorted(tripletsOf(mask))).toEqual(sorted(allTripletsOf(labels)));
    });
  });
  for (const [name, y] of [
    ["all labels distinct", Int32Array.from([0, 1, 2, 3])],
    ["all labels equal", Int32Array.from([1, 1, 1, 1])]
  ] as const) {
    test(`allTriplets() with ${name} is empty`, () => {
      tf.tidy(() => {
        expect(countMask(allTriplets(tf.tensor1d(y, "int32"))).dataSync()[0]).toBe(0);
      });
    });
  }
});

describe("distance-based miners equal an enumeration of PML's rules on the same matrix", () => {
  for (const name of ["euclidean", "cosine", "dot"]) {
    for (const type of ["all", "hard", "semihard", "easy"] as const) {
      test(`tripletsByMargin(${name}, {margin: 0.3, type: "${type}"}) = TripletMarginMiner`, () => {
        tf.tidy(() => {
          const {t, rows} = matrix(name, fixture(1));
          const distance = distanceByName(name);
          const mask = tripletsByMargin(t, tf.tensor1d(labels, "int32"), distance, {margin: 0.3, type});
          const expected = tripletMarginMinerOf(rows, labels, distance.inverted, 0.3, type);
          expect(expected.length).toBeGreaterThan(0);
          expect(expected.length).toBeLessThan(allTripletsOf(labels).length);
          expect(sorted(tripletsOf(mask))).toEqual(sorted(expected));
          expect(isBinary(mask)).toBe(true);
        });
      });
    }
    test(`batchHard(${name}) = BatchHardMiner: each anchor's least close positive and closest negative`, () => {
      tf.tidy(() => {
        const {t, rows} = matrix(name, fixture(2));
        const distance = distanceByName(name);
        const {triplets, pos, neg} = batchHard(t, tf.tensor1d(labels, "int32"), distance);
        const expected = batchHardOf(rows, labels, distance.inverted);
        expect(expected.length).toBe(B - 1); // the singleton has no positive
        expect(sorted(tripletsOf(triplets))).toEqual(sorted(expected));
        expect(sorted(pairsOf(pos))).toEqual(sorted(expected.map(([a, p]) => [a, p] as Pair)));
        expect(sorted(pairsOf(neg))).toEqual(sorted(expected.map(([a, , q]) => [a, q] as Pair)));
      });
    });
    for (const epsilon of [0.1, 0.5]) {
      test(`multiSimilarityPairs(${name}, {epsilon: ${epsilon}}) = MultiSimilarityMiner`, () => {
        tf.tidy(() => {
          const {t, rows} = matrix(name, fixture(3));
          const distance = distanceByName(name);
          const {pos, neg} = multiSimilarityPairs(t, tf.tensor1d(labels, "int32"), distance, {epsilon});
          const expected = multiSimilarityMinerOf(rows, labels, distance.inverted, epsilon);
          const all = allPairsOf(labels);
          expect(expected.neg.length).toBeGreaterThan(0);
          expect(expected.pos.length + expected.neg.length).toBeLessThan(all.pos.length + all.neg.length);
          expect(sorted(pairsOf(pos))).toEqual(sorted(expected.pos));
          expect(sorted(pairsOf(neg))).toEqual(sorted(expected.neg));
        });
      });
    }
  }
  test("batchHard() breaks ties toward the lowest index, as torch.max/min on CPU", () => {
    tf.tidy(() => {
      // Samples 1 and 2 (positives of 0) are equally far from 0; samples 3 and 4 (negatives) equally close.
      const rows = [
        [0, 2, 2, 1, 1],
        [2, 0, 1, 3, 3],
        [2, 1, 0, 3, 3],
        [1, 3, 3, 0, 1],
        [1, 3, 3, 1, 0]
      ];
      const y = Int32Array.from([0, 0, 0, 1, 1]);
      const {triplets} = batchHard(tf.tensor2d(rows), tf.tensor1d(y, "int32"), distanceByName("euclidean"));
      const mined = tripletsOf(triplets);
      expect(mined.find(([a]) => a === 0)).toEqual([0, 1, 3]);
      expect(sorted(mined)).toEqual(sorted(batchHardOf(rows, y, false)));
    });
  });
  test("multiSimilarityPairs() keeps nothing in a batch without positive pairs or without negative pairs", () => {
    tf.tidy(() => {
      for (const y of [Int32Array.from([0, 1, 2, 3]), Int32Array.from([2, 2, 2, 2])]) {
        const {t} = matrix("cosine", fixture(4, y), 4);
        const {pos, neg} = multiSimilarityPairs(t, tf.tensor1d(y, "int32"), distanceByName("cosine"));
        expect(countMask(pos).dataSync()[0] + countMask(neg).dataSync()[0]).toBe(0);
      }
    });
  });
});

describe("masks are constants to autodiff", () => {
  for (const [name, mine] of [
    [
      "tripletsByMargin",
      (t: tf.Tensor2D, y: tf.Tensor1D) => tripletsByMargin(t, y, distanceByName("euclidean"), {type: "semihard"})
    ],
    ["batchHard", (t: tf.Tensor2D, y: tf.Tensor1D) => batchHard(t, y, distanceByName("euclidean")).triplets],
    [
      "multiSimilarityPairs",
      (t: tf.Tensor2D, y: tf.Tensor1D) => tf.expandDims(multiSimilarityPairs(t, y, distanceByName("euclidean")).neg, 2)
    ]
  ] as const) {
    test(`${name}: the gradient through a mined sum equals the gradient with the mask held fixed`, () => {
      tf.tidy(() => {
        const y = tf.tensor1d(labels, "int32");
        const x = tf.tensor2d(fixture(5), [B, D]);
        const fixed = mine(distanceByName("euclidean").matrix(x), y);
        const cube = (d: tf.Tensor) => tf.add(tf.expandDims(d, 2), tf.expandDims(d, 1));
        const mined = tf.grad((e: tf.Tensor) => {
          const d = distanceByName("euclidean").matrix(e as tf.Tensor2D);
          return tf.sum(tf.mul(cube(d), mine(d, y)));
        })(x);
        const held = tf.grad((e: tf.Tensor) =>
          tf.sum(tf.mul(cube(distanceByName("euclidean").matrix(e as tf.Tensor2D)), fixed))
        )(x);
        expect(countMask(fixed).dataSync()[0]).toBeGreaterThan(0);
        expect(Array.from(mined.dataSync())).toEqual(Array.from(held.dataSync()));
      });
    });
  }
});
