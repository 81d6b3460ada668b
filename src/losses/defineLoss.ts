import * as tf from "../tf.js";
import {resolveParams} from "../params/schema.js";
import type {Params, Schema} from "../params/schema.js";
import {checkInputs} from "./checks.js";
import {reduceTerms} from "./reducers.js";

/** The canonical inputs every loss takes; each loss names the ones it needs. Shapes are checked on entry. */
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
}
export type InputName = keyof LossInputs;

export type Family = "classification" | "metric" | "distillation" | "calibration" | "flips" | "robustness";

/** Unreduced loss values: per element, per pair or per triplet, with optional weights. */
export interface Term {
  values: tf.Tensor;
  kind: "element" | "pair" | "triplet";
  weights?: tf.Tensor;
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
  needs: readonly InputName[];
  /** The objective in KaTeX, per sample unless stated. */
  tex: string;
  /** Where the formula comes from, e.g. "Lin et al. 2017, eq. 5". */
  cite: string;
  /** One sentence on what the loss does. */
  summary: string;
  /** Unreduced terms; runs inside the caller's tidy scope. */
  terms(inputs: LossInputs, params: Params<S>): Record<string, Term>;
}

export interface LossSpec<S extends Schema = Schema> extends Readonly<Omit<LossDefinition<S>, "terms">> {
  /** The batch loss, reduced (batch mean unless the loss defines otherwise); tidy-scoped. */
  fn(inputs: LossInputs, params?: Partial<Params<S>>): tf.Scalar;
  /** Unreduced terms for views (per-sample losses); tidy-scoped, the caller disposes them. */
  terms(inputs: LossInputs, params?: Partial<Params<S>>): Record<string, Term>;
  /** A copy whose defaults are replaced by `params` (the original is unchanged). */
  with(params: Partial<Params<S>>): LossSpec<S>;
}

/**
 * Turns a definition into a registry entry: checks inputs (shapes, dtypes, label range), resolves
 * parameters against the schema, and reduces the terms. A loss file only writes `terms`.
 */
export function defineLoss<const S extends Schema>(definition: LossDefinition<S>): LossSpec<S> {
  const build = (schema: S): LossSpec<S> => {
    const resolve = (params?: Partial<Params<S>>) => {
      try {
        return resolveParams(schema, params);
      } catch (error) {
        throw new Error(`${definition.id}: ${(error as Error).message}`);
      }
    };
    const terms = (inputs: LossInputs, params?: Partial<Params<S>>) => {
      checkInputs(definition.id, inputs, definition.needs);
      return definition.terms(inputs, resolve(params));
    };
    return Object.freeze({
      ...definition,
      schema,
      terms,
      fn(inputs: LossInputs, params?: Partial<Params<S>>): tf.Scalar {
        return tf.tidy(() => reduceTerms(terms(inputs, params), inputs.weights));
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
