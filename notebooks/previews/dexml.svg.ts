// The gallery's preview of the DEXML notebook: a real (short) run of the notebook's default twin (softmax against
// decoupled softmax), drawn with the page's GroupBars component (SVG, under jsdom): R@5 by number of positives.
import {JSDOM} from "jsdom";
import {dexmlExperiment, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {GroupBars} from "../../components/groupBars.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(dexmlExperiment.schema, {});
const last = await runToEnd(train({...dexmlExperiment.setup(p), steps: 200, evalEvery: 200, stepsPerYield: 50}));
const {document} = new JSDOM("<!doctype html><body></body>").window;
const groups = Array.from({length: p.maxPositives}, (_, k) => ({label: `m = ${k + 1}`}));
const figure = GroupBars(
  {
    groups,
    arms: last.arms.map((a) => ({
      key: a.id,
      label: a.label,
      role: a.role,
      values: groups.map((_, k) => a.metrics[`r5_${k + 1}`] ?? NaN)
    }))
  },
  {
    document,
    width: 320,
    height: 160,
    yLabel: "R@5",
    title: "DEXML notebook preview",
    description: `R@5 by number of positives after ${last.step} steps: ${last.arms.map((a) => a.label).join(" vs ")}.`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
