// The gallery's preview of the Dice-loss notebook: a real (short) run of the notebook's default experiment,
// drawn with the same DecisionMargin component the page uses (SVG renderer, under jsdom).
import {JSDOM} from "jsdom";
import {decisionView, diceLossExperiment, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {DecisionMargin} from "../../components/decisionMargin.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(diceLossExperiment.schema, {});
const last = await runToEnd(
  train({...diceLossExperiment.setup(p), view: {grid: 28}, steps: 400, evalEvery: 400, stepsPerYield: 100})
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const figure = DecisionMargin(decisionView(last, 1, {maxPoints: 400}), {
  document,
  renderer: "svg",
  width: 320,
  height: 160,
  title: "Dice-loss notebook preview",
  description: `Decision regions of ${last.arms[1].label} after ${last.step} steps on blobs with 5 % positives.`
});
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
