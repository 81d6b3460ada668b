import {random} from "../random.js";
import {corruptLabels, measuredNoise, stratifiedSplit} from "./dataset.js";
import type {Dataset, LabelNoiseKind, Points} from "./dataset.js";

/** Rows, pixels per row and classes of the UCI optical digits set shipped in data/digits/. */
export const digitsShape = {rows: 1797, pixels: 64, classes: 10} as const;

/**
 * Parses the uncompressed bytes of data/digits/digits.u8.gz (1 797 × (64 pixel counts + label)) into
 * points with inputs scaled to [0, 1].
 */
export function parseDigits(bytes: Uint8Array): Points {
  const {rows, pixels, classes} = digitsShape;
  const width = pixels + 1;
  if (bytes.length !== rows * width) {
    throw new Error(`digits: expected ${rows * width} bytes (${rows} rows of ${width}), got ${bytes.length}`);
  }
  const x = new Float32Array(rows * pixels);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; ++i) {
    for (let j = 0; j < pixels; ++j) x[i * pixels + j] = bytes[i * width + j] / 16;
    y[i] = bytes[i * width + pixels];
    if (y[i] >= classes) throw new Error(`digits: invalid label ${y[i]} in row ${i}`);
  }
  return {x, y, inputs: pixels, classes};
}

export interface DigitsOptions {
  labelNoise?: number;
  labelNoiseKind?: LabelNoiseKind;
  testFraction?: number;
  seed?: number;
}

/** The digits dataset with a seeded stratified split and optional label noise on the training split. */
export function digits(bytes: Uint8Array, options: DigitsOptions = {}): Dataset {
  const {labelNoise = 0, labelNoiseKind = "symmetric", testFraction = 0.3, seed = 0} = options;
  const points = parseDigits(bytes);
  const rng = random(seed).fork("data");
  const {train, test} = stratifiedSplit(points, testFraction, rng.fork("split"));
  const noisy = corruptLabels(train, points.classes, labelNoise, labelNoiseKind, rng.fork("labels"));
  return {
    name: "digits",
    inputs: points.inputs,
    classes: points.classes,
    train: noisy,
    test,
    noiseRate: measuredNoise(noisy)
  };
}
