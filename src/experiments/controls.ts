// Controls that most notebooks share, spelled once: a schema takes them as they are (`seed: sharedControls.seed`)
// or, where its defaults differ, writes its own. Each is the same ParamSpec a schema would hold inline.
import type {ParamSpec} from "../params/schema.js";

export const sharedControls = {
  optimizer: {
    group: "Training",
    type: "enum",
    default: "adam",
    options: ["adam", "sgd", "momentum"],
    label: "optimizer",
    doc: "update rule (momentum 0.9)"
  },
  lr: {
    group: "Training",
    type: "number",
    default: 0.01,
    min: 0.0001,
    max: 1,
    scale: "log",
    label: "learning rate",
    doc: "step size"
  },
  batch: {
    group: "Training",
    type: "int",
    default: 64,
    min: 8,
    max: 512,
    step: 8,
    label: "batch size",
    doc: "samples per step"
  },
  depth: {
    group: "Model",
    type: "int",
    default: 2,
    min: 1,
    max: 4,
    label: "depth",
    doc: "hidden layers"
  },
  steps: {
    group: "Training",
    type: "int",
    default: 3000,
    min: 100,
    max: 50000,
    step: 100,
    label: "steps",
    doc: "training stops after this many steps"
  },
  seed: {
    group: "Training",
    type: "int",
    default: 1,
    min: 0,
    max: 999999,
    label: "seed",
    doc: "seeds the data, initial weights and batch order"
  }
} as const satisfies Record<string, ParamSpec>;
