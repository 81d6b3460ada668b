// npm run dev: rebuilds the library into notebooks/_lib/ on every change and serves the notebooks
// with Observable Framework's live preview (which reloads pages when _lib/ changes).
import {spawn} from "node:child_process";
import * as esbuild from "esbuild";
import {nodeOptions, webOptions} from "../lib.config.mjs";

// Data loaders import the Node build ("losslab"), so build it once first.
await esbuild.build(nodeOptions);
const ctx = await esbuild.context({...webOptions, logLevel: "info"});
await ctx.rebuild();
await ctx.watch();
const preview = spawn("npx", ["observable", "preview", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: {...process.env, OBSERVABLE_TELEMETRY_DISABLE: "true"}
});
const stop = async () => {
  preview.kill();
  await ctx.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
preview.on("exit", (code) => process.exit(code ?? 0));
