// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {PairWeights} from "../../../components/pairWeights.js";

const data = {similarity: [0.9, 0.2, -0.5, 0.4], weight: [0.5, 1, 0, 0.25], positive: [1, 0, 0, 1]};

describe("PairWeights", () => {
  test("PairWeights draws one dot per pair: positives filled, negatives as rings, higher weight higher up", () => {
    const figure = PairWeights(data, {document, negativeColor: "#888888"});
    const dots = [...figure.querySelectorAll<SVGCircleElement>("g.dots path")];
    expect(dots).toHaveLength(4);
    expect(dots[0].getAttribute("fill")).toBe("currentColor");
    expect(dots[1].getAttribute("fill")).toBe("none");
    expect(dots[1].getAttribute("stroke")).toBe("#888888");
    const cy = dots.map((d) => Number(d.getAttribute("data-y")));
    expect(cy[1]).toBeLessThan(cy[0]);
    expect(cy[0]).toBeLessThan(cy[3]);
    expect(cy[3]).toBeLessThan(cy[2]);
    // Left to right by similarity.
    const cx = dots.map((d) => Number(d.getAttribute("data-x")));
    expect(cx[2]).toBeLessThan(cx[1]);
    expect(cx[1]).toBeLessThan(cx[0]);
    expect(figure.toRows()).toHaveLength(4);
    expect(figure.querySelector("desc")!.textContent).toContain("3 with a non-zero weight");
  });
  test("PairWeights({yQuantile}) ends the axis at that quantile and draws larger weights as triangles at the top", () => {
    const figure = PairWeights(data, {document, yQuantile: 0.5});
    const dots = [...figure.querySelectorAll<SVGPathElement>("g.dots path")];
    // Non-zero weights 0.25, 0.5, 1: the median 0.5 ends the axis; the weight 1 is clamped to the top as a triangle.
    expect(dots[1].getAttribute("d")).toContain("Z");
    expect(dots[0].getAttribute("d")).not.toContain("Z");
    expect(Number(dots[1].getAttribute("data-y"))).toBeLessThanOrEqual(Number(dots[0].getAttribute("data-y")));
  });
  test("PairWeights.update keeps the nodes of pairs that stay and drops the others", () => {
    const figure = PairWeights(data, {document});
    const first = figure.querySelector("g.dots path");
    figure.update({similarity: [0.1], weight: [2], positive: [0]});
    expect(figure.querySelectorAll("g.dots path")).toHaveLength(1);
    expect(figure.querySelector("g.dots path")).toBe(first);
    figure.update(null);
    expect(figure.querySelectorAll("g.dots path")).toHaveLength(0);
    figure.destroy();
  });
});
