// MVCNet (Wang et al., KBS 2025) at toy scale: synthetic two-class motor-imagery signals with subjects, the official
// code's three augmentations (amplitude flip, Hilbert frequency shift, channel reflection) as tensor ops, and the
// combined loss: cross-entropy on four views + cross-view and cross-model NT-Xent (wzwvv/MVCNet MVCNet_CO.py).
import * as tf from "../tf.js";
import type {Dataset, Split} from "../datasets/dataset.js";
import {crossEntropy} from "../losses/compSum.js";
import {defineLoss} from "../losses/defineLoss.js";
import {l2Normalize} from "../losses/distances.js";
import {defineSchema} from "../params/schema.js";
import {random} from "../random.js";

export interface MvcnetDataOptions {
  /** Channels: the first half over the left hemisphere, the second half its mirror image (channel k ↔ C − 1 − k). */
  channels?: number;
  /** Time samples per trial. */
  samples?: number;
  /** Sampling rate in Hz. */
  rate?: number;
  subjects?: number;
  /** Trials per subject (half of each class). */
  trials?: number;
  /** The subject held out as the test split (leave-one-subject-out). */
  testSubject?: number;
  /** Relative amplitude of the mu rhythm over the hemisphere that desynchronises (1 = no ERD). */
  erd?: number;
  /** Std of the background (pink-ish, AR(1)) noise. */
  noise?: number;
  /** How different subjects are: std of the log channel gains, of the DC offsets and (×1.5 Hz) of the mu frequency. */
  subjectSpread?: number;
  seed?: number;
}

/** Synthetic motor-imagery trials with the subject of each sample in `groups`. */
export interface MvcnetData extends Dataset {
  channels: number;
  samples: number;
  rate: number;
  subjects: number;
}

/**
 * Two-class "motor imagery": every channel carries a mu rhythm (about 10 Hz, a random phase per trial) over AR(1)
 * background noise. Imagining the left hand (class 0) suppresses the rhythm over the right hemisphere, the right hand
 * (class 1) over the left one (event-related desynchronisation, amplitude × `erd`). Each subject has its own channel
 * gains, DC offsets and mu frequency, so a model trained on some subjects meets a shifted distribution on the held-out
 * one. Inputs are row-major [trial, channel, time], flattened; `groups` holds the subject.
 */
export function mvcnetData(options: MvcnetDataOptions = {}): MvcnetData {
  const {
    channels = 8,
    samples = 64,
    rate = 128,
    subjects = 4,
    trials = 100,
    testSubject = 0,
    erd = 0.7,
    noise = 1,
    subjectSpread = 0.5,
    seed = 0
  } = options;
  if (!(Number.isInteger(channels) && channels >= 2 && channels % 2 === 0)) {
    throw new Error(`mvcnetData: invalid channels: ${channels} (an even number ≥ 2)`);
  }
  if (!(Number.isInteger(subjects) && subjects >= 2)) throw new Error(`mvcnetData: invalid subjects: ${subjects}`);
  if (!(Number.isInteger(testSubject) && testSubject >= 0 && testSubject < subjects)) {
    throw new Error(`mvcnetData: invalid testSubject: ${testSubject} (0 … ${subjects - 1})`);
  }
  const half = channels / 2;
  const rng = random(seed).fork("mvcnet");
  // Channels nearer the middle of each hemisphere's row carry a stronger rhythm; the layout is mirror-symmetric.
  const base = Float64Array.from({length: channels}, (_, c) => {
    const k = c < half ? c : channels - 1 - c;
    return 0.6 + 0.4 * Math.sin((Math.PI * (k + 0.5)) / half);
  });
  const width = channels * samples;
  const all: {x: Float32Array; y: number; subject: number}[] = [];
  for (let s = 0; s < subjects; ++s) {
    const sr = rng.fork("subject").fork(s);
    const gains = Float64Array.from({length: channels}, () => Math.exp(subjectSpread * sr.normal()));
    const offsets = Float64Array.from({length: channels}, () => subjectSpread * sr.normal());
    const mu = 10 + 1.5 * subjectSpread * 3 * (sr.uniform() - 0.5);
    const tr = rng.fork("trials").fork(s);
    for (let t = 0; t < trials; ++t) {
      const y = t % 2;
      const x = new Float32Array(width);
      const phase = 2 * Math.PI * tr.uniform();
      const scale = Math.exp(0.2 * tr.normal());
      for (let c = 0; c < channels; ++c) {
        // Class 0 (left hand) desynchronises the right hemisphere, class 1 the left one.
        const suppressed = y === 0 ? c >= half : c < half;
        const amplitude = base[c] * gains[c] * scale * (suppressed ? erd : 1);
        const jitter = 0.3 * tr.normal();
        let ar = noise * tr.normal();
        for (let n = 0; n < samples; ++n) {
          ar = 0.9 * ar + Math.sqrt(1 - 0.81) * noise * tr.normal();
          x[c * samples + n] = amplitude * Math.sin((2 * Math.PI * mu * n) / rate + phase + jitter) + ar + offsets[c];
        }
      }
      all.push({x, y, subject: s});
    }
  }
  const split = (rows: typeof all, offset: number): Split => {
    const n = rows.length;
    const x = new Float32Array(n * width);
    rows.forEach((r, i) => x.set(r.x, i * width));
    const y = Int32Array.from(rows, (r) => r.y);
    return {
      n,
      x,
      y,
      yClean: y.slice(),
      ids: Int32Array.from({length: n}, (_, i) => offset + i),
      groups: Int32Array.from(rows, (r) => r.subject)
    };
  };
  // Training rows are shuffled so that batches mix subjects; the test split is the held-out subject.
  const train = all.filter((r) => r.subject !== testSubject);
  const order = rng.fork("order").permutation(train.length);
  const trainSplit = split(
    Array.from(order, (i) => train[i]),
    0
  );
  return {
    name: `mvcnet-${channels}ch-${subjects}subjects`,
    inputs: width,
    classes: 2,
    train: trainSplit,
    test: split(
      all.filter((r) => r.subject === testSubject),
      trainSplit.n
    ),
    noiseRate: 0,
    channels,
    samples,
    rate,
    subjects
  };
}

/**
 * The frequency shift of the official code (utils/data_augment.py `freq_shift`) as one linear map of a channel's T
 * samples, row-major [T, T] with shifted = A · x: zero-pad to the next power of two P, take the analytic signal
 * (scipy.signal.hilbert: FFT, double the positive frequencies, drop the negative ones), multiply by e^{2πi f dt n}
 * and keep the real part of the first T samples: x_n cos φ_n − (Hx)_n sin φ_n. The code fixes dt = 1/250 s whatever
 * the sampling rate, so the shift in Hz is f · rate/250; `dt` defaults to that quirk.
 */
export function mvcnetShiftMatrix(samples: number, shift: number, dt = 1 / 250): Float32Array {
  const P = 2 ** Math.ceil(Math.log2(samples));
  // scipy's h: 1 at DC (and Nyquist for even P), 2 on positive frequencies, 0 on negative ones.
  const h = Float64Array.from({length: P}, (_, k) => (k === 0 || 2 * k === P ? 1 : k < P / 2 ? 2 : 0));
  // Im(analytic)_n for a unit impulse at m depends on n − m only: (1/P) Σ_k h_k sin(2πk(n − m)/P).
  const hilbert = Float64Array.from({length: P}, (_, d) => {
    let s = 0;
    for (let k = 0; k < P; ++k) s += h[k] * Math.sin((2 * Math.PI * k * d) / P);
    return s / P;
  });
  const a = new Float32Array(samples * samples);
  for (let n = 0; n < samples; ++n) {
    const phi = 2 * Math.PI * shift * dt * n;
    for (let m = 0; m < samples; ++m) {
      const im = hilbert[(((n - m) % P) + P) % P];
      a[n * samples + m] = (n === m ? Math.cos(phi) : 0) - im * Math.sin(phi);
    }
  }
  return a;
}

/** Channel reflection: channel k takes the signal of its mirror C − 1 − k (left ↔ right hemisphere). */
export function mvcnetReflection(channels: number): Int32Array {
  return Int32Array.from({length: channels}, (_, c) => channels - 1 - c);
}

/**
 * The three augmented views of a batch x [B, C·T] (official defaults: "flip" = −x, a frequency shift of `shift`
 * through `mvcnetShiftMatrix`, channel reflection), stacked after x: [4B, C·T]. Runs in the caller's scope; x is
 * data, so nothing here needs a gradient.
 */
export function mvcnetViews(x: tf.Tensor2D, channels: number, samples: number, shift: tf.Tensor2D): tf.Tensor2D {
  const b = x.shape[0];
  const flipped = tf.neg(x);
  const rows = tf.reshape(x, [b * channels, samples]);
  const shifted = tf.reshape(tf.matMul(rows, shift, false, true), [b, channels * samples]);
  const reflected = tf.reshape(
    tf.gather(tf.reshape(x, [b, channels, samples]), Array.from(mvcnetReflection(channels)), 1),
    [b, channels * samples]
  );
  return tf.concat([x, flipped, shifted, reflected], 0) as tf.Tensor2D;
}

/**
 * NT-Xent of paired batches as MVCNet's NTXentLoss (SimCLR): the 2N rows [P; Q], cosine similarities over τ, for each
 * row the counterpart in the other half is the positive and every other row except itself a negative; the mean over the
 * 2N rows of −log softmax at the positive. The same value as the library's info-nce (symmetric), computed with one
 * [2N, 2N] similarity matrix and one log-sum-exp, which keeps the four-view batches fast on wasm. Runs in the caller's
 * scope.
 */
export function mvcnetNtXent(p: tf.Tensor2D, q: tf.Tensor2D, temperature: number): tf.Scalar {
  const n = p.shape[0];
  const pn = l2Normalize(p);
  const qn = l2Normalize(q);
  const r = tf.concat([pn, qn]) as tf.Tensor2D;
  // The self-similarity leaves the denominator through a finite −1e9 on the diagonal.
  const s = tf.add(tf.div(tf.matMul(r, r, false, true), temperature), tf.mul(tf.eye(2 * n), -1e9));
  const positive = tf.div(tf.sum(tf.mul(pn, qn), 1), temperature);
  return tf.sub(tf.mean(tf.logSumExp(s, 1)), tf.mean(positive)) as tf.Scalar;
}

/**
 * MVCNet's training loss (MVCNet_CO.py): cross-entropy on the four views (a sum of four batch means), plus λ₁ times the
 * cross-view term (1/3) Σ_j NT-Xent([f(x); z(x)], [f(a_j); z(a_j)]) and λ₂ times the cross-model term
 * NT-Xent([f(x); f(a₁); f(a₂); f(a₃)], [z(x); …]), f the first encoder's embedding, z the second's, NT-Xent the
 * SimCLR form (`mvcnetNtXent`, equal to the library's info-nce).
 */
export const mvcnetLoss = defineLoss({
  id: "mvcnet",
  title: "MVCNet: multi-view CE + cross-view and cross-model contrast",
  family: "metric",
  paper: {
    title: "MVCNet: Multi-View Contrastive Network for Motor Imagery Classification",
    authors: "Ziwei Wang, Siyang Li, Xiaoqing Chen, et al. (Dongrui Wu's group)",
    venue: "Knowledge-Based Systems",
    year: 2025,
    url: "https://arxiv.org/abs/2502.17482"
  },
  code: "wzwvv/MVCNet:MVCNet_CO.py",
  schema: defineSchema({
    lambda1: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 2,
      step: 0.01,
      symbol: "\\lambda_1",
      doc: "weight of the cross-view contrastive term (official default 0.1)"
    },
    lambda2: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 2,
      step: 0.01,
      symbol: "\\lambda_2",
      doc: "weight of the cross-model contrastive term (official default 0.1)"
    },
    temperature: {
      type: "number",
      default: 0.2,
      min: 0.01,
      max: 2,
      step: 0.01,
      scale: "log",
      symbol: "\\tau",
      doc: "NT-Xent temperature (official 0.2)"
    }
  }),
  needs: ["viewLogits", "viewLabels", "viewEmbeddings", "otherEmbeddings"],
  inputs: {
    viewLogits: {
      shape: "[N, C]",
      dtype: "float32",
      values: "real",
      doc: "the first encoder's logits of the V = 4 views, view-major"
    },
    viewLabels: {
      shape: "[N]",
      dtype: "int32",
      values: "class-index",
      doc: "the label of each view (channel reflection may flip it)"
    },
    viewEmbeddings: {
      shape: "[N, D]",
      dtype: "float32",
      values: "real",
      doc: "the first encoder's embeddings f of the views"
    },
    otherEmbeddings: {
      shape: "[N, D]",
      dtype: "float32",
      values: "real",
      doc: "the second encoder's embeddings z of the views"
    }
  },
  tex: String.raw`\mathcal{L} = \sum_{v} \mathrm{CE}\big(c(v), y_v\big) + \frac{\lambda_1}{3}\sum_{j=1}^{3} \mathrm{NTXent}\big([f(x); z(x)], [f(a_j); z(a_j)]\big) + \lambda_2\, \mathrm{NTXent}\big(f(x, a_{1..3}), z(x, a_{1..3})\big)`,
  cite: "Wang et al. 2025 (MVCNet), eqs. for L_CE, L_cvc, L_cmc; wzwvv/MVCNet MVCNet_CO.py",
  summary:
    "Cross-entropy on the original and three augmented views, plus NT-Xent terms that pull each view towards the original (cross-view) and one encoder towards the other (cross-model).",
  terms: ({viewLogits, viewLabels, viewEmbeddings, otherEmbeddings}, {lambda1, lambda2, temperature}) => {
    const logits = viewLogits as tf.Tensor2D;
    const f = viewEmbeddings as tf.Tensor2D;
    const z = otherEmbeddings as tf.Tensor2D;
    const views = 4;
    const b = logits.shape[0] / views;
    if (!Number.isInteger(b)) throw new Error(`mvcnet: invalid viewLogits: ${logits.shape[0]} rows, not 4 views`);
    // Σ over views of each view's batch mean = 4 × the mean over all rows (every view has B rows).
    const ce = tf.mul(crossEntropy.fn({logits, labels: viewLabels as tf.Tensor1D}), views);
    const block = (t: tf.Tensor2D, v: number) => tf.slice(t, [v * b, 0], [b, -1]) as tf.Tensor2D;
    const nce = (p: tf.Tensor2D, q: tf.Tensor2D) => mvcnetNtXent(p, q, temperature);
    const terms: Record<string, {values: tf.Tensor; kind: "element"}> = {
      ce: {values: tf.reshape(ce, [1]), kind: "element"}
    };
    if (lambda1 > 0) {
      const original = tf.concat([block(f, 0), block(z, 0)]) as tf.Tensor2D;
      const parts = [1, 2, 3].map((j) => nce(original, tf.concat([block(f, j), block(z, j)]) as tf.Tensor2D));
      terms.crossView = {values: tf.reshape(tf.mul(tf.addN(parts), lambda1 / 3), [1]), kind: "element"};
    }
    if (lambda2 > 0) terms.crossModel = {values: tf.reshape(tf.mul(nce(f, z), lambda2), [1]), kind: "element"};
    return terms;
  }
});
