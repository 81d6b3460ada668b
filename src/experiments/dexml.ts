// Placeholder for the dexml notebook (issue 8): its helper fills this module in.
export {};
