// @vitest-environment jsdom
import {test} from "vitest";
import {LossContour, landscapeDomain} from "../../components/lossContour.js";
import type {LandscapeData, LandscapeGrid, LandscapeTrajectory} from "../../components/lossContour.js";
import {LossSlice} from "../../components/lossSlice.js";
import type {SliceCurve} from "../../components/lossSlice.js";
import {LossSurface, surfaceFigure} from "../../components/lossSurface.js";
import {random} from "../../src/random.js";
import {assertJsonSnapshot} from "../util/jsonSnapshot.js";
import {snapshotTest} from "../util/snapshot.js";

// ---------------------------------------------------------------------------------------------
// Fixture data: seeded and readable.

/**
 * A landscape with two basins on [−1, 1]²: a broad bowl with its minimum 0.02 at (0.3, −0.2) plus a
 * narrow Gaussian dip at (−0.5, 0.5) that makes a second, local minimum; `sharpness` scales the bowl
 * (a sharper minimum for the second twin). Values span about two decades, as losses do.
 */
function landscapeGrid(n: number, sharpness = 1): LandscapeGrid {
  const a = Float64Array.from({length: n}, (_, i) => -1 + (2 * i) / (n - 1));
  const b = Float64Array.from({length: n}, (_, j) => -1 + (2 * j) / (n - 1));
  const values = new Float32Array(n * n);
  for (let j = 0; j < n; ++j) {
    for (let i = 0; i < n; ++i) {
      const q1 = (a[i] - 0.3) ** 2 + 0.6 * (b[j] + 0.2) ** 2;
      const q2 = (a[i] + 0.5) ** 2 + (b[j] - 0.5) ** 2;
      // The dip is switched off near the bowl's minimum, so that minimum stays exactly 0.02.
      values[j * n + i] = 0.02 + 0.8 * sharpness * q1 + 0.6 * (1 - Math.exp(-q2 / 0.03)) * (1 - Math.exp(-q1 / 0.05));
    }
  }
  return {values, a, b};
}

/** A noisy path of `steps` points from (−0.8, 0.8) towards the bowl's minimum, with seeded jitter and off-plane residuals. */
function trajectory(seed: string, steps: number, jitter = 0.04): LandscapeTrajectory {
  const rng = random(seed);
  const a = new Float32Array(steps);
  const b = new Float32Array(steps);
  const residual = new Float32Array(steps);
  const relativeResidual = new Float32Array(steps);
  const stepIds = new Int32Array(steps);
  for (let k = 0; k < steps; ++k) {
    const t = 1 - Math.exp(-3 * (k / (steps - 1)));
    a[k] = -0.8 + 1.1 * t + jitter * rng.normal();
    b[k] = 0.8 - 1.0 * t + jitter * rng.normal();
    residual[k] = 0.01 * k;
    relativeResidual[k] = 0.02 * k;
    stepIds[k] = 50 * k;
  }
  return {a, b, residual, relativeResidual, steps: stepIds};
}

function randomPlane(grid: LandscapeGrid, path?: LandscapeTrajectory): LandscapeData {
  return {
    grid,
    plane: {kind: "random-filter-normalized", label: "two filter-normalised random directions"},
    trajectory: path
  };
}

/** A slice from α = −0.5 to 1.5: a barrier between the two ends, each end a minimum of its own depth. */
function slice(key: string, label: string, role: string, barrier: number, end: number): SliceCurve {
  const alpha = Float64Array.from({length: 21}, (_, i) => -0.5 + i / 10);
  const values = Float32Array.from(alpha, (t) => {
    const ends = 0.3 * (1 - t) + end * t + 1.2 * (t - 0.5) ** 2 * (t < 0 || t > 1 ? 4 : 0);
    return ends + barrier * Math.sin(Math.PI * Math.min(1, Math.max(0, t))) ** 2 + 0.05;
  });
  return {key, label, role, alpha, values};
}

// ---------------------------------------------------------------------------------------------
// LossContour

snapshotTest(function lossContourRandom() {
  return LossContour(randomPlane(landscapeGrid(21), trajectory("path", 12)), {document});
});

snapshotTest(function lossContourPcaLocalMinima() {
  const grid = landscapeGrid(17);
  return LossContour(
    {
      grid,
      plane: {kind: "pca", label: "PCA of the trajectory", explainedVariance: [0.823, 0.114]},
      trajectory: trajectory("pca", 8, 0.02)
    },
    {document, width: 360, localMinima: true, role: "method", valueLabel: "cross-entropy (probe batch)"}
  );
});

snapshotTest(function lossContourSharedDomain() {
  // Twin maps: the flat arm's map drawn on the domain of both, so colours match its sharp twin's.
  const flat = landscapeGrid(13, 0.5);
  const sharp = landscapeGrid(13, 4);
  return LossContour(randomPlane(flat), {document, width: 320, domain: landscapeDomain([flat, sharp])});
});

snapshotTest(function lossContourEmpty() {
  return LossContour(null, {document, width: 320});
});

snapshotTest(function lossContourKeyboard() {
  const contour = LossContour(randomPlane(landscapeGrid(11), trajectory("path", 6)), {document, width: 320});
  const map = contour.querySelector(".map")!;
  map.dispatchEvent(new window.FocusEvent("focus"));
  map.dispatchEvent(new window.KeyboardEvent("keydown", {key: "ArrowLeft", bubbles: true}));
  return contour;
});

snapshotTest(function lossContourUpdated() {
  const grid = landscapeGrid(21);
  const contour = LossContour(randomPlane(grid, trajectory("path", 6)), {document});
  // Later in training: the same grid, a longer path (only the path and the current point move) …
  contour.update(randomPlane(grid, trajectory("path", 12)));
  // … then a new grid (the plane re-evaluated around the current weights) and the linear levels.
  return contour.update(randomPlane(landscapeGrid(21, 2), trajectory("path", 12)), {scale: "linear", levels: 8});
});

// ---------------------------------------------------------------------------------------------
// LossSurface: the static fallback (renderer "svg") and plotly's figure as JSON.

snapshotTest(function lossSurfaceStatic() {
  return LossSurface(randomPlane(landscapeGrid(11), trajectory("path", 6)), {document, renderer: "svg", width: 320});
});

snapshotTest(function lossSurfaceStaticUpdated() {
  const surface = LossSurface(randomPlane(landscapeGrid(11), trajectory("path", 6)), {
    document,
    renderer: "svg",
    width: 320
  });
  return surface.update(randomPlane(landscapeGrid(11, 2), trajectory("path", 10)), {scale: "log"});
});

test("lossSurfaceFigure", () => {
  assertJsonSnapshot("lossSurfaceFigure", surfaceFigure(randomPlane(landscapeGrid(7), trajectory("path", 5))));
});

test("lossSurfaceFigureLog", () => {
  const data: LandscapeData = {
    grid: landscapeGrid(7),
    plane: {kind: "pca", label: "PCA of the trajectory", explainedVariance: [0.7, 0.2]},
    trajectory: trajectory("path", 5)
  };
  assertJsonSnapshot(
    "lossSurfaceFigureLog",
    surfaceFigure(data, {scale: "log", role: "baseline", camera: {azimuth: 30}, valueLabel: "focal loss"})
  );
});

test("lossSurfaceFigureEmpty", () => {
  assertJsonSnapshot("lossSurfaceFigureEmpty", surfaceFigure(null));
});

// ---------------------------------------------------------------------------------------------
// LossSlice

snapshotTest(function lossSliceInitialToCurrent() {
  return LossSlice(
    {curves: [slice("ce", "cross-entropy", "baseline", 0.4, 0.08)], endpoints: ["initial", "current"]},
    {document}
  );
});

snapshotTest(function lossSliceTwinLog() {
  return LossSlice(
    {
      curves: [
        slice("ce", "cross-entropy", "baseline", 0.4, 0.08),
        slice("ls", "label smoothing", "method", 0.15, 0.2)
      ],
      endpoints: ["initial", "current"]
    },
    {document, scale: "log"}
  );
});

snapshotTest(function lossSliceKeyboard() {
  const plot = LossSlice({curves: [slice("ce", "cross-entropy", "baseline", 0.4, 0.08)]}, {document, width: 360});
  const target = plot.querySelector(".plot")!;
  target.dispatchEvent(new window.FocusEvent("focus"));
  target.dispatchEvent(new window.KeyboardEvent("keydown", {key: "ArrowLeft", bubbles: true}));
  return plot;
});

snapshotTest(function lossSliceEmpty() {
  return LossSlice(null, {document, width: 360});
});

snapshotTest(function lossSliceUpdated() {
  const plot = LossSlice({curves: [slice("ce", "cross-entropy", "baseline", 0.4, 0.08)]}, {document});
  return plot.update(
    {
      curves: [
        slice("ce", "cross-entropy", "baseline", 0.5, 0.05),
        slice("ls", "label smoothing", "method", 0.2, 0.15)
      ],
      endpoints: ["cross-entropy arm", "label-smoothing arm"]
    },
    {scale: "log"}
  );
});
