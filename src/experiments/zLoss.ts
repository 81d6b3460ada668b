// The notebook experiment (filled in with the notebook).
export {};
