// The contract harness must be able to fail: each deliberately broken loss below breaks one clause,
// and the matching check has to throw (a test that cannot fail is a defect).
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {defineLoss} from "../../../src/losses/defineLoss.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import {oneHotFloat} from "../../../src/losses/masks.js";
import {defineSchema} from "../../../src/params/schema.js";
import {contractChecks} from "../../util/lossContract.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const base = {
  title: "Broken",
  family: "classification",
  paper: null,
  schema: defineSchema({}),
  needs: ["logits", "labels"],
  tex: "\\ell",
  cite: "none",
  summary: "A loss that breaks one clause of the contract."
} as const;

const pick = (logits: tf.Tensor2D, labels: tf.Tensor1D) => oneHotFloat(labels, logits.shape[1]);

const broken = {
  // Sum-exponential written naively: e^{z_k − z_y} overflows float32 for gaps above ≈ 88.
  "gradient with respect to logits is finite": defineLoss({
    ...base,
    id: "naive-sum-exponential",
    terms: ({logits, labels}) => {
      const zy = tf.sum(tf.mul(logits!, pick(logits!, labels!)), 1, true);
      return {loss: {values: tf.sub(tf.sum(tf.exp(tf.sub(logits!, zy)), 1), 1), kind: "element"}};
    }
  }),
  // Keeps an intermediate alive past the tidy scope.
  "is finite, deterministic and leaks no tensors": defineLoss({
    ...base,
    id: "leaky",
    terms: ({logits}) => {
      tf.keep(tf.square(logits!));
      return {loss: {values: tf.sum(logits!, 1), kind: "element"}};
    }
  }),
  // Its gradient is twice the true one.
  "autograd with respect to logits matches": defineLoss({
    ...base,
    id: "wrong-gradient",
    terms: ({logits}) => {
      const f = tf.customGrad(((x: tf.Tensor) => ({
        value: tf.sum(tf.square(x), 1),
        gradFunc: (dy: tf.Tensor) => tf.mul(tf.expandDims(dy, 1), tf.mul(x, 4))
      })) as any) as (x: tf.Tensor) => tf.Tensor;
      return {loss: {values: f(logits!), kind: "element"}};
    }
  }),
  // Changes from call to call.
  deterministic: defineLoss({
    ...base,
    id: "nondeterministic",
    terms: ({logits}) => ({loss: {values: tf.add(tf.sum(logits!, 1), Math.random()), kind: "element"}})
  }),
  // Says nothing about itself.
  "metadata and schema are complete": defineLoss({
    ...base,
    id: "undocumented",
    summary: "",
    schema: defineSchema({margin: {type: "number", default: 1, doc: ""}}),
    terms: ({logits}) => ({loss: {values: tf.sum(logits!, 1), kind: "element"}})
  })
} as const;

describe("the contract harness catches broken losses", () => {
  for (const [clause, loss] of Object.entries(broken)) {
    test(`${loss.id} fails the check "${clause}"`, () => {
      const checks = contractChecks(loss).filter((c) => c.name.includes(clause));
      expect(checks.length, `no check named like "${clause}"`).toBeGreaterThan(0);
      const failures = checks.filter((c) => {
        try {
          c.run();
          return false;
        } catch {
          return true;
        }
      });
      expect(failures.length, `${loss.id} passed "${clause}"`).toBeGreaterThan(0);
    });
  }
  test("cross-entropy passes every check", () => {
    for (const check of contractChecks(crossEntropy)) check.run();
  });
});
