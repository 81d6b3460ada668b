// The gallery's preview of the hybrid multi-label notebook: a real (short) run of the notebook's default experiment
// (the hybrid loss against per-label BCE), drawn with GroupBars (per-label test F1 of both arms, SVG, under jsdom; the page shows the same numbers as
// PerClassBars, which needs more height than a gallery card has).
import {JSDOM} from "jsdom";
import {
  hybridMultiLabelExperiment,
  hybridMultiLabelPerLabel,
  resolveParams,
  runToEnd,
  selectBackend,
  train
} from "losslab";
import {GroupBars} from "../../components/groupBars.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(hybridMultiLabelExperiment.schema, {});
const last = await runToEnd(
  train({
    ...hybridMultiLabelExperiment.setup(p),
    view: {probe: 100, logits: true},
    steps: 400,
    evalEvery: 400,
    stepsPerYield: 100
  })
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const L = last.data.classes;
const figure = GroupBars(
  {
    arms: last.arms.map((arm) => ({
      key: arm.id,
      label: arm.label,
      role: arm.role,
      values: hybridMultiLabelPerLabel(arm.view.testLogits!, last.data.test.targets!, L).f1
    })),
    groups: Array.from({length: L}, (_, k) => ({label: String(k)}))
  },
  {
    document,
    width: 320,
    height: 160,
    yLabel: "test F1",
    xLabel: "label",
    format: (v) => v.toFixed(1),
    title: "Hybrid multi-label loss notebook preview",
    description: `Per-label test F1 of BCE and ${last.arms[1].label} after ${last.step} steps.`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
