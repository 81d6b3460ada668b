// The layer rules of STYLE §5, checked over the source: src/ is DOM-free and knows nothing of the
// components; components/ never touch TF.js and take from src/ only parameters and types; pages use
// no implicit Framework globals or npm: imports (those are downloaded from a CDN at build time).
import {readdirSync, readFileSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {describe, expect, test} from "vitest";

const root = new URL("../../", import.meta.url).pathname;
function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (name === "_lib" || name.startsWith(".")) continue;
    if (statSync(join(root, path)).isDirectory()) out.push(...files(path, ext));
    else if (ext.test(name)) out.push(path);
  }
  return out;
}
const imports = (file: string) =>
  [...readFileSync(join(root, file), "utf8").matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gms)].map(
    (m) => ({
      typeOnly: Boolean(m[2]),
      source: m[3]
    })
  );

describe("layer boundaries", () => {
  test("src/ imports no DOM package and nothing from components/", () => {
    for (const file of files("src", /\.ts$/)) {
      for (const {source} of imports(file)) {
        expect(source, file).not.toMatch(/components\/|^d3|^katex|^jsdom|^playwright/);
      }
      expect(readFileSync(join(root, file), "utf8"), file).not.toMatch(/\bdocument\.|\bwindow\.|requestAnimationFrame/);
    }
  });
  test("components/ never import TF.js, and from src/ only params/, constants and types", () => {
    for (const file of files("components", /\.ts$/)) {
      for (const {source, typeOnly} of imports(file)) {
        expect(source, file).not.toMatch(/@tensorflow|\/tf\.js$/);
        if (source.includes("/src/") && !typeOnly) {
          expect(source, `${file} imports ${source}`).toMatch(
            /\/src\/(params\/|backend\/order\.js|train\/control\.js)/
          );
        }
      }
    }
  });
  test("library code draws randomness only from the seeded generator", () => {
    for (const file of files("src", /\.ts$/)) {
      expect(readFileSync(join(root, file), "utf8"), file).not.toMatch(
        /Math\.random|Date\.now|tf\.random|randomNormal|randomUniform/
      );
    }
  });
  test("pages import by bare name or from /_lib, never npm: or ../src, and use no implicit CDN globals", () => {
    for (const file of files("notebooks", /\.md$/)) {
      const text = readFileSync(join(root, file), "utf8");
      const name = relative(root, join(root, file));
      expect(text, name).not.toMatch(/npm:/);
      expect(text, name).not.toMatch(/from\s+"(\.\.\/)+src\//);
      const code = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).join("\n") + text;
      for (const global of ["d3", "Plot", "Inputs", "htl", "Arrow", "aq", "duckdb", "vl", "L", "topojson"]) {
        const used = new RegExp(`(^|[^\\w.])${global}\\.`).test(code);
        const imported = new RegExp(`import[^;]*\\b${global}\\b[^;]*from`).test(code);
        expect(used && !imported, `${name} uses the implicit global ${global}`).toBe(false);
      }
      expect(/(^|[^\w.])(html|svg|tex|md)`/.test(code), `${name} uses an implicit template literal`).toBe(false);
    }
  });
});
