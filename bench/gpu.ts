// Real-GPU benchmark (issue 6): TF.js's webgpu backend in Node through Dawn, the WebGPU implementation Chrome uses.
// Bundle and run it with ../shared/gpu/pack.sh (see its README):
//   ../shared/gpu/pack.sh bench/gpu.ts --main-fields=module,main      then, on the GPU machine, the command it prints
// (--main-fields: bundle TF.js's ES modules, one copy of tfjs-core; through package "main", esbuild drops
// src/tf.ts's `import "@tensorflow/tfjs-backend-cpu"`, which that package marks free of side effects).
// Measures, in one run: the stock minimize loop against train({fast: false}) and train({fast: "auto"}) for both
// workloads of bench/train.mjs (steps/s, kernels per step), and the 41 × 41 loss-landscape grid batched against
// per point (as bench/landscape.mjs). One line per figure. Every measurement is time-boxed, and measurements that
// would start after `budget` seconds are skipped, so the whole run stays under four minutes however slow a path is.
// Without a WebGPU adapter (no GPU, or lavapipe) it runs the same on cpu and says so, to check the script.
//   node bench.mjs [seconds per timed phase, default 10]
import type {BenchResult} from "./train.mjs";

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
// Train measurements start only before `budget` seconds; the landscape boxes end by about budget + 50.
const budget = 170;
const seconds = Number(process.argv[2] ?? 6);

// The shim must define navigator.gpu before the TF.js webgpu backend is first evaluated (selectBackend imports it).
// @ts-ignore: a plain ES module without type declarations, outside this project
const {gpu} = await import("../../shared/gpu/dawn-shim.mjs");
const lib = await import("../src/index.ts");
const {benchTrain, workloads} = await import("./train.mjs");

const adapter = await gpu.requestAdapter();
const wanted = adapter ? "webgpu" : "cpu";
if (!adapter) console.log("NOTE no WebGPU adapter (requestAdapter() returned null): measuring on cpu instead");
const info = await lib.selectBackend({override: wanted});
console.log(
  `backend ${info.name} (${info.adapter})${info.notice ? `: ${info.notice}` : ""}; TF.js ${lib.tf.version_core}`
);

const line = (r: BenchResult) =>
  `train ${r.workload} ${r.path}${r.took !== r.path ? ` (took ${r.took}${r.note ? `, ${r.note}` : ""})` : ""}: ` +
  `${r.stepsPerSecond.toFixed(1)} steps/s (${r.timedSteps} steps in ${r.timedSeconds.toFixed(1)} s, chunk ${r.chunk}), ` +
  `${r.kernelsPerStep.toFixed(1)} kernels/step, ` +
  `${r.programsPerStep === undefined ? "–" : r.programsPerStep.toFixed(1)} GPU programs/step, ` +
  `${r.readsPerStep.toFixed(2)} reads/step, tensor drift ${r.tensorDrift}, loss ${r.loss.toFixed(4)}`;

const results: BenchResult[] = [];
for (const workload of Object.keys(workloads)) {
  for (const path of ["stock", "autodiff", "fast"]) {
    if (elapsed() > budget) {
      console.log(`train ${workload} ${path}: skipped (time budget of ${budget} s spent)`);
      continue;
    }
    try {
      const [r] = await benchTrain(lib, {workloads: [workload], paths: [path], seconds, warmupSeconds: 3});
      results.push(r);
      console.log(line(r));
    } catch (error) {
      console.log(`train ${workload} ${path}: failed: ${(error as Error).message}`);
    }
  }
}
for (const workload of Object.keys(workloads)) {
  const stock = results.find((r) => r.workload === workload && r.path === "stock");
  for (const r of results.filter((r) => r.workload === workload && r.path !== "stock")) {
    if (stock)
      console.log(`ratio ${workload} ${r.path} ÷ stock: ${(r.stepsPerSecond / stock.stepsPerSecond).toFixed(2)}×`);
  }
}

// Numerics on this GPU: the fused path against the autodiff path on the same device, 100 steps of the reference MLP
// with momentum (dynamics that do not amplify rounding; see test/browser/fused.test.mjs), largest relative difference
// over the losses and the final weights.
if (elapsed() < budget) {
  try {
    const data = lib.toy2d({shape: "spirals", n: 512, classes: 3, seed: 1});
    const runs: {loss: number[]; weights: Float32Array[]; path: string}[] = [];
    for (const fast of [false, "auto"] as const) {
      const last = await lib.runToEnd(
        lib.train({
          data,
          model: {hidden: [64, 64]},
          arms: [{id: "ce", label: "CE", loss: lib.losses["cross-entropy"]}],
          optimizer: {type: "momentum", lr: 0.05},
          batchSize: 256,
          seed: 5,
          steps: 100,
          stepsPerYield: 25,
          evalEvery: 100,
          view: {probe: 64, weights: true},
          fast
        })
      );
      runs.push({loss: last.history.loss[0], weights: last.arms[0].view.weights!, path: last.arms[0].path});
    }
    let worst = 0;
    const compare = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
    };
    compare(runs[1].loss, runs[0].loss);
    runs[1].weights.forEach((w, i) => compare(w, runs[0].weights[i]));
    console.log(
      `numerics ${runs[1].path} vs ${runs[0].path}, 100 steps (momentum): largest relative difference ${worst.toExponential(2)}` +
        `, final loss ${runs[1].loss[99].toFixed(6)} vs ${runs[0].loss[99].toFixed(6)}`
    );
  } catch (error) {
    console.log(`numerics: failed: ${(error as Error).message}`);
  }
}

// The loss landscape of the reference MLP: a 41 × 41 grid on a 512-sample probe batch. Both paths are time-boxed
// (rows counted as they arrive, the grid aborted at the box and the time scaled to 41 rows).
async function timedGrid(base: Parameters<typeof lib.planeGrid>[0], boxMs: number) {
  const controller = new AbortController();
  let rows = 0;
  const t = performance.now();
  let path = base.path ?? "auto";
  try {
    path = (
      await lib.planeGrid({
        ...base,
        signal: controller.signal,
        onRow: () => {
          rows++;
          if (performance.now() - t > boxMs) controller.abort();
        }
      })
    ).path;
  } catch (error) {
    if ((error as Error).name !== "AbortError") throw error;
  }
  const ms = rows ? ((performance.now() - t) * 41) / rows : NaN;
  return {ms, rows, path, scaled: rows < 41 ? ` (${rows} of 41 rows timed, scaled)` : ""};
}
const deadline = budget + 50;
if (elapsed() > budget + 10) console.log(`landscape: skipped (time budget of ${budget} s spent)`);
else {
  const data = lib.toy2d({shape: "spirals", n: 800, classes: 3, seed: 1});
  const model = lib.mlp({inputs: 2, hidden: [64, 64], classes: 3, seed: 1});
  const layout = lib.layoutOf(model);
  const plane = lib.randomPlane(lib.flattenWeights(await model.read()), layout, {seed: 1});
  const probe = lib.landscapeProbe(data, 512);
  const base = {model, probe, loss: lib.losses["cross-entropy"], plane, steps: 41, range: 1};
  try {
    const t = performance.now();
    await lib.planeGrid({...base, steps: 5, path: "batched"}); // warm-up: shader compilation
    console.log(`landscape warm-up (5 × 5, batched): ${((performance.now() - t) / 1000).toFixed(2)} s`);
    const box = () => Math.max(5, Math.min(45, (deadline - elapsed()) / 2)) * 1000;
    // Points per batched block: one row (the default), several rows, the whole grid. Each block is one forward
    // pass of G models and one readback.
    let best = Infinity;
    for (const blockSize of [41, 205, 451, 1681]) {
      if (elapsed() > deadline - 15) break;
      const batched = await timedGrid({...base, path: "batched", blockSize}, box() / 2);
      best = Math.min(best, batched.ms);
      console.log(
        `landscape 41×41 batched, ${blockSize} points per block: ${(batched.ms / 1000).toFixed(3)} s${batched.scaled} (path ${batched.path})`
      );
    }
    const perPoint = await timedGrid({...base, path: "per-point"}, box() * 2);
    console.log(`landscape 41×41 per-point: ${(perPoint.ms / 1000).toFixed(3)} s${perPoint.scaled}`);
    console.log(`ratio landscape per-point ÷ fastest batched: ${(perPoint.ms / best).toFixed(2)}×`);
  } catch (error) {
    console.log(`landscape: failed: ${(error as Error).message}`);
  } finally {
    lib.tf.dispose([probe.x, probe.labels]);
    model.dispose();
  }
}
console.log(`done in ${elapsed().toFixed(0)} s on ${info.name}`);
process.exit(0);
