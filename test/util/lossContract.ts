// The registry-wide contract every loss meets, as one function a loss's test file calls:
// metadata and schema complete, finite values and gradients on valid random inputs and on inputs of
// magnitude 50, autograd agreeing with float32 central differences, no leaked tensors, and shape
// errors that name the loss and the argument. Inputs are drawn from the loss's own declarations
// (InputSpec: named dimensions and value kinds), so a new loss gets the whole contract for free.
import {describe, expect, test as vitestTest} from "vitest";
import * as tf from "../../src/tf.js";
import {dimensions} from "../../src/losses/checks.js";
import type {InputSpec} from "../../src/losses/checks.js";
import type {LossInputs, LossSpec} from "../../src/losses/defineLoss.js";
import type {Schema} from "../../src/params/schema.js";
import {random} from "../../src/random.js";
import {sampleState} from "../../src/losses/state.js";
import {gradcheck} from "./gradcheck.js";

export interface ContractOptions {
  /** Sizes of named dimensions (default B 8, C 4, D 3, any other 3). */
  dims?: Record<string, number>;
  /** Parameter sets to run the value checks with (default: the defaults only). */
  params?: object[];
  /** Replaces the random draw for named inputs (plain arrays, turned into tensors of the declared shape). */
  fixed?: (dims: Record<string, number>) => Record<string, Float32Array | Int32Array>;
  /** Inputs to gradcheck (default: every needed float input of kind real or cosine). */
  gradInputs?: string[];
  /** Skip the float32 finite-difference check (e.g. a piecewise-constant surrogate); say why. */
  noGradcheck?: string;
  /** Magnitude for the stability check (default 50). */
  large?: number;
  /** Extra keyword for the state-keeping losses: builds the `state` input. */
  state?: (dims: Record<string, number>) => LossInputs["state"];
}

const defaultDims: Record<string, number> = {B: 8, C: 4, D: 3};

function sizeOf(dim: string, dims: Record<string, number>): number {
  if (/^\d+$/.test(dim)) return Number(dim);
  return dims[dim] ?? 3;
}

/** Draws plain values for one input from its declaration. */
export function drawInput(
  name: string,
  spec: InputSpec,
  dims: Record<string, number>,
  seed: number
): {shape: number[]; data: Float32Array | Int32Array} {
  const shape = dimensions(spec.shape).map((d) => sizeOf(d, dims));
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = random(seed).fork(name);
  const rows = shape[0] ?? 1;
  const cols = n / Math.max(rows, 1);
  switch (spec.values) {
    case "real":
      return {shape, data: Float32Array.from(rng.normals(n), (v) => 1.5 * v)};
    case "cosine":
      return {shape, data: Float32Array.from(rng.uniforms(n, -0.9, 0.9))};
    case "unit-interval":
      return {shape, data: Float32Array.from(rng.uniforms(n, 0.05, 0.95))};
    case "positive":
      return {shape, data: Float32Array.from(rng.uniforms(n, 0.5, 1.5))};
    case "probabilities": {
      const z = rng.normals(n);
      const out = new Float32Array(n);
      for (let i = 0; i < rows; ++i) {
        let s = 0;
        for (let k = 0; k < cols; ++k) s += Math.exp(z[i * cols + k]);
        for (let k = 0; k < cols; ++k) out[i * cols + k] = Math.exp(z[i * cols + k]) / s;
      }
      return {shape, data: out};
    }
    case "unit-rows": {
      const z = rng.normals(n);
      const out = new Float32Array(n);
      for (let i = 0; i < rows; ++i) {
        let s = 0;
        for (let k = 0; k < cols; ++k) s += z[i * cols + k] ** 2;
        for (let k = 0; k < cols; ++k) out[i * cols + k] = z[i * cols + k] / Math.sqrt(s);
      }
      return {shape, data: out};
    }
    case "multi-hot":
    case "mask": {
      const u = rng.uniforms(n, 0, 1);
      const out = Float32Array.from(u, (v) => (v < 0.4 ? 1 : 0));
      // Every row has at least one 1 (a sample with no label is a separate edge case).
      for (let i = 0; i < rows; ++i) out[i * cols + (i % cols)] = 1;
      return {shape, data: out};
    }
    case "class-index": {
      const classes = dims.C ?? 4;
      return {shape, data: Int32Array.from({length: n}, (_, i) => i % classes)};
    }
    case "sign":
      return {shape, data: Float32Array.from({length: n}, (_, i) => (i % 2 ? -1 : 1))};
    case "sample-id":
      return {shape, data: Int32Array.from({length: n}, (_, i) => i)};
  }
}

/** Random valid inputs for a loss, as plain arrays with shapes. */
export function drawInputs(
  loss: LossSpec<any>,
  options: ContractOptions = {},
  seed = 1
): Record<string, {shape: number[]; data: Float32Array | Int32Array; spec: InputSpec}> {
  let dims = {...defaultDims, ...options.dims};
  // Losses whose logits have a fixed width (binary [B, 2]) draw labels in that range.
  const width = dimensions(loss.inputSpecs.logits?.shape ?? "[]")[1];
  if (width !== undefined && /^\d+$/.test(width)) dims = {...dims, C: Number(width)};
  const fixed = options.fixed?.(dims) ?? {};
  const out: Record<string, {shape: number[]; data: Float32Array | Int32Array; spec: InputSpec}> = {};
  for (const name of loss.needs) {
    if (name === "state") continue;
    const spec = loss.inputSpecs[name];
    const drawn = drawInput(name, spec, dims, seed);
    if (fixed[name]) drawn.data = fixed[name];
    out[name] = {...drawn, spec};
  }
  return out;
}

function toTensors(drawn: ReturnType<typeof drawInputs>): LossInputs {
  const inputs: LossInputs = {};
  for (const [name, {shape, data, spec}] of Object.entries(drawn)) inputs[name] = tf.tensor(data, shape, spec.dtype);
  return inputs;
}

function valueOf(loss: LossSpec<any>, inputs: LossInputs, params?: object): number {
  return tf.tidy(() => loss.fn(inputs, params).dataSync()[0]);
}

/** A named check that throws when the loss breaks its contract. */
export interface ContractCheck {
  name: string;
  run(): void;
}

/** The contract checks for one loss, as plain functions (lossContract registers them as tests). */
export function contractChecks(loss: LossSpec<any>, givenOptions: ContractOptions = {}): ContractCheck[] {
  const checks: ContractCheck[] = [];
  const test = (name: string, run: () => void) => checks.push({name, run});
  const dims = {...defaultDims, ...givenOptions.dims};
  // A loss that needs per-sample state gets a fresh one (one entry per sample id) unless told otherwise.
  const options: ContractOptions =
    loss.needs.includes("state") && !givenOptions.state
      ? {...givenOptions, state: (d) => sampleState({size: Math.max(64, d.B)})}
      : givenOptions;
  const withState = (inputs: LossInputs) => {
    if (options.state) inputs.state = options.state(dims);
    return inputs;
  };
  const release = (inputs: LossInputs) => {
    for (const [name, t] of Object.entries(inputs)) {
      if (name === "state") (t as {dispose(): void}).dispose();
      else (t as tf.Tensor).dispose();
    }
  };
  test("metadata and schema are complete", () => {
    expect(loss.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const key of ["title", "tex", "cite", "summary"] as const) {
      expect(typeof loss[key] === "string" && loss[key].length > 0, `${key} is empty`).toBe(true);
    }
    if (loss.paper) {
      for (const key of ["title", "authors", "venue", "url"] as const) expect(loss.paper[key], key).toBeTruthy();
      expect(loss.paper.year).toBeGreaterThan(1950);
    }
    for (const [key, spec] of Object.entries(loss.schema as Schema)) {
      expect(spec.doc, `${key}.doc`).toBeTruthy();
      if (spec.type === "number" || spec.type === "int") {
        expect(spec.min, `${key}.min`).toBeTypeOf("number");
        expect(spec.max, `${key}.max`).toBeTypeOf("number");
        expect(spec.step, `${key}.step`).toBeTypeOf("number");
        if (spec.type === "number") expect(spec.symbol, `${key}.symbol (KaTeX)`).toBeTruthy();
      }
    }
    for (const [name, spec] of Object.entries(loss.inputSpecs)) expect(spec.doc, `input ${name}.doc`).toBeTruthy();
  });

  for (const params of options.params ?? [{}]) {
    test(`fn(inputs, ${JSON.stringify(params)}) is finite, deterministic and leaks no tensors`, () => {
      const inputs = withState(toTensors(drawInputs(loss, options)));
      const before = tf.memory().numTensors;
      const a = valueOf(loss, inputs, params);
      expect(tf.memory().numTensors, "tensors leaked by fn").toBe(before);
      expect(Number.isFinite(a), `value ${a}`).toBe(true);
      if (!options.state) expect(valueOf(loss, inputs, params)).toBe(a);
      release(inputs);
    });
  }

  const gradNames =
    options.gradInputs ??
    loss.needs.filter((n) => {
      const s = loss.inputSpecs[n];
      return s !== undefined && s.dtype === "float32" && (s.values === "real" || s.values === "cosine");
    });

  for (const name of gradNames) {
    test(`gradient with respect to ${name} is finite at magnitude ${options.large ?? 50}`, () => {
      const drawn = drawInputs(loss, options, 2);
      const large = options.large ?? 50;
      for (const [n, d] of Object.entries(drawn)) {
        if (d.spec.values !== "real") continue;
        // Saturate: every real value becomes ±large, the worst case for gaps (2·large) within the bound.
        d.data = (d.data as Float32Array).map((v) => (v < 0 ? -large : large));
      }
      const inputs = withState(toTensors(drawn));
      const [v, g] = tf.tidy(() => {
        const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => loss.fn({...inputs, [name]: x}))(
          inputs[name] as tf.Tensor
        );
        return [value.dataSync()[0], grad.dataSync()];
      });
      expect(Number.isFinite(v), `value ${v}`).toBe(true);
      expect(Array.from(g).every(Number.isFinite), "gradient has NaN or Inf").toBe(true);
      release(inputs);
    });
    if (options.noGradcheck) continue;
    test(`autograd with respect to ${name} matches float32 central differences`, () => {
      const inputs = withState(toTensors(drawInputs(loss, options, 3)));
      // State-keeping losses update their state on every call: compare from a fixed state.
      // so each evaluation gets a fresh state, disposed at the end.
      const states: NonNullable<LossInputs["state"]>[] = [];
      const f = (x: tf.Tensor) => {
        const state = options.state?.(dims);
        if (state) states.push(state);
        return loss.fn({...inputs, ...(state ? {state} : {}), [name]: x});
      };
      gradcheck(f, null, inputs[name] as tf.Tensor);
      for (const state of states) state.dispose();
      release(inputs);
    });
  }

  const second = loss.needs.filter((n) => n !== "state" && dimensions(loss.inputSpecs[n].shape)[0] === "B")[1];
  if (second) {
    test(`a batch mismatch in ${second} throws naming ${loss.id} and ${second}`, () => {
      const drawn = drawInputs(loss, options);
      const d = drawn[second];
      const per = d.data.length / d.shape[0];
      d.data = d.data.slice(0, d.data.length - per);
      d.shape = [d.shape[0] - 1, ...d.shape.slice(1)];
      const inputs = withState(toTensors(drawn));
      expect(() => valueOf(loss, inputs)).toThrow(new RegExp(`^${loss.id}: ${second} has batch size`));
      release(inputs);
    });
  }
  if (loss.needs.length > 0 && loss.needs[0] !== "state") {
    test(`a missing ${loss.needs[0]} throws naming it`, () => {
      const inputs = withState(toTensors(drawInputs(loss, options)));
      const {[loss.needs[0]]: missing, ...rest} = inputs;
      expect(() => valueOf(loss, rest)).toThrow(`${loss.id}: missing input ${loss.needs[0]}`);
      release(inputs);
    });
  }
  return checks;
}

/** Registers the contract tests for one loss. */
export function lossContract(loss: LossSpec<any>, options: ContractOptions = {}): void {
  describe(`${loss.id}: registry contract`, () => {
    for (const check of contractChecks(loss, options)) vitestTest(check.name, check.run);
  });
}
