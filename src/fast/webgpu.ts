/**
 * The fused training kernels (kernels.ts) as WebGPU compute programs, registered with TF.js's webgpu backend through
 * its program API (`backend.runWebGPUProgram`). Each kernel is one dispatch. The shaders are deliberately plain (one
 * invocation per output element, sums in a fixed order): for notebook-sized models the cost of a training step on a
 * GPU is the number of dispatches, not the arithmetic in them.
 *
 * Importing this module registers the kernels; backend/select.ts does so when it loads the webgpu backend.
 */
import * as tf from "../tf.js";
import {webgpu_util} from "@tensorflow/tfjs-backend-webgpu";
import type {WebGPUProgram} from "@tensorflow/tfjs-backend-webgpu";
import {fusedKernelNames, optimizerCode} from "./kernels.js";

type Uniform = {type: "int32" | "float32"; data: number[]};
interface WebGPUBackendLike {
  runWebGPUProgram(
    program: WebGPUProgram,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: Uniform[]
  ): tf.TensorInfo;
}

const int = (v: number): Uniform => ({type: "int32", data: [v]});
const float = (v: number): Uniform => ({type: "float32", data: [v]});

const activationWgsl = (code: number, v: string) => (code === 1 ? `max(${v}, 0.0)` : code === 2 ? `tanh(${v})` : v);
const activationGradWgsl = (code: number, h: string) =>
  code === 1 ? `select(0.0, 1.0, ${h} > 0.0)` : code === 2 ? `(1.0 - ${h} * ${h})` : "1.0";

/** A program over `threads` invocations in a flat 1-D dispatch, writing `outputShape`. */
function program(
  key: string,
  variableNames: string[],
  outputShape: number[],
  threads: number,
  uniforms: string,
  body: string,
  workgroup = 64
): WebGPUProgram {
  const dispatchLayout = webgpu_util.flatDispatchLayout([threads]);
  return {
    shaderKey: key,
    variableNames,
    outputShape,
    uniforms,
    workgroupSize: [workgroup, 1, 1],
    dispatchLayout,
    dispatch: webgpu_util.computeDispatch(dispatchLayout, [threads], [workgroup, 1, 1]),
    getUserCode: () => body
  };
}

function rowExpr(indexed: boolean, b: string): string {
  return indexed ? `Idx[uniforms.idxOff + ${b}]` : b;
}

function register(
  name: string,
  kernelFunc: (args: {inputs: any; backend: WebGPUBackendLike; attrs: any}) => tf.TensorInfo
) {
  if (tf.getKernel(name, "webgpu")) return;
  tf.registerKernel({kernelName: name, backendName: "webgpu", kernelFunc: kernelFunc as never});
}

register(fusedKernelNames.dense, ({inputs, backend, attrs}) => {
  const {inDim, outDim, weightOffset, biasOffset, activation, rows, indexOffset} = attrs;
  const indexed = indexOffset >= 0;
  const bias = biasOffset >= 0;
  const body = `
    fn main(index : i32) {
      if (index < uniforms.rows * uniforms.outDim) {
        let b = index / uniforms.outDim;
        let o = index % uniforms.outDim;
        let r = ${rowExpr(indexed, "b")};
        var s = ${bias ? "P[uniforms.bOff + o]" : "0.0"};
        for (var i = 0; i < uniforms.inDim; i = i + 1) {
          s = s + X[r * uniforms.inDim + i] * P[uniforms.wOff + i * uniforms.outDim + o];
        }
        result[index] = ${activationWgsl(activation, "s")};
      }
    }`;
  const names = indexed ? ["X", "P", "Idx"] : ["X", "P"];
  const p = program(
    `losslabDense_${activation}_${indexed}_${bias}`,
    names,
    [rows, outDim],
    rows * outDim,
    "inDim : i32, outDim : i32, wOff : i32, bOff : i32, rows : i32, idxOff : i32,",
    body
  );
  const ins = indexed ? [inputs.x, inputs.state, inputs.index] : [inputs.x, inputs.state];
  return backend.runWebGPUProgram(p, ins, "float32", [
    int(inDim),
    int(outDim),
    int(weightOffset),
    int(biasOffset),
    int(rows),
    int(indexOffset)
  ]);
});

register(fusedKernelNames.denseGradParams, ({inputs, backend, attrs}) => {
  const {inDim, outDim, bias, rows, indexOffset} = attrs;
  const indexed = indexOffset >= 0;
  const size = inDim * outDim + (bias ? outDim : 0);
  const body = `
    fn main(index : i32) {
      let n = uniforms.inDim * uniforms.outDim;
      if (index < n) {
        let i = index / uniforms.outDim;
        let o = index % uniforms.outDim;
        var s = 0.0;
        for (var b = 0; b < uniforms.rows; b = b + 1) {
          s = s + X[${rowExpr(indexed, "b")} * uniforms.inDim + i] * G[b * uniforms.outDim + o];
        }
        result[index] = s;
      } else if (index < n + ${bias ? "uniforms.outDim" : "0"}) {
        let o = index - n;
        var s = 0.0;
        for (var b = 0; b < uniforms.rows; b = b + 1) {
          s = s + G[b * uniforms.outDim + o];
        }
        result[index] = s;
      }
    }`;
  const names = indexed ? ["X", "G", "Idx"] : ["X", "G"];
  const p = program(
    `losslabDenseGradParams_${indexed}_${bias}`,
    names,
    [size],
    size,
    "inDim : i32, outDim : i32, rows : i32, idxOff : i32,",
    body
  );
  const ins = indexed ? [inputs.x, inputs.g, inputs.index] : [inputs.x, inputs.g];
  return backend.runWebGPUProgram(p, ins, "float32", [int(inDim), int(outDim), int(rows), int(indexOffset)]);
});

register(fusedKernelNames.denseGradInput, ({inputs, backend, attrs}) => {
  const {inDim, outDim, weightOffset, activation, rows} = attrs;
  const body = `
    fn main(index : i32) {
      if (index < uniforms.rows * uniforms.inDim) {
        let b = index / uniforms.inDim;
        let i = index % uniforms.inDim;
        var s = 0.0;
        for (var o = 0; o < uniforms.outDim; o = o + 1) {
          s = s + G[b * uniforms.outDim + o] * P[uniforms.wOff + i * uniforms.outDim + o];
        }
        let h = H[index];
        result[index] = s * ${activationGradWgsl(activation, "h")};
      }
    }`;
  const p = program(
    `losslabDenseGradInput_${activation}`,
    ["G", "P", "H"],
    [rows, inDim],
    rows * inDim,
    "inDim : i32, outDim : i32, wOff : i32, rows : i32,",
    body
  );
  return backend.runWebGPUProgram(p, [inputs.g, inputs.state, inputs.h], "float32", [
    int(inDim),
    int(outDim),
    int(weightOffset),
    int(rows)
  ]);
});

// One workgroup: each invocation takes every 256th row, then a tree reduction sums the per-row losses.
register(fusedKernelNames.softmaxCrossEntropy, ({inputs, backend, attrs}) => {
  const {classes, rows, indexOffset, smoothing} = attrs;
  const indexed = indexOffset >= 0;
  const body = `
    var<workgroup> partial : array<f32, 256>;
    fn main(index : i32) {
      let t = i32(localIndex);
      let C = uniforms.classes;
      let inv = 1.0 / f32(uniforms.rows);
      let off = uniforms.smoothing / f32(C);
      let on = 1.0 - uniforms.smoothing + off;
      var total = 0.0;
      for (var b = t; b < uniforms.rows; b = b + 256) {
        let y = Y[${rowExpr(indexed, "b")}];
        var m = Z[b * C];
        for (var k = 1; k < C; k = k + 1) { m = max(m, Z[b * C + k]); }
        var s = 0.0;
        for (var k = 0; k < C; k = k + 1) { s = s + exp(Z[b * C + k] - m); }
        let lse = m + log(s);
        for (var k = 0; k < C; k = k + 1) {
          let q = select(off, on, k == y);
          let p = exp(Z[b * C + k] - lse);
          result[b * C + k] = (p - q) * inv;
          total = total + q * (lse - Z[b * C + k]);
        }
      }
      partial[t] = total;
      workgroupBarrier();
      for (var w = 128; w > 0; w = w / 2) {
        if (t < w) { partial[t] = partial[t] + partial[t + w]; }
        workgroupBarrier();
      }
      for (var k = t; k < C; k = k + 256) {
        result[uniforms.rows * C + k] = select(0.0, partial[0] * inv, k == 0);
      }
    }`;
  const names = indexed ? ["Z", "Y", "Idx"] : ["Z", "Y"];
  const p = program(
    `losslabSoftmaxCE_${indexed}`,
    names,
    [rows + 1, classes],
    256,
    "classes : i32, rows : i32, idxOff : i32, smoothing : f32,",
    body,
    256
  );
  const ins = indexed ? [inputs.logits, inputs.labels, inputs.index] : [inputs.logits, inputs.labels];
  return backend.runWebGPUProgram(p, ins, "float32", [int(classes), int(rows), int(indexOffset), float(smoothing)]);
});

// One workgroup sums the squares of every gradient, then writes min(1, c / ‖g‖).
register(fusedKernelNames.gradScale, ({inputs, backend, attrs}) => {
  const {count, clipNorm} = attrs;
  const names = Array.from({length: count}, (_, j) => `G${j}`);
  const sizes = names.map((_, j) => (inputs[`g${j}`] as tf.TensorInfo).shape.reduce((a, b) => a * b, 1));
  const loops = names
    .map((g, j) => `for (var i = t; i < ${sizes[j]}; i = i + 256) { let v = ${g}[i]; s = s + v * v; }`)
    .join("\n        ");
  const body = `
    var<workgroup> partial : array<f32, 256>;
    fn main(index : i32) {
      let t = i32(localIndex);
      var s = 0.0;
      ${loops}
      partial[t] = s;
      workgroupBarrier();
      for (var w = 128; w > 0; w = w / 2) {
        if (t < w) { partial[t] = partial[t] + partial[t + w]; }
        workgroupBarrier();
      }
      if (t == 0) { result[0] = min(1.0, uniforms.clipNorm / max(sqrt(partial[0]), 1e-12)); }
    }`;
  const p = program(`losslabGradScale_${sizes.join(",")}`, names, [1], 256, "clipNorm : f32,", body, 256);
  return backend.runWebGPUProgram(
    p,
    names.map((_, j) => inputs[`g${j}`]),
    "float32",
    [float(clipNorm)]
  );
});

register(fusedKernelNames.optimizerUpdate, ({inputs, backend, attrs}) => {
  const {kind, params, sizes, lr, momentum, beta1, beta2, epsilon, c1, c2} = attrs as {
    kind: number;
    params: number;
    sizes: number[];
    [k: string]: any;
  };
  const scaled = inputs.scale != null;
  const names = sizes.map((_: number, j: number) => `G${j}`);
  let start = 0;
  const branches = names.map((g: string, j: number) => {
    const line =
      j === names.length - 1
        ? `return ${g}[p - ${start}];`
        : `if (p < ${start + sizes[j]}) { return ${g}[p - ${start}]; }`;
    start += sizes[j];
    return line;
  });
  const update =
    kind === optimizerCode.sgd
      ? `result[i] = w - uniforms.lr * g;`
      : kind === optimizerCode.momentum
        ? `let acc = P[n + i] * uniforms.momentum + g;
           result[n + i] = acc;
           result[i] = w - uniforms.lr * acc;`
        : `let m = uniforms.beta1 * P[n + i] + (1.0 - uniforms.beta1) * g;
           let v = uniforms.beta2 * P[2 * n + i] + (1.0 - uniforms.beta2) * g * g;
           result[n + i] = m;
           result[2 * n + i] = v;
           result[i] = w - uniforms.lr * (m / uniforms.c1) / (sqrt(v / uniforms.c2) + uniforms.epsilon);`;
  const body = `
    fn gradAt(p : i32) -> f32 {
      ${branches.join("\n      ")}
    }
    fn main(index : i32) {
      let n = uniforms.params;
      if (index < n) {
        let i = index;
        let g = gradAt(i)${scaled ? " * S[0]" : ""};
        let w = P[i];
        ${update}
      }
    }`;
  const variableNames = ["P", ...names, ...(scaled ? ["S"] : [])];
  const p = program(
    `losslabOptimizer_${kind}_${sizes.join(",")}_${scaled}`,
    variableNames,
    [inputs.state.shape[0]],
    params,
    "params : i32, lr : f32, momentum : f32, beta1 : f32, beta2 : f32, epsilon : f32, c1 : f32, c2 : f32,",
    body
  );
  const ins = [
    inputs.state,
    ...names.map((_: string, j: number) => inputs[`g${j}`]),
    ...(scaled ? [inputs.scale] : [])
  ];
  return backend.runWebGPUProgram(p, ins, "float32", [
    int(params),
    float(lr),
    float(momentum),
    float(beta1),
    float(beta2),
    float(epsilon),
    float(c1),
    float(c2)
  ]);
});
