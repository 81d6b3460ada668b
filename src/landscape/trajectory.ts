import type {Plane} from "./directions.js";
import {paramDot, paramNorm} from "./params.js";

/** Checkpoints in plane coordinates, with how far each lies off the plane. */
export interface TrajectoryProjection {
  a: Float64Array;
  b: Float64Array;
  /** ‖(θ_t − origin) − (a_t·d1 + b_t·d2)‖: the distance from θ_t to the plane (0 for points in it). */
  residual: Float64Array;
  /** residual / ‖θ_t − origin‖ (0 at the origin): the fraction of the displacement the picture cannot show. */
  relativeResidual: Float64Array;
}

/**
 * Projects checkpoints onto a plane: the coordinates c = (a, b) minimising ‖(θ_t − origin) − [d1 d2]c‖, i.e. the
 * solution of the 2×2 normal equations [d1 d2]ᵀ[d1 d2] c = [d1 d2]ᵀ(θ_t − origin), solved through a Gram–Schmidt
 * (QR) factorisation of [d1 d2] for accuracy when d1 and d2 are far from orthogonal. Exact (to rounding) for points
 * in the plane; the residual says how far off-plane each checkpoint is, so a view can say how faithful the drawn
 * path is (a PCA plane keeps it small; a random plane usually does not).
 */
export function projectTrajectory(
  points: readonly ArrayLike<number>[],
  plane: Pick<Plane, "origin" | "d1" | "d2">
): TrajectoryProjection {
  const {origin, d1, d2} = plane;
  const P = origin.length;
  if (d1.length !== P || d2.length !== P) throw new Error("projectTrajectory: origin, d1 and d2 differ in length");
  // [d1 d2] = [e1 e2] R with R = [[n1, r12], [0, n2]].
  const n1 = paramNorm(d1);
  if (!(n1 > 0)) throw new Error("projectTrajectory: degenerate plane (d1 = 0)");
  const e1 = d1.map((x) => x / n1);
  const r12 = paramDot(e1, d2);
  const perp = d2.map((x, i) => x - r12 * e1[i]);
  const n2 = paramNorm(perp);
  if (!(n2 > 1e-12 * Math.max(n1, paramNorm(d2)))) {
    throw new Error("projectTrajectory: degenerate plane (d2 is parallel to d1)");
  }
  const e2 = perp.map((x) => x / n2);
  const T = points.length;
  const out: TrajectoryProjection = {
    a: new Float64Array(T),
    b: new Float64Array(T),
    residual: new Float64Array(T),
    relativeResidual: new Float64Array(T)
  };
  const x = new Float64Array(P);
  points.forEach((theta, t) => {
    if (theta.length !== P)
      throw new Error(`projectTrajectory: checkpoint ${t} has ${theta.length} values, expected ${P}`);
    for (let i = 0; i < P; ++i) x[i] = theta[i] - origin[i];
    const p1 = paramDot(e1, x),
      p2 = paramDot(e2, x);
    const b = p2 / n2;
    const a = (p1 - r12 * b) / n1;
    let r = 0;
    for (let i = 0; i < P; ++i) {
      const e = x[i] - p1 * e1[i] - p2 * e2[i];
      r += e * e;
    }
    const length = paramNorm(x);
    out.a[t] = a;
    out.b[t] = b;
    out.residual[t] = Math.sqrt(r);
    out.relativeResidual[t] = length > 0 ? Math.sqrt(r) / length : 0;
  });
  return out;
}
