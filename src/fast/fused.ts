/**
 * The fused training path: one optimisation step of an MLP as a short, fixed sequence of fused kernels (kernels.ts),
 * for the same result as autodiff plus a tf.Optimizer (the tests hold both to 1e-4 over 100 steps).
 *
 * A step of the reference MLP (2→64→64→3, cross-entropy, Adam) is 11 kernels: three dense layers (the first gathers
 * its batch rows itself), one softmax-cross-entropy kernel that returns the gradient and the loss, five backward
 * kernels, one optimizer update over the flat parameter state and one slice that keeps the loss. The stock path
 * issues 167.
 *
 * Which part is fused depends on the model and the loss:
 * - the "chain" is the run of dense layers from the input (hidden layers, then the embedding and head layers where
 *   nothing but a dense layer follows them); its forward and backward passes are fused;
 * - the "tail" is everything after it: the loss alone, or an L2 normalisation and the head (cosine or linear) and
 *   the loss. Cross-entropy after a linear head has a fused kernel; any other tail is differentiated by TF.js's
 *   autodiff with respect to the chain's output and the tail's own parameters, and the fused backward pass takes it
 *   from there. So every loss in the registry trains on this path.
 * Models it does not cover (GELU, dropout) train on the autodiff path; `fusedPlan` says why.
 */
import * as tf from "../tf.js";
import type {LossInputs, LossSpec} from "../losses/defineLoss.js";
import type {SampleState} from "../losses/state.js";
import {resolveParams} from "../params/schema.js";
import {l2normalize, mlpShapes} from "../models/mlp.js";
import type {Model, ModelConfig} from "../models/mlp.js";
import type {OptimizerSpec, OptimizerState} from "../train/optimizers.js";
import {
  fusedActivations,
  fusedDense,
  fusedDenseGradInput,
  fusedDenseGradParams,
  fusedGradScale,
  fusedOptimizerUpdate,
  fusedSoftmaxCrossEntropy,
  hasFusedKernels,
  optimizerSlots
} from "./kernels.js";
import type {FusedActivation} from "./kernels.js";

/** A dense layer of the fused chain, with its parameters' offsets in the flat state. */
export interface ChainLayer {
  inDim: number;
  outDim: number;
  weightOffset: number;
  biasOffset: number;
  activation: FusedActivation;
}

export interface FusedPlan {
  ok: true;
  chain: ChainLayer[];
  /** What follows the chain: nothing but the loss, or normalisation and head. */
  tail: "loss" | "head";
  /** Cross-entropy's smoothing when the loss runs as the fused kernel; null for an autodiff tail. */
  fusedCrossEntropy: number | null;
  /** Shapes of the parameters after the chain (the head's), in variables order. */
  tailShapes: number[][];
  /** Offset of the first parameter after the chain. */
  tailOffset: number;
  /** Number of parameters. */
  size: number;
  /** Shapes of all parameters in variables order (as mlpShapes). */
  shapes: number[][];
}
export type FusedPlanResult = FusedPlan | {ok: false; reason: string};

/** Whether (and how) a model, loss and optimizer can train on the fused path on the active backend. */
export function fusedPlan(
  config: ModelConfig,
  loss: LossSpec<any>,
  params: Record<string, unknown> | undefined,
  backend = tf.getBackend(),
  options: {extraInputs?: boolean} = {}
): FusedPlanResult {
  if (!hasFusedKernels(backend)) return {ok: false, reason: `the ${backend} backend has no fused kernels`};
  if (!(fusedActivations as readonly string[]).includes(config.activation)) {
    return {
      ok: false,
      reason: `${config.activation} is differentiated from its input, which the fused path does not keep`
    };
  }
  if (config.dropout > 0) return {ok: false, reason: "dropout is not fused"};
  if (loss.needs.includes("embeddings") && !(config.embed > 0)) {
    return {ok: false, reason: "the loss needs embeddings and the model has none"};
  }
  const shapes = mlpShapes(config);
  const widths = [config.inputs, ...config.hidden, ...(config.embed > 0 ? [config.embed] : []), config.classes];
  const layerCount = widths.length - 1;
  const hiddenCount = config.hidden.length;
  // The chain stops before the head when something other than a dense layer comes first.
  const headInTail =
    config.head === "cosine" || (config.embed > 0 && (config.normalize || loss.needs.includes("embeddings")));
  const chainCount = headInTail ? layerCount - 1 : layerCount;
  if (chainCount < 1) return {ok: false, reason: "the model has no dense layer before its cosine head"};
  const chain: ChainLayer[] = [];
  let offset = 0;
  for (let i = 0; i < chainCount; ++i) {
    const inDim = widths[i],
      outDim = widths[i + 1];
    const weightOffset = offset;
    offset += inDim * outDim;
    const hasBias = !(i === layerCount - 1 && config.head === "cosine");
    const biasOffset = hasBias ? offset : -1;
    if (hasBias) offset += outDim;
    chain.push({
      inDim,
      outDim,
      weightOffset,
      biasOffset,
      activation: i < hiddenCount ? (config.activation as FusedActivation) : "linear"
    });
  }
  const tailShapes = shapes.slice(chain.reduce((n, l) => n + (l.biasOffset >= 0 ? 2 : 1), 0));
  const size = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  const fusedCrossEntropy =
    !headInTail && loss.id === "cross-entropy" && !options.extraInputs
      ? (resolveParams(loss.schema, params as never) as {smoothing: number}).smoothing
      : null;
  return {
    ok: true,
    chain,
    tail: headInTail ? "head" : "loss",
    fusedCrossEntropy,
    tailShapes,
    tailOffset: offset,
    size,
    shapes
  };
}

/** What a fused step needs from the trainer: the whole training split on the device and this step's rows. */
export interface FusedBatch {
  x: tf.Tensor2D;
  labels: tf.Tensor1D;
  ids: tf.Tensor1D;
  /** Row indices of the steps in this chunk, [steps · rows]. */
  index: tf.Tensor1D;
  /** Where this step's rows start in `index`. */
  offset: number;
  rows: number;
  /** Per-sample state for losses that keep one. */
  state?: SampleState;
  /** Further loss inputs for this step's rows (class weights, per-sample values), already in batch order. */
  inputs?: Record<string, tf.Tensor>;
  /** This step's loss parameters, where they change from step to step (EnsLoss's draw). */
  params?: Record<string, unknown>;
}

export interface FusedArm {
  readonly plan: FusedPlan;
  /** The flat state [(slots + 1) · size]: parameters, then optimizer slots. */
  readonly state: tf.Tensor1D;
  /** Optimizer steps taken. */
  readonly steps: number;
  /** One optimisation step; returns the batch loss (the caller disposes it). */
  step(batch: FusedBatch): tf.Scalar;
  /** Writes the current parameters into the model's variables (before evaluating the model). */
  syncModel(): void;
  /** The parameters and the optimizer's state, in the stock optimizer's format (checkpoints). */
  read(): Promise<{weights: Float32Array[]; optimizer: OptimizerState}>;
  dispose(): void;
}

const slotNames = {sgd: [], momentum: ["momentum"], adam: ["m", "v"]} as const;

/**
 * The fused path for one model: its parameters move into a flat state tensor, initialised from the model's variables
 * and, when resuming, from a stock optimizer state (as readOptimizerState returns it). The model's variables are
 * written back only on `syncModel`.
 */
export function fusedArm(
  model: Model,
  loss: LossSpec<any>,
  params: Record<string, unknown> | undefined,
  optimizer: OptimizerSpec,
  resume?: OptimizerState,
  options: {extraInputs?: boolean} = {}
): FusedArm {
  const plan = fusedPlan(model.config, loss, params, tf.getBackend(), options);
  if (!plan.ok) throw new Error(`fused: ${plan.reason}`);
  if (!(optimizer.lr > 0 && Number.isFinite(optimizer.lr))) throw new Error(`invalid learning rate: ${optimizer.lr}`);
  const kind = optimizer.type;
  const slots = optimizerSlots[kind];
  if (slots === undefined) throw new Error(`invalid optimizer: ${kind}`);
  const n = plan.size;
  let t = 0;
  let state: tf.Tensor1D;
  {
    const slotValues = new Float32Array(slots * n);
    if (resume && resume.values.length > 1) {
      // Stock layout: [iterations, slot 0 of every variable, slot 1 of every variable]. A stock optimizer creates a
      // variable's slots with the first gradient it applies to it, so a state may cover only the first variables
      // (a head that never got a gradient comes last): the rest stay zero.
      t = resume.values[0][0];
      const perSlot = (resume.values.length - 1) / slots;
      if (!(Number.isInteger(perSlot) && perSlot <= model.variables.length)) {
        throw new Error(`fused: cannot resume from ${resume.values.length} optimizer tensors for ${slots} slots`);
      }
      let k = 1;
      for (let s = 0; s < slots; ++s) {
        let o = s * n;
        for (let v = 0; v < perSlot; ++v) {
          if (resume.values[k].length !== model.variables[v].size) {
            throw new Error(
              `fused: optimizer tensor ${k} has ${resume.values[k].length} values, expected ${model.variables[v].size}`
            );
          }
          slotValues.set(resume.values[k++], o);
          o += model.variables[v].size;
        }
      }
    } else if (resume) t = resume.values[0]?.[0] ?? 0;
    state = tf.tidy(() =>
      tf.concat([...model.variables.map((v) => tf.reshape(v, [-1])), tf.tensor1d(slotValues)])
    ) as tf.Tensor1D;
  }
  const attrs = {
    kind,
    lr: optimizer.lr,
    momentum: optimizer.momentum ?? 0.9,
    beta1: optimizer.beta1 ?? 0.9,
    beta2: optimizer.beta2 ?? 0.999,
    epsilon: optimizer.epsilon ?? 1e-8
  };
  const clipNorm = optimizer.clipNorm ?? 0;
  const tailParams = (s: tf.Tensor1D): tf.Tensor[] => {
    let o = plan.tailOffset;
    return plan.tailShapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const p = tf.reshape(tf.slice(s, o, size), shape);
      o += size;
      return p;
    });
  };
  const c = model.config;
  // Normalisation and head after the chain, as forwardMlp computes them.
  // A loss that reads only the embeddings gets no logits (the head would be work without effect).
  const needsLogits = loss.needs.includes("logits");
  const head = (out: tf.Tensor2D, w: tf.Tensor[]): {logits?: tf.Tensor2D; embeddings?: tf.Tensor2D} => {
    if (plan.tail === "loss") return {logits: out};
    const embeddings = c.embed > 0 ? (c.normalize ? l2normalize(out) : out) : undefined;
    const features = embeddings ?? out;
    if (!needsLogits) return {embeddings};
    const logits =
      c.head === "cosine"
        ? (tf.mul(
            tf.matMul(l2normalize(features), l2normalize(tf.transpose(w[0]) as tf.Tensor2D), false, true),
            c.scale
          ) as tf.Tensor2D)
        : (tf.add(tf.matMul(features, w[0] as tf.Tensor2D), w[1]) as tf.Tensor2D);
    return {logits, embeddings};
  };

  const arm: FusedArm = {
    plan,
    get state() {
      return state;
    },
    get steps() {
      return t;
    },
    step(batch) {
      const next = tf.tidy(() => {
        const {rows} = batch;
        const src = {rows, index: batch.index, indexOffset: batch.offset};
        // Forward through the chain; h[l] is layer l's output (after its activation).
        const h: tf.Tensor2D[] = [];
        plan.chain.forEach((layer, l) => {
          h.push(l === 0 ? fusedDense(batch.x, state, layer, src) : fusedDense(h[l - 1], state, layer, {rows}));
        });
        const out = h[h.length - 1];
        let g: tf.Tensor2D;
        let value: tf.Scalar;
        let tailGrads: tf.Tensor[] = [];
        if (plan.fusedCrossEntropy !== null) {
          g = fusedSoftmaxCrossEntropy(out, batch.labels, plan.fusedCrossEntropy, src);
          value = tf.reshape(tf.slice(g, [rows, 0], [1, 1]), []) as tf.Scalar;
        } else {
          const rowIndex = tf.slice(batch.index, batch.offset, rows);
          const labels = tf.gather(batch.labels, rowIndex) as tf.Tensor1D;
          const ids = loss.needs.includes("ids") ? (tf.gather(batch.ids, rowIndex) as tf.Tensor1D) : undefined;
          const f = (o: tf.Tensor, ...w: tf.Tensor[]): tf.Scalar => {
            const {logits, embeddings} = head(o as tf.Tensor2D, w);
            const inputs: LossInputs = {logits, labels};
            if (ids) inputs.ids = ids;
            if (loss.needs.includes("state")) inputs.state = batch.state;
            if (loss.needs.includes("embeddings")) inputs.embeddings = embeddings;
            if (batch.inputs) Object.assign(inputs, batch.inputs);
            return loss.fn(inputs, (batch.params ?? params) as never);
          };
          // A loss that reads only the embeddings leaves the head untouched: its gradient is zero (as the stock
          // optimizer, which skips it, leaves it), so one block of zeros covers the head's parameters.
          if (needsLogits || plan.tail === "loss") {
            const r = tf.valueAndGrads(f)([out, ...tailParams(state)]);
            value = r.value;
            g = r.grads[0] as tf.Tensor2D;
            tailGrads = r.grads.slice(1);
          } else {
            const r = tf.valueAndGrads((o: tf.Tensor) => f(o))([out]);
            value = r.value;
            g = r.grads[0] as tf.Tensor2D;
            tailGrads = plan.size > plan.tailOffset ? [tf.zeros([plan.size - plan.tailOffset])] : [];
          }
          const lastAct = plan.chain[plan.chain.length - 1].activation;
          if (lastAct === "relu") g = tf.mul(g, tf.step(out)) as tf.Tensor2D;
          else if (lastAct === "tanh") g = tf.mul(g, tf.sub(1, tf.square(out))) as tf.Tensor2D;
        }
        // Backward through the chain.
        const grads: tf.Tensor[] = new Array(plan.chain.length);
        for (let l = plan.chain.length - 1; l >= 0; --l) {
          const layer = plan.chain[l];
          const bias = layer.biasOffset >= 0;
          grads[l] =
            l === 0
              ? fusedDenseGradParams(batch.x, g, {...layer, bias}, src)
              : fusedDenseGradParams(h[l - 1], g, {...layer, bias}, {rows});
          if (l > 0) g = fusedDenseGradInput(g, state, h[l - 1], {...layer, activation: plan.chain[l - 1].activation});
        }
        let all = [...grads, ...tailGrads];
        // A WebGPU shader binds at most 8 storage buffers: the output, the state, the gradients and the clip scale.
        if (all.length > 5) all = [tf.concat(all.map((x) => tf.reshape(x, [-1])))];
        const scale = clipNorm > 0 ? fusedGradScale(all, clipNorm) : undefined;
        const updated = fusedOptimizerUpdate(state, all, {...attrs, t: t + 1}, scale);
        return {updated, value: tf.keep(value)};
      });
      state.dispose();
      // Kept: the trainer calls step() inside its own tidy, which must not release the new state.
      state = tf.keep(next.updated);
      t++;
      return next.value;
    },
    syncModel() {
      tf.tidy(() => {
        let o = 0;
        for (const v of model.variables) {
          v.assign(tf.reshape(tf.slice(state, o, v.size), v.shape));
          o += v.size;
        }
      });
    },
    async read() {
      const values = (await state.data()) as Float32Array;
      const split = (start: number) => {
        let o = start;
        return model.variables.map((v) => {
          const w = values.slice(o, o + v.size);
          o += v.size;
          return w;
        });
      };
      const weights = split(0);
      const names = ["iter"];
      const shapes: number[][] = [[]];
      const out: (Float32Array | Int32Array)[] = [Int32Array.of(t)];
      if (t > 0) {
        slotNames[kind].forEach((slot, s) => {
          split((s + 1) * n).forEach((w, v) => {
            names.push(`${model.variables[v].name}/${slot}`);
            shapes.push(model.variables[v].shape.slice());
            out.push(w);
          });
        });
      }
      return {
        weights,
        optimizer: {names, shapes, dtypes: out.map((_, i) => (i === 0 ? "int32" : "float32")), values: out}
      };
    },
    dispose() {
      state.dispose();
    }
  };
  return arm;
}
