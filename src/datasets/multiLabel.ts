import {random} from "../random.js";
import {imbalancedCounts} from "./dataset.js";
import type {Dataset, Split} from "./dataset.js";

export interface MultiLabelOptions {
  /** Number of labels L (the model's outputs). */
  labels?: number;
  /** Input dimension. */
  dims?: number;
  /** Training and test samples. */
  train?: number;
  test?: number;
  /**
   * Imbalance ratio ρ ≥ 1 between the most and the least frequent primary label (geometric in between, label 0 the
   * most frequent).
   */
  imbalance?: number;
  /**
   * Label correlation: labels come in consecutive pairs (0–1, 2–3, …), and a sample whose primary label has a partner
   * also carries the partner with this probability.
   */
  pairing?: number;
  /** Probability of each further label drawn independently of the others (background labels). */
  extra?: number;
  /** Input noise, per coordinate, around the sum of the sample's label centres. */
  noise?: number;
  seed?: number;
}

/**
 * Synthetic multi-label data: each label k has a centre c_k ~ N(0, I) in `dims` dimensions; a sample draws a primary
 * label from an imbalanced distribution, its pair partner with probability `pairing` and every other label with
 * probability `extra`, and sits at (Σ_{k∈S} c_k)/√|S| + noise. `y` is the primary label, `targets` the multi-hot set
 * [n, L]. Known co-occurrences and a long tail make class weighting and label-correlation terms matter.
 */
export function multiLabelData(options: MultiLabelOptions = {}): Dataset {
  const {
    labels = 8,
    dims = 8,
    train = 600,
    test = 400,
    imbalance = 10,
    pairing = 0.7,
    extra = 0.05,
    noise = 0.35,
    seed = 0
  } = options;
  if (!(Number.isInteger(labels) && labels >= 2)) throw new Error(`multiLabelData: invalid labels: ${labels}`);
  if (!(Number.isInteger(dims) && dims >= 1)) throw new Error(`multiLabelData: invalid dims: ${dims}`);
  if (!(pairing >= 0 && pairing <= 1 && extra >= 0 && extra <= 1)) {
    throw new Error("multiLabelData: pairing and extra are probabilities");
  }
  const rng = random(seed).fork("multi-label");
  const centres = Array.from({length: labels}, (_, k) => rng.fork("centre").fork(k).normals(dims));
  // Primary-label frequencies: geometric, ρ between the first and the last.
  const weights = imbalancedCounts(10000, labels, imbalance, 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w) => (cumulative.push(acc + w / total), acc + w / total), 0);
  const split = (n: number, offset: number, r: ReturnType<typeof random>): Split => {
    const x = new Float32Array(n * dims);
    const y = new Int32Array(n);
    const targets = new Float32Array(n * labels);
    for (let i = 0; i < n; ++i) {
      const u = r.uniform();
      let primary = cumulative.findIndex((c) => u < c);
      if (primary < 0) primary = labels - 1;
      y[i] = primary;
      const set = [primary];
      const partner = primary ^ 1;
      if (partner < labels && r.uniform() < pairing) set.push(partner);
      for (let k = 0; k < labels; ++k) if (!set.includes(k) && r.uniform() < extra) set.push(k);
      const scale = 1 / Math.sqrt(set.length);
      for (const k of set) {
        targets[i * labels + k] = 1;
        for (let j = 0; j < dims; ++j) x[i * dims + j] += scale * centres[k][j];
      }
      for (let j = 0; j < dims; ++j) x[i * dims + j] += noise * r.normal();
    }
    const ids = Int32Array.from({length: n}, (_, i) => offset + i);
    return {n, x, y, yClean: y.slice(), ids, targets};
  };
  return {
    name: `multi-label-${labels}x${dims}d`,
    inputs: dims,
    classes: labels,
    train: split(train, 0, rng.fork("train")),
    test: split(test, train, rng.fork("test")),
    noiseRate: 0
  };
}
