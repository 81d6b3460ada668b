// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {MarginHistogram, marginBins, marginEdges} from "../../../components/marginHistogram.js";
import type {MarginHistogramData} from "../../../components/marginHistogram.js";

describe("marginEdges", () => {
  test("marginEdges(−1, 1, 4) steps by 0.5 with 0 as an edge", () => {
    expect([...marginEdges(-1, 1, 4)]).toEqual([-1, -0.5, 0, 0.5, 1]);
  });

  test("marginEdges widens to whole round steps and keeps 0 as an edge", () => {
    // (7.9 + 2.3) / 24 = 0.425 → step 0.5; −2.3 → −2.5, 7.9 → 8.
    const edges = [...marginEdges(-2.3, 7.9, 24)];
    expect(edges[0]).toBe(-2.5);
    expect(edges[edges.length - 1]).toBe(8);
    expect(edges).toContain(0);
    expect(edges).toHaveLength(22);
    for (let i = 1; i < edges.length; ++i) expect(edges[i] - edges[i - 1]).toBeCloseTo(0.5, 12);
  });

  test("marginEdges gives decimal edges exactly (0.6, not 0.6000000000000001)", () => {
    expect([...marginEdges(0, 1.2, 6)]).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2]);
    expect([...marginEdges(-0.3, 0.3, 12)]).toEqual([
      -0.3, -0.25, -0.2, -0.15, -0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3
    ]);
    expect(Object.is(marginEdges(-1, 1, 2)[1], -0)).toBe(false);
  });

  test("marginEdges picks 2.5 × 10^k steps where they fit best", () => {
    expect([...marginEdges(0, 10, 4)]).toEqual([0, 2.5, 5, 7.5, 10]);
  });

  test("marginEdges widens an empty interval and replaces non-finite bounds by [−1, 1]", () => {
    expect([...marginEdges(2, 2, 2)]).toEqual([1, 2, 3]);
    expect([...marginEdges(NaN, 1, 2)]).toEqual([-1, 0, 1]);
    expect([...marginEdges(1, -1, 2)]).toEqual([-1, 0, 1]);
  });
});

describe("marginBins", () => {
  test("marginBins counts by class and half-open bin, clamps outliers into the end bins and skips non-finite margins", () => {
    const margins = [-0.5, 0, 0.2, 1, 3, -5, NaN, 2];
    const labels = [0, 0, 1, 1, 1, 0, 1, 1];
    const bins = marginBins(margins, labels, 2, [-1, 0, 1, 2]);
    expect([...bins.edges]).toEqual([-1, 0, 1, 2]);
    // Class 0: −0.5 → [−1, 0); 0 → [0, 1); −5 clamped into [−1, 0).
    // Class 1: 0.2 → [0, 1); 1 → [1, 2]; 3 clamped into [1, 2]; 2 (the last edge) → [1, 2], not clamped.
    expect(bins.counts).toEqual([
      [2, 1, 0],
      [0, 1, 3]
    ]);
    expect(bins.total).toEqual([3, 4]);
    expect(bins.negative).toEqual([2, 0]);
    expect(bins.clamped).toBe(2);
    expect(bins.skipped).toBe(1);
  });

  test("marginBins counts a margin of exactly 0 (a tie) as not negative, in the bin right of 0", () => {
    const bins = marginBins([0, -1e-9], [0, 0], 1, [-1, 0, 1]);
    expect(bins.counts).toEqual([[1, 1]]);
    expect(bins.negative).toEqual([1]);
  });

  test("marginBins of no samples is all zeros", () => {
    const bins = marginBins([], [], 3, [-1, 0, 1]);
    expect(bins.counts).toEqual([
      [0, 0],
      [0, 0],
      [0, 0]
    ]);
    expect(bins.total).toEqual([0, 0, 0]);
    expect(bins.negative).toEqual([0, 0, 0]);
    expect([bins.clamped, bins.skipped]).toEqual([0, 0]);
  });

  test("marginBins: all correct means no negatives, all wrong means every sample is negative", () => {
    const labels = [0, 1, 1];
    expect(marginBins([0.5, 1.5, 2], labels, 2, [-2, 0, 2]).negative).toEqual([0, 0]);
    expect(marginBins([-0.5, -1.5, -2], labels, 2, [-2, 0, 2]).negative).toEqual([1, 2]);
  });

  test("marginBins of a single sample puts it in one bin of its class", () => {
    const bins = marginBins(Float64Array.of(0.7), Int32Array.of(2), 3, marginEdges(-1, 1, 4));
    expect(bins.counts[2]).toEqual([0, 0, 0, 1]);
    expect(bins.total).toEqual([0, 0, 1]);
  });

  test("marginBins works with uneven edges", () => {
    const bins = marginBins([0.5, 1.5, 9], [0, 0, 0], 1, [-1, 0, 1, 10]);
    expect(bins.counts).toEqual([[0, 1, 2]]);
  });

  test("marginBins skips labels that are not class indices", () => {
    const bins = marginBins([1, 1, 1, 1], [0, 2, -1, 0.5], 2, [0, 2]);
    expect(bins.total).toEqual([1, 0]);
    expect(bins.skipped).toBe(3);
  });

  test("marginBins rejects mismatched lengths, too few or unordered edges and invalid classes", () => {
    expect(() => marginBins([1, 2], [0], 2, [0, 1])).toThrow("marginBins: labels has 1 entries, expected 2");
    expect(() => marginBins([], [], 2, [0])).toThrow("marginBins: edges has 1 entries");
    expect(() => marginBins([], [], 2, [0, 1, 1])).toThrow("ascending");
    expect(() => marginBins([], [], 2, [0, NaN])).toThrow("ascending");
    expect(() => marginBins([], [], -1, [0, 1])).toThrow("marginBins: invalid classes: -1");
  });
});

// Margins of class k spread evenly around means[k]; perClass[k] samples each.
function arm(label: string, role: string, means: number[], perClass: number[], spread = 1) {
  const margins: number[] = [];
  const labels: number[] = [];
  means.forEach((mean, k) => {
    for (let i = 0; i < perClass[k]; ++i) {
      margins.push(mean + spread * (i / Math.max(1, perClass[k] - 1) - 0.5) * 2);
      labels.push(k);
    }
  });
  return {label, role, key: role, margins: Float64Array.from(margins), labels: Int32Array.from(labels)};
}

function twin(shift = 0): MarginHistogramData {
  return {
    classes: 3,
    arms: [
      arm("cross-entropy", "baseline", [1, 0.5, 2], [20, 10, 15], 1.5),
      arm("focal", "method", [1.5 + shift, 1 + shift, 2.5 + shift], [20, 10, 15])
    ]
  };
}

describe("MarginHistogram", () => {
  test("MarginHistogram draws one panel per class and one path per arm in each, named and coloured", () => {
    const chart = MarginHistogram(twin(), {document});
    const panels = [...chart.querySelectorAll(".panel")];
    expect(panels.map((p) => p.getAttribute("data-class"))).toEqual(["0", "1", "2"]);
    const paths = [...panels[0].querySelectorAll(".bars path")];
    expect(paths.map((p) => p.getAttribute("data-arm"))).toEqual(["baseline", "method"]);
    // The first arm is a filled histogram in the baseline colour, the second an outline in the method colour.
    expect(paths[0].getAttribute("fill")).toBe("#60758F");
    expect(paths[1].getAttribute("fill")).toBe("none");
    expect(paths[1].getAttribute("stroke")).toBe("#E69F00");
    expect([...chart.querySelectorAll(".legend .item")].map((g) => g.textContent)).toEqual(["cross-entropy", "focal"]);
    expect(panels[1].querySelector(".name")!.textContent).toBe("class 1");
  });

  test("MarginHistogram with one arm fills each panel in its class colour and shows no legend", () => {
    const data = twin();
    const chart = MarginHistogram({classes: 3, arms: [data.arms[0]], classNames: ["cat", "dog", "frog"]}, {document});
    const fills = [...chart.querySelectorAll(".bars path")].map((p) => p.getAttribute("fill"));
    expect(fills).toEqual(["#0072B2", "#E69F00", "#009E73"]);
    expect(chart.querySelectorAll(".legend .item")).toHaveLength(0);
    expect([...chart.querySelectorAll(".panel .name")].map((t) => t.textContent)).toEqual(["cat", "dog", "frog"]);
  });

  test("MarginHistogram draws the zero line at x(0) and shades the misclassified side left of it", () => {
    const chart = MarginHistogram(twin(), {document});
    const line = chart.querySelector(".zero line")!;
    const x0 = Number(line.getAttribute("x1"));
    const shade = chart.querySelector(".misclassified-region")!;
    expect(Number(shade.getAttribute("x")) + Number(shade.getAttribute("width"))).toBeCloseTo(x0, 6);
    // The tick labelled 0 sits on the line.
    const tick = [...chart.querySelectorAll(".losslab-axis-x .tick")].find((t) => t.textContent === "0")!;
    expect(tick.getAttribute("transform")).toBe(`translate(${x0},0)`);
    expect(chart.querySelector(".zero")!.textContent).toContain("misclassified");
  });

  test("MarginHistogram reports each class's share of negative margins beside its panel and in the description", () => {
    const data: MarginHistogramData = {
      classes: 2,
      arms: [{label: "ce", margins: [-1, 2, 3, 4, -2, -3], labels: [0, 0, 0, 0, 1, 1]}]
    };
    const chart = MarginHistogram(data, {document});
    expect([...chart.querySelectorAll(".panel .negative")].map((t) => t.textContent)).toEqual([
      "< 0: 25%",
      "< 0: 100%"
    ]);
    expect(chart.querySelector("desc")!.textContent).toContain("negative margins class 0 25%, class 1 100%");
  });

  test("MarginHistogram.update() keeps panels, paths and axis nodes, and redraws them", () => {
    const chart = MarginHistogram(twin(), {document});
    const panels = [...chart.querySelectorAll(".panel")];
    const paths = [...chart.querySelectorAll(".bars path")];
    const axis = chart.querySelector(".losslab-axis-x");
    const before = paths.map((p) => p.getAttribute("d"));
    expect(chart.update(twin(0.8))).toBe(chart);
    expect([...chart.querySelectorAll(".panel")]).toEqual(panels);
    expect([...chart.querySelectorAll(".bars path")]).toEqual(paths);
    expect(chart.querySelector(".losslab-axis-x")).toBe(axis);
    expect(paths.map((p) => p.getAttribute("d"))).not.toEqual(before);
  });

  test("MarginHistogram keeps its margin axis for small changes but follows margins that grow", () => {
    const chart = MarginHistogram(twin(), {document});
    const ticks = () => [...chart.querySelectorAll(".losslab-axis-x .tick text")].map((t) => t.textContent).join(" ");
    const before = ticks();
    chart.update(twin(0.2));
    expect(ticks()).toBe(before);
    chart.update(twin(12));
    expect(ticks()).not.toBe(before);
  });

  test("MarginHistogram({domain}) bins on the fixed domain", () => {
    const chart = MarginHistogram(twin(), {document, domain: [-4, 4], bins: 8});
    const rows = chart.toRows();
    expect(rows[0]).toMatchObject({binStart: -4, binEnd: -3});
    expect(rows.filter((r) => r.arm === "focal" && r.class === 0)).toHaveLength(8);
  });

  test('MarginHistogram({y: "count"}) labels the y axis in samples; "share" in shares of the class', () => {
    const chart = MarginHistogram(twin(), {document});
    expect(chart.querySelector(".y-label")!.textContent).toBe("share of the class per bin");
    expect(chart.querySelector(".y-ticks text")!.textContent).toMatch(/%$/);
    chart.update(twin(), {y: "count"});
    expect(chart.querySelector(".y-label")!.textContent).toBe("samples per bin");
    expect(chart.querySelector(".y-ticks text")!.textContent).toMatch(/^\d+$/);
  });

  test("MarginHistogram.toRows() has one row per arm, class and bin whose counts add up to the class", () => {
    const data = twin();
    const chart = MarginHistogram(data, {document});
    const rows = chart.toRows();
    const bins = rows.filter((r) => r.arm === "cross-entropy" && r.class === 0).length;
    expect(rows).toHaveLength(2 * 3 * bins);
    expect(Object.keys(rows[0])).toEqual(["arm", "class", "className", "binStart", "binEnd", "count", "share"]);
    for (const [a, perClass] of [
      ["cross-entropy", [20, 10, 15]],
      ["focal", [20, 10, 15]]
    ] as const) {
      perClass.forEach((n, k) => {
        const mine = rows.filter((r) => r.arm === a && r.class === k);
        expect(mine.reduce((s, r) => s + (r.count as number), 0)).toBe(n);
        expect(mine.reduce((s, r) => s + (r.share as number), 0)).toBeCloseTo(1, 12);
      });
    }
  });

  test("MarginHistogram(null) renders axes without panels, says there is no data, and accepts data later", () => {
    const chart = MarginHistogram(null, {document});
    expect(chart.querySelectorAll(".panel")).toHaveLength(0);
    expect(chart.querySelector("desc")!.textContent).toContain("no data yet");
    expect(chart.toRows()).toEqual([]);
    chart.update(twin());
    expect(chart.querySelectorAll(".panel")).toHaveLength(3);
    chart.update({classes: 3, arms: []});
    expect(chart.querySelectorAll(".bars path")).toHaveLength(0);
  });

  test("MarginHistogram.toSVG() is standalone SVG markup that parses", () => {
    const markup = MarginHistogram(twin(), {document}).toSVG();
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.querySelectorAll(".panel")).toHaveLength(3);
  });

  test("MarginHistogram.destroy() makes update() a no-op", () => {
    const chart = MarginHistogram(twin(), {document});
    chart.destroy();
    chart.update(null);
    expect(chart.querySelectorAll(".panel")).toHaveLength(3);
  });
});
