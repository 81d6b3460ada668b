// Test scaffolding shared by the unit tests of TF.js code: the cpu backend, and a tensor-leak check
// around every test (STYLE §4: every loss and run leaves tf.memory().numTensors unchanged).
import {afterEach, beforeAll, beforeEach, expect} from "vitest";
import * as tf from "../../src/tf.js";

/**
 * Runs the file's tests on the cpu backend and fails any test that leaves more or fewer tensors than
 * it found. `recount()` accepts the current count (for a test that provokes a TF.js error, whose
 * tape TF.js leaves behind).
 */
export function useCpuBackend(): {recount(): void} {
  let before = 0;
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, "tensors leaked by the test").toBe(before);
  });
  return {
    recount() {
      before = tf.memory().numTensors;
    }
  };
}
