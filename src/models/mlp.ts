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

function activate(x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
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
  const shapes: [number, number][] = [];
  let width = c.inputs;
  for (const h of c.hidden) {
    shapes.push([width, h]);
    width = h;
  }
  if (c.embed > 0) {
    shapes.push([width, c.embed]);
    width = c.embed;
  }
  shapes.push([width, c.classes]);
  const hiddenCount = c.hidden.length;
  const variables: tf.Variable[] = [];
  const weights: tf.Variable<tf.Rank.R2>[] = [];
  const biases: (tf.Variable<tf.Rank.R1> | null)[] = [];
  shapes.forEach(([fanIn, fanOut], i) => {
    const he = i < hiddenCount && c.activation !== "tanh" && c.activation !== "linear";
    const limit = he ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    // Inside tidy, so that only the variable keeps the initial values (tf.variable copies the reference).
    const w = tf.tidy(() =>
      tf.variable(tf.tensor2d(rng.fork(`w${i}`).uniforms(fanIn * fanOut, -limit, limit), [fanIn, fanOut]))
    );
    variables.push(w);
    weights.push(w);
    const isHead = i === shapes.length - 1;
    if (isHead && c.head === "cosine") biases.push(null);
    else {
      const b = tf.tidy(() => tf.variable(tf.zeros([fanOut]) as tf.Tensor1D));
      variables.push(b);
      biases.push(b);
    }
  });

  const dense = (x: tf.Tensor2D, i: number): tf.Tensor2D => {
    const y = tf.matMul(x, weights[i]) as tf.Tensor2D;
    const b = biases[i];
    return b ? (tf.add(y, b) as tf.Tensor2D) : y;
  };

  const model: Model = {
    config: c,
    variables,
    apply(x, options = {}) {
      if (x.rank !== 2 || x.shape[1] !== c.inputs) {
        throw new Error(`mlp: expected input of shape [B, ${c.inputs}], got [${x.shape}]`);
      }
      let h: tf.Tensor2D = x;
      for (let i = 0; i < hiddenCount; ++i) {
        h = activate(dense(h, i), c.activation);
        if (options.training && c.dropout > 0) {
          if (!options.rng) throw new Error("mlp: dropout needs a random stream (options.rng) while training");
          const keep = 1 - c.dropout;
          const u = options.rng.uniforms(h.shape[0] * h.shape[1]);
          const mask = new Float32Array(u.length);
          for (let j = 0; j < u.length; ++j) mask[j] = u[j] < keep ? 1 / keep : 0;
          h = tf.mul(h, tf.tensor2d(mask, h.shape));
        }
      }
      let embeddings: tf.Tensor2D | undefined;
      let features = h;
      if (c.embed > 0) {
        const e = dense(h, hiddenCount);
        embeddings = c.normalize ? l2normalize(e) : e;
        features = embeddings;
      }
      const headIndex = shapes.length - 1;
      const logits =
        c.head === "cosine"
          ? (tf.mul(
              tf.matMul(l2normalize(features), l2normalize(tf.transpose(weights[headIndex])), false, true),
              c.scale
            ) as tf.Tensor2D)
          : dense(features, headIndex);
      return embeddings ? {logits, embeddings} : {logits};
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
