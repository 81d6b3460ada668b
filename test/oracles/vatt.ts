/**
 * Float64 references for VATT's NCE / MIL-NCE, written as plain loops from the official code's definitions
 * (google-research vatt/utils/train/objectives.py): anchors x [B, D], candidates c [B, K, D] (row-major),
 * optional candidate mask [B, K]. Masked candidates are skipped (not penalised), which is what −1e9 does.
 * Never bundled; used by the tests only.
 */
export interface NceOracleOptions {
  temperature?: number;
  variant?: "asymmetric" | "symmetric";
  normalize?: boolean;
  mask?: ArrayLike<number>;
}

function unit(v: number[], normalize: boolean): number[] {
  if (!normalize) return v;
  const s = v.reduce((a, x) => a + x * x, 0);
  const r = 1 / Math.sqrt(Math.max(s, 1e-12));
  return v.map((x) => x * r);
}

function logSumExp(values: number[]): number {
  const m = Math.max(...values);
  let s = 0;
  for (const v of values) s += Math.exp(v - m);
  return m + Math.log(s);
}

/** Per-sample losses (one array per direction for "symmetric") and the masked batch mean. */
export function nceOracle(
  anchors: ArrayLike<number>,
  candidates: ArrayLike<number>,
  B: number,
  K: number,
  D: number,
  {temperature = 0.07, variant = "asymmetric", normalize = true, mask}: NceOracleOptions = {}
): {value: number; perSample: number[][]} {
  const x: number[][] = [];
  const c: number[][][] = [];
  for (let i = 0; i < B; ++i) {
    x.push(
      unit(
        Array.from({length: D}, (_, d) => anchors[i * D + d]),
        normalize
      )
    );
    const row: number[][] = [];
    for (let k = 0; k < K; ++k)
      row.push(
        unit(
          Array.from({length: D}, (_, d) => candidates[(i * K + k) * D + d]),
          normalize
        )
      );
    c.push(row);
  }
  const ok = (j: number, k: number) => (mask ? mask[j * K + k] > 0 : true);
  const s = (i: number, j: number, k: number) => {
    let dot = 0;
    for (let d = 0; d < D; ++d) dot += x[i][d] * c[j][k][d];
    return dot / temperature;
  };
  const perSampleA: number[] = [];
  const perSampleB: number[] = [];
  const validRows: boolean[] = [];
  for (let i = 0; i < B; ++i) {
    const pos: number[] = [];
    for (let k = 0; k < K; ++k) if (ok(i, k)) pos.push(s(i, i, k));
    validRows.push(pos.length > 0);
    if (pos.length === 0) {
      perSampleA.push(0);
      perSampleB.push(0);
      continue;
    }
    const toOthers: number[] = []; // x_i against every valid candidate c_jk
    const fromOthers: number[] = []; // every x_j against the valid candidates c_ik of sample i
    for (let j = 0; j < B; ++j)
      for (let k = 0; k < K; ++k) {
        if (ok(j, k)) toOthers.push(s(i, j, k));
        if (ok(i, k)) fromOthers.push(s(j, i, k));
      }
    const lsePos = logSumExp(pos);
    if (variant === "asymmetric") perSampleA.push(logSumExp([...toOthers, ...fromOthers]) - lsePos);
    else {
      perSampleA.push(logSumExp(toOthers) - lsePos);
      perSampleB.push(logSumExp(fromOthers) - lsePos);
    }
  }
  const nValid = validRows.filter(Boolean).length;
  const mean = (v: number[]) => (nValid === 0 ? 0 : v.reduce((a, b) => a + b, 0) / nValid);
  const value = variant === "asymmetric" ? mean(perSampleA) : mean(perSampleA) + mean(perSampleB);
  return {value, perSample: variant === "asymmetric" ? [perSampleA] : [perSampleA, perSampleB]};
}

/**
 * Miech et al.'s MIL-NCE exactly as their released PyTorch loss (MIL-NCE_HowTo100M loss.py) forms it:
 * raw dot products (no normalisation, no temperature), nominator = log Σ_k e^{x_i·c_ik}, denominator =
 * log of the sum over the concatenation of x_i·c_jk and x_j·c_ik for all j, k. Written independently of
 * nceOracle, as a second reference.
 */
export function miechMilNce(
  anchors: ArrayLike<number>,
  candidates: ArrayLike<number>,
  B: number,
  K: number,
  D: number
): number {
  let total = 0;
  const dot = (i: number, j: number, k: number) => {
    let s = 0;
    for (let d = 0; d < D; ++d) s += anchors[i * D + d] * candidates[(j * K + k) * D + d];
    return s;
  };
  for (let i = 0; i < B; ++i) {
    let num = 0;
    for (let k = 0; k < K; ++k) num += Math.exp(dot(i, i, k));
    let den = 0;
    for (let j = 0; j < B; ++j) for (let k = 0; k < K; ++k) den += Math.exp(dot(i, j, k)) + Math.exp(dot(j, i, k));
    total += Math.log(den) - Math.log(num);
  }
  return total / B;
}
