/**
 * The one source of randomness in LossLab: a seeded generator that gives the same numbers in every
 * browser, in Node and on every TF.js backend (TF.js's own seeds are not reliable across backends).
 *
 * The generator is sfc32 (Chris Doty-Humphrey's small fast counter, 128-bit state, passes PractRand),
 * seeded through splitmix32 so that nearby seeds give unrelated streams. `fork(label)` derives an
 * independent child stream from the seed and a label, so that drawing more data never shifts the
 * initial weights and changing the batch size never changes the dataset.
 */
export interface Random {
  /** The seed and labels this stream was derived from, e.g. "7/data/labels". */
  readonly key: string;
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  uniform(): number;
  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal deviate (Box–Muller; the second deviate is cached). */
  normal(): number;
  /** Fisher–Yates shuffle of `array` in place; returns it. */
  shuffle<T extends {length: number; [i: number]: unknown}>(array: T): T;
  /** A random permutation of 0 … n−1. */
  permutation(n: number): Int32Array;
  /** Float32Array of n normals with the given standard deviation. */
  normals(n: number, std?: number): Float32Array;
  /** Float32Array of n uniforms in [lo, hi). */
  uniforms(n: number, lo?: number, hi?: number): Float32Array;
  /** An independent stream keyed by this stream's seed and `label` (not by how much has been drawn). */
  fork(label: string | number): Random;
}

/** Hashes a string to 32 bits (FNV-1a followed by a murmur3 finaliser). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; ++i) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function splitmix32(state: number): () => number {
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded random stream. Seeds are integers (others are hashed as text); labels name child streams. */
export function random(seed: number | string = 0): Random {
  const key = String(seed);
  return createStream(key);
}

function createStream(key: string): Random {
  const init = splitmix32(hash32(key));
  let a = init(),
    b = init(),
    c = init(),
    d = init();
  const next = (): number => {
    // sfc32
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; ++i) next(); // let the counter mix the seed in
  let spare: number | undefined;
  const uniform = () => next() / 4294967296;
  const normal = () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform(); // log(0) would be −∞
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const int = (n: number) => {
    if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`invalid range for int: ${n}`);
    return Math.floor(uniform() * n);
  };
  const stream: Random = {
    key,
    uniform,
    range: (lo, hi) => lo + (hi - lo) * uniform(),
    int,
    normal,
    shuffle(array) {
      for (let i = array.length - 1; i > 0; --i) {
        const j = int(i + 1);
        const t = array[i];
        array[i] = array[j];
        array[j] = t;
      }
      return array;
    },
    permutation(n) {
      const p = new Int32Array(n);
      for (let i = 0; i < n; ++i) p[i] = i;
      return stream.shuffle(p);
    },
    normals(n, std = 1) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; ++i) out[i] = normal() * std;
      return out;
    },
    uniforms(n, lo = 0, hi = 1) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; ++i) out[i] = lo + (hi - lo) * uniform();
      return out;
    },
    fork: (label) => createStream(`${key}/${label}`)
  };
  return stream;
}
