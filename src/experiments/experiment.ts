import {resolveParams} from "../params/schema.js";
import type {Params, Schema} from "../params/schema.js";
import {getBackend} from "../tf.js";
import {runToEnd, train} from "../train/train.js";
import type {TrainControl} from "../train/control.js";
import type {TrainEvent, TrainOptions, TrainSummary, ViewOptions} from "../train/train.js";

/**
 * How a claim reads its metric from a finished run: at the end ("last"), its maximum or minimum over the evaluations,
 * the drop from the peak to the end ("max-minus-last", an overfitting gap) or the rise from the trough
 * ("last-minus-min"), or a function of the last event and the arm's index.
 */
export type ClaimRead =
  "last" | "max" | "min" | "max-minus-last" | "last-minus-min" | ((e: TrainEvent, arm: number) => number);

/** One seed of a study outside train(): the two values compared and what they are. */
export interface StudyMeasurement {
  baseline: number;
  method: number;
  baselineLabel: string;
  methodLabel: string;
}

/**
 * A claim from the paper, checked by training the baseline and method arms headless over several seeds (or by a study
 * of its own, `measure`). `direction` is the claimed sign of (method − baseline) for `metric`.
 *
 * - "superiority" (the default test): the method beats the baseline by more than `threshold` (default 0, or the
 *   effect size the paper claims) on average and on most seeds. A right-signed effect below the threshold is
 *   reported as "smaller than claimed".
 * - "non-inferiority": the method is no worse than the baseline by more than `margin` (e.g. "Z-loss matches CE's
 *   accuracy"), on average and on most seeds.
 */
export interface ClaimSpec<S extends Schema> {
  id: string;
  /** What the paper claims, in our words. */
  text: string;
  cite: string;
  /** A metric of ArmEvent.metrics (or the study's), read as `read` says. */
  metric: string;
  metricLabel: string;
  direction: "higher" | "lower";
  test?: "superiority" | "non-inferiority";
  /** The effect (in the claimed direction) the paper reports or the card asks for; default 0. */
  threshold?: number;
  /** Non-inferiority margin (> 0). */
  margin?: number;
  /** Default "last". */
  read?: ClaimRead;
  /** Arm ids compared (default: the first two arms). Several baselines: the best of them on each seed. */
  baseline?: string | readonly string[];
  method?: string;
  /** Parameter values for this check (the rest are the schema defaults). */
  params: Partial<Params<S>>;
  /** Training steps at check size (for studies: what the study calls a step, or 0). */
  steps: number;
  seeds: readonly number[];
  /** A study outside train(): measures the baseline's and the method's value for one seed. */
  measure?: (p: Params<S>, seed: number) => Promise<StudyMeasurement>;
  /** The card's exact check, or a caveat, shown beside the result. */
  note?: string;
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
  test: "superiority" | "non-inferiority";
  threshold: number;
  margin: number;
  /** How the metric was read (a function reads as "custom"). */
  read: string;
  note?: string;
  baseline: string;
  method: string;
  steps: number;
  params: Record<string, unknown>;
  rows: ClaimRow[];
  /** Mean and sample standard deviation of (method − baseline) over seeds. */
  mean: number;
  sd: number;
  /** Seeds that pass the test (difference beyond the threshold, or within the non-inferiority margin). */
  agree: number;
  /**
   * "reproduced": the mean passes the test and most seeds do; "smaller": superiority with the claimed sign on average
   * and on most seeds, but below the claimed threshold; "contradicted": the mean and most seeds fail the other way
   * (the opposite sign, or worse than the margin); else "inconclusive".
   */
  verdict: "reproduced" | "smaller" | "contradicted" | "inconclusive";
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
  // Claims that read different metrics of the same runs (same parameters, seed, steps, backend) share them, across
  // check() calls too (a test file checks its claims one at a time).
  const runs = new RunCache();
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
        results.push(await checkClaim(definition, claim, options.seeds ?? claim.seeds, runs));
      }
      return results;
    }
  };
  return experiment;
}

/** Reads a claim's metric for one arm of a finished run. */
export function readClaimMetric(e: TrainEvent, arm: number, metric: string, read: ClaimRead = "last"): number {
  if (typeof read === "function") return read(e, arm);
  const last = e.arms[arm].metrics[metric];
  if (read === "last") return last;
  const values = (e.history.metrics[metric]?.[arm] ?? []).filter(Number.isFinite);
  if (!values.length) return NaN;
  const max = Math.max(...values),
    min = Math.min(...values);
  switch (read) {
    case "max":
      return max;
    case "min":
      return min;
    case "max-minus-last":
      return max - last;
    case "last-minus-min":
      return last - min;
  }
}

/** The verdict of a claim from its per-seed differences (method − baseline). */
export function claimVerdict(
  diffs: readonly number[],
  claim: Pick<ClaimSpec<Schema>, "direction" | "test" | "threshold" | "margin">
): {mean: number; sd: number; agree: number; verdict: ClaimResult["verdict"]} {
  const n = diffs.length;
  const mean = diffs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1)) : 0;
  const sign = claim.direction === "higher" ? 1 : -1;
  const effects = diffs.map((d) => sign * d);
  const m = sign * mean;
  const most = (f: (e: number) => boolean) => effects.filter(f).length > n / 2;
  if (claim.test === "non-inferiority") {
    const margin = claim.margin ?? 0;
    if (!(margin > 0)) throw new Error(`a non-inferiority claim needs a margin > 0, got ${claim.margin}`);
    const agree = effects.filter((e) => e > -margin).length;
    const verdict =
      m > -margin && agree > n / 2
        ? "reproduced"
        : m < -margin && most((e) => e < -margin)
          ? "contradicted"
          : "inconclusive";
    return {mean, sd, agree, verdict};
  }
  const threshold = claim.threshold ?? 0;
  const agree = effects.filter((e) => e > threshold).length;
  const verdict =
    m > threshold && agree > n / 2
      ? "reproduced"
      : m > 0 && most((e) => e > 0)
        ? "smaller"
        : m < 0 && most((e) => e < 0)
          ? "contradicted"
          : "inconclusive";
  return {mean, sd, agree, verdict};
}

/** Indices of the compared arms: baseline candidates and the method (ids, or the first two arms). */
function claimArms(claim: ClaimSpec<any>, ids: readonly string[]): {baselines: number[]; method: number} {
  const find = (id: string) => {
    const k = ids.indexOf(id);
    if (k < 0) throw new Error(`claim ${claim.id}: no arm ${id} (arms: ${ids.join(", ")})`);
    return k;
  };
  const baselines =
    claim.baseline === undefined
      ? [0]
      : (typeof claim.baseline === "string" ? [claim.baseline] : claim.baseline).map(find);
  return {baselines, method: claim.method === undefined ? 1 : find(claim.method)};
}

/** Finished claim runs by key, the oldest dropped beyond `limit` (a run keeps its history and views). */
class RunCache {
  private readonly map = new Map<string, TrainEvent>();
  constructor(private readonly limit = 48) {}
  get(key: string): TrainEvent | undefined {
    return this.map.get(key);
  }
  set(key: string, run: TrainEvent): void {
    this.map.set(key, run);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }
}

async function checkClaim<S extends Schema>(
  definition: ExperimentDefinition<S>,
  claim: ClaimSpec<S>,
  seeds: readonly number[],
  runs: RunCache = new RunCache()
): Promise<ClaimResult> {
  const start = globalThis.performance?.now() ?? 0;
  const rows: ClaimRow[] = [];
  let baselineLabel = "";
  let methodLabel = "";
  let params: Record<string, unknown> = {};
  // With several baselines the best one per seed is compared: the highest for "higher" claims, else the lowest.
  const better = (a: number, b: number) => (claim.direction === "higher" ? a > b : a < b);
  for (const seed of seeds) {
    const p = resolveParams(definition.schema, {...claim.params, seed} as Partial<Params<S>>);
    params = p as Record<string, unknown>;
    if (claim.measure) {
      const m = await claim.measure(p, seed);
      baselineLabel = m.baselineLabel;
      methodLabel = m.methodLabel;
      rows.push({seed, baseline: m.baseline, method: m.method, difference: m.method - m.baseline});
      continue;
    }
    const evalEvery = claim.read && claim.read !== "last" ? Math.max(1, Math.round(claim.steps / 20)) : claim.steps;
    // Training is a pure function of the resolved parameters (seed included), the steps and the evaluation cadence.
    const key = JSON.stringify([p, claim.steps, evalEvery, getBackend()]);
    let last = runs.get(key);
    if (!last) {
      last = await runToEnd(train({...definition.setup(p), steps: claim.steps, evalEvery, stepsPerYield: 50}));
      runs.set(key, last);
    }
    if (last.status === "diverged") throw new Error(`claim ${claim.id}, seed ${seed}: ${last.message}`);
    const {baselines, method} = claimArms(
      claim,
      last.arms.map((a) => a.id)
    );
    const value = (k: number) => readClaimMetric(last, k, claim.metric, claim.read);
    let best = baselines[0];
    for (const k of baselines) if (better(value(k), value(best))) best = k;
    baselineLabel =
      baselines.length > 1 ? `best of ${baselines.map((k) => last.arms[k].label).join(", ")}` : last.arms[best].label;
    methodLabel = last.arms[method].label;
    rows.push({seed, baseline: value(best), method: value(method), difference: value(method) - value(best)});
  }
  const {mean, sd, agree, verdict} = claimVerdict(
    rows.map((r) => r.difference),
    claim
  );
  const {seed: _, ...rest} = params;
  return {
    id: claim.id,
    text: claim.text,
    cite: claim.cite,
    metric: claim.metric,
    metricLabel: claim.metricLabel,
    direction: claim.direction,
    test: claim.test ?? "superiority",
    threshold: claim.threshold ?? 0,
    margin: claim.margin ?? 0,
    read: typeof claim.read === "function" ? "custom" : (claim.read ?? "last"),
    ...(claim.note ? {note: claim.note} : {}),
    baseline: baselineLabel,
    method: methodLabel,
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
