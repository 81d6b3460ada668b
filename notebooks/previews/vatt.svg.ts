// The gallery's preview of the VATT notebook: a real (short) run of the notebook's default experiment, both modalities
// of 60 test clips in MIL-NCE's shared space (joint PCA), each clip joined to its caption, drawn with the EmbeddingPlot
// the page uses.
import {JSDOM} from "jsdom";
import {resolveParams, runToEnd, selectBackend, train, vattExperiment, vattJointPca, vattSetup} from "losslab";
import {EmbeddingPlot} from "../../components/embeddingPlot.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(vattExperiment.schema, {});
const got: {a: Float32Array; b: Float32Array}[] = [];
const last = await runToEnd(
  train({
    ...vattSetup(p, (arm, a, b) => (got[arm] = {a, b})),
    view: {testEmbeddings: true},
    steps: 300,
    evalEvery: 300,
    stepsPerYield: 100
  })
);
const m = 60;
const {a, b} = got[1];
const x = vattJointPca(a.subarray(0, m * p.embed), b.subarray(0, m * p.embed), p.embed);
const y = last.data.test.y.subarray(0, m);
const label = Int32Array.from({length: 2 * m}, (_, i) => y[i % m]);
const pos = Int32Array.from({length: 2 * m}, (_, i) => (i % 2 ? m + (i >> 1) : i >> 1));
const {document} = new JSDOM("<!doctype html><body></body>").window;
const figure = EmbeddingPlot(
  {classes: p.classes, points: {x, label}, pairs: {pos}},
  {
    document,
    renderer: "svg",
    width: 320,
    height: 200,
    title: "VATT notebook preview",
    description: `Clips and their captions in the shared space of ${last.arms[1].label} after ${last.step} steps (joint PCA).`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
