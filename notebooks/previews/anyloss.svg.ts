// The gallery's preview of the AnyLoss notebook: a real (short) run of the notebook's default experiment
// (AnyLoss-F1 against BCE on two Gaussians with 10 % positives), drawn with the same DecisionMargin component the
// page uses (SVG renderer, under jsdom).
import {JSDOM} from "jsdom";
import {anyLossExperiment, decisionView, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {DecisionMargin} from "../../components/decisionMargin.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(anyLossExperiment.schema, {});
const last = await runToEnd(
  train({...anyLossExperiment.setup(p), view: {grid: 28}, steps: 600, evalEvery: 600, stepsPerYield: 100})
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const figure = DecisionMargin(decisionView(last, 1, {maxPoints: 400}), {
  document,
  renderer: "svg",
  width: 320,
  height: 160,
  title: "AnyLoss notebook preview",
  description: `Decision regions of ${last.arms[1].label} after ${last.step} steps on two Gaussians with 10 % positives.`
});
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
