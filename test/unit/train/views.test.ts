// The event → figure-data transforms of src/train/views.ts.
import {beforeAll, describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {toy2d} from "../../../src/datasets/toy2d.js";
import {crossEntropy} from "../../../src/losses/compSum.js";
import {runToEnd, train} from "../../../src/train/train.js";
import {decisionView} from "../../../src/train/views.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("decisionView", () => {
  test("draws every training point, or every k-th one under maxPoints, keeping rows and labels together", async () => {
    const data = toy2d({n: 300, classes: 3, seed: 1, labelNoise: 0.2});
    const last = await runToEnd(
      train({
        data,
        model: {hidden: [4]},
        arms: [{id: "ce", label: "CE", loss: crossEntropy}],
        optimizer: {type: "sgd", lr: 0.1},
        batchSize: 16,
        seed: 1,
        steps: 1,
        view: {grid: 4}
      })
    );
    const all = decisionView(last, 0)!;
    expect(all.points.label).toBe(data.train.y);
    const few = decisionView(last, 0, {maxPoints: 50})!;
    const k = Math.ceil(data.train.n / 50);
    expect(few.points.label.length).toBe(Math.ceil(data.train.n / k));
    expect(few.points.label.length).toBeLessThanOrEqual(50);
    few.points.ids.forEach((id, j) => {
      const i = j * k;
      expect(id).toBe(data.train.ids[i]);
      expect([few.points.x[2 * j], few.points.x[2 * j + 1]]).toEqual([data.train.x[2 * i], data.train.x[2 * i + 1]]);
      expect([few.points.label[j], few.points.clean[j]]).toEqual([data.train.y[i], data.train.yClean[i]]);
    });
  });
});
