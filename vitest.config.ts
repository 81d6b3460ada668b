import {defineConfig} from "vitest/config";

export default defineConfig({
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
