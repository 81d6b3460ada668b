export interface DownsampleOptions {
  /** The x interval that maps onto the buckets (the visible domain). */
  x0: number;
  x1: number;
  /** Number of columns, normally one per pixel of plot width. */
  buckets: number;
  /** Which y values are drawn; others break the line. Default: finite values. */
  defined?: (y: number) => boolean;
}

/** The marker for a gap in the index list returned by downsampleMinMax. */
export const gap = -1;

/**
 * Min–max decimation for streaming line charts. It splits [x0, x1] into `buckets` columns and, for
 * each run of consecutive points that fall in one column, keeps the first, the lowest, the highest
 * and the last, in their original order: a line through the kept points covers the same pixels as
 * one through all of them, so spikes survive and neighbouring columns stay joined. Points whose y is
 * not defined (or whose x is not finite) break the line and appear once as `gap` (−1). Returns
 * indices into x and y; x should be non-decreasing (otherwise less is dropped, nothing is lost).
 */
export function downsampleMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  {x0, x1, buckets, defined = Number.isFinite}: DownsampleOptions
): Int32Array {
  const n = Math.min(x.length, y.length);
  const columns = Math.max(1, Math.floor(buckets));
  const scale = x1 > x0 ? columns / (x1 - x0) : 0;
  const out: number[] = [];
  let column = NaN;
  let first = -1;
  let low = -1;
  let high = -1;
  let last = -1;
  const flush = (): void => {
    if (first < 0) return;
    out.push(first);
    const a = Math.min(low, high);
    const b = Math.max(low, high);
    if (a !== first) out.push(a);
    if (b !== a && b !== first) out.push(b);
    if (last !== b && last !== first) out.push(last);
    first = -1;
  };
  for (let i = 0; i < n; ++i) {
    const xi = x[i];
    const yi = y[i];
    if (!Number.isFinite(xi) || !defined(yi)) {
      flush();
      column = NaN;
      if (out.length > 0 && out[out.length - 1] !== gap) out.push(gap);
      continue;
    }
    // Points left or right of the domain share one column each side; the clip path hides them.
    const c = Math.max(-1, Math.min(columns, Math.floor((xi - x0) * scale)));
    if (c !== column || first < 0) {
      flush();
      column = c;
      first = low = high = last = i;
    } else {
      if (yi < y[low]) low = i;
      if (yi > y[high]) high = i;
      last = i;
    }
  }
  flush();
  if (out.length > 0 && out[out.length - 1] === gap) out.pop();
  return Int32Array.from(out);
}
