// Placeholder for the unpg notebook (issue 8): its helper fills this module in.
export {};
