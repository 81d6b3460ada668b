import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {logProbOfLabel} from "./compSum.js";
import {defineLoss} from "./defineLoss.js";
import {argmaxMatches, softKl} from "./kd.js";

/**
 * Per-sample focal-distillation values (α + β·1[argmax teacher = y])·D_i, where D_i is
 * "kl": KL(softmax(t/τ) ‖ softmax(z/τ)) (summed over classes, times τ² when `squareTemperature`),
 * "lm": ½·mean_c (z_c − t_c)², or "naive": −log softmax(z)_y with weight 1[old correct] only (α, β
 * unused), as jun-fang/PCT main.py and miccunifi/negative_flip_MPT loss.py compute them.
 */
export function focalDistillationValues(
  logits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  {
    variant,
    alpha,
    beta,
    temperature,
    squareTemperature
  }: {variant: "kl" | "lm" | "naive"; alpha: number; beta: number; temperature: number; squareTemperature: boolean}
): tf.Tensor1D {
  const correct = argmaxMatches(teacherLogits, labels);
  if (variant === "naive") return tf.mul(correct, tf.neg(logProbOfLabel(logits, labels))) as tf.Tensor1D;
  const weight = tf.add(tf.mul(correct, beta), alpha);
  const distance =
    variant === "kl"
      ? tf.mul(softKl(logits, teacherLogits, temperature), squareTemperature ? temperature * temperature : 1)
      : tf.mul(tf.mean(tf.square(tf.sub(logits, teacherLogits)), 1), 0.5);
  return tf.mul(weight, distance) as tf.Tensor1D;
}

/**
 * Focal distillation for positive-congruent training (Yan et al., CVPR 2021, §3.2): cross-entropy on
 * the labels plus a distillation term toward the old model whose per-sample weight α + β·1[old model
 * correct] is larger on the samples the old model classified right, so the update learns not to break
 * them (fewer negative flips). Batch mean of both parts, as the public implementation
 * (jun-fang/PCT main.py): FD-KL sums the KL over classes and multiplies it by τ², FD-LM is ½·mean_c
 * of squared logit differences; α = 1, β = 5, τ = 100 are its defaults. `teacherLogits` are the old
 * model's logits over the same classes.
 */
export const focalDistillation = defineLoss({
  id: "focal-distillation",
  title: "Focal distillation (positive-congruent training)",
  family: "flips",
  paper: {
    title: "Positive-Congruent Training: Towards Regression-Free Model Updates",
    authors: "Sijie Yan, Yuanjun Xiong, Kaustav Kundu, Shuo Yang, Siqi Deng, Meng Wang, Wei Xia, Stefano Soatto",
    venue: "CVPR",
    year: 2021,
    url: "https://arxiv.org/abs/2011.09161"
  },
  code: "jun-fang/PCT:main.py (train, --pct-opt fd-kl | fd-lm | naive)",
  schema: defineSchema({
    variant: {
      type: "enum",
      default: "kl",
      options: ["kl", "lm", "naive"] as const,
      labels: {kl: "FD-KL", lm: "FD-LM", naive: "naive (CE on old-correct samples)"},
      doc: "distance to the old model: KL of softened outputs (FD-KL), squared logit difference (FD-LM), or cross-entropy on old-correct samples only (naive)"
    },
    alpha: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\alpha",
      doc: "weight of the distillation term on every sample (official 1)"
    },
    beta: {
      type: "number",
      default: 5,
      min: 0,
      max: 50,
      step: 0.5,
      symbol: "\\beta",
      doc: "extra weight on samples the old model classifies correctly (official 5); 0 is plain distillation"
    },
    temperature: {
      type: "number",
      default: 100,
      min: 0.1,
      max: 200,
      step: 0.1,
      scale: "log",
      symbol: "\\tau",
      doc: "softmax temperature of FD-KL (official 100; the MPT paper's PCT baseline uses 5)"
    },
    squareTemperature: {
      type: "boolean",
      default: true,
      doc: "multiply FD-KL by τ² as jun-fang/PCT does (miccunifi/negative_flip_MPT's loss.py does not)"
    },
    ceWeight: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\lambda_{ce}",
      doc: "weight of cross-entropy with the labels (official 1: the loss is CE + focal distillation)"
    }
  }),
  needs: ["logits", "labels", "teacherLogits"],
  inputs: {
    teacherLogits: {
      shape: "[B, C]",
      dtype: "float32",
      values: "real",
      doc: "the old model's logits (the model being replaced), over the same classes"
    }
  },
  tex: String.raw`\ell = \lambda_{ce}\bigl(-\log\sigma(z)_y\bigr) + \bigl(\alpha + \beta\,\mathbb 1[\arg\max_c t_c = y]\bigr)\, \tau^2\,\mathrm{KL}\bigl(\sigma(t/\tau)\,\|\,\sigma(z/\tau)\bigr)`,
  cite: "Yan et al. 2021, eq. 4–6 (focal distillation); jun-fang/PCT main.py for reductions and defaults",
  summary:
    "Distils the old model into the new one with extra weight on the samples the old model got right, so that the update keeps them right and users see fewer regressions.",
  terms: ({logits, labels, teacherLogits}, {ceWeight, ...options}) => ({
    ce: {values: tf.mul(logProbOfLabel(logits!, labels!), -ceWeight), kind: "element"},
    distillation: {values: focalDistillationValues(logits!, teacherLogits!, labels!, options), kind: "element"}
  })
});

/**
 * Margin-preserving training (Ricci et al., AAAI 2026) for a model update that adds classes: cross-entropy
 * on logits whose new classes (index ≥ K, the old model's class count) get a bias +b during training
 * only, so that at test time the old classes keep a larger margin against the new ones, plus focal
 * distillation of the first K logits toward the old model and of all logits toward an independently
 * trained new reference model, each weighted by its own teacher's correctness. Follows the official
 * main.py (MPT_KL / MPT_LM), not a single formula of the paper: FD-KL with τ = 5 and no τ², FD-LM
 * scaled by 0.4 per term, the bias added after the distillation terms are computed; each part a batch
 * mean. `distillation: "none"` and `bias: 0` give the code's MPT_nodistillation and *_nobias ablations.
 */
export const marginPreserving = defineLoss({
  id: "margin-preserving",
  title: "Margin-preserving training (MPT)",
  family: "flips",
  paper: {
    title: "Mitigating Negative Flips via Margin Preserving Training",
    authors: "Simone Ricci, Niccolò Biondi, Federico Pernici, Alberto Del Bimbo",
    venue: "AAAI",
    year: 2026,
    url: "https://arxiv.org/abs/2511.08322"
  },
  code: "miccunifi/negative_flip_MPT:main.py (MPT_KL, MPT_LM), loss.py",
  schema: defineSchema({
    bias: {
      type: "number",
      default: 4,
      min: 0,
      max: 20,
      step: 0.1,
      symbol: "b",
      doc: "bias added to the new classes' logits inside the cross-entropy during training (official --b 4); 0 removes it"
    },
    distillation: {
      type: "enum",
      default: "kl",
      options: ["kl", "lm", "none"] as const,
      labels: {kl: "FD-KL (MPT_KL)", lm: "FD-LM (MPT_LM)", none: "none (bias only)"},
      doc: "focal distillation toward the old and the reference model: KL at temperature τ, logit matching, or none"
    },
    temperature: {
      type: "number",
      default: 5,
      min: 0.1,
      max: 200,
      step: 0.1,
      scale: "log",
      symbol: "\\tau",
      doc: "softmax temperature of FD-KL (official 5, without a τ² factor)"
    },
    alpha: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\alpha",
      doc: "distillation weight on every sample (official 1)"
    },
    beta: {
      type: "number",
      default: 5,
      min: 0,
      max: 50,
      step: 0.5,
      symbol: "\\beta",
      doc: "extra distillation weight where that term's teacher classifies the sample correctly (official 5)"
    },
    lmWeight: {
      type: "number",
      default: 0.4,
      min: 0,
      max: 10,
      step: 0.05,
      symbol: "\\lambda_{lm}",
      doc: "factor on each FD-LM term (official 0.4); the FD-KL terms have factor 1"
    }
  }),
  needs: ["logits", "labels", "oldLogits", "teacherLogits"],
  inputs: {
    oldLogits: {
      shape: "[B, K]",
      dtype: "float32",
      values: "real",
      doc: "the old model's logits over its K classes, which are the new model's first K classes (K ≤ C)"
    },
    teacherLogits: {
      shape: "[B, C]",
      dtype: "float32",
      values: "real",
      doc: "an independently trained new reference model's logits over all C classes (plain cross-entropy)"
    }
  },
  tex: String.raw`\ell = -\log\sigma(z + b\,\mathbb 1_{c \ge K})_y + \mathrm{FD}\bigl(z_{<K}, z^{\text{old}}\bigr) + \mathrm{FD}\bigl(z, z^{\text{ref}}\bigr),\; \mathrm{FD}(z, t) = \bigl(\alpha + \beta\,\mathbb 1[\arg\max t = y]\bigr)\,\mathrm{KL}\bigl(\sigma(t/\tau)\,\|\,\sigma(z/\tau)\bigr)`,
  cite: "Ricci et al. 2026 (margin calibration + double-source focal distillation); main.py and loss.py in miccunifi/negative_flip_MPT",
  summary:
    "Biases new-class logits upward during training so that old classes keep their margins at test time, and distils from the old and a reference new model to recover the new classes' confidence.",
  terms: ({logits, labels, oldLogits, teacherLogits}, {bias, distillation, temperature, alpha, beta, lmWeight}) => {
    const z = logits!;
    const old = oldLogits as tf.Tensor2D;
    const [B, C] = z.shape;
    const K = old.shape[1];
    if (K > C) {
      throw new Error(
        `margin-preserving: oldLogits must have at most as many classes as logits (K ≤ C), got [${old.shape}] for logits [${z.shape}]`
      );
    }
    const newClass = tf.tensor2d(
      Float32Array.from({length: C}, (_, c) => (c >= K ? bias : 0)),
      [1, C]
    );
    const terms: Record<string, {values: tf.Tensor; kind: "element"}> = {
      ce: {values: tf.neg(logProbOfLabel(tf.add(z, newClass) as tf.Tensor2D, labels!)), kind: "element"}
    };
    if (distillation === "none") return terms;
    const options = {variant: distillation, alpha, beta, temperature, squareTemperature: false};
    const factor = distillation === "lm" ? lmWeight : 1;
    const oldPart = tf.slice(z, [0, 0], [B, K]) as tf.Tensor2D;
    terms.oldDistillation = {
      values: tf.mul(focalDistillationValues(oldPart, old, labels!, options), factor),
      kind: "element"
    };
    terms.referenceDistillation = {
      values: tf.mul(focalDistillationValues(z, teacherLogits!, labels!, options), factor),
      kind: "element"
    };
    return terms;
  }
});

export const flipDistillationLosses = Object.freeze([focalDistillation, marginPreserving] as const);
