import * as tf from "../tf.js";

/**
 * A distance or similarity between embeddings, in the manner of pytorch-metric-learning's
 * BaseDistance: it optionally L2-normalises the embeddings, computes the n × m matrix, and says
 * whether larger means closer (`inverted`, for similarities) so that one loss serves both kinds.
 */
export interface Distance {
  readonly name: "lp" | "cosine" | "dot";
  /** True for similarities (larger = closer). */
  readonly inverted: boolean;
  /** Whether embeddings are L2-normalised first. */
  readonly normalize: boolean;
  /** Embeddings as this distance sees them (normalised when `normalize`). */
  prepare(x: tf.Tensor2D): tf.Tensor2D;
  /** The n × m matrix between rows of a and rows of b (b defaults to a). */
  matrix(a: tf.Tensor2D, b?: tf.Tensor2D): tf.Tensor2D;
  /** Same matrix for embeddings already passed through `prepare`. */
  matrixPrepared(a: tf.Tensor2D, b?: tf.Tensor2D): tf.Tensor2D;
  /** How much `far` is farther than `near` (far − near for distances, near − far for similarities). */
  margin(near: tf.Tensor, far: tf.Tensor): tf.Tensor;
}

// PyTorch's F.normalize: x / max(‖x‖, eps).
const normalizeEps = 1e-12;
/** Rows divided by their L2 norm, floored at 1e-12 as torch.nn.functional.normalize does. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  // x · rsqrt(max(‖x‖², eps²)) = x / max(‖x‖, eps), with a finite gradient at x = 0 (√ at 0 has none).
  return tf.tidy(
    () => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), 1, true), normalizeEps * normalizeEps))) as tf.Tensor2D
  );
}

/** Rows divided by their L1 norm, floored at 1e-12 (F.normalize with p = 1). */
export function l1Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.sum(tf.abs(x), 1, true), normalizeEps)) as tf.Tensor2D);
}

// Squared Euclidean distances from the differences themselves, Σ_k (a_ik − b_jk)², as torch.cdist does
// for small batches: the expansion ‖a‖² + ‖b‖² − 2a·b cancels catastrophically for nearby points (a
// point's distance to itself came out as √(rounding) instead of 0). Costs a [n, m, D] intermediate,
// which is small at notebook scale.
function squaredEuclidean(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(tf.square(tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0))), 2) as tf.Tensor2D;
}
const sqrtFloor = 1e-12;
/** √x with a zero value and zero gradient below 1e-12 (no NaN gradient at coincident points). */
export function safeSqrt(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sqrt(tf.maximum(x, sqrtFloor)), tf.step(tf.sub(x, sqrtFloor)));
}

/**
 * Lp distance (pytorch-metric-learning's LpDistance): p = 2 (Euclidean) or 1 (Manhattan), raised to
 * `power`; embeddings L2-normalised first by default, as in PML.
 */
export function lpDistance({
  p = 2,
  power = 1,
  normalize = true
}: {p?: 1 | 2; power?: number; normalize?: boolean} = {}): Distance {
  if (p !== 1 && p !== 2) throw new Error(`invalid p: ${p}`);
  if (!(power > 0)) throw new Error(`invalid power: ${power}`);
  // PML normalises with the same p as the distance (F.normalize(x, p)).
  const prepare = (x: tf.Tensor2D) => (normalize ? (p === 2 ? l2Normalize(x) : l1Normalize(x)) : x);
  const matrixPrepared = (a: tf.Tensor2D, b: tf.Tensor2D = a): tf.Tensor2D =>
    tf.tidy(() => {
      let d: tf.Tensor;
      if (p === 2) {
        const d2 = squaredEuclidean(a, b);
        d = power === 2 ? d2 : power === 1 ? safeSqrt(d2) : tf.pow(safeSqrt(d2), power);
      } else {
        const diff = tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0));
        d = tf.sum(tf.abs(diff), 2);
        if (power !== 1) d = tf.pow(d, power);
      }
      return d as tf.Tensor2D;
    });
  return Object.freeze({
    name: "lp" as const,
    inverted: false,
    normalize,
    prepare,
    matrixPrepared,
    matrix: (a: tf.Tensor2D, b?: tf.Tensor2D) =>
      tf.tidy(() => matrixPrepared(prepare(a), b === undefined ? undefined : prepare(b))),
    margin: (near: tf.Tensor, far: tf.Tensor) => tf.sub(far, near)
  });
}

/** Cosine similarity (PML's CosineSimilarity): dot products of L2-normalised embeddings; inverted. */
export function cosineSimilarity(): Distance {
  return dotLike("cosine", true);
}

/** Dot-product similarity (PML's DotProductSimilarity): raw dot products; inverted. */
export function dotProductSimilarity({normalize = false}: {normalize?: boolean} = {}): Distance {
  return dotLike("dot", normalize);
}

function dotLike(name: "cosine" | "dot", normalize: boolean): Distance {
  const prepare = (x: tf.Tensor2D) => (normalize ? l2Normalize(x) : x);
  const matrixPrepared = (a: tf.Tensor2D, b: tf.Tensor2D = a) => tf.matMul(a, b, false, true) as tf.Tensor2D;
  return Object.freeze({
    name,
    inverted: true,
    normalize,
    prepare,
    matrixPrepared,
    matrix: (a: tf.Tensor2D, b?: tf.Tensor2D) =>
      tf.tidy(() => matrixPrepared(prepare(a), b === undefined ? undefined : prepare(b))),
    margin: (near: tf.Tensor, far: tf.Tensor) => tf.sub(near, far)
  });
}

/** The distance named by a schema's enum value: "euclidean" (PML default, normalised), "squared-euclidean", "cosine", "dot". */
export function distanceByName(name: string): Distance {
  switch (name) {
    case "euclidean":
      return lpDistance();
    case "squared-euclidean":
      return lpDistance({power: 2});
    case "euclidean-raw":
      return lpDistance({normalize: false});
    case "cosine":
      return cosineSimilarity();
    case "dot":
      return dotProductSimilarity();
    default:
      throw new Error(
        `invalid distance: ${name} (expected euclidean, squared-euclidean, euclidean-raw, cosine or dot)`
      );
  }
}
export const distanceNames = ["euclidean", "squared-euclidean", "euclidean-raw", "cosine", "dot"] as const;
