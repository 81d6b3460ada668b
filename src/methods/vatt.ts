// Placeholder for the vatt notebook (issue 8): its helper fills this module in.
export {};
