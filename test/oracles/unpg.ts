/**
 * Float64 reference for UNPG (Jung et al. 2022, official recognition/models/{head,build}.py): margin-softmax
 * logits against normalised class weights, every negative feature pair (a < b, y_a ≠ y_b) enumerated,
 * the box-and-whisker filter over their sorted similarities, and a cross-entropy whose denominator gets
 * the surviving pairs. ArcFace uses acos/cos as the official head does. Never bundled.
 */

export interface UnpgOptions {
  head?: "arcface" | "cosface";
  scale?: number;
  margin?: number;
  wisk?: number;
  filter?: boolean;
  pairNegatives?: boolean;
}

function normalizedRows(x: ArrayLike<number>, n: number, dim: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < n; ++i) {
    const r = Float64Array.from({length: dim}, (_, k) => x[i * dim + k]);
    const norm = Math.max(Math.hypot(...r), 1e-12);
    out.push(r.map((v) => v / norm));
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; ++k) s += a[k] * b[k];
  return s;
}

/** The negative-pair similarities of the batch and those the whisker filter keeps. */
export function unpgPairs(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number,
  wisk = 1.5
): {all: number[]; kept: number[]; pairs: [number, number][]; keptPairs: [number, number][]} {
  const n = labels.length;
  const x = normalizedRows(embeddings, n, dim);
  const all: number[] = [];
  const pairs: [number, number][] = [];
  for (let a = 0; a < n; ++a)
    for (let b = a + 1; b < n; ++b)
      if (labels[a] !== labels[b]) {
        all.push(dot(x[a], x[b]));
        pairs.push([a, b]);
      }
  if (all.length === 0) return {all, kept: [], pairs, keptPairs: []};
  const sorted = [...all].sort((u, v) => u - v);
  const q1 = sorted[Math.floor(0.25 * sorted.length)];
  const q3 = sorted[Math.floor(0.75 * sorted.length)];
  const lo = q1 - wisk * (q3 - q1);
  const hi = q3 + wisk * (q3 - q1);
  const kept: number[] = [];
  const keptPairs: [number, number][] = [];
  all.forEach((s, i) => {
    if (s >= lo && s <= hi) {
      kept.push(s);
      keptPairs.push(pairs[i]);
    }
  });
  return {all, kept, pairs, keptPairs};
}

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  return max + Math.log(values.reduce((a, v) => a + Math.exp(v - max), 0));
}

export function unpgOracle(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  prototypes: ArrayLike<number>,
  classes: number,
  dim: number,
  {head = "arcface", scale = 64, margin = 0.5, wisk = 1.5, filter = true, pairNegatives = true}: UnpgOptions = {}
): number {
  const n = labels.length;
  const x = normalizedRows(embeddings, n, dim);
  const w = normalizedRows(prototypes, classes, dim);
  const {all, kept} = unpgPairs(embeddings, labels, dim, wisk);
  const extra = pairNegatives ? (filter ? kept : all) : [];
  let total = 0;
  for (let i = 0; i < n; ++i) {
    const logits: number[] = [];
    let target = 0;
    for (let c = 0; c < classes; ++c) {
      const cos = dot(x[i], w[c]);
      if (c === labels[i]) {
        target = head === "arcface" ? Math.cos(Math.acos(Math.min(1, Math.max(-1, cos))) + margin) : cos - margin;
        logits.push(scale * target);
      } else logits.push(scale * cos);
    }
    for (const s of extra) logits.push(scale * s);
    total += logSumExp(logits) - scale * target;
  }
  return total / n;
}
