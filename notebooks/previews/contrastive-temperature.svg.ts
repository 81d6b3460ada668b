// The gallery's preview of the contrastive-temperature notebook: a real (short) run of the notebook's default twin,
// the large-τ arm's held-out embeddings drawn with the page's EmbeddingSphere (its static SVG projection, under jsdom).
import {JSDOM} from "jsdom";
import {contrastiveTemperatureExperiment, resolveParams, runToEnd, selectBackend, train} from "losslab";
import {EmbeddingSphere} from "../../components/embeddingSphere.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(contrastiveTemperatureExperiment.schema, {});
const last = await runToEnd(
  train({
    ...contrastiveTemperatureExperiment.setup(p),
    view: {probe: 1, testEmbeddings: true},
    steps: 300,
    evalEvery: 300,
    stepsPerYield: 100
  })
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const arm = last.arms[1];
const figure = EmbeddingSphere(
  {classes: last.data.classes, points: {x: arm.view.testEmbeddings!, label: last.data.test.y}},
  {
    document,
    renderer: "svg",
    width: 320,
    height: 160,
    pointSize: 3,
    title: "InfoNCE temperature notebook preview",
    description: `Held-out embeddings of ${arm.label} after ${last.step} steps, coloured by latent class.`
  }
);
const svg = figure.matches("svg") ? figure : figure.querySelector("svg")!;
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
