// One counter per document: ids are unique within a page, and a fresh document (a test) starts from 1,
// so generated ids are deterministic. The map is weak, so documents are not kept alive.
const counters = new WeakMap<Document, number>();

/** A document-unique id such as "losslab-clip-3", for clip paths and title/desc references. */
export function uniqueId(document: Document, prefix = "losslab"): string {
  const n = (counters.get(document) ?? 0) + 1;
  counters.set(document, n);
  return `${prefix}-${n}`;
}
