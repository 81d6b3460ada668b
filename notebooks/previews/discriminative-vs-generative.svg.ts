// The gallery's preview of the discriminative-vs-generative notebook: a real (small) run of the notebook's study —
// test error of logistic regression and naive Bayes against the training size on the "hard" Gaussian classes —
// drawn with the LossCurve component the page uses (SVG, under jsdom).
import {JSDOM} from "jsdom";
import {discriminativeVsGenerativeExperiment, resolveParams, runToEnd} from "losslab";
import {LossCurve} from "../../components/lossCurve.ts";

const p = resolveParams(discriminativeVsGenerativeExperiment.schema, {dim: 10, repeats: 3, ratio: 2});
const last = await runToEnd(discriminativeVsGenerativeExperiment.live(p));
const {window} = new JSDOM("<!doctype html><body></body>");
const {document} = window;
const x = last.history.metrics.m[0].map(Math.log10);
const series = last.arms.map((arm, i) => ({
  key: arm.id,
  label: arm.label,
  x,
  y: last.history.metrics.testError[i],
  role: arm.role
}));
const svg = LossCurve(series, {
  document,
  width: 320,
  height: 160,
  xLabel: "log₁₀ m",
  yLabel: "test error",
  yScale: "log",
  title: "Discriminative vs generative notebook preview",
  description: `Test error of logistic regression and naive Bayes for ${last.history.metrics.m[0].length} training sizes on correlated Gaussian classes.`
});
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
