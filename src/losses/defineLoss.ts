import * as tf from "../tf.js";
import {resolveParams} from "../params/schema.js";
import type {Params, Schema} from "../params/schema.js";
import {canonicalInputs, checkInputs} from "./checks.js";
import type {InputSpec} from "./checks.js";
import {reduceTerms} from "./reducers.js";
import type {SampleState} from "./state.js";

/**
 * The inputs of a loss. The canonical names below mean the same thing for every loss; a loss that
 * needs something else declares it, with its shape and meaning, in its definition's `inputs`
 * (e.g. `prototypes` [C, D], `otherEmbeddings` [B, D]). Shapes are checked on entry.
 */
export interface LossInputs {
  /** [B, C] float32 scores. */
  logits?: tf.Tensor2D;
  /** [B] int32 class indices. */
  labels?: tf.Tensor1D;
  /** [B, C] float32 multi-hot targets. */
  targets?: tf.Tensor2D;
  /** [B, D] float32. */
  embeddings?: tf.Tensor2D;
  /** [B, C] float32 teacher scores (distillation). */
  teacherLogits?: tf.Tensor2D;
  /** [B, C] float32 probabilities. */
  probs?: tf.Tensor2D;
  /** [B] float32 per-sample weights: the batch loss becomes Σ wᵢℓᵢ / Σ wᵢ. */
  weights?: tf.Tensor1D;
  /** [B] int32 sample ids, for losses that keep per-sample state. */
  ids?: tf.Tensor1D;
  /** Per-sample state kept between steps, outside the gradient tape (see state.ts). */
  state?: SampleState;
  /** Inputs a loss declares itself (see LossDefinition.inputs). */
  [extra: string]: tf.Tensor | SampleState | undefined;
}
export type InputName = string;

export type Family = "classification" | "metric" | "distillation" | "calibration" | "flips" | "robustness";

/** The loss families in display order, with their titles. */
export const lossFamilies: readonly {id: Family; title: string}[] = [
  {id: "classification", title: "Classification"},
  {id: "metric", title: "Metric and contrastive learning"},
  {id: "distillation", title: "Distillation"},
  {id: "flips", title: "Model updates without negative flips"},
  {id: "calibration", title: "Calibration"},
  {id: "robustness", title: "Robustness"}
];

/**
 * How a term's values become one number. "mean" is the (weighted) mean; "mean-nonzero" divides the
 * (weighted) sum by the number of positive (weighted) values, as pytorch-metric-learning's
 * AvgNonZeroReducer does; "sum" adds them up. With 0/1 weights (a miner's mask) the masked-out
 * values do not count; a term with nothing to count reduces to 0 with a zero gradient.
 */
export type Reduction = "mean" | "mean-nonzero" | "sum";

/** Unreduced loss values: per element, per pair or per triplet, with optional weights or a 0/1 mask. */
export interface Term {
  values: tf.Tensor;
  kind: "element" | "pair" | "triplet";
  weights?: tf.Tensor;
  /** Default "mean". */
  reduce?: Reduction;
}

export interface Paper {
  title: string;
  authors: string;
  venue: string;
  year: number;
  url: string;
}

export interface LossDefinition<S extends Schema> {
  /** Stable kebab-case id, the registry key. */
  id: string;
  title: string;
  family: Family;
  paper: Paper | null;
  /** Official implementation as "owner/repo:path", when one exists. */
  code?: string;
  schema: S;
  /** The inputs the loss requires; the trainer passes these. */
  needs: readonly InputName[];
  /**
   * Inputs beyond the canonical ones (or a canonical one with a narrower meaning, e.g. logits that
   * must be cosines): shape with named dimensions, dtype, the kind of values, and a one-line doc.
   */
  inputs?: Readonly<Record<string, InputSpec>>;
  /** The objective in KaTeX, per sample unless stated. */
  tex: string;
  /** Where the formula comes from, e.g. "Lin et al. 2017, eq. 5". */
  cite: string;
  /** One sentence on what the loss does. */
  summary: string;
  /** Unreduced terms; runs inside the caller's tidy scope. */
  terms(inputs: LossInputs, params: Params<S>): Record<string, Term>;
  /**
   * Work after the value is computed, outside the gradient tape's reach: e.g. ALDR-KL writes its
   * per-sample λ into `inputs.state`. Runs inside `fn` after reduction; must not return tensors.
   */
  after?(inputs: LossInputs, params: Params<S>, terms: Record<string, Term>): void;
}

export interface LossSpec<S extends Schema = Schema> extends Readonly<Omit<LossDefinition<S>, "terms" | "after">> {
  /** The batch loss, reduced (batch mean unless the loss defines otherwise); tidy-scoped. */
  fn(inputs: LossInputs, params?: Partial<Params<S>>): tf.Scalar;
  /** Unreduced terms for views (per-sample losses); tidy-scoped, the caller disposes them. */
  terms(inputs: LossInputs, params?: Partial<Params<S>>): Record<string, Term>;
  /** A copy whose defaults are replaced by `params` (the original is unchanged). */
  with(params: Partial<Params<S>>): LossSpec<S>;
  /** Every input the loss reads (canonical and declared), with shapes and docs, for documentation. */
  readonly inputSpecs: Readonly<Record<string, InputSpec>>;
}

/**
 * Turns a definition into a registry entry: checks inputs (shapes, dtypes, label range), resolves
 * parameters against the schema, and reduces the terms. A loss file only writes `terms`.
 */
export function defineLoss<const S extends Schema>(definition: LossDefinition<S>): LossSpec<S> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(definition.id)) throw new Error(`invalid loss id: ${definition.id}`);
  const declared = definition.inputs ?? {};
  const inputSpecs: Record<string, InputSpec> = {};
  for (const name of new Set([...definition.needs, ...Object.keys(declared)])) {
    if (name === "state") continue; // not a tensor: a SampleState, checked for presence only
    const spec = declared[name] ?? canonicalInputs[name];
    if (!spec) throw new Error(`${definition.id}: input ${name} is neither canonical nor declared in inputs`);
    inputSpecs[name] = spec;
  }
  for (const [name, spec] of Object.entries(canonicalInputs)) if (!(name in inputSpecs)) inputSpecs[name] = spec;
  const {after} = definition;
  const build = (schema: S): LossSpec<S> => {
    const resolve = (params?: Partial<Params<S>>) => {
      try {
        return resolveParams(schema, params);
      } catch (error) {
        throw new Error(`${definition.id}: ${(error as Error).message}`);
      }
    };
    const terms = (inputs: LossInputs, params?: Partial<Params<S>>) => {
      checkInputs(definition.id, inputs, definition.needs, inputSpecs);
      return definition.terms(inputs, resolve(params));
    };
    const {after: _after, ...rest} = definition;
    return Object.freeze({
      ...rest,
      schema,
      inputSpecs,
      terms,
      fn(inputs: LossInputs, params?: Partial<Params<S>>): tf.Scalar {
        return tf.tidy(() => {
          checkInputs(definition.id, inputs, definition.needs, inputSpecs);
          const resolved = resolve(params);
          const t = definition.terms(inputs, resolved);
          const value = reduceTerms(t, inputs.weights);
          if (after) after(inputs, resolved, t);
          return value;
        });
      },
      with(params: Partial<Params<S>>): LossSpec<S> {
        const values = resolve(params) as Record<string, unknown>;
        const next = Object.fromEntries(
          Object.entries(schema).map(([key, spec]) => [key, {...spec, default: values[key]}])
        ) as unknown as S;
        return build(next);
      }
    });
  };
  return build(definition.schema);
}

/** A loss's documentation as plain JSON (no functions, no tensors): for reference pages and tools. */
export interface LossEntry {
  id: string;
  title: string;
  family: Family;
  paper: Paper | null;
  code: string | null;
  summary: string;
  tex: string;
  cite: string;
  needs: string[];
  inputs: Record<string, InputSpec & {required: boolean}>;
  schema: Schema;
}

/** The documentation of a loss as plain JSON: inputs it reads (required or optional), hyper-parameters, formula, sources. */
export function describeLoss(loss: LossSpec<any>): LossEntry {
  const canonicalUnused = (name: string) => !loss.needs.includes(name) && !(name in (loss.inputs ?? {}));
  const inputs: LossEntry["inputs"] = {};
  for (const [name, spec] of Object.entries(loss.inputSpecs)) {
    if (canonicalUnused(name)) continue; // canonical inputs the loss does not read
    inputs[name] = {...spec, required: loss.needs.includes(name)};
  }
  return {
    id: loss.id,
    title: loss.title,
    family: loss.family,
    paper: loss.paper,
    code: loss.code ?? null,
    summary: loss.summary,
    tex: loss.tex,
    cite: loss.cite,
    needs: [...loss.needs],
    inputs,
    schema: loss.schema
  };
}
