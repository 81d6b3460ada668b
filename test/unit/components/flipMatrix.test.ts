// @vitest-environment jsdom
import {hcl} from "d3-color";
import {afterEach, describe, expect, test} from "vitest";
import {FlipMatrix, flipRampColor, flipRampPosition, keptColor} from "../../../components/flipMatrix.js";
import type {FlipMatrixElement} from "../../../components/flipMatrix.js";
import {flipMatrix, flips} from "../../../src/metrics/flips.js";

// Hand case of flips.test.ts: old-right samples 0: 0→0, 1: 1→2, 3: 0→1, 5: 2→2.
const labels = [0, 1, 2, 0, 1, 2];
const oldP = [0, 1, 0, 0, 2, 2];
const newP = [0, 2, 2, 1, 1, 2];
const hand = flipMatrix(oldP, newP, labels, 3); // [[1, 1, 0], [0, 0, 1], [0, 0, 1]]

const mounted: FlipMatrixElement[] = [];
function mount(element: FlipMatrixElement): FlipMatrixElement {
  document.body.append(element);
  mounted.push(element);
  return element;
}
afterEach(() => {
  for (const m of mounted.splice(0)) {
    m.destroy();
    m.remove();
  }
});

const cells = (m: Element) => [...m.querySelectorAll<SVGGElement>("g.cell")];
const cell = (m: Element, a: number, b: number) =>
  m.querySelector<SVGGElement>(`g.cell[data-old="${a}"][data-new="${b}"]`)!;
const key = (target: Element, k: string, init: KeyboardEventInit = {}) =>
  target.dispatchEvent(new KeyboardEvent("keydown", {key: k, bubbles: true, cancelable: true, ...init}));
const text = (m: Element, selector: string) => m.querySelector(selector)?.textContent ?? "";

describe("FlipMatrix rendering", () => {
  test("FlipMatrix({matrix}) draws one keyboard cell per entry with its count and a spoken label", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    expect(cells(m)).toHaveLength(9);
    expect(cell(m, 0, 1).getAttribute("aria-label")).toBe("old right as class 0, new predicts 1: 1 negative flip");
    expect(cell(m, 1, 2).getAttribute("role")).toBe("gridcell");
    expect(cell(m, 2, 2).getAttribute("aria-label")).toBe("old right as class 2, new predicts 2: 1 kept right");
    expect(cell(m, 0, 1).querySelector("text")!.textContent).toBe("1");
    expect(cell(m, 0, 1).querySelector("title")!.textContent).toBe(cell(m, 0, 1).getAttribute("aria-label"));
  });
  test("FlipMatrix labels cells with class names when given", () => {
    const m = FlipMatrix(
      {
        matrix: [
          [3, 5],
          [0, 2]
        ],
        classNames: ["cat", "dog"]
      },
      {document}
    );
    expect(cell(m, 0, 1).getAttribute("aria-label")).toBe("old right as cat, new predicts dog: 5 negative flips");
  });
  test("FlipMatrix shades the diagonal neutral and off-diagonal cells by count on the vermillion ramp", () => {
    const m = FlipMatrix(
      {
        matrix: [
          [9, 4, 0],
          [1, 9, 2],
          [0, 0, 9]
        ]
      },
      {document}
    );
    const fill = (a: number, b: number) => cell(m, a, b).querySelector("rect")!.getAttribute("fill");
    for (const k of [0, 1, 2]) expect(fill(k, k)).toBe(keptColor);
    expect(fill(0, 1)).toBe(flipRampColor(1)); // the largest flip count takes the full colour
    expect(fill(0, 2)).toBe("#FFFFFF"); // no flips: white
    const l = (a: number, b: number) => hcl(fill(a, b)!).l;
    expect(l(1, 0)).toBeGreaterThan(l(1, 2));
    expect(l(1, 2)).toBeGreaterThan(l(0, 1));
  });
  test("FlipMatrix writes each row's flips out of its old-right samples", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    expect([...m.querySelectorAll("g.totals text")].map((t) => t.textContent)).toEqual(["1 / 2", "1 / 1", "0 / 1"]);
  });
  test("FlipMatrix reads out NFR, NFI, relative NFR and PFR when rates are given", () => {
    const m = FlipMatrix({matrix: hand, rates: flips(oldP, newP, labels)}, {document});
    expect(text(m, "text.rates")).toBe("NFR 33.3% · NFI 100% · rel. NFR 1.5 · PFR 33.3% · N = 6");
    expect(m.querySelector("desc")!.textContent).toContain("NFR 33.3%");
  });
  test("FlipMatrix without rates hides the rates line", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    expect(m.querySelector("text.rates")!.getAttribute("display")).toBe("none");
    expect(text(m, "text.summary")).toBe("2 of 4 samples the old model got right flipped (50%).");
  });
  test("FlipMatrix of an old model right nowhere says nothing can flip", () => {
    const m = FlipMatrix({matrix: flipMatrix([1, 2, 0], [0, 1, 2], [0, 1, 2], 3)}, {document});
    expect(cells(m)).toHaveLength(9);
    expect(cells(m).every((c) => c.querySelector("text")!.textContent === "0")).toBe(true);
    expect(text(m, "text.summary")).toBe("The old model is right on no sample: nothing can flip.");
    expect(m.querySelector("rect.ramp")!.getAttribute("display")).toBe("none");
    expect(m.toRows().every((r) => r.count === 0)).toBe(true);
  });
  test("FlipMatrix(null) draws an empty figure with a title, a description and no cells", () => {
    const m = FlipMatrix(null, {document});
    expect(cells(m)).toHaveLength(0);
    expect(m.querySelector("title")!.textContent).toBe("Flip matrix: old model → new model");
    expect(m.querySelector("desc")!.textContent).toMatch(/no data yet/);
    expect(m.toRows()).toEqual([]);
    expect(m.value).toBeNull();
  });
  test("FlipMatrix rejects a matrix that is not square", () => {
    expect(() => FlipMatrix({matrix: [[1, 2], [3]]}, {document})).toThrow(
      /FlipMatrix: matrix row 1 has 1 entries, expected 2/
    );
  });
  test("FlipMatrix takes the root role figure and names itself by title and desc", () => {
    const m = FlipMatrix({matrix: hand}, {document, title: "Flips after the update"});
    expect(m.getAttribute("role")).toBe("figure");
    const [titleId, descId] = m.getAttribute("aria-labelledby")!.split(" ");
    expect(m.querySelector(`#${titleId}`)!.textContent).toBe("Flips after the update");
    expect(m.querySelector(`#${descId}`)!.localName).toBe("desc");
  });
});

describe("FlipMatrix update", () => {
  test("update(data) keeps every cell node and changes counts in place", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    const before = cells(m);
    const texts = before.map((c) => c.querySelector("text"));
    m.update({
      matrix: [
        [5, 0, 2],
        [1, 4, 0],
        [0, 3, 6]
      ]
    });
    const after = cells(m);
    expect(after).toHaveLength(9);
    after.forEach((c, i) => expect(c).toBe(before[i]));
    after.forEach((c, i) => expect(c.querySelector("text")).toBe(texts[i]));
    expect(cell(m, 2, 1).querySelector("text")!.textContent).toBe("3");
  });
  test("update with one more class keeps the existing cells and adds a row and a column", () => {
    const m = FlipMatrix(
      {
        matrix: [
          [1, 0],
          [0, 1]
        ]
      },
      {document}
    );
    const old = cell(m, 1, 1);
    m.update({
      matrix: [
        [1, 0, 0],
        [0, 1, 0],
        [2, 0, 3]
      ]
    });
    expect(cells(m)).toHaveLength(9);
    expect(cell(m, 1, 1)).toBe(old);
  });
  test("update rewrites the description", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    m.update({
      matrix: [
        [4, 0],
        [0, 4]
      ]
    });
    expect(m.querySelector("desc")!.textContent).toContain("0 of 8 samples the old model got right flipped");
  });
  test("update that drops the selected cell clears the selection", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    m.value = {old: 2, new: 1};
    m.update({
      matrix: [
        [1, 1],
        [0, 1]
      ]
    });
    expect(m.value).toBeNull();
    expect(m.querySelector("rect.selection")!.getAttribute("display")).toBe("none");
  });
  test("update(data, {oldName, newName}) renames the models in titles and labels", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    m.update({matrix: hand}, {oldName: "CE model", newName: "PCT model"});
    expect(text(m, "text.column-title")).toBe("PCT model predicts");
    expect(cell(m, 0, 1).getAttribute("aria-label")).toBe("CE right as class 0, PCT predicts 1: 1 negative flip");
  });
});

describe("FlipMatrix selection", () => {
  test("the grid has one tab stop, which arrow keys move along with focus", () => {
    const m = mount(FlipMatrix({matrix: hand}, {document}));
    expect(cells(m).filter((c) => c.getAttribute("tabindex") === "0")).toEqual([cell(m, 0, 0)]);
    cell(m, 0, 0).focus();
    expect(document.activeElement).toBe(cell(m, 0, 0));
    key(cell(m, 0, 0), "ArrowRight");
    expect(document.activeElement).toBe(cell(m, 0, 1));
    key(cell(m, 0, 1), "ArrowDown");
    expect(document.activeElement).toBe(cell(m, 1, 1));
    key(cell(m, 1, 1), "End");
    expect(document.activeElement).toBe(cell(m, 1, 2));
    key(cell(m, 1, 2), "ArrowRight"); // stays at the edge
    expect(document.activeElement).toBe(cell(m, 1, 2));
    expect(cells(m).filter((c) => c.getAttribute("tabindex") === "0")).toEqual([cell(m, 1, 2)]);
  });
  test("focus shows the focused cell's label in the status line and the focus ring", () => {
    const m = mount(FlipMatrix({matrix: hand}, {document}));
    cell(m, 1, 2).focus();
    expect(text(m, "text.status")).toBe("old right as class 1, new predicts 2: 1 negative flip");
    expect(m.querySelector("rect.focus")!.getAttribute("display")).toBeNull();
    cell(m, 1, 2).blur();
    expect(m.querySelector("rect.focus")!.getAttribute("display")).toBe("none");
  });
  test("Enter on a cell selects it and fires one bubbling input event with value {old, new}", () => {
    const m = mount(FlipMatrix({matrix: hand}, {document}));
    const values: unknown[] = [];
    const listener = (event: Event) => values.push((event.target as FlipMatrixElement).value);
    document.body.addEventListener("input", listener);
    try {
      cell(m, 0, 1).focus();
      key(cell(m, 0, 1), "Enter");
      expect(values).toEqual([{old: 0, new: 1}]);
      expect(m.value).toEqual({old: 0, new: 1});
      expect(cell(m, 0, 1).getAttribute("aria-selected")).toBe("true");
      expect(cells(m).filter((c) => c.getAttribute("aria-selected") === "true")).toHaveLength(1);
      key(cell(m, 0, 1), "Enter"); // already selected: no second event
      expect(values).toHaveLength(1);
      key(cell(m, 0, 1), " ");
      expect(values).toHaveLength(1);
      key(cell(m, 0, 1), "ArrowDown");
      key(cell(m, 1, 1), " ");
      expect(values).toEqual([
        {old: 0, new: 1},
        {old: 1, new: 1}
      ]);
    } finally {
      document.body.removeEventListener("input", listener);
    }
  });
  test("Escape clears the selection and fires an input event with value null", () => {
    const m = mount(FlipMatrix({matrix: hand}, {document}));
    cell(m, 1, 2).dispatchEvent(new MouseEvent("click", {bubbles: true}));
    expect(m.value).toEqual({old: 1, new: 2});
    let events = 0;
    m.addEventListener("input", () => ++events);
    key(cell(m, 1, 2), "Escape");
    expect(m.value).toBeNull();
    expect(events).toBe(1);
    expect(cells(m).some((c) => c.getAttribute("aria-selected") === "true")).toBe(false);
    expect(m.querySelector("rect.selection")!.getAttribute("display")).toBe("none");
    key(cell(m, 1, 2), "Escape"); // nothing selected: no event
    expect(events).toBe(1);
  });
  test("clicking a cell selects it and draws the selection ring around it", () => {
    const m = mount(FlipMatrix({matrix: hand}, {document}));
    let events = 0;
    m.addEventListener("input", () => ++events);
    cell(m, 2, 0)
      .querySelector("rect")!
      .dispatchEvent(new MouseEvent("click", {bubbles: true}));
    expect(m.value).toEqual({old: 2, new: 0});
    expect(events).toBe(1);
    const rect = cell(m, 2, 0).querySelector("rect")!;
    const ring = m.querySelector("rect.selection")!;
    expect(ring.getAttribute("display")).toBeNull();
    expect(Number(ring.getAttribute("x"))).toBeGreaterThan(Number(rect.getAttribute("x")));
    expect(Number(ring.getAttribute("y"))).toBeGreaterThan(Number(rect.getAttribute("y")));
    expect(text(m, "text.status")).toBe("Selected: 2 → 0, 0 negative flips. Escape clears.");
    // The selected cell becomes the grid's tab stop.
    expect(cell(m, 2, 0).getAttribute("tabindex")).toBe("0");
  });
  test("setting value selects without an input event; an invalid value selects nothing", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    let events = 0;
    m.addEventListener("input", () => ++events);
    m.value = {old: 1, new: 0};
    expect(m.value).toEqual({old: 1, new: 0});
    expect(cell(m, 1, 0).getAttribute("aria-selected")).toBe("true");
    m.value = {old: 7, new: 0};
    expect(m.value).toBeNull();
    expect(events).toBe(0);
  });
  test("value returns a copy, so changing it changes nothing", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    m.value = {old: 1, new: 0};
    m.value!.old = 2;
    expect(m.value).toEqual({old: 1, new: 0});
  });
  test("destroy() releases the listeners: clicks and keys no longer select, update does nothing", () => {
    const m = mount(FlipMatrix({matrix: hand}, {document}));
    let events = 0;
    m.addEventListener("input", () => ++events);
    m.destroy();
    cell(m, 0, 1).dispatchEvent(new MouseEvent("click", {bubbles: true}));
    key(cell(m, 0, 1), "Enter");
    expect(m.value).toBeNull();
    expect(events).toBe(0);
    m.update({matrix: [[1]]});
    expect(cells(m)).toHaveLength(9);
  });
});

describe("FlipMatrix export", () => {
  test("toRows() gives one row per cell: oldClass, newClass, count, kind", () => {
    const m = FlipMatrix({matrix: hand}, {document});
    const rows = m.toRows();
    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual({oldClass: 0, newClass: 0, count: 1, kind: "kept"});
    expect(rows[1]).toEqual({oldClass: 0, newClass: 1, count: 1, kind: "negative flip"});
    expect(rows[5]).toEqual({oldClass: 1, newClass: 2, count: 1, kind: "negative flip"});
    expect(rows.filter((r) => r.kind === "negative flip").reduce((s, r) => s + Number(r.count), 0)).toBe(2);
  });
  test("toRows() adds the class names when given", () => {
    const m = FlipMatrix(
      {
        matrix: [
          [3, 5],
          [0, 2]
        ],
        classNames: ["cat", "dog"]
      },
      {document}
    );
    expect(m.toRows()[1]).toEqual({
      oldClass: 0,
      newClass: 1,
      oldName: "cat",
      newName: "dog",
      count: 5,
      kind: "negative flip"
    });
  });
  test("toSVG() is standalone markup that parses as SVG", () => {
    const m = FlipMatrix({matrix: hand, classNames: ["a", "b", "c"]}, {document});
    const markup = m.toSVG();
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.localName).toBe("svg");
    expect(parsed.querySelectorAll("g.cell")).toHaveLength(9);
    // The page's responsive style is not exported.
    expect(parsed.documentElement.getAttribute("style")).not.toContain("max-width");
  });
});

describe("flip ramp", () => {
  test("flipRampColor runs from white to the palette's vermillion", () => {
    expect(flipRampColor(0)).toBe("#FFFFFF");
    expect(flipRampColor(1)).toBe("#D55E00");
    expect(flipRampColor(-1)).toBe("#FFFFFF");
    expect(flipRampColor(NaN)).toBe("#FFFFFF");
  });
  test("flipRampColor's lightness falls monotonically (readable in greyscale)", () => {
    const l = [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => hcl(flipRampColor(t)).l);
    for (let i = 1; i < l.length; ++i) expect(l[i]).toBeLessThan(l[i - 1]);
  });
  test("flipRampPosition is 0 for no flips and tints a single flip visibly", () => {
    expect(flipRampPosition(0, 10)).toBe(0);
    expect(flipRampPosition(1, 10)).toBeGreaterThan(0.15);
    expect(flipRampPosition(10, 10)).toBe(1);
    expect(flipRampPosition(3, 0)).toBe(0);
  });
});
