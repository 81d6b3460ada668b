// The gallery's preview of the LR+GD → perceptron notebook: a real (short) run of the notebook's default experiment —
// misclassified points against iteration for LR+GD with a small and a large step size and the batch perceptron —
// drawn with the LossCurve component the page uses (SVG, under jsdom).
import {JSDOM} from "jsdom";
import {lrGdPerceptronExperiment, metricSeries, resolveParams, runToEnd} from "losslab";
import {LossCurve} from "../../components/lossCurve.ts";
import {armColor} from "../../components/internal/palette.ts";

const p = resolveParams(lrGdPerceptronExperiment.schema, {normalized: false, steps: 300});
const last = await runToEnd(lrGdPerceptronExperiment.live(p));
const {window} = new JSDOM("<!doctype html><body></body>");
const {document} = window;
const colors: Record<string, string> = {
  baseline: armColor("baseline"),
  method: armColor("method"),
  perceptron: armColor("perceptron", 0)
};
const series = metricSeries(last, "misclassified").map((s) => ({
  ...s,
  color: colors[s.role],
  dashed: s.role === "perceptron"
}));
const svg = LossCurve(series, {
  document,
  width: 320,
  height: 160,
  xLabel: "iteration",
  yLabel: "misclassified",
  yScale: "log",
  title: "LR+GD → perceptron notebook preview",
  description: `Misclassified points over ${last.step} iterations: LR+GD with γ = 1 and γ = 1000, and the batch perceptron.`
});
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
