/**
 * Sequence metrics for recognisers that output text (card [13], handwriting with CTC): Levenshtein edit distance and
 * the corpus-level character and word error rates built on it. Plain TypeScript, no TF.js.
 */

/** A sequence to compare: a string (compared by Unicode code point) or an array of tokens (compared with ===). */
export type Sequence = string | readonly unknown[];

function items(s: Sequence): readonly unknown[] {
  return typeof s === "string" ? Array.from(s) : s;
}

/**
 * Levenshtein distance: the fewest single-item insertions, deletions and substitutions (each of cost 1) that turn
 * `a` into `b`. Strings are split into code points, so an emoji or an astral character counts as one character.
 * Symmetric; O(|a|·|b|) time, O(|b|) memory.
 */
export function editDistance(a: Sequence, b: Sequence): number {
  if ((typeof a !== "string" && !Array.isArray(a)) || (typeof b !== "string" && !Array.isArray(b))) {
    throw new Error(`editDistance: expected two strings or arrays, got ${typeof a} and ${typeof b}`);
  }
  const x = items(a),
    y = items(b);
  let prev = Array.from({length: y.length + 1}, (_, j) => j);
  let row = new Array<number>(y.length + 1);
  for (let i = 1; i <= x.length; ++i) {
    row[0] = i;
    for (let j = 1; j <= y.length; ++j) {
      const substitute = prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1);
      row[j] = Math.min(substitute, prev[j] + 1, row[j - 1] + 1);
    }
    [prev, row] = [row, prev];
  }
  return prev[y.length];
}

function corpus(fn: string, hypotheses: string | readonly string[], references: string | readonly string[]) {
  const hyp = typeof hypotheses === "string" ? [hypotheses] : hypotheses;
  const ref = typeof references === "string" ? [references] : references;
  if (!Array.isArray(hyp) || !Array.isArray(ref)) {
    throw new Error(`${fn}: expected strings or arrays of strings, got ${typeof hypotheses} and ${typeof references}`);
  }
  if (hyp.length !== ref.length) {
    throw new Error(`${fn}: hypotheses has ${hyp.length} entries, expected ${ref.length} (one per reference)`);
  }
  for (let i = 0; i < hyp.length; ++i) {
    if (typeof hyp[i] !== "string") throw new Error(`${fn}: hypotheses[${i}] is ${typeof hyp[i]}, expected a string`);
    if (typeof ref[i] !== "string") throw new Error(`${fn}: references[${i}] is ${typeof ref[i]}, expected a string`);
  }
  return {hyp, ref};
}

/**
 * Character error rate over a corpus: CER = Σ_i editDistance(hyp_i, ref_i) / Σ_i |ref_i| (characters = code points),
 * i.e. edits pooled over the corpus rather than a mean of per-line rates, as jiwer's `cer` and torchmetrics'
 * CharErrorRate compute it. Can exceed 1 when hypotheses are longer than references. With no reference characters:
 * NaN if there are no edits either, Infinity otherwise. Arguments: hypotheses first, references second (a single
 * string each is a one-line corpus).
 */
export function characterErrorRate(
  hypotheses: string | readonly string[],
  references: string | readonly string[]
): number {
  const {hyp, ref} = corpus("characterErrorRate", hypotheses, references);
  let edits = 0,
    length = 0;
  for (let i = 0; i < hyp.length; ++i) {
    edits += editDistance(hyp[i], ref[i]);
    length += Array.from(ref[i]).length;
  }
  return edits / length;
}

/**
 * Word error rate over a corpus: the same pooled ratio as {@link characterErrorRate} on words, where a line's words
 * are its whitespace-separated tokens (leading and trailing whitespace ignored).
 */
export function wordErrorRate(hypotheses: string | readonly string[], references: string | readonly string[]): number {
  const {hyp, ref} = corpus("wordErrorRate", hypotheses, references);
  const words = (s: string) => s.trim().split(/\s+/u).filter(Boolean);
  let edits = 0,
    length = 0;
  for (let i = 0; i < hyp.length; ++i) {
    const r = words(ref[i]);
    edits += editDistance(words(hyp[i]), r);
    length += r.length;
  }
  return edits / length;
}
