// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {GroupBars} from "../../../components/groupBars.js";
import type {GroupBarsData} from "../../../components/groupBars.js";
import {armColor} from "../../../components/internal/palette.js";

const data: GroupBarsData = {
  arms: [
    {key: "ce", label: "CE", role: "baseline", values: [0.25, 1]},
    {key: "w", label: "weighted", role: "method", values: [0.5, NaN]}
  ],
  groups: [{label: "rare", detail: "6 samples"}, {label: "common"}]
};

function bar(figure: Element, group: number, arm: string): SVGGElement {
  return figure.querySelector<SVGGElement>(`g.bar[data-group="${group}"][data-arm="${arm}"]`)!;
}
const height = (g: Element) => Number(g.querySelector("rect")!.getAttribute("height"));

describe("GroupBars", () => {
  test("GroupBars draws one bar per group and arm, in the arms' colours, with a legend and group names", () => {
    const figure = GroupBars(data, {document});
    expect(figure.querySelectorAll("g.bar")).toHaveLength(4);
    expect(bar(figure, 0, "ce").querySelector("rect")!.getAttribute("fill")).toBe(armColor("baseline"));
    expect(bar(figure, 0, "w").querySelector("rect")!.getAttribute("fill")).toBe(armColor("method"));
    expect([...figure.querySelectorAll(".legend text")].map((t) => t.textContent)).toEqual(["CE", "weighted"]);
    expect([...figure.querySelectorAll(".group-labels .name")].map((t) => t.textContent)).toEqual(["rare", "common"]);
    expect(figure.querySelector(".group-labels .detail")!.textContent).toBe("6 samples");
  });
  test("GroupBars bar heights are proportional to the values on the 0–1 axis, NaN drawn empty with a dash", () => {
    const figure = GroupBars(data, {document});
    const quarter = height(bar(figure, 0, "ce"));
    expect(quarter).toBeGreaterThan(0);
    expect(height(bar(figure, 0, "w"))).toBeCloseTo(2 * quarter, 1);
    expect(height(bar(figure, 1, "ce"))).toBeCloseTo(4 * quarter, 1);
    expect(height(bar(figure, 1, "w"))).toBe(0);
    expect(bar(figure, 1, "w").querySelector("text")!.textContent).toBe("–");
    expect(bar(figure, 0, "ce").querySelector("text")!.textContent).toBe("0.25");
  });
  test("GroupBars.update keeps the bars' nodes and redraws them", () => {
    const figure = GroupBars(data, {document});
    const node = bar(figure, 0, "ce");
    figure.update({...data, arms: [{...data.arms[0], values: [0.75, 1]}, data.arms[1]]});
    expect(bar(figure, 0, "ce")).toBe(node);
    expect(node.querySelector("text")!.textContent).toBe("0.75");
  });
  test("GroupBars.toRows gives one row per bar, null for a missing value", () => {
    expect(GroupBars(data, {document}).toRows()).toEqual([
      {group: "rare", detail: "6 samples", arm: "CE", value: 0.25},
      {group: "rare", detail: "6 samples", arm: "weighted", value: 0.5},
      {group: "common", detail: null, arm: "CE", value: 1},
      {group: "common", detail: null, arm: "weighted", value: null}
    ]);
  });
  test("GroupBars(null) draws an empty figure that says so", () => {
    const figure = GroupBars(null, {document});
    expect(figure.querySelectorAll("g.bar")).toHaveLength(0);
    expect(figure.querySelector("desc")!.textContent).toMatch(/no data yet/);
  });
});
