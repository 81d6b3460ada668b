import * as tf from "../tf.js";
import type {LossInputs} from "./defineLoss.js";

/**
 * What values an input holds. The checks use it for label ranges; the registry-wide tests use it to
 * draw valid random inputs for every loss; the docs show it.
 * - real: any finite float; cosine: in [−1, 1]; unit-interval: in [0, 1]; positive: > 0;
 * - probabilities: non-negative rows that sum to 1; multi-hot: 0/1 floats; unit-rows: rows of L2 norm 1;
 * - class-index: int32 in [0, C); sample-id: int32 ≥ 0; mask: 0/1 floats; sign: floats in {−1, +1}.
 */
export type ValueKind =
  | "real"
  | "cosine"
  | "unit-interval"
  | "positive"
  | "probabilities"
  | "multi-hot"
  | "unit-rows"
  | "class-index"
  | "sample-id"
  | "mask"
  | "sign";

/** An input's declaration: shape with named dimensions ("[B, C]"; B and C are shared across inputs), dtype, values and doc. */
export interface InputSpec {
  shape: string;
  dtype: "float32" | "int32";
  values: ValueKind;
  doc: string;
}

/** The canonical inputs: the same name means the same thing for every loss. */
export const canonicalInputs: Readonly<Record<string, InputSpec>> = Object.freeze({
  logits: {shape: "[B, C]", dtype: "float32", values: "real", doc: "unnormalised class scores"},
  labels: {shape: "[B]", dtype: "int32", values: "class-index", doc: "class index of each sample"},
  targets: {shape: "[B, C]", dtype: "float32", values: "multi-hot", doc: "multi-hot targets (multi-label)"},
  embeddings: {shape: "[B, D]", dtype: "float32", values: "real", doc: "one embedding per sample"},
  teacherLogits: {shape: "[B, C]", dtype: "float32", values: "real", doc: "the teacher's class scores"},
  probs: {shape: "[B, C]", dtype: "float32", values: "probabilities", doc: "predicted class probabilities"},
  weights: {shape: "[B]", dtype: "float32", values: "positive", doc: "per-sample weights: Σ wᵢℓᵢ / Σ wᵢ"},
  ids: {shape: "[B]", dtype: "int32", values: "sample-id", doc: "sample ids, keys of per-sample state"}
} satisfies Record<string, InputSpec>);

/** The named dimensions of a shape string: "[B, C]" → ["B", "C"], "[]" → []. */
export function dimensions(shape: string): string[] {
  const inner = shape
    .trim()
    .replace(/^\[|\]$/g, "")
    .trim();
  return inner === "" ? [] : inner.split(",").map((d) => d.trim());
}

/**
 * Checks a loss's inputs against their declarations: presence of the required ones, rank, dtype,
 * consistent named dimensions across inputs (every B is the same batch size, every C the same class
 * count) and, on backends whose data is already on the CPU, the range of class indices. Errors name the
 * loss and the argument and give the expected and actual shape; nothing is silently broadcast.
 */
export function checkInputs(
  loss: string,
  inputs: LossInputs,
  needs: readonly string[],
  specs: Readonly<Record<string, InputSpec>> = canonicalInputs
): void {
  if (inputs === null || typeof inputs !== "object") throw new Error(`${loss}: inputs must be an object of tensors`);
  const sizes = new Map<string, {size: number; from: string}>();
  for (const name of needs) {
    if (inputs[name] === undefined) {
      const spec = specs[name];
      const expected = spec
        ? ` (expected ${spec.shape} ${spec.dtype})`
        : name === "state"
          ? " (per-sample state: create it with sampleState({size, initial}))"
          : "";
      throw new Error(`${loss}: missing input ${name}${expected}`);
    }
  }
  for (const [name, t] of Object.entries(inputs)) {
    if (t === undefined || name === "state") continue;
    const spec = specs[name];
    if (!spec) continue;
    if (!(t instanceof tf.Tensor)) throw new Error(`${loss}: ${name} must be a tensor ${spec.shape} ${spec.dtype}`);
    const dims = dimensions(spec.shape);
    if (t.rank !== dims.length || t.dtype !== spec.dtype) {
      throw new Error(`${loss}: ${name} must be ${spec.shape} ${spec.dtype}, got [${t.shape}] ${t.dtype}`);
    }
    dims.forEach((dim, axis) => {
      const size = t.shape[axis];
      if (/^\d+$/.test(dim)) {
        if (size !== Number(dim)) throw new Error(`${loss}: ${name} must be ${spec.shape}, got [${t.shape}]`);
        return;
      }
      const seen = sizes.get(dim);
      if (!seen) sizes.set(dim, {size, from: name});
      else if (seen.size !== size) {
        const what = dim === "B" ? "batch size" : dim === "C" ? "classes" : `${dim} =`;
        throw new Error(
          `${loss}: ${name} has ${what} ${size}, expected ${seen.size} as in ${seen.from} (shape ${spec.shape}, got [${t.shape}])`
        );
      }
    });
  }
  if (!cpuResident()) return;
  for (const [name, t] of Object.entries(inputs)) {
    const spec = specs[name];
    if (!spec || spec.values !== "class-index" || !(t instanceof tf.Tensor)) continue;
    // The class count is dimension C, or the width of logits declared with a fixed width (binary [B, 2]).
    const classes = sizes.get("C")?.size ?? (inputs.logits instanceof tf.Tensor ? inputs.logits.shape[1] : undefined);
    if (classes === undefined) continue;
    const values = t.dataSync();
    for (let i = 0; i < values.length; ++i) {
      if (!(values[i] >= 0 && values[i] < classes)) {
        throw new Error(`${loss}: ${name}[${i}] = ${values[i]} is out of range [0, ${classes})`);
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
