// Rebuilds data/digits/digits.u8.gz from the copy of the UCI optical digits test set that Debian's
// python3-sklearn package ships (sklearn/datasets/data/digits.csv.gz): 1 797 rows of 64 pixel
// counts (0–16) and a label, each stored as one byte, row-major, gzip-compressed.
//   node scripts/make-digits.mjs [path/to/digits.csv.gz]
import {readFileSync, writeFileSync} from "node:fs";
import {gunzipSync, gzipSync} from "node:zlib";
import {createHash} from "node:crypto";

const source = process.argv[2] ?? "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";
const raw = readFileSync(source);
const rows = gunzipSync(raw).toString("utf8").trim().split("\n");
const bytes = new Uint8Array(rows.length * 65);
rows.forEach((line, i) => {
  const values = line.split(",").map(Number);
  if (values.length !== 65 || values.some((v) => !Number.isInteger(v) || v < 0 || v > 16))
    throw new Error(`unexpected row ${i + 1}: ${line}`);
  bytes.set(values, i * 65);
});
const packed = gzipSync(bytes, {level: 9});
writeFileSync("data/digits/digits.u8.gz", packed);
const sha = (b) => createHash("sha256").update(b).digest("hex");
console.log(
  `rows ${rows.length}\nsource sha256 ${sha(raw)}\nbytes sha256 ${sha(bytes)}\nfile sha256 ${sha(packed)} (${packed.length} bytes)`
);
