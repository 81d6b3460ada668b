// Placeholder for the metrix notebook (issue 8): its helper fills this module in.
export {};
