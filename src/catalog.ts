/**
 * The methods LossLab covers, one per card in shared/methods/: the gallery, the sidebar and the
 * browser tests all read this list, so a notebook becomes "live" in one place.
 */
export type FamilyId = "classification" | "metric-learning" | "distillation" | "robustness";

export interface FamilyInfo {
  id: FamilyId;
  title: string;
  blurb: string;
}

export const families: readonly FamilyInfo[] = [
  {
    id: "classification",
    title: "Classification losses and theory",
    blurb:
      "What a loss asks of the scores, and what that buys: robustness to noise, imbalance, calibration, consistency."
  },
  {
    id: "metric-learning",
    title: "Metric and contrastive learning",
    blurb: "Losses that shape an embedding space from pairs, triplets and batches of negatives."
  },
  {
    id: "distillation",
    title: "Distillation, calibration and model updates",
    blurb:
      "Teaching one model with another, making confidences honest, updating models without regressions, unlearning."
  },
  {
    id: "robustness",
    title: "Robustness, data and generative models",
    blurb: "Noisy and long-tailed data, aggregate labels, synthetic data and parameter-efficient training."
  }
];

export interface MethodEntry {
  /** Card number in shared/methods/. */
  number: number;
  /** Card file name without number and extension; the page slug. */
  slug: string;
  title: string;
  family: FamilyId;
  /** One line on what the notebook shows. */
  summary: string;
  /** "live" once the notebook exists and passes its browser test. */
  status: "live" | "planned";
}

/** Page path of a method's notebook, e.g. "classification/comp-sum". */
export function methodPath(m: Pick<MethodEntry, "family" | "slug">): string {
  return `${m.family}/${m.slug}`;
}

export const methods: readonly MethodEntry[] = [
  {
    number: 1,
    slug: "mvcnet",
    title: "MVCNet",
    family: "metric-learning",
    status: "live",
    summary:
      "Two encoders and three views of a multi-channel signal, tied together by cross-view and cross-model contrastive terms."
  },
  {
    number: 2,
    slug: "unpg",
    title: "UNPG",
    family: "metric-learning",
    status: "live",
    summary: "Negative pairs drawn from both the batch and the classifier weights, with noisy negatives filtered out."
  },
  {
    number: 3,
    slug: "concept-centric-transformer",
    title: "Concept-Centric Transformer",
    family: "classification",
    status: "planned",
    summary: "A classifier that reads out through attention over a small set of shared concept embeddings."
  },
  {
    number: 4,
    slug: "ldr-kl",
    title: "LDR-KL and ALDR-KL",
    family: "classification",
    status: "live",
    summary:
      "Weigh every class's margin violation by a worst-case label distribution near uniform; under heavy label noise it stops cross-entropy's memorisation."
  },
  {
    number: 5,
    slug: "dexml",
    title: "Decoupled softmax and soft top-k",
    family: "metric-learning",
    status: "live",
    summary:
      "Why softmax makes positives compete in multi-label retrieval, and how decoupling the denominator fixes it."
  },
  {
    number: 6,
    slug: "ensloss",
    title: "EnsLoss",
    family: "classification",
    status: "live",
    summary:
      "A fresh random convex, calibrated loss derivative at every batch, set against logistic, hinge and exponential losses on noisy labels."
  },
  {
    number: 7,
    slug: "sgva-clip",
    title: "SgVA-CLIP",
    family: "metric-learning",
    status: "planned",
    summary: "A small residual adapter on frozen image features, guided by text, for few-shot classification."
  },
  {
    number: 8,
    slug: "ctab-gan-plus",
    title: "CTAB-GAN+",
    family: "robustness",
    status: "planned",
    summary: "A conditional GAN for mixed-type tables, with an optional differentially private discriminator."
  },
  {
    number: 9,
    slug: "vatt",
    title: "VATT: NCE and MIL-NCE",
    family: "metric-learning",
    status: "live",
    summary: "Contrastive alignment of two modalities, with several candidate positives when pairings are loose."
  },
  {
    number: 10,
    slug: "mlcd",
    title: "Multi-label cluster discrimination",
    family: "metric-learning",
    status: "live",
    summary: "Each sample belongs to several cluster centres; positives and negatives enter the loss separately."
  },
  {
    number: 11,
    slug: "degla",
    title: "DeGLA",
    family: "metric-learning",
    status: "planned",
    summary: "Fine-tuning for compositional understanding while a moving-average teacher keeps general knowledge."
  },
  {
    number: 12,
    slug: "dual-head-kd",
    title: "Dual-head knowledge distillation",
    family: "distillation",
    status: "planned",
    summary:
      "A second head takes the logit-level distillation loss so it stops fighting cross-entropy on the same weights."
  },
  {
    number: 13,
    slug: "onhw-ctc",
    title: "Handwriting from pen sensors: CTC vs CE",
    family: "classification",
    status: "planned",
    summary: "Sequence recognition with connectionist temporal classification against per-character cross-entropy."
  },
  {
    number: 14,
    slug: "lr-gd-perceptron",
    title: "Logistic regression with large steps",
    family: "classification",
    status: "live",
    summary:
      "Gradient descent on the logistic loss with huge step sizes separates the data sooner while its loss soars, and in the limit becomes the batch perceptron."
  },
  {
    number: 15,
    slug: "pisa-sr",
    title: "PiSA-SR",
    family: "robustness",
    status: "planned",
    summary:
      "Two adapters trained one after the other — one for fidelity, one for semantics — mixed by sliders at test time."
  },
  {
    number: 16,
    slug: "z-loss",
    title: "Z-loss",
    family: "classification",
    status: "live",
    summary:
      "A loss on standardised scores that ignores shifts and rescalings of the logits, against cross-entropy and the other spherical losses on top-k accuracy."
  },
  {
    number: 17,
    slug: "discriminative-vs-generative",
    title: "Discriminative vs generative classifiers",
    family: "classification",
    status: "live",
    summary:
      "Naive Bayes settles after a few samples; logistic regression needs many more but ends lower when naive Bayes' assumptions fail."
  },
  {
    number: 18,
    slug: "anyloss",
    title: "AnyLoss",
    family: "classification",
    status: "live",
    summary: "Confusion-matrix metrics such as F1 or balanced accuracy, made differentiable and used as losses."
  },
  {
    number: 19,
    slug: "dataset-equity",
    title: "DatasetEquity",
    family: "classification",
    status: "live",
    summary: "Rare-looking samples, found by clustering embeddings, get more weight through a generalised focal loss."
  },
  {
    number: 20,
    slug: "dice-loss",
    title: "Self-adjusting Dice loss",
    family: "classification",
    status: "live",
    summary:
      "Training for the rare class's F1 on 5 %-positive data, and how much of the gain is just a moved threshold."
  },
  {
    number: 21,
    slug: "lost",
    title: "LOST: low-rank plus sparse layers",
    family: "robustness",
    status: "planned",
    summary: "Weights split into a trainable low-rank part and a sparse complement taken from the discarded directions."
  },
  {
    number: 22,
    slug: "metrix",
    title: "Metrix: mixup for metric learning",
    family: "metric-learning",
    status: "live",
    summary: "Mixing inputs, features or embeddings of positives and negatives, with soft pair labels."
  },
  {
    number: 23,
    slug: "nd-kd",
    title: "ND loss for distillation",
    family: "distillation",
    status: "planned",
    summary: "Distillation that aligns student features with the teacher's class directions and rewards large norms."
  },
  {
    number: 24,
    slug: "rcal",
    title: "RCAL",
    family: "robustness",
    status: "planned",
    summary:
      "Class Gaussians estimated robustly in representation space to handle noisy labels and a long tail together."
  },
  {
    number: 25,
    slug: "contrastive-temperature",
    title: "Temperature in contrastive losses",
    family: "metric-learning",
    status: "live",
    summary: "The temperature sets how hard negatives count, trading uniformity of the embedding against tolerance."
  },
  {
    number: 26,
    slug: "proto-triplet-icnn",
    title: "Proto-triplet and ICNN losses",
    family: "metric-learning",
    status: "live",
    summary: "Few-shot episodes where the loss acts on prototypes and on neighbourhood structure directly."
  },
  {
    number: 27,
    slug: "inductive-bias",
    title: "Exact inductive bias",
    family: "classification",
    status: "live",
    summary:
      "How much information beyond the data it takes to pick a well-generalising model: sample trained networks and kernel-model draws, fit the tail of their test errors."
  },
  {
    number: 28,
    slug: "hybrid-multilabel-loss",
    title: "Hybrid multi-label loss",
    family: "classification",
    status: "live",
    summary: "Class weights, a label-correlation term and a contrastive term for imbalanced multi-label data."
  },
  {
    number: 29,
    slug: "comp-sum",
    title: "Comp-sum losses",
    family: "classification",
    status: "live",
    summary:
      "One knob τ runs from sum-exponential through cross-entropy and generalized CE to MAE; watch what it does under label noise, and what a smooth adversarial variant does under attack."
  },
  {
    number: 30,
    slug: "multi-similarity",
    title: "Multi-similarity loss",
    family: "metric-learning",
    status: "live",
    summary:
      "Pairs weighted by their own similarity and by their neighbours', compared with contrastive and triplet losses."
  },
  {
    number: 31,
    slug: "concept-unlearning",
    title: "Concept-based class unlearning",
    family: "distillation",
    status: "planned",
    summary: "Forgetting a class by working on the human concepts that describe it."
  },
  {
    number: 32,
    slug: "mars",
    title: "MARS",
    family: "metric-learning",
    status: "planned",
    summary: "Text-conditioned masked reconstruction and an attribute loss for text-to-person retrieval."
  },
  {
    number: 33,
    slug: "aggregate-responses",
    title: "Bag-level vs instance-level loss",
    family: "robustness",
    status: "planned",
    summary: "Learning from averages over bags of samples: fit the bag mean, or every member to it."
  },
  {
    number: 34,
    slug: "phase-transition-zoo",
    title: "Phase transitions in a model zoo",
    family: "classification",
    status: "planned",
    summary: "Sharpness, mode connectivity and similarity measured across model sizes and training settings."
  },
  {
    number: 35,
    slug: "ca-calibration",
    title: "Correctness-aware calibration",
    family: "distillation",
    status: "planned",
    summary: "A calibration objective that pushes confidence toward whether each prediction is actually right."
  },
  {
    number: 36,
    slug: "focal-loss",
    title: "Focal loss under class imbalance",
    family: "classification",
    status: "live",
    summary: "Down-weighting easy examples against class weighting, and what either does to calibration."
  },
  {
    number: 37,
    slug: "ast-trajectory-matching",
    title: "AST: smooth trajectory matching",
    family: "distillation",
    status: "planned",
    summary: "Distilling a dataset by matching training trajectories of smooth, well-behaved experts."
  },
  {
    number: 38,
    slug: "laf-unlearning",
    title: "Label-agnostic forgetting",
    family: "distillation",
    status: "planned",
    summary: "Unlearning without labels, by steering features of the forget set away from the retained data."
  },
  {
    number: 39,
    slug: "negative-flips-mpt",
    title: "Negative flips: MPT and PCT",
    family: "distillation",
    status: "planned",
    summary: "Keeping an updated model from breaking what the old one got right, by margins and focal distillation."
  }
];
