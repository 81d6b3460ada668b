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

/**
 * Wraps a function of tensors so that its result is a constant to autodiff: its inner ops are not
 * recorded and its gradient is zero. For masks computed from values on the gradient path (a miner's
 * "d(a,n) < d(a,p) + margin", an argmax): TF.js registers no gradient for comparisons, so
 * `cast(greater(x, c))` on the path makes tf.grad throw "gradient function not found for Greater".
 * Ops inside a custom gradient's forward pass are not taped, so wrapping the mask in one is TF.js's
 * equivalent of computing it under torch.no_grad(). (tf.step(x) is a ready-made 1[x > 0] with a zero
 * gradient.)
 */
export function noGradient<T extends tf.Tensor>(f: (...xs: tf.Tensor[]) => T): (...xs: tf.Tensor[]) => T {
  const wrapped = tf.customGrad(((...args: unknown[]) => {
    const xs = args.slice(0, -1) as tf.Tensor[];
    const value = f(...xs);
    if (value.dtype !== "float32") throw new Error(`noGradient: the result must be float32, got ${value.dtype}`);
    return {value, gradFunc: () => xs.map((x) => tf.zerosLike(x))};
  }) as any);
  return (...xs: tf.Tensor[]) => (wrapped as any)(...xs) as T;
}
