/**
 * Parameter vectors for the loss landscape: a model's weights (the Float32Array[] of `model.read()`, in
 * `variables` order) as one float64 vector and back, with the few vector operations the landscape needs.
 * The landscape works in float64 on the CPU (directions, projections, PCA) and hands float32 to TF.js.
 */

/** Where each weight tensor lives in the flat vector: its shape and offset, in `variables` order. */
export interface ParamLayout {
  readonly shapes: readonly (readonly number[])[];
  readonly offsets: readonly number[];
  /** Total number of parameters. */
  readonly size: number;
}

/** The layout of weights with these shapes (e.g. `mlpShapes(config)` or `model.variables.map((v) => v.shape)`). */
export function paramLayout(shapes: readonly (readonly number[])[]): ParamLayout {
  const offsets: number[] = [];
  let size = 0;
  for (const shape of shapes) {
    if (!shape.every((d) => Number.isInteger(d) && d >= 1)) throw new Error(`paramLayout: invalid shape: [${shape}]`);
    offsets.push(size);
    size += shape.reduce((a, b) => a * b, 1);
  }
  return Object.freeze({shapes: shapes.map((s) => Object.freeze([...s])), offsets, size});
}

/** The layout of a model's variables. */
export function layoutOf(model: {readonly variables: readonly {readonly shape: readonly number[]}[]}): ParamLayout {
  return paramLayout(model.variables.map((v) => v.shape));
}

/** Number of values in weight `i` of the layout. */
export function weightSize(layout: ParamLayout, i: number): number {
  return (i + 1 < layout.offsets.length ? layout.offsets[i + 1] : layout.size) - layout.offsets[i];
}

/** Concatenates weight arrays (as from `model.read()`) into one float64 vector; the layout checks their sizes. */
export function flattenWeights(weights: readonly ArrayLike<number>[], layout?: ParamLayout): Float64Array {
  if (layout) {
    if (weights.length !== layout.shapes.length) {
      throw new Error(`flattenWeights: expected ${layout.shapes.length} weight arrays, got ${weights.length}`);
    }
    weights.forEach((w, i) => {
      if (w.length !== weightSize(layout, i)) {
        throw new Error(`flattenWeights: weight ${i} has ${w.length} values, expected ${weightSize(layout, i)}`);
      }
    });
  }
  const out = new Float64Array(weights.reduce((n, w) => n + w.length, 0));
  let k = 0;
  for (const w of weights) {
    for (let j = 0; j < w.length; ++j) out[k + j] = w[j];
    k += w.length;
  }
  return out;
}

/** Splits a flat vector into float32 weight arrays in layout order (ready for `model.write`). */
export function unflattenWeights(flat: ArrayLike<number>, layout: ParamLayout): Float32Array[] {
  checkLength("unflattenWeights", flat, layout.size);
  return layout.shapes.map((_, i) => {
    const offset = layout.offsets[i];
    const out = new Float32Array(weightSize(layout, i));
    for (let j = 0; j < out.length; ++j) out[j] = flat[offset + j];
    return out;
  });
}

function checkLength(name: string, v: ArrayLike<number>, n: number): void {
  if (v.length !== n) throw new Error(`${name}: expected ${n} values, got ${v.length}`);
}

/** ⟨a, b⟩ in float64. */
export function paramDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLength("paramDot", b, a.length);
  let s = 0;
  for (let i = 0; i < a.length; ++i) s += a[i] * b[i];
  return s;
}

/** Euclidean norm ‖v‖ in float64. */
export function paramNorm(v: ArrayLike<number>): number {
  return Math.sqrt(paramDot(v, v));
}

/** a − b. */
export function paramSubtract(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  checkLength("paramSubtract", b, a.length);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; ++i) out[i] = a[i] - b[i];
  return out;
}

/** s · v. */
export function paramScale(v: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; ++i) out[i] = s * v[i];
  return out;
}

/** origin + a·d1 + b·d2 (d2 optional): a point of a line or plane in parameter space. */
export function planePoint(
  origin: ArrayLike<number>,
  a: number,
  d1: ArrayLike<number>,
  b = 0,
  d2?: ArrayLike<number>
): Float64Array {
  checkLength("planePoint", d1, origin.length);
  if (d2) checkLength("planePoint", d2, origin.length);
  const out = new Float64Array(origin.length);
  for (let i = 0; i < out.length; ++i) out[i] = origin[i] + a * d1[i] + (d2 ? b * d2[i] : 0);
  return out;
}
