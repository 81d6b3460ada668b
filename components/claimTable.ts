import type {ClaimResult} from "../src/experiments/experiment.js";

export interface ClaimTableElement extends HTMLElement {
  update(results: readonly ClaimResult[]): ClaimTableElement;
  destroy(): void;
}

const readLabels = {
  last: "",
  max: " (its best value during training)",
  min: " (its lowest value during training)",
  "max-minus-last": " (drop from its peak to the end of training)",
  "last-minus-min": " (rise from its lowest value to the end of training)",
  custom: ""
};

const verdicts: Record<ClaimResult["verdict"], string> = {
  reproduced: "reproduced at toy scale",
  smaller: "partly: the claimed direction, but a smaller effect than claimed",
  contradicted: "not reproduced: the toy run shows the opposite",
  inconclusive: "not reproduced: inconclusive at toy scale"
};

/**
 * "What the paper claims" next to "what this notebook measured": one row per claim with the mean
 * difference (method − baseline) ± its standard deviation over seeds, how many seeds agree, and a
 * verdict; the per-seed numbers and the exact settings are one click away.
 */
export function ClaimTable(results: readonly ClaimResult[], options: {document?: Document} = {}): ClaimTableElement {
  const document = options.document ?? globalThis.document;
  const root = document.createElement("div") as unknown as ClaimTableElement;
  root.className = "losslab-claims";
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  };
  const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) < 10 ? v.toFixed(3) : v.toPrecision(3)) : String(v));
  const signed = (v: number) => (v > 0 ? "+" : v < 0 ? "−" : "±") + fmt(Math.abs(v));

  root.update = (rs) => {
    root.replaceChildren();
    const table = el("table");
    const caption = el(
      "caption",
      "Each claim is checked headless on several seeds, with the same data for both sides of the comparison; the settings are under each row."
    );
    const head = el("thead");
    const hr = el("tr");
    for (const h of ["What the paper claims", "What this notebook measured", "Verdict"]) hr.append(el("th", h));
    head.append(hr);
    const body = el("tbody");
    for (const r of rs) {
      const tr = el("tr");
      tr.dataset.claim = r.id;
      tr.dataset.verdict = r.verdict;
      const claim = el("td");
      claim.append(el("p", r.text), el("small", r.cite));
      const measured = el("td");
      const what = readLabels[r.read as keyof typeof readLabels] ?? "";
      const after = r.steps > 0 ? ` after ${r.steps} steps` : "";
      const n = r.rows.length;
      const passed =
        r.test === "non-inferiority"
          ? `${r.agree} of ${n} seeds within the margin`
          : r.threshold
            ? `${r.agree} of ${n} seeds ${r.direction} by more than ${fmt(r.threshold)}`
            : `${r.agree} of ${n} seeds ${r.direction}`;
      measured.append(
        el(
          "p",
          `${r.method} − ${r.baseline}, ${r.metricLabel}${what}${after}: ${signed(r.mean)} ± ${fmt(r.sd)} ` +
            `(mean ± sd over ${n} seeds; ${passed}).`
        )
      );
      const test =
        r.test === "non-inferiority"
          ? `Test: non-inferiority, the method may be at most ${fmt(r.margin)} ${r.direction === "higher" ? "lower" : "higher"}.`
          : r.threshold
            ? `Test: the claimed effect, ${r.direction === "higher" ? "higher" : "lower"} by more than ${fmt(r.threshold)}.`
            : "";
      if (test) measured.append(el("p", test, "losslab-claim-test"));
      if (r.note) measured.append(el("p", r.note, "losslab-claim-note"));
      const details = el("details");
      details.append(el("summary", "per seed and settings"));
      const seeds = el("table");
      const sh = el("tr");
      for (const h of ["seed", r.baseline, r.method, "difference"]) sh.append(el("th", h));
      seeds.append(sh);
      for (const row of r.rows) {
        const tr2 = el("tr");
        for (const v of [String(row.seed), fmt(row.baseline), fmt(row.method), signed(row.difference)])
          tr2.append(el("td", v));
        seeds.append(tr2);
      }
      const settings = el(
        "p",
        Object.entries(r.params)
          .map(([k, v]) => `${k} = ${v}`)
          .join(", ")
      );
      settings.className = "losslab-settings";
      details.append(seeds, settings);
      measured.append(details);
      const verdict = el("td", verdicts[r.verdict], `losslab-verdict losslab-verdict-${r.verdict}`);
      tr.append(claim, measured, verdict);
      body.append(tr);
    }
    table.append(caption, head, body);
    root.append(table);
    return root;
  };
  root.destroy = () => root.replaceChildren();
  return root.update(results);
}
