// @vitest-environment jsdom
import {ReliabilityDiagram} from "../../components/reliabilityDiagram.js";
import type {ReliabilityArm} from "../../components/reliabilityDiagram.js";
import {reliabilityView} from "../../src/metrics/calibrationViews.js";
import type {ReliabilityViewOptions} from "../../src/metrics/calibrationViews.js";
import {softmax} from "../../src/metrics/classification.js";
import {random} from "../../src/random.js";
import {snapshotTest} from "../util/snapshot.js";

/**
 * A seeded 3-class sample whose labels are drawn from softmax(z) (calibrated at T = 1), returned with its logits
 * multiplied by `sharpness`: above 1 the model is over-confident, below 1 under-confident.
 */
function sample(seed: string, n: number, sharpness: number) {
  const classes = 3;
  const rng = random(seed);
  const logits = new Float64Array(n * classes);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const z = [0, 1, 2].map(() => 1.8 * rng.normal());
    const p = softmax(z, classes);
    let u = rng.uniform();
    let k = 0;
    while (k < classes - 1 && (u -= p[k]) >= 0) ++k;
    labels[i] = k;
    z.forEach((v, c) => (logits[i * classes + c] = sharpness * v));
  }
  return {logits, labels, classes};
}

function arm(name: string, seed: string, n: number, sharpness: number, options: ReliabilityViewOptions = {}) {
  const {logits, labels, classes} = sample(seed, n, sharpness);
  const view = reliabilityView(logits, labels, classes, {bins: 10, bootstrap: {seed: 1, resamples: 100}, ...options});
  return {name, ...view} satisfies ReliabilityArm;
}

const fixed = {document, duration: 0};

snapshotTest(function reliabilityDiagramOverconfident() {
  return ReliabilityDiagram(arm("cross-entropy", "ce", 400, 2.5), fixed);
});

snapshotTest(function reliabilityDiagramEqualMass() {
  const data = arm("cross-entropy", "ce", 400, 2.5, {strategy: "mass"});
  return ReliabilityDiagram(data, {...fixed, binning: "equal-mass"});
});

snapshotTest(function reliabilityDiagramEmptyBins() {
  // 40 samples in 15 bins: top-label confidence of 3 classes is ≥ 1/3, so the first five bins are always empty.
  return ReliabilityDiagram(arm("focal", "few", 40, 0.6, {bins: 15}), {...fixed, width: 360});
});

snapshotTest(function reliabilityDiagramTwin() {
  return ReliabilityDiagram(
    [
      {...arm("cross-entropy", "twin", 500, 2.2), role: "baseline"},
      {...arm("focal", "twin", 500, 1.1), role: "method"}
    ],
    fixed
  );
});

snapshotTest(function reliabilityDiagramEmpty() {
  return ReliabilityDiagram(null, fixed);
});

snapshotTest(function reliabilityDiagramTwinUpdated() {
  // Early in training both arms are under-confident; later the baseline grows over-confident. The page then
  // re-bins at the temperature the visitor picked (T = 1.5) and calls update().
  const figure = ReliabilityDiagram(
    [
      {...arm("cross-entropy", "twin", 500, 0.5), role: "baseline"},
      {...arm("focal", "twin", 500, 0.5), role: "method"}
    ],
    fixed
  );
  return figure.update(
    [
      {...arm("cross-entropy", "twin", 500, 2.2, {temperature: 1.5}), role: "baseline"},
      {...arm("focal", "twin", 500, 1.1, {temperature: 1.5}), role: "method"}
    ],
    {temperature: 1.5, width: 380}
  );
});

snapshotTest(function reliabilityDiagramEqualMassUpdated() {
  // The visitor toggles to equal mass: the page re-bins and passes the new bins (the toggle already says so).
  const figure = ReliabilityDiagram(arm("cross-entropy", "ce", 400, 2.5), fixed);
  return figure.update(arm("cross-entropy", "ce", 400, 2.5, {strategy: "mass"}), {binning: "equal-mass"});
});

snapshotTest(function reliabilityDiagramEmptyBinsUpdated() {
  // The first readback of a run arrives after an empty start.
  return ReliabilityDiagram(null, {...fixed, width: 360}).update(arm("focal", "few", 40, 0.6, {bins: 15}));
});
