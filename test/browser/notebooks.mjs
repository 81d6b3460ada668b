// The live notebooks the browser suite trains, each on wasm and webgpu (SwiftShader), with its own smoke check:
//   "loss-falls": every arm's loss drops below `factor` × its first finite value (default ½);
//   "advances":   data-step reaches `steps` with every arm's loss finite — for losses whose value is not meant to
//                 fall (EnsLoss's surrogate jumps from draw to draw, LDR-KL's values are ≤ 0, a large-step run
//                 oscillates), pages whose run is a study rather than a training run, and losses that drop fast onto a
//                 floor (a contrastive term's), so that the first value the test reads may already be within 2× of it.
// `selectors` must all be present once the check has passed (the claim table, the page's own figures).
// `hash` is the URL state the check runs with (e.g. clean labels, so that a loss can halve).
export const notebooks = [
  {
    path: "/classification/comp-sum",
    hash: "#labelNoise=0",
    smoke: {kind: "loss-falls"},
    selectors: [".losslab-decision-margin"],
    backends: ["wasm", "webgpu", "webgl", "cpu"]
  },
  {
    path: "/classification/inductive-bias",
    smoke: {kind: "advances", steps: 20},
    selectors: [".losslab-decision-margin", ".losslab-loss-curve"]
  },
  {
    path: "/classification/lr-gd-perceptron",
    smoke: {kind: "advances", steps: 40},
    selectors: [".losslab-decision-margin", ".losslab-loss-curve"]
  },
  {
    path: "/classification/discriminative-vs-generative",
    hash: "#dim=10",
    smoke: {kind: "advances", steps: 6},
    selectors: [".losslab-loss-curve"]
  },
  {
    path: "/classification/dataset-equity",
    smoke: {kind: "loss-falls"},
    selectors: [".losslab-group-bars", ".losslab-cluster-weights", ".losslab-decision-margin"]
  },
  {
    path: "/classification/z-loss",
    hash: "#noise=0.1&others=false",
    smoke: {kind: "loss-falls"},
    selectors: [".losslab-decision-margin", ".losslab-zloss-demo table"]
  },
  {
    path: "/classification/dice-loss",
    hash: "#noise=0.3",
    smoke: {kind: "loss-falls"},
    selectors: [".losslab-decision-margin", ".losslab-reliability-diagram"]
  },
  {
    path: "/classification/anyloss",
    smoke: {kind: "advances", steps: 100},
    selectors: [".losslab-decision-margin", ".losslab-anyloss-confusion table", ".losslab-reliability-diagram"]
  },
  {
    path: "/classification/focal-loss",
    smoke: {kind: "loss-falls", factor: 0.6},
    selectors: [".losslab-reliability-diagram", ".losslab-loss-curve"]
  },
  {
    path: "/classification/ldr-kl",
    smoke: {kind: "advances", steps: 40},
    selectors: [".losslab-decision-margin", ".losslab-group-histogram"]
  },
  {path: "/classification/ensloss", smoke: {kind: "advances", steps: 40}, selectors: [".losslab-loss-curve"]},
  {
    path: "/classification/hybrid-multilabel-loss",
    smoke: {kind: "advances", steps: 40},
    selectors: [".losslab-per-class-bars", ".losslab-cooccurrence", ".losslab-embedding-plot", ".losslab-loss-curve"]
  },
  {
    path: "/metric-learning/mlcd",
    smoke: {kind: "loss-falls"},
    selectors: [".losslab-group-histogram", ".losslab-embedding-plot", ".losslab-loss-curve"]
  },
  {
    path: "/metric-learning/multi-similarity",
    smoke: {kind: "advances", steps: 40},
    selectors: [".losslab-embedding-plot", ".losslab-pair-weights", ".losslab-loss-curve"]
  },
  {
    path: "/metric-learning/unpg",
    smoke: {kind: "advances", steps: 40},
    selectors: [".losslab-embedding-sphere", ".losslab-group-histogram", ".losslab-loss-curve"]
  },
  {
    path: "/metric-learning/proto-triplet-icnn",
    smoke: {kind: "advances", steps: 40},
    selectors: [".losslab-embedding-plot", ".losslab-loss-curve", ".losslab-group-histogram"]
  },
  {
    path: "/metric-learning/vatt",
    smoke: {kind: "advances", steps: 40},
    selectors: [".losslab-embedding-plot", ".losslab-loss-curve"]
  },
  {
    path: "/metric-learning/dexml",
    smoke: {kind: "advances", steps: 40},
    selectors: [".losslab-embedding-sphere", ".losslab-group-bars", ".losslab-group-histogram", ".losslab-loss-curve"]
  },
  {
    path: "/metric-learning/mvcnet",
    hash: "#batch=32",
    smoke: {kind: "advances", steps: 20},
    selectors: [".losslab-group-bars", ".losslab-loss-curve"]
  },
  {
    path: "/metric-learning/contrastive-temperature",
    smoke: {kind: "advances", steps: 20},
    selectors: [".losslab-embedding-sphere", ".losslab-loss-curve"]
  },
  {
    path: "/metric-learning/metrix",
    smoke: {kind: "advances", steps: 20},
    selectors: [".losslab-embedding-sphere", ".losslab-loss-curve"]
  }
];
