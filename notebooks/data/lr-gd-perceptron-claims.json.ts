// Runs the LR+GD → perceptron notebook's claim checks at build time, in Node, through the public package API. The
// checks are studies on host-side Float64 code (src/methods/lrGdPerceptron.ts), so they use no TF.js backend.
import {lrGdPerceptronExperiment} from "losslab";

const results = await lrGdPerceptronExperiment.check();
process.stdout.write(JSON.stringify({backend: "host (Float64)", node: process.version, results}));
