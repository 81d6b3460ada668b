// Hand-written page setup, shared by every notebook: where the WASM binaries live and how a page
// picks its TF.js backend. Framework self-hosts the files named by these string-literal
// import.meta.resolve calls, so the built site fetches nothing from other hosts.
import {selectBackend} from "/_lib/losslab.js";

export const wasmPaths = {
  "tfjs-backend-wasm.wasm": import.meta.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"),
  "tfjs-backend-wasm-simd.wasm": import.meta.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"),
  "tfjs-backend-wasm-threaded-simd.wasm": import.meta
    .resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm")
};

/** The backend asked for in the URL (?backend=wasm), or null for the best available. */
export function requestedBackend() {
  return new URLSearchParams(location.search).get("backend");
}

/**
 * Activates a backend (falling back along webgpu → webgl → wasm → cpu) and returns what is active.
 * The backend picker keeps ?backend= in sync, so the URL is the source of truth: an unknown value
 * there reaches selectBackend, which explains it in a notice.
 */
export function useBackend(choice) {
  return selectBackend({override: choice === "auto" ? requestedBackend() : choice, wasmPaths});
}
