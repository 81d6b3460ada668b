// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {ClusterWeights} from "../../../components/clusterWeights.js";
import type {ClusterWeightsData} from "../../../components/clusterWeights.js";

// Two clusters (0: three points, 1: two) and one noise point; weights from 0.5 (common) to 1 (noise).
const data: ClusterWeightsData = {
  x: Float32Array.from([0, 0, 0.1, 0, 0, 0.1, 2, 2, 2.1, 2, -1, 2]),
  cluster: Int32Array.from([0, 0, 0, 1, 1, -1]),
  weight: Float32Array.from([0.5, 0.5, 0.5, 0.75, 0.75, 1]),
  weightDomain: [0.5, 1]
};

const circles = (figure: Element) => [...figure.querySelectorAll<SVGCircleElement>(".points circle")];

describe("ClusterWeights", () => {
  test("ClusterWeights draws one circle per point, radius growing with the weight, noise as a ring", () => {
    const figure = ClusterWeights(data, {document, radius: [1, 5]});
    const all = circles(figure);
    expect(all).toHaveLength(6);
    // drawn lightest first, so the heaviest points sit on top
    expect(all.map((c) => Number(c.getAttribute("r")))).toEqual([1, 1, 1, 3, 3, 5]);
    expect(all[5].getAttribute("fill")).toBe("none");
    expect(all[5].getAttribute("stroke")).not.toBeNull();
    expect(all[0].getAttribute("fill")).not.toBe("none");
  });
  test("ClusterWeights uses one scale for both axes", () => {
    const figure = ClusterWeights(data, {document, width: 300, height: 200});
    const all = circles(figure);
    // points 0 → 1 move 0.1 in x; 0 → 2 move 0.1 in y: the same distance on screen (equal weights keep index order)
    const at = (i: number) => all[i];
    const dx = Number(at(1).getAttribute("cx")) - Number(at(0).getAttribute("cx"));
    const dy = Number(at(0).getAttribute("cy")) - Number(at(2).getAttribute("cy"));
    expect(dx).toBeGreaterThan(0);
    expect(dx).toBeCloseTo(dy, 1);
  });
  test("ClusterWeights names each cluster at its centroid by id and size, not the noise", () => {
    const figure = ClusterWeights(data, {document});
    expect([...figure.querySelectorAll(".cluster-labels text")].map((t) => t.textContent)).toEqual([
      "#0 · 3",
      "#1 · 2"
    ]);
    expect(figure.querySelector("desc")!.textContent).toMatch(/6 points in 2 clusters and 1 noise points/);
  });
  test("ClusterWeights.toRows gives every point with its cluster and weight", () => {
    const rows = ClusterWeights(data, {document}).toRows();
    expect(rows).toHaveLength(6);
    expect(rows[5]).toEqual({x1: -1, x2: 2, cluster: -1, weight: 1});
  });
});
