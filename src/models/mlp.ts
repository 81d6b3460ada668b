import * as tf from "../tf.js";
import {random} from "../random.js";
import type {Random} from "../random.js";

export const activations = ["relu", "tanh", "gelu", "linear"] as const;
export type Activation = (typeof activations)[number];

/** A serialisable model description (it goes into URLs and checkpoints). */
export interface ModelConfig {
  inputs: number;
  /** Widths of the hidden layers. */
  hidden: number[];
  activation: Activation;
  classes: number;
  /** Dimension of a linear embedding layer before the head (2 or 3 to plot it); 0 for none. */
  embed: number;
  /** L2-normalise the embedding (it then lies on the unit circle or sphere). */
  normalize: boolean;
  /** "linear": logits = e·W + b. "cosine": logits = s · cos(e, w_k), no bias. */
  head: "linear" | "cosine";
  /** Logit scale s of the cosine head. */
  scale: number;
  /** Dropout rate on hidden activations while training; masks come from the seeded generator. */
  dropout: number;
}

export interface ApplyOptions {
  training?: boolean;
  /** Random stream for dropout masks (needed when training with dropout > 0). */
  rng?: Random;
}

export interface ModelOutput {
  logits: tf.Tensor2D;
  /** The embedding layer's output ([B, embed]; normalised if configured); absent without one. */
  embeddings?: tf.Tensor2D;
}

/** A model: explicit variables, a serialisable config and weights readable as plain arrays. */
export interface Model {
  readonly config: ModelConfig;
  readonly variables: readonly tf.Variable[];
  /** Forward pass; call inside tf.tidy or a gradient function. */
  apply(x: tf.Tensor2D, options?: ApplyOptions): ModelOutput;
  /**
   * The head's class vectors as rows, [classes, features] (the transposed head matrix; on the tape when called inside a
   * gradient function): the learnable prototypes that UNPG and MLCD compare embeddings with.
   */
  classWeights(): tf.Tensor2D;
  /** Copies the weights to the CPU, in `variables` order. */
  read(): Promise<Float32Array[]>;
  /** Overwrites the weights from plain arrays (as returned by `read`). */
  write(weights: readonly Float32Array[]): void;
  dispose(): void;
}

export const defaultModelConfig: ModelConfig = {
  inputs: 2,
  hidden: [64, 64],
  activation: "relu",
  classes: 3,
  embed: 0,
  normalize: false,
  head: "linear",
  scale: 16,
  dropout: 0
};

function checkConfig(c: ModelConfig): void {
  const positive = (v: number) => Number.isInteger(v) && v >= 1;
  if (!positive(c.inputs)) throw new Error(`mlp: invalid inputs: ${c.inputs}`);
  if (!positive(c.classes)) throw new Error(`mlp: invalid classes: ${c.classes}`);
  if (!Array.isArray(c.hidden) || !c.hidden.every(positive))
    throw new Error(`mlp: invalid hidden: ${JSON.stringify(c.hidden)}`);
  if (!activations.includes(c.activation)) throw new Error(`mlp: invalid activation: ${c.activation}`);
  if (!(Number.isInteger(c.embed) && c.embed >= 0)) throw new Error(`mlp: invalid embed: ${c.embed}`);
  if (c.head !== "linear" && c.head !== "cosine") throw new Error(`mlp: invalid head: ${c.head}`);
  if (!(c.scale > 0)) throw new Error(`mlp: invalid scale: ${c.scale}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`mlp: invalid dropout: ${c.dropout}`);
}

function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "gelu":
      // tanh approximation of GELU (Hendrycks & Gimpel 2016), as in most frameworks' fast path.
      return tf.mul(
        tf.mul(x, 0.5),
        tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))))
      );
    case "linear":
      return x;
  }
}

/** Row-wise L2 normalisation; eps keeps the gradient finite at the origin. */
export function l2normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), eps)));
}

// L2 normalisation along the last axis, for batched tensors of any rank (identical to l2normalize on rank 2).
function normalizeLast<T extends tf.Tensor>(x: T, eps = 1e-12): T {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), eps)));
}

/**
 * The weight shapes of an MLP in `variables` order: [in, out] for each dense layer's matrix, followed by [out]
 * for its bias (the cosine head has no bias).
 */
export function mlpShapes(config: ModelConfig): number[][] {
  const layers = layersOf(config);
  const shapes: number[][] = [];
  layers.forEach(([fanIn, fanOut], i) => {
    shapes.push([fanIn, fanOut]);
    if (!(i === layers.length - 1 && config.head === "cosine")) shapes.push([fanOut]);
  });
  return shapes;
}

// [fanIn, fanOut] of each dense layer: hidden layers, the optional embedding layer, the head.
function layersOf(c: ModelConfig): [number, number][] {
  const layers: [number, number][] = [];
  let width = c.inputs;
  for (const h of c.hidden) {
    layers.push([width, h]);
    width = h;
  }
  if (c.embed > 0) {
    layers.push([width, c.embed]);
    width = c.embed;
  }
  layers.push([width, c.classes]);
  return layers;
}

export interface ForwardOptions extends ApplyOptions {
  /**
   * Every weight carries a leading dimension G of parameter points ([G, in, out] matrices, [G, out] biases) and
   * the output gains one too: the same inputs go through G models at once as batched matrix products (the
   * loss landscape evaluates a row of grid points this way). Inputs are [B, in], shared by all G, or [G, B, in].
   */
  batched?: boolean;
}

/** The outputs of G models at once: logits [G, B, C], embeddings [G, B, embed]. */
export interface BatchedModelOutput {
  logits: tf.Tensor3D;
  embeddings?: tf.Tensor3D;
}

/**
 * The MLP's forward pass as a pure function of its weights (in `variables` order), so that the same code runs
 * the model's own variables, flat parameter vectors under a gradient tape (Hessian-vector products) and batches
 * of perturbed weights (loss landscapes). `mlp().apply` calls it with the model's variables.
 */
export function forwardMlp(
  config: ModelConfig,
  weights: readonly tf.Tensor[],
  x: tf.Tensor,
  options: ForwardOptions & {batched: true}
): BatchedModelOutput;
export function forwardMlp(
  config: ModelConfig,
  weights: readonly tf.Tensor[],
  x: tf.Tensor2D,
  options?: ForwardOptions & {batched?: false}
): ModelOutput;
export function forwardMlp(
  config: ModelConfig,
  weights: readonly tf.Tensor[],
  x: tf.Tensor,
  options: ForwardOptions = {}
): ModelOutput | BatchedModelOutput {
  const c = config;
  const batched = options.batched === true;
  const layers = layersOf(c);
  const expected = mlpShapes(c);
  if (weights.length !== expected.length) {
    throw new Error(`mlp: expected ${expected.length} weight tensors, got ${weights.length}`);
  }
  let g = -1;
  weights.forEach((w, i) => {
    const shape = batched ? w.shape.slice(1) : w.shape;
    if (batched) {
      if (g < 0) g = w.shape[0];
      if (w.shape[0] !== g) throw new Error(`mlp: weight ${i} has ${w.shape[0]} parameter points, expected ${g}`);
    }
    if (shape.length !== expected[i].length || shape.some((d, k) => d !== expected[i][k])) {
      throw new Error(
        `mlp: weight ${i} has shape [${w.shape}], expected [${batched ? [g, ...expected[i]] : expected[i]}]`
      );
    }
  });
  const inputOk = batched
    ? (x.rank === 2 || (x.rank === 3 && x.shape[0] === g)) && x.shape[x.rank - 1] === c.inputs
    : x.rank === 2 && x.shape[1] === c.inputs;
  if (!inputOk) {
    const want = batched ? `[B, ${c.inputs}] or [${g}, B, ${c.inputs}]` : `[B, ${c.inputs}]`;
    throw new Error(`mlp: expected input of shape ${want}, got [${x.shape}]`);
  }
  if (batched && options.training && c.dropout > 0) throw new Error("mlp: batched forward passes have no dropout");

  const matrices: tf.Tensor[] = [];
  const biases: (tf.Tensor | null)[] = [];
  let k = 0;
  layers.forEach((_, i) => {
    matrices.push(weights[k++]);
    biases.push(i === layers.length - 1 && c.head === "cosine" ? null : weights[k++]);
  });
  // tfjs-backend-cpu broadcasts elementwise ops through a per-element index path (~10× slower than its matmul on
  // the same data), so on cpu a batched bias is added as the outer product 1 ⊗ b, computed by a k = 1 matmul; other
  // backends broadcast cheaply.
  const outerBias = batched && tf.getBackend() === "cpu";
  const dense = (h: tf.Tensor, i: number): tf.Tensor => {
    // [B, in] × [G, in, out] broadcasts to [G, B, out]; a [G, out] bias becomes [G, 1, out].
    const y = tf.matMul(h, matrices[i]);
    const b = biases[i];
    if (!b) return y;
    if (!batched) return tf.add(y, b);
    const bias = tf.expandDims(b, 1);
    return tf.add(y, outerBias ? tf.matMul(tf.ones([y.shape[0], y.shape[1]!, 1]), bias) : bias);
  };

  const hiddenCount = c.hidden.length;
  let h: tf.Tensor = x;
  for (let i = 0; i < hiddenCount; ++i) {
    h = activate(dense(h, i), c.activation);
    if (options.training && c.dropout > 0) {
      if (!options.rng) throw new Error("mlp: dropout needs a random stream (options.rng) while training");
      const keep = 1 - c.dropout;
      const u = options.rng.uniforms(h.shape[0] * h.shape[1]!);
      const mask = new Float32Array(u.length);
      for (let j = 0; j < u.length; ++j) mask[j] = u[j] < keep ? 1 / keep : 0;
      h = tf.mul(h, tf.tensor2d(mask, h.shape as [number, number]));
    }
  }
  let embeddings: tf.Tensor | undefined;
  let features = h;
  if (c.embed > 0) {
    const e = dense(h, hiddenCount);
    embeddings = c.normalize ? normalizeLast(e) : e;
    features = embeddings;
  }
  const headIndex = layers.length - 1;
  let logits: tf.Tensor;
  if (c.head === "cosine") {
    // cos(e, w_k): each class's column of the head matrix, normalised, against the normalised features.
    const wT = batched ? tf.transpose(matrices[headIndex], [0, 2, 1]) : tf.transpose(matrices[headIndex]);
    logits = tf.mul(tf.matMul(normalizeLast(features), normalizeLast(wT), false, true), c.scale);
  } else logits = dense(features, headIndex);
  if (batched) {
    return embeddings
      ? {logits: logits as tf.Tensor3D, embeddings: embeddings as tf.Tensor3D}
      : {logits: logits as tf.Tensor3D};
  }
  return embeddings
    ? {logits: logits as tf.Tensor2D, embeddings: embeddings as tf.Tensor2D}
    : {logits: logits as tf.Tensor2D};
}

/**
 * A multi-layer perceptron with optional embedding layer and a linear or cosine classifier head.
 * Weights are drawn from the seeded generator: He-uniform for ReLU/GELU layers, Glorot-uniform
 * otherwise and for the embedding and head layers; biases start at zero.
 */
export function mlp(config: Partial<ModelConfig> & {seed?: number} = {}): Model {
  const {seed = 0, ...rest} = config;
  const c: ModelConfig = {...defaultModelConfig, ...rest, hidden: [...(rest.hidden ?? defaultModelConfig.hidden)]};
  checkConfig(c);
  const rng = random(seed).fork("init");
  const shapes = layersOf(c);
  const hiddenCount = c.hidden.length;
  const variables: tf.Variable[] = [];
  shapes.forEach(([fanIn, fanOut], i) => {
    const he = i < hiddenCount && c.activation !== "tanh" && c.activation !== "linear";
    const limit = he ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    // Inside tidy, so that only the variable keeps the initial values (tf.variable copies the reference).
    const w = tf.tidy(() =>
      tf.variable(tf.tensor2d(rng.fork(`w${i}`).uniforms(fanIn * fanOut, -limit, limit), [fanIn, fanOut]))
    );
    variables.push(w);
    const isHead = i === shapes.length - 1;
    if (!(isHead && c.head === "cosine")) variables.push(tf.tidy(() => tf.variable(tf.zeros([fanOut]) as tf.Tensor1D)));
  });

  const model: Model = {
    config: c,
    variables,
    apply(x, options = {}) {
      return forwardMlp(c, variables, x, {training: options.training, rng: options.rng});
    },
    classWeights() {
      const head = variables[c.head === "cosine" ? variables.length - 1 : variables.length - 2];
      return tf.transpose(head as tf.Tensor2D);
    },
    async read() {
      return Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
    },
    write(values) {
      if (values.length !== variables.length) {
        throw new Error(`mlp: expected ${variables.length} weight arrays, got ${values.length}`);
      }
      values.forEach((w, i) => {
        const v = variables[i];
        if (w.length !== v.size) throw new Error(`mlp: weight ${i} has ${w.length} values, expected ${v.size}`);
        tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
      });
    },
    dispose() {
      for (const v of variables) v.dispose();
    }
  };
  return model;
}
