import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {
  adversarialAccuracy,
  adversarialStart,
  crossEntropyAttack,
  pgdAttack,
  smoothAdversarialInputs
} from "../../../src/methods/adversarial.js";
import {compSumExperiment} from "../../../src/experiments/compSum.js";
import type {CompSumParams} from "../../../src/experiments/compSum.js";
import {mlp} from "../../../src/models/mlp.js";
import {resolveParams} from "../../../src/params/schema.js";
import {runToEnd, train} from "../../../src/train/train.js";
import {useCpuBackend} from "../../util/backend.js";

useCpuBackend();

/** A linear two-class model h(x) = x·W + b with W = [[w00, w01], [w10, w11]] (rows: inputs, columns: classes). */
function linear(W: number[], b = [0, 0]) {
  const model = mlp({inputs: 2, hidden: [], classes: 2, seed: 1});
  model.write([Float32Array.from(W), Float32Array.from(b)]);
  return model;
}

describe("adversarialStart", () => {
  test("adversarialStart(seed, label, step) is uniform in [−γ, γ], the same for the same key and different per step", () => {
    const read = (step: number) => tf.tidy(() => adversarialStart(7, "pgd", step, [50, 2], 0.3).dataSync());
    const a = read(3);
    expect(a).toHaveLength(100);
    expect(Math.max(...a)).toBeLessThanOrEqual(0.3);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-0.3);
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(0.4);
    expect(read(3)).toEqual(a);
    expect(read(4)).not.toEqual(a);
  });
});

describe("pgdAttack", () => {
  test("pgdAttack climbs a linear objective to the corner of the ℓ∞ ball: x + γ·sign(c)", () => {
    // f(x′) = Σ x′·c with c = (2, −1): the gradient's sign is (+, −) everywhere, and K = 4 steps of 2.5γ/K reach the corner.
    const out = tf.tidy(() => {
      const x = tf.tensor2d([0, 0, 1, -2], [2, 2]);
      const c = tf.tensor2d([2, -1], [2, 1]);
      return pgdAttack(x, (xa) => tf.sum(tf.matMul(xa, c)) as tf.Scalar, {radius: 0.1, steps: 4}).dataSync();
    });
    expect([...out].map((v) => +v.toFixed(6))).toEqual([0.1, -0.1, 1.1, -2.1]);
  });
  test("pgdAttack stays inside the ball and honours stepSize; zero steps return the start", () => {
    const [one, none] = tf.tidy(() => {
      const x = tf.tensor2d([0, 0], [1, 2]);
      const f = (xa: tf.Tensor2D) => tf.sum(xa) as tf.Scalar;
      const start = tf.tensor2d([0.05, -0.05], [1, 2]);
      return [
        pgdAttack(x, f, {radius: 0.1, steps: 1, stepSize: 0.02, start}).dataSync(),
        pgdAttack(x, f, {radius: 0.1, steps: 0, start}).dataSync()
      ];
    });
    expect([...one].map((v) => +v.toFixed(6))).toEqual([0.07, -0.03]);
    expect([...none].map((v) => +v.toFixed(6))).toEqual([0.05, -0.05]);
  });
  test("pgdAttack rejects a negative radius", () => {
    expect(() =>
      tf.tidy(() => pgdAttack(tf.zeros([1, 2]), (xa) => tf.sum(xa) as tf.Scalar, {radius: -1, steps: 1}))
    ).toThrow(/invalid radius: -1/);
  });
});

describe("attacks on a linear model", () => {
  test("crossEntropyAttack moves each point by γ along sign(w_other − w_label), the direction that lowers its margin", () => {
    // W columns: class 0 weights (1, 0), class 1 weights (0, 2) → w1 − w0 = (−1, 2).
    const model = linear([1, 0, 0, 2]);
    const out = tf.tidy(() =>
      crossEntropyAttack(model, tf.tensor2d([0, 0, 3, 3], [2, 2]), tf.tensor1d([0, 1], "int32"), {
        radius: 0.2,
        steps: 3
      }).dataSync()
    );
    model.dispose();
    // label 0: towards class 1, sign(−1, 2) = (−, +); label 1: the opposite.
    expect([...out].map((v) => +v.toFixed(6))).toEqual([-0.2, 0.2, 3.2, 2.8]);
  });
  test("smoothAdversarialInputs pushes x′ − x to the corner its start points to (‖h(x′) − h(x)‖² grows along it)", () => {
    // h(x) = x (identity weights): ‖x′ − x‖² has gradient 2(x′ − x), whose sign is the start's.
    const model = linear([1, 0, 0, 1]);
    const out = tf.tidy(() =>
      smoothAdversarialInputs(model, tf.tensor2d([1, 1], [1, 2]), {
        radius: 0.3,
        steps: 2,
        start: tf.tensor2d([-0.01, 0.02], [1, 2])
      }).dataSync()
    );
    model.dispose();
    expect([...out].map((v) => +v.toFixed(6))).toEqual([0.7, 1.3]);
  });
  test("adversarialAccuracy is the share of points whose margin survives the worst ℓ∞ shift γ·‖w_y − w_other‖₁", () => {
    // h = (x₁, −x₁) → margin of label 0 is 2x₁, and the attack lowers it by 2γ. Points x₁ = 0.5, 0.05, −0.3, 2 with
    // label 0 and γ = 0.1: margins 1, 0.1, −0.6, 4 → after the attack 0.8, −0.1, −0.8, 3.8 → 2 of 4 right (clean: 3).
    const model = linear([1, -1, 0, 0]);
    const acc = tf.tidy(
      () =>
        adversarialAccuracy(
          model,
          tf.tensor2d([0.5, 0, 0.05, 0, -0.3, 0, 2, 0], [4, 2]),
          tf.tensor1d([0, 0, 0, 0], "int32"),
          {
            radius: 0.1,
            steps: 5
          }
        ).dataSync()[0]
    );
    model.dispose();
    expect(acc).toBe(0.5);
  });
});

describe("the comp-sum notebook's adversarial arm and attack metric", () => {
  const small = {n: 120, dataset: "spirals", classes: 2, labelNoise: 0, embed: false, width: 16, radius: 0.1} as const;
  const run = (params: Partial<CompSumParams>, steps = 6) =>
    runToEnd(
      train({
        ...compSumExperiment.setup(resolveParams(compSumExperiment.schema, {...small, ...params})),
        steps,
        evalEvery: steps,
        stepsPerYield: steps
      })
    );
  test("with ν = 0 the smooth adversarial arm trains exactly as the plain comp-sum arm", async () => {
    const plain = await run({method: "comp-sum", tau: 1.5});
    const adversarial = await run({method: "smooth-adversarial-comp-sum", tau: 1.5, nu: 0});
    expect(adversarial.arms[1].label).toBe("Adv. comp-sum (τ = 1.5, ν = 0)");
    expect(adversarial.history.loss[1]).toEqual(plain.history.loss[1]);
  });
  test("with ν > 0 the penalty adds to the loss from the first step, and both arms report accuracy under PGD", async () => {
    const plain = await run({method: "comp-sum", tau: 1}, 1);
    const adversarial = await run({method: "smooth-adversarial-comp-sum", tau: 1, nu: 1}, 1);
    expect(adversarial.history.loss[1][0]).toBeGreaterThan(plain.history.loss[1][0]);
    for (const arm of adversarial.arms) {
      expect(arm.metrics.pgdAccuracy).toBeGreaterThanOrEqual(0);
      expect(arm.metrics.pgdAccuracy).toBeLessThanOrEqual(1);
    }
    expect(adversarial.history.metrics.pgdAccuracy[0]).toHaveLength(2);
  });
  test("radius 0 switches the attack metric off", async () => {
    const last = await run({method: "comp-sum", radius: 0}, 1);
    expect(last.arms[0].metrics.pgdAccuracy).toBeUndefined();
  });
});
