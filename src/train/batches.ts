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
