// Runs the Metrix notebook's claim checks at build time, headless in Node on the WASM backend, through the public
// package API. The page shows this table next to the paper's claims.
import {metrixExperiment, selectBackend} from "losslab";

const backend = await selectBackend({override: "wasm"});
const results = await metrixExperiment.check();
process.stdout.write(JSON.stringify({backend: backend.name, node: process.version, results}));
