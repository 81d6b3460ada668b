// Placeholder for the multiSimilarity notebook (issue 8): its helper fills this module in.
export {};
