import {expect} from "vitest";
import * as tf from "../../src/tf.js";
import {random} from "../../src/random.js";

/**
 * Directional gradient check in the manner of PyTorch's gradcheck fast mode: for seeded unit directions
 * u, the TF.js autograd derivative ⟨∇f(x), u⟩ must match the float64 central difference of the oracle
 * F (ε = 1e-6) and the float32 central difference of f itself (ε = 1e-3).
 */
export function gradcheck(
  f: (x: tf.Tensor) => tf.Scalar,
  oracle: ((x: Float64Array) => number) | null,
  x0: tf.Tensor,
  {directions = 3, seed = 7, rtol = 1e-3, atol = 1e-5, rtol32 = 1e-2, atol32 = 1e-2} = {}
): void {
  const rng = random(seed).fork("gradcheck");
  const g = tf.tidy(() => tf.grad(f)(x0));
  const grad = g.dataSync();
  g.dispose();
  const x = Float64Array.from(x0.dataSync());
  for (let d = 0; d < directions; ++d) {
    const u = Float64Array.from(rng.normals(x.length));
    const norm = Math.hypot(...u);
    for (let i = 0; i < u.length; ++i) u[i] /= norm;
    let auto = 0;
    for (let i = 0; i < u.length; ++i) auto += grad[i] * u[i];
    if (oracle) {
      const eps = 1e-6;
      const plus = oracle(x.map((v, i) => v + eps * u[i]));
      const minus = oracle(x.map((v, i) => v - eps * u[i]));
      const fd = (plus - minus) / (2 * eps);
      expect(Math.abs(auto - fd), `direction ${d}: autograd ${auto} vs float64 FD ${fd}`).toBeLessThanOrEqual(
        atol + rtol * Math.abs(fd)
      );
    }
    const eps32 = 1e-3;
    const at = (s: number) =>
      tf.tidy(
        () =>
          f(
            tf.tensor(
              Float32Array.from(x, (v, i) => v + s * eps32 * u[i]),
              x0.shape,
              x0.dtype
            )
          ).dataSync()[0]
      );
    const fd32 = (at(1) - at(-1)) / (2 * eps32);
    expect(Math.abs(auto - fd32), `direction ${d}: autograd ${auto} vs float32 FD ${fd32}`).toBeLessThanOrEqual(
      atol32 + rtol32 * Math.abs(fd32)
    );
  }
}
