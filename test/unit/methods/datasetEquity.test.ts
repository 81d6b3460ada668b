import {describe, expect, test} from "vitest";
import type {Dataset} from "../../../src/datasets/dataset.js";
import {
  datasetEquityBlobs,
  datasetEquityDbscan,
  datasetEquityGroupAccuracy,
  datasetEquityGroupView,
  datasetEquityGroups,
  datasetEquityMetrics,
  datasetEquityPlan,
  datasetEquityRanks,
  datasetEquitySizes
} from "../../../src/methods/datasetEquity.js";

describe("datasetEquitySizes", () => {
  test("datasetEquitySizes(8, 800, 0.5) is the card's long tail 800, 400, 200, 100, 50, 25, 12, 6", () => {
    expect(datasetEquitySizes(8, 800, 0.5)).toEqual([800, 400, 200, 100, 50, 25, 12, 6]);
  });
  test("datasetEquitySizes keeps at least 2 samples per cluster and decay 1 is balanced", () => {
    expect(datasetEquitySizes(4, 20, 0.2)).toEqual([20, 4, 2, 2]);
    expect(datasetEquitySizes(3, 50, 1)).toEqual([50, 50, 50]);
    expect(() => datasetEquitySizes(3, 50, 0)).toThrow(/invalid decay: 0/);
  });
});

describe("datasetEquityBlobs", () => {
  const data = datasetEquityBlobs({seed: 3, testPerCluster: 40});
  test("datasetEquityBlobs() has the card's sizes per cluster in training and the same count per cluster in test", () => {
    const count = (groups: Int32Array) => Array.from({length: 8}, (_, k) => groups.filter((g) => g === k).length);
    expect(count(data.train.groups!)).toEqual([800, 400, 200, 100, 50, 25, 12, 6]);
    expect(count(data.test.groups!)).toEqual(Array(8).fill(40));
    expect(data.train.n).toBe(1593);
    expect(data.test.n).toBe(320);
  });
  test("datasetEquityBlobs() ids are 0 … n−1 for training and continue in test, all distinct", () => {
    const ids = [...data.train.ids, ...data.test.ids].sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({length: 1913}, (_, i) => i));
    expect(Math.max(...data.train.ids)).toBe(1592);
  });
  test("datasetEquityBlobs() labels each point by the side of its cluster's own line", () => {
    const {centres, angles} = data.layout;
    for (const split of [data.train, data.test]) {
      for (let i = 0; i < split.n; ++i) {
        const k = split.groups![i];
        const side =
          (split.x[2 * i] - centres[2 * k]) * Math.cos(angles[k]) +
          (split.x[2 * i + 1] - centres[2 * k + 1]) * Math.sin(angles[k]);
        // float32 coordinates: skip points within rounding of the line
        if (Math.abs(side) > 1e-5) expect(split.y[i]).toBe(side > 0 ? 1 : 0);
      }
    }
    expect(data.train.yClean).toEqual(data.train.y);
  });
  test("datasetEquityBlobs() puts clusters on a circle of radius 2 with the spread asked for", () => {
    for (let k = 0; k < 8; ++k)
      expect(Math.hypot(data.layout.centres[2 * k], data.layout.centres[2 * k + 1])).toBeCloseTo(2, 5);
    let s = 0;
    let n = 0;
    for (let i = 0; i < data.train.n; ++i) {
      if (data.train.groups![i] !== 0) continue;
      s += (data.train.x[2 * i] - data.layout.centres[0]) ** 2;
      n++;
    }
    expect(Math.sqrt(s / n)).toBeCloseTo(0.2, 1);
  });
  test("datasetEquityBlobs({seed}) is deterministic and seeds differ", () => {
    expect(datasetEquityBlobs({seed: 3, testPerCluster: 40}).train.x).toEqual(data.train.x);
    expect(datasetEquityBlobs({seed: 4, testPerCluster: 40}).train.x).not.toEqual(data.train.x);
  });
});

describe("datasetEquityDbscan", () => {
  test("datasetEquityDbscan finds two groups and marks an isolated point as noise", () => {
    const x = [0, 0.1, 0.2, 5, 5.1, 10];
    const {labels, core, clusters} = datasetEquityDbscan(x, 1, 0.15, 2);
    expect([...labels]).toEqual([0, 0, 0, 1, 1, -1]);
    expect([...core]).toEqual([1, 1, 1, 1, 1, 0]);
    expect(clusters).toBe(2);
  });
  test("datasetEquityDbscan counts the point itself in minSamples and gives border points to the cluster that reaches them", () => {
    // Neighbourhoods (eps 1): 0 {0, 1}, 1 {0, 1, 2}, 2 {1, 2}, 3 {3}. Only point 1 is a core point (3 ≥ minSamples);
    // 0 and 2 are border points of its cluster; 3 is noise.
    const {labels, core} = datasetEquityDbscan([0, 1, 2, 3.5], 1, 1, 3);
    expect([...core]).toEqual([0, 1, 0, 0]);
    expect([...labels]).toEqual([0, 0, 0, -1]);
  });
  test("datasetEquityDbscan works on 2-D points with Euclidean distance", () => {
    // A square of side 0.6 (diagonal 0.85) and a far pair; eps 0.7 joins the square's sides but not its diagonal.
    const x = [0, 0, 0.6, 0, 0, 0.6, 0.6, 0.6, 9, 9, 9, 9.5];
    const {labels} = datasetEquityDbscan(x, 2, 0.7, 3);
    expect([...labels]).toEqual([0, 0, 0, 0, -1, -1]);
    expect([...datasetEquityDbscan(x, 2, 0.7, 2).labels]).toEqual([0, 0, 0, 0, 1, 1]);
  });
  test("datasetEquityDbscan rejects a bad radius", () => {
    expect(() => datasetEquityDbscan([0, 1], 1, 0, 2)).toThrow(/invalid eps: 0/);
  });
});

/** A dataset with 1-D inputs: training clusters of sizes 4 and 2 plus one far point, and three test points. */
function lineData(): Dataset {
  const trainX = [0, 0.1, 0.2, 0.3, 5, 5.1, 20];
  const testX = [0.15, 5.05, 12];
  const split = (x: number[], first: number) => ({
    n: x.length,
    x: Float32Array.from(x),
    y: new Int32Array(x.length),
    yClean: new Int32Array(x.length),
    ids: Int32Array.from(x, (_, i) => first + i)
  });
  return {name: "line", inputs: 1, classes: 2, train: split(trainX, 0), test: split(testX, 7), noiseRate: 0};
}

describe("datasetEquityPlan", () => {
  test("datasetEquityPlan gives p = cluster size / largest, noise as singletons, by sample id", () => {
    const plan = datasetEquityPlan(lineData(), {eps: 0.25, minSamples: 2, noise: "singleton", eta: 1, gamma: 5});
    expect([...plan.trainClusters]).toEqual([0, 0, 0, 0, 1, 1, -1]);
    expect(plan.clusters).toBe(2);
    // test: 0.15 → cluster 0, 5.05 → cluster 1, 12 → no core point within eps → noise
    expect([...plan.testClusters]).toEqual([0, 1, -1]);
    expect([...plan.likelihood]).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.25, 1, 0.5, 0.25]);
    const w = (p: number) => (1 + (1 - p) ** 5) / 2;
    plan.weight.forEach((v, id) => expect(v).toBeCloseTo(w(plan.likelihood[id]), 6));
    expect(plan.weight[0]).toBeCloseTo(0.5, 6);
  });
  test("datasetEquityPlan({noise: 'cluster'}) counts the noise points as one cluster, as the official build.py", () => {
    const data = lineData();
    const plan = datasetEquityPlan(data, {eps: 0.25, minSamples: 3, noise: "cluster"});
    // minSamples 3: the pair at 5 is noise too, so noise {5, 5.1, 20} is a cluster of 3 next to the 4 at 0.
    expect([...plan.trainClusters]).toEqual([0, 0, 0, 0, -1, -1, -1]);
    expect([...plan.likelihood]).toEqual([1, 1, 1, 1, 0.75, 0.75, 0.75, 1, 0.75, 0.75]);
  });
});

describe("per-cluster accuracy", () => {
  const split = {n: 5, y: Int32Array.from([0, 1, 1, 0, 1]), groups: Int32Array.from([0, 0, 1, 1, 2])};
  // predictions 0, 0, 1, 1, 1 → group 0: 1/2, group 1: 1/2, group 2: 1/1, group 3: empty
  const logits = Float32Array.from([2, 1, 3, 0, 0, 1, -1, 1, 0, 2]);
  test("datasetEquityGroupAccuracy is the share of right predictions within each group, NaN for an empty one", () => {
    expect([...datasetEquityGroupAccuracy(logits, split, 2, 4)]).toEqual([0.5, 0.5, 1, NaN]);
  });
  test("datasetEquityRanks orders groups by training size", () => {
    const train = {groups: Int32Array.from([0, 0, 0, 1, 1, 2, 3, 3, 3, 3])};
    expect(datasetEquityRanks(train, 4)).toEqual({rare: [2, 1, 0], common: 3});
  });
  test("datasetEquityMetrics reports every cluster, the three rarest and the largest", () => {
    const data = {
      classes: 2,
      train: {groups: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, 2, 3])},
      test: split
    } as unknown as Dataset;
    const m = datasetEquityMetrics(data, logits);
    expect(m.cluster0Accuracy).toBe(0.5);
    expect(m.cluster2Accuracy).toBe(1);
    expect(m.cluster3Accuracy).toBeNaN();
    // rarest three: 3 (NaN), 2, 1 → NaN propagates; the largest is cluster 0
    expect(m.rareAccuracy).toBeNaN();
    expect(m.commonAccuracy).toBe(0.5);
  });
});

describe("cluster summaries", () => {
  // Training: cluster 0 has ids 0–3, cluster 1 ids 4–5, cluster 2 id 6 (DBSCAN: 0 and 1 found, 6 noise, 3 noise too).
  const data = {
    train: {
      ids: Int32Array.from([0, 1, 2, 3, 4, 5, 6]),
      groups: Int32Array.from([0, 0, 0, 0, 1, 1, 2])
    }
  } as unknown as Dataset;
  const plan = {
    likelihood: Float32Array.from([1, 1, 1, 0.25, 0.5, 0.5, 0.25]),
    weight: Float32Array.from([0.5, 0.5, 0.5, 0.9, 0.6, 0.6, 0.9]),
    trainClusters: Int32Array.from([0, 0, 0, -1, 1, 1, -1])
  };
  test("datasetEquityGroups lists clusters rarest first with their sizes, mean p and w, and what DBSCAN made of them", () => {
    const groups = datasetEquityGroups(data, plan);
    expect(groups.map((g) => g.name)).toEqual(["C", "B", "A"]);
    expect(groups.map((g) => g.size)).toEqual([1, 2, 4]);
    expect(groups[2].likelihood).toBeCloseTo(0.8125, 6);
    expect(groups[2].weight).toBeCloseTo(0.6, 6);
    expect(groups.map((g) => g.dbscan)).toEqual(["noise", "#1", "#0 (3 of 4)"]);
  });
  test("datasetEquityGroupView gives each arm's per-cluster accuracy in that order", () => {
    const groups = datasetEquityGroups(data, plan);
    const e = {
      arms: [{id: "ce", label: "CE", role: "baseline", metrics: {cluster0Accuracy: 1, cluster1Accuracy: 0.5}}]
    } as never;
    const view = datasetEquityGroupView(e, groups);
    expect(view.arms[0].values).toEqual([NaN, 0.5, 1]);
    expect(view.groups[0]).toEqual({label: "C (1)", detail: "w 0.90"});
  });
});
