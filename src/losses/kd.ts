import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {logProbOfLabel} from "./compSum.js";
import {defineLoss} from "./defineLoss.js";
import type {Paper} from "./defineLoss.js";
import {oneHotFloat} from "./masks.js";

const hintonPaper: Paper = {
  title: "Distilling the Knowledge in a Neural Network",
  authors: "Geoffrey Hinton, Oriol Vinyals, Jeff Dean",
  venue: "NIPS Deep Learning Workshop",
  year: 2015,
  url: "https://arxiv.org/abs/1503.02531"
};

/**
 * Per-sample KL(softmax(teacher/T) ‖ softmax(student/T)) = Σ_c p_c (log p_c − log q_c), from
 * log-softmaxes so that neither side is ever log 0 (a teacher probability that underflows multiplies a
 * finite log-ratio). PyTorch's `kl_div(log q, p, reduction="none").sum(1)`; no T² factor here.
 */
export function softKl(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Tensor1D {
  const logQ = tf.logSoftmax(tf.div(student, temperature));
  const logP = tf.logSoftmax(tf.div(teacher, temperature));
  return tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1) as tf.Tensor1D;
}

/**
 * 1 where argmax of the row equals the label (first maximum on ties, as torch.argmax), else 0, as a
 * float32 [B] constant for the gradient tape: argmax is piecewise constant, and TF.js cannot backprop
 * through Equal/Cast, so the comparison runs inside a custom gradient that returns zeros. The caller
 * can then differentiate with respect to the scores that decide the weights (e.g. a jointly trained
 * teacher) without an error.
 */
export const argmaxMatches: (scores: tf.Tensor2D, labels: tf.Tensor1D) => tf.Tensor1D = tf.customGrad(((
  scores: tf.Tensor2D,
  labels: tf.Tensor1D
) => ({
  value: tf.cast(tf.equal(tf.argMax(scores, 1), labels), "float32"),
  gradFunc: () => [tf.zerosLike(scores), tf.zerosLike(labels)]
})) as any) as any;

/**
 * Knowledge distillation (Hinton et al. 2015, §2): α·CE(z, y) + (1 − α)·T²·KL(softmax(t/T) ‖ softmax(z/T)),
 * each part its own term, batch mean ("batchmean": the KL is summed over classes and averaged over
 * samples, as RepDistiller's DistillKL and KD++'s KDLoss). The T² factor keeps the soft-target
 * gradients, which shrink as 1/T², on the scale of the hard-target ones. Defaults T = 4 and α = 0.1
 * (weight 0.9 on the distillation part) are RepDistiller's CIFAR-100 KD recipe (`-r 0.1 -a 0.9`,
 * kd_T = 4); RepDistiller weighs the two parts independently, here they are the convex combination of
 * the paper.
 */
export const kd = defineLoss({
  id: "kd",
  title: "Knowledge distillation (Hinton)",
  family: "distillation",
  paper: hintonPaper,
  code: "HobbitLong/RepDistiller:distiller_zoo/KD.py (DistillKL)",
  schema: defineSchema({
    temperature: {
      type: "number",
      default: 4,
      min: 0.05,
      max: 100,
      step: 0.05,
      scale: "log",
      symbol: "T",
      doc: "softmax temperature of both student and teacher in the distillation part (RepDistiller's kd_T = 4)"
    },
    alpha: {
      type: "number",
      default: 0.1,
      min: 0,
      max: 1,
      step: 0.01,
      symbol: "\\alpha",
      doc: "weight of cross-entropy with the labels; the distillation part gets 1 − α (RepDistiller: 0.1 / 0.9)"
    }
  }),
  needs: ["logits", "labels", "teacherLogits"],
  tex: String.raw`\ell = \alpha\,\bigl(-\log \sigma(z)_y\bigr) + (1-\alpha)\,T^2 \sum_c \sigma(t/T)_c \log\frac{\sigma(t/T)_c}{\sigma(z/T)_c}`,
  cite: "Hinton, Vinyals & Dean 2015, §2 (soft targets, T² scaling); reduction as RepDistiller DistillKL",
  summary:
    "Trains the student on the labels and on the teacher's temperature-softened class distribution, whose relative probabilities of wrong classes carry the teacher's notion of similarity.",
  terms: ({logits, labels, teacherLogits}, {temperature, alpha}) => ({
    ce: {values: tf.mul(logProbOfLabel(logits!, labels!), -alpha), kind: "element"},
    distillation: {
      values: tf.mul(softKl(logits!, teacherLogits!, temperature), (1 - alpha) * temperature * temperature),
      kind: "element"
    }
  })
});

// −log(1e-8): the official BinaryKL code clamps sigmoid outputs to [1e-8, 1 − 1e-8] before the log.
const clampLog = -Math.log(1e-8);

/** log σ(x) floored at log 1e-8, as log(clamp(σ(x), 1e-8, ·)) but computed as −softplus(−x) (no log 0). */
function clampedLogSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.minimum(tf.softplus(tf.neg(x)), clampLog));
}

/**
 * Per-sample Σ_c KL_Bernoulli, the auxiliary head's logit-level loss of DHKD, without the T²/N factor.
 * "binary-kl-norm": KL(½ ‖ σ((z' − t)/T)) = −½ log d − ½ log(1 − d) − log 2, zero iff z' = t.
 * "binary-kl": KL(σ(t/T) ‖ σ(z'/T)) per class. Probabilities are clamped to [1e-8, 1 − 1e-8] as the
 * official code does, through the logs (−softplus), which keeps float32 from reaching log 0: in
 * PyTorch float32 the upper clamp 1 − 1e-8 rounds to 1 and log(1 − d) becomes −∞ once the gap
 * exceeds ≈ 17·T; here both sides saturate symmetrically (zero gradient beyond |gap| ≈ 18.4·T).
 */
export function binaryKlValues(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  temperature: number,
  form: "binary-kl-norm" | "binary-kl"
): tf.Tensor1D {
  if (form === "binary-kl-norm") {
    const x = tf.div(tf.sub(student, teacher), temperature);
    const perClass = tf.sub(tf.mul(tf.add(clampedLogSigmoid(x), clampedLogSigmoid(tf.neg(x))), -0.5), Math.log(2));
    return tf.sum(perClass, 1) as tf.Tensor1D;
  }
  const a = tf.div(teacher, temperature);
  const b = tf.div(student, temperature);
  const logP = clampedLogSigmoid(a);
  const logNotP = clampedLogSigmoid(tf.neg(a));
  const perClass = tf.add(
    tf.mul(tf.exp(logP), tf.sub(logP, clampedLogSigmoid(b))),
    tf.mul(tf.exp(logNotP), tf.sub(logNotP, clampedLogSigmoid(tf.neg(b))))
  );
  return tf.sum(perClass, 1) as tf.Tensor1D;
}

/**
 * Dual-head knowledge distillation (Yang et al. 2024): γ·CE(z, y) on the main head plus
 * α·T²/N·Σ_{i,c} BinaryKL-Norm(z'_ic, t_ic) on a second (auxiliary) head z' that sees the teacher's
 * logits, so that the logit-level loss and cross-entropy no longer fight inside one classifier; batch
 * mean over samples, sum over classes, as the official BinaryKLNorm. Follows the code, not the paper's
 * generic BinaryKL: `--distill dhkd` builds BinaryKLNorm (T = 2), γ = α = 1 (CIFAR-100 quick start).
 * The gradient-alignment option (--ga) is an optimiser step, not part of the loss.
 */
export const dhkd = defineLoss({
  id: "dhkd",
  title: "Dual-head knowledge distillation (BinaryKL-Norm)",
  family: "distillation",
  paper: {
    title: "Dual-Head Knowledge Distillation: Enhancing Logits Utilization with an Auxiliary Head",
    authors: "Penghui Yang, Chen-Chen Zong, Sheng-Jun Huang, Lei Feng, Bo An",
    venue: "arXiv preprint",
    year: 2024,
    url: "https://arxiv.org/abs/2411.08937"
  },
  code: "penghui-yang/DHKD:distiller_zoo/BinaryKLNorm.py",
  schema: defineSchema({
    temperature: {
      type: "number",
      default: 2,
      min: 0.1,
      max: 20,
      step: 0.1,
      scale: "log",
      symbol: "T",
      doc: "temperature of the sigmoid in the logit-level loss (official --BinaryKL_T 2)"
    },
    gamma: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\gamma",
      doc: "weight of cross-entropy on the main head (official -r 1)"
    },
    alpha: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.05,
      symbol: "\\alpha",
      doc: "weight of the logit-level loss on the auxiliary head (official -a 1 on CIFAR-100, 0.1 on ImageNet)"
    },
    form: {
      type: "enum",
      default: "binary-kl-norm",
      options: ["binary-kl-norm", "binary-kl"] as const,
      doc: "binary-kl-norm: KL(½ ‖ σ((z' − t)/T)), what --distill dhkd uses; binary-kl: KL(σ(t/T) ‖ σ(z'/T)) per class"
    }
  }),
  needs: ["logits", "auxLogits", "teacherLogits", "labels"],
  inputs: {
    auxLogits: {
      shape: "[B, C]",
      dtype: "float32",
      values: "real",
      doc: "the student's auxiliary head (fc2), trained only by the logit-level loss; not used at test time"
    }
  },
  tex: String.raw`\ell = \gamma\bigl(-\log\sigma(z)_y\bigr) + \alpha T^2 \sum_c \mathrm{KL}\bigl(\tfrac12 \,\big\|\, s\bigl(\tfrac{z'_c - t_c}{T}\bigr)\bigr),\; \mathrm{KL}(\tfrac12\|d) = -\tfrac12\log d - \tfrac12\log(1-d) - \log 2`,
  cite: "Yang et al. 2024 (DHKD); BinaryKLNorm and train_distill in penghui-yang/DHKD",
  summary:
    "Cross-entropy on the main head and a logit-level (per-class sigmoid) match to the teacher on a separate auxiliary head, so the logit loss helps the shared backbone without collapsing the classifier.",
  terms: ({logits, auxLogits, teacherLogits, labels}, {temperature, gamma, alpha, form}) => ({
    ce: {values: tf.mul(logProbOfLabel(logits!, labels!), -gamma), kind: "element"},
    logitMatch: {
      values: tf.mul(
        binaryKlValues(auxLogits as tf.Tensor2D, teacherLogits!, temperature, form),
        alpha * temperature * temperature
      ),
      kind: "element"
    }
  })
});

// Norms are floored at 1e-12 (inside the square root at 1e-24): a zero embedding gets a finite,
// zero gradient instead of 0/0.
const normFloor = 1e-24;
function rowNorm(x: tf.Tensor2D): tf.Tensor1D {
  return tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1), normFloor)) as tf.Tensor1D;
}

/**
 * Per-sample ND term 1 − ⟨s, e_y⟩ / max(‖s‖, ‖t‖), e_y the unit direction of the teacher's class mean
 * of the label (KD++'s DirectNormLoss.project_center, vectorised: the official loop over samples is
 * the same sum). The max sends the gradient to the larger norm, the student's on ties, as Python's max.
 */
export function ndValues(
  embeddings: tf.Tensor2D,
  teacherEmbeddings: tf.Tensor2D,
  classCenters: tf.Tensor2D,
  labels: tf.Tensor1D
): tf.Tensor1D {
  const directions = tf.div(classCenters, tf.expandDims(rowNorm(classCenters), 1));
  const e = tf.matMul(oneHotFloat(labels, classCenters.shape[0]), directions);
  const projection = tf.sum(tf.mul(embeddings, e), 1);
  const scale = tf.maximum(rowNorm(embeddings), rowNorm(teacherEmbeddings));
  return tf.sub(1, tf.div(projection, scale)) as tf.Tensor1D;
}

/**
 * KD++ (Wang et al., ECCV 2024): λ_cls·CE + λ_kd·T²·KL(teacher ‖ student) + λ_nd·ND, where the ND
 * term 1 − ⟨s, e_y⟩ / max(‖s‖, ‖t‖) aligns the student embedding with the direction e_y of the
 * teacher's class mean and, while the student's norm is below the teacher's, rewards a longer
 * projection on it. Batch mean of each part (ND summed over samples and divided by B, KL batchmean),
 * as train_cifar_kd.py; defaults are its argparse defaults (all weights 1, T = 4); its shell script
 * uses λ_nd between 0.5 and 2 per teacher–student pair, and the official KD warm-up multiplies λ_kd by
 * min(1, epoch/20), which the caller does by setting kdWeight. `embeddings` is what the official
 * code feeds the ND loss: the student's penultimate feature, projected to the teacher's dimension when
 * they differ.
 */
export const nd = defineLoss({
  id: "nd",
  title: "KD++ with the ND (norm and direction) loss",
  family: "distillation",
  paper: {
    title: "Improving Knowledge Distillation via Regularizing Feature Direction and Norm",
    authors: "Yuzhu Wang, Lechao Cheng, Manni Duan, Yongheng Wang, Zunlei Feng, Shu Kong",
    venue: "ECCV",
    year: 2024,
    url: "https://arxiv.org/abs/2305.17007"
  },
  code: "WangYZ1608/Knowledge-Distillation-via-ND:CIFAR/utils.py (DirectNormLoss, KDLoss)",
  schema: defineSchema({
    ndWeight: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\lambda_{nd}",
      doc: "weight of the ND term (official default 1; the CIFAR scripts use 0.5–2 per teacher–student pair)"
    },
    kdWeight: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\lambda_{kd}",
      doc: "weight of the T²-scaled KL distillation term (official default 1; scripts 1–4)"
    },
    clsWeight: {
      type: "number",
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      symbol: "\\lambda_{cls}",
      doc: "weight of cross-entropy with the labels (official 1)"
    },
    temperature: {
      type: "number",
      default: 4,
      min: 0.05,
      max: 100,
      step: 0.05,
      scale: "log",
      symbol: "T",
      doc: "softmax temperature of the KL term (official 4 on CIFAR, 1 on ImageNet)"
    }
  }),
  needs: ["logits", "labels", "teacherLogits", "embeddings", "teacherEmbeddings", "classCenters"],
  inputs: {
    embeddings: {
      shape: "[B, D]",
      dtype: "float32",
      values: "real",
      doc: "the student's penultimate feature, projected to the teacher's dimension D when the two differ"
    },
    teacherEmbeddings: {
      shape: "[B, D]",
      dtype: "float32",
      values: "real",
      doc: "the teacher's penultimate feature of the same samples (a constant: only its norm is used)"
    },
    classCenters: {
      shape: "[C, D]",
      dtype: "float32",
      values: "real",
      doc: "the teacher's mean penultimate feature per class over the training set (eval mode); normalised inside"
    }
  },
  tex: String.raw`\ell = \lambda_{cls}\bigl(-\log\sigma(z)_y\bigr) + \lambda_{kd} T^2\,\mathrm{KL}\bigl(\sigma(t/T)\,\|\,\sigma(z/T)\bigr) + \lambda_{nd}\Bigl(1 - \frac{\langle s, c_y/\lVert c_y\rVert\rangle}{\max(\lVert s\rVert, \lVert s_t\rVert)}\Bigr)`,
  cite: "Wang et al. 2024, ND loss; DirectNormLoss and train_cifar_kd.py in WangYZ1608/Knowledge-Distillation-via-ND",
  summary:
    "Adds to logit distillation a feature term that points the student's embedding at the teacher's class-mean direction and rewards growing its projection up to the teacher's feature norm.",
  terms: (
    {logits, labels, teacherLogits, embeddings, teacherEmbeddings, classCenters},
    {ndWeight, kdWeight, clsWeight, temperature}
  ) => ({
    ce: {values: tf.mul(logProbOfLabel(logits!, labels!), -clsWeight), kind: "element"},
    distillation: {
      values: tf.mul(softKl(logits!, teacherLogits!, temperature), kdWeight * temperature * temperature),
      kind: "element"
    },
    nd: {
      values: tf.mul(
        ndValues(embeddings!, teacherEmbeddings as tf.Tensor2D, classCenters as tf.Tensor2D, labels!),
        ndWeight
      ),
      kind: "element"
    }
  })
});

export const kdLosses = Object.freeze([kd, dhkd, nd] as const);
