import {expect} from "vitest";

/** Tolerances for float32 results against float64 references (cpu/wasm). */
export const float32 = {rtol: 1e-4, atol: 1e-5};

/** Asserts |a − b| ≤ atol + rtol·|b| elementwise, naming the first index that fails. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  {rtol = float32.rtol, atol = float32.atol} = {}
): void {
  expect(actual.length, "length").toBe(expected.length);
  for (let i = 0; i < expected.length; ++i) {
    const a = actual[i],
      b = expected[i];
    const ok = Number.isFinite(b) ? Math.abs(a - b) <= atol + rtol * Math.abs(b) : Object.is(a, b);
    if (!ok) expect.fail(`index ${i}: ${a} is not within atol ${atol} + rtol ${rtol} of ${b}`);
  }
}
