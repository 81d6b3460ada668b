// @vitest-environment jsdom
import {DecisionMargin} from "../../components/decisionMargin.js";
import type {DecisionData} from "../../components/decisionMargin.js";
import {ConfusionMatrix} from "../../components/confusionMatrix.js";
import {MarginHistogram} from "../../components/marginHistogram.js";
import type {MarginHistogramData} from "../../components/marginHistogram.js";
import {PerClassBars} from "../../components/perClassBars.js";
import type {PerClassBarsData} from "../../components/perClassBars.js";
import {random} from "../../src/random.js";
import {snapshotTest} from "../util/snapshot.js";

// ---------------------------------------------------------------------------------------------
// Fixture data: seeded and readable.

type Centres = readonly (readonly [number, number])[];

/** The new model: three class centres. */
const newCentres: Centres = [
  [-1, -0.8],
  [1.1, -0.6],
  [0, 1.2]
];
/** The old model: the same classes with class 1's centre farther right and class 2's lower. */
const oldCentres: Centres = [
  [-1, -0.8],
  [1.5, -0.9],
  [0.2, 0.8]
];

/** Logits z_k = −sharpness · ‖p − c_k‖² of a nearest-centre model at point (px, py). */
function logitsAt(centres: Centres, sharpness: number, px: number, py: number): number[] {
  return centres.map(([cx, cy]) => -sharpness * ((px - cx) ** 2 + (py - cy) ** 2));
}

function argmax(values: readonly number[]): number {
  return values.indexOf(Math.max(...values));
}

/** Softmax of the nearest-centre logits over an n × n grid on [−2, 2]², with the top-1 − top-2 logit margin. */
function field(centres: Centres, n: number, sharpness: number): {probs: Float32Array; margin: Float32Array} {
  const classes = centres.length;
  const probs = new Float32Array(n * n * classes);
  const margin = new Float32Array(n * n);
  for (let j = 0; j < n; ++j) {
    for (let i = 0; i < n; ++i) {
      const z = logitsAt(centres, sharpness, -2 + ((i + 0.5) * 4) / n, 2 - ((j + 0.5) * 4) / n);
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      const cell = j * n + i;
      e.forEach((v, k) => (probs[cell * classes + k] = v / sum));
      const sorted = [...z].sort((a, b) => b - a);
      margin[cell] = sorted[0] - sorted[1];
    }
  }
  return {probs, margin};
}

/**
 * The new model's field with the old model's as `previous`, and points around the old centres (the
 * data the old model fits); a point is a negative flip when the old model's argmax equals its label
 * and the new model's does not.
 */
function oldVsNew(seed: string, n = 12): DecisionData {
  const rng = random(seed);
  const perClass = 7;
  const count = perClass * 3;
  const x = new Float32Array(2 * count);
  const label = new Int32Array(count);
  const ids = new Int32Array(count);
  const flipped = new Uint8Array(count);
  for (let i = 0; i < count; ++i) {
    const k = i % 3;
    const px = oldCentres[k][0] + 0.55 * rng.normal();
    const py = oldCentres[k][1] + 0.55 * rng.normal();
    x[2 * i] = px;
    x[2 * i + 1] = py;
    label[i] = k;
    ids[i] = 200 + i;
    const oldRight = argmax(logitsAt(oldCentres, 1.5, px, py)) === k;
    const newWrong = argmax(logitsAt(newCentres, 1.5, px, py)) !== k;
    flipped[i] = oldRight && newWrong ? 1 : 0;
  }
  return {
    classes: 3,
    grid: {nx: n, ny: n, x0: -2, x1: 2, y0: -2, y1: 2},
    ...field(newCentres, n, 1.5),
    previous: field(oldCentres, n, 1.5),
    points: {x, label, ids, flipped}
  };
}

/** Margins of class k drawn from N(mean_k, sd²), with `perClass[k]` samples (imbalanced on purpose). */
function margins(seed: string, means: readonly number[], sd: number, perClass: readonly number[]) {
  const rng = random(seed);
  const m: number[] = [];
  const labels: number[] = [];
  means.forEach((mean, k) => {
    for (let i = 0; i < perClass[k]; ++i) {
      m.push(mean + sd * rng.normal());
      labels.push(k);
    }
  });
  return {margins: Float64Array.from(m), labels: Int32Array.from(labels)};
}

function singleMargins(seed: string, shift = 0): MarginHistogramData {
  return {
    classes: 3,
    arms: [{label: "cross-entropy", ...margins(seed, [2 + shift, 1 + shift, 3.5 + shift], 1.6, [60, 30, 45])}]
  };
}

function twinMargins(seed: string, shift = 0): MarginHistogramData {
  const perClass = [50, 20, 40, 30];
  return {
    classes: 4,
    classNames: ["cat", "dog", "frog", "horse"],
    arms: [
      {key: "ce", label: "cross-entropy", role: "baseline", ...margins(`${seed}/ce`, [2, 0.5, 3, 1.5], 1.5, perClass)},
      {
        key: "lm",
        label: "large margin",
        role: "method",
        ...margins(`${seed}/lm`, [3 + shift, 1.5 + shift, 4 + shift, 2.5 + shift], 1.2, perClass)
      }
    ]
  };
}

/** A 3-class confusion matrix: rows are true classes, columns predictions. */
const confusion3 = [
  [42, 5, 3],
  [12, 25, 3],
  [1, 2, 57]
];

/** Per-class metrics of a confusion matrix (as src/metrics perClass computes them). */
function metricsOf(matrix: readonly (readonly number[])[]) {
  const classes = matrix.length;
  const support = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = Array.from({length: classes}, (_, p) => matrix.reduce((a, row) => a + row[p], 0));
  const tp = matrix.map((row, k) => row[k]);
  return {
    precision: tp.map((t, k) => (predicted[k] ? t / predicted[k] : NaN)),
    recall: tp.map((t, k) => (support[k] ? t / support[k] : NaN)),
    f1: tp.map((t, k) => (predicted[k] + support[k] ? (2 * t) / (predicted[k] + support[k]) : NaN)),
    support
  };
}

function twinBars(): PerClassBarsData {
  return {
    classNames: ["cat", "dog", "frog"],
    arms: [
      {key: "ce", label: "cross-entropy", role: "baseline", ...metricsOf(confusion3)},
      {
        key: "focal",
        label: "focal",
        role: "method",
        ...metricsOf([
          [40, 7, 3],
          [6, 31, 3],
          [2, 3, 55]
        ])
      }
    ]
  };
}

// ---------------------------------------------------------------------------------------------
// Snapshots: each fixture's name is its golden file's name.

snapshotTest(function decisionMarginOldVsNew() {
  return DecisionMargin(oldVsNew("a"), {document, renderer: "svg", contours: [2]});
});

snapshotTest(function decisionMarginOldVsNewUpdated() {
  const data = oldVsNew("a");
  const first = {...data, previous: undefined, points: {...data.points!, flipped: undefined}};
  return DecisionMargin(first, {document, renderer: "svg"}).update(data, {contours: [2], previousMargins: true});
});

snapshotTest(function marginHistogramSingle() {
  return MarginHistogram(singleMargins("single"), {document});
});

snapshotTest(function marginHistogramTwin() {
  return MarginHistogram(twinMargins("twin"), {document});
});

snapshotTest(function marginHistogramTwinUpdated() {
  return MarginHistogram(twinMargins("twin"), {document}).update(twinMargins("twin", 1.5), {
    width: 400,
    y: "count"
  });
});

snapshotTest(function confusionMatrixThree() {
  return ConfusionMatrix({matrix: confusion3}, {document});
});

snapshotTest(function confusionMatrixNamedUpdated() {
  return ConfusionMatrix({matrix: confusion3}, {document}).update(
    {
      matrix: [
        [44, 4, 2],
        [8, 30, 2],
        [0, 0, 0]
      ],
      classNames: ["cat", "dog", "frog"]
    },
    {width: 300}
  );
});

snapshotTest(function perClassBarsSingle() {
  return PerClassBars({arms: [{label: "cross-entropy", ...metricsOf(confusion3)}]}, {document});
});

snapshotTest(function perClassBarsTwin() {
  return PerClassBars(twinBars(), {document});
});

snapshotTest(function perClassBarsTwinUpdated() {
  const next = twinBars();
  next.arms[1].precision[2] = NaN; // a class never predicted has no precision
  return PerClassBars({arms: [twinBars().arms[0]]}, {document}).update(next, {
    width: 480,
    metrics: ["precision", "f1", "support"]
  });
});
