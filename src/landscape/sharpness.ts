import * as tf from "../tf.js";
import type {LossSpec} from "../losses/defineLoss.js";
import {reduceTerms} from "../losses/reducers.js";
import {forwardMlp, mlpShapes} from "../models/mlp.js";
import type {ModelConfig} from "../models/mlp.js";
import {random} from "../random.js";
import {paramDot, paramLayout, paramNorm} from "./params.js";
import {probeLossInputs} from "./slice.js";
import type {LandscapeProbe} from "./slice.js";

/** A loss as a function of the flat parameter vector (float32 on the device); called under a gradient tape. */
export type LossOf = (flat: tf.Tensor1D) => tf.Scalar;

/**
 * The loss of an MLP on a probe batch as a function of its flat weights (in `variables` order), through the
 * functional forward pass `forwardMlp`: what the sharpness estimators differentiate.
 */
export function modelLossOf(o: {
  model: {readonly config: ModelConfig};
  probe: LandscapeProbe;
  loss: LossSpec<any>;
  lossParams?: Record<string, number | string | boolean>;
}): LossOf {
  const config = o.model.config;
  const layout = paramLayout(mlpShapes(config));
  return (flat) => {
    if (flat.rank !== 1 || flat.shape[0] !== layout.size) {
      throw new Error(`modelLossOf: expected ${layout.size} parameters, got [${flat.shape}]`);
    }
    const weights = layout.shapes.map((shape, k) =>
      tf.reshape(tf.slice(flat, [layout.offsets[k]], [shape.reduce((p, q) => p * q, 1)]), shape as number[])
    );
    // loss.fn's value without its `after` hook (no per-sample state is written while probing curvature).
    const inputs = probeLossInputs(o.probe, forwardMlp(config, weights, o.probe.x));
    return reduceTerms(o.loss.terms(inputs, o.lossParams), inputs.weights);
  };
}

export interface HvpOptions {
  /**
   * Relative finite-difference step: the perturbation ±εv has norm ε‖v‖ = step · max(1, ‖θ‖). Default 1e-3:
   * in float32 the parameters round at ~6e-8·|θ_i|, so a smaller step drowns Hv in rounding, and a larger one
   * averages the curvature over a wider neighbourhood (a ReLU network's loss is only piecewise smooth).
   */
  step?: number;
}

async function gradientAt(lossOf: LossOf, theta: ArrayLike<number>): Promise<Float64Array> {
  const g = tf.tidy(() => tf.grad((x) => lossOf(x as tf.Tensor1D))(tf.tensor1d(Float32Array.from(theta))));
  try {
    return Float64Array.from(await g.data());
  } finally {
    g.dispose();
  }
}

/**
 * A Hessian-vector product by central differences of gradients, Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε: first-order
 * gradients only, because TF.js's second-order gradients are wrong or throw through exp, tanh, sigmoid, softmax
 * and logSumExp (shared/methods/README.md, Appendix T). θ ± εv is formed in float64, then rounded to float32.
 */
export async function hessianVectorProduct(
  lossOf: LossOf,
  theta: ArrayLike<number>,
  v: ArrayLike<number>,
  {step = 1e-3}: HvpOptions = {}
): Promise<Float64Array> {
  if (v.length !== theta.length)
    throw new Error(`hessianVectorProduct: v has ${v.length} values, expected ${theta.length}`);
  if (!(step > 0)) throw new Error(`hessianVectorProduct: invalid step: ${step}`);
  const nv = paramNorm(v);
  if (nv === 0) return new Float64Array(theta.length);
  const eps = (step * Math.max(1, paramNorm(theta))) / nv;
  const plus = Float64Array.from(theta, (x, i) => x + eps * v[i]);
  const minus = Float64Array.from(theta, (x, i) => x - eps * v[i]);
  const gp = await gradientAt(lossOf, plus);
  const gm = await gradientAt(lossOf, minus);
  return gp.map((x, i) => (x - gm[i]) / (2 * eps));
}

export interface PowerIterationOptions extends HvpOptions {
  seed?: number;
  /** Stop when successive Rayleigh quotients differ by at most tolerance · |λ| (default 1e-4). */
  tolerance?: number;
  /** At most this many Hessian-vector products per pass (default 100). */
  maxIterations?: number;
  signal?: AbortSignal;
}

export interface EigenEstimate {
  /** The estimated eigenvalue. */
  value: number;
  /** Its unit eigenvector (flat, float64). */
  vector: Float64Array;
  iterations: number;
  converged: boolean;
  /** Rayleigh quotient after each iteration. */
  history: number[];
}

export interface TopEigenvalue extends EigenEstimate {
  /** The eigenvalue of largest magnitude (the first pass); differs from `value` when it is negative. */
  dominant: EigenEstimate;
}

async function powerIteration(
  hv: (v: Float64Array) => Promise<Float64Array>,
  start: Float64Array,
  tolerance: number,
  maxIterations: number,
  signal?: AbortSignal
): Promise<EigenEstimate> {
  let v = start.map((x) => x / paramNorm(start));
  const history: number[] = [];
  let value = 0;
  for (let k = 0; k < maxIterations; ++k) {
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    const w = await hv(v);
    value = paramDot(v, w); // Rayleigh quotient, v unit
    history.push(value);
    const nw = paramNorm(w);
    if (nw === 0) return {value: 0, vector: v, iterations: k + 1, converged: true, history};
    const previous = history[history.length - 2];
    v = w.map((x) => x / nw);
    if (previous !== undefined && Math.abs(value - previous) <= tolerance * Math.abs(value)) {
      return {value, vector: v, iterations: k + 1, converged: true, history};
    }
  }
  return {value, vector: v, iterations: maxIterations, converged: false, history};
}

/**
 * The top (largest) Hessian eigenvalue of the loss at θ — the sharpness of Keskar et al. 2017 and of the
 * edge-of-stability literature — by power iteration on finite-difference Hessian-vector products. Power iteration
 * finds the eigenvalue of largest magnitude; when that is negative (away from a minimum), a second pass on the
 * shifted H − λ_dom·I, whose spectrum is then non-negative, finds the largest one.
 */
export async function topHessianEigenvalue(
  lossOf: LossOf,
  theta: ArrayLike<number>,
  {seed = 0, tolerance = 1e-4, maxIterations = 100, step = 1e-3, signal}: PowerIterationOptions = {}
): Promise<TopEigenvalue> {
  if (!(tolerance > 0)) throw new Error(`topHessianEigenvalue: invalid tolerance: ${tolerance}`);
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) {
    throw new Error(`topHessianEigenvalue: invalid maxIterations: ${maxIterations}`);
  }
  const rng = random(seed).fork("landscape").fork("power-iteration");
  const start = Float64Array.from({length: theta.length}, () => rng.normal());
  const hv = (v: Float64Array) => hessianVectorProduct(lossOf, theta, v, {step});
  const dominant = await powerIteration(hv, start, tolerance, maxIterations, signal);
  if (dominant.value >= 0) return {...dominant, dominant};
  const shift = dominant.value;
  const shifted = await powerIteration(
    async (v) => (await hv(v)).map((x, i) => x - shift * v[i]),
    start,
    tolerance,
    maxIterations,
    signal
  );
  return {
    ...shifted,
    value: shifted.value + shift,
    history: shifted.history.map((x) => x + shift),
    dominant
  };
}

export interface TraceOptions extends HvpOptions {
  seed?: number;
  /** Number of Rademacher probes (default 32, at least 2). */
  samples?: number;
  signal?: AbortSignal;
}

export interface TraceEstimate {
  /** Mean of zᵀHz over the probes: an unbiased estimate of trace(H). */
  mean: number;
  /** Standard error of the mean, s / √m with the sample standard deviation s. */
  standardError: number;
  samples: number;
  /** zᵀHz for each probe. */
  values: Float64Array;
}

/**
 * Hutchinson's estimate of the Hessian trace, trace(H) = E[zᵀHz] for Rademacher z (entries ±1 from the seeded
 * generator), with finite-difference Hessian-vector products; returns the mean and its standard error.
 */
export async function hutchinsonTrace(
  lossOf: LossOf,
  theta: ArrayLike<number>,
  {seed = 0, samples = 32, step = 1e-3, signal}: TraceOptions = {}
): Promise<TraceEstimate> {
  if (!(Number.isInteger(samples) && samples >= 2)) throw new Error(`hutchinsonTrace: invalid samples: ${samples}`);
  const rng = random(seed).fork("landscape").fork("hutchinson");
  const values = new Float64Array(samples);
  for (let k = 0; k < samples; ++k) {
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    const z = Float64Array.from({length: theta.length}, () => (rng.uniform() < 0.5 ? -1 : 1));
    values[k] = paramDot(z, await hessianVectorProduct(lossOf, theta, z, {step}));
  }
  const mean = values.reduce((s, x) => s + x, 0) / samples;
  const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / (samples - 1);
  return {mean, standardError: Math.sqrt(variance / samples), samples, values};
}
