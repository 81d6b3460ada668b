import * as tf from "../tf.js";
import {shapes, toy2d} from "../datasets/toy2d.js";
import type {Dataset} from "../datasets/dataset.js";
import {crossEntropy, generalizedCrossEntropy} from "../losses/compSum.js";
import {focal} from "../losses/focal.js";
import type {LossSpec} from "../losses/defineLoss.js";
import {mlpShapes} from "../models/mlp.js";
import {defaultModelConfig} from "../models/mlp.js";
import type {ModelConfig} from "../models/mlp.js";
import {defineSchema} from "../params/schema.js";
import type {Params} from "../params/schema.js";
import {checkpointPlane, pcaPlane, randomPlane} from "../landscape/directions.js";
import type {Plane} from "../landscape/directions.js";
import {flattenWeights, paramLayout} from "../landscape/params.js";
import type {ParamLayout} from "../landscape/params.js";
import {lineSlice, planeGrid} from "../landscape/slice.js";
import type {LandscapeProbe, LineSlice, PlaneGrid} from "../landscape/slice.js";
import {hutchinsonTrace, modelLossOf, topHessianEigenvalue} from "../landscape/sharpness.js";
import {projectTrajectory} from "../landscape/trajectory.js";
import type {TrajectoryProjection} from "../landscape/trajectory.js";
import type {ArmSpec, TrainEvent} from "../train/train.js";
import {defineExperiment} from "./experiment.js";
import {sharedControls} from "./controls.js";

const methods = ["label-smoothing", "focal", "generalized-cross-entropy"] as const;
const planes = ["checkpoints", "random", "pca"] as const;

/** Controls of the loss-landscape notebook; every key round-trips through the URL hash. */
export const lossLandscapesSchema = defineSchema({
  method: {
    group: "Losses",
    type: "enum",
    default: "label-smoothing",
    options: methods,
    labels: {
      "label-smoothing": "label-smoothed CE",
      focal: "focal loss",
      "generalized-cross-entropy": "generalized CE"
    },
    label: "compared with CE",
    doc: "the loss trained against plain cross-entropy"
  },
  smoothing: {
    group: "Losses",
    type: "number",
    default: 0.2,
    min: 0.01,
    max: 0.5,
    step: 0.01,
    symbol: "\\varepsilon",
    label: "ε",
    doc: "label smoothing of the method arm",
    when: {method: ["label-smoothing"]}
  },
  gamma: {
    group: "Losses",
    type: "number",
    default: 2,
    min: 0.5,
    max: 5,
    step: 0.5,
    symbol: "\\gamma",
    label: "γ",
    doc: "focusing parameter of the focal loss",
    when: {method: ["focal"]}
  },
  q: {
    group: "Losses",
    type: "number",
    default: 0.7,
    min: 0.1,
    max: 1,
    step: 0.05,
    symbol: "q",
    label: "q",
    doc: "generalized CE exponent",
    when: {method: ["generalized-cross-entropy"]}
  },
  plane: {
    group: "Landscape",
    type: "enum",
    default: "checkpoints",
    options: planes,
    labels: {
      checkpoints: "through 3 checkpoints",
      random: "random, filter-normalised",
      pca: "PCA of the trajectory"
    },
    label: "plane",
    doc: "which 2-D slice of weight space to draw"
  },
  resolution: {
    group: "Landscape",
    type: "int",
    default: 25,
    min: 9,
    max: 61,
    step: 4,
    label: "grid",
    doc: "grid points per axis (41 × 41 is the benchmark size)"
  },
  range: {
    group: "Landscape",
    type: "number",
    default: 1,
    min: 0.1,
    max: 4,
    step: 0.1,
    label: "range",
    doc: "half-width of the random plane, in units of the filter-normalised directions"
  },
  every: {
    group: "Landscape",
    type: "int",
    default: 5,
    min: 1,
    max: 50,
    label: "redraw every",
    doc: "recompute the landscapes every this many evaluations (every 20 steps each)"
  },
  dataset: {
    group: "Data",
    type: "enum",
    default: "spirals",
    options: shapes,
    label: "dataset",
    doc: "shape of the 2-D data"
  },
  n: {
    group: "Data",
    type: "int",
    default: 600,
    min: 100,
    max: 2000,
    step: 10,
    label: "samples",
    doc: "points before the 70/30 split"
  },
  labelNoise: {
    group: "Data",
    type: "number",
    default: 0,
    min: 0,
    max: 0.6,
    step: 0.05,
    label: "label noise",
    doc: "fraction of training labels replaced"
  },
  lr: {
    group: "Training",
    type: "number",
    default: 0.01,
    min: 0.0001,
    max: 0.5,
    scale: "log",
    label: "learning rate",
    doc: "Adam step size"
  },
  batch: sharedControls.batch,
  width: {
    group: "Model",
    type: "int",
    default: 32,
    min: 4,
    max: 128,
    step: 4,
    label: "width",
    doc: "units per hidden layer"
  },
  steps: {
    group: "Training",
    type: "int",
    default: 1500,
    min: 100,
    max: 20000,
    step: 100,
    label: "steps",
    doc: "training stops after this many steps"
  },
  seed: {
    group: "Training",
    type: "int",
    default: 1,
    min: 0,
    max: 999999,
    label: "seed",
    doc: "seeds the data, initial weights, batches and directions"
  }
});
export type LossLandscapesParams = Params<typeof lossLandscapesSchema>;

/** The method arm, named by its loss and hyper-parameter. */
export function lossLandscapesArm(p: LossLandscapesParams): ArmSpec {
  switch (p.method) {
    case "label-smoothing":
      return {
        id: "ls",
        label: `CE, smoothing ε = ${p.smoothing}`,
        loss: crossEntropy,
        params: {smoothing: p.smoothing},
        role: "method"
      };
    case "focal":
      return {id: "focal", label: `Focal (γ = ${p.gamma})`, loss: focal, params: {gamma: p.gamma}, role: "method"};
    case "generalized-cross-entropy":
      return {id: "gce", label: `GCE (q = ${p.q})`, loss: generalizedCrossEntropy, params: {q: p.q}, role: "method"};
  }
}

/**
 * The loss-landscape view (issue 5; Li et al. 2018): a twin run of cross-entropy against a second loss,
 * recording each arm's weights at every evaluation so the page can draw slices of the loss around them.
 * It is a view rather than a paper's method, so it has no claim of its own to check.
 */
export const lossLandscapesExperiment = defineExperiment({
  slug: "views/loss-landscapes",
  title: "Loss landscapes",
  card: "",
  schema: lossLandscapesSchema,
  view: {probe: 512, weights: true},
  setup: (p) => ({
    data: toy2d({shape: p.dataset, n: p.n, classes: 3, noise: 0.1, labelNoise: p.labelNoise, seed: p.seed}),
    model: {hidden: [p.width, p.width], activation: "relu"},
    arms: [{id: "ce", label: "CE", loss: crossEntropy, role: "baseline"}, lossLandscapesArm(p)],
    optimizer: {type: "adam", lr: p.lr},
    batchSize: p.batch,
    seed: p.seed,
    steps: p.steps,
    evalEvery: 20
  }),
  claims: []
});

/** The full model configuration of a run (what the trainer builds from the experiment's setup). */
export function lossLandscapesModelConfig(p: LossLandscapesParams, data: Dataset): ModelConfig {
  return {
    ...defaultModelConfig,
    inputs: data.inputs,
    classes: data.classes,
    hidden: [p.width, p.width],
    activation: "relu"
  };
}

/** One arm's recorded path: flat weights at each evaluated step. */
export interface ArmTrajectory {
  steps: number[];
  points: Float64Array[];
}

/**
 * Collects each arm's weights from the run's evaluated events (view.weights), flattened in the model's
 * variable order. Returns the layout once known. Call `record(event)` on every event.
 */
export function trajectoryRecorder(arms: number) {
  const trajectories: ArmTrajectory[] = Array.from({length: arms}, () => ({steps: [], points: []}));
  let lastStep = -1;
  return {
    trajectories,
    record(event: TrainEvent): boolean {
      if (!event.evaluated || event.step === lastStep) return false;
      lastStep = event.step;
      event.arms.forEach((arm, i) => {
        if (!arm.view.weights) return;
        trajectories[i].steps.push(event.step);
        trajectories[i].points.push(flattenWeights(arm.view.weights));
      });
      return true;
    },
    reset() {
      lastStep = -1;
      for (const t of trajectories) ((t.steps.length = 0), (t.points.length = 0));
    }
  };
}

/** The plane a page draws for one arm's trajectory, by kind. */
export function landscapePlane(
  kind: (typeof planes)[number],
  trajectory: ArmTrajectory,
  layout: ParamLayout,
  seed: number
): Plane {
  const points = trajectory.points;
  const current = points[points.length - 1];
  if (kind === "random" || points.length < 3) return randomPlane(current, layout, {seed});
  if (kind === "pca") return pcaPlane(points, layout, {seed});
  return checkpointPlane(points[0], points[Math.floor((points.length - 1) / 2)], current, layout, {
    names: [
      `step ${trajectory.steps[0]}`,
      `step ${trajectory.steps[Math.floor((points.length - 1) / 2)]}`,
      `step ${trajectory.steps[points.length - 1]}`
    ]
  });
}

/** The fixed probe batch of a dataset: its first `size` training samples. */
export function landscapeProbe(data: Dataset, size = 512): LandscapeProbe {
  const n = Math.min(size, data.train.n);
  return tf.tidy(() => ({
    x: tf.tensor2d(data.train.x.subarray(0, n * data.inputs), [n, data.inputs]),
    labels: tf.tensor1d(data.train.y.subarray(0, n), "int32")
  }));
}

/** What one arm's landscape panel draws. */
export interface LandscapeFrame {
  plane: Plane;
  grid: PlaneGrid;
  trajectory: TrajectoryProjection;
  steps: number[];
  slice: LineSlice;
}

/**
 * Computes one arm's landscape: the plane of the chosen kind, the loss over a grid on it (batched: a
 * row of grid points per forward pass), the trajectory projected onto it, and the 1-D slice from the
 * initial to the current weights. For the checkpoint and PCA planes the grid frames the whole path.
 */
export async function landscapeFrame(o: {
  config: ModelConfig;
  trajectory: ArmTrajectory;
  probe: LandscapeProbe;
  loss: LossSpec<any>;
  lossParams?: Record<string, number | string | boolean>;
  kind: (typeof planes)[number];
  resolution: number;
  range: number;
  seed: number;
  signal?: AbortSignal;
}): Promise<LandscapeFrame> {
  const layout = paramLayout(mlpShapes(o.config));
  const plane = landscapePlane(o.kind, o.trajectory, layout, o.seed);
  const trajectory = projectTrajectory(o.trajectory.points, plane);
  const model = {config: o.config};
  let bounds: {a: [number, number]; b: [number, number]} | undefined;
  if (o.kind !== "random" && o.trajectory.points.length >= 3) {
    const pad = (lo: number, hi: number): [number, number] => {
      const margin = 0.25 * Math.max(hi - lo, 1e-3);
      return [lo - margin, hi + margin];
    };
    const span = (v: Float64Array) => [Math.min(...v), Math.max(...v)] as const;
    const [a0, a1] = span(trajectory.a);
    const [b0, b1] = span(trajectory.b);
    // Square, so that the picture is not distorted.
    const half = Math.max(a1 - a0, b1 - b0) / 2;
    bounds = {a: pad((a0 + a1) / 2 - half, (a0 + a1) / 2 + half), b: pad((b0 + b1) / 2 - half, (b0 + b1) / 2 + half)};
  }
  const grid = await planeGrid({
    model,
    probe: o.probe,
    loss: o.loss,
    lossParams: o.lossParams,
    plane,
    steps: o.resolution,
    range: o.range,
    bounds,
    signal: o.signal
  });
  const points = o.trajectory.points;
  const slice = await lineSlice({
    model,
    probe: o.probe,
    loss: o.loss,
    lossParams: o.lossParams,
    from: points[0],
    to: points[points.length - 1],
    layout,
    steps: 41,
    signal: o.signal,
    label: "from the initial weights (α = 0) to the current ones (α = 1)"
  });
  return {plane, grid, trajectory, steps: [...o.trajectory.steps], slice};
}

/** Sharpness at the current weights: the top Hessian eigenvalue and Hutchinson's trace estimate. */
export async function landscapeSharpness(o: {
  config: ModelConfig;
  weights: ArrayLike<number>;
  probe: LandscapeProbe;
  loss: LossSpec<any>;
  lossParams?: Record<string, number | string | boolean>;
  seed: number;
  signal?: AbortSignal;
}): Promise<{top: number; topConverged: boolean; trace: number; traceError: number}> {
  const lossOf = modelLossOf({model: {config: o.config}, probe: o.probe, loss: o.loss, lossParams: o.lossParams});
  const top = await topHessianEigenvalue(lossOf, o.weights, {seed: o.seed, maxIterations: 30, signal: o.signal});
  const trace = await hutchinsonTrace(lossOf, o.weights, {seed: o.seed, samples: 20, signal: o.signal});
  return {top: top.value, topConverged: top.converged, trace: trace.mean, traceError: trace.standardError};
}
