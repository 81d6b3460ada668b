/**
 * Float64 references for Metrix with the contrastive loss, as plain loops over explicitly enumerated pairs,
 * following the official code (billpsomas/Metrix_ICLR22 train.py, mixup/losses.py, mixup/utils.py) and
 * pytorch-metric-learning's ContrastiveLoss + LpDistance (embeddings L2-normalised) + AvgNonZeroReducer.
 * Never bundled; used by the tests only.
 */
export interface ContrastiveMargins {
  posMargin?: number;
  negMargin?: number;
}

function rows(x: ArrayLike<number>, n: number, D: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; ++i) {
    const v = Array.from({length: D}, (_, d) => x[i * D + d]);
    const norm = Math.max(Math.hypot(...v), 1e-12);
    out.push(v.map((a) => a / norm));
  }
  return out;
}

function dist(a: number[], b: number[]): number {
  let s = 0;
  for (let d = 0; d < a.length; ++d) s += (a[d] - b[d]) ** 2;
  return Math.sqrt(s);
}

/** Mean over the strictly positive values, 0 when there are none (PML AvgNonZeroReducer). */
export function avgNonZero(values: number[]): number {
  const nz = values.filter((v) => v > 0);
  return nz.length === 0 ? 0 : nz.reduce((a, b) => a + b, 0) / nz.length;
}

/** PML ContrastiveLoss between query rows and reference rows (refs default to the queries, self-pairs excluded). */
export function contrastiveOracle(
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  D: number,
  {posMargin = 0, negMargin = 0.5}: ContrastiveMargins = {},
  ref?: {x: ArrayLike<number>; labels: ArrayLike<number>}
): number {
  const n = labels.length;
  const q = rows(x, n, D);
  const r = ref ? rows(ref.x, ref.labels.length, D) : q;
  const rl = ref ? ref.labels : labels;
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < n; ++i)
    for (let j = 0; j < rl.length; ++j) {
      if (!ref && i === j) continue;
      const d = dist(q[i], r[j]);
      if (labels[i] === rl[j]) pos.push(Math.max(d - posMargin, 0));
      else neg.push(Math.max(negMargin - d, 0));
    }
  return avgNonZero(pos) + avgNonZero(neg);
}

export interface MixedOracleInputs {
  mixed: ArrayLike<number>;
  labelsA: ArrayLike<number>;
  labelsB: ArrayLike<number>;
  lambdas: ArrayLike<number>;
  anchors?: ArrayLike<number>;
}

/** The mixed-pair part w·(avg≠0 ỹ[d − m⁺]₊ + avg≠0 (1 − ỹ)[m⁻ − d]₊), pairs enumerated explicitly. */
export function mixedOracle(
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  D: number,
  {mixed, labelsA, labelsB, lambdas, anchors}: MixedOracleInputs,
  {posMargin = 0, negMargin = 0.5, weight = 0.4}: ContrastiveMargins & {weight?: number} = {}
): {value: number; pos: number[]; neg: number[]} {
  const n = labels.length;
  const M = lambdas.length;
  const e = rows(x, n, D);
  const m = rows(mixed, M, D);
  const pairs: [number, number][] = [];
  if (anchors) for (let k = 0; k < M; ++k) pairs.push([anchors[k], k]);
  else for (let a = 0; a < n; ++a) for (let k = 0; k < M; ++k) pairs.push([a, k]);
  const pos: number[] = [];
  const neg: number[] = [];
  for (const [a, k] of pairs) {
    const lam = lambdas[k];
    const soft = lam * (labels[a] === labelsA[k] ? 1 : 0) + (1 - lam) * (labels[a] === labelsB[k] ? 1 : 0);
    const d = dist(e[a], m[k]);
    pos.push(soft * Math.max(d - posMargin, 0));
    neg.push((1 - soft) * Math.max(negMargin - d, 0));
  }
  return {value: weight * (avgNonZero(pos) + avgNonZero(neg)), pos, neg};
}

/**
 * The official embedding-level step for the positive–negative branch, written out as the code runs it:
 * pairs from get_all_pairs_indices (row-major), for each positive pair the anchor's first positive mixed with
 * each of the anchor's negatives (embed_posneg_pair_mixup_for_pos_anchor), mixed = λ·pos + (1 − λ)·neg,
 * sim = LpDistance (normalising both sides), loss_posneg_mixup with margins 0 / 0.5, AvgNonZero each, plus the
 * clean ContrastiveLoss, total = clean + 0.4·mixed.
 */
export function officialEmbedStep(x: ArrayLike<number>, labels: ArrayLike<number>, D: number, lam: number): number {
  const n = labels.length;
  const a1: number[] = [];
  const p: number[] = [];
  const a2: number[] = [];
  const ng: number[] = [];
  for (let i = 0; i < n; ++i)
    for (let j = 0; j < n; ++j) {
      if (labels[i] === labels[j] && i !== j) {
        a1.push(i);
        p.push(j);
      }
      if (labels[i] !== labels[j]) {
        a2.push(i);
        ng.push(j);
      }
    }
  const anchors: number[] = [];
  const posIdx: number[] = [];
  const negIdx: number[] = [];
  for (const anchor of a1) {
    const firstPos = p[a1.indexOf(anchor)];
    a2.forEach((a, t) => {
      if (a === anchor) {
        anchors.push(a);
        posIdx.push(firstPos);
        negIdx.push(ng[t]);
      }
    });
  }
  // The official model's outputs are already L2-normalised (--l2_norm 1): mixing happens between unit vectors.
  const e = rows(x, n, D);
  const pos: number[] = [];
  const neg: number[] = [];
  anchors.forEach((a, k) => {
    const mix = e[posIdx[k]].map((v, d) => lam * v + (1 - lam) * e[negIdx[k]][d]);
    const norm = Math.max(Math.hypot(...mix), 1e-12);
    const d = dist(
      e[a],
      mix.map((v) => v / norm)
    );
    pos.push(lam * Math.max(d, 0));
    neg.push((1 - lam) * Math.max(0.5 - d, 0));
  });
  return contrastiveOracle(x, labels, D) + 0.4 * (avgNonZero(pos) + avgNonZero(neg));
}

/** Mean over queries of the squared distance to the nearest reference, by brute force. */
export function utilizationOracle(queries: number[][], references: number[][]): number {
  let total = 0;
  for (const q of queries) total += Math.min(...references.map((r) => r.reduce((s, v, k) => s + (v - q[k]) ** 2, 0)));
  return total / queries.length;
}
