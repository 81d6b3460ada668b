// The gallery's preview of the EnsLoss notebook: a real (short) run of the notebook's default experiment, drawn with
// the same LossCurve component the page uses (SVG, under jsdom): the train − test accuracy gap of the logistic loss
// and of EnsLoss on the official simulator.
import {JSDOM} from "jsdom";
import {ensLossExperiment, metricSeries, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {LossCurve} from "../../components/lossCurve.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(ensLossExperiment.schema, {});
const last = await runToEnd(train({...ensLossExperiment.setup(p), steps: 600, evalEvery: 30, stepsPerYield: 30}));
const {window} = new JSDOM("<!doctype html><body></body>");
const {document} = window;
const figure = LossCurve(metricSeries(last, "testAccuracy", {metric: "trainAccuracy", suffix: " (train)"}), {
  document,
  width: 320,
  height: 160,
  yLabel: "accuracy",
  yDomain: [0.4, 1],
  legend: false,
  title: "EnsLoss notebook preview",
  description: `Training (dashed) and test accuracy of ${last.arms.map((a) => a.label).join(" and ")} over ${last.step} steps on the EnsLoss simulator.`
});
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
