// The loss library's documentation, read from the registry itself (ids, inputs, hyper-parameters,
// formulas, papers and official code), so the reference page cannot drift from the code.
import {describeLoss, lossFamilies, losses} from "losslab";

process.stdout.write(JSON.stringify({families: lossFamilies, losses: Object.values(losses).map(describeLoss)}));
