// Placeholder for the protoTripletIcnn notebook (issue 8): its helper fills this module in.
export {};
