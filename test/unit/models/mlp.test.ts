import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {mlp} from "../../../src/models/mlp.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("mlp(config)", () => {
  test("the same seed gives the same initial weights; another seed does not", async () => {
    const [a, b, c] = [mlp({seed: 1}), mlp({seed: 1}), mlp({seed: 2})];
    const [wa, wb, wc] = await Promise.all([a.read(), b.read(), c.read()]);
    expect(wa.map((w) => Array.from(w))).toEqual(wb.map((w) => Array.from(w)));
    expect(Array.from(wa[0])).not.toEqual(Array.from(wc[0]));
    for (const m of [a, b, c]) m.dispose();
  });
  test("weights are He-uniform for ReLU layers and biases start at zero", async () => {
    const m = mlp({inputs: 2, hidden: [64], classes: 3, seed: 3});
    const [w0, b0] = await m.read();
    const limit = Math.sqrt(6 / 2);
    expect(Math.max(...w0.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w0.map(Math.abs))).toBeGreaterThan(0.8 * limit);
    expect(Array.from(b0).every((v) => v === 0)).toBe(true);
    m.dispose();
  });
  test("apply gives logits [B, C] and, with embed, embeddings [B, embed]", () => {
    const m = mlp({inputs: 2, hidden: [8], classes: 4, embed: 2, seed: 1});
    const shapes = tf.tidy(() => {
      const out = m.apply(tf.zeros([5, 2]));
      return [out.logits.shape, out.embeddings?.shape];
    });
    expect(shapes).toEqual([
      [5, 4],
      [5, 2]
    ]);
    m.dispose();
  });
  test("normalize puts embeddings on the unit circle; the cosine head gives logits in [−s, s]", () => {
    const m = mlp({inputs: 2, hidden: [8], classes: 3, embed: 2, normalize: true, head: "cosine", scale: 10, seed: 1});
    const [norms, logits] = tf.tidy(() => {
      const out = m.apply(tf.randomUniform([20, 2], -2, 2, "float32", 1));
      return [tf.norm(out.embeddings!, 2, 1).dataSync(), out.logits.dataSync()];
    });
    for (const n of norms) expect(n).toBeCloseTo(1, 5);
    expect(Math.max(...logits.map(Math.abs))).toBeLessThanOrEqual(10 + 1e-4);
    m.dispose();
  });
  test("write(read()) restores weights", async () => {
    const m = mlp({seed: 4});
    const saved = await m.read();
    m.write(saved.map((w) => w.map(() => 0.5)));
    expect((await m.read())[0][0]).toBe(0.5);
    m.write(saved);
    expect(Array.from((await m.read())[0])).toEqual(Array.from(saved[0]));
    m.dispose();
  });
  test("creating and disposing models leaks no tensors", () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; ++i) mlp({embed: 2, seed: i}).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  test("bad configs and inputs throw with the value", () => {
    expect(() => mlp({hidden: [0]})).toThrow("mlp: invalid hidden: [0]");
    expect(() => mlp({activation: "swish" as never})).toThrow("mlp: invalid activation: swish");
    const m = mlp({inputs: 2});
    expect(() => tf.tidy(() => m.apply(tf.zeros([3, 5])).logits)).toThrow(
      "mlp: expected input of shape [B, 2], got [3,5]"
    );
    m.dispose();
  });
  test("dropout needs a random stream and scales kept units by 1/(1 − rate)", () => {
    const m = mlp({inputs: 2, hidden: [16], dropout: 0.5, seed: 1});
    expect(() => tf.tidy(() => m.apply(tf.ones([2, 2]), {training: true}).logits)).toThrow(
      /dropout needs a random stream/
    );
    m.dispose();
  });
});
