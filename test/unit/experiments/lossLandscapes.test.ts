import {describe, expect, test} from "vitest";
import * as tf from "../../../src/tf.js";
import {
  landscapeFrame,
  landscapeProbe,
  landscapeSharpness,
  lossLandscapesExperiment as experiment,
  lossLandscapesModelConfig,
  trajectoryRecorder
} from "../../../src/experiments/lossLandscapes.js";
import {resolveParams} from "../../../src/params/schema.js";
import {useCpuBackend} from "../../util/backend.js";

useCpuBackend();

describe("the loss-landscape notebook's pipeline", () => {
  test("a short twin run records both trajectories and each plane kind gives a finite grid, projection and slice", async () => {
    const p = resolveParams(experiment.schema, {steps: 120, n: 200, width: 8});
    const recorder = trajectoryRecorder(2);
    for await (const event of experiment.live(p)) recorder.record(event);
    const options = experiment.setup(p);
    const config = lossLandscapesModelConfig(p, options.data);
    expect(recorder.trajectories.map((t) => t.steps.length)).toEqual([7, 7]);
    const probe = landscapeProbe(options.data, 128);
    try {
      for (const kind of ["checkpoints", "random", "pca"] as const) {
        const frame = await landscapeFrame({
          config,
          trajectory: recorder.trajectories[1],
          probe,
          loss: options.arms[1].loss,
          lossParams: options.arms[1].params,
          kind,
          resolution: 9,
          range: 1,
          seed: 1
        });
        expect(frame.grid.values.length).toBe(81);
        expect(Array.from(frame.grid.values).every(Number.isFinite), kind).toBe(true);
        expect(frame.grid.path).toBe("batched");
        expect(frame.plane.kind).toBe(kind === "random" ? "random-filter-normalized" : kind);
        expect(frame.trajectory.a.length).toBe(7);
        // The current weights are the checkpoint plane's origin and lie in every plane through them.
        expect(Math.abs(frame.trajectory.a[6]) + Math.abs(frame.trajectory.b[6])).toBeLessThan(
          kind === "pca" ? 10 : 1e-6
        );
        if (kind === "checkpoints") expect(Math.max(...frame.trajectory.relativeResidual)).toBeLessThan(1);
        expect(frame.slice.values.length).toBe(41);
        expect(Array.from(frame.slice.values).every(Number.isFinite)).toBe(true);
      }
      const sharp = await landscapeSharpness({
        config,
        weights: recorder.trajectories[0].points.at(-1)!,
        probe,
        loss: options.arms[0].loss,
        seed: 1
      });
      expect(Number.isFinite(sharp.top) && sharp.top > 0).toBe(true);
      expect(Number.isFinite(sharp.trace)).toBe(true);
    } finally {
      tf.dispose([probe.x, probe.labels!]);
    }
  }, 120_000);
});
