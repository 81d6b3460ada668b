/**
 * TF.js as LossLab uses it: tfjs-core with every gradient and chained op registered and the CPU backend always
 * available (the fallback of last resort). Other backends load on demand in backend/select.ts.
 * Library modules import TF.js from here so that importing any one of them is enough.
 */
import "@tensorflow/tfjs-core/dist/register_all_gradients";
// Some tfjs-core internals (dtype promotion in binary ops, a few gradients) call chained methods such
// as tensor.cast(); the umbrella package registers them, tfjs-core alone does not.
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import "@tensorflow/tfjs-backend-cpu";

export * from "@tensorflow/tfjs-core";
