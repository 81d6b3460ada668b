// The gallery's list of methods (no TF.js needed on the index page).
import {families, methodPath, methods} from "../../src/catalog.ts";

process.stdout.write(
  JSON.stringify({families, methods: methods.map((m) => ({...m, path: methodPath(m)}))})
);
