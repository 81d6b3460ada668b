import * as tf from "../tf.js";
import {confirmLost, fallbackFrom, lostDevice} from "../backend/select.js";
import type {Dataset} from "../datasets/dataset.js";
import type {LossInputs, LossSpec} from "../losses/defineLoss.js";
import {sampleState} from "../losses/state.js";
import type {SampleState} from "../losses/state.js";
import {logProbOfLabel} from "../losses/compSum.js";
import {mlp} from "../models/mlp.js";
import type {Model, ModelConfig, ModelOutput} from "../models/mlp.js";
import {hash32, random} from "../random.js";
import type {Random} from "../random.js";
import {samplerFor} from "./batches.js";
import type {SamplerSpec} from "./batches.js";
import type {TrainControl} from "./control.js";
import {createOptimizer, optimizerStep, readOptimizerState, writeOptimizerState} from "./optimizers.js";
import {fusedArm, fusedPlan} from "../fast/fused.js";
import type {FusedArm} from "../fast/fused.js";
import type {OptimizerSpec, OptimizerState} from "./optimizers.js";

/** One configuration trained in a run; a twin run has two (baseline and method). */
export interface ArmSpec {
  /** Stable id, usually the loss id. */
  id: string;
  /** Display name; arms are named by their loss, never "run A/B". */
  label: string;
  loss: LossSpec<any>;
  params?: Record<string, number | string | boolean>;
  role?: "baseline" | "method";
  /**
   * Loss parameters that change from step to step, merged over `params` (EnsLoss draws a new loss each step:
   * `paramsAt: (step) => ({draw: step})`). Evaluation uses the values at the current step.
   */
  paramsAt?: (step: number) => Record<string, number | string | boolean>;
  /**
   * Fixed loss inputs passed with every batch: a vector such as `classWeights` or `classAlpha` [C], or a tensor of any
   * shape given as `{values, shape}` (a [C, C] label-correlation matrix, an episode's support mask).
   */
  constants?: Record<string, Float32Array | {values: Float32Array; shape: number[]}>;
  /**
   * Per-sample loss inputs indexed by sample id (length > every id), gathered for each batch by its ids, e.g. DatasetEquity's
   * `sampleLikelihood`. They are uploaded once per run.
   */
  perSample?: Record<string, Float32Array>;
  /**
   * Further inputs computed for each batch outside the gradient tape (so they are constants), with the model in hand:
   * `tensors` go to the loss as they are; each `logitsOf` entry is a batch of inputs the model is applied to inside the
   * tape, its logits passed under that name (the smooth adversarial comp-sum loss gets `adversarialLogits` of a PGD
   * batch this way). Arms with `extra` train on the autodiff path.
   */
  extra?: (batch: BatchContext) => {tensors?: Record<string, tf.Tensor>; logitsOf?: Record<string, tf.Tensor2D>};
  /**
   * Further networks trained jointly with the arm's model, by name: each is an MLP with this configuration (a label
   * tower, a second modality's encoder, a second architecture), its initial weights drawn from the run's seed and its
   * name, so twin arms start alike. Their variables join the model's in the optimizer; the `tape` hook applies them.
   */
  encoders?: Record<string, Partial<ModelConfig> & {inputs: number}>;
  /**
   * Loss inputs computed on the gradient tape, for each training batch and at every evaluation of the test loss:
   * augmented second views (`otherEmbeddings`), mixed embeddings, the head's class vectors as `prototypes`, a label
   * tower's `labelEmbeddings`. Gradients flow through what it returns; keep masks and mining out of the gradient with
   * `noGradient`. Arms with a tape hook train on the autodiff path.
   */
  tape?: (ctx: TapeContext) => Record<string, tf.Tensor>;
}

/** What an arm's `tape` hook gets (inside the gradient function at training, inside tf.tidy at evaluation). */
export interface TapeContext {
  model: Model;
  /** The arm's further networks (ArmSpec.encoders), by name. */
  encoders: Record<string, Model>;
  /** The model's outputs on the batch: what the loss receives as `logits` and `embeddings`. */
  out: ModelOutput;
  x: tf.Tensor2D;
  labels: tf.Tensor1D;
  ids: tf.Tensor1D;
  /** The batch's rows of the split's `targets` ([B, classes]), when the data has them. */
  targets?: tf.Tensor2D;
  /** The batch's rows of each of the split's `views` ([B, width]). */
  views: Record<string, tf.Tensor2D>;
  /** Which split the batch comes from ("test" when the test loss is evaluated) and its row numbers there. */
  split: "train" | "test";
  rows: Int32Array;
  data: Dataset;
  /** The model applied as it is on this batch (training flag and dropout masks). */
  apply(x: tf.Tensor2D): ModelOutput;
  step: number;
  training: boolean;
  seed: number;
  /**
   * A random stream for this batch (augmentations), keyed by the run's seed, the split and the step: every arm gets the
   * same draws, so twins see the same augmented views.
   */
  rng: Random;
}

/** What an arm's `extra` hook gets for one batch (inside tf.tidy; what it returns is released after the step). */
export interface BatchContext {
  model: Model;
  x: tf.Tensor2D;
  labels: tf.Tensor1D;
  ids: tf.Tensor1D;
  step: number;
  /** False when the batch is the test split at an evaluation. */
  training: boolean;
  seed: number;
}

/** Per-experiment metrics computed at every evaluation, for each arm, beside the built-in ones. */
export interface MetricsHook {
  /** Scalars computed on the backend (inside tf.tidy), e.g. accuracy under a PGD attack. */
  device?: (ctx: DeviceMetricContext) => Record<string, tf.Scalar>;
  /** Numbers computed from the read-back logits: F1, balanced accuracy, ECE, per-group accuracy… */
  host?: (ctx: HostMetricContext) => Record<string, number>;
  /**
   * Further tensors to read back for `host` (inside tf.tidy), by name: a second encoder's test embeddings for
   * cross-modal retrieval, the head's class vectors. They reach `host` as `arrays`.
   */
  arrays?: (ctx: DeviceMetricContext) => Record<string, tf.Tensor>;
}
export interface DeviceMetricContext {
  model: Model;
  /** The arm's further networks (ArmSpec.encoders), by name. */
  encoders: Record<string, Model>;
  arm: ArmSpec;
  index: number;
  testX: tf.Tensor2D;
  testY: tf.Tensor1D;
  testLogits: tf.Tensor2D;
  /** The test split's targets and views, when the data has them. */
  testTargets?: tf.Tensor2D;
  testViews: Record<string, tf.Tensor2D>;
  step: number;
}
export interface HostMetricContext {
  data: Dataset;
  arm: ArmSpec;
  index: number;
  /** Logits of the test split, [test.n, C] row-major. */
  testLogits: Float32Array;
  /** Logits of the probe samples (the first `probeSize` training samples), [probeSize, C]. */
  probeLogits: Float32Array;
  probeSize: number;
  /**
   * Embeddings of the test split and of the probe samples, [n, embed] row-major, when the model has an embedding layer
   * (retrieval metrics: Recall@K, MAP@R, TAR@FAR, uniformity).
   */
  testEmbeddings?: Float32Array;
  probeEmbeddings?: Float32Array;
  /** What the `arrays` hook asked for, read back. */
  arrays?: Record<string, Float32Array>;
  /** The arm's per-sample training state (ALDR-KL's λ), indexed by sample id, when its loss keeps one. */
  state?: Float32Array;
  step: number;
}

/** A square grid over the input plane: cell (i, j) has centre x0 + (i + ½)(x1 − x0)/nx, y1 − (j + ½)(y1 − y0)/ny (row 0 on top). */
export interface GridSpec {
  nx: number;
  ny: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface ViewOptions {
  /** Resolution of the decision-region grid (2-D inputs only); 0 for none. */
  grid?: number;
  /** Number of training samples evaluated for train accuracy and embeddings (the probe batch). */
  probe?: number;
  /** Copy every arm's weights at each evaluation (for loss landscapes and trajectories). */
  weights?: boolean;
  /** Read back the test and probe logits at each evaluation (ArmEvent.view.testLogits, probeLogits). */
  logits?: boolean;
  /** Read back each arm's per-sample loss state at each evaluation (ArmEvent.view.state). */
  state?: boolean;
  /** Read back the test split's embeddings at each evaluation (ArmEvent.view.testEmbeddings). */
  testEmbeddings?: boolean;
}

export interface TrainOptions {
  data: Dataset;
  /** Model configuration; inputs and classes come from the data. */
  model?: Partial<ModelConfig>;
  arms: readonly ArmSpec[];
  optimizer: OptimizerSpec;
  batchSize: number;
  /**
   * How training batches are drawn: shuffled epochs of `batchSize` (default), class-balanced P × K batches, or few-shot
   * episodes (src/train/batches.ts). The last two set the batch size themselves.
   */
  sampler?: SamplerSpec;
  /**
   * Evaluate the loss on the test split (default true). Turn it off for losses whose inputs only fit training batches
   * (an episode's support mask); `testLoss` is then NaN.
   */
  testLoss?: boolean;
  /** Seeds initial weights (shared by all arms), batch order and dropout masks. */
  seed: number;
  /** Stop after this many steps (default: never). */
  steps?: number;
  /** Steps per yielded event when there is no control (with one, its speed decides). */
  stepsPerYield?: number;
  /** Steps between evaluations (metrics and views). */
  evalEvery?: number;
  view?: ViewOptions;
  /** Metrics of this experiment beyond the built-in accuracies and losses (recorded in the history too). */
  metrics?: MetricsHook;
  /** A finite loss above this is treated as divergence. */
  maxLoss?: number;
  /** Play / pause / step / reset / speed (live pages); without one the run goes straight through. */
  control?: TrainControl;
  signal?: AbortSignal;
  /** Framework's invalidation promise: the run stops when it resolves. */
  invalidation?: PromiseLike<unknown>;
  /**
   * The fused training path (src/fast/): "auto" (default) uses it on webgpu for every arm it covers; true also on
   * cpu (its reference kernels); false never. Arms it does not cover train on the autodiff path (ArmEvent.path).
   */
  fast?: boolean | "auto";
  /**
   * Live runs (with a control) give the page back after this many milliseconds of synchronous work within a chunk
   * of steps, so that no task blocks the main thread for long (default 25 ms; wasm and cpu compute synchronously).
   */
  frameBudgetMs?: number;
}

export type RunStatus = "ready" | "running" | "paused" | "diverged" | "done";

/** What one arm looks like at an event. Metrics and views come from the latest evaluation. */
export interface ArmEvent {
  id: string;
  label: string;
  role: "baseline" | "method";
  /** How the arm trains: fused kernels, or autodiff and a tf.Optimizer (pathNote says why, where fused was asked). */
  path: "fused" | "autodiff";
  pathNote?: string;
  /** Training-batch loss at the last step. */
  loss: number;
  /** trainAccuracy, cleanTrainAccuracy, testAccuracy, testLoss, testNll and (with label noise) memorized. */
  metrics: Record<string, number>;
  view: {
    /** Softmax over the grid, [ny · nx, C] row-major. */
    probs?: Float32Array;
    /** Top-1 minus top-2 logit over the grid, [ny · nx]. */
    margin?: Float32Array;
    /** Embeddings of the probe samples, [probe, D]. */
    embeddings?: Float32Array;
    /** Predicted class of each probe sample. */
    probePredictions?: Int32Array;
    /** The model's weights in its variables' order (with view.weights: true). */
    weights?: Float32Array[];
    /** Test-split logits [test.n, C] and probe logits [probe, C] (with view.logits: true). */
    testLogits?: Float32Array;
    probeLogits?: Float32Array;
    /** The arm's per-sample training state by sample id (with view.state: true, for losses that keep one). */
    state?: Float32Array;
    /** Embeddings of the test split, [test.n, embed] (with view.testEmbeddings: true). */
    testEmbeddings?: Float32Array;
  };
}

/** Everything recorded so far; arrays grow in place (the same object is passed with every event). */
export interface History {
  /** Steps at which `loss` was recorded (every step). */
  step: number[];
  /** Training-batch loss per arm, aligned with `step`. */
  loss: number[][];
  /** Steps at which the metrics were evaluated. */
  evalStep: number[];
  /** Metric name → per arm → values aligned with `evalStep` (NaN where an arm had no value). */
  metrics: Record<string, number[][]>;
}

/** A plain-data event: numbers and typed arrays only, never tensors. */
export interface TrainEvent {
  step: number;
  status: RunStatus;
  backend: string;
  stepsPerSecond: number;
  /** Whether metrics and views were computed at this step. */
  evaluated: boolean;
  arms: ArmEvent[];
  history: History;
  data: Dataset;
  grid?: GridSpec;
  /** Indices (into the training split) of the probe samples. */
  probe: Int32Array;
  /** Why the run stopped (divergence). */
  message?: string;
  /** Something the visitor should know (a backend fallback). */
  notice?: string;
}

export interface TrainSummary {
  steps: number;
  status: RunStatus;
  arms: {id: string; loss: number; metrics: Record<string, number>}[];
}

const metricNames = [
  "trainAccuracy",
  "cleanTrainAccuracy",
  "testAccuracy",
  "testLoss",
  "testNll",
  "memorized"
] as const;

/** The grid over the data's bounding box, padded by 10 % and squared up. */
export function gridFor(data: Dataset, resolution: number): GridSpec {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const split of [data.train, data.test]) {
    for (let i = 0; i < split.n; ++i) {
      const x = split.x[2 * i],
        y = split.x[2 * i + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const cx = (x0 + x1) / 2,
    cy = (y0 + y1) / 2;
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.1 || 1;
  return {nx: resolution, ny: resolution, x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half};
}

/** Cell centres of a grid, row-major from the top row, as [ny · nx, 2]. */
export function gridPoints(g: GridSpec): Float32Array {
  const out = new Float32Array(g.nx * g.ny * 2);
  for (let j = 0; j < g.ny; ++j) {
    for (let i = 0; i < g.nx; ++i) {
      const k = j * g.nx + i;
      out[2 * k] = g.x0 + ((i + 0.5) * (g.x1 - g.x0)) / g.nx;
      out[2 * k + 1] = g.y1 - ((j + 0.5) * (g.y1 - g.y0)) / g.ny;
    }
  }
  return out;
}

interface ArmState {
  model: Model;
  optimizer: tf.Optimizer;
  /** The fused path's state, when the arm trains on it (the optimizer above is then unused). */
  fused?: FusedArm;
  pathNote?: string;
  /** Per-sample state for losses that keep one (ALDR-KL's λ): one for training, one for evaluation. */
  state?: SampleState;
  evalState?: SampleState;
  /** The arm's fixed inputs and per-sample inputs (by id), uploaded once. */
  constants: Record<string, tf.Tensor>;
  perSample: Record<string, tf.Tensor1D>;
  /** Further networks trained with the model (ArmSpec.encoders). */
  encoders: Record<string, Model>;
  /** The model's variables followed by the encoders', the optimizer's list. */
  variables: tf.Variable[];
}
interface Session {
  trainX: tf.Tensor2D;
  trainY: tf.Tensor1D;
  trainIds: tf.Tensor1D;
  testX: tf.Tensor2D;
  testY: tf.Tensor1D;
  testIds: tf.Tensor1D;
  probeX: tf.Tensor2D;
  probeY: tf.Tensor1D;
  probeIds: tf.Tensor1D;
  trainTargets?: tf.Tensor2D;
  testTargets?: tf.Tensor2D;
  trainViews: Record<string, tf.Tensor2D>;
  testViews: Record<string, tf.Tensor2D>;
  gridX?: tf.Tensor2D;
  arms: ArmState[];
  dispose(): void;
}
interface Checkpoint {
  step: number;
  arms: {weights: Float32Array[]; optimizer: OptimizerState}[];
}

function checkOptions(o: TrainOptions): void {
  if (!o.arms.length) throw new Error("train: at least one arm is needed");
  const ids = new Set(o.arms.map((a) => a.id));
  if (ids.size !== o.arms.length) throw new Error(`train: arm ids must be unique, got ${o.arms.map((a) => a.id)}`);
  for (const split of [o.data.train, o.data.test]) {
    for (let i = 0; i < split.n; ++i) {
      if (!(split.y[i] >= 0 && split.y[i] < o.data.classes)) {
        throw new Error(`train: label ${split.y[i]} of sample ${split.ids[i]} is out of range [0, ${o.data.classes})`);
      }
    }
  }
  if (o.data.train.n < 1) throw new Error("train: the training split is empty");
  const evalEvery = o.evalEvery ?? 10;
  if (!(Number.isInteger(evalEvery) && evalEvery >= 1)) throw new Error(`train: invalid evalEvery: ${evalEvery}`);
  for (const [name, split] of [
    ["train", o.data.train],
    ["test", o.data.test]
  ] as const) {
    if (split.targets && split.targets.length !== split.n * o.data.classes) {
      throw new Error(
        `train: the ${name} split's targets have ${split.targets.length} values, expected ${split.n} × ${o.data.classes}`
      );
    }
    for (const [view, values] of Object.entries(split.views ?? {})) {
      const width = split.n ? values.length / split.n : 0;
      const other = (name === "train" ? o.data.test : o.data.train).views?.[view];
      if (!Number.isInteger(width) || !other) {
        throw new Error(`train: view ${view} must be [n, width] row-major in both splits`);
      }
    }
  }
  const maxId = [o.data.train.ids, o.data.test.ids].reduce((m, ids) => ids.reduce((a, b) => Math.max(a, b), m), 0);
  for (const arm of o.arms) {
    const own = [...Object.keys(arm.constants ?? {}), ...Object.keys(arm.perSample ?? {})];
    const given = o.data.train.targets ? [...provided, "targets"] : provided;
    const missing = arm.loss.needs.filter((name) => !given.includes(name) && !own.includes(name));
    if (missing.length && !arm.extra && !arm.tape) {
      throw new Error(
        `train: the loss ${arm.loss.id} needs ${missing.join(", ")}, which train() does not provide ` +
          `(it provides ${provided.join(", ")}); pass it as the arm's constants, perSample, extra or tape`
      );
    }
    for (const [name, values] of Object.entries(arm.perSample ?? {})) {
      if (!(values instanceof Float32Array) || values.length <= maxId) {
        throw new Error(
          `train: ${arm.id}'s perSample.${name} must be a Float32Array indexed by sample id (length > ${maxId})`
        );
      }
    }
  }
}

/** Whether an arm passes its loss anything beyond the model's outputs, labels, ids and state. */
function hasExtraInputs(arm: ArmSpec): boolean {
  return !!(arm.constants || arm.perSample || arm.paramsAt || arm.extra);
}

/** Why an arm must train on the autodiff path whatever the backend, if it must. */
function autodiffOnly(arm: ArmSpec): string | undefined {
  if (arm.extra) return "the arm computes inputs of its loss with the model (extra), which the fused path does not";
  if (arm.tape) return "the arm computes inputs of its loss on the gradient tape (tape), which the fused path does not";
  if (arm.encoders) return "the arm trains further encoders, which the fused path does not";
  if (arm.loss.needs.includes("targets")) return "the loss reads target vectors, which the fused path does not";
  return undefined;
}

/** A constant input as a tensor: vectors as given, `{values, shape}` in its shape. */
function constantTensor(v: Float32Array | {values: Float32Array; shape: number[]}): tf.Tensor {
  return v instanceof Float32Array ? tf.tensor1d(v) : tf.tensor(v.values, v.shape);
}

/** An arm's weights: the model's, then each encoder's (in name order of ArmSpec.encoders). */
async function readArm(a: ArmState): Promise<Float32Array[]> {
  const parts = await Promise.all([a.model, ...Object.values(a.encoders)].map((m) => m.read()));
  return parts.flat();
}
function writeArm(a: ArmState, weights: readonly Float32Array[]): void {
  let k = 0;
  for (const m of [a.model, ...Object.values(a.encoders)]) {
    m.write(weights.slice(k, k + m.variables.length));
    k += m.variables.length;
  }
}

/** An arm's loss parameters at a step. */
function paramsAt(arm: ArmSpec, step: number): Record<string, number | string | boolean> | undefined {
  return arm.paramsAt ? {...arm.params, ...arm.paramsAt(step)} : arm.params;
}

/** The inputs train() passes to a loss: the model's outputs, the batch's labels and ids, and per-sample state. */
const provided = ["logits", "labels", "ids", "embeddings", "state"];

/** The loss inputs of an arm's own: its constants, and its per-sample values gathered by the batch's ids. */
function armInputs(arm: ArmState, ids: tf.Tensor1D): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {...arm.constants};
  for (const [name, values] of Object.entries(arm.perSample)) out[name] = tf.gather(values, ids);
  return out;
}

function inputsFor(
  needs: readonly string[],
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  ids: tf.Tensor1D,
  embeddings?: tf.Tensor2D,
  state?: SampleState
): LossInputs {
  const inputs: LossInputs = {logits, labels};
  if (needs.includes("ids")) inputs.ids = ids;
  if (needs.includes("state")) inputs.state = state;
  if (needs.includes("embeddings")) {
    if (!embeddings) throw new Error("train: this loss needs embeddings; configure the model with embed > 0");
    inputs.embeddings = embeddings;
  }
  return inputs;
}

/**
 * Trains one or more arms in lock-step — same data, initial weights, batch order and dropout masks, so
 * that differences between arms are the losses' alone — and yields a plain-data event per chunk of
 * steps. Every step runs inside tf.tidy; the GPU is read only at yields (losses) and evaluations
 * (metrics, views). A non-finite or exploding loss stops the run with status "diverged" and an
 * explanation; a lost WebGPU device moves the run to the next backend from its last checkpoint.
 * Cancel with `return()` (Framework invalidation), `signal` or `invalidation`; all tensors are released.
 */
export async function* train(o: TrainOptions): AsyncGenerator<TrainEvent, TrainSummary, void> {
  checkOptions(o);
  const {data, arms: specs, control} = o;
  const steps = o.steps ?? Infinity;
  const evalEvery = o.evalEvery ?? 10;
  const maxLoss = o.maxLoss ?? 1e6;
  const budget = o.frameBudgetMs ?? 25;
  const modelConfig: Partial<ModelConfig> = {...o.model, inputs: data.inputs, classes: data.classes};
  const batches = samplerFor(o.sampler, data.train.y, o.batchSize, o.seed);
  const testRows = Int32Array.from({length: data.test.n}, (_, i) => i);
  const probeSize = Math.min(data.train.n, o.view?.probe ?? 1000);
  const probe = Int32Array.from({length: probeSize}, (_, i) => i);
  const grid = o.view?.grid && data.inputs === 2 ? gridFor(data, o.view.grid) : undefined;
  const gridXY = grid ? gridPoints(grid) : undefined;
  const roles = specs.map((a, i) => a.role ?? (i === 0 && specs.length > 1 ? "baseline" : "method"));

  const abort = new AbortController();
  const onAbort = () => abort.abort();
  o.signal?.addEventListener("abort", onAbort, {once: true});
  if (o.signal?.aborted) abort.abort();
  o.invalidation?.then(onAbort, onAbort);

  const viewTensors = (split: Dataset["train"]): Record<string, tf.Tensor2D> =>
    Object.fromEntries(
      Object.entries(split.views ?? {}).map(([name, values]) => [
        name,
        tf.tensor2d(values, [split.n, values.length / split.n])
      ])
    );
  const wantsTargets = (spec: ArmSpec) => spec.loss.needs.includes("targets") || !!spec.tape;

  const build = async (checkpoint?: Checkpoint): Promise<Session> => {
    const t = data.train,
      v = data.test;
    const s = tf.tidy(() => ({
      trainX: tf.tensor2d(t.x, [t.n, data.inputs]),
      trainY: tf.tensor1d(t.y, "int32"),
      trainIds: tf.tensor1d(t.ids, "int32"),
      testX: tf.tensor2d(v.x, [v.n, data.inputs]),
      testY: tf.tensor1d(v.y, "int32"),
      testIds: tf.tensor1d(v.ids, "int32"),
      probeX: tf.tensor2d(t.x.subarray(0, probeSize * data.inputs), [probeSize, data.inputs]),
      probeY: tf.tensor1d(t.y.subarray(0, probeSize), "int32"),
      probeIds: tf.tensor1d(t.ids.subarray(0, probeSize), "int32"),
      trainTargets: t.targets ? tf.tensor2d(t.targets, [t.n, data.classes]) : undefined,
      testTargets: v.targets ? tf.tensor2d(v.targets, [v.n, data.classes]) : undefined,
      trainViews: viewTensors(t),
      testViews: viewTensors(v),
      gridX: gridXY ? tf.tensor2d(gridXY, [gridXY.length / 2, 2]) : undefined
    }));
    // Losses with per-sample state get one entry per sample id (train and test ids share one range).
    const stateSize = [t.ids, v.ids].reduce((m, ids) => ids.reduce((a, b) => Math.max(a, b), m), 0) + 1;
    const armStates: ArmState[] = specs.map((spec) => {
      const model = mlp({...modelConfig, seed: o.seed});
      const encoders = Object.fromEntries(
        Object.entries(spec.encoders ?? {}).map(([name, c]) => [name, mlp({...c, seed: hash32(`${o.seed}/${name}`)})])
      );
      const variables = [model, ...Object.values(encoders)].flatMap((m) => [...m.variables]);
      return {
        model,
        encoders,
        variables,
        optimizer: createOptimizer(o.optimizer),
        ...(spec.loss.needs.includes("state")
          ? {state: sampleState({size: stateSize}), evalState: sampleState({size: stateSize})}
          : {}),
        constants: Object.fromEntries(Object.entries(spec.constants ?? {}).map(([k, v]) => [k, constantTensor(v)])),
        perSample: Object.fromEntries(Object.entries(spec.perSample ?? {}).map(([k, v]) => [k, tf.tensor1d(v)]))
      };
    });
    const fast = o.fast ?? "auto";
    const fusedWanted = fast === true || (fast === "auto" && tf.getBackend() === "webgpu");
    for (let i = 0; i < armStates.length; ++i) {
      const a = armStates[i];
      if (checkpoint) writeArm(a, checkpoint.arms[i].weights);
      const extraInputs = hasExtraInputs(specs[i]);
      const only = autodiffOnly(specs[i]);
      const plan = !fusedWanted
        ? undefined
        : only
          ? ({ok: false, reason: only} as const)
          : fusedPlan(a.model.config, specs[i].loss, specs[i].params, tf.getBackend(), {extraInputs});
      if (plan?.ok) {
        // The fused state takes the weights from the model and the moments from the checkpoint.
        a.fused = fusedArm(a.model, specs[i].loss, specs[i].params, o.optimizer, checkpoint?.arms[i].optimizer, {
          extraInputs
        });
      } else {
        if (plan) a.pathNote = `autodiff: ${plan.reason}`;
        if (checkpoint) await writeOptimizerState(a.optimizer, checkpoint.arms[i].optimizer);
      }
    }
    return {
      ...s,
      arms: armStates,
      dispose() {
        const tensors = [
          s.trainX,
          s.trainY,
          s.trainIds,
          s.testX,
          s.testY,
          s.testIds,
          s.probeX,
          s.probeY,
          s.probeIds,
          s.trainTargets,
          s.testTargets,
          ...Object.values(s.trainViews),
          ...Object.values(s.testViews),
          s.gridX
        ];
        for (const x of tensors) x?.dispose();
        for (const a of armStates) {
          a.model.dispose();
          for (const m of Object.values(a.encoders)) m.dispose();
          a.optimizer.dispose();
          a.fused?.dispose();
          a.state?.dispose();
          a.evalState?.dispose();
          for (const t of [...Object.values(a.constants), ...Object.values(a.perSample)]) t.dispose();
        }
      }
    };
  };

  const emptyHistory = (): History => ({
    step: [],
    loss: specs.map(() => []),
    evalStep: [],
    metrics: Object.fromEntries(metricNames.map((m) => [m, specs.map(() => [] as number[])]))
  });

  let session = await build();
  let history = emptyHistory();
  let step = 0;
  let status: RunStatus = "ready";
  let checkpoint: Checkpoint | undefined;
  let notice: string | undefined;
  let message: string | undefined;
  let rate = 0;
  let clock = now();
  let lastLoss = specs.map(() => NaN);
  let armEvents: ArmEvent[] = specs.map((a, i) => ({
    id: a.id,
    label: a.label,
    role: roles[i],
    path: "autodiff",
    loss: NaN,
    metrics: {},
    view: {}
  }));

  // One step of every arm. Fused arms read their rows from `chunk` (the batch indices of the whole chunk, uploaded
  // once) at row offset k · batch size; autodiff arms gather their batch as before.
  const trainStep = (chunk: tf.Tensor1D | undefined, k: number): tf.Scalar[] =>
    tf.tidy(() => {
      const stock = session.arms.some((a) => !a.fused);
      const rows = batches.at(step);
      const index = stock ? tf.tensor1d(rows, "int32") : undefined;
      const xb = index && (tf.gather(session.trainX, index) as tf.Tensor2D);
      const yb = index && (tf.gather(session.trainY, index) as tf.Tensor1D);
      const idb = index && (tf.gather(session.trainIds, index) as tf.Tensor1D);
      const targeted = index && session.trainTargets && specs.some(wantsTargets);
      const tb = targeted ? (tf.gather(session.trainTargets!, index!) as tf.Tensor2D) : undefined;
      const taped = index && specs.some((a) => a.tape);
      const vb = taped
        ? Object.fromEntries(
            Object.entries(session.trainViews).map(([k, v]) => [k, tf.gather(v, index!) as tf.Tensor2D])
          )
        : {};
      return specs.map((spec, i) => {
        const arm = session.arms[i];
        const {model, optimizer, state, fused} = arm;
        const params = paramsAt(spec, step);
        if (fused) {
          let inputs: Record<string, tf.Tensor> | undefined;
          if (spec.constants || spec.perSample) {
            const rowIds = tf.gather(session.trainIds, tf.slice(chunk!, k * batches.size, batches.size)) as tf.Tensor1D;
            inputs = armInputs(arm, rowIds);
          }
          return fused.step({
            x: session.trainX,
            labels: session.trainY,
            ids: session.trainIds,
            index: chunk!,
            offset: k * batches.size,
            rows: batches.size,
            state,
            inputs,
            params: spec.paramsAt ? params : undefined
          });
        }
        // Each arm gets its own stream with the same seed, hence the same dropout masks.
        const rng = model.config.dropout > 0 ? random(o.seed).fork("dropout").fork(step) : undefined;
        const own = armInputs(arm, idb!);
        const extra = spec.extra?.({model, x: xb!, labels: yb!, ids: idb!, step, training: true, seed: o.seed});
        return optimizerStep(
          optimizer,
          () => {
            const out = model.apply(xb!, {training: true, rng});
            const inputs = inputsFor(spec.loss.needs, out.logits, yb!, idb!, out.embeddings, state);
            if (tb && spec.loss.needs.includes("targets")) inputs.targets = tb;
            Object.assign(inputs, own, extra?.tensors);
            for (const [name, x] of Object.entries(extra?.logitsOf ?? {})) {
              inputs[name] = model.apply(x, {training: true, rng}).logits;
            }
            if (spec.tape) {
              Object.assign(
                inputs,
                spec.tape({
                  model,
                  encoders: arm.encoders,
                  out,
                  x: xb!,
                  labels: yb!,
                  ids: idb!,
                  targets: tb,
                  views: vb,
                  split: "train",
                  rows,
                  data,
                  apply: (x) => model.apply(x, {training: true, rng}),
                  step,
                  training: true,
                  seed: o.seed,
                  rng: random(o.seed).fork("tape").fork(step)
                })
              );
            }
            return spec.loss.fn(inputs, params);
          },
          arm.variables,
          o.optimizer.clipNorm
        );
      });
    });

  // The loss of arm i on the whole test split (call inside tf.tidy).
  const evaluateLoss = (i: number, test: ModelOutput): tf.Scalar => {
    const spec = specs[i];
    const arm = session.arms[i];
    const {model, evalState} = arm;
    // Evaluation reads and writes its own state, so that it never changes training.
    const lossInputs = inputsFor(
      spec.loss.needs,
      test.logits,
      session.testY,
      session.testIds,
      test.embeddings,
      evalState
    );
    if (session.testTargets && spec.loss.needs.includes("targets")) lossInputs.targets = session.testTargets;
    const extra = spec.extra?.({
      model,
      x: session.testX,
      labels: session.testY,
      ids: session.testIds,
      step,
      training: false,
      seed: o.seed
    });
    Object.assign(lossInputs, armInputs(arm, session.testIds), extra?.tensors);
    for (const [name, x] of Object.entries(extra?.logitsOf ?? {})) lossInputs[name] = model.apply(x).logits;
    if (spec.tape) {
      Object.assign(
        lossInputs,
        spec.tape({
          model,
          encoders: arm.encoders,
          out: test,
          x: session.testX,
          labels: session.testY,
          ids: session.testIds,
          targets: session.testTargets,
          views: session.testViews,
          split: "test",
          rows: testRows,
          data,
          apply: (x) => model.apply(x),
          step,
          training: false,
          seed: o.seed,
          rng: random(o.seed).fork("tape-test").fork(step)
        })
      );
    }
    return spec.loss.fn(lossInputs, paramsAt(spec, step));
  };

  // The tensors one evaluation reads for arm i (call inside tf.tidy).
  const evaluateArm = (i: number) => {
    const spec = specs[i];
    const arm = session.arms[i];
    const {model, evalState} = arm;
    const test = model.apply(session.testX);
    const trainProbe = model.apply(session.probeX);
    const testLoss = o.testLoss === false ? tf.scalar(NaN) : evaluateLoss(i, test);
    const testNll = tf.neg(tf.mean(logProbOfLabel(test.logits, session.testY)));
    const metricContext: DeviceMetricContext = {
      model,
      encoders: arm.encoders,
      arm: spec,
      index: i,
      testX: session.testX,
      testY: session.testY,
      testLogits: test.logits,
      testTargets: session.testTargets,
      testViews: session.testViews,
      step
    };
    const device = o.metrics?.device?.(metricContext);
    const arrays = o.metrics?.arrays?.(metricContext) ?? {};
    const deviceNames = Object.keys(device ?? {});
    const wantLogits = !!(o.view?.logits || o.metrics?.host);
    const wantTestEmbeddings = !!(o.view?.testEmbeddings || o.metrics?.host);
    const gridOut = session.gridX ? model.apply(session.gridX) : undefined;
    const top = gridOut ? tf.topk(gridOut.logits, Math.min(2, data.classes)) : undefined;
    return {
      deviceNames,
      scalars: tf.stack([testLoss, testNll, ...deviceNames.map((n) => device![n])]),
      testLogits: wantLogits ? test.logits : undefined,
      probeLogits: wantLogits ? trainProbe.logits : undefined,
      testPred: tf.argMax(test.logits, 1),
      probePred: tf.argMax(trainProbe.logits, 1),
      probs: gridOut ? tf.softmax(gridOut.logits) : undefined,
      margin:
        top && data.classes > 1
          ? tf.squeeze(tf.sub(tf.slice(top.values, [0, 0], [-1, 1]), tf.slice(top.values, [0, 1], [-1, 1])), [1])
          : undefined,
      embeddings: trainProbe.embeddings,
      testEmbeddings: wantTestEmbeddings ? test.embeddings : undefined,
      arrays
    };
  };

  const evaluate = async (): Promise<void> => {
    for (const a of session.arms) a.fused?.syncModel();
    // One arm at a time, giving the page back in between on live runs (wasm and cpu evaluate synchronously).
    const outputs: ReturnType<typeof evaluateArm>[] = [];
    try {
      for (let i = 0; i < specs.length; ++i) {
        if (control && i > 0) await nextTask();
        outputs.push(tf.tidy(() => evaluateArm(i)));
      }
      const read = await Promise.all(
        outputs.map(async (out, i) => ({
          scalars: (await out.scalars.data()) as Float32Array,
          testLogits: out.testLogits ? ((await out.testLogits.data()) as Float32Array) : undefined,
          probeLogits: out.probeLogits ? ((await out.probeLogits.data()) as Float32Array) : undefined,
          state:
            session.arms[i].state && (o.view?.state || o.metrics?.host)
              ? await session.arms[i].state!.read()
              : undefined,
          testPred: (await out.testPred.data()) as Int32Array,
          probePred: (await out.probePred.data()) as Int32Array,
          probs: out.probs ? ((await out.probs.data()) as Float32Array) : undefined,
          margin: out.margin ? ((await out.margin.data()) as Float32Array) : undefined,
          embeddings: out.embeddings ? ((await out.embeddings.data()) as Float32Array) : undefined,
          testEmbeddings: out.testEmbeddings ? ((await out.testEmbeddings.data()) as Float32Array) : undefined,
          arrays: Object.fromEntries(
            await Promise.all(
              Object.entries(out.arrays).map(async ([k, t]) => [k, (await t.data()) as Float32Array] as const)
            )
          )
        }))
      );
      const weights = o.view?.weights ? await Promise.all(session.arms.map((a) => a.model.read())) : undefined;
      history.evalStep.push(step);
      armEvents = armEvents.map((arm, i) => {
        const r = read[i];
        const metrics = accuracyMetrics(data, r.testPred, r.probePred, probeSize);
        metrics.testLoss = r.scalars[0];
        metrics.testNll = r.scalars[1];
        outputs[i].deviceNames.forEach((name, k) => (metrics[name] = r.scalars[2 + k]));
        if (o.metrics?.host) {
          Object.assign(
            metrics,
            o.metrics.host({
              data,
              arm: specs[i],
              index: i,
              testLogits: r.testLogits!,
              probeLogits: r.probeLogits!,
              probeSize,
              testEmbeddings: r.testEmbeddings,
              probeEmbeddings: r.embeddings,
              arrays: r.arrays,
              state: r.state,
              step
            })
          );
        }
        return {
          ...arm,
          metrics,
          view: {
            probs: r.probs,
            margin: r.margin,
            embeddings: r.embeddings,
            probePredictions: r.probePred,
            ...(weights ? {weights: weights[i]} : {}),
            ...(o.view?.logits ? {testLogits: r.testLogits, probeLogits: r.probeLogits} : {}),
            ...(o.view?.state && r.state ? {state: r.state} : {}),
            ...(o.view?.testEmbeddings && r.testEmbeddings ? {testEmbeddings: r.testEmbeddings} : {})
          }
        };
      });
      recordMetrics(history, armEvents);
    } finally {
      for (const out of outputs) {
        for (const t of [...Object.values(out), ...Object.values(out.arrays)]) if (t instanceof tf.Tensor) t.dispose();
      }
    }
    // Keep a CPU copy of the state where the device can be lost, so the run can move elsewhere.
    if (tf.getBackend() === "webgpu") {
      checkpoint = {
        step,
        arms: await Promise.all(
          session.arms.map(async (a) =>
            a.fused ? a.fused.read() : {weights: await readArm(a), optimizer: await readOptimizerState(a.optimizer)}
          )
        )
      };
    }
  };

  const event = (evaluated: boolean): TrainEvent => {
    const t = now();
    const e: TrainEvent = {
      step,
      status,
      backend: tf.getBackend(),
      stepsPerSecond: rate,
      evaluated,
      arms: armEvents.map((a, i) => ({
        ...a,
        path: session.arms[i].fused ? "fused" : "autodiff",
        ...(session.arms[i].pathNote ? {pathNote: session.arms[i].pathNote} : {}),
        loss: lastLoss[i]
      })),
      history,
      data,
      grid,
      probe,
      message,
      notice
    };
    clock = t;
    notice = undefined;
    return e;
  };

  const recover = async (lost: {backend: string; reason: string}) => {
    const from = step;
    try {
      session.dispose();
    } catch {
      // Releasing buffers of a lost device may throw; they are gone with the device anyway.
    }
    const info = await fallbackFrom(lost.backend as "webgpu");
    session = await build(checkpoint);
    step = checkpoint?.step ?? 0;
    truncate(history, step);
    notice =
      `The ${lost.backend} device was lost at step ${from} (${lost.reason}). ` +
      `The run continues on ${info.name} from step ${step}.`;
  };

  try {
    await evaluate();
    yield event(true);
    while (!abort.signal.aborted) {
      if (control?.takeReset()) {
        session.dispose();
        session = await build();
        history = emptyHistory();
        step = 0;
        status = "ready";
        message = undefined;
        lastLoss = specs.map(() => NaN);
        await evaluate();
        yield event(true);
        continue;
      }
      const lost = lostDevice();
      if (lost) await recover(lost);
      if (status === "diverged" || status === "done") {
        if (!control) break;
        await control.changed(abort.signal);
        continue;
      }
      let todo: number;
      const single = control !== undefined && !control.running;
      if (!control) todo = o.stepsPerYield ?? 1;
      else if (control.running) todo = control.speed;
      else {
        todo = control.takeSteps();
        if (todo === 0) {
          if (status !== "paused") {
            status = "paused";
            rate = 0;
            yield event(false);
            continue; // look at the control again: it may have changed while the consumer held the event
          }
          await control.changed(abort.signal);
          clock = now();
          continue;
        }
      }
      todo = Math.min(todo, steps - step);
      const costs: tf.Scalar[] = [];
      const start = step;
      let values: Float32Array;
      let chunk: tf.Tensor1D | undefined;
      try {
        if (session.arms.some((a) => a.fused)) {
          const rows = new Int32Array(todo * batches.size);
          for (let k = 0; k < todo; ++k) rows.set(batches.at(step + k), k * batches.size);
          chunk = tf.tensor1d(rows, "int32");
        }
        let slice = now();
        for (let k = 0; k < todo; ++k) {
          costs.push(...trainStep(chunk, k));
          step++;
          if (control && k + 1 < todo && now() - slice > budget) {
            await nextTask();
            slice = now();
          }
        }
        const stacked = tf.stack(costs);
        try {
          values = (await stacked.data()) as Float32Array;
        } finally {
          stacked.dispose();
        }
      } catch (error) {
        // A GPU device lost mid-chunk shows up as a failed operation or readback: move the run.
        const gone = await confirmLost();
        if (!gone) throw error;
        step = start;
        await recover(gone);
        continue;
      } finally {
        for (const c of costs) c.dispose();
        chunk?.dispose();
      }
      let diverged = -1;
      for (let k = 0; k < todo; ++k) {
        history.step.push(start + k + 1);
        for (let i = 0; i < specs.length; ++i) {
          const v = values[k * specs.length + i];
          history.loss[i].push(v);
          if (diverged < 0 && !(Math.abs(v) <= maxLoss)) diverged = i;
        }
      }
      lastLoss = specs.map((_, i) => values[(todo - 1) * specs.length + i]);
      const elapsed = (now() - clock) / 1000;
      if (elapsed > 0) rate = rate ? 0.8 * rate + 0.2 * (todo / elapsed) : todo / elapsed;
      if (diverged >= 0) {
        status = "diverged";
        message = divergenceMessage(specs[diverged], lastLoss[diverged], step, o.optimizer);
      } else status = step >= steps ? "done" : single ? "paused" : "running";
      const due = single || status !== "running" || Math.floor(step / evalEvery) > Math.floor(start / evalEvery);
      if (due) {
        try {
          await evaluate();
        } catch (error) {
          const gone = await confirmLost();
          if (!gone) throw error;
          await recover(gone);
          continue;
        }
      }
      yield event(due);
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    session.dispose();
  }
  return {
    steps: step,
    status,
    arms: armEvents.map((a, i) => ({id: a.id, loss: lastLoss[i], metrics: a.metrics}))
  };
}

function now(): number {
  return globalThis.performance?.now() ?? 0;
}

/** Resolves in a new task (after pending input and rendering), without setTimeout's clamping. */
function nextTask(): Promise<void> {
  const Channel = (globalThis as {MessageChannel?: typeof MessageChannel}).MessageChannel;
  if (!Channel) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const {port1, port2} = new Channel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/**
 * Appends each arm's metrics to the history (after evalStep has grown): the built-in names always, other names from
 * their first appearance, with NaN before it and wherever an arm has no value.
 */
function recordMetrics(history: History, arms: readonly ArmEvent[]): void {
  const k = history.evalStep.length;
  const names = new Set<string>(metricNames);
  for (const a of arms) for (const name of Object.keys(a.metrics)) names.add(name);
  for (const name of names) {
    const series = (history.metrics[name] ??= arms.map(() => [] as number[]));
    series.forEach((values, i) => {
      while (values.length < k - 1) values.push(NaN);
      values.push(arms[i].metrics[name] ?? NaN);
    });
  }
}

function truncate(history: History, step: number): void {
  let k = history.step.findIndex((s) => s > step);
  if (k >= 0) {
    history.step.length = k;
    for (const l of history.loss) l.length = k;
  }
  k = history.evalStep.findIndex((s) => s > step);
  if (k >= 0) {
    history.evalStep.length = k;
    for (const arms of Object.values(history.metrics)) for (const values of arms) values.length = k;
  }
}

/** Accuracies from predicted classes; `memorized` is the share of corrupted labels the model reproduces. */
export function accuracyMetrics(
  data: Dataset,
  testPred: Int32Array,
  probePred: Int32Array,
  probeSize: number
): Record<string, number> {
  let test = 0;
  for (let i = 0; i < data.test.n; ++i) if (testPred[i] === data.test.y[i]) test++;
  let train = 0,
    clean = 0,
    noisy = 0,
    memorized = 0;
  for (let i = 0; i < probeSize; ++i) {
    const p = probePred[i];
    if (p === data.train.y[i]) train++;
    if (p === data.train.yClean[i]) clean++;
    if (data.train.y[i] !== data.train.yClean[i]) {
      noisy++;
      if (p === data.train.y[i]) memorized++;
    }
  }
  const metrics: Record<string, number> = {
    trainAccuracy: probeSize ? train / probeSize : NaN,
    cleanTrainAccuracy: probeSize ? clean / probeSize : NaN,
    testAccuracy: data.test.n ? test / data.test.n : NaN
  };
  if (noisy) metrics.memorized = memorized / noisy;
  return metrics;
}

function divergenceMessage(arm: ArmSpec, loss: number, step: number, optimizer: OptimizerSpec): string {
  const what = Number.isNaN(loss)
    ? "became NaN"
    : !Number.isFinite(loss)
      ? "overflowed to infinity"
      : `exploded to ${loss.toExponential(2)}`;
  const clip = optimizer.clipNorm ? "" : " or turn on gradient clipping";
  return (
    `${arm.label} diverged at step ${step}: its training loss ${what}. ` +
    `Training is paused. Lower the learning rate (now ${optimizer.lr})${clip}, then reset.`
  );
}

/**
 * Runs a generator to its end and returns its last event (headless use: tests, claim checks, Node scripts). It gives
 * the event loop a turn (a macrotask) after every event: wasm and cpu train synchronously, and a long check must not
 * starve its host (a test runner's worker messages, a data loader's pipes).
 */
export async function runToEnd(events: AsyncGenerator<TrainEvent, TrainSummary, void>): Promise<TrainEvent> {
  let last: TrainEvent | undefined;
  for await (const e of events) {
    last = e;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (!last) throw new Error("train: the run produced no event");
  return last;
}
