// Card 22 (Venkataramanan, Psomas et al. 2022, "It Takes Two to Tango: Mixup for Deep Metric Learning"): the notebook's
// own pieces around the library's `metrix` loss — the per-batch mixing factor λ ~ Beta(α, α), the tape hooks that mix
// inputs (re-embedded by the model) or embeddings, and the retrieval metrics on unseen classes (Recall@1, utilization).
import * as tf from "../tf.js";
import type {Random} from "../random.js";
import {noGradient} from "../losses/masks.js";
import {metrixPairs, mixedInputs, utilization} from "../losses/metrix.js";
import {mapAtR, recallAtK} from "../metrics/retrieval.js";
import type {MetricsHook, TapeContext} from "../train/train.js";

/** A Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape < 1 through the boost Γ(a) = Γ(a + 1)·U^{1/a}). */
function gammaDraw(rng: Random, shape: number): number {
  if (shape < 1) return gammaDraw(rng, shape + 1) * Math.pow(Math.max(rng.uniform(), 1e-300), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * The batch's mixing factor λ ~ Beta(α, α), one draw per batch as the official `mixup_data` does (α = 2 there),
 * drawn from a seeded stream (Beta as G₁ / (G₁ + G₂) of two Gamma(α) draws).
 */
export function metrixSampleLambda(rng: Random, alpha: number): number {
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new Error(`metrixSampleLambda: invalid alpha: ${alpha}`);
  const a = gammaDraw(rng, alpha);
  const b = gammaDraw(rng, alpha);
  return a / (a + b);
}

/** The host labels of a tape batch (its split's rows), for building index lists on the CPU. */
function batchLabels(ctx: TapeContext): Int32Array {
  const y = ctx.split === "train" ? ctx.data.train.y : ctx.data.test.y;
  return Int32Array.from(ctx.rows, (r) => y[r]);
}

/**
 * Each anchor's hardest negative in the batch: the differently-labelled row nearest to it (smallest squared Euclidean
 * distance of the clean embeddings). [B] int32 row indices; a row without a negative points at itself. Mining, not
 * part of the objective: the tape hook calls it off the gradient tape.
 */
export function metrixHardestNegatives(embeddings: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(embeddings), 1, true);
    const d2 = tf.relu(tf.sub(tf.add(sq, tf.transpose(sq)), tf.mul(2, tf.matMul(embeddings, embeddings, false, true))));
    // Same-label pairs, the row itself included, move out of reach.
    const same = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), "float32");
    return tf.argMin(tf.add(d2, tf.mul(same, 1e9)), 1) as tf.Tensor1D;
  });
}

/** Which Metrix mixing the notebook applies: of the inputs (re-embedded) or of the embeddings. */
export type MetrixLevel = "input" | "embedding";

/**
 * The Metrix arm's tape hook: draws λ ~ Beta(α, α) from the batch's shared stream and builds the `metrix` loss's mixed
 * inputs. "input" (the official input mode): for every positive pair (a, p) of the batch, mix the positive with a's
 * hardest negative n, x̃ = λ·x_p + (1 − λ)·x_n, and embed it with the model, so the gradient flows through the network
 * at the mixed point. "embedding": the official positive–negative pairing over all negatives (metrixPairs), mixing the
 * clean embeddings (mixedInputs). Either way a mixed example is λ-positive and (1 − λ)-negative for its anchor.
 */
export function metrixTape(level: MetrixLevel, alpha: number) {
  return (ctx: TapeContext): Record<string, tf.Tensor> => {
    const lambda = metrixSampleLambda(ctx.rng.fork("lambda"), alpha);
    const labels = batchLabels(ctx);
    const embeddings = ctx.out.embeddings!;
    if (level === "embedding")
      return {...mixedInputs(embeddings, labels, metrixPairs(labels, "positive-negative"), lambda)};
    const anchors: number[] = [];
    const first: number[] = [];
    for (let a = 0; a < labels.length; ++a)
      for (let p = 0; p < labels.length; ++p) if (p !== a && labels[p] === labels[a]) (anchors.push(a), first.push(p));
    const D = embeddings.shape[1];
    if (!anchors.length) {
      return {
        mixedEmbeddings: tf.zeros([0, D]),
        mixLabelsA: tf.zeros([0], "int32"),
        mixLabelsB: tf.zeros([0], "int32"),
        mixWeights: tf.zeros([0]),
        mixAnchors: tf.zeros([0], "int32")
      };
    }
    const anchorRows = tf.tensor1d(anchors, "int32");
    // The hardest negatives are chosen off the tape: the batch is re-embedded inside a no-gradient wrapper whose only
    // inputs are the data, so nothing computed from the choice (the sources' labels) joins the gradient path.
    const hardest = noGradient((x: tf.Tensor, y: tf.Tensor) =>
      tf.cast(metrixHardestNegatives(ctx.model.apply(x as tf.Tensor2D).embeddings!, y as tf.Tensor1D), "float32")
    )(ctx.x, ctx.labels);
    const second = tf.gather(tf.cast(hardest, "int32"), anchorRows) as tf.Tensor1D;
    const mixedX = tf.add(
      tf.mul(tf.gather(ctx.x, tf.tensor1d(first, "int32")), lambda),
      tf.mul(tf.gather(ctx.x, second), 1 - lambda)
    ) as tf.Tensor2D;
    return {
      mixedEmbeddings: ctx.apply(mixedX).embeddings!,
      mixLabelsA: tf.tensor1d(
        Int32Array.from(first, (i) => labels[i]),
        "int32"
      ),
      mixLabelsB: tf.gather(ctx.labels, second),
      mixWeights: tf.fill([anchors.length], lambda),
      mixAnchors: anchorRows
    };
  };
}

/**
 * The notebook's retrieval metrics at every evaluation, on the test split's classes (never trained on):
 * `recallAt1` and `mapAtR` (leave-one-out, Euclidean), and `utilization`, the mean squared distance from each test
 * embedding to its nearest training embedding (the probe samples; lower = the unseen classes land where training put
 * examples).
 */
export function metrixNotebookMetrics(): MetricsHook {
  return {
    host: ({data, testEmbeddings, probeEmbeddings}): Record<string, number> => {
      if (!testEmbeddings || !probeEmbeddings) return {};
      const dims = testEmbeddings.length / data.test.n;
      return {
        recallAt1: recallAtK(testEmbeddings, data.test.y, dims, {k: 1}),
        mapAtR: mapAtR(testEmbeddings, data.test.y, dims),
        utilization: utilization(testEmbeddings, probeEmbeddings, dims)
      };
    }
  };
}
