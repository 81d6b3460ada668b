import * as tf from "../tf.js";

import {backendOrder} from "./order.js";
import type {BackendName} from "./order.js";

export {backendOrder};
export type {BackendName};

/** What a page or a test needs to know about the backend it runs on. */
export interface BackendInfo {
  /** The active TF.js backend. */
  name: BackendName;
  /** What was asked for ("auto" when nothing was). */
  requested: BackendName | "auto";
  /** Adapter or engine description, e.g. "google swiftshader" or "wasm simd". */
  adapter: string;
  /** Whether the backend computes in float32 (WebGL on some mobile GPUs falls back to float16). */
  float32: boolean;
  /** Set when the requested backend could not be used and another was chosen instead. */
  notice?: string;
}

export interface SelectOptions {
  /** A backend name (e.g. from ?backend=wasm); falls back along the order with a notice if unusable. */
  override?: string | null;
  /** URLs of the WASM binaries, by file name or as a directory prefix; omit in Node. */
  wasmPaths?: string | Record<string, string>;
  /** Backends to skip (e.g. one whose device was lost). */
  exclude?: readonly BackendName[];
}

export function isBackendName(name: unknown): name is BackendName {
  return typeof name === "string" && (backendOrder as readonly string[]).includes(name);
}

// Loads a backend's code on demand so that a page pays only for the backend it uses.
async function register(name: BackendName, o: SelectOptions): Promise<boolean> {
  const g = globalThis as {navigator?: {gpu?: unknown}; document?: unknown; OffscreenCanvas?: unknown};
  switch (name) {
    case "webgpu":
      if (!g.navigator?.gpu) return false;
      await import("@tensorflow/tfjs-backend-webgpu");
      // The fused training kernels (src/fast/) as WebGPU programs.
      await import("../fast/webgpu.js");
      return tf.findBackendFactory("webgpu") != null;
    case "webgl":
      if (g.document === undefined && g.OffscreenCanvas === undefined) return false;
      await import("@tensorflow/tfjs-backend-webgl");
      return tf.findBackendFactory("webgl") != null;
    case "wasm": {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      if (o.wasmPaths && !wasmPathsSet) {
        // The binary URLs can be set once, before the backend first initialises.
        wasm.setWasmPaths(o.wasmPaths as never);
        wasmPathsSet = true;
      }
      return true;
    }
    case "cpu":
      return true;
  }
}
let wasmPathsSet = false;

async function activate(name: BackendName, o: SelectOptions): Promise<boolean> {
  try {
    if (!(await register(name, o))) return false;
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    // A backend can initialise and still fail on first use (a blocked GPU, a missing binary).
    const probe = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])));
    const [value] = await probe.data();
    probe.dispose();
    return value === 6;
  } catch {
    return false;
  }
}

async function describe(name: BackendName): Promise<{adapter: string; float32: boolean}> {
  const backend = tf.backend() as unknown as {adapterInfo?: {vendor?: string; architecture?: string}};
  switch (name) {
    case "webgpu": {
      const info = backend.adapterInfo ?? {};
      const text = [info.vendor, info.architecture].filter(Boolean).join(" ");
      return {adapter: text || "WebGPU adapter", float32: true};
    }
    case "webgl":
      return {
        adapter: `WebGL ${tf.env().getNumber("WEBGL_VERSION")}`,
        float32: tf.env().getBool("WEBGL_RENDER_FLOAT32_CAPABLE")
      };
    case "wasm":
      return {adapter: "WebAssembly", float32: true};
    case "cpu":
      return {adapter: "JavaScript", float32: true};
  }
}

/**
 * Activates the best usable backend: the override if it works, else the first that works in
 * `backendOrder` (webgpu → webgl → wasm → cpu), skipping excluded ones. Never throws: cpu always works.
 */
export async function selectBackend(o: SelectOptions = {}): Promise<BackendInfo> {
  lastOptions = o;
  const exclude = new Set([...(o.exclude ?? []), ...retired]);
  const requested = isBackendName(o.override) ? o.override : "auto";
  const problems: string[] = [];
  if (o.override != null && o.override !== "" && o.override !== "auto" && !isBackendName(o.override)) {
    problems.push(`unknown backend "${o.override}" (expected one of ${backendOrder.join(", ")})`);
  }
  const candidates: BackendName[] = [];
  if (requested !== "auto" && !exclude.has(requested)) candidates.push(requested);
  for (const name of backendOrder) if (!candidates.includes(name) && !exclude.has(name)) candidates.push(name);
  if (!candidates.includes("cpu")) candidates.push("cpu");
  for (const name of candidates) {
    if (await activate(name, o)) {
      if (requested !== "auto" && name !== requested) {
        problems.push(
          retired.has(requested)
            ? `the ${requested} device was lost earlier on this page (reload to try it again)`
            : `${requested} is not available here`
        );
      }
      watchDevice(name);
      const {adapter, float32} = await describe(name);
      const notice = problems.length ? `${problems.join("; ")}: using ${name}.` : undefined;
      return {name, requested, adapter, float32, notice};
    }
  }
  throw new Error("no TF.js backend could be initialised");
}

/** A GPU device that was lost while the page ran: which backend, and what the browser said. */
export interface LostDevice {
  backend: BackendName;
  reason: string;
}
let lost: LostDevice | null = null;
let lostSignal: Promise<LostDevice> | null = null;
const watched = new WeakSet<object>();

// WebGPU reports a lost device (driver reset, GPU process crash, device.destroy()) through a promise;
// TF.js ignores it, so we record it for the trainer, which then moves the run to another backend.
function watchDevice(name: BackendName): void {
  if (name !== "webgpu") return;
  const device = (tf.backend() as unknown as {device?: {lost?: Promise<{message?: string; reason?: string}>}}).device;
  if (!device?.lost || watched.has(device)) return;
  watched.add(device);
  lostSignal = device.lost.then((info) => {
    lost = {backend: "webgpu", reason: info?.message || info?.reason || "device lost"};
    return lost;
  });
}

/** The lost device, if the active backend's device was lost; the trainer checks this before each step. */
export function lostDevice(): LostDevice | null {
  return lost && tf.getBackend() === lost.backend ? lost : null;
}

/**
 * After a GPU operation failed: waits up to `ms` for the device to report itself lost (the failed
 * readback usually arrives before the lost promise settles). Null if the device is still alive.
 */
export async function confirmLost(ms = 2000): Promise<LostDevice | null> {
  if (lostDevice()) return lostDevice();
  if (!lostSignal || tf.getBackend() !== "webgpu") return null;
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), ms));
  await Promise.race([lostSignal, timeout]);
  return lostDevice();
}

let lastOptions: SelectOptions = {};
const retired = new Set<BackendName>();

/**
 * Moves off a backend whose device was lost: forgets its engine state and selects the next usable one
 * with the options of the last selection (WASM paths included). The retired backend stays excluded for
 * the rest of the page's life; a reload tries it again.
 */
export async function fallbackFrom(name: BackendName): Promise<BackendInfo> {
  retired.add(name);
  try {
    tf.removeBackend(name);
  } catch {
    // A lost device can throw while its buffers are released; the engine entry is gone either way.
  }
  const info = await selectBackend({
    ...lastOptions,
    override: null,
    exclude: [...(lastOptions.exclude ?? []), ...retired]
  });
  return {...info, notice: undefined};
}

/** Backends retired after a lost device (a later selection skips them). */
export function retiredBackends(): BackendName[] {
  return [...retired];
}
