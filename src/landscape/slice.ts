import * as tf from "../tf.js";
import type {LossInputs, LossSpec, Term} from "../losses/defineLoss.js";
import {reduceTerms} from "../losses/reducers.js";
import {forwardMlp} from "../models/mlp.js";
import type {ModelConfig} from "../models/mlp.js";
import type {Plane, PlaneKind} from "./directions.js";
import {paramSubtract} from "./params.js";
import type {ParamLayout} from "./params.js";

/** The fixed batch a landscape is evaluated on (STYLE rule 7: a fixed probe batch keeps frames comparable). */
export interface LandscapeProbe {
  /** Model inputs [N, in]. */
  x: tf.Tensor2D;
  /** Class labels [N] int32, for losses that need them. */
  labels?: tf.Tensor1D;
  /**
   * Any other inputs the loss reads (teacherLogits, weights, targets …). Tensors whose first dimension is N are
   * taken as per-sample and repeated for every parameter point of a batched block; others pass unchanged.
   */
  inputs?: LossInputs;
}

/** How the values were computed: batched matrix products over a block of points, or one forward pass per point. */
export type EvaluationPath = "batched" | "per-point";

export interface LandscapeOptions {
  /** The model whose weights the plane lives in (only its config is read: the forward pass is functional). */
  model: {readonly config: ModelConfig};
  probe: LandscapeProbe;
  loss: LossSpec<any>;
  lossParams?: Record<string, number | string | boolean>;
  /**
   * "auto" (default): batched when the loss's terms are per-sample element terms and the first batched value
   * matches `loss.fn` at that point; otherwise per point, with the reason in the result. On the wasm backend,
   * whose batched matmul is slow, auto goes per point.
   */
  path?: "auto" | EvaluationPath;
  signal?: AbortSignal;
}

export interface SliceProgress {
  /** Index of the row (plane) or block (line) just finished. */
  row: number;
  /** Its values. */
  values: Float32Array;
  done: number;
  total: number;
}

export interface PlaneGridOptions extends LandscapeOptions {
  plane: Plane;
  /** Points per axis (default 41). */
  steps?: number;
  /** Half-width r of the square [−r, r]² in plane coordinates (default 1). */
  range?: number;
  /** Explicit axis ranges, overriding `range` (e.g. to frame a projected trajectory). */
  bounds?: {a: readonly [number, number]; b: readonly [number, number]};
  /**
   * Points per batched block, G. Blocks run in row-major order; a row is reported when its last point is done, and
   * the signal is checked between blocks. Default (`defaultBlockSize`): on webgpu as many whole rows as keep a
   * layer's batched activations near 2²⁴ floats (64 MB), since each block costs a readback; elsewhere one row.
   */
  blockSize?: number;
  /** Called after every row, so a view can draw the grid as it fills. */
  onRow?: (progress: SliceProgress) => void;
}

export interface PlaneGrid {
  kind: PlaneKind;
  label: string;
  /** Plane coordinates along d1 (columns) and d2 (rows), ascending. */
  a: Float64Array;
  b: Float64Array;
  /** Losses, row-major: values[j · a.length + i] = L(origin + a[i]·d1 + b[j]·d2). */
  values: Float32Array;
  path: EvaluationPath;
  /** Why the per-point path ran (absent when batched, or when per-point was asked for). */
  reason?: string;
  lossId: string;
  probeSize: number;
}

export interface LineSliceOptions extends LandscapeOptions {
  /** θa: α = 0. */
  from: ArrayLike<number>;
  /** θb: α = 1. */
  to: ArrayLike<number>;
  layout: ParamLayout;
  /** Range of α, beyond both ends by default: [−0.5, 1.5]. */
  range?: readonly [number, number];
  /** Number of α values (default 41). */
  steps?: number;
  /** Points per batched block (default: all of them). */
  blockSize?: number;
  label?: string;
  onRow?: (progress: SliceProgress) => void;
}

export interface LineSlice {
  label: string;
  alpha: Float64Array;
  /** values[i] = L(θa + alpha[i]·(θb − θa)). */
  values: Float32Array;
  path: EvaluationPath;
  reason?: string;
  lossId: string;
  probeSize: number;
}

/** The inputs a loss gets from the probe batch and a model's outputs (logits, embeddings) at one parameter point. */
export function probeLossInputs(
  probe: LandscapeProbe,
  output: {logits: tf.Tensor2D; embeddings?: tf.Tensor2D}
): LossInputs {
  const inputs: LossInputs = {...probe.inputs, logits: output.logits};
  if (probe.labels) inputs.labels = probe.labels;
  if (output.embeddings) inputs.embeddings = output.embeddings;
  return inputs;
}

function abortError(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const error = new Error("the landscape evaluation was aborted");
  error.name = "AbortError";
  return error;
}

function axis(lo: number, hi: number, n: number): Float64Array {
  return Float64Array.from({length: n}, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)));
}

function checkSteps(name: string, steps: number): void {
  if (!(Number.isInteger(steps) && steps >= 2)) throw new Error(`${name}: invalid steps: ${steps}`);
}

/** Why a batched block cannot be reduced per point: a message, or null when it can. */
type Reduced = {values: tf.Tensor1D} | {reason: string};

/**
 * Evaluates L(origin + a·d1 + b·d2) for lists of coefficients, either batched (G points at once) or one point at
 * a time. Weights are built on the device in float32 the same way on both paths, so they agree to rounding of the
 * forward pass only.
 */
function evaluator(o: {
  config: ModelConfig;
  layout: ParamLayout;
  origin: ArrayLike<number>;
  d1: ArrayLike<number>;
  d2?: ArrayLike<number>;
  probe: LandscapeProbe;
  loss: LossSpec<any>;
  lossParams?: Record<string, number | string | boolean>;
}) {
  const {config, layout, probe, loss, lossParams} = o;
  if (probe.x.rank !== 2) throw new Error(`landscape: probe.x must be [N, in], got [${probe.x.shape}]`);
  const N = probe.x.shape[0];
  for (const [name, v] of [
    ["origin", o.origin],
    ["d1", o.d1],
    ["d2", o.d2]
  ] as const) {
    if (v && v.length !== layout.size) {
      throw new Error(`landscape: ${name} has ${v.length} values, expected ${layout.size}`);
    }
  }
  // Per weight tensor, the basis [origin; d1; d2] as a [k, size] matrix: the weights of G points are one matmul,
  // [1, a, b] · basis, with the same arithmetic for one point as for a block (and no broadcasting or strided
  // slicing, both slow on the cpu backend).
  const k = o.d2 ? 3 : 2;
  const bases = layout.shapes.map((shape, i) => {
    const size = shape.reduce((p, q) => p * q, 1);
    const rows = new Float32Array(k * size);
    const offset = layout.offsets[i];
    for (const [r, v] of [o.origin, o.d1, o.d2].slice(0, k).entries()) {
      for (let j = 0; j < size; ++j) rows[r * size + j] = v![offset + j];
    }
    return tf.tensor2d(rows, [k, size]);
  });

  /** Weights (each with a leading dimension G) at the points origin + a_g·d1 + b_g·d2. */
  const weightsAt = (a: ArrayLike<number>, b: ArrayLike<number>): tf.Tensor[] => {
    const G = a.length;
    const coefficients = new Float32Array(G * k);
    for (let g = 0; g < G; ++g) {
      coefficients[g * k] = 1;
      coefficients[g * k + 1] = a[g];
      if (k === 3) coefficients[g * k + 2] = b[g];
    }
    const c = tf.tensor2d(coefficients, [G, k]);
    return bases.map((basis, i) => tf.reshape(tf.matMul(c, basis), [G, ...layout.shapes[i]]));
  };

  // loss.fn's value (its terms reduced by reduceTerms) without its `after` hook: evaluating a landscape must not
  // write per-sample state (ALDR-KL's λ), or the grid would depend on the order its points were visited.
  const single = (a: number, b: number): tf.Scalar =>
    tf.tidy(() => {
      const weights = weightsAt([a], [b]).map((w) => tf.squeeze(w, [0]));
      const inputs = probeLossInputs(probe, forwardMlp(config, weights, probe.x));
      return reduceTerms(loss.terms(inputs, lossParams), inputs.weights);
    });

  const perPoint = (a: Float64Array, b: Float64Array): tf.Tensor1D =>
    tf.tidy(() => tf.stack(Array.from(a, (ai, i) => single(ai, b[i]))) as tf.Tensor1D);

  const batched = (a: Float64Array, b: Float64Array): Reduced =>
    tf.tidy((): Reduced & tf.TensorContainerObject => {
      const G = a.length;
      const output = forwardMlp(config, weightsAt(a, b), probe.x, {batched: true});
      const flat = (t: tf.Tensor3D) => tf.reshape(t, [G * N, t.shape[2]]) as tf.Tensor2D;
      const repeat = (t: tf.Tensor) => tf.tile(t, [G, ...new Array(t.rank - 1).fill(1)]);
      const extra: LossInputs = {};
      for (const [key, value] of Object.entries(probe.inputs ?? {})) {
        extra[key] = value instanceof tf.Tensor && value.rank >= 1 && value.shape[0] === N ? repeat(value) : value;
      }
      const inputs = probeLossInputs(
        {x: probe.x, labels: probe.labels ? (repeat(probe.labels) as tf.Tensor1D) : undefined, inputs: extra},
        {logits: flat(output.logits), embeddings: output.embeddings ? flat(output.embeddings) : undefined}
      );
      let terms: Record<string, Term>;
      try {
        terms = loss.terms(inputs, lossParams);
      } catch (error) {
        return {reason: `its terms fail on a batch of ${G} × ${N} samples (${(error as Error).message})`};
      }
      const sampleWeights = inputs.weights as tf.Tensor | undefined;
      let total: tf.Tensor = tf.zeros([G]);
      for (const [name, term] of Object.entries(terms)) {
        const perSample = (t: tf.Tensor | undefined) => !t || (t.rank === 1 && t.shape[0] === G * N);
        if (term.kind !== "element") return {reason: `its term ${name} is a ${term.kind} term (not per sample)`};
        if (!perSample(term.values) || !perSample(term.weights)) {
          return {reason: `its term ${name} is not one value per sample`};
        }
        // The reducer's rule (reducers.ts reduceTerms), per parameter point: rows of the [G, N] values.
        const rows = (t: tf.Tensor) => tf.reshape(t, [G, N]);
        const values = rows(term.values);
        const w =
          term.weights && sampleWeights
            ? rows(tf.mul(term.weights, sampleWeights))
            : term.weights || sampleWeights
              ? rows((term.weights ?? sampleWeights)!)
              : null;
        const weighted = w ? tf.mul(values, w) : values;
        let part: tf.Tensor;
        switch (term.reduce ?? "mean") {
          case "mean":
            part = w ? tf.div(tf.sum(weighted, 1), tf.maximum(tf.sum(w, 1), 1e-12)) : tf.mean(values, 1);
            break;
          case "mean-nonzero":
            part = tf.div(tf.sum(weighted, 1), tf.maximum(tf.sum(tf.step(weighted), 1), 1e-12));
            break;
          case "sum":
            part = tf.sum(weighted, 1);
            break;
        }
        total = tf.add(total, part);
      }
      return {values: total as tf.Tensor1D};
    });

  return {
    perPoint,
    batched,
    single,
    dispose() {
      tf.dispose(bases);
    }
  };
}

type Evaluator = ReturnType<typeof evaluator>;

/**
 * Runs blocks of points, choosing the path on the first block (auto), awaiting each block's values so the page
 * stays responsive, and checking the signal between blocks.
 */
async function runBlocks(
  ev: Evaluator,
  blocks: {a: Float64Array; b: Float64Array}[],
  path: "auto" | EvaluationPath,
  signal: AbortSignal | undefined,
  lossId: string,
  onBlock: (index: number, values: Float32Array) => void
): Promise<{path: EvaluationPath; reason?: string}> {
  let chosen: EvaluationPath | null = path === "auto" ? null : path;
  let reason: string | undefined;
  if (path === "auto" && tf.getBackend() === "wasm") {
    // tfjs-backend-wasm hands a matmul to XNNPACK only when both batch dimensions are 1 and runs batched ones in a
    // naive loop (tensorflow/tfjs:tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc): measured ~5× slower than one
    // 2-D matmul per point for the reference MLP.
    chosen = "per-point";
    reason = `${lossId} goes point by point: the wasm backend's batched matmul is slower than one matmul per point`;
  }
  for (let k = 0; k < blocks.length; ++k) {
    if (signal?.aborted) throw abortError(signal);
    const {a, b} = blocks[k];
    let result: tf.Tensor1D | null = null;
    if (chosen !== "per-point") {
      const r = ev.batched(a, b);
      if ("values" in r) result = r.values;
      else if (chosen === "batched") throw new Error(`landscape: ${lossId} cannot be evaluated batched: ${r.reason}`);
      else reason = `${lossId} goes point by point: ${r.reason}`;
      if (result && chosen === null && a.length > 1) {
        // A loss whose per-sample terms depend on the rest of the batch (batch statistics) gives other values on
        // a G·N batch: compare the first point with loss.fn on its own.
        const reference = tf.tidy(() => ev.single(a[0], b[0]));
        let g: number, w: number;
        try {
          [g, w] = [(await result.data())[0], (await reference.data())[0]];
        } finally {
          reference.dispose();
        }
        const ok = Number.isFinite(w) ? Math.abs(g - w) <= 1e-3 * Math.max(1, Math.abs(w)) : Object.is(g, w);
        if (!ok) {
          result.dispose();
          result = null;
          reason = `${lossId} goes point by point: batched terms disagree with loss.fn (${g} vs ${w}); its per-sample values depend on the whole batch`;
        }
      }
      if (chosen === null) chosen = result ? "batched" : "per-point";
    }
    if (!result) result = ev.perPoint(a, b);
    try {
      onBlock(k, (await result.data()) as Float32Array);
    } finally {
      result.dispose();
    }
  }
  return {path: chosen ?? "batched", ...(chosen === "per-point" && reason ? {reason} : {})};
}

/**
 * planeGrid's default block: whole rows of `steps` points. On webgpu, as many rows as keep one layer's batched
 * activations (G × N × widest layer) within 2²⁴ floats: on an H100 a 41 × 41 grid on 512 samples took 0.32 s a row at
 * a time and 0.095 s in blocks of 11 rows (bench/RESULTS.md), as each block is one readback. Elsewhere one row: wasm
 * and cpu gain nothing from larger blocks, and WebGL's textures have size limits.
 */
export function defaultBlockSize(
  steps: number,
  samples: number,
  config: ModelConfig,
  backend = tf.getBackend()
): number {
  if (backend !== "webgpu") return steps;
  const widest = Math.max(config.inputs, ...config.hidden, config.embed, config.classes);
  const rows = Math.floor(2 ** 24 / (samples * widest * steps));
  return steps * Math.max(1, Math.min(steps, rows));
}

/**
 * The loss over an n × n grid of a plane, L(origin + a·d1 + b·d2) for (a, b) in [−r, r]² (Li et al. 2018's 2-D
 * plots). Each row's points (or a block of `blockSize` points) go through the model at once as batched matrix products
 * ([G, in, out] weights against the probe batch); the loss's per-sample element terms are reshaped to [G, N] and
 * reduced per point. Losses without per-sample element terms (metric losses) fall back to one forward pass and one
 * loss value (loss.fn's terms and reduction, without its `after` hook) per point, and the result says which path ran. Rows arrive through `onRow`; the signal stops the grid between blocks.
 */
export async function planeGrid(options: PlaneGridOptions): Promise<PlaneGrid> {
  const {plane, model, probe, loss, lossParams, steps = 41, range = 1, signal, onRow} = options;
  checkSteps("planeGrid", steps);
  if (!(range > 0)) throw new Error(`planeGrid: invalid range: ${range}`);
  const blockSize = options.blockSize ?? defaultBlockSize(steps, probe.x.shape[0], model.config);
  if (!(Number.isInteger(blockSize) && blockSize >= 1)) throw new Error(`planeGrid: invalid blockSize: ${blockSize}`);
  const a = options.bounds ? axis(options.bounds.a[0], options.bounds.a[1], steps) : axis(-range, range, steps);
  const b = options.bounds ? axis(options.bounds.b[0], options.bounds.b[1], steps) : axis(-range, range, steps);
  const total = steps * steps;
  const blocks: {a: Float64Array; b: Float64Array}[] = [];
  for (let start = 0; start < total; start += blockSize) {
    const n = Math.min(blockSize, total - start);
    blocks.push({
      a: Float64Array.from({length: n}, (_, k) => a[(start + k) % steps]),
      b: Float64Array.from({length: n}, (_, k) => b[Math.floor((start + k) / steps)])
    });
  }
  if (signal?.aborted) throw abortError(signal);
  const values = new Float32Array(total);
  const ev = evaluator({...plane, config: model.config, probe, loss, lossParams});
  try {
    let filled = 0,
      rowsDone = 0;
    const {path, reason} = await runBlocks(ev, blocks, options.path ?? "auto", signal, loss.id, (_, v) => {
      values.set(v, filled);
      filled += v.length;
      for (; (rowsDone + 1) * steps <= filled; ++rowsDone) {
        const row = values.slice(rowsDone * steps, (rowsDone + 1) * steps);
        onRow?.({row: rowsDone, values: row, done: rowsDone + 1, total: steps});
      }
    });
    return {
      kind: plane.kind,
      label: plane.label,
      a,
      b,
      values,
      path,
      ...(reason ? {reason} : {}),
      lossId: loss.id,
      probeSize: probe.x.shape[0]
    };
  } finally {
    ev.dispose();
  }
}

/** The same grid as `planeGrid`, one forward pass and one loss value per point: the reference and the benchmark's baseline. */
export function perPointGrid(options: Omit<PlaneGridOptions, "path">): Promise<PlaneGrid> {
  return planeGrid({...options, path: "per-point"});
}

/**
 * The loss along the line θ(α) = θa + α(θb − θa) (Goodfellow et al. 2015's 1-D interpolation, Li et al. 2018 §3),
 * over α in [−0.5, 1.5] by default, so the parts beyond both ends show; evaluated in batched blocks like `planeGrid`.
 */
export async function lineSlice(options: LineSliceOptions): Promise<LineSlice> {
  const {from, to, layout, model, probe, loss, lossParams, range = [-0.5, 1.5], steps = 41, signal, onRow} = options;
  checkSteps("lineSlice", steps);
  if (!(range[1] > range[0])) throw new Error(`lineSlice: invalid range: [${range}]`);
  const blockSize = options.blockSize ?? steps;
  if (!(Number.isInteger(blockSize) && blockSize >= 1)) throw new Error(`lineSlice: invalid blockSize: ${blockSize}`);
  const alpha = axis(range[0], range[1], steps);
  const blocks: {a: Float64Array; b: Float64Array}[] = [];
  for (let i = 0; i < steps; i += blockSize) {
    const a = alpha.slice(i, Math.min(steps, i + blockSize));
    blocks.push({a, b: new Float64Array(a.length)});
  }
  if (signal?.aborted) throw abortError(signal);
  const values = new Float32Array(steps);
  const ev = evaluator({
    config: model.config,
    layout,
    origin: from,
    d1: paramSubtract(to, from),
    probe,
    loss,
    lossParams
  });
  try {
    const {path, reason} = await runBlocks(ev, blocks, options.path ?? "auto", signal, loss.id, (k, v) => {
      values.set(v, k * blockSize);
      onRow?.({row: k, values: v, done: k + 1, total: blocks.length});
    });
    return {
      label: options.label ?? "Linear interpolation θa + α(θb − θa)",
      alpha,
      values,
      path,
      ...(reason ? {reason} : {}),
      lossId: loss.id,
      probeSize: probe.x.shape[0]
    };
  } finally {
    ev.dispose();
  }
}
