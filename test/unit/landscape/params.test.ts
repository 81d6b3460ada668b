import {describe, expect, test} from "vitest";
import {mlp, mlpShapes} from "../../../src/models/mlp.js";
import {
  flattenWeights,
  layoutOf,
  paramDot,
  paramLayout,
  paramNorm,
  paramScale,
  paramSubtract,
  planePoint,
  unflattenWeights,
  weightSize
} from "../../../src/landscape/params.js";
import {useCpuBackend} from "../../util/backend.js";

useCpuBackend();

describe("params", () => {
  test("layoutOf(model) matches mlpShapes(config): [in, out] then [out] per layer, no head bias for a cosine head", () => {
    const model = mlp({inputs: 2, hidden: [4], embed: 2, head: "cosine", classes: 3, seed: 1});
    const layout = layoutOf(model);
    expect(layout.shapes).toEqual([[2, 4], [4], [4, 2], [2], [2, 3]]);
    expect(layout.shapes).toEqual(mlpShapes(model.config));
    expect(layout.offsets).toEqual([0, 8, 12, 20, 22]);
    expect(layout.size).toBe(28);
    expect(weightSize(layout, 4)).toBe(6);
    model.dispose();
  });
  test("unflattenWeights(flattenWeights(w)) restores model.read() and model.write accepts it", async () => {
    const model = mlp({hidden: [5, 3], seed: 2});
    const layout = layoutOf(model);
    const weights = await model.read();
    const flat = flattenWeights(weights, layout);
    expect(flat.length).toBe(layout.size);
    const back = unflattenWeights(flat, layout);
    expect(back.map((w) => Array.from(w))).toEqual(weights.map((w) => Array.from(w)));
    model.write(back);
    model.dispose();
  });
  test("flattenWeights and unflattenWeights name a size mismatch", () => {
    const layout = paramLayout([[2, 2], [2]]);
    expect(() => flattenWeights([new Float32Array(4), new Float32Array(3)], layout)).toThrow(/weight 1 has 3 values/);
    expect(() => unflattenWeights(new Float64Array(5), layout)).toThrow(/expected 6 values/);
  });
  test("vector helpers: dot, norm, subtract, scale and planePoint", () => {
    const a = [1, 2, 2],
      b = [0, 1, -1];
    expect(paramDot(a, b)).toBe(0);
    expect(paramNorm(a)).toBe(3);
    expect(Array.from(paramSubtract(a, b))).toEqual([1, 1, 3]);
    expect(Array.from(paramScale(a, -2))).toEqual([-2, -4, -4]);
    expect(Array.from(planePoint(a, 2, b, 3, [1, 0, 0]))).toEqual([4, 4, 0]);
    expect(Array.from(planePoint(a, -1, b))).toEqual([1, 1, 3]);
  });
});
