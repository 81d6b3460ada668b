import {describe, expect, test} from "vitest";
import {armColor, armColors, classColor, classColors, unknownColor} from "../../../../components/internal/palette.js";

describe("classColor", () => {
  test("classColor starts with Okabe–Ito blue and gives ten distinct colours", () => {
    expect(classColor(0)).toBe("#0072B2");
    expect(new Set(Array.from({length: 10}, (_, k) => classColor(k))).size).toBe(10);
    expect(classColors).toHaveLength(10);
  });

  test("classColor beyond ten classes varies the lightness and stays distinct for 40 classes", () => {
    const colors = Array.from({length: 40}, (_, k) => classColor(k));
    expect(new Set(colors).size).toBe(40);
    for (const c of colors) expect(c).toMatch(/^#[0-9A-F]{6}$/);
  });

  test("classColor of an invalid class is the neutral grey", () => {
    expect(classColor(-1)).toBe(unknownColor);
    expect(classColor(NaN)).toBe(unknownColor);
  });
});

describe("armColor", () => {
  test('armColor("baseline") is slate grey-blue and armColor("method") orange', () => {
    expect(armColor("method")).toBe("#E69F00");
    expect(armColor("baseline")).not.toBe(armColor("method"));
  });

  test("armColor of another role uses the secondary list by index, or a stable hash of the role", () => {
    expect(armColor("teacher", 0)).toBe(armColors[0]);
    expect(armColor("teacher", armColors.length + 1)).toBe(armColors[1]);
    expect(armColor("student")).toBe(armColor("student"));
    expect(armColors).toContain(armColor("student"));
  });
});
