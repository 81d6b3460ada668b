// The gallery's preview of the focal-loss notebook: a real (short) run of the notebook's default experiment
// (focal loss against cross-entropy on the simulated ICU cohort), drawn with the page's ReliabilityDiagram
// (SVG, under jsdom, without its controls).
import {JSDOM} from "jsdom";
import {focalLossExperiment, reliabilityView, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {ReliabilityDiagram} from "../../components/reliabilityDiagram.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(focalLossExperiment.schema, {});
const last = await runToEnd(
  train({
    ...focalLossExperiment.setup(p),
    view: {probe: 1000, logits: true},
    steps: 500,
    evalEvery: 500,
    stepsPerYield: 100
  })
);
const {window} = new JSDOM("<!doctype html><body></body>");
const {document} = window;
const labels = last.data.test.y;
const figure = ReliabilityDiagram(
  last.arms.map((arm) => ({
    name: arm.label,
    role: arm.role,
    ...reliabilityView(arm.view.testLogits!, labels, 2, {bins: 10, bootstrap: false, optimal: false})
  })),
  {
    document,
    width: 320,
    height: 140,
    duration: 0,
    controls: false,
    histogram: false,
    title: "Focal-loss notebook preview",
    description: `Reliability of cross-entropy and ${last.arms[1].label} after ${last.step} steps on simulated ICU stays.`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
