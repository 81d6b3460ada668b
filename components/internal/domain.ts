// Nice upper bounds within a decade: coarse enough that a growing cloud changes the view rarely.
const niceSteps = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest "nice" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) that is ≥ value; 1 for value ≤ 0. */
export function niceCeil(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of niceSteps) {
    const nice = step * power;
    if (nice >= value * (1 - 1e-12)) return nice;
  }
  return 10 * power;
}

export interface AutoExtentOptions {
  /** Padding around the data: the extent aims at maxAbs × (1 + padding). Default 0.08. */
  padding?: number;
  /** Extra head-room taken when the extent grows, so a slowly spreading cloud does not rescale every frame. Default 0.25. */
  headroom?: number;
  /** The extent shrinks only when the data fill less than this fraction of it. Default 0.5. */
  shrinkBelow?: number;
}

/**
 * The symmetric half-extent of an auto-scaled view, with hysteresis: keeps `previous` while the data
 * (largest absolute coordinate `maxAbs`) fit inside it and still fill more than `shrinkBelow` of it;
 * otherwise jumps to a nice bound (with head-room when growing). This keeps a live embedding plot
 * from jittering every frame while still following the data.
 */
export function autoExtent(previous: number | undefined, maxAbs: number, options: AutoExtentOptions = {}): number {
  const {padding = 0.08, headroom = 0.25, shrinkBelow = 0.5} = options;
  const target = maxAbs > 0 && Number.isFinite(maxAbs) ? maxAbs * (1 + padding) : 1;
  if (previous === undefined || !(previous > 0) || !Number.isFinite(previous)) return niceCeil(target);
  if (target > previous) return niceCeil(target * (1 + headroom));
  if (target < previous * shrinkBelow) return niceCeil(target);
  return previous;
}
