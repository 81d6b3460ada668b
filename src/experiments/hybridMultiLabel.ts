// Placeholder for the hybridMultiLabel notebook (issue 8): its helper fills this module in.
export {};
