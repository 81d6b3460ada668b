// Runs the VATT notebook's claim checks at build time, headless in Node on the WASM backend,
// through the public package API. The page shows this table next to the paper's claims.
import {vattExperiment, selectBackend} from "losslab";

const backend = await selectBackend({override: "wasm"});
const results = await vattExperiment.check();
process.stdout.write(JSON.stringify({backend: backend.name, node: process.version, results}));
