// @vitest-environment jsdom
import {afterEach, describe, expect, test} from "vitest";
import {ConfusionMatrix} from "../../../components/confusionMatrix.js";
import type {ConfusionMatrixElement} from "../../../components/confusionMatrix.js";

// Rows are true classes, columns predictions; class 2 has 120 samples, 14 of them predicted as 0.
const matrix = [
  [40, 8, 2],
  [5, 30, 5],
  [14, 6, 100]
];

const mounted: Element[] = [];
function mount(figure: ConfusionMatrixElement): ConfusionMatrixElement {
  document.body.append(figure);
  mounted.push(figure);
  return figure;
}
afterEach(() => {
  for (const figure of mounted.splice(0)) figure.remove();
});

function cell(figure: Element, t: number, p: number): SVGGElement {
  return figure.querySelector<SVGGElement>(`g.cell[data-true="${t}"][data-predicted="${p}"]`)!;
}

function key(target: Element, k: string, options: KeyboardEventInit = {}): KeyboardEvent {
  const event = new window.KeyboardEvent("keydown", {key: k, bubbles: true, cancelable: true, ...options});
  target.dispatchEvent(event);
  return event;
}

describe("ConfusionMatrix", () => {
  test("ConfusionMatrix labels each cell with its count and its share of the true class", () => {
    const figure = ConfusionMatrix({matrix}, {document});
    expect(cell(figure, 2, 0).getAttribute("aria-label")).toBe("true 2, predicted 0: 14 samples, 12% of class 2");
    expect(cell(figure, 2, 0).querySelector("title")!.textContent).toBe(
      "true 2, predicted 0: 14 samples, 12% of class 2"
    );
    expect(cell(figure, 0, 0).querySelector(".count")!.textContent).toBe("40");
    expect(cell(figure, 0, 0).querySelector(".share")!.textContent).toBe("80%");
    expect(figure.querySelectorAll("g.cell")).toHaveLength(9);
    expect(figure.querySelectorAll('[role="row"]')).toHaveLength(3);
  });

  test("ConfusionMatrix uses class names on the axes and in the labels, and says 1 sample", () => {
    const figure = ConfusionMatrix(
      {
        matrix: [
          [1, 0],
          [0, 3]
        ],
        classNames: ["cat", "dog"]
      },
      {document}
    );
    expect(cell(figure, 0, 0).getAttribute("aria-label")).toBe("true cat, predicted cat: 1 sample, 100% of cat");
    expect([...figure.querySelectorAll(".row-labels text")].map((t) => t.textContent)).toEqual(["cat", "dog"]);
    expect([...figure.querySelectorAll(".column-labels text")].map((t) => t.textContent)).toEqual(["cat", "dog"]);
    expect([...figure.querySelectorAll(".row-labels rect")].map((r) => r.getAttribute("fill"))).toEqual([
      "#0072B2",
      "#E69F00"
    ]);
  });

  test("ConfusionMatrix shades each cell by its row share: diagonal blue, confusions vermillion", () => {
    const figure = ConfusionMatrix({matrix}, {document});
    const fill = (t: number, p: number) => cell(figure, t, p).querySelector("rect")!;
    expect(fill(1, 1).getAttribute("fill")).toBe("#0072B2");
    expect(fill(2, 0).getAttribute("fill")).toBe("#D55E00");
    // 14 of 120 (row 2) is a smaller share than 8 of 50 (row 0): lighter, although the count is larger.
    expect(Number(fill(2, 0).getAttribute("fill-opacity"))).toBeLessThan(
      Number(fill(0, 1).getAttribute("fill-opacity"))
    );
  });

  test("ConfusionMatrix is one tab stop; arrow keys, Home and End move the focus between cells", () => {
    const figure = mount(ConfusionMatrix({matrix}, {document}));
    const stops = () => [...figure.querySelectorAll('g.cell[tabindex="0"]')];
    expect(stops()).toEqual([cell(figure, 0, 0)]);
    cell(figure, 0, 0).focus();
    expect(document.activeElement).toBe(cell(figure, 0, 0));
    key(document.activeElement!, "ArrowRight");
    expect(document.activeElement).toBe(cell(figure, 0, 1));
    key(document.activeElement!, "ArrowDown");
    key(document.activeElement!, "ArrowDown");
    key(document.activeElement!, "ArrowDown"); // stays on the last row
    expect(document.activeElement).toBe(cell(figure, 2, 1));
    expect(key(document.activeElement!, "End").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(cell(figure, 2, 2));
    key(document.activeElement!, "Home");
    expect(document.activeElement).toBe(cell(figure, 2, 0));
    key(document.activeElement!, "Home", {ctrlKey: true});
    expect(document.activeElement).toBe(cell(figure, 0, 0));
    key(document.activeElement!, "ArrowLeft"); // stays in the first column
    expect(stops()).toEqual([cell(figure, 0, 0)]);
  });

  test("ConfusionMatrix shows a focus ring on the focused cell and hides it when the focus leaves", () => {
    const figure = mount(ConfusionMatrix({matrix}, {document}));
    const ring = figure.querySelector(".focus-ring")!;
    expect(ring.getAttribute("display")).toBe("none");
    cell(figure, 1, 2).focus();
    expect(ring.getAttribute("display")).toBeNull();
    const rect = cell(figure, 1, 2).querySelector("rect")!;
    expect(Number(ring.getAttribute("x"))).toBeLessThan(Number(rect.getAttribute("x")));
    (document.activeElement as HTMLElement).blur();
    expect(ring.getAttribute("display")).toBe("none");
  });

  test("ConfusionMatrix: Enter or Space selects the focused cell (value, input event), again or Escape clears it", () => {
    const figure = mount(ConfusionMatrix({matrix}, {document}));
    let events = 0;
    document.body.addEventListener("input", () => ++events);
    expect(figure.value).toBeNull();
    cell(figure, 0, 0).focus();
    key(document.activeElement!, "ArrowDown");
    key(document.activeElement!, "Enter");
    expect(figure.value).toEqual({true: 1, predicted: 0});
    expect(cell(figure, 1, 0).getAttribute("aria-selected")).toBe("true");
    expect(figure.querySelector(".selection")!.getAttribute("display")).toBeNull();
    expect(events).toBe(1);
    key(document.activeElement!, " ");
    expect(figure.value).toBeNull();
    expect(events).toBe(2);
    key(document.activeElement!, " ");
    key(document.activeElement!, "Escape");
    expect(figure.value).toBeNull();
    expect(cell(figure, 1, 0).getAttribute("aria-selected")).toBe("false");
    expect(events).toBe(4);
  });

  test("ConfusionMatrix: a click selects a cell and moves the focus there", () => {
    const figure = mount(ConfusionMatrix({matrix}, {document}));
    cell(figure, 2, 1)
      .querySelector("rect")!
      .dispatchEvent(new window.MouseEvent("click", {bubbles: true}));
    expect(figure.value).toEqual({true: 2, predicted: 1});
    expect(document.activeElement).toBe(cell(figure, 2, 1));
  });

  test("ConfusionMatrix.update() keeps every cell node and the selection, and redraws the counts", () => {
    const figure = mount(ConfusionMatrix({matrix}, {document}));
    const cells = [...figure.querySelectorAll("g.cell")];
    figure.value = {true: 0, predicted: 1};
    const next = matrix.map((row) => row.map((v) => v + 1));
    expect(figure.update({matrix: next})).toBe(figure);
    expect([...figure.querySelectorAll("g.cell")]).toEqual(cells);
    expect(cell(figure, 0, 0).querySelector(".count")!.textContent).toBe("41");
    expect(figure.value).toEqual({true: 0, predicted: 1});
    // A smaller matrix drops the cells and a selection that left it.
    figure.value = {true: 2, predicted: 2};
    figure.update({
      matrix: [
        [1, 2],
        [3, 4]
      ]
    });
    expect(figure.querySelectorAll("g.cell")).toHaveLength(4);
    expect(figure.value).toBeNull();
    expect(cell(figure, 0, 0)).toBe(cells[0]);
  });

  test("ConfusionMatrix.toRows() gives true, predicted, count and row share per cell; an empty row's shares are null", () => {
    const figure = ConfusionMatrix(
      {
        matrix: [
          [3, 1],
          [0, 0]
        ]
      },
      {document}
    );
    expect(figure.toRows()).toEqual([
      {true: 0, predicted: 0, count: 3, rowShare: 0.75},
      {true: 0, predicted: 1, count: 1, rowShare: 0.25},
      {true: 1, predicted: 0, count: 0, rowShare: null},
      {true: 1, predicted: 1, count: 0, rowShare: null}
    ]);
    expect(cell(figure, 1, 0).getAttribute("aria-label")).toBe(
      "true 1, predicted 0: 0 samples, class 1 has no samples"
    );
    const named = ConfusionMatrix(
      {
        matrix: [
          [3, 1],
          [0, 0]
        ],
        classNames: ["a", "b"]
      },
      {document}
    ).toRows();
    expect(named[1]).toEqual({true: 0, predicted: 1, trueName: "a", predictedName: "b", count: 1, rowShare: 0.25});
  });

  test("ConfusionMatrix(null) has no cells, says so, and accepts data later", () => {
    const figure = ConfusionMatrix(null, {document});
    expect(figure.querySelectorAll("g.cell")).toHaveLength(0);
    expect(figure.querySelector("desc")!.textContent).toContain("no data yet");
    expect(figure.toRows()).toEqual([]);
    figure.update({matrix});
    expect(figure.querySelectorAll("g.cell")).toHaveLength(9);
    expect(figure.querySelector("desc")!.textContent).toContain("largest confusion is true 0 predicted as 1");
  });

  test("ConfusionMatrix is a figure (not an image) so that its grid of cells is exposed", () => {
    const figure = ConfusionMatrix({matrix}, {document});
    expect(figure.getAttribute("role")).toBe("figure");
    const title = figure.querySelector(`[id="${figure.getAttribute("aria-labelledby")}"]`)!;
    expect(title.textContent).toBe("Confusion matrix");
    expect(figure.querySelector(`[id="${figure.getAttribute("aria-describedby")}"]`)!.localName).toBe("desc");
    expect(figure.querySelector('[role="grid"]')!.getAttribute("aria-rowcount")).toBe("3");
  });

  test("ConfusionMatrix.toSVG() is standalone SVG markup that parses", () => {
    const markup = ConfusionMatrix({matrix}, {document}).toSVG();
    expect(markup).toContain('xmlns="http://www.w3.org/2000/svg"');
    const parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
    expect(parsed.documentElement.querySelectorAll("g.cell")).toHaveLength(9);
  });

  test("ConfusionMatrix.destroy() removes the keyboard and pointer listeners", () => {
    const figure = mount(ConfusionMatrix({matrix}, {document}));
    cell(figure, 0, 0).focus();
    figure.destroy();
    key(document.activeElement!, "ArrowRight");
    key(document.activeElement!, "Enter");
    cell(figure, 1, 1).dispatchEvent(new window.MouseEvent("click", {bubbles: true}));
    expect(document.activeElement).toBe(cell(figure, 0, 0));
    expect(figure.value).toBeNull();
  });
});
