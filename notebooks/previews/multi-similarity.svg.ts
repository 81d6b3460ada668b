// The gallery's preview of the multi-similarity notebook: a real (short) run of the notebook's default experiment,
// drawn with the same EmbeddingPlot component the page uses (SVG renderer, under jsdom): the method's training
// embedding on the unit circle with the pairs its miner kept in the last batch.
import {JSDOM} from "jsdom";
import {
  embeddingView,
  multiSimilarityArmKind,
  multiSimilarityDemoBatch,
  multiSimilarityExperiment,
  multiSimilaritySampler,
  resolveParams,
  runToEnd,
  selectBackend,
  train
} from "losslab";
import {EmbeddingPlot} from "../../components/embeddingPlot.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(multiSimilarityExperiment.schema, {});
const last = await runToEnd(
  train({...multiSimilarityExperiment.setup(p), view: {probe: 1000}, steps: 60, evalEvery: 60, stepsPerYield: 20})
);
const batch = multiSimilarityDemoBatch(last, 1, multiSimilarityArmKind(p, "ms"), multiSimilaritySampler(p));
const view = embeddingView(last, 1, {normalized: true});
const {document} = new JSDOM("<!doctype html><body></body>").window;
const figure = EmbeddingPlot(view && {...view, pairs: batch?.pairs}, {
  document,
  renderer: "svg",
  width: 320,
  height: 160,
  domain: 1.15,
  maxPairs: 150,
  title: "Multi-similarity notebook preview",
  description: `Training embedding of ${last.arms[1].label} after ${last.step} steps, with the pairs its miner kept.`
});
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
