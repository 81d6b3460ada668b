// The gallery's preview of the UNPG notebook: a real (short) run of the notebook's default experiment, drawn with the
// GroupHistogram component the page uses (SVG, under jsdom): the similarity of held-out positive and negative pairs
// under UNPG.
import {JSDOM} from "jsdom";
import {resolveParams, runToEnd, selectBackend, train, unpgExperiment, unpgPairSimilarities} from "losslab";
import {GroupHistogram} from "../../components/groupHistogram.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(unpgExperiment.schema, {});
const last = await runToEnd(
  train({
    ...unpgExperiment.setup(p),
    view: {probe: 1000, testEmbeddings: true},
    steps: 150,
    evalEvery: 150,
    stepsPerYield: 50
  })
);
const test = last.arms[1].view.testEmbeddings!;
const {positive, negative} = unpgPairSimilarities(test, last.data.test.y, 3);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const svg = GroupHistogram(
  {
    groups: [
      {key: "pos", label: "same identity", values: positive, color: "#009E73"},
      {key: "neg", label: "different identities", values: negative, color: "#888888"}
    ]
  },
  {
    document,
    width: 320,
    height: 160,
    bins: 24,
    domain: [-1, 1],
    xLabel: "cosine similarity",
    title: "UNPG notebook preview",
    description: `Held-out pair similarities under ${last.arms[1].label} after ${last.step} steps.`
  }
);
svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(svg.outerHTML);
