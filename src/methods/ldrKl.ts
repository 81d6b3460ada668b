// Method-specific code of the LDR-KL / ALDR-KL notebook (card 04): the official label-noise generators, the
// per-sample λ of ALDR-KL split by clean and corrupted training points, and the λ profile of LDR-KL.
import {measuredNoise} from "../datasets/dataset.js";
import type {Dataset, Split} from "../datasets/dataset.js";
import {toy2d} from "../datasets/toy2d.js";
import type {Shape} from "../datasets/toy2d.js";
import {random} from "../random.js";
import type {Random} from "../random.js";

/** The two noise models of the LDR paper's experiments. */
export const ldrKlNoiseKinds = ["uniform", "class-dependent"] as const;
export type LdrKlNoiseKind = (typeof ldrKlNoiseKinds)[number];

/**
 * Corrupts training labels as the official `utils.py` does: each label independently, with probability `rate`,
 * is replaced — "uniform" (`uniform_noise`) by a class drawn uniformly from all C classes, which may be the true
 * one (so only about rate·(C − 1)/C of the labels end up wrong); "class-dependent" (`classDep_noise`) by the
 * next class, y → (y + 1) mod C. Unlike toy2d's symmetric noise (exactly round(rate·n) labels, always to another
 * class), the number of corrupted labels is random. Returns a new split; `yClean` keeps the true labels.
 */
export function ldrKlCorruptLabels(
  split: Split,
  classes: number,
  rate: number,
  kind: LdrKlNoiseKind,
  rng: Random
): Split {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`invalid label noise rate: ${rate}`);
  if (!(Number.isInteger(classes) && classes >= 2)) throw new Error(`invalid classes: ${classes}`);
  if (!ldrKlNoiseKinds.includes(kind)) throw new Error(`invalid noise kind: ${kind}`);
  const y = split.yClean.slice();
  for (let i = 0; i < split.n; ++i) {
    // One Bernoulli draw per sample, then (uniform noise only) one class draw: the stream advances the same way
    // for every rate, so a sample corrupted at a lower rate stays corrupted at a higher one.
    const u = rng.uniform();
    const k = rng.int(classes);
    if (u < rate) y[i] = kind === "uniform" ? k : (y[i] + 1) % classes;
  }
  return {...split, y};
}

export interface LdrKlDataOptions {
  shape: Shape;
  classes: number;
  /** Points before the split. */
  n: number;
  /** Share of the points in the test split. */
  testFraction: number;
  /** Input noise (std). */
  noise: number;
  labelNoise: number;
  noiseKind: LdrKlNoiseKind;
  seed: number;
}

/** The notebook's dataset: a clean 2-D toy set (toy2d) whose training labels get the official noise. */
export function ldrKlData(o: LdrKlDataOptions): Dataset {
  const clean = toy2d({
    shape: o.shape,
    n: o.n,
    classes: o.classes,
    noise: o.noise,
    testFraction: o.testFraction,
    labelNoise: 0,
    seed: o.seed
  });
  const train = ldrKlCorruptLabels(
    clean.train,
    clean.classes,
    o.labelNoise,
    o.noiseKind,
    random(o.seed).fork("ldr-kl-noise")
  );
  return {...clean, train, noiseRate: measuredNoise(train)};
}

/** ALDR-KL's per-sample λ of the training points, split by whether their label was corrupted. */
export interface LdrKlLambdaGroups {
  clean: Float32Array;
  corrupted: Float32Array;
}

/**
 * Splits a per-sample state vector (indexed by sample id, as train() reads it back) into the training points whose
 * label is clean and those whose label was corrupted. Entries ≤ 0 are samples the loss has not visited yet (the
 * state starts at 0, which ALDR-KL reads as λ0) and are left out.
 */
export function ldrKlLambdaGroups(state: ArrayLike<number>, train: Split): LdrKlLambdaGroups {
  const clean: number[] = [];
  const corrupted: number[] = [];
  for (let i = 0; i < train.n; ++i) {
    const id = train.ids[i];
    if (id >= state.length) throw new Error(`ldrKlLambdaGroups: no state for sample id ${id} (length ${state.length})`);
    const lambda = state[id];
    if (!(lambda > 0)) continue;
    (train.y[i] === train.yClean[i] ? clean : corrupted).push(lambda);
  }
  return {clean: Float32Array.from(clean), corrupted: Float32Array.from(corrupted)};
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; ++i) s += values[i];
  return values.length ? s / values.length : NaN;
}

/** Mean λ of clean and corrupted training points (NaN for an empty group), for metric curves. */
export function ldrKlLambdaMeans(state: ArrayLike<number>, train: Split): {clean: number; corrupted: number} {
  const g = ldrKlLambdaGroups(state, train);
  return {clean: mean(g.clean), corrupted: mean(g.corrupted)};
}

/**
 * LDR-KL's value λ·log((1/C) Σ_k exp(d_k/λ)) for one vector of margin-adjusted gaps d (d_y = 0) at each λ, in float64,
 * with the worst-case label distribution p*_k ∝ exp(d_k/λ) it puts on the classes. As λ → 0 the value tends to
 * max_k d_k (Crammer–Singer), as λ → ∞ to mean_k d_k: the page draws that morph.
 */
export function ldrKlLambdaProfile(
  gaps: ArrayLike<number>,
  lambdas: ArrayLike<number>
): {value: Float64Array; weights: Float64Array[]} {
  const C = gaps.length;
  if (C < 1) throw new Error("ldrKlLambdaProfile: gaps is empty");
  const max = Math.max(...Array.from(gaps));
  const value = new Float64Array(lambdas.length);
  const weights: Float64Array[] = [];
  for (let j = 0; j < lambdas.length; ++j) {
    const lam = lambdas[j];
    if (!(lam > 0)) throw new Error(`invalid lambda: ${lam}`);
    // Shift by the max so exp never overflows for small λ.
    const e = Float64Array.from(gaps, (d) => Math.exp((d - max) / lam));
    const sum = e.reduce((a, b) => a + b, 0);
    value[j] = max + lam * Math.log(sum / C);
    weights.push(e.map((v) => v / sum));
  }
  return {value, weights};
}
