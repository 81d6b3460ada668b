// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {
  EmbeddingPlot,
  capPairs,
  marginArc,
  marginWedges,
  nearestInDirection,
  pointDetail
} from "../../../components/embeddingPlot.js";
import type {AngularMargin, EmbeddingData, MarginWedge} from "../../../components/embeddingPlot.js";
import {random} from "../../../src/random.js";

const tau = 2 * Math.PI;

/** Unit weights at the given angles (radians), as a [classes, 2] array. */
function weightsAt(angles: number[]): Float32Array {
  return Float32Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)]));
}

/** Angular distance on the circle, in [0, π]. */
function angleBetween(a: number, b: number): number {
  const d = Math.abs(a - b) % tau;
  return Math.min(d, tau - d);
}

/** The margin condition itself, evaluated directly: does a sample of class y at angle α satisfy it? */
function satisfies(alpha: number, y: number, angles: number[], margin: AngularMargin): boolean {
  const own = angleBetween(alpha, angles[y]);
  return angles.every((a, j) => {
    if (j === y) return true;
    const other = angleBetween(alpha, a);
    return margin.kind === "additive-angle"
      ? own + margin.value < other
      : Math.cos(own) - margin.value > Math.cos(other);
  });
}

function inside(alpha: number, wedge: MarginWedge): boolean {
  if (!(wedge.end > wedge.start)) return false;
  const offset = (((alpha - wedge.start) % tau) + tau) % tau;
  return offset < wedge.end - wedge.start;
}

describe("marginReach and marginWedges", () => {
  test("marginArc(additive-angle) reaches (δ − m)/2 towards the other weight and (δ + m)/2 short of its antipode", () => {
    const arc = marginArc("additive-angle", 0.5, 0, 2)!;
    expect(arc.centre + arc.halfWidth).toBeCloseTo((2 - 0.5) / 2, 12);
    expect(arc.centre - arc.halfWidth).toBeCloseTo((2 + 0.5) / 2 - Math.PI, 12);
    expect(marginArc("additive-angle", 0.5, 0, 0.4)).toBeNull();
  });

  test("marginArc(additive-cosine) ends where cos t − m = cos(δ − t), the equal-score boundary", () => {
    for (const [m, delta] of [
      [0.35, Math.PI / 2],
      [0.1, 0.8],
      [0.2, 2.5],
      [0.4, -2.6]
    ]) {
      const arc = marginArc("additive-cosine", m, 0, delta)!;
      // The end facing the other weight, and the far end.
      const near = delta > 0 ? arc.centre + arc.halfWidth : arc.centre - arc.halfWidth;
      const far = delta > 0 ? arc.centre - arc.halfWidth : arc.centre + arc.halfWidth;
      for (const t of [near, far]) expect(Math.cos(t) - m).toBeCloseTo(Math.cos(t - delta), 12);
      expect(Math.abs(near)).toBeLessThan(Math.abs(delta) / 2);
    }
    // A cosine margin larger than |w_own − w_other| = 2 sin(δ/2) leaves nothing.
    expect(marginArc("additive-cosine", 0.9, 0, 0.5)).toBeNull();
  });

  test("marginWedges of three evenly spaced weights: each wedge spans ±(2π/3 − m)/2 around its weight", () => {
    const wedges = marginWedges(weightsAt([0, tau / 3, (2 * tau) / 3]), 3, {kind: "additive-angle", value: 0.5});
    expect(wedges.map((w) => w.k)).toEqual([0, 1, 2]);
    const half = (tau / 3 - 0.5) / 2;
    for (const w of wedges) {
      expect(w.angle - w.start).toBeCloseTo(half, 6);
      expect(w.end - w.angle).toBeCloseTo(half, 6);
    }
    expect(wedges[1].angle).toBeCloseTo(tau / 3, 6);
  });

  test("marginWedges with m = 0 tile the circle: the classes' decision regions", () => {
    const angles = [0.3, 1.1, 2.9, 4.4];
    for (const kind of ["additive-angle", "additive-cosine"] as const) {
      const wedges = marginWedges(weightsAt(angles), 4, {kind, value: 0});
      const total = wedges.reduce((sum, w) => sum + (w.end - w.start), 0);
      expect(total).toBeCloseTo(tau, 6);
      // Each wedge ends half-way to the next weight counter-clockwise.
      expect(wedges[0].end).toBeCloseTo((0.3 + 1.1) / 2, 6);
      expect(wedges[3].end).toBeCloseTo((4.4 - tau + 0.3) / 2, 6);
    }
  });

  test("marginWedges agrees with the margin condition evaluated at every angle, for both kinds", () => {
    const rng = random("wedges");
    for (let trial = 0; trial < 24; ++trial) {
      const classes = 2 + rng.int(5);
      const angles = Array.from({length: classes}, () => rng.range(-Math.PI, Math.PI));
      const margin: AngularMargin =
        trial % 2
          ? {kind: "additive-angle", value: rng.range(0, 0.9)}
          : {kind: "additive-cosine", value: rng.range(0, 0.5)};
      const wedges = marginWedges(weightsAt(angles), classes, margin);
      expect(wedges).toHaveLength(classes);
      let checked = 0;
      for (let s = 0; s < 2000; ++s) {
        const alpha = (tau * (s + 0.5)) / 2000 - Math.PI;
        for (const w of wedges) {
          // Stay clear of the boundaries, where float32 weights and rounding decide.
          const nearEdge = Math.min(angleBetween(alpha, w.start), angleBetween(alpha, w.end)) < 2e-3;
          if (nearEdge) continue;
          expect(inside(alpha, w), `trial ${trial}, class ${w.k}, α ${alpha}`).toBe(
            satisfies(alpha, w.k, angles, margin)
          );
          ++checked;
        }
      }
      expect(checked).toBeGreaterThan(1000 * classes);
    }
  });

  test("marginWedges leaves an ArcFace wedge empty when another weight lies within m of it", () => {
    const wedges = marginWedges(weightsAt([0, 0.3, Math.PI]), 3, {kind: "additive-angle", value: 0.5});
    expect(wedges[0].end - wedges[0].start).toBe(0);
    expect(wedges[1].end - wedges[1].start).toBe(0);
    expect(wedges[2].end - wedges[2].start).toBeGreaterThan(1);
  });

  test("marginWedges pushes a CosFace wedge beside its weight when another weight is within the margin of it", () => {
    // 1 − cos(0.3) < m: at its own weight a sample of class 0 fails, but further from class 1 it passes.
    const m = 1 - Math.cos(0.3) + 0.01;
    const angles = [0, 0.3, Math.PI];
    const [w] = marginWedges(weightsAt(angles), 3, {kind: "additive-cosine", value: m});
    expect(satisfies(0, 0, angles, {kind: "additive-cosine", value: m})).toBe(false);
    expect(w.end).toBeLessThan(0);
    expect(w.end - w.start).toBeGreaterThan(0.5);
    expect(satisfies((w.start + w.end) / 2, 0, angles, {kind: "additive-cosine", value: m})).toBe(true);
  });

  test("marginWedges returns nothing for fewer than two weights or an invalid margin", () => {
    const three = weightsAt([0, 2, 4]);
    expect(marginWedges(weightsAt([1]), 1, {kind: "additive-angle", value: 0.2})).toEqual([]);
    expect(marginWedges(Float32Array.from([1, 0, 0, 0]), 2, {kind: "additive-angle", value: 0.2})).toEqual([]);
    expect(marginWedges(three, 3, {kind: "additive-angle", value: -0.1})).toEqual([]);
    expect(marginWedges(three, 3, {kind: "additive-angle", value: NaN})).toEqual([]);
    expect(marginWedges(three, 3, {kind: "additive-angle", value: 4})).toEqual([]);
    expect(marginWedges(three, 3, {kind: "additive-cosine", value: 2})).toEqual([]);
  });
});

describe("capPairs", () => {
  const always = () => true;

  test("capPairs keeps every valid pair under the cap and drops invalid ones", () => {
    const picked = capPairs(Int32Array.from([0, 1, 2, 3]), Int32Array.from([0, 9, 1, 2]), (i, j) => i < 5 && j < 5, 10);
    expect(picked).toEqual({pos: [0, 1], neg: [1], totalPos: 2, totalNeg: 1});
  });

  test("capPairs over the cap shares it in proportion and spreads each kind evenly", () => {
    const pos = new Int32Array(2 * 100);
    const neg = new Int32Array(2 * 300);
    const picked = capPairs(pos, neg, always, 40);
    expect(picked.pos).toHaveLength(10);
    expect(picked.neg).toHaveLength(30);
    expect(picked.pos).toEqual(Array.from({length: 10}, (_, i) => i * 10));
    expect(picked.neg[1]).toBe(10);
    expect([picked.totalPos, picked.totalNeg]).toEqual([100, 300]);
  });

  test("capPairs gives the whole cap to one kind when the other is absent", () => {
    const picked = capPairs(undefined, new Int32Array(2 * 500), always, 400);
    expect(picked.pos).toEqual([]);
    expect(picked.neg).toHaveLength(400);
  });
});

describe("nearestInDirection", () => {
  // A plus-shaped layout (screen coordinates, y down): 0 centre, 1 right, 2 far right, 3 up-right, 4 down.
  const x = [0, 10, 30, 8, 0];
  const y = [0, 0, 0, -7, 10];

  test("nearestInDirection prefers the point straight ahead over a closer one off to the side", () => {
    expect(nearestInDirection(x, y, 0, 1, 0)).toBe(1);
    expect(nearestInDirection(x, y, 1, 1, 0)).toBe(2);
    expect(nearestInDirection(x, y, 0, 0, 1)).toBe(4);
    expect(nearestInDirection(x, y, 0, 0, -1)).toBe(3);
  });

  test("nearestInDirection returns −1 when nothing lies ahead", () => {
    expect(nearestInDirection(x, y, 0, -1, 0)).toBe(-1);
    expect(nearestInDirection(x, y, 2, 1, 0)).toBe(-1);
  });
});

// ---------------------------------------------------------------------------------------------
// The component.

/** Five points at known places: a centre and four around it, with loss, predictions and ids. */
function cross(): EmbeddingData {
  return {
    classes: 2,
    points: {
      x: Float32Array.from([0, 0, 1, 0, -1, 0, 0, 1, 0, -1]),
      label: Int32Array.from([0, 1, 1, 0, 0]),
      predicted: Int32Array.from([0, 1, 0, 0, 0]),
      loss: Float32Array.from([0.25, 0.5, 1.5, 0.125, 2]),
      ids: Int32Array.from([10, 11, 12, 13, 14])
    }
  };
}

function normalized(margin?: AngularMargin): EmbeddingData {
  const n = 12;
  const angles = [0, tau / 3, (2 * tau) / 3];
  const x = new Float32Array(2 * n);
  const label = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const a = angles[i % 3] + 0.1 * ((i % 4) - 1.5);
    x[2 * i] = Math.cos(a);
    x[2 * i + 1] = Math.sin(a);
    label[i] = i % 3;
  }
  return {classes: 3, points: {x, label}, normalized: true, weights: weightsAt(angles), margin};
}

function key(target: Element, name: string): void {
  target.dispatchEvent(new window.KeyboardEvent("keydown", {key: name, bubbles: true, cancelable: true}));
}

function pointer(target: Element, type: string, clientX = 0, clientY = 0): void {
  target.dispatchEvent(new window.MouseEvent(type, {clientX, clientY, bubbles: true}));
}

function circleOf(plot: Element, id: number): SVGCircleElement {
  return [...plot.querySelectorAll<SVGCircleElement>(".points circle")].find(
    (c) => (c as unknown as {__data__: {key: number}}).__data__.key === id
  )!;
}

function tooltipText(plot: Element): string[] {
  return [...plot.querySelectorAll(".tooltip text")].map((t) => t.textContent ?? "");
}

describe("EmbeddingPlot margins and pairs", () => {
  test("EmbeddingPlot draws one margin wedge per class whose arc ends lie on the unit circle at the wedge's angles", () => {
    const margin: AngularMargin = {kind: "additive-angle", value: 0.4};
    const plot = EmbeddingPlot(normalized(margin), {document});
    const circle = plot.querySelector(".unit-circle circle")!;
    const [cx, cy, r] = ["cx", "cy", "r"].map((a) => Number(circle.getAttribute(a)));
    const paths = [...plot.querySelectorAll(".margin-wedges path")];
    expect(paths.map((p) => p.getAttribute("data-class"))).toEqual(["0", "1", "2"]);
    const expected = marginWedges(normalized().weights!, 3, margin);
    paths.forEach((path, k) => {
      const numbers = path
        .getAttribute("d")!
        .match(/-?[\d.]+/g)!
        .map(Number);
      // M cx,cy L x0,y0 A r,r 0 large 0 x1,y1 Z
      const [x0, y0, x1, y1] = [numbers[2], numbers[3], numbers[9], numbers[10]];
      expect(x0).toBeCloseTo(cx + r * Math.cos(expected[k].start), 1);
      expect(y0).toBeCloseTo(cy - r * Math.sin(expected[k].start), 1);
      expect(x1).toBeCloseTo(cx + r * Math.cos(expected[k].end), 1);
      expect(y1).toBeCloseTo(cy - r * Math.sin(expected[k].end), 1);
      expect(path.getAttribute("fill")).toBe(path.getAttribute("stroke"));
    });
    expect(plot.querySelector(".legend")!.textContent).toContain("additive angle m = 0.4 rad");
    expect(plot.querySelector("desc")!.textContent).toContain("additive angular margin m = 0.4");
  });

  test("EmbeddingPlot draws no wedges for embeddings that are not normalised, or without weights", () => {
    const data = normalized({kind: "additive-cosine", value: 0.2});
    expect(
      EmbeddingPlot({...data, normalized: false}, {document}).querySelectorAll(".margin-wedges path")
    ).toHaveLength(0);
    expect(
      EmbeddingPlot({...data, weights: undefined}, {document}).querySelectorAll(".margin-wedges path")
    ).toHaveLength(0);
    expect(EmbeddingPlot(data, {document}).querySelectorAll(".margin-wedges path")).toHaveLength(3);
  });

  test("EmbeddingPlot draws mined pairs as one solid and one dashed path, skipping pairs with missing points", () => {
    const data = cross();
    data.points.x[8] = NaN; // point 4 diverged
    data.pairs = {pos: Int32Array.from([0, 1, 2, 3, 0, 4]), neg: Int32Array.from([0, 2, 1, 99])};
    const plot = EmbeddingPlot(data, {document});
    const positive = plot.querySelector(".pairs .positive")!;
    const negative = plot.querySelector(".pairs .negative")!;
    expect(positive.getAttribute("d")!.match(/M/g)).toHaveLength(2);
    expect(negative.getAttribute("d")!.match(/M/g)).toHaveLength(1);
    expect(positive.hasAttribute("stroke-dasharray")).toBe(false);
    expect(negative.getAttribute("stroke-dasharray")).toBe("3,2");
    expect([...plot.querySelectorAll(".legend text")].map((t) => t.textContent)).toEqual([
      "positive pair",
      "negative pair"
    ]);
    expect(plot.querySelector("desc")!.textContent).toContain(
      "the 2 positive pairs (solid) and 1 negative pairs (dashed)"
    );
  });
  test("EmbeddingPlot names its lines after what they join when the page says so", () => {
    const data = cross();
    data.pairs = {pos: Int32Array.from([0, 1, 2, 3]), neg: Int32Array.from([0, 2]), posLabel: "clip → caption"};
    const plot = EmbeddingPlot(data, {document});
    expect([...plot.querySelectorAll(".legend text")].map((t) => t.textContent)).toEqual([
      "clip → caption",
      "negative pair"
    ]);
    const desc = plot.querySelector("desc")!.textContent!;
    expect(desc).toContain("lines: 2 clip → caption (solid), 1 negative pair (dashed)");
    expect(desc).not.toContain("miner");
  });

  test("EmbeddingPlot({maxPairs}) draws at most maxPairs lines and says so in the description", () => {
    const data = normalized();
    const n = data.points.label.length;
    // Every ordered pair (i, j) as a positive and again as a negative: 2n² pairs.
    const all = Int32Array.from({length: 2 * n * n}, (_, p) => (p % 2 ? (p >> 1) % n : Math.floor((p >> 1) / n)));
    data.pairs = {pos: all, neg: all};
    const lines = (plot: Element) =>
      [".pairs .positive", ".pairs .negative"]
        .map((selector) => plot.querySelector(selector)!.getAttribute("d")?.match(/M/g)?.length ?? 0)
        .reduce((a, b) => a + b);
    const capped = EmbeddingPlot(data, {document, maxPairs: 30});
    expect(lines(capped)).toBe(30);
    expect(capped.querySelector("desc")!.textContent).toContain(`lines join 30 of the ${2 * n * n} pairs`);
    // The default cap is 400, above the 288 pairs here: all drawn, and the description does not say "of".
    const uncapped = EmbeddingPlot(data, {document});
    expect(lines(uncapped)).toBe(2 * n * n);
    expect(uncapped.querySelector("desc")!.textContent).toContain(`the ${n * n} positive pairs (solid)`);
    data.pairs = {pos: Int32Array.from([...all, ...all]), neg: all};
    expect(lines(uncapped.update(data))).toBe(400);
  });
});

describe("EmbeddingPlot hover and keyboard", () => {
  test("pointDetail(data, i) lists the sample id, label and prediction, loss and position", () => {
    expect(pointDetail(cross(), 2)).toEqual([
      "sample 12",
      "label 1, predicted 0 (misclassified)",
      "loss 1.5",
      "z = (−1, 0)"
    ]);
    const bare: EmbeddingData = {classes: 2, points: {x: Float32Array.from([0.5, -0.25]), label: Int32Array.from([1])}};
    expect(pointDetail(bare, 0)).toEqual(["sample 0", "label 1", "z = (0.5, −0.25)"]);
  });

  test("hovering near a point shows its detail in the tooltip with a ring; moving away or leaving hides it", () => {
    const plot = EmbeddingPlot(cross(), {document});
    const tooltip = plot.querySelector(".tooltip")!;
    const ring = plot.querySelector(".focus-ring")!;
    expect(tooltip.getAttribute("display")).toBe("none");
    const target = circleOf(plot, 11);
    const cx = Number(target.getAttribute("cx"));
    const cy = Number(target.getAttribute("cy"));
    pointer(plot, "pointermove", cx + 4, cy - 3);
    expect(tooltip.getAttribute("display")).toBeNull();
    expect(tooltipText(plot)).toEqual(["sample 11", "label 1, predicted 1", "loss 0.5", "z = (1, 0)"]);
    expect(ring.getAttribute("cx")).toBe(String(cx));
    pointer(plot, "pointermove", cx - 60, cy + 40);
    expect(tooltip.getAttribute("display")).toBe("none");
    pointer(plot, "pointermove", cx, cy);
    pointer(plot, "pointerleave");
    expect(tooltip.getAttribute("display")).toBe("none");
    expect(ring.getAttribute("display")).toBe("none");
  });

  test("the points are one tab stop; focus shows the first point's detail and marks it as the active option", () => {
    const plot = EmbeddingPlot(cross(), {document});
    const points = plot.querySelector(".points")!;
    expect(plot.getAttribute("role")).toBe("group");
    expect(points.getAttribute("tabindex")).toBe("0");
    expect(points.getAttribute("role")).toBe("listbox");
    points.dispatchEvent(new window.FocusEvent("focus"));
    const active = plot.querySelector(`[id="${points.getAttribute("aria-activedescendant")}"]`)!;
    expect(active).toBe(circleOf(plot, 10));
    expect(active.getAttribute("role")).toBe("option");
    expect(active.getAttribute("aria-label")).toBe("sample 10, label 0, predicted 0, loss 0.25, z = (0, 0)");
    expect(active.getAttribute("aria-posinset")).toBe("1");
    expect(active.getAttribute("aria-setsize")).toBe("5");
    expect(tooltipText(plot)[0]).toBe("sample 10");
    expect(plot.querySelector(".focus-ring")!.getAttribute("display")).toBeNull();
    points.dispatchEvent(new window.FocusEvent("blur"));
    expect(plot.querySelector(".tooltip")!.getAttribute("display")).toBe("none");
  });

  test("arrow keys move the focus to the nearest point in that direction; Page, Home and End step in data order", () => {
    const plot = EmbeddingPlot(cross(), {document});
    const points = plot.querySelector(".points")!;
    const activeId = () =>
      (
        plot.querySelector(`[id="${points.getAttribute("aria-activedescendant")}"]`) as unknown as {
          __data__: {key: number};
        }
      ).__data__.key;
    points.dispatchEvent(new window.FocusEvent("focus"));
    key(points, "ArrowRight");
    expect(activeId()).toBe(11);
    key(points, "ArrowRight"); // nothing further right: stays
    expect(activeId()).toBe(11);
    key(points, "ArrowLeft");
    expect(activeId()).toBe(10);
    key(points, "ArrowUp");
    expect(activeId()).toBe(13);
    key(points, "ArrowDown");
    key(points, "ArrowDown");
    expect(activeId()).toBe(14);
    key(points, "Home");
    expect(activeId()).toBe(10);
    key(points, "PageDown");
    key(points, "PageDown");
    expect(activeId()).toBe(12);
    key(points, "PageUp");
    expect(activeId()).toBe(11);
    key(points, "End");
    expect(activeId()).toBe(14);
    // Only the active point carries the option role and an id.
    expect(plot.querySelectorAll('.points [role="option"]')).toHaveLength(1);
    expect(tooltipText(plot)[0]).toBe("sample 14");
    key(points, "Escape");
    expect(plot.querySelector(".tooltip")!.getAttribute("display")).toBe("none");
    key(points, "ArrowUp");
    expect(plot.querySelector(".tooltip")!.getAttribute("display")).toBeNull();
  });

  test("a handled key prevents the page from scrolling; other keys pass through", () => {
    const plot = EmbeddingPlot(cross(), {document});
    const points = plot.querySelector(".points")!;
    const arrow = new window.KeyboardEvent("keydown", {key: "ArrowDown", cancelable: true});
    points.dispatchEvent(arrow);
    expect(arrow.defaultPrevented).toBe(true);
    const letter = new window.KeyboardEvent("keydown", {key: "a", cancelable: true});
    points.dispatchEvent(letter);
    expect(letter.defaultPrevented).toBe(false);
  });

  test("update() keeps the nodes, the active point (by id) and refreshes its detail", () => {
    const plot = EmbeddingPlot(normalized({kind: "additive-angle", value: 0.3}), {document});
    const data = cross();
    data.pairs = {pos: Int32Array.from([0, 1])};
    plot.update(data);
    const points = plot.querySelector(".points")!;
    const nodes = [...plot.querySelectorAll(".points circle")];
    const keep = [
      plot.querySelector(".pairs .positive"),
      plot.querySelector(".tooltip"),
      plot.querySelector(".focus-ring"),
      plot.querySelector(".legend .item")
    ];
    points.dispatchEvent(new window.FocusEvent("focus"));
    key(points, "ArrowRight");
    const next = cross();
    next.points.loss![1] = 0.0625;
    next.points.x[2] = 1.1;
    next.pairs = {pos: Int32Array.from([0, 1])};
    plot.update(next);
    expect([...plot.querySelectorAll(".points circle")]).toEqual(nodes);
    expect([
      plot.querySelector(".pairs .positive"),
      plot.querySelector(".tooltip"),
      plot.querySelector(".focus-ring"),
      plot.querySelector(".legend .item")
    ]).toEqual(keep);
    expect(tooltipText(plot)).toContain("loss 0.0625");
    expect(plot.querySelector('[role="option"]')).toBe(circleOf(plot, 11));
  });

  test("an active point that leaves the data loses the focus ring; the next key starts from the first point", () => {
    const plot = EmbeddingPlot(cross(), {document});
    const points = plot.querySelector(".points")!;
    points.dispatchEvent(new window.FocusEvent("focus"));
    key(points, "End");
    const data = cross();
    plot.update({
      ...data,
      points: {...data.points, x: data.points.x.slice(0, 8), label: data.points.label.slice(0, 4)}
    });
    expect(plot.querySelector('[role="option"]')).toBeNull();
    expect(points.hasAttribute("aria-activedescendant")).toBe(false);
    key(points, "PageDown");
    expect(plot.querySelector('[role="option"]')).toBe(circleOf(plot, 10));
  });

  test("destroy() releases the listeners and removes the tab stop", () => {
    const plot = EmbeddingPlot(cross(), {document});
    const points = plot.querySelector(".points")!;
    plot.destroy();
    expect(points.hasAttribute("tabindex")).toBe(false);
    points.dispatchEvent(new window.FocusEvent("focus"));
    key(points, "ArrowRight");
    const target = circleOf(plot, 11);
    pointer(plot, "pointermove", Number(target.getAttribute("cx")), Number(target.getAttribute("cy")));
    expect(plot.querySelector(".tooltip")!.getAttribute("display")).toBe("none");
    expect(plot.querySelector('[role="option"]')).toBeNull();
    // Updates after destroy do nothing.
    plot.update(null);
    expect(plot.querySelectorAll(".points circle")).toHaveLength(5);
  });
});

describe("EmbeddingPlot export and empty state", () => {
  test("toRows() has one row per drawn point: id, x, y, label, predicted, loss", () => {
    const data = cross();
    data.points.x[4] = Infinity;
    data.points.x[6] = 0.1;
    const rows = EmbeddingPlot(data, {document}).toRows();
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({id: 10, x: 0, y: 0, label: 0, predicted: 0, loss: 0.25});
    // float32 values read back as their shortest decimal, not 0.10000000149011612.
    expect(rows[2]).toEqual({id: 13, x: 0.1, y: 1, label: 0, predicted: 0, loss: 0.125});
    const bare = EmbeddingPlot(
      {classes: 1, points: {x: Float32Array.from([1, 2]), label: Int32Array.from([0])}},
      {document}
    );
    expect(bare.toRows()).toEqual([{id: 0, x: 1, y: 2, label: 0, predicted: null, loss: null}]);
  });

  test("toSVG() is standalone markup that parses as SVG with its points and wedges", () => {
    const plot = EmbeddingPlot(normalized({kind: "additive-angle", value: 0.3}), {document});
    const markup = plot.toSVG();
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new window.DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.localName).toBe("svg");
    expect(parsed.querySelectorAll(".points circle")).toHaveLength(12);
    expect(parsed.querySelectorAll(".margin-wedges path")).toHaveLength(3);
  });

  test("EmbeddingPlot(null) has no points, no tab stop and no rows, and accepts data later", () => {
    const plot = EmbeddingPlot(null, {document});
    expect(plot.querySelectorAll(".points circle")).toHaveLength(0);
    expect(plot.querySelector(".points")!.hasAttribute("tabindex")).toBe(false);
    expect(plot.toRows()).toEqual([]);
    key(plot.querySelector(".points")!, "ArrowRight");
    plot.update(cross());
    expect(plot.querySelectorAll(".points circle")).toHaveLength(5);
    expect(plot.querySelector(".points")!.getAttribute("tabindex")).toBe("0");
  });
});
