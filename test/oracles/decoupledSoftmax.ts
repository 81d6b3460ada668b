/**
 * Float64 references for DEXML's losses (nilesh2797/DEXML losses.py, utils/topk_utils.py): scores
 * cos(q, l)/τ, the decoupled softmax enumerated positive by positive, InfoNCE for contrast, and the soft
 * top-k with its threshold found by a long float64 bisection. Never bundled; used by the tests only.
 */

export interface Retrieval {
  queries: ArrayLike<number>;
  labels: ArrayLike<number>;
  targets: ArrayLike<number>;
  dim: number;
}

export function scoresOf(r: Retrieval, tau = 0.05, normalize = true): number[][] {
  const b = r.queries.length / r.dim;
  const l = r.labels.length / r.dim;
  const row = (x: ArrayLike<number>, i: number) => {
    const v = Array.from({length: r.dim}, (_, k) => x[i * r.dim + k]);
    const n = normalize ? Math.max(Math.hypot(...v), 1e-12) : 1;
    return v.map((a) => a / n);
  };
  const out: number[][] = [];
  for (let i = 0; i < b; ++i) {
    const q = row(r.queries, i);
    const s: number[] = [];
    for (let j = 0; j < l; ++j) {
      const y = row(r.labels, j);
      s.push(q.reduce((a, v, k) => a + v * y[k], 0) / tau);
    }
    out.push(s);
  }
  return out;
}

function logSumExp(values: number[]): number {
  if (values.length === 0) return -Infinity;
  const max = Math.max(...values);
  return max + Math.log(values.reduce((a, v) => a + Math.exp(v - max), 0));
}

function positives(r: Retrieval, i: number, width: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < width; ++j) if (r.targets[i * width + j] > 1e-8) out.push(j);
  return out;
}

/** Per-positive decoupled softmax terms of query i: −log e^{s_ij}/(e^{s_ij} + Σ_{k∈N_i} e^{s_ik}). */
export function decoupledTerms(s: number[], pos: number[]): number[] {
  const neg = s.filter((_, k) => !pos.includes(k));
  return pos.map((j) => logSumExp([s[j], ...neg]) - s[j]);
}

export function decoupledSoftmaxOracle(r: Retrieval, {tau = 0.05, normalize = true} = {}): number {
  const s = scoresOf(r, tau, normalize);
  let total = 0;
  s.forEach((row, i) => {
    const pos = positives(r, i, row.length);
    if (pos.length === 0) return;
    total += decoupledTerms(row, pos).reduce((a, v) => a + v, 0) / pos.length;
  });
  return total / s.length;
}

/** InfoNCE / softmax baseline of losses.py: −Σ_{j∈P_i} log softmax(s_i)_j, divided by B only. */
export function softmaxBaselineOracle(r: Retrieval, {tau = 0.05, normalize = true} = {}): number {
  const s = scoresOf(r, tau, normalize);
  let total = 0;
  s.forEach((row, i) => {
    const z = logSumExp(row);
    for (const j of positives(r, i, row.length)) total += z - row[j];
  });
  return total / s.length;
}

/** The soft top-k threshold t of one row: Σ_{j active} σ(α(s_j + t)) = k, by 200 float64 bisection steps. */
export function softTopKThreshold(s: number[], k: number, alpha: number, active?: boolean[]): number {
  const on = s.map((_, j) => (active ? active[j] : true));
  const vals = s.filter((_, j) => on[j]);
  let lo = -Math.max(...vals) - 10 / alpha;
  let hi = -Math.min(...vals) + 10 / alpha;
  for (let it = 0; it < 200; ++it) {
    const mid = (lo + hi) / 2;
    // Σσ(x) − k written as Σ_{x<0} σ(x) − Σ_{x≥0} σ(−x) + #{x ≥ 0} − k: even float64 rounds σ(40) to 1,
    // and a plain sum near k would lose the tails that fix t.
    let count = 0;
    let tails = 0;
    s.forEach((v, j) => {
      if (!on[j]) return;
      const x = alpha * (v + mid);
      const tail = Math.exp(-Math.abs(x)) / (1 + Math.exp(-Math.abs(x)));
      if (x >= 0) {
        count += 1;
        tails -= tail;
      } else tails += tail;
    });
    if (count - k + tails < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** log σ(α(s + t)) for every entry of a row. */
export function softTopKLogRow(s: number[], k: number, alpha: number, active?: boolean[]): number[] {
  const t = softTopKThreshold(s, k, alpha, active);
  return s.map((v) => {
    const x = alpha * (v + t);
    return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
  });
}

/**
 * Soft top-k loss: −(1/|U_i|) Σ_{j∈U_i} log p_ij averaged over the batch, where U_i is the scored
 * positive set (all positives unless `chosen` gives a subset, whose other positives leave the row).
 */
export function softTopKOracle(
  r: Retrieval,
  {tau = 0.05, normalize = true, k = 5, alpha = 2} = {},
  chosen?: (i: number) => number[]
): number {
  const s = scoresOf(r, tau, normalize);
  let total = 0;
  s.forEach((row, i) => {
    const pos = positives(r, i, row.length);
    const used = chosen ? chosen(i) : pos;
    if (used.length === 0) return;
    const active = row.map((_, j) => !pos.includes(j) || used.includes(j));
    const logp = softTopKLogRow(row, k, alpha, active);
    total -= used.reduce((a, j) => a + logp[j], 0) / used.length;
  });
  return total / s.length;
}
