// Card 19's measurable check, run headless on the WASM backend with the same code as the notebook
// (src/experiments/datasetEquity.ts): the generalized focal loss against cross-entropy on long-tailed appearance
// clusters, per-cluster test accuracy after training. The per-seed table is printed; each test asserts the
// verdict this check measured (the card's thresholds: ≥ 5 pp on the three rarest clusters, ≤ 1 pp loss on the
// largest).
import {beforeAll, expect, test} from "vitest";
import {selectBackend} from "../../src/backend/select.js";
import {datasetEquityExperiment} from "../../src/experiments/datasetEquity.js";
import type {ClaimResult} from "../../src/experiments/experiment.js";
import {printClaim} from "./print.js";

beforeAll(async () => {
  expect((await selectBackend({override: "wasm"})).name).toBe("wasm");
});

const print = (r: ClaimResult) => printClaim(r);

test("rare-clusters: the generalized focal loss raises the three rarest clusters' accuracy by ≥ 5 pp over CE", async () => {
  const [result] = await datasetEquityExperiment.check({claims: ["rare-clusters"]});
  print(result);
  expect(result.rows).toHaveLength(5);
  // The up-weighting is at most 2×; the mean gain is positive and most seeds beat CE by the card's 5 pp.
  expect(result.mean).toBeGreaterThan(0);
  expect(result.verdict).toBe("reproduced");
}, 300_000);

test("common-cluster: the largest cluster's accuracy stays within 1 pp of CE's", async () => {
  const [result] = await datasetEquityExperiment.check({claims: ["common-cluster"]});
  print(result);
  expect(result.rows).toHaveLength(5);
  expect(result.mean).toBeGreaterThan(-0.01);
  expect(result.verdict).toBe("reproduced");
}, 300_000);
