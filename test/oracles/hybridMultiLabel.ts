/**
 * Float64 references for the hybrid multi-label loss, as plain loops: class-weighted BCE (log-sigmoid written
 * with log1p for stability), SpanEmo's LCA loss (hasanhuz/SpanEmo corr_loss), the co-occurrence penalty and the
 * Jaccard-weighted multi-label SupCon. Arrays are row-major [B, C] / [B, D]. Never bundled.
 */
export type Weighting = "batch-inverse-frequency" | "batch-positive-weight" | "given" | "none";

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
// −log σ(z), stable for large |z|
const negLogSigmoid = (z: number) => (z >= 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z)));

export function bceOracle(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  B: number,
  C: number,
  weighting: Weighting = "none",
  classWeights?: ArrayLike<number>
): number {
  const n = Array.from({length: C}, (_, c) => {
    let s = 0;
    for (let i = 0; i < B; ++i) s += targets[i * C + c];
    return s;
  });
  let total = 0;
  for (let i = 0; i < B; ++i)
    for (let c = 0; c < C; ++c) {
      const z = logits[i * C + c];
      const y = targets[i * C + c];
      let w = 1;
      let pw = 1;
      if (weighting === "batch-inverse-frequency") w = B / (C * Math.max(n[c], 1));
      if (weighting === "batch-positive-weight") pw = (B - n[c]) / Math.max(n[c], 1);
      if (weighting === "given") w = classWeights![c];
      total += w * (pw * y * negLogSigmoid(z) + (1 - y) * negLogSigmoid(-z));
    }
  return total / (B * C);
}

/** SpanEmo's corr_loss: per sample, mean over (negative p, positive q) of exp(σ(z_p) − σ(z_q)); 0 without positives. */
export function lcaOracle(logits: ArrayLike<number>, targets: ArrayLike<number>, B: number, C: number): number {
  let total = 0;
  for (let i = 0; i < B; ++i) {
    const negs: number[] = [];
    const poss: number[] = [];
    for (let c = 0; c < C; ++c) (targets[i * C + c] > 0 ? poss : negs).push(sigmoid(logits[i * C + c]));
    if (poss.length === 0 || negs.length === 0) continue;
    let s = 0;
    for (const p of negs) for (const q of poss) s += Math.exp(p - q);
    total += s / (negs.length * poss.length);
  }
  return total / B;
}

/** Mean squared gap between predicted and reference conditional co-occurrence, off the diagonal. */
export function cooccurrenceOracle(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  B: number,
  C: number,
  reference?: ArrayLike<number>
): number {
  const cond = (v: (i: number, c: number) => number) => {
    const R: number[][] = [];
    for (let c = 0; c < C; ++c) {
      let den = 0;
      for (let i = 0; i < B; ++i) den += v(i, c);
      R.push(
        Array.from({length: C}, (_, d) => {
          let num = 0;
          for (let i = 0; i < B; ++i) num += v(i, c) * v(i, d);
          return den > 0 ? num / den : 0;
        })
      );
    }
    return R;
  };
  const P = cond((i, c) => sigmoid(logits[i * C + c]));
  const R = reference
    ? Array.from({length: C}, (_, c) => Array.from({length: C}, (_, d) => reference[c * C + d]))
    : cond((i, c) => targets[i * C + c]);
  let s = 0;
  let count = 0;
  for (let c = 0; c < C; ++c) {
    let present = 0;
    for (let i = 0; i < B; ++i) present += targets[i * C + c];
    if (!reference && present === 0) continue;
    for (let d = 0; d < C; ++d) {
      if (d === c) continue;
      s += (P[c][d] - R[c][d]) ** 2;
      count += 1;
    }
  }
  return count ? s / count : 0;
}

/** Jaccard-weighted multi-label SupCon, anchors averaged over the whole batch. */
export function jaccardSupConOracle(
  embeddings: ArrayLike<number>,
  targets: ArrayLike<number>,
  B: number,
  C: number,
  D: number,
  temperature: number
): number {
  const h: number[][] = [];
  for (let i = 0; i < B; ++i) {
    const v = Array.from({length: D}, (_, d) => embeddings[i * D + d]);
    const n = Math.max(Math.hypot(...v), 1e-12);
    h.push(v.map((x) => x / n));
  }
  const sim = (i: number, j: number) => h[i].reduce((s, x, d) => s + x * h[j][d], 0) / temperature;
  let total = 0;
  for (let i = 0; i < B; ++i) {
    const others = Array.from({length: B}, (_, j) => j).filter((j) => j !== i);
    const m = Math.max(...others.map((k) => sim(i, k)));
    const lse = m + Math.log(others.reduce((s, k) => s + Math.exp(sim(i, k) - m), 0));
    let num = 0;
    let den = 0;
    for (const j of others) {
      let inter = 0;
      let uni = 0;
      for (let c = 0; c < C; ++c) {
        const a = targets[i * C + c] > 0;
        const b = targets[j * C + c] > 0;
        if (a && b) inter += 1;
        if (a || b) uni += 1;
      }
      const w = uni ? inter / uni : 0;
      num += w * (sim(i, j) - lse);
      den += w;
    }
    if (den > 0) total += -num / den;
  }
  return total / B;
}

/**
 * Khosla et al.'s SupCon (L_out) for single labels, written separately: for each anchor, the mean over its
 * positives p of −log(e^{s_ip} / Σ_{k≠i} e^{s_ik}); anchors without positives give 0; mean over all anchors.
 */
export function supConOracle(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  D: number,
  temperature: number
): number {
  const B = labels.length;
  const unit = (i: number) => {
    const v = Array.from({length: D}, (_, d) => embeddings[i * D + d]);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  let total = 0;
  for (let i = 0; i < B; ++i) {
    const hi = unit(i);
    const s = Array.from({length: B}, (_, k) => unit(k).reduce((a, x, d) => a + x * hi[d], 0) / temperature);
    let z = 0;
    for (let k = 0; k < B; ++k) if (k !== i) z += Math.exp(s[k]);
    const positives = Array.from({length: B}, (_, j) => j).filter((j) => j !== i && labels[j] === labels[i]);
    if (positives.length === 0) continue;
    total += positives.reduce((a, p) => a - Math.log(Math.exp(s[p]) / z), 0) / positives.length;
  }
  return total / B;
}

export interface HybridOracleParams {
  correlationWeight?: number;
  contrastiveWeight?: number;
  classWeighting?: Weighting;
  correlation?: "lca" | "cooccurrence";
  temperature?: number;
}

export function hybridOracle(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  embeddings: ArrayLike<number>,
  B: number,
  C: number,
  D: number,
  {
    correlationWeight = 0.2,
    contrastiveWeight = 0.1,
    classWeighting = "batch-inverse-frequency",
    correlation = "lca",
    temperature = 0.1
  }: HybridOracleParams = {},
  extra: {classWeights?: ArrayLike<number>; labelCorrelation?: ArrayLike<number>} = {}
): {total: number; bce: number; correlation: number; contrastive: number} {
  const bce = (1 - correlationWeight) * bceOracle(logits, targets, B, C, classWeighting, extra.classWeights);
  const corr =
    correlationWeight *
    (correlation === "lca"
      ? lcaOracle(logits, targets, B, C)
      : cooccurrenceOracle(logits, targets, B, C, extra.labelCorrelation));
  const con = contrastiveWeight * jaccardSupConOracle(embeddings, targets, B, C, D, temperature);
  return {total: bce + corr + con, bce, correlation: corr, contrastive: con};
}
