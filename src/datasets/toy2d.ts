import {random} from "../random.js";
import type {Random} from "../random.js";
import {corruptLabels, imbalancedCounts, measuredNoise, stratifiedSplit} from "./dataset.js";
import type {Dataset, LabelNoiseKind, Points} from "./dataset.js";

/** The 2-D toy shapes. Each is centred at the origin and spans roughly [−2, 2]². */
export const shapes = ["blobs", "moons", "circles", "spirals", "xor", "rings"] as const;
export type Shape = (typeof shapes)[number];

/** Classes a shape supports: moons, circles and xor are binary; the others take any count ≥ 2. */
export function shapeClasses(shape: Shape, classes: number): number {
  return shape === "moons" || shape === "circles" || shape === "xor" ? 2 : classes;
}

type Draw = (k: number, classes: number, rng: Random) => [number, number];

// Each draw returns a noise-free point of class k; isotropic Gaussian input noise is added afterwards.
const draws: Record<Shape, Draw> = {
  blobs(k, classes, rng) {
    // Centres on a Vogel (sunflower) spiral: evenly spread for any class count.
    const golden = Math.PI * (3 - Math.sqrt(5));
    const r = classes === 1 ? 0 : 1.6 * Math.sqrt((k + 0.5) / classes);
    const a = k * golden;
    const spread = 0.55 / Math.sqrt(classes); // blobs shrink as they crowd, keeping them separable
    return [r * Math.cos(a) + spread * rng.normal(), r * Math.sin(a) + spread * rng.normal()];
  },
  moons(k, _classes, rng) {
    const t = Math.PI * rng.uniform();
    const [x, y] = k === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    return [1.3 * (x - 0.5), 1.3 * (y - 0.25)];
  },
  circles(k, _classes, rng) {
    const a = 2 * Math.PI * rng.uniform();
    const r = k === 0 ? 1.6 : 0.8;
    return [r * Math.cos(a), r * Math.sin(a)];
  },
  spirals(k, classes, rng) {
    const t = Math.sqrt(rng.uniform()); // uniform density along the arm's area
    const a = 3.5 * t * Math.PI + (2 * Math.PI * k) / classes;
    const r = 1.8 * t + 0.1;
    return [r * Math.cos(a), r * Math.sin(a)];
  },
  xor(k, _classes, rng) {
    // Four squares with a small gap at the axes; class = sign(x · y).
    const sx = rng.uniform() < 0.5 ? -1 : 1;
    const sy = k === 0 ? sx : -sx;
    return [sx * (0.1 + 1.6 * rng.uniform()), sy * (0.1 + 1.6 * rng.uniform())];
  },
  rings(k, classes, rng) {
    const a = 2 * Math.PI * rng.uniform();
    const r = 0.4 + (1.4 * k) / Math.max(1, classes - 1);
    return [r * Math.cos(a), r * Math.sin(a)];
  }
};

export interface Toy2dOptions {
  shape?: Shape;
  /** Total number of points before the split. */
  n?: number;
  classes?: number;
  /** Standard deviation of Gaussian noise added to every input. */
  noise?: number;
  /** Ratio between the largest and the smallest class (1 = balanced). */
  imbalance?: number;
  /** Fraction of training labels to corrupt. */
  labelNoise?: number;
  labelNoiseKind?: LabelNoiseKind;
  testFraction?: number;
  seed?: number;
}

/** Raw points of a 2-D shape (no split, no label noise), drawn from `rng`. */
export function toyPoints(shape: Shape, counts: readonly number[], noise: number, rng: Random): Points {
  const classes = counts.length;
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  const draw = draws[shape];
  let i = 0;
  for (let k = 0; k < classes; ++k) {
    for (let j = 0; j < counts[k]; ++j, ++i) {
      const [px, py] = draw(k, classes, rng);
      x[2 * i] = px + noise * rng.normal();
      x[2 * i + 1] = py + noise * rng.normal();
      y[i] = k;
    }
  }
  return {x, y, inputs: 2, classes};
}

/**
 * A seeded 2-D classification dataset: shape, input noise, class imbalance, a stratified train/test
 * split and label noise on the training split. The same options always give the same numbers.
 */
export function toy2d(options: Toy2dOptions = {}): Dataset {
  const {
    shape = "blobs",
    n = 600,
    noise = 0.1,
    imbalance = 1,
    labelNoise = 0,
    labelNoiseKind = "symmetric",
    testFraction = 0.3,
    seed = 0
  } = options;
  if (!shapes.includes(shape)) throw new Error(`invalid shape: ${shape}`);
  if (!(Number.isInteger(n) && n >= 4)) throw new Error(`invalid n: ${n}`);
  if (!(noise >= 0)) throw new Error(`invalid noise: ${noise}`);
  const classes = shapeClasses(shape, options.classes ?? 3);
  if (!(Number.isInteger(classes) && classes >= 2)) throw new Error(`invalid classes: ${classes}`);
  const rng = random(seed).fork("data");
  const points = toyPoints(shape, imbalancedCounts(n, classes, imbalance), noise, rng.fork("points"));
  const {train, test} = stratifiedSplit(points, testFraction, rng.fork("split"));
  const noisy = corruptLabels(train, classes, labelNoise, labelNoiseKind, rng.fork("labels"));
  return {name: shape, inputs: 2, classes, train: noisy, test, noiseRate: measuredNoise(noisy)};
}
