// @vitest-environment jsdom
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterEach, describe, expect, test, vi} from "vitest";
import {assertSnapshot, roundNumbers, serialize} from "../util/snapshot.js";

function svg(markup: string): Element {
  const host = document.createElement("div");
  host.innerHTML = markup;
  return host.firstElementChild!;
}

describe("roundNumbers", () => {
  test("roundNumbers rounds decimals to 3 places and leaves integers, names and colours alone", () => {
    expect(roundNumbers("M1.23456,-7.8999L10,2.0001")).toBe("M1.235,-7.9L10,2");
    expect(roundNumbers("translate(0.0004,12)")).toBe("translate(0,12)");
    expect(roundNumbers("1.5-0.0001")).toBe("1.5-0");
    expect(roundNumbers("#1E5E5E losslab-clip-12 x1 1e-7 2.5e3")).toBe("#1E5E5E losslab-clip-12 x1 0 2500");
  });
});

describe("serialize", () => {
  test("serialize prints one element per line and renumbers ids with their references", () => {
    const element = svg(
      '<svg aria-labelledby="t-9 d-4"><title id="t-9">A  b</title><desc id="d-4">0.12345</desc>' +
        '<clipPath id="c-7"><rect width="1.00001"></rect></clipPath><g clip-path="url(#c-7)"></g></svg>'
    );
    expect(serialize(element)).toBe(
      [
        '<svg aria-labelledby="id-1 id-2">',
        '  <title id="id-1">A  b</title>',
        '  <desc id="id-2">0.123</desc>',
        '  <clipPath id="id-3">',
        '    <rect width="1"/>',
        "  </clipPath>",
        '  <g clip-path="url(#id-3)"/>',
        "</svg>",
        ""
      ].join("\n")
    );
  });
});

describe("assertSnapshot", () => {
  let directory: string | undefined;
  afterEach(() => {
    vi.unstubAllEnvs();
    if (directory) rmSync(directory, {recursive: true, force: true});
  });

  test("assertSnapshot writes a missing golden file outside CI and fails in CI", () => {
    directory = mkdtempSync(join(tmpdir(), "snapshot-"));
    const element = svg('<svg><circle r="1"></circle></svg>');
    vi.stubEnv("CI", "true");
    expect(() => assertSnapshot("circle", element, directory)).toThrow(/missing snapshot/);
    vi.stubEnv("CI", "");
    assertSnapshot("circle", element, directory);
    expect(readFileSync(join(directory, "circle.svg"), "utf8")).toBe(serialize(element));
  });

  test("assertSnapshot writes <name>-changed beside a golden file that differs and fails", () => {
    directory = mkdtempSync(join(tmpdir(), "snapshot-"));
    writeFileSync(join(directory, "box.html"), "<div></div>\n");
    const element = document.createElement("div");
    element.setAttribute("class", "x");
    expect(() => assertSnapshot("box", element, directory)).toThrow(/changed at line 1/);
    expect(readFileSync(join(directory, "box-changed.html"), "utf8")).toBe('<div class="x"></div>\n');
    expect(existsSync(join(directory, "box.html"))).toBe(true);
  });
});
