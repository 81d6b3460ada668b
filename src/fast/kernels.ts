/**
 * The fused training kernels: a handful of TF.js kernels that together run one optimisation step of an MLP in about
 * ten dispatches, where TF.js's autodiff and optimizers issue 90–170 (issue 6). They are ordinary TF.js kernels
 * (`tf.engine().runKernel`), so their inputs and outputs are ordinary tensors, `tf.profile` counts them and
 * `tf.tidy` releases them. This module defines their names, attributes and op wrappers, and registers the reference
 * implementation for the cpu backend (plain loops, used by the unit tests and as the numerical oracle of the WebGPU
 * programs in webgpu.ts).
 *
 * Parameters live in one flat float32 "state" tensor: the model's weights in `variables` order (W₀, b₀, W₁, b₁, …,
 * row-major), followed by the optimizer's slots in the same layout (Adam: m then v; momentum: the accumulator).
 * A dense layer reads its matrix and bias at offsets in that tensor, and one optimizer kernel updates every
 * parameter and slot at once, returning the next state.
 */
import * as tf from "../tf.js";

export const fusedKernelNames = {
  dense: "LossLabDense",
  denseGradParams: "LossLabDenseGradParams",
  denseGradInput: "LossLabDenseGradInput",
  softmaxCrossEntropy: "LossLabSoftmaxCrossEntropy",
  gradScale: "LossLabGradScale",
  optimizerUpdate: "LossLabOptimizerUpdate"
} as const;

/** Activations the fused path differentiates from the layer's output alone (GELU would need its input). */
export const fusedActivations = ["linear", "relu", "tanh"] as const;
export type FusedActivation = (typeof fusedActivations)[number];
export const activationCode: Record<FusedActivation, number> = {linear: 0, relu: 1, tanh: 2};

/** Optimizer kinds and how many slots (per-parameter state vectors) each keeps after the weights. */
export const optimizerCode = {sgd: 0, momentum: 1, adam: 2} as const;
export const optimizerSlots = {sgd: 0, momentum: 1, adam: 2} as const;

/** Rows of a layer's input: the batch rows themselves, or rows `index[indexOffset + b]` of a larger tensor. */
export interface RowSource {
  /** Number of batch rows B. */
  rows: number;
  /** When set, row b of the batch is row index[indexOffset + b] of the input (a gather fused into the kernel). */
  index?: tf.Tensor1D;
  indexOffset?: number;
}

export interface DenseAttrs {
  inDim: number;
  outDim: number;
  /** Offset of the [inDim, outDim] matrix in the state tensor. */
  weightOffset: number;
  /** Offset of the [outDim] bias, or −1 for none. */
  biasOffset: number;
  activation: FusedActivation;
}

const engine = () => tf.engine();
const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
  engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as never) as tf.Tensor;

/** A kernel's row-indexed input under `name`, with the index (and its offset, −1 for none) when rows are gathered. */
function rowInputs(
  name: string,
  x: tf.Tensor,
  src: RowSource
): {inputs: Record<string, tf.Tensor>; indexOffset: number} {
  if (src.index) {
    const offset = src.indexOffset ?? 0;
    if (offset < 0 || offset + src.rows > src.index.size) {
      throw new Error(`fused: index rows ${offset}…${offset + src.rows} are outside an index of ${src.index.size}`);
    }
    return {inputs: {[name]: x, index: src.index}, indexOffset: offset};
  }
  if (x.shape[0] !== src.rows) throw new Error(`fused: expected ${src.rows} input rows, got ${x.shape[0]}`);
  return {inputs: {[name]: x}, indexOffset: -1};
}

/** act(x·W + b) for the batch rows of `x` ([N, inDim]); returns [rows, outDim]. */
export function fusedDense(x: tf.Tensor2D, state: tf.Tensor1D, layer: DenseAttrs, src: RowSource): tf.Tensor2D {
  if (x.shape[1] !== layer.inDim)
    throw new Error(`fused dense: expected ${layer.inDim} input columns, got ${x.shape[1]}`);
  const {inputs, indexOffset} = rowInputs("x", x, src);
  return run(
    fusedKernelNames.dense,
    {...inputs, state},
    {
      ...layer,
      activation: activationCode[layer.activation],
      rows: src.rows,
      indexOffset
    }
  ) as tf.Tensor2D;
}

/**
 * The gradients of a dense layer's matrix and bias from its input rows and the gradient `g` of the loss with respect
 * to its pre-activation output ([≥ rows, outDim]; extra rows are ignored): [inDim·outDim (+ outDim)] = [vec(xᵀg), Σ_b g].
 */
export function fusedDenseGradParams(
  x: tf.Tensor2D,
  g: tf.Tensor2D,
  layer: {inDim: number; outDim: number; bias: boolean},
  src: RowSource
): tf.Tensor1D {
  const {inputs, indexOffset} = rowInputs("x", x, src);
  return run(
    fusedKernelNames.denseGradParams,
    {...inputs, g},
    {
      inDim: layer.inDim,
      outDim: layer.outDim,
      bias: layer.bias ? 1 : 0,
      rows: src.rows,
      indexOffset
    }
  ) as tf.Tensor1D;
}

/**
 * The gradient with respect to the previous layer's pre-activation: (g·Wᵀ) ⊙ act′, where act′ is computed from that
 * layer's output `h` ([rows, inDim]); `g` is [≥ rows, outDim].
 */
export function fusedDenseGradInput(
  g: tf.Tensor2D,
  state: tf.Tensor1D,
  h: tf.Tensor2D,
  layer: {inDim: number; outDim: number; weightOffset: number; activation: FusedActivation}
): tf.Tensor2D {
  return run(
    fusedKernelNames.denseGradInput,
    {g, state, h},
    {
      inDim: layer.inDim,
      outDim: layer.outDim,
      weightOffset: layer.weightOffset,
      activation: activationCode[layer.activation],
      rows: h.shape[0]
    }
  ) as tf.Tensor2D;
}

/**
 * Softmax cross-entropy with label smoothing ε, its gradient and its batch mean in one kernel: returns [rows + 1, C]
 * whose first rows are ∂ℓ/∂z = (softmax(z) − q)/rows and whose last row holds the mean loss in column 0 (q puts
 * 1 − ε + ε/C on the label and ε/C elsewhere). `labels` are gathered through `src.index` like the inputs.
 */
export function fusedSoftmaxCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  smoothing: number,
  src: RowSource
): tf.Tensor2D {
  if (logits.shape[0] !== src.rows) throw new Error(`fused cross-entropy: expected ${src.rows} rows of logits`);
  const {inputs, indexOffset} = rowInputs("labels", labels, src);
  return run(
    fusedKernelNames.softmaxCrossEntropy,
    {...inputs, logits},
    {
      classes: logits.shape[1],
      rows: src.rows,
      indexOffset,
      smoothing
    }
  ) as tf.Tensor2D;
}

/** min(1, clipNorm / ‖g‖) over all gradient tensors, as a [1] tensor (global-norm clipping without a readback). */
export function fusedGradScale(grads: readonly tf.Tensor[], clipNorm: number): tf.Tensor1D {
  return run(fusedKernelNames.gradScale, Object.fromEntries(grads.map((g, i) => [`g${i}`, g])), {
    count: grads.length,
    clipNorm
  }) as tf.Tensor1D;
}

export interface OptimizerAttrs {
  kind: keyof typeof optimizerCode;
  lr: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1-based step number (Adam's bias correction). */
  t: number;
}

/**
 * One optimizer step over the flat state: `grads` cover the parameters in order (their sizes add up to the parameter
 * count); `scale` ([1]) multiplies every gradient (clipping). Returns the next state, same layout. The update rules
 * are TF.js's own (tf.train.sgd / momentum / adam), so both paths follow the same trajectory.
 */
export function fusedOptimizerUpdate(
  state: tf.Tensor1D,
  grads: readonly tf.Tensor[],
  attrs: OptimizerAttrs,
  scale?: tf.Tensor1D
): tf.Tensor1D {
  const slots = optimizerSlots[attrs.kind];
  const params = state.size / (slots + 1);
  const total = grads.reduce((s, g) => s + g.size, 0);
  if (total !== params) throw new Error(`fused optimizer: gradients cover ${total} parameters, the state ${params}`);
  return run(
    fusedKernelNames.optimizerUpdate,
    {state, ...Object.fromEntries(grads.map((g, i) => [`g${i}`, g])), ...(scale ? {scale} : {})},
    {
      kind: optimizerCode[attrs.kind],
      params,
      sizes: grads.map((g) => g.size),
      lr: attrs.lr,
      momentum: attrs.momentum,
      beta1: attrs.beta1,
      beta2: attrs.beta2,
      epsilon: attrs.epsilon,
      // Bias corrections as TF.js computes them: 1 − β^t.
      c1: 1 - Math.pow(attrs.beta1, attrs.t),
      c2: 1 - Math.pow(attrs.beta2, attrs.t)
    }
  ) as tf.Tensor1D;
}

// ---------------------------------------------------------------------------------------------------------------
// Reference implementation on the cpu backend. Float32 storage with float32 rounding of every accumulation step
// (Math.fround), so that it rounds like the WebGPU shaders that loop in the same order.

type CpuBackend = {
  data: {get(id: unknown): {values: Float32Array | Int32Array}};
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array | Int32Array): tf.TensorInfo;
};
const f = Math.fround;
const act = (code: number, v: number) => (code === 1 ? Math.max(v, 0) : code === 2 ? f(Math.tanh(v)) : v);
const actGrad = (code: number, h: number) => (code === 1 ? (h > 0 ? 1 : 0) : code === 2 ? f(1 - f(h * h)) : 1);

function cpu(
  name: string,
  fn: (
    values: Record<string, Float32Array | Int32Array>,
    attrs: Record<string, any>
  ) => {shape: number[]; out: Float32Array}
): void {
  if (tf.getKernel(name, "cpu")) return;
  tf.registerKernel({
    kernelName: name,
    backendName: "cpu",
    kernelFunc: ({inputs, backend, attrs}) => {
      const b = backend as unknown as CpuBackend;
      const values: Record<string, Float32Array | Int32Array> = {};
      for (const [k, t] of Object.entries(inputs)) if (t) values[k] = b.data.get(t.dataId).values;
      const {shape, out} = fn(values, attrs as Record<string, any>);
      return b.makeTensorInfo(shape, "float32", out);
    }
  });
}

const rowOf = (index: Float32Array | Int32Array | undefined, offset: number, b: number) =>
  index ? index[offset + b] : b;

/** Registers the cpu reference kernels (idempotent). */
export function registerCpuKernels(): void {
  cpu(fusedKernelNames.dense, (v, a) => {
    const {inDim, outDim, weightOffset: wo, biasOffset: bo, activation, rows, indexOffset} = a;
    const {x, state: p, index} = v;
    const out = new Float32Array(rows * outDim);
    for (let b = 0; b < rows; ++b) {
      const r = rowOf(index, indexOffset, b);
      for (let o = 0; o < outDim; ++o) {
        let s = bo >= 0 ? p[bo + o] : 0;
        for (let i = 0; i < inDim; ++i) s = f(s + f(x[r * inDim + i] * p[wo + i * outDim + o]));
        out[b * outDim + o] = act(activation, s);
      }
    }
    return {shape: [rows, outDim], out};
  });
  cpu(fusedKernelNames.denseGradParams, (v, a) => {
    const {inDim, outDim, bias, rows, indexOffset} = a;
    const {x, g, index} = v;
    const out = new Float32Array(inDim * outDim + (bias ? outDim : 0));
    for (let i = 0; i < inDim; ++i) {
      for (let o = 0; o < outDim; ++o) {
        let s = 0;
        for (let b = 0; b < rows; ++b) s = f(s + f(x[rowOf(index, indexOffset, b) * inDim + i] * g[b * outDim + o]));
        out[i * outDim + o] = s;
      }
    }
    if (bias) {
      for (let o = 0; o < outDim; ++o) {
        let s = 0;
        for (let b = 0; b < rows; ++b) s = f(s + g[b * outDim + o]);
        out[inDim * outDim + o] = s;
      }
    }
    return {shape: [out.length], out};
  });
  cpu(fusedKernelNames.denseGradInput, (v, a) => {
    const {inDim, outDim, weightOffset: wo, activation, rows} = a;
    const {g, state: p, h} = v;
    const out = new Float32Array(rows * inDim);
    for (let b = 0; b < rows; ++b) {
      for (let i = 0; i < inDim; ++i) {
        let s = 0;
        for (let o = 0; o < outDim; ++o) s = f(s + f(g[b * outDim + o] * p[wo + i * outDim + o]));
        out[b * inDim + i] = f(s * actGrad(activation, h[b * inDim + i]));
      }
    }
    return {shape: [rows, inDim], out};
  });
  cpu(fusedKernelNames.softmaxCrossEntropy, (v, a) => {
    const {classes: C, rows, indexOffset, smoothing} = a;
    const {logits: z, labels, index} = v;
    const out = new Float32Array((rows + 1) * C);
    const on = f(1 - smoothing + smoothing / C),
      off = f(smoothing / C);
    let total = 0;
    for (let b = 0; b < rows; ++b) {
      const y = labels[rowOf(index, indexOffset, b)];
      let m = -Infinity;
      for (let k = 0; k < C; ++k) m = Math.max(m, z[b * C + k]);
      let s = 0;
      for (let k = 0; k < C; ++k) s = f(s + f(Math.exp(z[b * C + k] - m)));
      const lse = f(m + f(Math.log(s)));
      for (let k = 0; k < C; ++k) {
        const q = k === y ? on : off;
        const p = f(Math.exp(z[b * C + k] - lse));
        out[b * C + k] = f(f(p - q) / rows);
        total = f(total + f(q * f(lse - z[b * C + k])));
      }
    }
    out[rows * C] = f(total / rows);
    return {shape: [rows + 1, C], out};
  });
  cpu(fusedKernelNames.gradScale, (v, a) => {
    let s = 0;
    for (let j = 0; j < a.count; ++j) for (const x of v[`g${j}`]) s = f(s + f(x * x));
    const norm = Math.sqrt(s);
    return {shape: [1], out: Float32Array.of(Math.min(1, a.clipNorm / Math.max(norm, 1e-12)))};
  });
  cpu(fusedKernelNames.optimizerUpdate, (v, a) => {
    const {kind, params: n, sizes, lr, momentum, beta1, beta2, epsilon, c1, c2} = a;
    const p = v.state;
    const out = new Float32Array(p.length);
    const scale = v.scale ? v.scale[0] : 1;
    let j = 0,
      start = 0;
    for (let i = 0; i < n; ++i) {
      while (i >= start + sizes[j]) start += sizes[j++];
      const g = f(v[`g${j}`][i - start] * scale);
      const w = p[i];
      if (kind === optimizerCode.sgd) out[i] = f(w - f(lr * g));
      else if (kind === optimizerCode.momentum) {
        const acc = f(f(p[n + i] * momentum) + g);
        out[n + i] = acc;
        out[i] = f(w - f(lr * acc));
      } else {
        const m = f(f(beta1 * p[n + i]) + f((1 - beta1) * g));
        const s = f(f(beta2 * p[2 * n + i]) + f(f((1 - beta2) * g) * g));
        out[n + i] = m;
        out[2 * n + i] = s;
        out[i] = f(w - f(f(lr * f(m / c1)) / f(Math.sqrt(f(s / c2)) + epsilon)));
      }
    }
    return {shape: [p.length], out};
  });
}

registerCpuKernels();

/** Whether the active backend (or `backend`) has the fused kernels. */
export function hasFusedKernels(backend = tf.getBackend()): boolean {
  return Object.values(fusedKernelNames).every((name) => tf.getKernel(name, backend) != null);
}
