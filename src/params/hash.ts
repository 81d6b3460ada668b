import {defaults, formatValue, parseValue} from "./schema.js";
import type {Params, Schema} from "./schema.js";

/** The result of reading parameters from a URL: every value valid, with a notice for what was dropped. */
export interface DecodedParams<S extends Schema> {
  params: Params<S>;
  /** Human-readable problems, one per rejected key; empty when the URL was clean. */
  problems: string[];
}

/**
 * Encodes parameters as URL-hash text (`#lr=0.01&loss=focal`). Every key is written, so a permalink
 * keeps reproducing the same run even if a later version changes a default.
 */
export function encodeParams<S extends Schema>(schema: S, params: Params<S>): string {
  const search = new URLSearchParams();
  for (const [key, spec] of Object.entries(schema)) {
    search.set(key, formatValue((params as Record<string, unknown>)[key]));
  }
  return search.toString();
}

/**
 * Decodes URL-hash text into valid parameters. Unknown keys are ignored; a value that does not parse or
 * is out of range falls back to its default and is reported in `problems` (never thrown), so a bad
 * link still opens the notebook.
 */
export function decodeParams<S extends Schema>(schema: S, text: string): DecodedParams<S> {
  const params = defaults(schema) as Record<string, unknown>;
  const problems: string[] = [];
  const search = new URLSearchParams(text.replace(/^#/, ""));
  for (const [key, spec] of Object.entries(schema)) {
    const raw = search.get(key);
    if (raw === null) continue;
    const value = parseValue(spec, raw);
    const inRange =
      value !== undefined &&
      (spec.type === "number" || spec.type === "int"
        ? (spec.min === undefined || (value as number) >= spec.min) &&
          (spec.max === undefined || (value as number) <= spec.max)
        : true);
    if (!inRange) {
      problems.push(
        `${key}=${JSON.stringify(raw)} is not valid (${describe(spec)}); using ${formatValue(spec.default)}`
      );
      continue;
    }
    params[key] = value;
  }
  return {params: params as Params<S>, problems};
}

function describe(spec: Schema[string]): string {
  switch (spec.type) {
    case "number":
    case "int":
      return `expected ${spec.type === "int" ? "an integer" : "a number"}${
        spec.min !== undefined && spec.max !== undefined
          ? ` from ${spec.min} to ${spec.max}`
          : spec.min !== undefined
            ? ` ≥ ${spec.min}`
            : spec.max !== undefined
              ? ` ≤ ${spec.max}`
              : ""
      }`;
    case "boolean":
      return "expected true or false";
    case "enum":
      return `expected one of ${spec.options.join(", ")}`;
  }
}
