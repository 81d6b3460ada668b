// The gallery's preview of the Proto-Triplet + ICNN notebook: a real (short) run of the notebook's default experiment,
// one test episode of unseen classes in the method's 2-D embedding, drawn with the EmbeddingPlot the page uses.
import {JSDOM} from "jsdom";
import {
  protoTripletIcnnEpisodeView,
  protoTripletIcnnExperiment,
  resolveParams,
  runToEnd,
  selectBackend,
  train
} from "losslab";
import {EmbeddingPlot} from "../../components/embeddingPlot.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(protoTripletIcnnExperiment.schema, {});
const last = await runToEnd(
  train({
    ...protoTripletIcnnExperiment.setup(p),
    view: {testEmbeddings: true},
    steps: 300,
    evalEvery: 300,
    stepsPerYield: 100
  })
);
const arm = last.arms[1];
const view = protoTripletIcnnEpisodeView(
  {x: arm.view.testEmbeddings!, y: last.data.test.y, dims: p.embed},
  {ways: p.ways, shots: p.shots, queries: p.queries, seed: p.seed, normalize: p.normalize}
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const figure = EmbeddingPlot(
  {classes: view.classes, points: view.points, weights: view.weights, pairs: view.pairs},
  {
    document,
    renderer: "svg",
    width: 320,
    height: 200,
    title: "Proto-Triplet + ICNN notebook preview",
    description: `One 5-way 5-shot episode of unseen classes in the embedding of ${arm.label} after ${last.step} training episodes.`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
