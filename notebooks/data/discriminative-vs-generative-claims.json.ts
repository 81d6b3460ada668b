// Runs the discriminative-vs-generative notebook's claim checks at build time, in Node, through the public package API.
// The checks are studies on host-side Float64 code (src/methods/discriminativeVsGenerative.ts), so they use no TF.js
// backend; the digits claims read data/digits through losslab/node.
import {discriminativeVsGenerativeExperiment} from "losslab";

const results = await discriminativeVsGenerativeExperiment.check();
process.stdout.write(JSON.stringify({backend: "host (Float64)", node: process.version, results}));
