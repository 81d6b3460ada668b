// The per-seed table a claim test prints beside its assertions (the same rows the notebook's claim table shows).
import type {ClaimResult} from "../../src/experiments/experiment.js";

/** Logs a claim result: its metric, steps, time, mean difference and verdict, then one line per seed. */
export function printClaim(r: ClaimResult, digits = 3): void {
  const f = (v: number) => v.toFixed(digits);
  const rows = r.rows.map(
    (x) => `  seed ${x.seed}: ${r.baseline} ${f(x.baseline)}  ${r.method} ${f(x.method)}  Δ ${f(x.difference)}`
  );
  console.log(
    `${r.id} (${r.metricLabel}, ${r.steps} steps, ${r.seconds.toFixed(1)} s): mean Δ ${f(r.mean)} ± ${f(r.sd)}, ${r.agree}/${r.rows.length} agree → ${r.verdict}\n${rows.join("\n")}`
  );
}
