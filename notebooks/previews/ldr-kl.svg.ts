// The gallery's preview of the LDR-KL notebook: a real (short) run of the notebook's default experiment, drawn
// with the same LossCurve component the page uses (SVG, under jsdom): cross-entropy's test accuracy rises and falls
// under 60 % uniform label noise while ALDR-KL's holds.
import {JSDOM} from "jsdom";
import {ldrKlExperiment, metricSeries, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {LossCurve} from "../../components/lossCurve.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(ldrKlExperiment.schema, {});
const last = await runToEnd(train({...ldrKlExperiment.setup(p), steps: 1000, evalEvery: 50, stepsPerYield: 50}));
const {window} = new JSDOM("<!doctype html><body></body>");
const {document} = window;
const figure = LossCurve(metricSeries(last, "testAccuracy"), {
  document,
  width: 320,
  height: 160,
  yLabel: "test accuracy",
  yDomain: [0, 1],
  legend: false,
  title: "LDR-KL notebook preview",
  description: `Test accuracy of ${last.arms.map((a) => a.label).join(" and ")} over ${last.step} steps with 60 % uniform label noise.`
});
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
