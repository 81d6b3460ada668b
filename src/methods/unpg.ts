/**
 * UNPG notebook (card 02): face-verification metrics on held-out identities (TAR at a fixed FAR), the positive and
 * negative pair similarities they come from, the box-and-whisker window of a batch's negative pairs (host-side float64,
 * as the official `box_and_whisker_algorithm`), and the card's noisy "duplicate identity". Plain JS, no TF.js.
 */
import type {Dataset} from "../datasets/dataset.js";
import {random} from "../random.js";

/** Cosine similarities of every unordered pair i < j of the rows, split into same-label and different-label pairs. */
export function unpgPairSimilarities(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number
): {positive: Float64Array; negative: Float64Array} {
  const n = labels.length;
  if (embeddings.length !== n * dims) throw new Error(`unpgPairSimilarities: expected ${n} × ${dims} embeddings`);
  const x = new Float64Array(n * dims);
  for (let i = 0; i < n; ++i) {
    let s = 0;
    for (let c = 0; c < dims; ++c) s += embeddings[i * dims + c] ** 2;
    const norm = Math.max(Math.sqrt(s), 1e-12);
    for (let c = 0; c < dims; ++c) x[i * dims + c] = embeddings[i * dims + c] / norm;
  }
  const positive: number[] = [],
    negative: number[] = [];
  for (let i = 0; i < n; ++i) {
    for (let j = i + 1; j < n; ++j) {
      let s = 0;
      for (let c = 0; c < dims; ++c) s += x[i * dims + c] * x[j * dims + c];
      (labels[i] === labels[j] ? positive : negative).push(s);
    }
  }
  return {positive: Float64Array.from(positive), negative: Float64Array.from(negative)};
}

/**
 * True accept rate at a false accept rate (face verification, as in the IJB-B/C protocol the paper reports): the
 * threshold τ is the (⌊far·M⌋ + 1)-th highest of the M impostor (negative-pair) scores, a pair is accepted when its
 * score is above τ, so at most ⌊far·M⌋ impostors pass; TAR is the share of genuine (positive) pairs that pass.
 * NaN without genuine or impostor pairs.
 */
export function unpgTarAtFar(genuine: ArrayLike<number>, impostor: ArrayLike<number>, far: number): number {
  if (!(far >= 0 && far <= 1)) throw new Error(`unpgTarAtFar: invalid far: ${far}`);
  if (!genuine.length || !impostor.length) return NaN;
  const sorted = Float64Array.from(impostor).sort().reverse();
  const k = Math.floor(far * sorted.length);
  if (k >= sorted.length) return 1;
  const threshold = sorted[k];
  let accepted = 0;
  for (let i = 0; i < genuine.length; ++i) if (genuine[i] > threshold) accepted++;
  return accepted / genuine.length;
}

/**
 * The box-and-whisker window of UNPG over a set of negative-pair similarities (official build.py
 * `box_and_whisker_algorithm`): sorted ascending, Q1 = sorted[⌊0.25 M⌋], Q3 = sorted[⌊0.75 M⌋], kept values lie in
 * [Q1 − w·IQR, Q3 + w·IQR]. Returns the window and the number of values it drops.
 */
export function unpgWhiskerWindow(
  values: ArrayLike<number>,
  wisk: number
): {q1: number; q3: number; lo: number; hi: number; dropped: number} {
  const m = values.length;
  if (!m) return {q1: NaN, q3: NaN, lo: NaN, hi: NaN, dropped: 0};
  const sorted = Float64Array.from(values).sort();
  const q1 = sorted[Math.floor(0.25 * m)];
  const q3 = sorted[Math.floor(0.75 * m)];
  const lo = q1 - wisk * (q3 - q1);
  const hi = q3 + wisk * (q3 - q1);
  let dropped = 0;
  for (let i = 0; i < m; ++i) if (!(values[i] >= lo && values[i] <= hi)) dropped++;
  return {q1, q3, lo, hi, dropped};
}

/**
 * Verification scores of held-out identities from test embeddings [n, dims]: TAR at FAR 10⁻¹ and 10⁻², the mean
 * positive and negative pair similarity, and the share of negative pairs more similar than the median positive pair
 * (an overlap measure of the two distributions).
 */
export function unpgVerification(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number
): {tarAtFar1: number; tarAtFar2: number; meanPositive: number; meanNegative: number; overlap: number} {
  const {positive, negative} = unpgPairSimilarities(embeddings, labels, dims);
  const mean = (v: Float64Array) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  const median = positive.length ? Float64Array.from(positive).sort()[Math.floor(positive.length / 2)] : NaN;
  let above = 0;
  for (const s of negative) if (s >= median) above++;
  return {
    tarAtFar1: unpgTarAtFar(positive, negative, 1e-1),
    tarAtFar2: unpgTarAtFar(positive, negative, 1e-2),
    meanPositive: mean(positive),
    meanNegative: mean(negative),
    overlap: negative.length ? above / negative.length : NaN
  };
}

/**
 * The card's noisy negatives: a share of one training identity's samples relabelled as a further identity (a
 * "duplicate" of the same person under a new label, as web-crawled face datasets contain). The duplicate takes label
 * `trainClasses` and the held-out identities move up by one, so the training labels stay 0 … trainClasses and the
 * classifier gets one more class. `yClean` keeps the true identity. Seeded.
 */
export function unpgDuplicateIdentity(
  data: Dataset,
  {
    trainClasses,
    source = 0,
    fraction = 0.1,
    seed = 0
  }: {trainClasses: number; source?: number; fraction?: number; seed?: number}
): Dataset {
  if (!(fraction >= 0 && fraction <= 1)) throw new Error(`unpgDuplicateIdentity: invalid fraction: ${fraction}`);
  const rows: number[] = [];
  data.train.y.forEach((y, i) => {
    if (y === source) rows.push(i);
  });
  const order = random(seed).fork("unpg-duplicate").permutation(rows.length);
  const count = Math.round(fraction * rows.length);
  const trainY = Int32Array.from(data.train.y);
  for (let k = 0; k < count; ++k) trainY[rows[order[k]]] = trainClasses;
  const shift = (y: Int32Array) => Int32Array.from(y, (v) => (v >= trainClasses ? v + 1 : v));
  return {
    ...data,
    name: `${data.name}-duplicate`,
    classes: data.classes + 1,
    train: {...data.train, y: trainY, yClean: shift(data.train.yClean)},
    test: {...data.test, y: shift(data.test.y), yClean: shift(data.test.yClean)},
    noiseRate: count / Math.max(1, data.train.n)
  };
}
