/** The contract every LossLab component's element fulfils (STYLE §2 "Component"). */
export interface ComponentElement<D, O> {
  /** Redraws with new data (and optionally new options) in place: keyed joins, no re-created nodes. */
  update(data: D, options?: Partial<O>): this;
  /** Releases listeners, observers and canvases; later updates do nothing. */
  destroy(): void;
}

/** A component: a function from data and options to an element that can update and clean up. */
export type ComponentFunction<D, O, E extends Element = Element> = (
  data: D,
  options?: Partial<O>
) => E & ComponentElement<D, O>;
