// The registry as a whole: every id the library promises exists under its stable id, and every
// entry's documentation (formula, symbols, inputs) renders and serialises for the reference page.
import {readFileSync} from "node:fs";
import katex from "katex";
import {describe, expect, test} from "vitest";
import {describeLoss, getLoss, lossFamilies, losses} from "../../../src/losses/index.js";
import type {Schema} from "../../../src/params/schema.js";

const required = {
  classification: [
    "cross-entropy",
    "focal",
    "generalized-cross-entropy",
    "mean-absolute-error",
    "sum-exponential",
    "comp-sum",
    "smooth-adversarial-comp-sum",
    "z-loss",
    "mse-onehot",
    "taylor-softmax",
    "ldr-kl",
    "aldr-kl",
    "ensloss",
    "anyloss",
    "generalized-focal",
    "dice",
    "tversky",
    "logistic",
    "batch-perceptron",
    "cosface",
    "arcface"
  ],
  metric: [
    "contrastive",
    "triplet-margin",
    "multi-similarity",
    "circle",
    "nt-xent",
    "info-nce",
    "supcon",
    "proto-triplet",
    "icnn",
    "unpg",
    "decoupled-softmax",
    "soft-top-k",
    "mlcd",
    "vatt-nce",
    "mil-nce",
    "metrix",
    "hybrid-multilabel"
  ],
  distillation: ["kd", "dhkd", "nd", "focal-distillation", "margin-preserving", "correctness-aware"]
};

describe("the loss registry", () => {
  for (const [group, ids] of Object.entries(required)) {
    test(`has every ${group} loss the library promises`, () => {
      const missing = ids.filter((id) => !(id in losses));
      expect(missing, `missing ids`).toEqual([]);
    });
  }
  test("keys are the losses' own ids and every family is a known one", () => {
    const known = new Set(lossFamilies.map((f) => f.id));
    for (const [key, loss] of Object.entries(losses)) {
      expect(loss.id).toBe(key);
      expect(known.has(loss.family), `${key}: family ${loss.family}`).toBe(true);
    }
  });
  test("the README states the registry's size", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(`The library has ${Object.keys(losses).length} losses`);
  });
  test("getLoss names the known ids when asked for an unknown one", () => {
    expect(() => getLoss("no-such-loss")).toThrow(/unknown loss: no-such-loss \(known: cross-entropy, /);
  });
  for (const [id, loss] of Object.entries(losses)) {
    test(`${id}: its formula and symbols are valid KaTeX and its entry is plain JSON`, () => {
      expect(() => katex.renderToString(loss.tex, {throwOnError: true, output: "mathml"})).not.toThrow();
      for (const [name, spec] of Object.entries(loss.schema as Schema)) {
        if ("symbol" in spec && spec.symbol) {
          expect(() => katex.renderToString(spec.symbol!, {throwOnError: true}), `${name}.symbol`).not.toThrow();
        }
      }
      const entry = describeLoss(loss);
      expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
      for (const name of loss.needs) if (name !== "state") expect(entry.inputs[name]?.required, name).toBe(true);
    });
  }
});
