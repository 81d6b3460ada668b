import type {Random} from "../random.js";

/** One split of a dataset: row-major inputs, (possibly noisy) labels, the clean labels and stable ids. */
export interface Split {
  /** Number of samples. */
  n: number;
  /** Inputs, row-major [n, inputs]. */
  x: Float32Array;
  /** Labels the model trains on (label noise applied on the training split only). */
  y: Int32Array;
  /** Labels before label noise; equal to `y` where the label was not corrupted. */
  yClean: Int32Array;
  /** Sample ids, unique across the dataset and stable across runs with the same seed (per-sample state). */
  ids: Int32Array;
  /** Optional subgroup of each sample (e.g. an appearance cluster or a rare mode), for per-group metrics. */
  groups?: Int32Array;
  /**
   * Optional per-sample target vectors, row-major [n, classes]: multi-hot label sets or soft targets, passed to losses as
   * `targets` (multi-label data keeps one representative label per sample in `y`).
   */
  targets?: Float32Array;
  /**
   * Optional named per-sample inputs beyond `x`, each row-major [n, width] (a second modality, a fixed second view); the
   * trainer gathers the batch's rows of each and hands them to an arm's `tape` hook.
   */
  views?: Record<string, Float32Array>;
}

/** A classification dataset with a train/test split. */
export interface Dataset {
  name: string;
  /** Input dimension. */
  inputs: number;
  classes: number;
  train: Split;
  test: Split;
  /** Fraction of training labels that were corrupted (measured, not requested). */
  noiseRate: number;
}

/** Raw labelled points before splitting: row-major inputs and labels. */
export interface Points {
  x: Float32Array;
  y: Int32Array;
  inputs: number;
  classes: number;
}

/** Rows of `points` selected by `index`, as a Split (ids are the original row numbers). */
export function take(points: Points, index: ArrayLike<number>): Split {
  const d = points.inputs;
  const n = index.length;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const j = index[i];
    x.set(points.x.subarray(j * d, (j + 1) * d), i * d);
    y[i] = points.y[j];
    ids[i] = j;
  }
  return {n, x, y, yClean: y.slice(), ids};
}

/** Per-class counts of a label array. */
export function classCounts(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; ++i) counts[labels[i]]++;
  return counts;
}

/**
 * Class sizes for `n` samples with an imbalance ratio ρ ≥ 1 between the largest (class 0) and the
 * smallest (last) class, spaced geometrically: n_k ∝ ρ^(−k/(C−1)), each at least `min`. The sizes add
 * up to exactly n (largest-remainder rounding) unless the minimum forces more.
 */
export function imbalancedCounts(n: number, classes: number, ratio = 1, min = 2): number[] {
  if (!(ratio >= 1)) throw new Error(`invalid imbalance: ${ratio}`);
  const w = Array.from({length: classes}, (_, k) => (classes === 1 ? 1 : ratio ** (-k / (classes - 1))));
  const total = w.reduce((a, b) => a + b, 0);
  const exact = w.map((wk) => (n * wk) / total);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, k) => [e - Math.floor(e), k]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = n - counts.reduce((a, b) => a + b, 0), i = 0; r > 0; --r, ++i) counts[order[i % classes][1]]++;
  return counts.map((c) => Math.max(min, c));
}

/**
 * Stratified train/test split: each class sends round(fraction · n_k) samples (at least one when it has
 * two or more) to the test split; both splits are shuffled.
 */
export function stratifiedSplit(points: Points, testFraction: number, rng: Random): {train: Split; test: Split} {
  if (!(testFraction >= 0 && testFraction < 1)) throw new Error(`invalid testFraction: ${testFraction}`);
  const byClass: number[][] = Array.from({length: points.classes}, () => []);
  for (let i = 0; i < points.y.length; ++i) byClass[points.y[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of byClass) {
    rng.shuffle(rows);
    let k = Math.round(testFraction * rows.length);
    if (testFraction > 0 && k === 0 && rows.length >= 2) k = 1;
    test.push(...rows.slice(0, k));
    train.push(...rows.slice(k));
  }
  rng.shuffle(train);
  rng.shuffle(test);
  return {train: take(points, train), test: take(points, test)};
}

export type LabelNoiseKind = "symmetric" | "pairflip";

/**
 * Corrupts exactly round(rate · n) labels of a split, chosen at random. "symmetric": the new label is
 * uniform over the other classes; "pairflip" (class-dependent): class k becomes k + 1 mod C, the
 * asymmetric noise of Patrini et al. (2017) and Han et al. (2018). Returns a new split; `yClean` keeps
 * the true labels.
 */
export function corruptLabels(split: Split, classes: number, rate: number, kind: LabelNoiseKind, rng: Random): Split {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`invalid label noise rate: ${rate}`);
  const y = split.yClean.slice();
  if (classes < 2 || rate === 0) return {...split, y};
  const order = rng.permutation(split.n);
  const flips = Math.round(rate * split.n);
  for (let i = 0; i < flips; ++i) {
    const j = order[i];
    if (kind === "pairflip") y[j] = (y[j] + 1) % classes;
    else y[j] = (y[j] + 1 + rng.int(classes - 1)) % classes;
  }
  return {...split, y};
}

/** Fraction of a split's labels that differ from the clean ones. */
export function measuredNoise(split: Split): number {
  let wrong = 0;
  for (let i = 0; i < split.n; ++i) if (split.y[i] !== split.yClean[i]) wrong++;
  return split.n ? wrong / split.n : 0;
}
