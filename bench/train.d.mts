// Types of bench/train.mjs (plain JavaScript, so that headless Chromium can import it as it is), for bench/gpu.ts.

export interface Workload {
  title: string;
  model: {hidden: number[]; embed?: number; normalize?: boolean};
  loss: string;
  lr: number;
}
export declare const workloads: Record<"mlp" | "contrastive", Workload>;
export declare const pathNames: readonly ["stock", "autodiff", "fast"];

export interface BenchOptions {
  batchSize?: number;
  n?: number;
  seed?: number;
  chunk?: number;
  chunkSeconds?: number;
  warmupSteps?: number;
  warmupSeconds?: number;
  maxSteps?: number;
  seconds?: number;
  longSeconds?: number;
  profileSteps?: number;
  workloads?: string[];
  paths?: string[];
  log?: (result: BenchResult) => void;
}
export declare const defaults: Required<Omit<BenchOptions, "workloads" | "paths" | "log">>;

export interface BenchResult {
  backend: string;
  workload: string;
  path: string;
  /** The path train() reported taking ("fused" or "autodiff"); "stock" for the stock loop. */
  took: string;
  /** Why train() took the autodiff path where the fused one was asked for. */
  note?: string;
  stepsPerSecond: number;
  chunk: number;
  timedSteps: number;
  timedSeconds: number;
  warmupSteps: number;
  warmupSeconds: number;
  readsPerStep: number;
  backendReadsPerStep: number;
  tensorDrift: number;
  tensorsLeft: number;
  step: number;
  loss: number;
  kernelsPerStep: number;
  programsPerStep?: number;
  distinctKernels: number;
  wallSeconds: number;
}

/** The LossLab library module (src/index.ts or a bundle of it). */
type Library = typeof import("../src/index.ts");

export declare function benchTrain(lib: Library, options?: BenchOptions): Promise<BenchResult[]>;
export declare function stockFrameLoop(
  lib: Library,
  options?: BenchOptions & {workload?: string; seconds?: number; stepsPerFrame?: number}
): Promise<{steps: number; frames: number; seconds: number}>;
export declare function countCalls(target: object, names: string[]): {readonly count: number; stop(): number};
