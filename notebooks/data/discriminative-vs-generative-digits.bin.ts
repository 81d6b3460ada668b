// The digits dataset's uncompressed bytes (1 797 rows of 64 pixel counts and a label, see data/digits/README.md) for
// the discriminative-vs-generative notebook, which fits its classifiers on them in the browser.
import {readDigitsBytes} from "losslab/node";

process.stdout.write(await readDigitsBytes());
