import {random} from "../random.js";

/**
 * Deterministic minibatch order: step t of a run takes batch t mod (n / B) of epoch ⌊t B / n⌋, each epoch
 * a fresh seeded permutation (the tail that does not fill a batch is dropped). A pure function of
 * (seed, step), so twin arms share it and a run restored from a checkpoint resumes the same order.
 */
export function batcher(n: number, batchSize: number, seed: number) {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`invalid dataset size: ${n}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`invalid batch size: ${batchSize}`);
  const size = Math.min(batchSize, n);
  const perEpoch = Math.floor(n / size);
  const stream = random(seed).fork("batches");
  let epoch = -1;
  let order: Int32Array = new Int32Array(0);
  return {
    size,
    perEpoch,
    /** Indices of the batch used at `step` (0-based). */
    at(step: number): Int32Array {
      const e = Math.floor(step / perEpoch);
      if (e !== epoch) {
        epoch = e;
        order = stream.fork(e).permutation(n);
      }
      const j = step % perEpoch;
      return order.subarray(j * size, (j + 1) * size);
    }
  };
}

/** What the trainer asks of a batch order: a fixed batch size and the rows of the batch at each step. */
export interface Batcher {
  size: number;
  /** Steps per nominal epoch (⌊n / size⌋). */
  perEpoch: number;
  at(step: number): Int32Array;
}

/**
 * How training batches are drawn (TrainOptions.sampler). "random": shuffled epochs (the default). "balanced": P classes
 * × K samples of each (PK sampling, the RandomIdentitySampler of metric learning: every anchor has positives).
 * "episodes": few-shot episodes of `ways` classes × (`shots` support + `queries` query samples), support first.
 */
export type SamplerSpec =
  | {kind: "random"}
  | {kind: "balanced"; classes: number; perClass: number}
  | {kind: "episodes"; ways: number; shots: number; queries: number};

/** The batcher a sampler spec describes over a split's labels (the batch size of "random" comes from `batchSize`). */
export function samplerFor(
  spec: SamplerSpec | undefined,
  labels: Int32Array,
  batchSize: number,
  seed: number
): Batcher {
  if (!spec || spec.kind === "random") return batcher(labels.length, batchSize, seed);
  if (spec.kind === "balanced") return balancedBatcher(labels, spec.classes, spec.perClass, seed);
  return episodeBatcher(labels, spec.ways, spec.shots, spec.queries, seed);
}

// The rows of each class, and the classes with at least `min` rows.
function rowsByClass(labels: Int32Array, min: number, what: string, wanted: number) {
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => {
    let rows = byClass.get(y);
    if (!rows) byClass.set(y, (rows = []));
    rows.push(i);
  });
  const eligible = [...byClass.keys()].filter((k) => byClass.get(k)!.length >= min).sort((a, b) => a - b);
  if (eligible.length < wanted) {
    throw new Error(
      `${what}: needs ${wanted} classes with at least ${min} samples each, but the training split has ${eligible.length}`
    );
  }
  return {byClass, eligible};
}

function checkCount(name: string, v: number, min = 1) {
  if (!(Number.isInteger(v) && v >= min)) throw new Error(`invalid ${name}: ${v} (an integer ≥ ${min} is needed)`);
}

/**
 * Class-balanced batches (P × K): each step draws `classes` distinct classes and `perClass` distinct samples of each,
 * grouped by class. A pure function of (seed, step), like `batcher`. Classes with fewer than `perClass` samples are
 * never drawn.
 */
export function balancedBatcher(labels: Int32Array, classes: number, perClass: number, seed: number): Batcher {
  checkCount("classes per batch", classes);
  checkCount("samples per class", perClass);
  const {byClass, eligible} = rowsByClass(labels, perClass, "balanced sampler", classes);
  const size = classes * perClass;
  const stream = random(seed).fork("balanced");
  return {
    size,
    perEpoch: Math.max(1, Math.floor(labels.length / size)),
    at(step) {
      const r = stream.fork(step);
      const picked = r.permutation(eligible.length).subarray(0, classes);
      const out = new Int32Array(size);
      picked.forEach((c, p) => {
        const rows = byClass.get(eligible[c])!;
        const order = r.permutation(rows.length);
        for (let k = 0; k < perClass; ++k) out[p * perClass + k] = rows[order[k]];
      });
      return out;
    }
  };
}

/**
 * Few-shot episodes: each step draws `ways` classes and `shots + queries` distinct samples of each; the batch holds all
 * support samples first (class by class, `shots` each), then all queries (class by class), so that a constant
 * `episodeSupport(ways, shots, queries)` marks the support rows of every episode.
 */
export function episodeBatcher(
  labels: Int32Array,
  ways: number,
  shots: number,
  queries: number,
  seed: number
): Batcher {
  checkCount("ways", ways, 2);
  checkCount("shots", shots);
  checkCount("queries", queries);
  const per = shots + queries;
  const {byClass, eligible} = rowsByClass(labels, per, "episode sampler", ways);
  const size = ways * per;
  const stream = random(seed).fork("episodes");
  return {
    size,
    perEpoch: Math.max(1, Math.floor(labels.length / size)),
    at(step) {
      const r = stream.fork(step);
      const picked = r.permutation(eligible.length).subarray(0, ways);
      const out = new Int32Array(size);
      picked.forEach((c, w) => {
        const rows = byClass.get(eligible[c])!;
        const order = r.permutation(rows.length);
        for (let k = 0; k < shots; ++k) out[w * shots + k] = rows[order[k]];
        for (let k = 0; k < queries; ++k) out[ways * shots + w * queries + k] = rows[order[shots + k]];
      });
      return out;
    }
  };
}

/** The support mask of `episodeBatcher`'s batches: 1 for the first ways · shots rows, 0 for the queries. */
export function episodeSupport(ways: number, shots: number, queries: number): Float32Array {
  const out = new Float32Array(ways * (shots + queries));
  out.fill(1, 0, ways * shots);
  return out;
}
