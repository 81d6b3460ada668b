import type {TrainEvent} from "./train.js";

/**
 * Pure transforms from trainer events to the plain data the components draw. They keep pages thin and
 * are the "view hook" between src/ (which knows runs) and components/ (which know nothing of TF.js).
 */

/** One curve: x and y arrays with a label and the arm's role (which sets its colour). */
export interface Series {
  key: string;
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  role: string;
  dashed?: boolean;
}

/** Each arm's training-batch loss against step (every step is recorded). */
export function lossSeries(e: TrainEvent): Series[] {
  return e.arms.map((arm, i) => ({
    key: `${arm.id}-loss`,
    label: arm.label,
    x: e.history.step,
    y: e.history.loss[i],
    role: arm.role
  }));
}

/**
 * A metric against step for each arm, at evaluation steps. With `dashed`, a second metric per arm is
 * drawn dashed (e.g. test accuracy solid, train accuracy dashed).
 */
export function metricSeries(
  e: TrainEvent,
  metric: string,
  dashed?: {metric: string; suffix: string},
  suffix = ""
): Series[] {
  const out: Series[] = [];
  e.arms.forEach((arm, i) => {
    const values = e.history.metrics[metric]?.[i];
    if (values)
      out.push({
        key: `${arm.id}-${metric}`,
        label: `${arm.label}${suffix}`,
        x: e.history.evalStep,
        y: values,
        role: arm.role
      });
    const other = dashed && e.history.metrics[dashed.metric]?.[i];
    if (dashed && other) {
      out.push({
        key: `${arm.id}-${dashed.metric}`,
        label: `${arm.label}${dashed.suffix}`,
        x: e.history.evalStep,
        y: other,
        role: arm.role,
        dashed: true
      });
    }
  });
  return out;
}

/**
 * Decision regions of one arm over the grid, with the training points (noisy label shown, true label kept). With
 * `maxPoints`, every k-th point only (small static figures such as the gallery's previews).
 */
export function decisionView(e: TrainEvent, arm: number, options: {maxPoints?: number} = {}) {
  const a = e.arms[arm];
  if (!e.grid || !a?.view.probs) return null;
  const t = e.data.train;
  const k = options.maxPoints && t.n > options.maxPoints ? Math.ceil(t.n / options.maxPoints) : 1;
  const every = <T extends Float32Array | Int32Array>(values: T, width = 1): T =>
    (k === 1 ? values : values.filter((_, i) => Math.floor(i / width) % k === 0)) as T;
  return {
    classes: e.data.classes,
    grid: e.grid,
    probs: a.view.probs,
    margin: a.view.margin,
    points: {x: every(t.x, 2), label: every(t.y), clean: every(t.yClean), ids: every(t.ids)}
  };
}

/** The 2-D embeddings of the probe samples for one arm (null when the model has no 2-D embedding). */
export function embeddingView(e: TrainEvent, arm: number, options: {normalized?: boolean} = {}) {
  const a = e.arms[arm];
  const emb = a?.view.embeddings;
  if (!emb || emb.length !== e.probe.length * 2) return null;
  const t = e.data.train;
  const label = Int32Array.from(e.probe, (i) => t.y[i]);
  const ids = Int32Array.from(e.probe, (i) => t.ids[i]);
  return {
    classes: e.data.classes,
    points: {x: emb, label, ids, predicted: a.view.probePredictions},
    normalized: options.normalized
  };
}
