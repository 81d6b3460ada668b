// Projected gradient descent (PGD) in an ℓ∞ ball, for the smooth adversarial comp-sum loss (card 29): the inner
// maximisation that finds x′ for training, and the attack that measures accuracy under perturbation. Everything runs
// outside the training tape (x′ is a constant to the loss); the random start comes from the seeded generator.
import * as tf from "../tf.js";
import type {Model} from "../models/mlp.js";
import {random} from "../random.js";

/** How a PGD run searches the ℓ∞ ball of radius γ around its inputs. */
export interface PgdOptions {
  /** Radius γ of the ℓ∞ ball (input units). */
  radius: number;
  /** Number of PGD steps K (0 leaves the random start, or x itself without one). */
  steps: number;
  /** Step size α; default 2.5γ/K (Madry et al. 2018), which lets K steps cross the ball and back. */
  stepSize?: number;
  /** Random start: a perturbation in [−γ, γ] of the inputs' shape (e.g. from `adversarialStart`); default none. */
  start?: tf.Tensor2D;
}

/**
 * A uniform random start in [−γ, γ]^(n×d) from the seeded generator, keyed by a label and the step so that every arm
 * of a twin run (and every backend) gets the same one: random(seed).fork(label).fork(step).
 */
export function adversarialStart(
  seed: number,
  label: string,
  step: number,
  shape: [number, number],
  radius: number
): tf.Tensor2D {
  const values = random(seed)
    .fork(label)
    .fork(step)
    .uniforms(shape[0] * shape[1], -radius, radius);
  return tf.tensor2d(values, shape);
}

/**
 * ℓ∞ PGD: x′ ← clip_{[x − γ, x + γ]}(x′ + α · sign(∇_{x′} f(x′))), K times, from x + start, maximising `objective`
 * (a sum over the batch, so each row's step depends on that row alone). Returns x′ (a constant: nothing here is
 * recorded on an outer tape). Call inside tf.tidy; the intermediate tensors are released as it goes.
 */
export function pgdAttack(x: tf.Tensor2D, objective: (xAdv: tf.Tensor2D) => tf.Scalar, o: PgdOptions): tf.Tensor2D {
  const {radius, steps} = o;
  if (!(radius >= 0)) throw new Error(`pgdAttack: invalid radius: ${radius}`);
  if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`pgdAttack: invalid steps: ${steps}`);
  const alpha = o.stepSize ?? (steps > 0 ? (2.5 * radius) / steps : 0);
  const gradient = tf.grad((xa: tf.Tensor) => objective(xa as tf.Tensor2D));
  return tf.tidy(() => {
    const lo = tf.sub(x, radius);
    const hi = tf.add(x, radius);
    let xAdv: tf.Tensor2D = o.start ? (tf.add(x, o.start) as tf.Tensor2D) : tf.clone(x);
    for (let k = 0; k < steps; ++k) {
      const next = tf.tidy(() => {
        const g = gradient(xAdv);
        return tf.minimum(tf.maximum(tf.add(xAdv, tf.mul(tf.sign(g), alpha)), lo), hi) as tf.Tensor2D;
      });
      xAdv.dispose();
      xAdv = next;
    }
    return xAdv;
  });
}

/**
 * The inner maximisation of the smooth adversarial comp-sum loss (and of TRADES): PGD on Σ_i ‖h(x′_i) − h(x_i)‖²
 * with h(x) held fixed (computed here, outside any tape). Starts from a random point, since the gradient of the
 * squared distance is exactly zero at x′ = x.
 */
export function smoothAdversarialInputs(model: Model, x: tf.Tensor2D, o: PgdOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const clean = model.apply(x).logits;
    return pgdAttack(x, (xa) => tf.sum(tf.square(tf.sub(model.apply(xa).logits, clean))) as tf.Scalar, o);
  });
}

/** The standard PGD attack on a classifier: maximise the summed cross-entropy of the true labels in the γ-ball. */
export function crossEntropyAttack(model: Model, x: tf.Tensor2D, labels: tf.Tensor1D, o: PgdOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const classes = model.config.classes;
    const onehot = tf.oneHot(tf.cast(labels, "int32") as tf.Tensor1D, classes);
    return pgdAttack(x, (xa) => tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(model.apply(xa).logits)))) as tf.Scalar, o);
  });
}

/** Accuracy of `model` on (x, labels) under the cross-entropy PGD attack: the share still classified right at x′. */
export function adversarialAccuracy(model: Model, x: tf.Tensor2D, labels: tf.Tensor1D, o: PgdOptions): tf.Scalar {
  return tf.tidy(() => {
    const xAdv = crossEntropyAttack(model, x, labels, o);
    const predicted = tf.argMax(model.apply(xAdv).logits, 1);
    return tf.mean(tf.cast(tf.equal(predicted, tf.cast(labels, "int32")), "float32")) as tf.Scalar;
  });
}
