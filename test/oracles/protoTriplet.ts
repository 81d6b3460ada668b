/**
 * Float64 references for the few-shot episode losses (ProtoNet, Proto-Triplet, ICNN): explicit loops
 * over the episode's classes, queries and neighbours. Never bundled; used by the tests only.
 */

export interface EpisodeData {
  embeddings: ArrayLike<number>;
  labels: ArrayLike<number>;
  isSupport: ArrayLike<number>;
  dim: number;
}

function rows(x: ArrayLike<number>, n: number, dim: number, normalize: boolean): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < n; ++i) {
    const r = new Float64Array(dim);
    let norm = 0;
    for (let k = 0; k < dim; ++k) {
      r[k] = x[i * dim + k];
      norm += r[k] * r[k];
    }
    if (normalize) {
      const scale = Math.max(Math.sqrt(norm), 1e-12);
      for (let k = 0; k < dim; ++k) r[k] /= scale;
    }
    out.push(r);
  }
  return out;
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; ++k) s += (a[k] - b[k]) ** 2;
  return s;
}

/** Class prototypes: the mean of each class's support embeddings, keyed by label. */
export function prototypesOf(ep: EpisodeData, normalize: boolean): Map<number, Float64Array> {
  const n = ep.labels.length;
  const x = rows(ep.embeddings, n, ep.dim, normalize);
  const sums = new Map<number, {sum: Float64Array; count: number}>();
  for (let i = 0; i < n; ++i) {
    if (ep.isSupport[i] !== 1) continue;
    const entry = sums.get(ep.labels[i]) ?? {sum: new Float64Array(ep.dim), count: 0};
    for (let k = 0; k < ep.dim; ++k) entry.sum[k] += x[i][k];
    entry.count += 1;
    sums.set(ep.labels[i], entry);
  }
  const out = new Map<number, Float64Array>();
  for (const [label, {sum, count}] of sums)
    out.set(
      label,
      sum.map((v) => v / count)
    );
  return out;
}

interface QueryView {
  index: number;
  own: number;
  others: number[];
}

/** For each query whose class has a prototype: the squared distance to it and to every other prototype. */
function queries(ep: EpisodeData, normalize: boolean): QueryView[] {
  const n = ep.labels.length;
  const x = rows(ep.embeddings, n, ep.dim, normalize);
  const protos = prototypesOf(ep, normalize);
  const out: QueryView[] = [];
  for (let i = 0; i < n; ++i) {
    if (ep.isSupport[i] === 1 || !protos.has(ep.labels[i])) continue;
    const others: number[] = [];
    for (const [label, c] of protos) if (label !== ep.labels[i]) others.push(squaredDistance(x[i], c));
    out.push({index: i, own: squaredDistance(x[i], protos.get(ep.labels[i])!), others});
  }
  return out;
}

function protoCE(q: QueryView): number {
  const logits = [-q.own, ...q.others.map((d) => -d)];
  const max = Math.max(...logits);
  let z = 0;
  for (const l of logits) z += Math.exp(l - max);
  return q.own + max + Math.log(z);
}

/** ProtoNet: mean over queries of −log softmax_k(−d(q, c_k))[y_q] (Snell et al. 2017). */
export function protoNetOracle(ep: EpisodeData, normalize = true): number {
  const qs = queries(ep, normalize);
  if (qs.length === 0) return 0;
  return qs.reduce((a, q) => a + protoCE(q), 0) / qs.length;
}

export function protoTripletOracle(
  ep: EpisodeData,
  {margin = 0.5, alpha = 1, negatives = "hardest", normalize = true} = {}
): number {
  const qs = queries(ep, normalize);
  if (qs.length === 0) return 0;
  let total = 0;
  for (const q of qs) {
    let hinge = 0;
    if (q.others.length > 0) {
      if (negatives === "hardest") hinge = Math.max(0, q.own - Math.min(...q.others) + margin);
      else hinge = q.others.reduce((a, d) => a + Math.max(0, q.own - d + margin), 0) / q.others.length;
    }
    total += protoCE(q) + alpha * hinge;
  }
  return total / qs.length;
}

/** Soft neighbour purity λ_i (NCA) times, optionally, the soft separation ω_i, for every sample. */
export function icnnScores(
  ep: EpisodeData,
  {temperature = 0.1, separation = false, normalize = true} = {}
): Float64Array {
  const n = ep.labels.length;
  const x = rows(ep.embeddings, n, ep.dim, normalize);
  const out = new Float64Array(n);
  const eps = 1e-12;
  for (let i = 0; i < n; ++i) {
    const d: number[] = [];
    const logits: number[] = [];
    for (let j = 0; j < n; ++j) {
      if (j === i) continue;
      d.push(squaredDistance(x[i], x[j]));
      logits.push(-squaredDistance(x[i], x[j]) / temperature);
    }
    if (d.length === 0) continue;
    const max = Math.max(...logits);
    const z = logits.reduce((a, l) => a + Math.exp(l - max), 0);
    let purity = 0,
      sameD = 0,
      diffP = 0,
      diffD = 0;
    let t = 0;
    for (let j = 0; j < n; ++j) {
      if (j === i) continue;
      const p = Math.exp(logits[t] - max) / z;
      if (ep.labels[j] === ep.labels[i]) {
        purity += p;
        sameD += p * d[t];
      } else {
        diffP += p;
        diffD += p * d[t];
      }
      ++t;
    }
    let score = purity;
    if (separation) {
      const dSame = sameD / Math.max(purity, eps);
      const dDiff = diffD / Math.max(diffP, eps);
      score *= dDiff / Math.max(dSame + dDiff, eps);
    }
    out[i] = score;
  }
  return out;
}

export function icnnOracle(
  ep: EpisodeData,
  {beta = 1, temperature = 0.1, separation = false, normalize = true} = {}
): number {
  const scores = icnnScores(ep, {temperature, separation, normalize});
  let icnn = 0;
  for (const s of scores) icnn += 1 - s;
  return protoNetOracle(ep, normalize) + (beta * icnn) / scores.length;
}
