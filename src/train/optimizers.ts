import * as tf from "../tf.js";

/** A serialisable optimizer description. Adam's ε is PyTorch's 1e-8 (TF.js defaults to 1e-7). */
export interface OptimizerSpec {
  type: "adam" | "sgd" | "momentum";
  lr: number;
  /** Momentum coefficient (type "momentum"). */
  momentum?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Clip the global gradient norm to this value; 0 or undefined turns clipping off. */
  clipNorm?: number;
}

export const optimizerTypes = ["adam", "sgd", "momentum"] as const;

export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (!(spec.lr > 0 && Number.isFinite(spec.lr))) throw new Error(`invalid learning rate: ${spec.lr}`);
  switch (spec.type) {
    case "adam":
      return tf.train.adam(spec.lr, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-8);
    case "sgd":
      return tf.train.sgd(spec.lr);
    case "momentum": {
      // TF.js 4.22's MomentumOptimizer.dispose() releases its accumulators and momentum scalar but not the
      // learning-rate scalar `c` it inherits from SGDOptimizer: one tensor leaked per optimizer.
      const optimizer = tf.train.momentum(spec.lr, spec.momentum ?? 0.9);
      const dispose = optimizer.dispose.bind(optimizer);
      optimizer.dispose = () => {
        dispose();
        (optimizer as unknown as {c?: tf.Tensor}).c?.dispose();
      };
      return optimizer;
    }
    default:
      throw new Error(`invalid optimizer: ${(spec as {type: unknown}).type}`);
  }
}

/**
 * One optimisation step of `f` over `variables`, with optional global-norm clipping; returns the loss
 * (kept, everything else is tidied). Clipping scales all gradients by min(1, c/‖g‖) without a readback.
 */
export function optimizerStep(
  optimizer: tf.Optimizer,
  f: () => tf.Scalar,
  variables: readonly tf.Variable[],
  clipNorm = 0
): tf.Scalar {
  return tf.tidy(() => {
    if (!(clipNorm > 0)) return optimizer.minimize(f, true, variables as tf.Variable[]) as tf.Scalar;
    const {value, grads} = optimizer.computeGradients(f, variables as tf.Variable[]);
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k])))));
    const scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12)));
    const clipped: tf.NamedTensorMap = {};
    for (const k of names) clipped[k] = tf.mul(grads[k], scale);
    optimizer.applyGradients(clipped);
    return value;
  });
}

/** An optimizer's state (moments, iteration count) copied to the CPU, to survive a lost GPU device. */
export interface OptimizerState {
  names: string[];
  shapes: number[][];
  dtypes: tf.DataType[];
  values: (Float32Array | Int32Array)[];
}

export async function readOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const named = await optimizer.getWeights();
  try {
    const values = await Promise.all(named.map((n) => n.tensor.data() as Promise<Float32Array | Int32Array>));
    return {
      names: named.map((n) => n.name),
      shapes: named.map((n) => n.tensor.shape.slice()),
      dtypes: named.map((n) => n.tensor.dtype),
      values
    };
  } finally {
    // getWeights() returns a fresh scalar for the iteration count (the rest are the optimizer's own variables).
    named[0]?.tensor.dispose();
  }
}

export async function writeOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const tensors = state.values.map((v, i) => tf.tensor(v, state.shapes[i], state.dtypes[i]));
  try {
    await optimizer.setWeights(tensors.map((tensor, i) => ({name: state.names[i], tensor})));
  } finally {
    for (const t of tensors) t.dispose();
  }
}
