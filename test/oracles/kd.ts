/**
 * Float64 references for the distillation losses, written as plain loops from the definitions and the
 * official code (RepDistiller DistillKL, DHKD BinaryKL / BinaryKLNorm, KD++ DirectNormLoss). Row-major
 * [B, C] arrays. Never bundled; used by the tests only.
 */

/** log softmax(x_i / T) of row i. */
export function logSoftmaxRow(x: ArrayLike<number>, classes: number, row: number, temperature = 1): number[] {
  const z: number[] = [];
  for (let k = 0; k < classes; ++k) z.push(x[row * classes + k] / temperature);
  const max = Math.max(...z);
  let s = 0;
  for (const v of z) s += Math.exp(v - max);
  const logZ = max + Math.log(s);
  return z.map((v) => v - logZ);
}

/** KL(softmax(t/T) ‖ softmax(z/T)) of row i, summed over classes (no T²). */
export function klRow(
  student: ArrayLike<number>,
  teacher: ArrayLike<number>,
  classes: number,
  row: number,
  temperature: number
): number {
  const logQ = logSoftmaxRow(student, classes, row, temperature);
  const logP = logSoftmaxRow(teacher, classes, row, temperature);
  let kl = 0;
  for (let k = 0; k < classes; ++k) kl += Math.exp(logP[k]) * (logP[k] - logQ[k]);
  return kl;
}

/** −log softmax(z)_y of row i. */
export function ceRow(logits: ArrayLike<number>, classes: number, row: number, label: number): number {
  return -logSoftmaxRow(logits, classes, row)[label];
}

/** Hinton KD: mean_i [α CE_i + (1 − α) T² KL_i]. */
export function kdOracle(
  logits: ArrayLike<number>,
  teacher: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  temperature: number,
  alpha: number
): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; ++i) {
    total += alpha * ceRow(logits, classes, i, labels[i]);
    total += (1 - alpha) * temperature * temperature * klRow(logits, teacher, classes, i, temperature);
  }
  return total / n;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp = (p: number, eps = 1e-8) => Math.min(Math.max(p, eps), 1 - eps);

/** PyTorch's KLDivLoss(reduction="none")(log q, p) for one Bernoulli outcome: p (log p − log q). */
const klTerm = (p: number, q: number) => (p === 0 ? 0 : p * (Math.log(p) - Math.log(q)));

/**
 * Σ_{i,c} of the official BinaryKL / BinaryKLNorm element losses, then T² / N: the probabilities are
 * clamped to [1e-8, 1 − 1e-8] exactly as the code writes it (in float64 the upper clamp is not 1).
 */
export function binaryKlOracle(
  student: ArrayLike<number>,
  teacher: ArrayLike<number>,
  classes: number,
  temperature: number,
  form: "binary-kl-norm" | "binary-kl"
): number {
  const n = student.length / classes;
  let total = 0;
  for (let i = 0; i < n; ++i) {
    for (let c = 0; c < classes; ++c) {
      const s = student[i * classes + c];
      const t = teacher[i * classes + c];
      if (form === "binary-kl-norm") {
        const d = clamp(sigmoid((s - t) / temperature));
        total += klTerm(0.5, d) + klTerm(0.5, 1 - d);
      } else {
        const q = clamp(sigmoid(s / temperature));
        const p = clamp(sigmoid(t / temperature));
        total += klTerm(p, q) + klTerm(1 - p, 1 - q);
      }
    }
  }
  return (temperature * temperature * total) / n;
}

/** DHKD: γ·mean CE(main head) + α·BinaryKL(-Norm)(aux head, teacher). */
export function dhkdOracle(
  logits: ArrayLike<number>,
  auxLogits: ArrayLike<number>,
  teacher: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  {temperature = 2, gamma = 1, alpha = 1, form = "binary-kl-norm" as "binary-kl-norm" | "binary-kl"} = {}
): number {
  const n = labels.length;
  let ce = 0;
  for (let i = 0; i < n; ++i) ce += ceRow(logits, classes, i, labels[i]);
  return (gamma * ce) / n + alpha * binaryKlOracle(auxLogits, teacher, classes, temperature, form);
}

function norm(x: ArrayLike<number>, offset: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; ++d) s += x[offset + d] ** 2;
  return Math.sqrt(s);
}

/** KD++'s DirectNormLoss: (1/B) Σ_i [1 − ⟨s_i, c_y/‖c_y‖⟩ / max(‖s_i‖, ‖t_i‖)], one sample at a time. */
export function ndTermOracle(
  embeddings: ArrayLike<number>,
  teacherEmbeddings: ArrayLike<number>,
  centers: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number
): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; ++i) {
    const y = labels[i];
    const cNorm = norm(centers, y * dim, dim);
    let dot = 0;
    for (let d = 0; d < dim; ++d) dot += (embeddings[i * dim + d] * centers[y * dim + d]) / cNorm;
    const maxNorm = Math.max(norm(embeddings, i * dim, dim), norm(teacherEmbeddings, i * dim, dim));
    total += 1 - dot / maxNorm;
  }
  return total / n;
}

/** KD++: λ_cls·CE + λ_kd·T²·KL (batchmean) + λ_nd·ND. */
export function ndOracle(
  inputs: {
    logits: ArrayLike<number>;
    teacherLogits: ArrayLike<number>;
    labels: ArrayLike<number>;
    embeddings: ArrayLike<number>;
    teacherEmbeddings: ArrayLike<number>;
    classCenters: ArrayLike<number>;
  },
  classes: number,
  dim: number,
  {ndWeight = 1, kdWeight = 1, clsWeight = 1, temperature = 4} = {}
): number {
  const {logits, teacherLogits, labels} = inputs;
  const n = labels.length;
  let ce = 0,
    kl = 0;
  for (let i = 0; i < n; ++i) {
    ce += ceRow(logits, classes, i, labels[i]);
    kl += klRow(logits, teacherLogits, classes, i, temperature);
  }
  const ndTerm = ndTermOracle(inputs.embeddings, inputs.teacherEmbeddings, inputs.classCenters, labels, dim);
  return (clsWeight * ce) / n + (kdWeight * temperature * temperature * kl) / n + ndWeight * ndTerm;
}
