/**
 * Float64 references for the MLCD loss: cosines against normalised class centres, the ZLPR form with
 * its 0 threshold class, the pairwise form with every (positive, negative) pair enumerated, and Partial
 * FC's class sampling. Never bundled; used by the tests only.
 */
import {random} from "../../src/random.js";

export interface ClusterBatch {
  embeddings: ArrayLike<number>;
  prototypes: ArrayLike<number>;
  targets: ArrayLike<number>;
  dim: number;
}

export function cosines(c: ClusterBatch): number[][] {
  const b = c.embeddings.length / c.dim;
  const k = c.prototypes.length / c.dim;
  const unit = (x: ArrayLike<number>, i: number) => {
    const v = Array.from({length: c.dim}, (_, d) => x[i * c.dim + d]);
    const n = Math.max(Math.hypot(...v), 1e-12);
    return v.map((a) => a / n);
  };
  const out: number[][] = [];
  for (let i = 0; i < b; ++i) {
    const f = unit(c.embeddings, i);
    const row: number[] = [];
    for (let j = 0; j < k; ++j) {
      const w = unit(c.prototypes, j);
      row.push(
        Math.min(
          1,
          Math.max(
            -1,
            f.reduce((a, v, d) => a + v * w[d], 0)
          )
        )
      );
    }
    out.push(row);
  }
  return out;
}

function log1pSumExp(values: number[]): number {
  const max = Math.max(0, ...values);
  return max + Math.log(Math.exp(-max) + values.reduce((a, v) => a + Math.exp(v - max), 0));
}

/** Partial FC's sampled classes: every class positive somewhere in the batch plus the top random scores. */
export function sampledClasses(c: ClusterBatch, ratio: number, seed = 0, draw = 0): boolean[] {
  const k = c.prototypes.length / c.dim;
  const b = c.embeddings.length / c.dim;
  if (ratio >= 1) return Array(k).fill(true);
  const positive = Array.from({length: k}, (_, j) => {
    for (let i = 0; i < b; ++i) if (c.targets[i * k + j] > 0.5) return true;
    return false;
  });
  const u = random(seed).fork("mlcd").fork(draw).uniforms(k);
  const score = u.map((v, j) => (positive[j] ? 2 : v));
  const wanted = Math.floor(ratio * k);
  const order = Array.from({length: k}, (_, j) => j).sort((a, z) => score[z] - score[a]);
  const keep = Array(k).fill(false);
  order.slice(0, wanted).forEach((j) => (keep[j] = true));
  positive.forEach((p, j) => p && (keep[j] = true));
  return keep;
}

export function mlcdOracle(
  c: ClusterBatch,
  {scale = 16, margin = 0, threshold = true, ratio = 1, seed = 0, draw = 0} = {}
): number {
  const cos = cosines(c);
  const keep = sampledClasses(c, ratio, seed, draw);
  let total = 0;
  cos.forEach((row, i) => {
    const pos: number[] = [];
    const neg: number[] = [];
    row.forEach((v, j) => {
      if (c.targets[i * row.length + j] > 0.5) pos.push(-scale * (v - margin));
      else if (keep[j]) neg.push(scale * v);
    });
    if (threshold) total += log1pSumExp(neg) + log1pSumExp(pos);
    else {
      const pairs: number[] = [];
      for (const p of pos) for (const n of neg) pairs.push(p + n);
      total += log1pSumExp(pairs);
    }
  });
  return total / cos.length;
}

/** ZLPR as a pairwise softmax over (Ω_p ∪ {0}) × (Ω_n ∪ {0}) without the (0, 0) pair, scores s_0 = 0. */
export function thresholdPairsOracle(c: ClusterBatch, {scale = 16, margin = 0} = {}): number {
  const cos = cosines(c);
  let total = 0;
  cos.forEach((row, i) => {
    const pos = [0];
    const neg = [0];
    row.forEach((v, j) => (c.targets[i * row.length + j] > 0.5 ? pos.push(scale * (v - margin)) : neg.push(scale * v)));
    const gaps: number[] = [];
    pos.forEach((p, a) => neg.forEach((n, z) => (a === 0 && z === 0 ? null : gaps.push(n - p))));
    total += log1pSumExp(gaps);
  });
  return total / cos.length;
}
