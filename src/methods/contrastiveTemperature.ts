// Placeholder for the contrastiveTemperature notebook (issue 8): its helper fills this module in.
export {};
