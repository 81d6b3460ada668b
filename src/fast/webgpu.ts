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

// The three matrix products are register-blocked: each invocation computes a 4 × 4 block of outputs with four vec4
// accumulators, so that every value it loads is used four times (a plain one-output-per-invocation loop ran 3× slower
// on SwiftShader). Each output still sums its terms one at a time in index order, like the cpu reference kernel.
// Reads at the edges are clamped into range and the extra lanes are not written.
const blockedHeader = `
    fn store(row : i32, col : i32, cols : i32, rows : i32, v : vec4<f32>) {
      if (row >= rows) { return; }
      for (var c = 0; c < 4; c = c + 1) {
        if (col + c < cols) { result[row * cols + col + c] = v[c]; }
      }
    }`;

register(fusedKernelNames.dense, ({inputs, backend, attrs}) => {
  const {inDim, outDim, weightOffset, biasOffset, activation, rows, indexOffset} = attrs;
  const indexed = indexOffset >= 0;
  const bias = biasOffset >= 0;
  const act = (v: string) => activationWgsl(activation, v).replace("0.0", "vec4<f32>(0.0)");
  const body = `
    ${blockedHeader}
    fn main(index : i32) {
      let colBlocks = (uniforms.outDim + 3) / 4;
      if (index < ((uniforms.rows + 3) / 4) * colBlocks) {
        let b = (index / colBlocks) * 4;
        let o = (index % colBlocks) * 4;
        let last = uniforms.rows - 1;
        let r0 = ${rowExpr(indexed, "min(b, last)")} * uniforms.inDim;
        let r1 = ${rowExpr(indexed, "min(b + 1, last)")} * uniforms.inDim;
        let r2 = ${rowExpr(indexed, "min(b + 2, last)")} * uniforms.inDim;
        let r3 = ${rowExpr(indexed, "min(b + 3, last)")} * uniforms.inDim;
        let oc = vec4<i32>(min(o, uniforms.outDim - 1), min(o + 1, uniforms.outDim - 1),
                           min(o + 2, uniforms.outDim - 1), min(o + 3, uniforms.outDim - 1));
        let init = ${bias ? "vec4<f32>(P[uniforms.bOff + oc.x], P[uniforms.bOff + oc.y], P[uniforms.bOff + oc.z], P[uniforms.bOff + oc.w])" : "vec4<f32>(0.0)"};
        var a0 = init; var a1 = init; var a2 = init; var a3 = init;
        for (var i = 0; i < uniforms.inDim; i = i + 1) {
          let w = uniforms.wOff + i * uniforms.outDim;
          let wv = vec4<f32>(P[w + oc.x], P[w + oc.y], P[w + oc.z], P[w + oc.w]);
          a0 = a0 + X[r0 + i] * wv;
          a1 = a1 + X[r1 + i] * wv;
          a2 = a2 + X[r2 + i] * wv;
          a3 = a3 + X[r3 + i] * wv;
        }
        store(b, o, uniforms.outDim, uniforms.rows, ${act("a0")});
        store(b + 1, o, uniforms.outDim, uniforms.rows, ${act("a1")});
        store(b + 2, o, uniforms.outDim, uniforms.rows, ${act("a2")});
        store(b + 3, o, uniforms.outDim, uniforms.rows, ${act("a3")});
      }
    }`;
  const names = indexed ? ["X", "P", "Idx"] : ["X", "P"];
  const p = program(
    `losslabDense4_${activation}_${indexed}_${bias}`,
    names,
    [rows, outDim],
    Math.ceil(rows / 4) * Math.ceil(outDim / 4),
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

// dW = xᵀg in 4 × 4 blocks of (input, output) units, then the bias gradient Σ_b g in blocks of 4 outputs.
register(fusedKernelNames.denseGradParams, ({inputs, backend, attrs}) => {
  const {inDim, outDim, bias, rows, indexOffset} = attrs;
  const indexed = indexOffset >= 0;
  const size = inDim * outDim + (bias ? outDim : 0);
  const threads = Math.ceil(inDim / 4) * Math.ceil(outDim / 4) + (bias ? Math.ceil(outDim / 4) : 0);
  const body = `
    fn store4(at : i32, count : i32, v : vec4<f32>) {
      for (var c = 0; c < 4; c = c + 1) {
        if (c < count) { result[at + c] = v[c]; }
      }
    }
    fn main(index : i32) {
      let colBlocks = (uniforms.outDim + 3) / 4;
      let weightBlocks = ((uniforms.inDim + 3) / 4) * colBlocks;
      let lastO = uniforms.outDim - 1;
      if (index < weightBlocks) {
        let i = (index / colBlocks) * 4;
        let o = (index % colBlocks) * 4;
        let lastI = uniforms.inDim - 1;
        let ic = vec4<i32>(min(i, lastI), min(i + 1, lastI), min(i + 2, lastI), min(i + 3, lastI));
        let oc = vec4<i32>(min(o, lastO), min(o + 1, lastO), min(o + 2, lastO), min(o + 3, lastO));
        var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
        for (var b = 0; b < uniforms.rows; b = b + 1) {
          let r = ${rowExpr(indexed, "b")} * uniforms.inDim;
          let g = b * uniforms.outDim;
          let gv = vec4<f32>(G[g + oc.x], G[g + oc.y], G[g + oc.z], G[g + oc.w]);
          a0 = a0 + X[r + ic.x] * gv;
          a1 = a1 + X[r + ic.y] * gv;
          a2 = a2 + X[r + ic.z] * gv;
          a3 = a3 + X[r + ic.w] * gv;
        }
        let n = min(4, uniforms.outDim - o);
        if (i < uniforms.inDim) { store4(i * uniforms.outDim + o, n, a0); }
        if (i + 1 < uniforms.inDim) { store4((i + 1) * uniforms.outDim + o, n, a1); }
        if (i + 2 < uniforms.inDim) { store4((i + 2) * uniforms.outDim + o, n, a2); }
        if (i + 3 < uniforms.inDim) { store4((i + 3) * uniforms.outDim + o, n, a3); }
      } else if (${bias ? "index < weightBlocks + colBlocks" : "false"}) {
        let o = (index - weightBlocks) * 4;
        let oc = vec4<i32>(min(o, lastO), min(o + 1, lastO), min(o + 2, lastO), min(o + 3, lastO));
        var a = vec4<f32>(0.0);
        for (var b = 0; b < uniforms.rows; b = b + 1) {
          let g = b * uniforms.outDim;
          a = a + vec4<f32>(G[g + oc.x], G[g + oc.y], G[g + oc.z], G[g + oc.w]);
        }
        store4(uniforms.inDim * uniforms.outDim + o, min(4, uniforms.outDim - o), a);
      }
    }`;
  const names = indexed ? ["X", "G", "Idx"] : ["X", "G"];
  const p = program(
    `losslabDenseGradParams4_${indexed}_${bias}`,
    names,
    [size],
    threads,
    "inDim : i32, outDim : i32, rows : i32, idxOff : i32,",
    body
  );
  const ins = indexed ? [inputs.x, inputs.g, inputs.index] : [inputs.x, inputs.g];
  return backend.runWebGPUProgram(p, ins, "float32", [int(inDim), int(outDim), int(rows), int(indexOffset)]);
});

// (g·Wᵀ) ⊙ act′(h) in 4 × 4 blocks of (row, input unit).
register(fusedKernelNames.denseGradInput, ({inputs, backend, attrs}) => {
  const {inDim, outDim, weightOffset, activation, rows} = attrs;
  const grad = (h: string) =>
    activation === 1
      ? `select(vec4<f32>(0.0), vec4<f32>(1.0), ${h} > vec4<f32>(0.0))`
      : activation === 2
        ? `(vec4<f32>(1.0) - ${h} * ${h})`
        : "vec4<f32>(1.0)";
  const body = `
    ${blockedHeader}
    fn hAt(row : i32, ic : vec4<i32>) -> vec4<f32> {
      let r = min(row, uniforms.rows - 1) * uniforms.inDim;
      return vec4<f32>(H[r + ic.x], H[r + ic.y], H[r + ic.z], H[r + ic.w]);
    }
    fn main(index : i32) {
      let colBlocks = (uniforms.inDim + 3) / 4;
      if (index < ((uniforms.rows + 3) / 4) * colBlocks) {
        let b = (index / colBlocks) * 4;
        let i = (index % colBlocks) * 4;
        let last = uniforms.rows - 1;
        let g0 = min(b, last) * uniforms.outDim;
        let g1 = min(b + 1, last) * uniforms.outDim;
        let g2 = min(b + 2, last) * uniforms.outDim;
        let g3 = min(b + 3, last) * uniforms.outDim;
        let lastI = uniforms.inDim - 1;
        let ic = vec4<i32>(min(i, lastI), min(i + 1, lastI), min(i + 2, lastI), min(i + 3, lastI));
        let w = uniforms.wOff + ic * uniforms.outDim;
        var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
        for (var o = 0; o < uniforms.outDim; o = o + 1) {
          let wv = vec4<f32>(P[w.x + o], P[w.y + o], P[w.z + o], P[w.w + o]);
          a0 = a0 + G[g0 + o] * wv;
          a1 = a1 + G[g1 + o] * wv;
          a2 = a2 + G[g2 + o] * wv;
          a3 = a3 + G[g3 + o] * wv;
        }
        let h0 = hAt(b, ic);
        let h1 = hAt(b + 1, ic);
        let h2 = hAt(b + 2, ic);
        let h3 = hAt(b + 3, ic);
        store(b, i, uniforms.inDim, uniforms.rows, a0 * ${grad("h0")});
        store(b + 1, i, uniforms.inDim, uniforms.rows, a1 * ${grad("h1")});
        store(b + 2, i, uniforms.inDim, uniforms.rows, a2 * ${grad("h2")});
        store(b + 3, i, uniforms.inDim, uniforms.rows, a3 * ${grad("h3")});
      }
    }`;
  const p = program(
    `losslabDenseGradInput4_${activation}`,
    ["G", "P", "H"],
    [rows, inDim],
    Math.ceil(rows / 4) * Math.ceil(inDim / 4),
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

// A tree sum of one value per invocation over a workgroup of 256 (t is the invocation's index); the total ends in
// partial[0].
const workgroupSumDeclaration = "var<workgroup> partial : array<f32, 256>;";
const workgroupSum = (value: string) => `partial[t] = ${value};
      workgroupBarrier();
      for (var w = 128; w > 0; w = w / 2) {
        if (t < w) { partial[t] = partial[t] + partial[t + w]; }
        workgroupBarrier();
      }`;

// One workgroup: each invocation takes every 256th row, then a tree reduction sums the per-row losses.
register(fusedKernelNames.softmaxCrossEntropy, ({inputs, backend, attrs}) => {
  const {classes, rows, indexOffset, smoothing} = attrs;
  const indexed = indexOffset >= 0;
  const body = `
    ${workgroupSumDeclaration}
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
      ${workgroupSum("total")}
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
    ${workgroupSumDeclaration}
    fn main(index : i32) {
      let t = i32(localIndex);
      var s = 0.0;
      ${loops}
      ${workgroupSum("s")}
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
