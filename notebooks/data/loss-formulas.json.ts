// Every registered loss's formula as the HTML that tex(…, {display: true}) builds, rendered with KaTeX
// at build time: a notebook shows its loss's formula from the registry without loading KaTeX.
import {losses} from "losslab";
import {texHtml} from "../../components/internal/tex.ts";

const formulas = Object.fromEntries(Object.values(losses).map((loss) => [loss.id, texHtml(loss.tex, {display: true})]));
process.stdout.write(JSON.stringify(formulas));
