// @vitest-environment jsdom
import {describe, expect, test} from "vitest";
import {LossReference, codeUrl, matchesQuery} from "../../components/index.js";
import {describeLoss, lossFamilies} from "../../src/losses/defineLoss.js";
import {crossEntropy, generalizedCrossEntropy} from "../../src/losses/compSum.js";
import {snapshotTest} from "../util/snapshot.js";

// Two real registry entries, described as the data loader describes them.
const data = {families: lossFamilies, losses: [crossEntropy, generalizedCrossEntropy].map(describeLoss)};

snapshotTest(function lossReferenceTwoLosses() {
  return LossReference(data, {document});
});

snapshotTest(function lossReferenceFilteredUpdated() {
  const view = LossReference({families: lossFamilies, losses: []}, {document});
  return view.update(data, {query: "noisy"});
});

describe("LossReference", () => {
  test("typing in the filter narrows the cards and fires one bubbling input event", () => {
    const view = LossReference(data, {document});
    let events = 0;
    view.addEventListener("input", () => ++events);
    const box = view.querySelector("input")!;
    box.value = "generalized";
    box.dispatchEvent(new Event("input", {bubbles: true}));
    expect([...view.querySelectorAll("article")].map((a) => a.dataset.loss)).toEqual(["generalized-cross-entropy"]);
    expect(view.value).toBe("generalized");
    expect(events).toBe(1);
    expect(view.querySelector(".losslab-reference-count")!.textContent).toBe("1 of 2 losses");
  });
  test("matchesQuery needs every word, in any field, any case", () => {
    expect(matchesQuery(data.losses[1], "ZHANG noisy")).toBe(true);
    expect(matchesQuery(data.losses[1], "zhang triplet")).toBe(false);
  });
  test("codeUrl links owner/repo:path references and leaves free text alone", () => {
    expect(codeUrl("KevinMusgrave/pytorch-metric-learning:src/losses/x.py")).toBe(
      "https://github.com/KevinMusgrave/pytorch-metric-learning/blob/HEAD/src/losses/x.py"
    );
    expect(codeUrl("the paper's appendix")).toBeNull();
  });
  test("describeLoss lists the inputs a loss reads, required or optional", () => {
    const ce = describeLoss(crossEntropy);
    expect(Object.keys(ce.inputs).sort()).toEqual(["classWeights", "labels", "logits"]);
    expect(ce.inputs.labels.required).toBe(true);
    expect(ce.inputs.classWeights.required).toBe(false);
    expect(JSON.parse(JSON.stringify(ce))).toEqual(ce);
  });
});
