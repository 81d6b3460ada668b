// Page weight (issue 6): the JavaScript each built page loads at start, raw and gzip-compressed.
// A page's start-up JavaScript is every <script type="module" src>, every <link rel="modulepreload">,
// the static imports of its inline module scripts and, transitively, the static `import … from` /
// `import "…"` / `export … from` of those files inside dist/. Dynamic import() is not followed: that
// is how plotly.js and the optional TF.js backends load, on demand. Sizes are per file, gzip level 9.
// Needs the built site (`npm run build`). Writes bench/page-weight.json and prints a Markdown table.
//   node bench/pageWeight.mjs [distDir]
import {existsSync, readFileSync, readdirSync, statSync, writeFileSync} from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {gzipSync} from "node:zlib";

// acorn (Framework's own parser, installed with it) reads the module syntax exactly; without it, a
// pattern that is good enough for bundler output.
const acorn = await import("acorn").catch(() => null);

/** Built pages: dist/**\/*.html, leaving out 404.html and folders whose name starts with "_". */
function htmlPages(distDir) {
  const pages = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        if (!name.startsWith("_")) walk(full);
      } else if (name.endsWith(".html") && name !== "404.html") {
        pages.push(full);
      }
    }
  };
  walk(distDir);
  return pages;
}

const attribute = (tag, name) =>
  tag
    .match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i"))
    ?.slice(1)
    .find((v) => v !== undefined);

/** Specifiers of a module's static imports and re-exports (never dynamic import()). */
export function staticImports(source) {
  let ast;
  try {
    ast = acorn?.parse(source, {ecmaVersion: "latest", sourceType: "module", allowHashBang: true});
  } catch {
    ast = undefined;
  }
  if (!ast) {
    const re = /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{},\s]*?\s*from\s*)?["']([^"']+)["']/g;
    return [...source.matchAll(re)].map((m) => m[1]);
  }
  const specifiers = [];
  for (const node of ast.body) {
    if (node.type === "ImportDeclaration" || node.type === "ExportAllDeclaration") specifiers.push(node.source.value);
    else if (node.type === "ExportNamedDeclaration" && node.source) specifiers.push(node.source.value);
  }
  return specifiers;
}

/** The file a URL in `fromFile` points at, or null when it is outside dist/ or not a relative/absolute path. */
function resolveLocal(distDir, fromFile, url) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//")) return null; // other scheme or host
  const clean = url.split(/[?#]/)[0];
  const file = clean.startsWith("/") ? path.join(distDir, clean) : path.resolve(path.dirname(fromFile), clean);
  if (!file.startsWith(path.resolve(distDir) + path.sep) || !existsSync(file)) return null;
  return file;
}

const sizes = new Map();
function sizeOf(file) {
  let s = sizes.get(file);
  if (!s) {
    const content = readFileSync(file);
    s = {bytes: content.length, gzip: gzipSync(content, {level: 9}).length};
    sizes.set(file, s);
  }
  return s;
}

const importCache = new Map();
function importsOf(file) {
  let list = importCache.get(file);
  if (!list) importCache.set(file, (list = staticImports(readFileSync(file, "utf8"))));
  return list;
}

/** CSS a page links, with its @imports, and the fonts those style sheets name in url(). */
function styleFiles(distDir, htmlFile, html) {
  const css = new Set();
  const fonts = new Set();
  const visit = (file) => {
    if (css.has(file)) return;
    css.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/@import\s+(?:url\()?\s*["']?([^"')\s;]+)["']?\s*\)?/g)) {
      const target = resolveLocal(distDir, file, m[1]);
      if (target) visit(target);
    }
    for (const m of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
      if (!/\.(woff2?|ttf|otf|eot)([?#]|$)/i.test(m[1])) continue;
      const target = resolveLocal(distDir, file, m[1]);
      if (target) fonts.add(target);
    }
  };
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    if (!/^stylesheet$/i.test(attribute(m[0], "rel") ?? "")) continue;
    const target = resolveLocal(distDir, htmlFile, attribute(m[0], "href") ?? "");
    if (target) visit(target);
  }
  return {css: [...css], fonts: [...fonts]};
}

const sum = (files, key) => files.reduce((total, f) => total + sizeOf(f)[key], 0);

/** Per built page: the JavaScript it loads at start (files, raw bytes, gzip bytes, five largest by gzip). */
export async function pageWeights(distDir) {
  distDir = path.resolve(distDir);
  const results = [];
  for (const htmlFile of htmlPages(distDir)) {
    const html = readFileSync(htmlFile, "utf8");
    const roots = [];
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      const tag = `<script${m[1]}>`;
      if (!/^module$/i.test(attribute(tag, "type") ?? "")) continue;
      const src = attribute(tag, "src");
      if (src) roots.push(resolveLocal(distDir, htmlFile, src));
      else for (const spec of staticImports(m[2])) roots.push(resolveLocal(distDir, htmlFile, spec));
    }
    for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
      if (!/^modulepreload$/i.test(attribute(m[0], "rel") ?? "")) continue;
      roots.push(resolveLocal(distDir, htmlFile, attribute(m[0], "href") ?? ""));
    }
    const files = new Set();
    const queue = roots.filter(Boolean);
    while (queue.length) {
      const file = queue.pop();
      if (files.has(file)) continue;
      files.add(file);
      for (const spec of importsOf(file)) {
        const target = resolveLocal(distDir, file, spec);
        if (target && !files.has(target)) queue.push(target);
      }
    }
    const list = [...files];
    const rel = (f) => path.relative(distDir, f);
    const {css, fonts} = styleFiles(distDir, htmlFile, html);
    results.push({
      page: rel(htmlFile),
      files: list.length,
      bytes: sum(list, "bytes"),
      gzip: sum(list, "gzip"),
      top: list
        .map((f) => ({file: rel(f), gzip: sizeOf(f).gzip}))
        .sort((a, b) => b.gzip - a.gzip)
        .slice(0, 5),
      css: {files: css.length, bytes: sum(css, "bytes"), gzip: sum(css, "gzip")},
      fonts: {files: fonts.length, bytes: sum(fonts, "bytes")}
    });
  }
  return results;
}

const kB = (n) => (n / 1000).toFixed(1);

/** The results as a Markdown table. */
export function markdown(results) {
  const short = (file) => file.replace(/^_node\//, "").replace(/\.[0-9a-f]{8}\.js$/, ".js");
  const lines = [
    "| page | files | kB raw | kB gzip | largest three (kB gzip) | CSS kB gzip | fonts kB |",
    "|---|---:|---:|---:|---|---:|---:|"
  ];
  for (const r of results) {
    const top = r.top
      .slice(0, 3)
      .map((t) => `${short(t.file)} ${kB(t.gzip)}`)
      .join(", ");
    lines.push(
      `| ${r.page} | ${r.files} | ${kB(r.bytes)} | ${kB(r.gzip)} | ${top} | ${kB(r.css.gzip)} | ${kB(r.fonts.bytes)} |`
    );
  }
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const distDir = process.argv[2] ?? fileURLToPath(new URL("../dist/", import.meta.url));
  if (!existsSync(distDir)) throw new Error(`${distDir} does not exist: run npm run build first`);
  const results = await pageWeights(distDir);
  console.log(markdown(results));
  writeFileSync(new URL("./page-weight.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
}
