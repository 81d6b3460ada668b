// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {GroupHistogram, groupBins} from "../../../components/groupHistogram.js";

describe("groupBins", () => {
  test("groupBins bins every group on the same edges, with sizes and means of the finite values", () => {
    const b = groupBins([{values: [0.1, 0.6, 0.7, NaN]}, {values: [1.5, 5]}], [0, 0.5, 1, 1.5, 2]);
    expect([...b.edges]).toEqual([0, 0.5, 1, 1.5, 2]);
    // 5 lies beyond the last edge and is counted in the last bin, as marginBins does.
    expect(b.counts).toEqual([
      [1, 2, 0, 0],
      [0, 0, 0, 2]
    ]);
    expect(b.total).toEqual([3, 2]);
    expect(b.mean[0]).toBeCloseTo(1.4 / 3, 12);
    expect(b.mean[1]).toBe(3.25);
  });

  test("groupBins of an empty group has size 0 and mean NaN", () => {
    const b = groupBins([{values: []}], [0, 1]);
    expect(b.total).toEqual([0]);
    expect(b.mean[0]).toBeNaN();
  });
});

describe("GroupHistogram", () => {
  const data = {
    groups: [
      {label: "clean", values: [9.95, 9.951, 9.952, 9.96], color: "#0072B2"},
      {label: "corrupted", values: [9.97, 9.975], color: "#D55E00"}
    ]
  };

  test("GroupHistogram draws one path and one mean line per group, the first filled", () => {
    const h = GroupHistogram(data, {document, xLabel: "λᵢ", bins: 10});
    const paths = h.querySelectorAll(".bars path");
    expect(paths).toHaveLength(2);
    expect(paths[0].getAttribute("fill")).toBe("#0072B2");
    expect(paths[1].getAttribute("fill")).toBe("none");
    expect(paths[1].getAttribute("stroke")).toBe("#D55E00");
    expect(h.querySelectorAll(".means line")).toHaveLength(2);
    const legend = [...h.querySelectorAll(".legend text")].map((t) => t.textContent);
    expect(legend).toEqual(["clean: n = 4, mean 9.953 (dashed)", "corrupted: n = 2, mean 9.973 (dashed)"]);
    expect(h.querySelector(".losslab-axis-x .label")?.textContent).toBe("λᵢ");
  });

  test("GroupHistogram's shares sum to 1 per group in the exported rows", () => {
    const rows = GroupHistogram(data, {document, bins: 8}).toRows();
    for (const group of ["clean", "corrupted"]) {
      const share = rows.filter((r) => r.group === group).reduce((a, r) => a + (r.share as number), 0);
      expect(share).toBeCloseTo(1, 12);
    }
  });

  test("GroupHistogram.update keeps the nodes, keeps the domain while the data stay inside it, and destroy stops updates", () => {
    const h = GroupHistogram(data, {document, bins: 10});
    const path = h.querySelector(".bars path");
    const ticks = () => [...h.querySelectorAll(".losslab-axis-x .tick text")].map((t) => t.textContent).join(",");
    const before = ticks();
    h.update({groups: data.groups.map((g) => ({...g, values: Array.from(g.values, (v) => v + 0.001)}))});
    expect(h.querySelector(".bars path")).toBe(path);
    expect(ticks()).toBe(before);
    h.update({groups: [{label: "clean", values: [1, 2, 3]}]});
    expect(h.querySelectorAll(".bars path")).toHaveLength(1);
    expect(ticks()).not.toBe(before);
    h.destroy();
    h.update(data);
    expect(h.querySelectorAll(".bars path")).toHaveLength(1);
  });

  test("GroupHistogram without data shows an empty figure with a notice", () => {
    const h = GroupHistogram(null, {document});
    expect(h.querySelectorAll(".bars path")).toHaveLength(0);
    expect(h.querySelector(".empty")?.getAttribute("display")).toBeNull();
    expect(h.querySelector("desc")?.textContent).toContain("no data yet");
  });
});
