// The gallery's preview of the comp-sum notebook: a real (short) run of the notebook's default
// experiment, drawn with the same DecisionMargin component the page uses (SVG renderer, under jsdom).
import {JSDOM} from "jsdom";
import {compSumExperiment, decisionView, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {DecisionMargin} from "../../components/decisionMargin.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(compSumExperiment.schema, {});
const last = await runToEnd(
  train({...compSumExperiment.setup(p), view: {grid: 28}, steps: 600, evalEvery: 600, stepsPerYield: 100})
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const figure = DecisionMargin(decisionView(last, 1, {maxPoints: 400}), {
  document,
  renderer: "svg",
  width: 320,
  height: 160,
  title: "Comp-sum notebook preview",
  description: `Decision regions of ${last.arms[1].label} after ${last.step} steps on noisy blobs.`
});
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
