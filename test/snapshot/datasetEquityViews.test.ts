// @vitest-environment jsdom
import {ClusterWeights} from "../../components/clusterWeights.js";
import type {ClusterWeightsData} from "../../components/clusterWeights.js";
import {GroupBars} from "../../components/groupBars.js";
import type {GroupBarsData} from "../../components/groupBars.js";
import {random} from "../../src/random.js";
import {snapshotTest} from "../util/snapshot.js";

// ---------------------------------------------------------------------------------------------
// Fixture data: seeded and readable.

/** Accuracy of cross-entropy and a weighted loss on four clusters, rarest first. */
function twinGroups(): GroupBarsData {
  return {
    arms: [
      {key: "ce", label: "CE", role: "baseline", values: [0.5, 0.72, 0.95, 1]},
      {key: "dequity", label: "Generalized focal", role: "method", values: [0.66, 0.8, 0.94, 0.99]}
    ],
    groups: [
      {label: "D (6)", detail: "w 0.99"},
      {label: "C (25)", detail: "w 0.93"},
      {label: "B (200)", detail: "w 0.67"},
      {label: "A (800)", detail: "w 0.50"}
    ]
  };
}

/** Three clusters of 30, 12 and 4 points around fixed centres plus two noise points, weighted by cluster size. */
function clusterData(): ClusterWeightsData {
  const rng = random("cluster-weights");
  const centres = [
    [-1, 0],
    [1, 0.5],
    [0.2, -1.2]
  ];
  const sizes = [30, 12, 4];
  const x: number[] = [];
  const cluster: number[] = [];
  const weight: number[] = [];
  sizes.forEach((n, c) => {
    for (let i = 0; i < n; ++i) {
      x.push(centres[c][0] + 0.2 * rng.normal(), centres[c][1] + 0.2 * rng.normal());
      cluster.push(c);
      weight.push((1 + (1 - n / 30) ** 5) / 2);
    }
  });
  x.push(1.8, -1.5, -1.7, 1.4);
  cluster.push(-1, -1);
  weight.push(1, 1);
  return {
    x: Float32Array.from(x),
    cluster: Int32Array.from(cluster),
    weight: Float32Array.from(weight),
    weightDomain: [0.5, 1]
  };
}

snapshotTest(function groupBarsTwin() {
  return GroupBars(twinGroups(), {document, xLabel: "cluster, rarest first"});
});

snapshotTest(function groupBarsTwinUpdated() {
  const next = twinGroups();
  (next.arms[1].values as number[])[0] = NaN;
  return GroupBars({arms: [twinGroups().arms[0]], groups: twinGroups().groups}, {document}).update(next, {
    width: 420,
    height: 200,
    yLabel: "test accuracy"
  });
});

snapshotTest(function clusterWeightsThree() {
  return ClusterWeights(clusterData(), {document, width: 300});
});

snapshotTest(function clusterWeightsUpdated() {
  const data = clusterData();
  return ClusterWeights(null, {document}).update({...data, weightDomain: undefined}, {width: 260, radius: [1, 4]});
});
