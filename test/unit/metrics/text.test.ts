import {describe, expect, test} from "vitest";
import {characterErrorRate, editDistance, wordErrorRate} from "../../../src/metrics/index.js";

describe("editDistance", () => {
  test('editDistance("kitten", "sitting") = 3 (k→s, e→i, +g)', () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
  test('editDistance("flaw", "lawn") = 2 (−f, +n)', () => {
    expect(editDistance("flaw", "lawn")).toBe(2);
  });
  test("editDistance against an empty sequence is the other length", () => {
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("", "")).toBe(0);
  });
  test("editDistance is symmetric and zero only for equal sequences", () => {
    for (const [a, b] of [
      ["intention", "execution"],
      ["abc", "acb"],
      ["aaaa", "aa"]
    ]) {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
      expect(editDistance(a, b)).toBeGreaterThan(0);
    }
    expect(editDistance("same", "same")).toBe(0);
  });
  test('editDistance("intention", "execution") = 5, the textbook value', () => {
    expect(editDistance("intention", "execution")).toBe(5);
  });
  test("editDistance counts code points: an astral emoji is one character", () => {
    expect(editDistance("😀a", "a")).toBe(1);
    expect(editDistance("😀", "😃")).toBe(1);
  });
  test("editDistance(tokens, tokens) compares array items", () => {
    expect(editDistance(["the", "cat", "sat"], ["the", "hat", "sat"])).toBe(1);
    expect(editDistance([1, 2, 3], [3, 2, 1])).toBe(2);
  });
  test("editDistance rejects what is neither a string nor an array", () => {
    expect(() => editDistance(5 as unknown as string, "a")).toThrow("editDistance: expected two strings or arrays");
  });
});

describe("characterErrorRate and wordErrorRate", () => {
  test("characterErrorRate pools edits over the corpus: (3 + 1) / (7 + 3) = 0.4", () => {
    // kitten→sitting 3 edits over 7 reference characters, abc→abd 1 over 3. The mean of per-line rates would be
    // (3/7 + 1/3)/2 ≈ 0.381, which is not what CER means.
    expect(characterErrorRate(["kitten", "abc"], ["sitting", "abd"])).toBeCloseTo(0.4, 15);
  });
  test("characterErrorRate of a single string pair, and of a perfect transcript", () => {
    expect(characterErrorRate("sitting", "sitting")).toBe(0);
    expect(characterErrorRate("", "abcd")).toBe(1);
    expect(characterErrorRate("abcdefgh", "ab")).toBe(3);
  });
  test("wordErrorRate: 'the cat sat' against 'the hat sat down' is 2/4", () => {
    expect(wordErrorRate("the cat sat", "the hat sat down")).toBe(0.5);
    expect(wordErrorRate(["  a  b ", "c"], ["a b", "c d"])).toBeCloseTo(1 / 4, 15);
  });
  test("no reference characters: NaN without edits, Infinity with", () => {
    expect(characterErrorRate([], [])).toBeNaN();
    expect(characterErrorRate("", "")).toBeNaN();
    expect(characterErrorRate("a", "")).toBe(Infinity);
  });
  test("mismatched corpora and non-strings throw, naming the argument", () => {
    expect(() => characterErrorRate(["a", "b"], ["a"])).toThrow(
      "characterErrorRate: hypotheses has 2 entries, expected 1 (one per reference)"
    );
    expect(() => wordErrorRate(["a"], [3 as unknown as string])).toThrow(
      "wordErrorRate: references[0] is number, expected a string"
    );
  });
});
