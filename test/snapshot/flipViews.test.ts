// @vitest-environment jsdom
import {FlipCurves} from "../../components/flipCurves.js";
import type {FlipCurveArm} from "../../components/flipCurves.js";
import {FlipMatrix} from "../../components/flipMatrix.js";
import {flipHistory, recordFlips} from "../../src/metrics/flipMasks.js";
import {flipMatrix, flips} from "../../src/metrics/flips.js";
import {random} from "../../src/random.js";
import {snapshotTest} from "../util/snapshot.js";

// ---------------------------------------------------------------------------------------------
// Fixture data: seeded and readable. An old model right on about 75 % of the samples, and a new model whose
// correctness on each sample is fixed by one uniform draw u_i: it is right once its accuracy p(step) exceeds u_i.
// The baseline's errors are independent of the old model's; the method ("PCT") scales u_i by 0.9 on the samples the
// old model got right and by 1.15 on the others, so it keeps old-right samples right earlier (fewer negative flips)
// and fixes old errors later (fewer positive flips).

const classes = 4;
const names = ["cat", "dog", "fox", "owl"];

function wrong(label: number, i: number, c = classes): number {
  return (label + 1 + (i % (c - 1))) % c;
}

function population(seed: string, n: number, c = classes) {
  const rng = random(seed);
  const labels = Array.from({length: n}, () => rng.int(c));
  const oldPredictions = labels.map((y, i) => (rng.uniform() < 0.75 ? y : wrong(y, i, c)));
  const u = labels.map(() => rng.uniform());
  return {labels, oldPredictions, u};
}

function newPredictions(pop: ReturnType<typeof population>, accuracy: number, congruent: boolean, c = classes) {
  return pop.labels.map((y, i) => {
    const scale = !congruent ? 1 : pop.oldPredictions[i] === y ? 0.9 : 1.15;
    const ui = pop.u[i] * scale;
    return ui < accuracy ? y : wrong(y, i + 1, c);
  });
}

function matrixData(seed: string, n: number, accuracy: number, c = classes) {
  const pop = population(seed, n, c);
  const next = newPredictions(pop, accuracy, false, c);
  return {
    matrix: flipMatrix(pop.oldPredictions, next, pop.labels, c),
    rates: flips(pop.oldPredictions, next, pop.labels)
  };
}

function twinArms(steps: number): FlipCurveArm[] {
  const pop = population("twin", 400);
  const baseline = flipHistory();
  const method = flipHistory();
  for (let s = 0; s <= steps; s += 10) {
    const accuracy = 0.3 + 0.6 * (1 - Math.exp(-s / 60));
    recordFlips(baseline, s, pop.oldPredictions, newPredictions(pop, accuracy, false), pop.labels);
    recordFlips(method, s, pop.oldPredictions, newPredictions(pop, accuracy, true), pop.labels);
  }
  return [
    {name: "cross-entropy", role: "baseline", ...baseline},
    {name: "PCT (FD-KL)", role: "method", ...method}
  ];
}

// ---------------------------------------------------------------------------------------------
// FlipMatrix

snapshotTest(function flipMatrixCounts() {
  return FlipMatrix({matrix: matrixData("counts", 300, 0.7).matrix}, {document});
});

snapshotTest(function flipMatrixNamedWithRates() {
  const m = FlipMatrix({...matrixData("named", 300, 0.8), classNames: names}, {document, width: 460});
  m.value = {old: 1, new: 3};
  return m;
});

snapshotTest(function flipMatrixOldRightNowhere() {
  // Every old prediction is wrong: nothing to keep, nothing to flip.
  return FlipMatrix({matrix: flipMatrix([1, 2, 0], [0, 1, 2], [0, 1, 2], 3)}, {document});
});

snapshotTest(function flipMatrixEmpty() {
  return FlipMatrix(null, {document});
});

snapshotTest(function flipMatrixUpdated() {
  const m = FlipMatrix({matrix: matrixData("counts", 300, 0.5).matrix}, {document});
  m.value = {old: 0, new: 2};
  // Five classes now, a better new model, names and rates: the same grid grows a row and a column.
  return m.update(
    {...matrixData("updated", 400, 0.85, 5), classNames: [...names, "elk"]},
    {oldName: "CE model", newName: "PCT model"}
  );
});

// ---------------------------------------------------------------------------------------------
// FlipCurves

snapshotTest(function flipCurvesTwin() {
  return FlipCurves(twinArms(300), {document});
});

snapshotTest(function flipCurvesRelative() {
  return FlipCurves(twinArms(300), {
    document,
    width: 480,
    metrics: ["negativeFlipRate", "relativeNegativeFlipRate"]
  });
});

snapshotTest(function flipCurvesEmpty() {
  return FlipCurves(null, {document});
});

snapshotTest(function flipCurvesUpdated() {
  const curves = FlipCurves(twinArms(100), {document});
  return curves.update(twinArms(300));
});
