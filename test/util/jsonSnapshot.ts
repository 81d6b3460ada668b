// Golden-file snapshots of plain data (STYLE §4: plotly components are tested through their pure half,
// snapshotted as JSON). Same convention as snapshot.ts: numbers rounded to 3 decimals, a missing golden
// file written locally (fails in CI), a mismatch writes <name>-changed.json beside it and fails.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {snapshotDirectory} from "./snapshot.js";

function round(value: number): number | string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Math.round(value * 1000) / 1000;
  return rounded === 0 ? 0 : rounded;
}

function isPrimitive(value: unknown): boolean {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

/**
 * Serialises `value` as stable JSON for a golden file: object keys in insertion order, typed arrays as
 * arrays, numbers rounded to 3 decimals (non-finite ones as strings), arrays of primitives on one
 * line so grids and coordinate lists stay short, everything else indented by two spaces.
 */
export function serializeJson(value: unknown): string {
  const visit = (v: unknown, depth: number): string => {
    const indent = "  ".repeat(depth + 1);
    const close = "  ".repeat(depth);
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) v = Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === "number") return JSON.stringify(round(v));
    if (v === undefined) return "null";
    if (isPrimitive(v)) return JSON.stringify(v);
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      if (v.every(isPrimitive)) return `[${v.map((x) => visit(x, depth)).join(", ")}]`;
      return `[\n${v.map((x) => indent + visit(x, depth + 1)).join(",\n")}\n${close}]`;
    }
    if (typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return "{}";
      return `{\n${entries.map(([k, x]) => `${indent}${JSON.stringify(k)}: ${visit(x, depth + 1)}`).join(",\n")}\n${close}}`;
    }
    throw new Error(`invalid snapshot value: ${typeof v}`);
  };
  return visit(value, 0) + "\n";
}

/**
 * Compares `value` with the golden file output/<name>.json. A missing golden file is written
 * (outside CI) or fails (in CI); a mismatch writes <name>-changed.json beside it and fails.
 */
export function assertJsonSnapshot(name: string, value: unknown, directory = snapshotDirectory): void {
  const actual = serializeJson(value);
  const golden = join(directory, `${name}.json`);
  const changed = join(directory, `${name}-changed.json`);
  if (!existsSync(golden)) {
    if (process.env.CI) throw new Error(`missing snapshot ${golden}: run the tests locally to create it`);
    mkdirSync(directory, {recursive: true});
    writeFileSync(golden, actual);
    return;
  }
  const expected = readFileSync(golden, "utf8");
  if (actual === expected) return;
  writeFileSync(changed, actual);
  const a = expected.split("\n");
  const b = actual.split("\n");
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) ++line;
  throw new Error(
    `snapshot ${name}.json changed at line ${line + 1}:\n` +
      `  expected: ${(a[line] ?? "<end of file>").trim()}\n` +
      `  actual:   ${(b[line] ?? "<end of file>").trim()}\n` +
      `read the diff (diff ${golden} ${changed}); to accept it, replace the golden file with the -changed one`
  );
}
