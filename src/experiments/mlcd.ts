// Placeholder for the mlcd notebook (issue 8): its helper fills this module in.
export {};
