// Card 09 (VATT: NCE and MIL-NCE between modalities): synthetic two-modality "clips" that share a latent state, with
// several candidate captions per training clip of which some are about another clip (misaligned narrations), the
// cross-modal Recall@K that the notebook measures, and a 2-D PCA of both modalities' embeddings for the plot.
// Plain float64 on the host; the losses are the registry's vatt-nce and mil-nce.
import type {Dataset, Split} from "../datasets/dataset.js";
import {principalProjection} from "../metrics/projection.js";
import {random} from "../random.js";
import type {Random} from "../random.js";

export interface VattClipsOptions {
  /** Training clips. */
  train?: number;
  /** Test clips (each with clean captions only). */
  test?: number;
  /** Latent classes (clusters of the shared state; they colour the plots). */
  classes?: number;
  /** Width of modality A (the "video", the model's input x). */
  widthA?: number;
  /** Width of one caption of modality B (the "text"). */
  widthB?: number;
  /** Candidate captions per clip (MIL-NCE's bag size L). */
  candidates?: number;
  /** Probability that a training caption describes a different, random clip. */
  mismatch?: number;
  /** Observation noise (standard deviation) of both modalities. */
  noise?: number;
  seed?: number;
}

/** The latent dimension of the synthetic clips: 2 for the class's position on a circle, 2 for the clip's own detail. */
const latentDims = 4;

/** A random map R^4 → R^width with a smooth nonlinearity: v ↦ tanh(W v) (W has N(0, 1/4) entries). */
function randomMap(r: Random, width: number): (z: Float64Array) => Float64Array {
  const w = r.normals(width * latentDims, 0.5);
  return (z) => {
    const out = new Float64Array(width);
    for (let i = 0; i < width; ++i) {
      let s = 0;
      for (let j = 0; j < latentDims; ++j) s += w[i * latentDims + j] * z[j];
      out[i] = Math.tanh(s);
    }
    return out;
  };
}

/**
 * Synthetic two-modality clips (the card's toy): a latent state z = (class position on a circle + jitter, two free
 * coordinates) generates modality A = tanh(W_A z) + noise (the model's input) and each of `candidates` captions
 * tanh(W_B z) + noise, stored side by side in the view `b` ([n, candidates · widthB]). On the training split each
 * caption, independently with probability `mismatch`, is generated from another random clip's latent instead (a
 * narration about something else); test captions are all about their own clip. `y` is the latent class; `groups`
 * (training split) counts the clip's matched captions.
 */
export function vattClips(options: VattClipsOptions = {}): Dataset {
  const {
    train = 768,
    test = 256,
    classes = 8,
    widthA = 12,
    widthB = 8,
    candidates = 3,
    mismatch = 1 / 3,
    noise = 0.1,
    seed = 0
  } = options;
  const positive = (v: number) => Number.isInteger(v) && v >= 1;
  if (!positive(train) || !positive(test)) throw new Error(`vattClips: invalid sizes: ${train}, ${test}`);
  if (!(positive(classes) && classes >= 2)) throw new Error(`vattClips: invalid classes: ${classes}`);
  if (!positive(widthA) || !positive(widthB)) throw new Error(`vattClips: invalid widths: ${widthA}, ${widthB}`);
  if (!positive(candidates)) throw new Error(`vattClips: invalid candidates: ${candidates}`);
  if (!(mismatch >= 0 && mismatch <= 1)) throw new Error(`vattClips: invalid mismatch: ${mismatch}`);
  if (!(noise >= 0)) throw new Error(`vattClips: invalid noise: ${noise}`);
  const rng = random(seed).fork("vatt-clips");
  const mapA = randomMap(rng.fork("map-a"), widthA);
  const mapB = randomMap(rng.fork("map-b"), widthB);
  const latents = (n: number, r: Random) => {
    const y = new Int32Array(n);
    const z = Array.from({length: n}, (_, i) => {
      const k = r.int(classes);
      y[i] = k;
      const angle = (2 * Math.PI * k) / classes;
      return Float64Array.from([
        2 * Math.cos(angle) + 0.3 * r.normal(),
        2 * Math.sin(angle) + 0.3 * r.normal(),
        r.normal(),
        r.normal()
      ]);
    });
    return {y, z};
  };
  const split = (n: number, offset: number, name: string, wrong: number): Split => {
    const r = rng.fork(name);
    const {y, z} = latents(n, r.fork("latents"));
    const x = new Float32Array(n * widthA);
    const b = new Float32Array(n * candidates * widthB);
    const matched = new Int32Array(n);
    const obs = r.fork("noise");
    const pick = r.fork("mismatch");
    for (let i = 0; i < n; ++i) {
      const a = mapA(z[i]);
      for (let j = 0; j < widthA; ++j) x[i * widthA + j] = a[j] + noise * obs.normal();
      for (let l = 0; l < candidates; ++l) {
        // A mismatched caption describes a uniformly drawn other clip of the same split.
        const other = n > 1 && pick.uniform() < wrong ? (i + 1 + pick.int(n - 1)) % n : i;
        if (other === i) matched[i]++;
        const t = mapB(z[other]);
        for (let j = 0; j < widthB; ++j) b[(i * candidates + l) * widthB + j] = t[j] + noise * obs.normal();
      }
    }
    const ids = Int32Array.from({length: n}, (_, i) => offset + i);
    return {n, x, y, yClean: y.slice(), ids, groups: matched, views: {b}};
  };
  return {
    name: `vatt-clips-${classes}c-L${candidates}`,
    inputs: widthA,
    classes,
    train: split(train, 0, "train", mismatch),
    test: split(test, train, "test", 0),
    noiseRate: 0
  };
}

/**
 * Cross-modal Recall@K, A → B: for each of the n clips, rank the n modality-B embeddings by cosine similarity to its
 * modality-A embedding and score 1 when its own (row i) is among the K most similar (ties broken by row). `a` and `b`
 * are row-major [n, dims]. Swap the arguments for B → A.
 */
export function vattRecallAtK(a: ArrayLike<number>, b: ArrayLike<number>, dims: number, k: number): number {
  const n = a.length / dims;
  if (!Number.isInteger(n) || b.length !== a.length) throw new Error("vattRecallAtK: a and b must both be [n, dims]");
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`vattRecallAtK: invalid k: ${k}`);
  const unit = (x: ArrayLike<number>) => {
    const out = new Float64Array(x.length);
    for (let i = 0; i < n; ++i) {
      let s = 0;
      for (let j = 0; j < dims; ++j) s += x[i * dims + j] ** 2;
      const norm = Math.max(Math.sqrt(s), 1e-12);
      for (let j = 0; j < dims; ++j) out[i * dims + j] = x[i * dims + j] / norm;
    }
    return out;
  };
  const ua = unit(a),
    ub = unit(b);
  let hits = 0;
  const sim = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < n; ++j) {
      let s = 0;
      for (let c = 0; c < dims; ++c) s += ua[i * dims + c] * ub[j * dims + c];
      sim[j] = s;
    }
    // Rank of the own item: others strictly more similar, or equally similar with a smaller row.
    let ahead = 0;
    for (let j = 0; j < n; ++j) if (j !== i && (sim[j] > sim[i] || (sim[j] === sim[i] && j < i))) ahead++;
    if (ahead < k) hits++;
  }
  return hits / n;
}

/**
 * A shared 2-D view of both modalities' embeddings: both are L2-normalised (the losses compare cosines), stacked, and
 * projected on the top two principal axes of the stack (`principalProjection`). Returns [2n, 2]
 * row-major: the n A rows, then the n B rows.
 */
export function vattJointPca(a: ArrayLike<number>, b: ArrayLike<number>, dims: number): Float32Array {
  const n = a.length / dims;
  const m = 2 * n;
  const x = new Float64Array(m * dims);
  [a, b].forEach((src, s) => {
    for (let i = 0; i < n; ++i) {
      let norm = 0;
      for (let j = 0; j < dims; ++j) norm += src[i * dims + j] ** 2;
      norm = Math.max(Math.sqrt(norm), 1e-12);
      for (let j = 0; j < dims; ++j) x[(s * n + i) * dims + j] = src[i * dims + j] / norm;
    }
  });
  return principalProjection(x, dims, 2);
}
