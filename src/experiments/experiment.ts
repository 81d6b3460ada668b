import {resolveParams} from "../params/schema.js";
import type {Params, Schema} from "../params/schema.js";
import {runToEnd, train} from "../train/train.js";
import type {TrainControl} from "../train/control.js";
import type {TrainEvent, TrainOptions, TrainSummary, ViewOptions} from "../train/train.js";

/**
 * A claim from the paper, checked by training the baseline and method arms headless over several seeds.
 * `direction` is the claimed sign of (method − baseline) for `metric` at the end of training.
 */
export interface ClaimSpec<S extends Schema> {
  id: string;
  /** What the paper claims, in our words. */
  text: string;
  cite: string;
  /** A metric of ArmEvent.metrics, read at the end of training. */
  metric: string;
  metricLabel: string;
  direction: "higher" | "lower";
  /** Parameter values for this check (the rest are the schema defaults). */
  params: Partial<Params<S>>;
  /** Training steps at check size. */
  steps: number;
  seeds: readonly number[];
}

export interface ClaimRow {
  seed: number;
  baseline: number;
  method: number;
  difference: number;
}

export interface ClaimResult {
  id: string;
  text: string;
  cite: string;
  metric: string;
  metricLabel: string;
  direction: "higher" | "lower";
  baseline: string;
  method: string;
  steps: number;
  params: Record<string, unknown>;
  rows: ClaimRow[];
  /** Mean and sample standard deviation of (method − baseline) over seeds. */
  mean: number;
  sd: number;
  /** Seeds whose difference has the claimed sign. */
  agree: number;
  /** "reproduced": the mean has the claimed sign and most seeds agree; "contradicted": the opposite; else "inconclusive". */
  verdict: "reproduced" | "contradicted" | "inconclusive";
  seconds: number;
}

export interface LiveOptions {
  control?: TrainControl;
  invalidation?: PromiseLike<unknown>;
  signal?: AbortSignal;
}

export interface ExperimentDefinition<S extends Schema> {
  /** Page path under notebooks/, e.g. "classification/comp-sum". */
  slug: string;
  title: string;
  /** The method card's file name in shared/methods, e.g. "29-comp-sum". */
  card: string;
  schema: S;
  /** Training options (data, model, arms, optimizer …) for a parameter set. */
  setup(p: Params<S>): Omit<TrainOptions, "control" | "signal" | "invalidation">;
  /** What live pages evaluate for their views. */
  view: ViewOptions;
  claims: readonly ClaimSpec<S>[];
}

export interface Experiment<S extends Schema> extends ExperimentDefinition<S> {
  /** The live twin run behind the notebook page. */
  live(p: Params<S>, options?: LiveOptions): AsyncGenerator<TrainEvent, TrainSummary, void>;
  /** Runs every claim check (headless) and returns one result per claim. */
  check(options?: {seeds?: readonly number[]; claims?: readonly string[]}): Promise<ClaimResult[]>;
}

export function defineExperiment<const S extends Schema>(definition: ExperimentDefinition<S>): Experiment<S> {
  const experiment: Experiment<S> = {
    ...definition,
    live(p, options = {}) {
      const params = resolveParams(definition.schema, p);
      return train({...definition.setup(params), view: definition.view, ...options});
    },
    async check(options = {}) {
      const results: ClaimResult[] = [];
      for (const claim of definition.claims) {
        if (options.claims && !options.claims.includes(claim.id)) continue;
        results.push(await checkClaim(definition, claim, options.seeds ?? claim.seeds));
      }
      return results;
    }
  };
  return experiment;
}

async function checkClaim<S extends Schema>(
  definition: ExperimentDefinition<S>,
  claim: ClaimSpec<S>,
  seeds: readonly number[]
): Promise<ClaimResult> {
  const start = globalThis.performance?.now() ?? 0;
  const rows: ClaimRow[] = [];
  let labels: string[] = [];
  let params: Record<string, unknown> = {};
  for (const seed of seeds) {
    const p = resolveParams(definition.schema, {...claim.params, seed} as Partial<Params<S>>);
    params = p as Record<string, unknown>;
    const setup = definition.setup(p);
    const last = await runToEnd(train({...setup, steps: claim.steps, evalEvery: claim.steps, stepsPerYield: 50}));
    if (last.status === "diverged") throw new Error(`claim ${claim.id}, seed ${seed}: ${last.message}`);
    labels = last.arms.map((a) => a.label);
    const [baseline, method] = last.arms.map((a) => a.metrics[claim.metric]);
    rows.push({seed, baseline, method, difference: method - baseline});
  }
  const diffs = rows.map((r) => r.difference);
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const sd = diffs.length > 1 ? Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / (diffs.length - 1)) : 0;
  const sign = claim.direction === "higher" ? 1 : -1;
  const agree = diffs.filter((d) => sign * d > 0).length;
  const disagree = diffs.filter((d) => sign * d < 0).length;
  const verdict =
    sign * mean > 0 && agree > diffs.length / 2
      ? "reproduced"
      : sign * mean < 0 && disagree > diffs.length / 2
        ? "contradicted"
        : "inconclusive";
  const {seed: _, ...rest} = params;
  return {
    id: claim.id,
    text: claim.text,
    cite: claim.cite,
    metric: claim.metric,
    metricLabel: claim.metricLabel,
    direction: claim.direction,
    baseline: labels[0],
    method: labels[1],
    steps: claim.steps,
    params: rest,
    rows,
    mean,
    sd,
    agree,
    verdict,
    seconds: ((globalThis.performance?.now() ?? 0) - start) / 1000
  };
}
