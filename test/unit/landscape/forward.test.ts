import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {forwardMlp, mlp} from "../../../src/models/mlp.js";
import type {ModelConfig} from "../../../src/models/mlp.js";
import {useCpuBackend} from "../../util/backend.js";
import {expectClose} from "../../util/close.js";

useCpuBackend();

// G = 3 models with different seeds, stacked into batched weights [G, …].
async function stacked(config: Partial<ModelConfig>) {
  const models = [1, 2, 3].map((seed) => mlp({...config, seed}));
  const reads = await Promise.all(models.map((m) => m.read()));
  return {models, reads};
}

describe("forwardMlp(config, weights, x, {batched})", () => {
  const cases: [string, Partial<ModelConfig>][] = [
    ["relu MLP with a linear head", {inputs: 2, hidden: [6, 5], classes: 3}],
    [
      "tanh MLP with a normalised embedding and a cosine head",
      {inputs: 2, hidden: [6], classes: 4, embed: 2, normalize: true, head: "cosine", activation: "tanh", scale: 8}
    ]
  ];
  for (const [name, config] of cases) {
    test(`batched outputs equal each model's apply (${name})`, async () => {
      const {models, reads} = await stacked(config);
      const x = tf.tensor2d([0.3, -1.2, 1.5, 0.4, -0.7, -0.9, 0.0, 2.0], [4, 2]);
      const [batched, each] = tf.tidy(() => {
        const weights = reads[0].map((_, k) =>
          tf.stack(reads.map((r, g) => tf.tensor(r[k], models[g].variables[k].shape)))
        );
        const out = forwardMlp(models[0].config, weights, x, {batched: true});
        expect(out.logits.shape).toEqual([3, 4, models[0].config.classes]);
        const one = models.map((m) => m.apply(x));
        return [
          [out.logits.dataSync(), out.embeddings?.dataSync()],
          [
            tf.stack(one.map((o) => o.logits)).dataSync(),
            one[0].embeddings ? tf.stack(one.map((o) => o.embeddings!)).dataSync() : undefined
          ]
        ];
      });
      expectClose(batched[0]!, each[0]!, {rtol: 1e-6, atol: 1e-6});
      if (each[1]) expectClose(batched[1]!, each[1], {rtol: 1e-6, atol: 1e-6});
      else expect(batched[1]).toBeUndefined();
      x.dispose();
      for (const m of models) m.dispose();
    });
  }
  test("apply is forwardMlp with the model's variables", () => {
    const m = mlp({hidden: [7], embed: 3, seed: 5});
    const same = tf.tidy(() => {
      const x = tf.randomNormal([6, 2], 0, 1, "float32", 2) as tf.Tensor2D;
      const a = m.apply(x);
      const b = forwardMlp(m.config, m.variables, x);
      return [Array.from(a.logits.dataSync()), Array.from(b.logits.dataSync())];
    });
    expect(same[0]).toEqual(same[1]);
    m.dispose();
  });
  test("names wrong weight shapes and inputs", () => {
    const m = mlp({hidden: [4], seed: 1});
    tf.tidy(() => {
      expect(() => forwardMlp(m.config, m.variables.slice(1), tf.zeros([2, 2]))).toThrow(/expected 4 weight tensors/);
      expect(() => forwardMlp(m.config, m.variables, tf.zeros([2, 3]))).toThrow(/expected input of shape \[B, 2\]/);
      expect(() => forwardMlp(m.config, m.variables, tf.zeros([2, 2]), {batched: true})).toThrow(/weight 0 has shape/);
    });
    m.dispose();
  });
});
