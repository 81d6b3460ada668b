// The gallery's preview of the DatasetEquity notebook: a real (short) run of the notebook's default
// experiment, its per-cluster test accuracy drawn with the same GroupBars component the page uses (under jsdom).
import {JSDOM} from "jsdom";
import {
  datasetEquityExperiment,
  datasetEquityGroupView,
  datasetEquityGroups,
  datasetEquitySetup,
  resolveParams,
  runToEnd,
  selectBackend,
  train
} from "losslab";
import {GroupBars} from "../../components/groupBars.ts";

await selectBackend({override: "wasm"});
const p = resolveParams(datasetEquityExperiment.schema, {});
const {data, plan} = datasetEquitySetup(p);
const last = await runToEnd(
  train({...datasetEquityExperiment.setup(p), steps: 600, evalEvery: 600, stepsPerYield: 100})
);
const {document} = new JSDOM("<!doctype html><body></body>").window;
const view = datasetEquityGroupView(last, datasetEquityGroups(data, plan));
const figure = GroupBars(
  {...view, groups: view.groups.map((g) => ({label: g.label.split(" ")[0]}))},
  {
    document,
    width: 320,
    height: 160,
    yLabel: "accuracy",
    format: (v) => (100 * v).toFixed(0),
    title: "DatasetEquity notebook preview",
    description: `Test accuracy per appearance cluster, rarest first, of cross-entropy and the generalized focal loss after ${last.step} steps.`
  }
);
figure.setAttribute("xmlns", "http://www.w3.org/2000/svg");
process.stdout.write(figure.outerHTML);
