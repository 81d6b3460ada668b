import {random} from "../random.js";
import {stratifiedSplit, take} from "./dataset.js";
import type {Dataset, Points} from "./dataset.js";

export interface GaussianClassesOptions {
  /** Number of classes (≥ 2). */
  classes?: number;
  /** Input dimension. */
  dims?: number;
  /** Samples per class. */
  perClass?: number;
  /** Standard deviation of each class around its centre, per coordinate. */
  spread?: number;
  /** Distance scale of the class centres: centres are drawn N(0, separation² I). */
  separation?: number;
  /**
   * Group the classes into this many superclasses whose centres are `separation` apart, with the classes of a
   * superclass `closeness · separation` from their superclass centre: semantically close classes (0 for none).
   */
  superclasses?: number;
  closeness?: number;
  /**
   * Open-set retrieval: the classes below this number form the training split and the others the test split, so
   * that retrieval is measured on classes never trained on (0: a stratified split over all classes).
   */
  trainClasses?: number;
  /** Test fraction of the stratified split (closed-set only). */
  testFraction?: number;
  seed?: number;
}

/** The superclass of each class under `GaussianClassesOptions.superclasses` (round-robin: class k → k mod S). */
export function superclassOf(k: number, superclasses: number): number {
  return superclasses > 0 ? k % superclasses : k;
}

/**
 * Isotropic Gaussian classes in `dims` dimensions, the toy data of metric and contrastive learning: closed-set (a
 * stratified split over all classes) or open-set (train on the first `trainClasses` classes, retrieve on the rest).
 * Superclasses put several classes near each other, for tolerance and semantic closeness. Ids are the rows of the
 * generated points, unique across both splits.
 */
export function gaussianClasses(options: GaussianClassesOptions = {}): Dataset {
  const {
    classes = 16,
    dims = 8,
    perClass = 40,
    spread = 0.5,
    separation = 2,
    superclasses = 0,
    closeness = 0.35,
    trainClasses = 0,
    testFraction = 0.25,
    seed = 0
  } = options;
  if (!(Number.isInteger(classes) && classes >= 2)) throw new Error(`gaussianClasses: invalid classes: ${classes}`);
  if (!(Number.isInteger(dims) && dims >= 1)) throw new Error(`gaussianClasses: invalid dims: ${dims}`);
  if (!(Number.isInteger(perClass) && perClass >= 2)) throw new Error(`gaussianClasses: invalid perClass: ${perClass}`);
  if (!(spread > 0 && separation > 0)) throw new Error("gaussianClasses: spread and separation must be positive");
  if (!(Number.isInteger(trainClasses) && trainClasses >= 0 && trainClasses < classes)) {
    throw new Error(`gaussianClasses: invalid trainClasses: ${trainClasses} (0 … ${classes - 1})`);
  }
  const rng = random(seed).fork("gaussian-classes");
  const centreRng = rng.fork("centres");
  const supers = superclasses > 0 ? Array.from({length: superclasses}, () => centreRng.normals(dims, separation)) : [];
  const centres = Array.from({length: classes}, (_, k) => {
    const own = centreRng.normals(dims, superclasses > 0 ? closeness * separation : separation);
    if (superclasses > 0) {
      const s = supers[superclassOf(k, superclasses)];
      for (let j = 0; j < dims; ++j) own[j] += s[j];
    }
    return own;
  });
  const n = classes * perClass;
  const x = new Float32Array(n * dims);
  const y = new Int32Array(n);
  const noise = rng.fork("samples");
  for (let k = 0; k < classes; ++k) {
    for (let i = 0; i < perClass; ++i) {
      const row = k * perClass + i;
      y[row] = k;
      for (let j = 0; j < dims; ++j) x[row * dims + j] = centres[k][j] + spread * noise.normal();
    }
  }
  const points: Points = {x, y, inputs: dims, classes};
  let train, test;
  if (trainClasses > 0) {
    const order = rng.fork("order").permutation(n);
    const seen = Array.from(order).filter((r) => y[r] < trainClasses);
    const unseen = Array.from(order).filter((r) => y[r] >= trainClasses);
    train = take(points, seen);
    test = take(points, unseen);
  } else ({train, test} = stratifiedSplit(points, testFraction, rng.fork("split")));
  return {
    name: `gaussian-${classes}x${dims}d${trainClasses ? `-open${trainClasses}` : ""}`,
    inputs: dims,
    classes,
    train,
    test,
    noiseRate: 0
  };
}
