import * as tf from "../tf.js";
import type {InputName, LossInputs} from "./defineLoss.js";

const expected: Record<InputName, {rank: number; dtype: "float32" | "int32"; shape: string}> = {
  logits: {rank: 2, dtype: "float32", shape: "[B, C]"},
  labels: {rank: 1, dtype: "int32", shape: "[B]"},
  targets: {rank: 2, dtype: "float32", shape: "[B, C]"},
  embeddings: {rank: 2, dtype: "float32", shape: "[B, D]"},
  teacherLogits: {rank: 2, dtype: "float32", shape: "[B, C]"},
  probs: {rank: 2, dtype: "float32", shape: "[B, C]"},
  weights: {rank: 1, dtype: "float32", shape: "[B]"},
  ids: {rank: 1, dtype: "int32", shape: "[B]"}
};

/**
 * Checks a loss's inputs: presence, rank, dtype, a common batch size, a common class count and (on
 * backends whose data is already on the CPU) the label range. Errors name the loss and the argument and
 * give the expected and actual shape; nothing is silently broadcast.
 */
export function checkInputs(loss: string, inputs: LossInputs, needs: readonly InputName[]): void {
  let batch: number | undefined;
  let classes: number | undefined;
  const names = new Set<InputName>([...needs, ...(Object.keys(inputs) as InputName[])]);
  for (const name of names) {
    const t = inputs[name] as tf.Tensor | undefined;
    const spec = expected[name];
    if (!spec) continue;
    if (t === undefined) {
      if (needs.includes(name))
        throw new Error(`${loss}: missing input ${name} (expected ${spec.shape} ${spec.dtype})`);
      continue;
    }
    if (!(t instanceof tf.Tensor)) throw new Error(`${loss}: ${name} must be a tensor ${spec.shape} ${spec.dtype}`);
    if (t.rank !== spec.rank || t.dtype !== spec.dtype) {
      throw new Error(`${loss}: ${name} must be ${spec.shape} ${spec.dtype}, got [${t.shape}] ${t.dtype}`);
    }
    if (batch === undefined) batch = t.shape[0];
    else if (t.shape[0] !== batch) {
      throw new Error(
        `${loss}: ${name} has batch size ${t.shape[0]}, expected ${batch} (shape ${spec.shape}, got [${t.shape}])`
      );
    }
    if (name === "logits" || name === "targets" || name === "teacherLogits" || name === "probs") {
      if (classes === undefined) classes = t.shape[1];
      else if (t.shape[1] !== classes) {
        throw new Error(`${loss}: ${name} has ${t.shape[1]} classes, expected ${classes} (got [${t.shape}])`);
      }
    }
  }
  const labels = inputs.labels;
  if (labels && classes !== undefined && cpuResident()) {
    const values = labels.dataSync();
    for (let i = 0; i < values.length; ++i) {
      if (!(values[i] >= 0 && values[i] < classes)) {
        throw new Error(`${loss}: labels[${i}] = ${values[i]} is out of range [0, ${classes})`);
      }
    }
  }
}

// Label ranges are checked where reading labels is free; on GPU backends a check would cost a
// readback per step, and the trainer validates labels once when the dataset is uploaded.
function cpuResident(): boolean {
  const name = tf.getBackend();
  return name === "cpu" || name === "wasm";
}
