import * as tf from "../tf.js";

/**
 * Per-sample state kept between training steps and keyed by sample id (e.g. ALDR-KL's λᵢ): a
 * float32 vector held in a non-trainable variable, so it stays on the backend (no readback per step)
 * and never enters the gradient tape — TF.js has no stopGradient, and a variable's `assign` is not
 * recorded. Losses read rows with `gather(ids)` and write them with `write(ids, values)`.
 */
export interface SampleState {
  /** Number of samples (ids run over 0 … size − 1). */
  readonly size: number;
  /** The value every sample starts with. */
  readonly initial: number;
  /** The state of the given samples, [B]; a new tensor (the caller's tidy scope owns it). */
  gather(ids: tf.Tensor1D): tf.Tensor1D;
  /** Replaces the state of the given samples with `values` [B]; ids in one call must be distinct. */
  write(ids: tf.Tensor1D, values: tf.Tensor1D): void;
  /** All values, read back (for views and tests). */
  read(): Promise<Float32Array>;
  readSync(): Float32Array;
  /** Sets every sample back to the initial value. */
  reset(): void;
  dispose(): void;
}

/** Creates per-sample state for `size` samples, all starting at `initial`. */
export function sampleState({size, initial = 0, name}: {size: number; initial?: number; name?: string}): SampleState {
  if (!Number.isInteger(size) || size < 1) throw new Error(`invalid size: ${size}`);
  if (!Number.isFinite(initial)) throw new Error(`invalid initial: ${initial}`);
  const variable = tf.tidy(() => tf.variable(tf.fill([size], initial), false, name));
  const check = (ids: tf.Tensor1D) => {
    if (!(ids instanceof tf.Tensor) || ids.rank !== 1 || ids.dtype !== "int32") {
      throw new Error(
        `sampleState: ids must be [B] int32, got ${ids instanceof tf.Tensor ? `[${ids.shape}] ${ids.dtype}` : typeof ids}`
      );
    }
  };
  return {
    size,
    initial,
    gather(ids) {
      check(ids);
      return tf.gather(variable, ids) as tf.Tensor1D;
    },
    write(ids, values) {
      check(ids);
      if (values.rank !== 1 || values.shape[0] !== ids.shape[0]) {
        throw new Error(`sampleState: values must be [${ids.shape[0]}], got [${values.shape}]`);
      }
      tf.tidy(() => {
        // new = old + scatter(ids, values − old[ids]); exact for distinct ids.
        const delta = tf.sub(tf.cast(values, "float32"), tf.gather(variable, ids));
        const update = tf.scatterND(tf.reshape(ids, [-1, 1]), delta, [size]);
        variable.assign(tf.add(variable, update));
      });
    },
    read: () => variable.data() as Promise<Float32Array>,
    readSync: () => variable.dataSync() as Float32Array,
    reset() {
      tf.tidy(() => variable.assign(tf.fill([size], initial)));
    },
    dispose() {
      variable.dispose();
    }
  };
}
