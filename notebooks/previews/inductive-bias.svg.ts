// The gallery's preview of the inductive-bias notebook: a real (short) study on the notebook's default task —
// 40 trained MLPs and 40 RBF-kernel posterior draws — drawn as the two classes' test-error histograms with the
// target error ε, with the same LossCurve component the page uses (under jsdom).
import {JSDOM} from "jsdom";
import {
  inductiveBiasExperiment,
  inductiveBiasHistogram,
  inductiveBiasLive,
  resolveParams,
  selectBackend
} from "losslab";
import {LossCurve} from "../../components/lossCurve.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(inductiveBiasExperiment.schema, {hypotheses: 40});
let last;
for await (const e of inductiveBiasLive(p)) last = e;
const series = [0, 1].flatMap((i) => inductiveBiasHistogram(last, i).filter((s) => s.key !== "epsilon" || i === 1));
const {window} = new JSDOM("<!doctype html><body></body>");
const {document} = window;
const figure = LossCurve(series, {
  document,
  width: 320,
  height: 160,
  legend: false,
  xLabel: "test error (MSE)",
  yLabel: "density",
  title: "Inductive-bias notebook preview",
  description: `Test errors of ${last.step} trained MLPs and ${last.step} RBF-kernel posterior draws, with the target error ε = ${p.epsilon}.`
});
const svg = figure.matches("svg") ? figure : figure.querySelector("svg");
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
