// The multi-similarity notebook's code (src/methods/multiSimilarity.ts) against independent float64 loops: the official
// loss as multi_similarity_loss.py reads (a loop over anchors with explicit lists), and each pair weight against a
// central finite difference of that loss with respect to the similarity it weights.
import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {
  multiSimilarityBatchRows,
  multiSimilarityContrastiveWeights,
  multiSimilarityDrawnPairs,
  multiSimilarityMatrix,
  multiSimilarityOfficial,
  multiSimilarityPairWeights,
  multiSimilarityRetrieval,
  multiSimilarityTripletWeights,
  multiSimilarityUsedCounts
} from "../../../src/methods/multiSimilarity.js";
import {balancedBatcher} from "../../../src/train/batches.js";
import {useCpuBackend} from "../../util/backend.js";

useCpuBackend();

// Eight unit vectors in 2-D (angles in radians), four classes of two, placed so that mining keeps some pairs and drops
// others.
const angles = [0, 0.3, 0.5, 1.1, 1.6, 2.4, 2.6, 4];
const labels = [0, 0, 1, 1, 0, 2, 2, 1];
const embeddings = Float32Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)]));
const settings = {alpha: 2, beta: 40, base: 0.5, epsilon: 0.1};

/** The official loss, one anchor at a time over explicit lists, as a function of the similarity matrix. */
function officialLoss(s: (i: number, j: number) => number, y: number[], mine: boolean, o = settings): number {
  const n = y.length;
  let total = 0;
  for (let i = 0; i < n; ++i) {
    const pos: number[] = [],
      neg: number[] = [];
    for (let j = 0; j < n; ++j) {
      if (y[j] === y[i] && s(i, j) < 1 - 1e-5) pos.push(s(i, j));
      if (y[j] !== y[i]) neg.push(s(i, j));
    }
    if (!pos.length || !neg.length) continue;
    const keptNeg = mine ? neg.filter((v) => v + o.epsilon > Math.min(...pos)) : neg;
    const keptPos = mine ? pos.filter((v) => v - o.epsilon < Math.max(...neg)) : pos;
    if (!keptNeg.length || !keptPos.length) continue;
    const p = Math.log(1 + keptPos.reduce((a, v) => a + Math.exp(-o.alpha * (v - o.base)), 0)) / o.alpha;
    const q = Math.log(1 + keptNeg.reduce((a, v) => a + Math.exp(o.beta * (v - o.base)), 0)) / o.beta;
    total += p + q;
  }
  return total / n;
}

const n = labels.length;
const S = multiSimilarityMatrix(embeddings, 2);
const at = (i: number, j: number) => S[i * n + j];

describe("multiSimilarityOfficial", () => {
  for (const mine of [true, false]) {
    test(`matches the official loop over anchors (mine: ${mine})`, () => {
      const value = tf.tidy(
        () =>
          multiSimilarityOfficial
            .fn(
              {embeddings: tf.tensor2d(embeddings, [n, 2]), labels: tf.tensor1d(labels, "int32")},
              {...settings, mine}
            )
            .dataSync()[0]
      );
      const expected = officialLoss(at, labels, mine);
      expect(expected).toBeGreaterThan(0);
      expect(value).toBeCloseTo(expected, 5);
    });
  }

  test("mining skips an anchor whose positives are all far more similar than its negatives", () => {
    // Two tight classes far apart: no negative is within ε of a positive, so every anchor is skipped and the loss is 0.
    const e = Float32Array.from([1, 0, 0.999, 0.04, -1, 0, -0.999, 0.04]);
    const y = tf.tensor1d([0, 0, 1, 1], "int32");
    const v = tf.tidy(() => multiSimilarityOfficial.fn({embeddings: tf.tensor2d(e, [4, 2]), labels: y}).dataSync()[0]);
    y.dispose();
    expect(v).toBe(0);
  });

  test("leaks no tensors and gives a finite gradient", () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(embeddings, [n, 2]);
    const y = tf.tensor1d(labels, "int32");
    const g = tf.grad((e: tf.Tensor) => multiSimilarityOfficial.fn({embeddings: e as tf.Tensor2D, labels: y}))(x);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Array.from(g.dataSync()).some((v) => v !== 0)).toBe(true);
    tf.dispose([x, y, g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

// The derivative of a loss written in the similarity matrix with respect to the ordered entry S_ij alone.
function partial(loss: (s: (i: number, j: number) => number) => number, i: number, j: number, h = 1e-6): number {
  const bumped = (d: number) => (a: number, b: number) => at(a, b) + (a === i && b === j ? d : 0);
  return (loss(bumped(h)) - loss(bumped(-h))) / (2 * h);
}

describe("pair weights", () => {
  test("multiSimilarityPairWeights is B·|∂L/∂S_ij| of the official loss, 0 for dropped pairs", () => {
    for (const mine of [true, false]) {
      const t = multiSimilarityPairWeights(embeddings, labels, 2, {...settings, mine});
      for (let k = 0; k < t.anchor.length; ++k) {
        // The mining sets are piecewise constant, so the finite difference sees the weight of the current sets.
        const g = partial((s) => officialLoss(s, labels, mine), t.anchor[k], t.other[k]);
        expect(t.weight[k]).toBeCloseTo(n * Math.abs(g), 5);
        // Positives are pulled (gradient < 0), negatives pushed.
        if (t.weight[k] > 1e-3) expect(Math.sign(g)).toBe(t.positive[k] ? -1 : 1);
      }
      if (mine) {
        const used = multiSimilarityUsedCounts(t);
        const all = multiSimilarityUsedCounts(multiSimilarityPairWeights(embeddings, labels, 2, {mine: false}));
        expect(used.positive + used.negative).toBeLessThan(all.positive + all.negative);
        expect(used.negative).toBeGreaterThan(0);
      }
    }
  });

  test("multiSimilarityContrastiveWeights is |∂L/∂S_ij| of PML's contrastive loss on d = √(2 − 2S)", () => {
    const o = {posMargin: 0.1, negMargin: 0.9};
    const loss = (s: (i: number, j: number) => number) => {
      let pos = 0,
        nPos = 0,
        neg = 0,
        nNeg = 0;
      for (let i = 0; i < n; ++i) {
        for (let j = 0; j < n; ++j) {
          if (i === j) continue;
          const d = Math.sqrt(2 - 2 * s(i, j));
          if (labels[i] === labels[j]) {
            const v = Math.max(0, d - o.posMargin);
            pos += v;
            if (v > 0) nPos++;
          } else {
            const v = Math.max(0, o.negMargin - d);
            neg += v;
            if (v > 0) nNeg++;
          }
        }
      }
      return (nPos ? pos / nPos : 0) + (nNeg ? neg / nNeg : 0);
    };
    const t = multiSimilarityContrastiveWeights(embeddings, labels, 2, o);
    for (let k = 0; k < t.anchor.length; ++k) {
      expect(t.weight[k]).toBeCloseTo(Math.abs(partial(loss, t.anchor[k], t.other[k])), 4);
    }
    expect(multiSimilarityUsedCounts(t).negative).toBeGreaterThan(0);
  });

  test("multiSimilarityTripletWeights is |∂L/∂S_ij| of the semi-hard triplet loss", () => {
    const o = {margin: 0.3, minerMargin: 0.3};
    // The miner's selection is held at the unperturbed similarities (PML mines without gradient).
    const mined: [number, number, number][] = [];
    const d = (s: (i: number, j: number) => number, i: number, j: number) => Math.sqrt(2 - 2 * s(i, j));
    for (let a = 0; a < n; ++a)
      for (let p = 0; p < n; ++p)
        for (let q = 0; q < n; ++q) {
          if (p === a || labels[p] !== labels[a] || labels[q] === labels[a]) continue;
          const m = d(at, a, q) - d(at, a, p);
          if (m > 0 && m <= o.minerMargin) mined.push([a, p, q]);
        }
    expect(mined.length).toBeGreaterThan(0);
    const loss = (s: (i: number, j: number) => number) => {
      let sum = 0,
        count = 0;
      for (const [a, p, q] of mined) {
        const v = Math.max(0, d(s, a, p) - d(s, a, q) + o.margin);
        sum += v;
        if (v > 0) count++;
      }
      return count ? sum / count : 0;
    };
    const t = multiSimilarityTripletWeights(embeddings, labels, 2, o);
    for (let k = 0; k < t.anchor.length; ++k) {
      expect(t.weight[k]).toBeCloseTo(Math.abs(partial(loss, t.anchor[k], t.other[k])), 4);
    }
  });
});

describe("helpers", () => {
  test("multiSimilarityDrawnPairs lists each used pair once, as rows", () => {
    const t = multiSimilarityPairWeights(embeddings, labels, 2, {mine: false});
    const rows = Int32Array.from({length: n}, (_, i) => 100 + i);
    const {pos, neg} = multiSimilarityDrawnPairs(t, rows);
    // Unmined: every unordered pair, counted directly.
    let p = 0,
      q = 0;
    for (let i = 0; i < n; ++i) for (let j = i + 1; j < n; ++j) labels[i] === labels[j] ? p++ : q++;
    expect(pos.length).toBe(2 * p);
    expect(neg.length).toBe(2 * q);
    expect(Math.min(...pos, ...neg)).toBeGreaterThanOrEqual(100);
  });

  test("multiSimilarityRetrieval is perfect on separated classes and at chance-level structure otherwise", () => {
    const e = Float32Array.from([1, 0, 0.99, 0.1, 0, 1, 0.1, 0.99, -1, 0, -0.99, -0.1]);
    const y = [0, 0, 1, 1, 2, 2];
    expect(multiSimilarityRetrieval(e, y, 2)).toEqual({recallAt1: 1, recallAt2: 1, recallAt4: 1, mapAtR: 1});
    // Swap the labels of one point per pair: every nearest neighbour is now of another class.
    const r = multiSimilarityRetrieval(e, [0, 1, 1, 2, 2, 0], 2);
    expect(r.recallAt1).toBe(0);
  });

  test("multiSimilarityBatchRows is the trainer's balanced batch of the last completed step", () => {
    const y = Int32Array.from({length: 80}, (_, i) => i % 8);
    const rows = multiSimilarityBatchRows(y, {classes: 4, perClass: 3, seed: 7}, 5);
    expect(Array.from(rows)).toEqual(Array.from(balancedBatcher(y, 4, 3, 7).at(4)));
    expect(Array.from(multiSimilarityBatchRows(y, {classes: 4, perClass: 3, seed: 7}, 0))).toEqual(
      Array.from(balancedBatcher(y, 4, 3, 7).at(0))
    );
  });
});
