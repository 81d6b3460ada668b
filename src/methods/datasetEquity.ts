// DatasetEquity (card 19): a long-tailed mixture of appearance clusters, DBSCAN in plain TypeScript, the scaled
// likelihoods p = |cluster| / |largest cluster| that feed the generalized focal loss, and per-cluster accuracy.
import type {Dataset, Split} from "../datasets/dataset.js";
import {clusterLikelihoods, datasetEquityWeight} from "../losses/focal.js";
import {random} from "../random.js";
import type {TrainEvent} from "../train/train.js";

/** Options of the long-tailed appearance-cluster dataset (card 19's toy). */
export interface DatasetEquityBlobsOptions {
  /** Number of appearance clusters (blobs). */
  clusters?: number;
  /** Training samples in the largest cluster. */
  largest?: number;
  /** Each cluster has this fraction of the previous one's size (0.5: 800, 400, … 12, 6). */
  decay?: number;
  /** Standard deviation of each blob (input units). */
  spread?: number;
  /** Fresh test samples drawn from every cluster (the same number for each, so each cluster's accuracy is measured alike). */
  testPerCluster?: number;
  seed?: number;
}

/** Geometry of the dataset: cluster centres, the direction of each cluster's own labelling rule, training sizes. */
export interface DatasetEquityLayout {
  /** [clusters, 2] row-major cluster centres. */
  centres: Float32Array;
  /** Angle (radians) of each cluster's rule: label 1 on the side of the centre the direction points to. */
  angles: Float64Array;
  /** Training samples per cluster; cluster 0 is the most common, the last the rarest. */
  sizes: number[];
}

/**
 * Training sizes of a long tail: ⌊largest · decay^k⌋ (at least 2) for clusters k = 0 … K−1; the card's
 * 800, 400, 200, 100, 50, 25, 12, 6 for largest 800, decay ½ and K = 8.
 */
export function datasetEquitySizes(clusters: number, largest: number, decay: number): number[] {
  if (!(Number.isInteger(clusters) && clusters >= 1)) throw new Error(`invalid clusters: ${clusters}`);
  if (!(Number.isInteger(largest) && largest >= 2)) throw new Error(`invalid largest: ${largest}`);
  if (!(decay > 0 && decay <= 1)) throw new Error(`invalid decay: ${decay}`);
  // The small epsilon keeps exact products (800 · 2^−7 = 6.25) from rounding below their floor in float64.
  return Array.from({length: clusters}, (_, k) => Math.max(2, Math.floor(largest * decay ** k + 1e-9)));
}

/**
 * Where the clusters sit and how each labels its points: centres evenly on a circle of radius 2, the common
 * and rare clusters interleaved around it (cluster k at position 3k mod K for K = 8, so no two of similar size
 * are neighbours), and each cluster split into two classes by a line through its centre at its own angle
 * (k times the golden angle): a rare cluster's boundary cannot be borrowed from a common one.
 */
export function datasetEquityLayout(clusters: number, sizes: readonly number[]): DatasetEquityLayout {
  const centres = new Float32Array(2 * clusters);
  const angles = new Float64Array(clusters);
  // A step coprime with K spreads consecutive (similar-sized) clusters apart on the circle.
  let stride = Math.max(1, Math.round((3 * clusters) / 8));
  while (gcd(stride, clusters) !== 1) stride++;
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let k = 0; k < clusters; ++k) {
    const position = (k * stride) % clusters;
    const a = (2 * Math.PI * position) / clusters + Math.PI / 2;
    centres[2 * k] = clusters === 1 ? 0 : 2 * Math.cos(a);
    centres[2 * k + 1] = clusters === 1 ? 0 : 2 * Math.sin(a);
    angles[k] = (k * golden) % (2 * Math.PI);
  }
  return {centres, angles, sizes: [...sizes]};
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Card 19's toy data: K Gaussian "appearance" clusters with long-tailed training sizes, two classes split by a
 * cluster-specific line, and a test split with the same number of fresh samples in every cluster. `groups` holds
 * each sample's cluster (0 = most common). Ids: training samples 0 … n−1, test samples after them.
 */
export function datasetEquityBlobs(options: DatasetEquityBlobsOptions = {}): Dataset & {layout: DatasetEquityLayout} {
  const {clusters = 8, largest = 800, decay = 0.5, spread = 0.2, testPerCluster = 100, seed = 0} = options;
  if (!(spread > 0)) throw new Error(`invalid spread: ${spread}`);
  if (!(Number.isInteger(testPerCluster) && testPerCluster >= 1)) {
    throw new Error(`invalid testPerCluster: ${testPerCluster}`);
  }
  const sizes = datasetEquitySizes(clusters, largest, decay);
  const layout = datasetEquityLayout(clusters, sizes);
  const rng = random(seed).fork("dataset-equity");
  const draw = (counts: readonly number[], stream: string, firstId: number): Split => {
    const r = rng.fork(stream);
    const n = counts.reduce((a, b) => a + b, 0);
    const x = new Float32Array(2 * n);
    const y = new Int32Array(n);
    const groups = new Int32Array(n);
    let i = 0;
    for (let k = 0; k < clusters; ++k) {
      const cx = layout.centres[2 * k],
        cy = layout.centres[2 * k + 1];
      const dx = Math.cos(layout.angles[k]),
        dy = Math.sin(layout.angles[k]);
      for (let j = 0; j < counts[k]; ++j, ++i) {
        const ox = spread * r.normal(),
          oy = spread * r.normal();
        x[2 * i] = cx + ox;
        x[2 * i + 1] = cy + oy;
        y[i] = ox * dx + oy * dy > 0 ? 1 : 0;
        groups[i] = k;
      }
    }
    // Shuffle the rows so that the probe batch (the first rows) and batches mix the clusters.
    const order = r.fork("order").permutation(n);
    const split: Split = {
      n,
      x: new Float32Array(2 * n),
      y: new Int32Array(n),
      yClean: new Int32Array(n),
      ids: new Int32Array(n),
      groups: new Int32Array(n)
    };
    order.forEach((from, to) => {
      split.x[2 * to] = x[2 * from];
      split.x[2 * to + 1] = x[2 * from + 1];
      split.y[to] = split.yClean[to] = y[from];
      split.groups![to] = groups[from];
      split.ids[to] = firstId + to;
    });
    return split;
  };
  const train = draw(sizes, "train", 0);
  const test = draw(
    sizes.map(() => testPerCluster),
    "test",
    train.n
  );
  return {name: "appearance clusters", inputs: 2, classes: 2, train, test, noiseRate: 0, layout};
}

/**
 * DBSCAN (Ester et al. 1996) with scikit-learn's conventions, as the official analysis notebooks call it: a point
 * is a core point when at least `minSamples` points (itself included) lie within distance `eps`; clusters grow
 * from core points in index order; a border point joins the first cluster that reaches it; the rest is noise
 * (−1). Returns the labels and which points are core points. O(n²) distances: fine for a few thousand points.
 */
export function datasetEquityDbscan(
  x: ArrayLike<number>,
  dims: number,
  eps: number,
  minSamples: number
): {labels: Int32Array; core: Uint8Array; clusters: number} {
  if (!(eps > 0)) throw new Error(`invalid eps: ${eps}`);
  if (!(Number.isInteger(minSamples) && minSamples >= 1)) throw new Error(`invalid minSamples: ${minSamples}`);
  if (!(Number.isInteger(dims) && dims >= 1) || x.length % dims) throw new Error(`invalid dims: ${dims}`);
  const n = x.length / dims;
  const eps2 = eps * eps;
  const neighbours: Int32Array[] = [];
  const list: number[] = [];
  for (let i = 0; i < n; ++i) {
    list.length = 0;
    for (let j = 0; j < n; ++j) {
      let d = 0;
      for (let k = 0; k < dims; ++k) {
        const t = x[i * dims + k] - x[j * dims + k];
        d += t * t;
      }
      if (d <= eps2) list.push(j);
    }
    neighbours.push(Int32Array.from(list));
  }
  const core = Uint8Array.from(neighbours, (nb) => (nb.length >= minSamples ? 1 : 0));
  const labels = new Int32Array(n).fill(-1);
  let clusters = 0;
  for (let i = 0; i < n; ++i) {
    if (!core[i] || labels[i] !== -1) continue;
    const id = clusters++;
    labels[i] = id;
    const stack = [i];
    while (stack.length) {
      const p = stack.pop()!;
      for (const q of neighbours[p]) {
        if (labels[q] !== -1) continue;
        labels[q] = id;
        if (core[q]) stack.push(q);
      }
    }
  }
  return {labels, core, clusters};
}

/** What the DatasetEquity pipeline computes for a dataset: clusters, likelihoods and weights. */
export interface DatasetEquityPlan {
  /** DBSCAN label of each training row (−1 noise). */
  trainClusters: Int32Array;
  /** The cluster each test row is assigned to (its nearest core training point's, within eps; else −1). */
  testClusters: Int32Array;
  /** Number of clusters found (noise excluded). */
  clusters: number;
  /** Scaled likelihood p of every sample, indexed by sample id (train and test). */
  likelihood: Float32Array;
  /** The DatasetEquity weight w(p) of every sample, by id, for the given η and γ. */
  weight: Float32Array;
}

/**
 * The card's recipe on a dataset whose inputs are its embedding (the card's toy skips the pretrained network and
 * t-SNE): DBSCAN on the training inputs, then p_i = |cluster of i| / |largest cluster| (`clusterLikelihoods`,
 * noise as one cluster as the official build.py does, or each noise point as a cluster of one, as the card
 * recommends), and the weight w(p) = (η + (1 − p)^γ)/(η + 1). Test samples (which need a likelihood for the test
 * loss only) take the cluster of their nearest core training point within eps, as DBSCAN classifies new points.
 */
export function datasetEquityPlan(
  data: Dataset,
  {
    eps,
    minSamples,
    noise = "singleton",
    eta = 1,
    gamma = 5
  }: {eps: number; minSamples: number; noise?: "singleton" | "cluster"; eta?: number; gamma?: number}
): DatasetEquityPlan {
  const d = data.inputs;
  const {labels, core, clusters} = datasetEquityDbscan(data.train.x, d, eps, minSamples);
  const trainP = clusterLikelihoods(labels, {noise});
  const test = data.test;
  const testClusters = new Int32Array(test.n).fill(-1);
  const eps2 = eps * eps;
  for (let i = 0; i < test.n; ++i) {
    let best = eps2;
    for (let j = 0; j < data.train.n; ++j) {
      if (!core[j]) continue;
      let s = 0;
      for (let k = 0; k < d; ++k) {
        const t = test.x[i * d + k] - data.train.x[j * d + k];
        s += t * t;
      }
      if (s <= best) {
        best = s;
        testClusters[i] = labels[j];
      }
    }
  }
  // Test likelihoods from the training clusters' sizes (a test sample never changes a cluster's size).
  const sizes = new Map<number, number>();
  for (const c of labels) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  let largest = 1;
  for (const [c, s] of sizes) if (c !== -1 || noise === "cluster") largest = Math.max(largest, s);
  const testP = Float32Array.from(testClusters, (c) =>
    c === -1 && noise === "singleton" ? 1 / largest : Math.max(1, sizes.get(c) ?? 0) / largest
  );
  let maxId = 0;
  for (const split of [data.train, test]) for (const id of split.ids) maxId = Math.max(maxId, id);
  const likelihood = new Float32Array(maxId + 1).fill(1);
  data.train.ids.forEach((id, i) => (likelihood[id] = trainP[i]));
  test.ids.forEach((id, i) => (likelihood[id] = testP[i]));
  const weight = likelihood.map((p) => datasetEquityWeight(p, eta, gamma));
  return {trainClusters: labels, testClusters, clusters, likelihood, weight};
}

/** Accuracy of a split's predictions within each group (NaN for an empty group), from row-major logits [n, C]. */
export function datasetEquityGroupAccuracy(
  logits: ArrayLike<number>,
  split: Pick<Split, "n" | "y" | "groups">,
  classes: number,
  groups: number
): Float64Array {
  if (!split.groups) throw new Error("datasetEquityGroupAccuracy: the split has no groups");
  if (logits.length !== split.n * classes) {
    throw new Error(`datasetEquityGroupAccuracy: logits has ${logits.length} values, expected ${split.n} × ${classes}`);
  }
  const right = new Float64Array(groups);
  const count = new Float64Array(groups);
  for (let i = 0; i < split.n; ++i) {
    let best = 0;
    for (let c = 1; c < classes; ++c) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    const g = split.groups[i];
    if (g < 0 || g >= groups) continue;
    count[g]++;
    if (best === split.y[i]) right[g]++;
  }
  return right.map((r, g) => (count[g] ? r / count[g] : NaN));
}

/** The `rarest` clusters by training size (rarest first) and the most common one, from the training groups. */
export function datasetEquityRanks(
  train: Pick<Split, "groups">,
  groups: number,
  rarest = 3
): {rare: number[]; common: number} {
  const sizes = new Array<number>(groups).fill(0);
  for (const g of train.groups ?? []) if (g >= 0 && g < groups) sizes[g]++;
  const order = sizes.map((s, g) => [s, g]).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  return {rare: order.slice(0, Math.min(rarest, groups)).map((o) => o[1]), common: order[order.length - 1][1]};
}

/**
 * Per-cluster test metrics for the trainer's host hook: `cluster<k>Accuracy` for every cluster, `rareAccuracy`
 * (mean over the three rarest clusters, the card's check) and `commonAccuracy` (the largest cluster).
 */
export function datasetEquityMetrics(data: Dataset, testLogits: ArrayLike<number>): Record<string, number> {
  let groups = 0;
  for (const g of data.train.groups ?? []) groups = Math.max(groups, g + 1);
  const accuracy = datasetEquityGroupAccuracy(testLogits, data.test, data.classes, groups);
  const {rare, common} = datasetEquityRanks(data.train, groups);
  const out: Record<string, number> = {};
  accuracy.forEach((a, g) => (out[`cluster${g}Accuracy`] = a));
  out.rareAccuracy = rare.reduce((s, g) => s + accuracy[g], 0) / rare.length;
  out.commonAccuracy = accuracy[common];
  return out;
}

/** One appearance cluster of the data as the page lists it: its letter, training size and mean likelihood and weight. */
export interface DatasetEquityGroup {
  group: number;
  /** "A" for the most common cluster, "B" for the next … */
  name: string;
  size: number;
  likelihood: number;
  weight: number;
  /** How DBSCAN saw its training samples: "#k" (the cluster most of them fell in, with its share if not all) or "noise". */
  dbscan: string;
}

/** The data's clusters, rarest first, with the mean DatasetEquity likelihood and weight of their training samples. */
export function datasetEquityGroups(
  data: Dataset,
  plan: Pick<DatasetEquityPlan, "likelihood" | "weight" | "trainClusters">
): DatasetEquityGroup[] {
  let groups = 0;
  for (const g of data.train.groups ?? []) groups = Math.max(groups, g + 1);
  const out = Array.from({length: groups}, (_, g) => ({
    group: g,
    name: String.fromCharCode(65 + (g % 26)),
    size: 0,
    likelihood: 0,
    weight: 0,
    dbscan: ""
  }));
  const found = out.map(() => new Map<number, number>());
  data.train.ids.forEach((id, i) => {
    const g = data.train.groups![i];
    const o = out[g];
    o.size++;
    o.likelihood += plan.likelihood[id];
    o.weight += plan.weight[id];
    const c = plan.trainClusters[i];
    found[g].set(c, (found[g].get(c) ?? 0) + 1);
  });
  for (const o of out) {
    o.likelihood /= o.size || 1;
    o.weight /= o.size || 1;
    let best = -1,
      most = 0;
    for (const [c, n] of found[o.group]) if (n > most || (n === most && c < best)) [best, most] = [c, n];
    const name = best < 0 ? "noise" : `#${best}`;
    o.dbscan = most === o.size ? name : `${name} (${most} of ${o.size})`;
  }
  return out.sort((a, b) => a.size - b.size || b.group - a.group);
}

/** Per-cluster test accuracy of every arm of a run, rarest cluster first, for GroupBars. */
export function datasetEquityGroupView(
  e: Pick<TrainEvent, "arms">,
  groups: readonly DatasetEquityGroup[]
): {arms: {key: string; label: string; role: string; values: number[]}[]; groups: {label: string; detail: string}[]} {
  return {
    arms: e.arms.map((arm) => ({
      key: arm.id,
      label: arm.label,
      role: arm.role,
      values: groups.map((g) => arm.metrics[`cluster${g.group}Accuracy`] ?? NaN)
    })),
    groups: groups.map((g) => ({label: `${g.name} (${g.size})`, detail: `w ${g.weight.toFixed(2)}`}))
  };
}
