import {describe, expect, test} from "vitest";
import * as calibration from "../../../src/metrics/calibration.js";
import * as calibrationViews from "../../../src/metrics/calibrationViews.js";
import * as classification from "../../../src/metrics/classification.js";
import * as flips from "../../../src/metrics/flips.js";
import * as flipMasks from "../../../src/metrics/flipMasks.js";
import * as all from "../../../src/metrics/index.js";
import * as retrieval from "../../../src/metrics/retrieval.js";
import * as text from "../../../src/metrics/text.js";

describe("src/metrics/index.ts", () => {
  test("metrics bundles every exported metric function by its export name, frozen", () => {
    const functions = Object.entries(all).filter(([name, v]) => typeof v === "function" && name !== "metrics");
    expect(Object.keys(all.metrics).sort()).toEqual(functions.map(([name]) => name).sort());
    for (const [name, fn] of functions) expect(all.metrics[name as keyof typeof all.metrics]).toBe(fn);
    expect(Object.isFrozen(all.metrics)).toBe(true);
  });
  test("every public function of the metric modules is re-exported; validation helpers are not", () => {
    const internal = /^(check|argmaxAt|quantileSorted)/;
    for (const module of [classification, calibration, calibrationViews, flips, flipMasks, retrieval, text]) {
      for (const [name, v] of Object.entries(module)) {
        if (typeof v !== "function") continue;
        if (internal.test(name)) expect(all, name).not.toHaveProperty(name);
        else expect(all, name).toHaveProperty(name, v);
      }
    }
  });
  test("metrics.ece(probs, labels, classes) runs from the bundle", () => {
    expect(all.metrics.ece([0.6, 0.3, 0.1], [0], 3)).toBeCloseTo(0.4, 15);
  });
});
