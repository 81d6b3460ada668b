/**
 * The loss-landscape engine: planes through parameter space (filter-normalised random, through checkpoints, PCA of
 * the trajectory), batched 1-D and 2-D slices, trajectory projection and sharpness (Li et al. 2018).
 */
export * from "./params.js";
export * from "./directions.js";
export * from "./slice.js";
export * from "./trajectory.js";
export * from "./sharpness.js";
