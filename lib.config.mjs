// Bundles the TypeScript library (src/, components/) for its two hosts.
//   node lib.config.mjs            → notebooks/_lib/ (browser ESM for the Framework pages)
//   node lib.config.mjs --watch    → the same, rebuilt on every change (npm run dev)
//   node lib.config.mjs --node     → lib/ (Node ESM behind package.json "exports"; tsc adds the .d.ts)
//   node lib.config.mjs --widgets  → dist/widgets/ (reserved for the widget bundle)
import * as esbuild from "esbuild";
import {copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";

const args = new Set(process.argv.slice(2));

// TF.js is bundled into _lib; every other package stays external and Framework resolves it from
// node_modules. Framework bundles each import path on its own, so the library's deep tfjs-core imports
// (register_all_gradients, register_all_chained_ops) each carried their own copy of tfjs-core: three
// copies on a training page. Bundled here, tfjs-core is one shared chunk, and the backends (webgpu, webgl,
// wasm) become lazy chunks that use it. The WASM backend's browser build also needs esbuild: its
// Emscripten glue has Node-only `require("fs")` calls that esbuild drops through the package's "browser"
// field. Pages must therefore reach TF.js only through /_lib/losslab.js (`tf`), never by importing a
// @tensorflow package themselves, or they would get a second engine.
const isTfjs = (path) => path.startsWith("@tensorflow/");
const externalPackages = {
  name: "external-packages",
  setup(build) {
    build.onResolve({filter: /^[^./]/}, (args) => {
      // TF.js and what TF.js itself imports (long, seedrandom) are bundled.
      if (isTfjs(args.path) || /\/node_modules\/@tensorflow\//.test(args.importer)) return undefined;
      return {path: args.path, external: true};
    });
  }
};

// Every module that components/index.ts exports values from is also an entry of its own, at the
// same path under _lib/components/ (e.g. /_lib/components/lossCurve.js). A page imports only the
// figures it shows, so it loads only their code and packages: KaTeX only where a page calls tex(),
// d3-contour only where it draws contours. components.js stays the whole surface, for anyone who
// wants everything in one import. (Read as text: this script runs before any TypeScript is compiled.)
export function componentEntries(index = readFileSync("components/index.ts", "utf8")) {
  const modules = [...index.matchAll(/^export\s+\{[^}]*\}\s+from\s+"\.\/([^"]+)\.js"/gm)].map((m) => m[1]);
  if (modules.length === 0) throw new Error("lib.config.mjs: no value exports found in components/index.ts");
  return Object.fromEntries(modules.map((m) => [`components/${m}`, `components/${m}.ts`]));
}

// The notebooks' own modules (src/experiments/<name>.ts but the shared experiment.ts, src/methods/<name>.ts) are
// entries of their own too, at /_lib/experiments/<name>.js and /_lib/methods/<name>.js, and the browser's
// /_lib/losslab.js is src/index.ts without them: a page loads the shared library and its own notebook's code, not
// every notebook's (eleven notebooks added about 45 kB gzip to every page). The Node build (lib/) keeps them all.
const notebookModule = /^export\s+\*\s+from\s+"\.\/((?:experiments|methods)\/(?!experiment\.js)[^"]+)\.js";\s*$/;
export function notebookEntries(index = readFileSync("src/index.ts", "utf8")) {
  const modules = index
    .split("\n")
    .map((line) => line.match(notebookModule)?.[1])
    .filter(Boolean);
  return Object.fromEntries(modules.map((m) => [m, `src/${m}.ts`]));
}
const webLibrary = {
  name: "web-library",
  setup(build) {
    build.onResolve({filter: /^losslab-web-entry$/}, () => ({path: "losslab-web-entry", namespace: "losslab-web"}));
    build.onLoad({filter: /.*/, namespace: "losslab-web"}, () => ({
      contents: readFileSync("src/index.ts", "utf8")
        .split("\n")
        .filter((line) => !notebookModule.test(line))
        .join("\n"),
      resolveDir: "src",
      loader: "ts"
    }));
  }
};

export const webOptions = {
  entryPoints: {
    losslab: "losslab-web-entry",
    components: "components/index.ts",
    ...componentEntries(),
    ...notebookEntries()
  },
  outdir: "notebooks/_lib",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  // Framework serves _lib/ as written (it minifies only what it bundles from node_modules).
  minify: true,
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
  plugins: [webLibrary, externalPackages]
};

// In Node, tfjs-core's main entry is a CommonJS bundle without gradients, and the file that registers
// them (dist/register_all_gradients.js) is ESM inside a CommonJS package, which Node cannot load. So
// the Node build bundles that one deep import (a second copy of the ops it uses; TF.js keeps its
// engine and registries global and checks tensors structurally, so both copies cooperate).
const nodeExternals = {
  name: "node-externals",
  setup(build) {
    build.onResolve({filter: /^[^./]/}, (args) => {
      if (args.path.startsWith("@tensorflow/tfjs-core/dist/")) return undefined;
      if (args.importer.includes("/node_modules/@tensorflow/tfjs-core/dist/")) {
        return args.path === "@tensorflow/tfjs-core" ? {path: args.path, external: true} : undefined;
      }
      return {path: args.path, external: true};
    });
  }
};

export const nodeOptions = {
  entryPoints: {index: "src/index.ts", node: "src/node.ts"},
  outdir: "lib",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  plugins: [nodeExternals]
};

// The standalone widgets (dist/widgets/, after the site build): one self-contained ESM bundle that
// defines every custom element (its dependencies inside; plotly.js in a chunk loaded only by 3-D
// views), one self-contained anywidget module per widget for Jupyter and marimo, and a plain HTML
// example page that uses two elements (the browser tests load it).
export const widgetOptions = {
  entryPoints: {"losslab-widgets": "components/widgets/standalone.ts"},
  outdir: "dist/widgets",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
  metafile: true
};

async function buildWidgets() {
  const result = await esbuild.build(widgetOptions);
  // The tags are the keys of `widgets` in components/widgets/index.ts (read as text: this script runs
  // before any TypeScript is compiled).
  const source = readFileSync("components/widgets/index.ts", "utf8");
  const tags = [...source.matchAll(/^\s*"(losslab-[a-z0-9-]+)":/gm)].map((m) => m[1]);
  if (tags.length === 0) throw new Error("lib.config.mjs: no widget tags found in components/widgets/index.ts");
  for (const tag of tags) {
    const name = tag.replace(/^losslab-/, "");
    await esbuild.build({
      stdin: {
        contents: `import {widgets, toAnywidget} from "./components/widgets/index.ts";\nexport default toAnywidget(widgets[${JSON.stringify(tag)}]);\n`,
        resolveDir: process.cwd(),
        loader: "ts",
        sourcefile: `anywidget-${name}.ts`
      },
      outfile: `dist/widgets/anywidget/${name}.js`,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      legalComments: "none",
      logLevel: "warning"
    });
  }
  copyFileSync("components/widgets/example.html", "dist/widgets/example.html");
  writeFileSync("dist/widgets/meta.json", JSON.stringify(result.metafile));
}

async function main() {
  if (args.has("--widgets")) {
    await buildWidgets();
    return;
  }
  if (args.has("--node")) {
    await esbuild.build(nodeOptions);
    return;
  }
  if (args.has("--watch")) {
    const ctx = await esbuild.context({...webOptions, logLevel: "info"});
    await ctx.watch();
    return;
  }
  // Start from an empty folder: chunk names are content hashes, so old ones would pile up.
  rmSync("notebooks/_lib", {recursive: true, force: true});
  const result = await esbuild.build(webOptions);
  mkdirSync("notebooks/_lib", {recursive: true});
  writeFileSync("notebooks/_lib/meta.json", JSON.stringify(result.metafile));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
