/** Node-only helpers (file access); import from "losslab/node". */
import {readFile} from "node:fs/promises";
import {gunzipSync} from "node:zlib";
import {fileURLToPath} from "node:url";
import {digits} from "./datasets/digits.js";
import type {DigitsOptions} from "./datasets/digits.js";

/** Reads the uncompressed bytes of the shipped digits dataset (data/digits/digits.u8.gz). */
export async function readDigitsBytes(path?: string): Promise<Uint8Array> {
  const file = path ?? fileURLToPath(new URL("../data/digits/digits.u8.gz", import.meta.url));
  return new Uint8Array(gunzipSync(await readFile(file)));
}

/** The digits dataset, loaded from the package's data/ folder. */
export async function loadDigits(options?: DigitsOptions) {
  return digits(await readDigitsBytes(), options);
}
