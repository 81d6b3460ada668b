import {fileURLToPath} from "node:url";
import {defineConfig} from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [
      // One tfjs-core: its package "main" is a CommonJS bundle, while the gradient registrations are ESM
      // files under dist/. Resolving the bare name to the ESM entry too keeps a single module graph
      // (a second copy never sets its op handler, so tensor.clone() inside gradients fails).
      {
        find: /^@tensorflow\/tfjs-core$/,
        replacement: fileURLToPath(new URL("node_modules/@tensorflow/tfjs-core/dist/index.js", import.meta.url))
      }
    ]
  },
  test: {
    server: {
      deps: {
        // tfjs-core registers gradients only through an ESM file in a CommonJS package; let Vite
        // transform TF.js so that the deep import and the main entry are one module graph.
        inline: [/@tensorflow\//]
      }
    },
    include: [
      "test/unit/**/*.test.ts",
      "test/claims/**/*.test.ts",
      "test/snapshot/**/*.test.ts",
      "test/node/**/*.test.ts"
    ],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: {TZ: "UTC"}
  }
});
