import {createHash} from "node:crypto";
import {readFileSync} from "node:fs";
import {gunzipSync} from "node:zlib";
import {expect, test} from "vitest";
import {classCounts} from "../../../src/datasets/dataset.js";
import {digits, digitsShape, parseDigits} from "../../../src/datasets/digits.js";

const bytes = new Uint8Array(gunzipSync(readFileSync(new URL("../../../data/digits/digits.u8.gz", import.meta.url))));

test("the shipped digits bytes have the checksum recorded in data/digits/README.md", () => {
  const sha = createHash("sha256").update(bytes).digest("hex");
  const readme = readFileSync(new URL("../../../data/digits/README.md", import.meta.url), "utf8");
  expect(readme).toContain(sha);
});

test("parseDigits gives 1 797 samples of 64 inputs in [0, 1] and all ten classes", () => {
  const p = parseDigits(bytes);
  expect(p.y.length).toBe(digitsShape.rows);
  expect(p.x.length).toBe(digitsShape.rows * 64);
  expect(Math.max(...p.x)).toBe(1);
  expect(Math.min(...p.x)).toBe(0);
  const counts = classCounts(p.y, 10);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(1797);
  expect(Math.min(...counts)).toBeGreaterThan(170);
});

test("digits(bytes) splits with a seed and keeps ids unique", () => {
  const d = digits(bytes, {seed: 2, testFraction: 0.25});
  expect(d.inputs).toBe(64);
  expect(d.train.n + d.test.n).toBe(1797);
  expect(new Set([...d.train.ids, ...d.test.ids]).size).toBe(1797);
});

test("parseDigits rejects a truncated file", () => {
  expect(() => parseDigits(bytes.subarray(0, 100))).toThrow(/digits: expected 116805 bytes/);
});
