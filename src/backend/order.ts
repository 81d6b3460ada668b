/** Backends in order of preference; the one place this order is written. */
export const backendOrder = ["webgpu", "webgl", "wasm", "cpu"] as const;
export type BackendName = (typeof backendOrder)[number];
