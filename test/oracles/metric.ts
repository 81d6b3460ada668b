/**
 * Float64 references for the metric and contrastive losses, their distances and miners, written as plain
 * loops over explicitly enumerated pairs and triplets from pytorch-metric-learning's definitions
 * (losses/*.py, distances/*.py, miners/*.py, reducers/*.py, utils/loss_and_miner_utils.py). Never bundled;
 * used by the tests only. Embeddings are flat row-major arrays [n × dim].
 */

export type DistanceName = "euclidean" | "squared-euclidean" | "euclidean-raw" | "cosine" | "dot";
export type Pair = [number, number];
export type Triplet = [number, number, number];

/** Rows of a flat [n × dim] array, as float64. */
export function rowsOf(flat: ArrayLike<number>, n: number, dim: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; ++i) {
    const row: number[] = [];
    for (let k = 0; k < dim; ++k) row.push(flat[i * dim + k]);
    out.push(row);
  }
  return out;
}

/** v / max(‖v‖₂, 1e-12) (torch.nn.functional.normalize). */
export function normalizeRow(v: number[]): number[] {
  let s = 0;
  for (const x of v) s += x * x;
  const norm = Math.max(Math.sqrt(s), 1e-12);
  return v.map((x) => x / norm);
}

export function isInverted(name: DistanceName): boolean {
  return name === "cosine" || name === "dot";
}

/** The n × m distance or similarity matrix, element by element (PML's LpDistance / CosineSimilarity / DotProductSimilarity). */
export function distanceMatrix(name: DistanceName, a: number[][], b: number[][] = a): number[][] {
  const normalize = name === "euclidean" || name === "squared-euclidean" || name === "cosine";
  const A = normalize ? a.map(normalizeRow) : a;
  const B = normalize ? b.map(normalizeRow) : b;
  return A.map((u) =>
    B.map((v) => {
      if (isInverted(name)) {
        let dot = 0;
        for (let k = 0; k < u.length; ++k) dot += u[k] * v[k];
        return dot;
      }
      let sq = 0;
      for (let k = 0; k < u.length; ++k) sq += (u[k] - v[k]) ** 2;
      return name === "squared-euclidean" ? sq : Math.sqrt(sq);
    })
  );
}

/** PML's BaseDistance.margin(x, y): x − y for distances, y − x for similarities. */
export function pmlMarginOf(inverted: boolean, x: number, y: number): number {
  return inverted ? y - x : x - y;
}

/** log Σ e^{x} over a list (−∞ for an empty list). */
export function logSumExp(xs: number[]): number {
  if (xs.length === 0) return -Infinity;
  const m = Math.max(...xs);
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** PML's AvgNonZeroReducer: the mean of the strictly positive values, 0 if none. */
export function avgNonZero(values: number[]): number {
  const kept = values.filter((v) => v > 0);
  return kept.length === 0 ? 0 : kept.reduce((a, b) => a + b, 0) / kept.length;
}

export function average(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Ordered positive pairs (i ≠ j, same label) and negative pairs (different labels): get_all_pairs_indices. */
export function allPairsOf(labels: ArrayLike<number>): {pos: Pair[]; neg: Pair[]} {
  const pos: Pair[] = [];
  const neg: Pair[] = [];
  for (let i = 0; i < labels.length; ++i)
    for (let j = 0; j < labels.length; ++j) {
      if (labels[i] !== labels[j]) neg.push([i, j]);
      else if (i !== j) pos.push([i, j]);
    }
  return {pos, neg};
}

/** Every (a, p, n) with p ≠ a sharing a's label and n not: get_all_triplets_indices. */
export function allTripletsOf(labels: ArrayLike<number>): Triplet[] {
  const out: Triplet[] = [];
  for (let a = 0; a < labels.length; ++a)
    for (let p = 0; p < labels.length; ++p) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let n = 0; n < labels.length; ++n) if (labels[n] !== labels[a]) out.push([a, p, n]);
    }
  return out;
}

/** TripletMarginMiner: triplet margin = d_an − d_ap (s_ap − s_an); "all" ≤ margin, "hard" also ≤ 0, "semihard" also > 0, "easy" > margin. */
export function tripletMarginMinerOf(
  mat: number[][],
  labels: ArrayLike<number>,
  inverted: boolean,
  margin: number,
  type: "all" | "hard" | "semihard" | "easy"
): Triplet[] {
  return allTripletsOf(labels).filter(([a, p, n]) => {
    const m = inverted ? mat[a][p] - mat[a][n] : mat[a][n] - mat[a][p];
    if (type === "easy") return m > margin;
    if (!(m <= margin)) return false;
    if (type === "hard") return m <= 0;
    if (type === "semihard") return m > 0;
    return true;
  });
}

/**
 * BatchHardMiner: for each anchor with a positive and a negative, the least close positive (largest
 * distance, smallest similarity) and the closest negative; ties go to the first index.
 */
export function batchHardOf(mat: number[][], labels: ArrayLike<number>, inverted: boolean): Triplet[] {
  const closeness = (a: number, j: number) => (inverted ? mat[a][j] : -mat[a][j]);
  const out: Triplet[] = [];
  for (let a = 0; a < labels.length; ++a) {
    let p = -1;
    let q = -1;
    for (let j = 0; j < labels.length; ++j) {
      if (j !== a && labels[j] === labels[a] && (p < 0 || closeness(a, j) < closeness(a, p))) p = j;
      if (labels[j] !== labels[a] && (q < 0 || closeness(a, j) > closeness(a, q))) q = j;
    }
    if (p >= 0 && q >= 0) out.push([a, p, q]);
  }
  return out;
}

/**
 * MultiSimilarityMiner(ε): nothing if the batch has no positive or no negative pair; otherwise keep a
 * positive (a, p) when it is less close than a's closest negative by less than ε (s_ap − ε < max_n s_an;
 * d_ap + ε > min_n d_an) and a negative (a, n) when it is closer than a's least close positive by more
 * than −ε (s_an + ε > min_p s_ap; d_an − ε < max_p d_ap). An anchor without negatives keeps no positive and
 * vice versa.
 */
export function multiSimilarityMinerOf(
  mat: number[][],
  labels: ArrayLike<number>,
  inverted: boolean,
  epsilon: number
): {pos: Pair[]; neg: Pair[]} {
  const all = allPairsOf(labels);
  if (all.pos.length === 0 || all.neg.length === 0) return {pos: [], neg: []};
  const pos: Pair[] = [];
  const neg: Pair[] = [];
  for (let a = 0; a < labels.length; ++a) {
    const ps: number[] = [];
    const ns: number[] = [];
    for (let j = 0; j < labels.length; ++j) {
      if (labels[j] !== labels[a]) ns.push(j);
      else if (j !== a) ps.push(j);
    }
    if (inverted) {
      const maxNeg = ns.length ? Math.max(...ns.map((j) => mat[a][j])) : -Infinity;
      const minPos = ps.length ? Math.min(...ps.map((j) => mat[a][j])) : Infinity;
      for (const p of ps) if (mat[a][p] - epsilon < maxNeg) pos.push([a, p]);
      for (const n of ns) if (mat[a][n] + epsilon > minPos) neg.push([a, n]);
    } else {
      const minNeg = ns.length ? Math.min(...ns.map((j) => mat[a][j])) : Infinity;
      const maxPos = ps.length ? Math.max(...ps.map((j) => mat[a][j])) : -Infinity;
      for (const p of ps) if (mat[a][p] + epsilon > minNeg) pos.push([a, p]);
      for (const n of ns) if (mat[a][n] - epsilon < maxPos) neg.push([a, n]);
    }
  }
  return {pos, neg};
}

export type PairMiner = "all" | "batch-hard" | "multi-similarity";

function minedPairs(
  miner: PairMiner,
  mat: number[][],
  labels: ArrayLike<number>,
  inverted: boolean,
  epsilon: number
): {pos: Pair[]; neg: Pair[]} {
  if (miner === "all") return allPairsOf(labels);
  if (miner === "multi-similarity") return multiSimilarityMinerOf(mat, labels, inverted, epsilon);
  const triplets = batchHardOf(mat, labels, inverted);
  return {pos: triplets.map(([a, p]) => [a, p] as Pair), neg: triplets.map(([a, , n]) => [a, n] as Pair)};
}

export interface ContrastiveOptions {
  posMargin?: number;
  negMargin?: number;
  distance?: DistanceName;
  miner?: PairMiner;
  epsilon?: number;
  /** Which sides to add (for the "no negatives equals the positive part" property). */
  parts?: "both" | "pos" | "neg";
}

/** ContrastiveLoss: AvgNonZero of [d_ap − m⁺]₊ over positive pairs plus AvgNonZero of [m⁻ − d_an]₊ over negative pairs. */
export function contrastiveOracle(
  emb: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number,
  {
    posMargin = 0,
    negMargin = 1,
    distance = "euclidean",
    miner = "all",
    epsilon = 0.1,
    parts = "both"
  }: ContrastiveOptions = {}
): number {
  const n = labels.length;
  const mat = distanceMatrix(distance, rowsOf(emb, n, dim));
  const inv = isInverted(distance);
  const {pos, neg} = minedPairs(miner, mat, labels, inv, epsilon);
  if (pos.length <= 1 && neg.length <= 1) return 0; // GenericPairLoss's early exit
  const posLoss = avgNonZero(pos.map(([a, p]) => Math.max(pmlMarginOf(inv, mat[a][p], posMargin), 0)));
  const negLoss = avgNonZero(neg.map(([a, q]) => Math.max(pmlMarginOf(inv, negMargin, mat[a][q]), 0)));
  return (parts === "neg" ? 0 : posLoss) + (parts === "pos" ? 0 : negLoss);
}

export interface TripletOptions {
  margin?: number;
  swap?: boolean;
  smoothLoss?: boolean;
  distance?: DistanceName;
  miner?: "all" | "semihard" | "hard" | "batch-hard";
  minerMargin?: number;
}

/** TripletMarginLoss: AvgNonZero over mined triplets of [margin(d_ap, d_an) + m]₊ (softplus when smooth). */
export function tripletMarginOracle(
  emb: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number,
  {
    margin = 0.05,
    swap = false,
    smoothLoss = false,
    distance = "euclidean",
    miner = "all",
    minerMargin = 0.2
  }: TripletOptions = {}
): number {
  const n = labels.length;
  const mat = distanceMatrix(distance, rowsOf(emb, n, dim));
  const inv = isInverted(distance);
  const triplets =
    miner === "all"
      ? allTripletsOf(labels)
      : miner === "batch-hard"
        ? batchHardOf(mat, labels, inv)
        : tripletMarginMinerOf(mat, labels, inv, minerMargin, miner);
  const losses = triplets.map(([a, p, q]) => {
    let an = mat[a][q];
    if (swap) an = inv ? Math.max(an, mat[p][q]) : Math.min(an, mat[p][q]);
    const violation = pmlMarginOf(inv, mat[a][p], an) + margin;
    return smoothLoss ? softplus(violation) : Math.max(violation, 0);
  });
  return avgNonZero(losses);
}

export interface MultiSimilarityOptions {
  alpha?: number;
  beta?: number;
  base?: number;
  distance?: DistanceName;
  mine?: boolean;
  epsilon?: number;
}

/** MultiSimilarityLoss: mean over anchors of (1/α) log(1 + Σ_p e^{α·margin(S, λ)}) + (1/β) log(1 + Σ_n e^{β·margin(λ, S)}). */
export function multiSimilarityOracle(
  emb: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number,
  {alpha = 2, beta = 50, base = 0.5, distance = "cosine", mine = false, epsilon = 0.1}: MultiSimilarityOptions = {}
): number {
  const n = labels.length;
  const mat = distanceMatrix(distance, rowsOf(emb, n, dim));
  const inv = isInverted(distance);
  const {pos, neg} = mine ? multiSimilarityMinerOf(mat, labels, inv, epsilon) : allPairsOf(labels);
  if (pos.length <= 1 && neg.length <= 1) return 0;
  let total = 0;
  for (let a = 0; a < n; ++a) {
    const posTerms = pos.filter(([i]) => i === a).map(([, p]) => alpha * pmlMarginOf(inv, mat[a][p], base));
    const negTerms = neg.filter(([i]) => i === a).map(([, q]) => beta * pmlMarginOf(inv, base, mat[a][q]));
    total += logSumExp([0, ...posTerms]) / alpha + logSumExp([0, ...negTerms]) / beta;
  }
  return total / n;
}

/**
 * CircleLoss on cosine similarities. With `frozenAt` (a similarity matrix), the weights α are evaluated
 * there instead of at the current similarities: the derivative of that function at frozenAt = current is
 * the detached gradient PML computes.
 */
export function circleOracle(
  emb: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number,
  {m = 0.4, gamma = 80}: {m?: number; gamma?: number} = {},
  frozenAt?: number[][]
): number {
  const n = labels.length;
  const s = distanceMatrix("cosine", rowsOf(emb, n, dim));
  const w = frozenAt ?? s;
  const losses: number[] = [];
  for (let a = 0; a < n; ++a) {
    const posLogits: number[] = [];
    const negLogits: number[] = [];
    for (let j = 0; j < n; ++j) {
      if (labels[j] === labels[a] && j !== a)
        posLogits.push(-gamma * Math.max(1 + m - w[a][j], 0) * (s[a][j] - (1 - m)));
      if (labels[j] !== labels[a]) negLogits.push(gamma * Math.max(w[a][j] + m, 0) * (s[a][j] - m));
    }
    if (posLogits.length === 0 || negLogits.length === 0) continue;
    losses.push(softplus(logSumExp(posLogits) + logSumExp(negLogits)));
  }
  return avgNonZero(losses);
}

/** The similarity matrix CircleLoss weights its pairs with (for circleOracle's frozenAt). */
export function cosineMatrixOf(emb: ArrayLike<number>, n: number, dim: number): number[][] {
  return distanceMatrix("cosine", rowsOf(emb, n, dim));
}

export interface NtXentOptions {
  temperature?: number;
  distance?: DistanceName;
  symmetric?: boolean;
}

/**
 * Anchors, candidates and labels of an NT-Xent-style batch: one view with labels; two views stacked with
 * labels [y; y] (symmetric) or anchors vs the other view (not symmetric, the pair i = i included).
 */
export function viewBatch(
  emb: ArrayLike<number>,
  labels: ArrayLike<number> | null,
  other: ArrayLike<number> | null,
  n: number,
  dim: number,
  symmetric: boolean
): {anchors: number[][]; refs: number[][]; anchorLabels: number[]; refLabels: number[]; self: boolean} {
  const y = labels ? Array.from(labels) : Array.from({length: n}, (_, i) => i);
  const a = rowsOf(emb, n, dim);
  if (!other) return {anchors: a, refs: a, anchorLabels: y, refLabels: y, self: true};
  const b = rowsOf(other, n, dim);
  if (!symmetric) return {anchors: a, refs: b, anchorLabels: y, refLabels: y, self: false};
  const both = [...a, ...b];
  return {anchors: both, refs: both, anchorLabels: [...y, ...y], refLabels: [...y, ...y], self: true};
}

/**
 * NTXentLoss: for every positive pair (i, j), −log(e^{x_ij} / (e^{x_ij} + Σ_{k: y_k ≠ y_i} e^{x_ik})),
 * x = s/τ (−d/τ for distances); mean over positive pairs; 0 without positive or negative pairs.
 */
export function ntXentOracle(
  emb: ArrayLike<number>,
  labels: ArrayLike<number> | null,
  dim: number,
  {temperature = 0.07, distance = "cosine", symmetric = true}: NtXentOptions = {},
  other: ArrayLike<number> | null = null,
  n = labels ? labels.length : emb.length / dim
): number {
  const {anchors, refs, anchorLabels, refLabels, self} = viewBatch(emb, labels, other, n, dim, symmetric);
  const mat = distanceMatrix(distance, anchors, refs);
  const x = mat.map((row) => row.map((v) => (isInverted(distance) ? v : -v) / temperature));
  const losses: number[] = [];
  let negatives = 0;
  for (let i = 0; i < anchors.length; ++i)
    for (let j = 0; j < refs.length; ++j) if (anchorLabels[i] !== refLabels[j]) ++negatives;
  if (negatives === 0) return 0;
  for (let i = 0; i < anchors.length; ++i)
    for (let j = 0; j < refs.length; ++j) {
      if (anchorLabels[i] !== refLabels[j] || (self && i === j)) continue;
      const negs: number[] = [];
      for (let k = 0; k < refs.length; ++k) if (anchorLabels[i] !== refLabels[k]) negs.push(x[i][k]);
      losses.push(logSumExp([x[i][j], ...negs]) - x[i][j]);
    }
  return average(losses);
}

/**
 * SupConLoss: anchor i pays −(1/|P(i)|) Σ_p [x_ip − log Σ_{k ≠ i} e^{x_ik}]; AvgNonZero over anchors;
 * 0 without any positive or any negative pair. Two views are stacked with labels [y; y].
 */
export function supConOracle(
  emb: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number,
  {temperature = 0.1, distance = "cosine"}: {temperature?: number; distance?: DistanceName} = {},
  other: ArrayLike<number> | null = null
): number {
  const n = labels.length;
  const {anchors, anchorLabels} = viewBatch(emb, labels, other, n, dim, true);
  const mat = distanceMatrix(distance, anchors);
  const x = mat.map((row) => row.map((v) => (isInverted(distance) ? v : -v) / temperature));
  const N = anchors.length;
  let anyPos = false;
  let anyNeg = false;
  for (let i = 0; i < N; ++i)
    for (let j = 0; j < N; ++j) {
      if (i === j) continue;
      if (anchorLabels[i] === anchorLabels[j]) anyPos = true;
      else anyNeg = true;
    }
  if (!anyPos || !anyNeg) return 0;
  const losses: number[] = [];
  for (let i = 0; i < N; ++i) {
    const others: number[] = [];
    for (let k = 0; k < N; ++k) if (k !== i) others.push(x[i][k]);
    const logDen = logSumExp(others);
    let sum = 0;
    let count = 0;
    for (let p = 0; p < N; ++p) {
      if (p === i || anchorLabels[p] !== anchorLabels[i]) continue;
      sum += x[i][p] - logDen;
      ++count;
    }
    losses.push(count === 0 ? 0 : -sum / count);
  }
  return avgNonZero(losses);
}

/**
 * Readable seeded embeddings for the tests: row i points in a direction drawn around its class's own
 * direction (class c at angle 2πc/classes in the first two coordinates, spread `spread`), with a norm in
 * [0.6, 1.6] so that normalisation matters. `uniform` draws from a seeded LCG-free source passed in.
 */
export function clusteredEmbeddings(
  uniforms: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number,
  {classes = 4, spread = 0.9}: {classes?: number; spread?: number} = {}
): Float32Array {
  const n = labels.length;
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; ++i) {
    const angle = (2 * Math.PI * labels[i]) / classes;
    const radius = 0.6 + uniforms[i * (dim + 1)];
    for (let k = 0; k < dim; ++k) {
      const centre = k === 0 ? Math.cos(angle) : k === 1 ? Math.sin(angle) : 0;
      out[i * dim + k] = radius * (centre + spread * (2 * uniforms[i * (dim + 1) + k + 1] - 1));
    }
  }
  return out;
}
