// The gallery's preview of the MVCNet notebook: a real (short) run of the notebook's default twin (CE on four views
// against MVCNet's full loss), drawn with the page's GroupBars component (SVG, under jsdom): accuracy on each view of
// the held-out subject's trials.
import {JSDOM} from "jsdom";
import {mvcnetExperiment, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {GroupBars} from "../../components/groupBars.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(mvcnetExperiment.schema, {batch: 32});
const last = await runToEnd(train({...mvcnetExperiment.setup(p), steps: 150, evalEvery: 150, stepsPerYield: 50}));
const {document} = new JSDOM("<!doctype html><body></body>").window;
const views = [
  ["original", "testAccuracy"],
  ["flip", "flipAccuracy"],
  ["shift", "shiftAccuracy"],
  ["reflection", "reflectAccuracy"]
] as const;
const figure = GroupBars(
  {
    groups: views.map(([label]) => ({label})),
    arms: last.arms.map((a) => ({
      key: a.id,
      label: a.label,
      role: a.role,
      values: views.map(([, k]) => a.metrics[k] ?? NaN)
    }))
  },
  {
    document,
    width: 320,
    height: 160,
    yLabel: "accuracy",
    title: "MVCNet notebook preview",
    description: `Accuracy on each view of a held-out subject after ${last.step} steps: ${last.arms.map((a) => a.label).join(" vs ")}.`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
