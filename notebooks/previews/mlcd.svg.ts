// The gallery's preview of the MLCD notebook: a real (short) run of the notebook's default experiment, drawn with the
// page's GroupHistogram (MLCD's scores of positive and negative cluster centres on the test split; SVG, under jsdom).
import {JSDOM} from "jsdom";
import {mlcdExperiment, mlcdSplitScores, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {GroupHistogram} from "../../components/groupHistogram.ts";
import {classColor} from "../../components/internal/palette.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(mlcdExperiment.schema, {});
const last = await runToEnd(
  train({...mlcdExperiment.setup(p), view: {probe: 100, logits: true}, steps: 300, evalEvery: 300, stepsPerYield: 100})
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const s = mlcdSplitScores(last.arms[1].view.testLogits!, last.data.test.targets!);
const figure = GroupHistogram(
  {
    groups: [
      {key: "pos", label: "positive centres", values: s.positive, color: classColor(0)},
      {key: "neg", label: "negative centres", values: s.negative, color: classColor(3)}
    ]
  },
  {
    document,
    width: 320,
    height: 160,
    bins: 30,
    domain: [-p.scale, p.scale],
    xLabel: "score σ·cos",
    title: "MLCD notebook preview",
    description: `Test scores of positive and negative cluster centres under ${last.arms[1].label} after ${last.step} steps.`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
