/**
 * Hyper-parameters are declared once as data; controls, URL state, validation and docs derive from
 * the declaration (in the manner of TensorFlow Playground's typed state).
 */
interface BaseSpec {
  /** One-line explanation, shown beside the control and in the parameter box. */
  doc: string;
  /** Short label for the control; defaults to the key. */
  label?: string;
  /** Show the control only when other parameters have one of the listed values. */
  when?: Record<string, readonly (string | number | boolean)[]>;
  /** Controls with the same group share a fieldset, in order of first appearance. */
  group?: string;
}
export interface NumberSpec extends BaseSpec {
  type: "number";
  default: number;
  min?: number;
  max?: number;
  step?: number;
  scale?: "linear" | "log";
  /** KaTeX symbol, e.g. "\\tau". */
  symbol?: string;
}
export interface IntSpec extends BaseSpec {
  type: "int";
  default: number;
  min?: number;
  max?: number;
  step?: number;
  symbol?: string;
}
export interface BooleanSpec extends BaseSpec {
  type: "boolean";
  default: boolean;
}
export interface EnumSpec<T extends string = string> extends BaseSpec {
  type: "enum";
  default: T;
  options: readonly T[];
  /** Display names for the options. */
  labels?: Partial<Record<T, string>>;
}
export type ParamSpec = NumberSpec | IntSpec | BooleanSpec | EnumSpec;
export type Schema = Record<string, ParamSpec>;
export type ParamValue<P extends ParamSpec> =
  P extends EnumSpec<infer T> ? T : P extends BooleanSpec ? boolean : number;
export type Params<S extends Schema> = {[K in keyof S]: ParamValue<S[K]>};

/** Declares a schema, keeping its literal types (enum options, keys). */
export function defineSchema<const S extends Schema>(schema: S): S {
  for (const [key, spec] of Object.entries(schema)) checkValue(key, spec, spec.default);
  return schema;
}

/** The defaults of a schema. */
export function defaults<S extends Schema>(schema: S): Params<S> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) out[key] = spec.default;
  return out as Params<S>;
}

function checkValue(key: string, spec: ParamSpec, value: unknown): void {
  const bad = () => new Error(`invalid ${key}: ${JSON.stringify(value)}`);
  switch (spec.type) {
    case "number":
    case "int":
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad();
      if (spec.type === "int" && !Number.isInteger(value)) throw bad();
      if (spec.min !== undefined && value < spec.min) throw bad();
      if (spec.max !== undefined && value > spec.max) throw bad();
      return;
    case "boolean":
      if (typeof value !== "boolean") throw bad();
      return;
    case "enum":
      if (typeof value !== "string" || !spec.options.includes(value)) throw bad();
      return;
  }
}

/**
 * Fills defaults and validates: throws `invalid margin: -1` for a value out of range or of the wrong
 * type, and `unknown parameter: foo` for a key the schema does not declare.
 */
export function resolveParams<S extends Schema>(schema: S, partial: Partial<Params<S>> = {}): Params<S> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(partial)) {
    if (!(key in schema)) throw new Error(`unknown parameter: ${key}`);
  }
  for (const [key, spec] of Object.entries(schema)) {
    const value = (partial as Record<string, unknown>)[key];
    if (value === undefined) out[key] = spec.default;
    else {
      checkValue(key, spec, value);
      out[key] = value;
    }
  }
  return out as Params<S>;
}

/** Parses one value from its text form (URL, form field); returns undefined if it does not parse. */
export function parseValue(spec: ParamSpec, text: string): number | boolean | string | undefined {
  switch (spec.type) {
    case "number": {
      if (text.trim() === "") return undefined;
      const v = Number(text);
      return Number.isFinite(v) ? v : undefined;
    }
    case "int": {
      if (!/^-?\d+$/.test(text.trim())) return undefined;
      return Number(text);
    }
    case "boolean":
      return text === "true" || text === "1" ? true : text === "false" || text === "0" ? false : undefined;
    case "enum":
      return spec.options.includes(text) ? text : undefined;
  }
}

/** Formats a value for the URL: numbers in their shortest round-tripping form. */
export function formatValue(value: unknown): string {
  return String(value);
}

/** Whether a parameter's control is relevant given the other values (its `when` condition). */
export function isActive(spec: ParamSpec, params: Record<string, unknown>): boolean {
  if (!spec.when) return true;
  return Object.entries(spec.when).every(([key, values]) => values.includes(params[key] as never));
}
