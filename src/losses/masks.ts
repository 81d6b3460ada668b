import * as tf from "../tf.js";

/**
 * A float32 one-hot [B, C] of int32 labels, for selecting and weighting by mask. Built as int32 and
 * cast: the WASM backend's OneHot kernel ignores a float32 dtype and writes integer bits (a 1 then
 * reads as 1.4e-45), so every loss takes its one-hot from here.
 */
export function oneHotFloat(labels: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(labels, classes), "float32") as tf.Tensor2D;
}
