// The gallery's preview of the Metrix notebook: a real (short) run of the notebook's default twin, the Metrix arm's
// embeddings of the training and the unseen classes drawn with the page's EmbeddingSphere (static SVG, under jsdom).
import {JSDOM} from "jsdom";
import {metrixExperiment, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {EmbeddingSphere} from "../../components/embeddingSphere.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(metrixExperiment.schema, {});
const last = await runToEnd(
  train({
    ...metrixExperiment.setup(p),
    view: {probe: 4000, testEmbeddings: true},
    steps: 300,
    evalEvery: 300,
    stepsPerYield: 100
  })
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const arm = last.arms[1];
const x = new Float32Array([...arm.view.embeddings!, ...arm.view.testEmbeddings!]);
const label = new Int32Array([...Array.from(last.probe, (r) => last.data.train.y[r]), ...last.data.test.y]);
const figure = EmbeddingSphere(
  {classes: last.data.classes, points: {x, label}},
  {
    document,
    renderer: "svg",
    width: 320,
    height: 160,
    pointSize: 3,
    title: "Metrix notebook preview",
    description: `Embeddings of ${arm.label} after ${last.step} steps: training and unseen classes.`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
