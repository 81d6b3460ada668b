// Training benchmark (issue 6), the measuring half: it imports nothing and takes the LossLab library module as an
// argument, so the same code runs in headless Chromium (the page's own bundle, one TF.js engine with the page),
// in Node (lib/index.js) and in the real-GPU bundle (bench/gpu.ts, which bundles src/index.ts).
// bench/run.mjs drives it and prints the tables.
//
// Three paths train the same model with the same loss on the same data and batch order:
//   stock     a plain loop a TF.js user would write: tf.train.adam(lr).minimize(() => loss) on the model's
//             variables inside tf.tidy, the batch indices uploaded and gathered every step;
//   autodiff  LossLab's trainer, train({fast: false}): autodiff and a tf.Optimizer;
//   fast      LossLab's trainer, train({fast: "auto"}): fused kernels where the backend and model allow
//             (the path it took is reported);
//   fused     (on request only) train({fast: true}): the fused path on any backend that has it (cpu has
//             reference kernels), to check the fused path's logic where there is no GPU.
// Every path reads the loss once per chunk of steps (train() reads its losses per yielded event; the stock loop
// reads its last loss at the same points, which also keeps asynchronous backends from running ahead of the clock).

/** The two workloads: the reference classifier and a contrastive embedding model, both on toy2d spirals. */
export const workloads = {
  mlp: {
    title: "MLP 2→64→64→3, cross-entropy",
    model: {hidden: [64, 64]},
    loss: "cross-entropy",
    lr: 1e-2
  },
  contrastive: {
    title: "MLP 2→64→64→2 (normalised), NT-Xent",
    model: {hidden: [64, 64], embed: 2, normalize: true},
    loss: "nt-xent",
    lr: 1e-2
  }
};

/** The paths measured by default ("fused" only on request). */
export const pathNames = ["stock", "autodiff", "fast"];

/** Defaults; every one can be overridden per call. */
export const defaults = {
  batchSize: 256,
  n: 1024,
  seed: 1,
  /** Steps per chunk (train()'s stepsPerYield), one loss read each; smaller where a chunk would take longer. */
  chunk: 50,
  chunkSeconds: 1,
  /** Warm-up before timing: at least one chunk, then up to this many steps or seconds. */
  warmupSteps: 100,
  warmupSeconds: 3,
  /**
   * The timed phase stops after this many steps or seconds, whichever comes first (checked per chunk). Where the
   * warm-up's speed says that maxSteps fit in `longSeconds`, the time box widens to that, so that the tensor drift
   * covers maxSteps steps on the backends fast enough for it.
   */
  maxSteps: 5000,
  seconds: 10,
  longSeconds: 30,
  /** Steps run under tf.profile to count kernels (after one unprofiled chunk of the same size). */
  profileSteps: 5
};

function dataset(lib, o) {
  return lib.toy2d({shape: "spirals", n: o.n, classes: 3, seed: o.seed});
}

// A stock TF.js loop. `chunk()` runs `size` steps and reads the last loss.
function stockSession(lib, workload, size, o) {
  const tf = lib.tf;
  const data = dataset(lib, o);
  const loss = lib.losses[workload.loss];
  const n = data.train.n;
  const x = tf.tensor2d(data.train.x, [n, data.inputs]);
  const y = tf.tensor1d(data.train.y, "int32");
  const model = lib.mlp({...workload.model, inputs: data.inputs, classes: data.classes, seed: o.seed});
  const optimizer = tf.train.adam(workload.lr);
  const order = lib.batcher(n, o.batchSize, o.seed);
  let step = 0;
  const trainStep = (returnCost) =>
    tf.tidy(() => {
      const index = tf.tensor1d(order.at(step), "int32");
      const xb = tf.gather(x, index);
      const yb = tf.gather(y, index);
      return optimizer.minimize(
        () => {
          const out = model.apply(xb, {training: true});
          return loss.fn({logits: out.logits, labels: yb, embeddings: out.embeddings});
        },
        returnCost,
        model.variables
      );
    });
  return {
    async chunk() {
      for (let k = 0; k < size - 1; ++k, ++step) trainStep(false);
      const cost = trainStep(true);
      step++;
      try {
        return {step, loss: (await cost.data())[0], path: "stock"};
      } finally {
        cost.dispose();
      }
    },
    async close() {
      tf.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
    }
  };
}

// LossLab's trainer without control: no evaluations after the first, a tiny probe batch, no grid.
async function trainerSession(lib, workload, size, o, fast) {
  const data = dataset(lib, o);
  const events = lib.train({
    data,
    model: workload.model,
    arms: [{id: workload.loss, label: workload.loss, loss: lib.losses[workload.loss]}],
    optimizer: {type: "adam", lr: workload.lr},
    batchSize: o.batchSize,
    seed: o.seed,
    stepsPerYield: size,
    evalEvery: 1e9,
    view: {grid: 0, probe: 16},
    fast
  });
  await events.next(); // the initial evaluation at step 0
  return {
    async chunk() {
      const r = await events.next();
      if (r.done) throw new Error("train() ended early");
      const arm = r.value.arms[0];
      if (r.value.status === "diverged") throw new Error(r.value.message);
      return {step: r.value.step, loss: arm.loss, path: arm.path ?? "unreported", note: arm.pathNote};
    },
    async close() {
      await events.return(undefined);
    }
  };
}

function open(lib, workload, path, size, o) {
  if (path === "stock") return stockSession(lib, workload, size, o);
  if (path === "autodiff") return trainerSession(lib, workload, size, o, false);
  if (path === "fast") return trainerSession(lib, workload, size, o, "auto");
  if (path === "fused") return trainerSession(lib, workload, size, o, true);
  throw new Error(`unknown path: ${path} (expected ${[...pathNames, "fused"].join(", ")})`);
}

/**
 * Counts calls to methods of an object (the engine's read and readSync, a backend's program dispatch) until
 * `stop()`; nested calls (a read that calls readSync) count once.
 */
export function countCalls(target, names) {
  let count = 0;
  let depth = 0;
  const restore = [];
  for (const name of names) {
    const original = target[name];
    if (typeof original !== "function") continue;
    const own = Object.prototype.hasOwnProperty.call(target, name);
    target[name] = function (...args) {
      if (depth === 0) count++;
      depth++;
      try {
        return original.apply(this, args);
      } finally {
        depth--;
      }
    };
    restore.push(() => {
      if (own) target[name] = original;
      else delete target[name];
    });
  }
  return {
    get count() {
      return count;
    },
    stop() {
      for (const r of restore) r();
      return count;
    }
  };
}

// The method through which a GPU backend dispatches every shader program (none on cpu and wasm).
const programMethod = {webgpu: "runWebGPUProgram", webgl: "runWebGLProgram"};

const now = () => performance.now();

// Chunk sizes the timed phase may use: the largest not above `o.chunk` that a backend runs in about a second.
const chunkSizes = [1, 2, 5, 10, 20, 50, 100, 200];

/**
 * Kernels per step: tf.profile around `profileSteps` steps, after two unprofiled chunks of the same size (shader
 * compilation and first allocations stay out of the count; the second also gives a first estimate of the speed).
 * Every kernel the engine ran, divided by the steps; includes the chunk's loss read (a few kernels). On GPU
 * backends also the shader programs dispatched per step.
 */
async function countKernels(lib, workload, path, o) {
  const tf = lib.tf;
  const session = await open(lib, workload, path, o.profileSteps, o);
  try {
    await session.chunk();
    const t0 = now();
    await session.chunk();
    const estimate = o.profileSteps / ((now() - t0) / 1000);
    const method = programMethod[tf.getBackend()];
    const programs = method ? countCalls(tf.backend(), [method]) : undefined;
    let info;
    try {
      info = await tf.profile(() => session.chunk());
    } finally {
      programs?.stop();
    }
    return {
      estimate,
      kernelsPerStep: info.kernels.length / o.profileSteps,
      programsPerStep: programs ? programs.count / o.profileSteps : undefined,
      distinctKernels: info.kernelNames.length
    };
  } finally {
    await session.close();
  }
}

/**
 * Steps per second after warm-up; reads per step and tensor drift over the timed phase; tensors left after the
 * session is closed. Reads are counted twice: calls of the engine's read/readSync (what tensor.data() and
 * dataSync() do: the figure that costs a GPU round trip) and calls of the backend's read/readSync (these also
 * include reads a backend makes internally, e.g. the cpu backend's gather reading its indices).
 */
async function timeSteps(lib, workload, path, chunk, o) {
  const tf = lib.tf;
  const before = tf.memory().numTensors;
  const session = await open(lib, workload, path, chunk, o);
  let last;
  let warmup;
  let timed;
  try {
    const w0 = now();
    let w1 = w0;
    let steps = 0;
    do {
      last = await session.chunk();
      steps += chunk;
      if (steps === chunk) w1 = now();
    } while (steps < o.warmupSteps && now() - w0 < o.warmupSeconds * 1000);
    warmup = {steps, seconds: (now() - w0) / 1000};
    // The warm-up's speed after its first chunk decides whether maxSteps fit in the long time box.
    const rate = steps > chunk ? (steps - chunk) / ((now() - w1) / 1000) : chunk / ((w1 - w0) / 1000);
    const box = rate * o.longSeconds >= o.maxSteps ? Math.max(o.seconds, o.longSeconds) : o.seconds;
    const tensors0 = tf.memory().numTensors;
    const reads = countCalls(tf.engine(), ["read", "readSync"]);
    const backendReads = countCalls(tf.backend(), ["read", "readSync"]);
    const t0 = now();
    steps = 0;
    try {
      do {
        last = await session.chunk();
        steps += chunk;
      } while (steps < o.maxSteps && now() - t0 < box * 1000);
    } finally {
      reads.stop();
      backendReads.stop();
    }
    const seconds = (now() - t0) / 1000;
    timed = {steps, seconds, reads: reads.count, backendReads: backendReads.count};
    timed.drift = tf.memory().numTensors - tensors0;
  } finally {
    await session.close();
  }
  return {
    stepsPerSecond: timed.steps / timed.seconds,
    chunk,
    timedSteps: timed.steps,
    timedSeconds: timed.seconds,
    warmupSteps: warmup.steps,
    warmupSeconds: warmup.seconds,
    readsPerStep: timed.reads / timed.steps,
    backendReadsPerStep: timed.backendReads / timed.steps,
    tensorDrift: timed.drift,
    tensorsLeft: tf.memory().numTensors - before,
    took: last.path,
    ...(last.note ? {note: last.note} : {}),
    step: last.step,
    loss: last.loss
  };
}

/**
 * Measures every requested workload × path on the active backend. `log` receives each result as it is made.
 * Returns plain objects: {backend, workload, path, took, stepsPerSecond, kernelsPerStep, programsPerStep,
 * readsPerStep, tensorDrift, tensorsLeft, timedSteps, timedSeconds, …}.
 */
export async function benchTrain(lib, options = {}) {
  const o = {...defaults, ...options};
  const names = o.workloads ?? Object.keys(workloads);
  const paths = o.paths ?? pathNames;
  const results = [];
  for (const name of names) {
    const workload = workloads[name];
    if (!workload) throw new Error(`unknown workload: ${name} (expected ${Object.keys(workloads).join(", ")})`);
    for (const path of paths) {
      const started = now();
      const {estimate, ...kernels} = await countKernels(lib, workload, path, o);
      const fits = chunkSizes.filter((c) => c <= o.chunk && c <= estimate * o.chunkSeconds);
      const chunk = fits.length ? fits[fits.length - 1] : 1;
      const timing = await timeSteps(lib, workload, path, chunk, o);
      const result = {
        backend: lib.tf.getBackend(),
        workload: name,
        path,
        ...timing,
        ...kernels,
        wallSeconds: (now() - started) / 1000
      };
      results.push(result);
      o.log?.(result);
    }
  }
  return results;
}

/**
 * A stock training loop driven by requestAnimationFrame, as a page without LossLab's trainer would run it:
 * `stepsPerFrame` minimize steps per frame, then the last loss read for display. Runs for `seconds`; returns
 * the steps done and the frames drawn. For the long-task measurement (browser only).
 */
export async function stockFrameLoop(lib, {workload = "mlp", seconds = 15, stepsPerFrame = 5, ...rest} = {}) {
  const o = {...defaults, ...rest};
  const session = stockSession(lib, workloads[workload], stepsPerFrame, o);
  let frames = 0;
  let step = 0;
  const end = now() + seconds * 1000;
  try {
    await new Promise((resolve, reject) => {
      const frame = () => {
        session.chunk().then((r) => {
          step = r.step;
          frames++;
          if (now() < end) requestAnimationFrame(frame);
          else resolve();
        }, reject);
      };
      requestAnimationFrame(frame);
    });
  } finally {
    await session.close();
  }
  return {steps: step, frames, seconds};
}
