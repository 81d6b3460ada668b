// The contrastive-temperature notebook's own code (card 25): the relative penalty, the augmentation, the hard-negative
// InfoNCE against a float64 loop, and the ridge linear probe against hand-computed solutions.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {random} from "../../../src/random.js";
import {infoNce} from "../../../src/losses/ntXent.js";
import {
  contrastiveAugment,
  contrastiveHardInfoNce,
  contrastiveHardNegativeMask,
  contrastiveLinearProbe,
  contrastivePenaltyCurve,
  contrastiveRelativePenalty,
  contrastiveTemperatureMetrics
} from "../../../src/methods/contrastiveTemperature.js";
import {gaussianClasses} from "../../../src/datasets/gaussian.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("contrastiveRelativePenalty", () => {
  test("is a Boltzmann distribution: sums to 1, ratios e^{(s_a − s_b)/τ}", () => {
    const s = [0.9, 0.2, -0.5, 0.6];
    for (const tau of [0.05, 0.3, 2]) {
      const r = contrastiveRelativePenalty(s, tau);
      expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(r[0] / r[1]).toBeCloseTo(Math.exp((0.9 - 0.2) / tau), 6);
      // Hand computation at τ = 2: e^{s/2} / Σ e^{s/2}.
      if (tau === 2) {
        const e = s.map((v) => Math.exp(v / 2));
        const z = e.reduce((a, b) => a + b, 0);
        e.forEach((v, j) => expect(r[j]).toBeCloseTo(v / z, 12));
      }
    }
    expect(() => contrastiveRelativePenalty(s, 0)).toThrow(/invalid temperature: 0/);
  });
  test("small τ puts nearly all weight on the hardest negative; large τ spreads it evenly", () => {
    const s = [0.9, 0.5, 0.1];
    expect(contrastiveRelativePenalty(s, 0.01)[0]).toBeGreaterThan(0.999);
    const flat = contrastiveRelativePenalty(s, 1e4);
    flat.forEach((v) => expect(v).toBeCloseTo(1 / 3, 4));
    // Max-shifted: τ = 1e-3 with similarities near 1 stays finite.
    expect(Array.from(contrastiveRelativePenalty([1, 0.999], 1e-3)).every(Number.isFinite)).toBe(true);
  });
  test("contrastivePenaltyCurve spans [−1, 1] and averages to an even share of 1", () => {
    const {similarity, relative} = contrastivePenaltyCurve(0.2, 101);
    expect(similarity[0]).toBe(-1);
    expect(similarity[100]).toBeCloseTo(1, 12);
    expect(relative.reduce((a, b) => a + b, 0) / 101).toBeCloseTo(1, 10);
    // The continuum limit for cosines uniform on [−1, 1]: N·r(s) → e^{s/τ} / (τ sinh(1/τ)).
    const dense = contrastivePenaltyCurve(0.5, 20001);
    expect(dense.relative[20000]).toBeCloseTo(Math.exp(2) / (0.5 * Math.sinh(2)), 2);
  });
});

describe("contrastiveAugment", () => {
  test("adds seeded jitter and zeroes features; the same stream gives the same view", () => {
    const x = tf.ones([50, 8]) as tf.Tensor2D;
    const a = contrastiveAugment(x, random(3).fork("v"), {jitter: 0.3, dropout: 0.25});
    const b = contrastiveAugment(x, random(3).fork("v"), {jitter: 0.3, dropout: 0.25});
    const va = a.dataSync(),
      vb = b.dataSync();
    expect(Array.from(va)).toEqual(Array.from(vb));
    const zeros = va.filter((v) => v === 0).length / va.length;
    expect(zeros).toBeGreaterThan(0.17);
    expect(zeros).toBeLessThan(0.33);
    const kept = Array.from(va).filter((v) => v !== 0);
    const mean = kept.reduce((s, v) => s + v, 0) / kept.length;
    const sd = Math.sqrt(kept.reduce((s, v) => s + (v - mean) ** 2, 0) / kept.length);
    expect(mean).toBeCloseTo(1, 1);
    expect(sd).toBeGreaterThan(0.25);
    expect(sd).toBeLessThan(0.35);
    const plain = contrastiveAugment(x, random(1), {jitter: 0, dropout: 0});
    expect(Array.from(plain.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(() => contrastiveAugment(x, random(1), {jitter: 0.1, dropout: 1})).toThrow(/invalid dropout: 1/);
    tf.dispose([x, a, b, plain]);
  });
});

/** Float64 oracle of the symmetric two-view hard InfoNCE: 2B anchors, each with its other view as the positive. */
function hardInfoNceOracle(z1: number[][], z2: number[][], tau: number, k: number): number {
  const rows = [...z1, ...z2].map((v) => {
    const n = Math.hypot(...v);
    return v.map((c) => c / n);
  });
  const b = z1.length;
  let total = 0;
  for (let i = 0; i < 2 * b; ++i) {
    const pos = (i + b) % (2 * b);
    const dot = (j: number) => rows[i].reduce((s, c, d) => s + c * rows[j][d], 0) / tau;
    const negs: number[] = [];
    for (let j = 0; j < 2 * b; ++j) if (j !== i && j !== pos) negs.push(dot(j));
    negs.sort((p, q) => q - p);
    const kept = negs.slice(0, Math.min(k, negs.length));
    const sp = dot(pos);
    total += -(sp - Math.log(Math.exp(sp) + kept.reduce((s, v) => s + Math.exp(v), 0)));
  }
  return total / (2 * b);
}

describe("contrastiveHardInfoNce", () => {
  const rng = random(11);
  const z1 = Array.from({length: 6}, () => Array.from({length: 3}, () => rng.normal()));
  const z2 = z1.map((v) => v.map((c) => c + 0.4 * rng.normal()));
  const inputs = () => ({embeddings: tf.tensor2d(z1), otherEmbeddings: tf.tensor2d(z2)});

  test("matches the float64 oracle for several K and τ", () => {
    for (const [tau, k] of [
      [0.1, 1],
      [0.5, 3],
      [0.5, 7],
      [1, 10]
    ]) {
      const x = inputs();
      const v = contrastiveHardInfoNce.fn(x, {temperature: tau, negatives: k});
      expect(v.dataSync()[0]).toBeCloseTo(hardInfoNceOracle(z1, z2, tau, k), 4);
      tf.dispose([v, x.embeddings, x.otherEmbeddings]);
    }
  });
  test("with every negative kept (K ≥ 2B − 2) it equals the library's InfoNCE", () => {
    const x = inputs();
    const hard = contrastiveHardInfoNce.fn(x, {temperature: 0.3, negatives: 10});
    const plain = infoNce.fn(x, {temperature: 0.3});
    expect(hard.dataSync()[0]).toBeCloseTo(plain.dataSync()[0], 5);
    tf.dispose([hard, plain, x.embeddings, x.otherEmbeddings]);
  });
  test("the mask keeps each row's K largest negatives and passes no gradient; the loss's gradient matches differences", () => {
    const logits = tf.tensor2d([
      [9, 0.3, 0.1, 0.7],
      [0.2, 9, 0.5, -0.4]
    ]);
    const neg = tf.tensor2d([
      [0, 1, 1, 1],
      [1, 0, 1, 1]
    ]);
    const m = contrastiveHardNegativeMask(logits as tf.Tensor2D, neg as tf.Tensor2D, 2);
    expect(Array.from(m.dataSync())).toEqual([0, 1, 0, 1, 1, 0, 1, 0]);
    const g = tf.grad((l: tf.Tensor) => tf.sum(contrastiveHardNegativeMask(l as tf.Tensor2D, neg as tf.Tensor2D, 2)))(
      logits
    );
    expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
    // Directional derivative of the loss against a central difference (away from ties in the top-K).
    const e1 = tf.tensor2d(z1),
      e2 = tf.tensor2d(z2);
    const dir = tf.tensor2d(z1.map((r) => r.map((_, d) => Math.sin(d + r[0]))));
    const f = (e: tf.Tensor) =>
      contrastiveHardInfoNce.fn({embeddings: e as tf.Tensor2D, otherEmbeddings: e2}, {temperature: 0.5, negatives: 4});
    const grad = tf.grad(f)(e1);
    const analytic = tf.sum(tf.mul(grad, dir)).dataSync()[0];
    const eps = 1e-3;
    const plus = f(tf.add(e1, tf.mul(dir, eps))).dataSync()[0];
    const minus = f(tf.sub(e1, tf.mul(dir, eps))).dataSync()[0];
    expect(analytic).toBeCloseTo((plus - minus) / (2 * eps), 2);
    tf.dispose([logits, neg, m, g, e1, e2, dir, grad]);
  });
  test("leaves no tensors behind", () => {
    const x = inputs();
    const before = tf.memory().numTensors;
    tf.dispose(contrastiveHardInfoNce.fn(x, {temperature: 0.5, negatives: 3}));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x.embeddings, x.otherEmbeddings]);
  });
});

describe("contrastiveLinearProbe", () => {
  test("1-D least squares with bias matches the hand-computed fit", () => {
    // Points e = 0, 1, 2, 3 with labels 0, 0, 1, 1: the class-1 indicator regressed on [e, 1] is y = 0.4 e − 0.1
    // (slope Σ(e−ē)(y−ȳ)/Σ(e−ē)² = 2/5), class 0 is 1 − that; the two cross at e = 1.5.
    const train = {embeddings: [0, 1, 2, 3], labels: [0, 0, 1, 1]};
    const test = {embeddings: [1.4, 1.6, -5, 9], labels: [0, 1, 0, 1]};
    expect(contrastiveLinearProbe(train, test, 1, 2, {ridge: 0})).toBe(1);
    expect(contrastiveLinearProbe(train, {embeddings: [1.4, 1.6], labels: [1, 0]}, 1, 2, {ridge: 0})).toBe(0);
  });
  test("three classes on the plane: the fitted probe separates them; a huge ridge collapses it to the bias", () => {
    const centres = [
      [1, 0],
      [-0.5, 0.87],
      [-0.5, -0.87]
    ];
    const rng = random(5);
    const make = (n: number) => {
      const e: number[] = [],
        y: number[] = [];
      for (let i = 0; i < n; ++i) {
        const k = i % 3;
        e.push(centres[k][0] + 0.1 * rng.normal(), centres[k][1] + 0.1 * rng.normal());
        y.push(k);
      }
      return {embeddings: e, labels: y};
    };
    const tr = make(60),
      te = make(30);
    expect(contrastiveLinearProbe(tr, te, 2, 3)).toBe(1);
    // With λ → ∞ the weights vanish and the bias decides: the class frequencies of the training set. Add 30 more
    // samples of class 0 and every test point is called class 0, a third of them rightly.
    const extra = make(90);
    const skewed = {
      embeddings: [...tr.embeddings, ...extra.embeddings.filter((_, i) => extra.labels[i >> 1] === 0)],
      labels: [...tr.labels, ...extra.labels.filter((y) => y === 0)]
    };
    expect(contrastiveLinearProbe(skewed, te, 2, 3, {ridge: 1e12})).toBeCloseTo(1 / 3, 6);
    expect(contrastiveLinearProbe(skewed, te, 2, 3)).toBe(1);
    expect(() => contrastiveLinearProbe(tr, te, 2, 3, {ridge: -1})).toThrow(/invalid ridge/);
  });
});

describe("contrastiveTemperatureMetrics", () => {
  test("records −L_unif, tolerance and probe accuracy from the read-back embeddings", () => {
    const data = gaussianClasses({classes: 3, dims: 2, perClass: 8, seed: 1});
    const unit = (n: number, y: Int32Array) =>
      Float32Array.from({length: n * 3}, (_, i) => (i % 3 === y[Math.floor(i / 3)] ? 1 : 0));
    const host = contrastiveTemperatureMetrics().host!;
    const m = host({
      data,
      arm: {} as never,
      index: 0,
      testLogits: new Float32Array(),
      probeLogits: new Float32Array(),
      probeSize: data.train.n,
      testEmbeddings: unit(data.test.n, data.test.y),
      probeEmbeddings: unit(data.train.n, data.train.y),
      step: 0
    });
    // Every class at its own axis: same-class cosine 1; the probe is perfect; pairs across classes are √2 apart.
    expect(m.tolerance).toBeCloseTo(1, 6);
    expect(m.probeAccuracy).toBe(1);
    expect(m.uniformity).toBeGreaterThan(0);
  });
});
