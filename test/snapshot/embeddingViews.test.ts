// @vitest-environment jsdom
import {test} from "vitest";
import {EmbeddingPlot} from "../../components/embeddingPlot.js";
import type {EmbeddingData} from "../../components/embeddingPlot.js";
import {EmbeddingSphere, sphereFigure} from "../../components/embeddingSphere.js";
import type {SphereData} from "../../components/embeddingSphere.js";
import {random} from "../../src/random.js";
import {assertJsonSnapshot} from "../util/jsonSnapshot.js";
import {snapshotTest} from "../util/snapshot.js";

// ---------------------------------------------------------------------------------------------
// Fixture data: seeded and readable.

/**
 * `perClass` points on the unit circle at their class angle ± a seeded jitter (radians), with unit
 * class weights at `weightAngles` (degrees); one point of class 1 is predicted as class 0, and each
 * point's loss grows with its distance from its own weight.
 */
function circleEmbedding(seed: string, weightAngles: number[], perClass: number, jitter: number): EmbeddingData {
  const rng = random(seed);
  const classes = weightAngles.length;
  const n = perClass * classes;
  const x = new Float32Array(2 * n);
  const label = new Int32Array(n);
  const predicted = new Int32Array(n);
  const loss = new Float32Array(n);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const k = i % classes;
    const offset = jitter * rng.normal();
    const angle = (weightAngles[k] * Math.PI) / 180 + offset;
    x[2 * i] = Math.cos(angle);
    x[2 * i + 1] = Math.sin(angle);
    label[i] = k;
    predicted[i] = i === 4 ? (k + classes - 1) % classes : k;
    loss[i] = 0.05 + 2 * offset * offset;
    ids[i] = 100 + i;
  }
  const weights = new Float32Array(2 * classes);
  weightAngles.forEach((a, k) => {
    weights[2 * k] = 2 * Math.cos((a * Math.PI) / 180);
    weights[2 * k + 1] = 2 * Math.sin((a * Math.PI) / 180);
  });
  return {classes, points: {x, label, predicted, loss, ids}, normalized: true, weights};
}

/** Three Gaussian blobs in the plane (not normalised), 8 points each, ids 200…. */
function blobs(seed: string, spread: number): EmbeddingData {
  const rng = random(seed);
  const centres = [
    [-1, -0.6],
    [1, -0.5],
    [0, 1.1]
  ];
  const n = 24;
  const x = new Float32Array(2 * n);
  const label = new Int32Array(n);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const k = i % 3;
    x[2 * i] = centres[k][0] + spread * rng.normal();
    x[2 * i + 1] = centres[k][1] + spread * rng.normal();
    label[i] = k;
    ids[i] = 200 + i;
  }
  return {classes: 3, points: {x, label, ids}};
}

/** Batch-hard style pairs: every point's positive partner is the next point of its class, its negative the next point. */
function minedPairs(n: number, classes: number): {pos: Int32Array; neg: Int32Array} {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < n; ++i) {
    pos.push(i, (i + classes) % n);
    neg.push(i, (i + 1) % n);
  }
  return {pos: Int32Array.from(pos), neg: Int32Array.from(neg)};
}

/** Points on the unit sphere around three orthogonal-ish class directions, with weights and one misclassified point. */
function sphereData(seed: string, jitter: number): SphereData {
  const rng = random(seed);
  const directions = [
    [1, 0, 0.2],
    [-0.3, 1, 0.1],
    [0, -0.4, -1]
  ];
  const classes = 3;
  const n = 18;
  const x = new Float32Array(3 * n);
  const label = new Int32Array(n);
  const predicted = new Int32Array(n);
  const loss = new Float32Array(n);
  for (let i = 0; i < n; ++i) {
    const k = i % classes;
    const v = directions[k].map((c) => c + jitter * rng.normal());
    const norm = Math.hypot(...v);
    x.set(
      v.map((c) => c / norm),
      3 * i
    );
    label[i] = k;
    predicted[i] = i === 5 ? 0 : k;
    loss[i] = 0.1 + i / 20;
  }
  return {classes, points: {x, label, predicted, loss}, weights: Float32Array.from(directions.flat())};
}

// ---------------------------------------------------------------------------------------------
// EmbeddingPlot: margins, mined pairs, keyboard detail.

snapshotTest(function embeddingPlotArcFace() {
  const data = circleEmbedding("arcface", [0, 120, 240], 6, 0.3);
  data.margin = {kind: "additive-angle", value: 0.5};
  return EmbeddingPlot(data, {document, renderer: "svg"});
});

snapshotTest(function embeddingPlotCosFace() {
  // Uneven weights: classes 0 and 1 are 50° apart, so their wedges are narrower than class 2's.
  const data = circleEmbedding("cosface", [10, 60, 200], 6, 0.25);
  data.margin = {kind: "additive-cosine", value: 0.2};
  return EmbeddingPlot(data, {document, renderer: "svg"});
});

snapshotTest(function embeddingPlotPairs() {
  const data = blobs("pairs", 0.3);
  data.pairs = minedPairs(12, 3);
  return EmbeddingPlot(data, {document, renderer: "svg"});
});

snapshotTest(function embeddingPlotPairsCapped() {
  const data = blobs("pairs", 0.3);
  data.pairs = minedPairs(24, 3);
  return EmbeddingPlot(data, {document, renderer: "svg", maxPairs: 12});
});

snapshotTest(function embeddingPlotKeyboardFocus() {
  const plot = EmbeddingPlot(circleEmbedding("arcface", [0, 120, 240], 6, 0.3), {document, renderer: "svg"});
  const points = plot.querySelector(".points")!;
  points.dispatchEvent(new window.FocusEvent("focus"));
  points.dispatchEvent(new window.KeyboardEvent("keydown", {key: "ArrowUp", bubbles: true}));
  return plot;
});

snapshotTest(function embeddingPlotMarginsUpdated() {
  const data = circleEmbedding("arcface", [0, 120, 240], 6, 0.3);
  data.margin = {kind: "additive-angle", value: 0.5};
  const plot = EmbeddingPlot(data, {document, renderer: "svg"});
  const next = circleEmbedding("arcface", [0, 120, 240], 6, 0.15);
  next.margin = {kind: "additive-angle", value: 0.8};
  next.pairs = minedPairs(18, 3);
  return plot.update(next, {width: 320, maxPairs: 20});
});

// ---------------------------------------------------------------------------------------------
// EmbeddingSphere: the static projection (renderer "svg") and plotly's figure as JSON.

snapshotTest(function embeddingSphereStatic() {
  return EmbeddingSphere(sphereData("sphere", 0.25), {document, renderer: "svg", width: 320});
});

snapshotTest(function embeddingSphereStaticUpdated() {
  const sphere = EmbeddingSphere(sphereData("sphere", 0.25), {document, renderer: "svg", width: 320});
  return sphere.update(sphereData("sphere", 0.1), {camera: {azimuth: -60, elevation: 10}});
});

test("embeddingSphereFigure", () => {
  assertJsonSnapshot("embeddingSphereFigure", sphereFigure(sphereData("sphere", 0.25), {pointSize: 5}));
});

test("embeddingSphereFigureEmpty", () => {
  assertJsonSnapshot("embeddingSphereFigureEmpty", sphereFigure(null));
});
