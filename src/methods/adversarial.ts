// Method-specific code of one notebook (filled in with the notebook).
export {};
