// Placeholder for the mvcnet notebook (issue 8): its helper fills this module in.
export {};
