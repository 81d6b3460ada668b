// Runs the contrastive-temperature notebook's claim checks and its τ sweep at build time, headless in Node on the
// WASM backend, through the public package API. The page shows the claim table and draws the sweep.
import {contrastiveTemperatureExperiment, contrastiveTemperatureSweep, selectBackend} from "losslab";

const backend = await selectBackend({override: "wasm"});
const results = await contrastiveTemperatureExperiment.check();
const sweep = await contrastiveTemperatureSweep();
process.stdout.write(JSON.stringify({backend: backend.name, node: process.version, results, sweep}));
