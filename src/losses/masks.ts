import * as tf from "../tf.js";

/**
 * A float32 one-hot [B, C] of int32 labels, for selecting and weighting by mask. Built as int32 and
 * cast: the WASM backend's OneHot kernel ignores a float32 dtype and writes integer bits (a 1 then
 * reads as 1.4e-45), so every loss takes its one-hot from here.
 */
export function oneHotFloat(labels: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(labels, classes), "float32") as tf.Tensor2D;
}

/**
 * The value of x with no gradient flowing back through it: PyTorch's `.detach()`, which TF.js lacks
 * (no stopGradient). A custom gradient of zeros; upstream ops still run their backward pass with a
 * zero cotangent, so use it for first-order training only (not inside a gradient of a gradient).
 */
export const detach: <T extends tf.Tensor>(x: T) => T = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy)
})) as any) as any;
