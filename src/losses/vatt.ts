import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "./defineLoss.js";
import type {Paper, Term} from "./defineLoss.js";

const vattPaper: Paper = {
  title: "VATT: Transformers for Multimodal Self-Supervised Learning from Raw Video, Audio and Text",
  authors: "Hassan Akbari, Liangzhe Yuan, Rui Qian, Wei-Hong Chuang, Shih-Fu Chang, Yin Cui, Boqing Gong",
  venue: "NeurIPS",
  year: 2021,
  url: "https://arxiv.org/abs/2104.11178"
};

const milNcePaper: Paper = {
  title: "End-to-End Learning of Visual Representations from Uncurated Instructional Videos",
  authors: "Antoine Miech, Jean-Baptiste Alayrac, Lucas Smaira, Ivan Laptev, Josef Sivic, Andrew Zisserman",
  venue: "CVPR",
  year: 2020,
  url: "https://arxiv.org/abs/1912.06430"
};

const vattCode = "google-research/google-research:vatt/utils/train/objectives.py (AsymmetricNCE, SymmetricNCE)";

// The official code masks with −1e9 (LARGE_NUM): finite, so a fully masked row gives a finite
// log-sum-exp and a zero (not NaN) gradient once its loss is multiplied by 0.
const large = 1e9;
// tf.math.l2_normalize's floor on the squared norm.
const normEps = 1e-12;

/** Rows scaled to unit L2 norm as TensorFlow's tf.math.l2_normalize does: x · rsqrt(max(Σx², 1e-12)). */
export function l2NormalizeTf<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), normEps))) as T;
}

export type NceVariant = "asymmetric" | "symmetric";

/**
 * The per-sample NCE / MIL-NCE losses between anchors x [B, D] and K candidate positives per sample
 * c [B, K, D], as VATT's objectives compute them. With S_ijl = x̂_i·ĉ_jl/τ, the positives of sample i are
 * {S_iil}; "asymmetric" (VATT's AsymmetricNCE, the released default, and Miech et al.'s MIL-NCE) puts
 * both retrieval directions {S_ijl} ∪ {S_jil} into one log-sum-exp; "symmetric" (SymmetricNCE) gives one
 * loss per direction. A candidate mask [B, K] removes candidates (−1e9) everywhere; samples with no valid
 * candidate are dropped and the batch mean is taken over the valid ones (the code's #total/#valid rescaling).
 * Returns the terms (per-sample values [B]), unreduced.
 */
export function nceTerms(
  anchors: tf.Tensor2D,
  candidates: tf.Tensor3D,
  {
    temperature,
    variant,
    normalize,
    mask
  }: {temperature: number; variant: NceVariant; normalize: boolean; mask?: tf.Tensor2D}
): Record<string, Term> {
  const [B, K, D] = candidates.shape;
  const x = normalize ? l2NormalizeTf(anchors) : anchors;
  const c = normalize ? l2NormalizeTf(candidates) : candidates;
  // S[i, j, l] = x_i · c_jl / τ.
  const S = tf.reshape(tf.div(tf.matMul(x, tf.reshape(c, [B * K, D]), false, true), temperature), [B, B, K]);
  const penalty = mask ? tf.mul(tf.sub(1, mask), large) : undefined; // [B, K], 1e9 on removed candidates
  // Diagonal blocks: the K candidate positives of each sample, [B, K].
  let pos = tf.sum(tf.mul(S, tf.expandDims(tf.eye(B), 2)), 1);
  // Anchor i against every candidate (j, l) of the batch.
  let toOthers: tf.Tensor = S;
  // Every anchor j against the candidates (i, l) of sample i: S[j, i, l] seen from row i.
  let fromOthers: tf.Tensor = tf.transpose(S, [1, 0, 2]);
  if (penalty) {
    pos = tf.sub(pos, penalty);
    toOthers = tf.sub(toOthers, tf.expandDims(penalty, 0));
    fromOthers = tf.sub(fromOthers, tf.expandDims(penalty, 1));
  }
  const lsePos = tf.logSumExp(pos, 1);
  const valid = mask ? tf.cast(tf.greater(tf.sum(mask, 1), 0), "float32") : undefined;
  const term = (values: tf.Tensor): Term =>
    valid ? {values: tf.mul(values, valid), kind: "element", weights: valid} : {values, kind: "element"};
  const rows = (t: tf.Tensor) => tf.reshape(t, [B, B * K]);
  if (variant === "asymmetric") {
    const all = tf.concat([rows(toOthers), rows(fromOthers)], 1);
    return {loss: term(tf.sub(tf.logSumExp(all, 1), lsePos))};
  }
  return {
    anchorToOther: term(tf.sub(tf.logSumExp(rows(toOthers), 1), lsePos)),
    otherToAnchor: term(tf.sub(tf.logSumExp(rows(fromOthers), 1), lsePos))
  };
}

const nceSchema = () =>
  defineSchema({
    temperature: {
      type: "number",
      default: 0.07,
      min: 0.01,
      max: 1,
      step: 0.01,
      scale: "log",
      symbol: "\\tau",
      doc: "divides the cosine similarities; 0.07 in VATT's loss configs"
    },
    variant: {
      type: "enum",
      default: "asymmetric",
      options: ["asymmetric", "symmetric"],
      labels: {
        asymmetric: "asymmetric: both directions in one denominator (VATT default)",
        symmetric: "symmetric: one loss per direction, summed"
      },
      doc: "asymmetric (AsymmetricNCE, VATT's released config) or symmetric (SymmetricNCE)"
    },
    normalize: {
      type: "boolean",
      default: true,
      doc: "L2-normalise both sides first, as VATT does (off with τ = 1 gives Miech et al.'s raw dot products)"
    }
  });

/**
 * VATT's NCE between two modalities (e.g. video–audio): L2-normalised embeddings, cosine similarities over
 * τ = 0.07, the matching pair as positive and every other pairing in the batch as negative (Akbari et al.
 * 2021, §3.3). Follows the official code over the paper: by default AsymmetricNCE, whose single
 * denominator holds both retrieval directions (the positive appears twice); "symmetric" is SymmetricNCE's
 * sum of two per-direction losses. Projection heads are the caller's; the loss only normalises.
 * Reduction: mean over samples (over samples whose `otherMask` is 1 when a mask is given).
 */
export const vattNce = defineLoss({
  id: "vatt-nce",
  title: "VATT NCE (two modalities)",
  family: "metric",
  paper: vattPaper,
  code: vattCode,
  schema: nceSchema(),
  needs: ["embeddings", "otherEmbeddings"],
  inputs: {
    embeddings: {
      shape: "[B, D]",
      dtype: "float32",
      values: "real",
      doc: "first modality (e.g. video), projected into the shared space"
    },
    otherEmbeddings: {
      shape: "[B, D]",
      dtype: "float32",
      values: "real",
      doc: "second modality (e.g. audio) of the same B samples, row i paired with embeddings row i"
    },
    otherMask: {
      shape: "[B]",
      dtype: "float32",
      values: "mask",
      doc: "optional: 0 where the sample has no second modality (VATT's audio_mask); it is left out everywhere"
    }
  },
  tex: String.raw`\ell_i = \log\!\Big(\sum_j e^{s_{ij}/\tau} + \sum_j e^{s_{ji}/\tau}\Big) - \frac{s_{ii}}{\tau},\quad s_{ij} = \hat x_i^{\top}\hat y_j`,
  cite: "Akbari et al. 2021, §3.3; official AsymmetricNCE / SymmetricNCE (vatt/utils/train/objectives.py)",
  summary:
    "Pulls each sample's two modalities together and pushes apart every mismatched pairing in the batch, in both retrieval directions.",
  terms: ({embeddings, otherEmbeddings, otherMask}, {temperature, variant, normalize}) => {
    const other = otherEmbeddings as tf.Tensor2D;
    const [B, D] = other.shape;
    const mask = otherMask ? tf.reshape(otherMask as tf.Tensor, [B, 1]) : undefined;
    return nceTerms(embeddings!, tf.reshape(other, [B, 1, D]), {
      temperature,
      variant,
      normalize,
      mask: mask as tf.Tensor2D | undefined
    });
  }
});

/**
 * MIL-NCE (Miech et al. 2020, eq. 1) as VATT uses it for video–text: each sample has K candidate positives
 * (e.g. neighbouring narrations), scored together as log Σ_k e^{s(x_i, c_ik)/τ} against every pairing of an
 * anchor with another sample's candidates, in both directions. Follows VATT's code (L2-normalised, τ = 0.07,
 * AsymmetricNCE by default); `normalize: false, temperature: 1` gives Miech et al.'s raw dot-product form.
 * With K = 1 it is vatt-nce. Reduction: mean over samples (over samples with a valid candidate when masked).
 */
export const milNce = defineLoss({
  id: "mil-nce",
  title: "MIL-NCE (multiple candidate positives)",
  family: "metric",
  paper: milNcePaper,
  code: vattCode,
  schema: nceSchema(),
  needs: ["embeddings", "candidates"],
  inputs: {
    embeddings: {
      shape: "[B, D]",
      dtype: "float32",
      values: "real",
      doc: "anchor modality (e.g. video clips), projected into the shared space"
    },
    candidates: {
      shape: "[B, K, D]",
      dtype: "float32",
      values: "real",
      doc: "K candidate positives per sample (e.g. K neighbouring captions), all positives of that sample"
    },
    candidateMask: {
      shape: "[B, K]",
      dtype: "float32",
      values: "mask",
      doc: "optional: 0 marks a padded candidate, removed from positives and negatives; an all-0 row drops the sample"
    }
  },
  tex: String.raw`\ell_i = \log\!\Big(\sum_{j,k} e^{s(x_i,c_{jk})/\tau} + \sum_{j,k} e^{s(x_j,c_{ik})/\tau}\Big) - \log \sum_k e^{s(x_i,c_{ik})/\tau}`,
  cite: "Miech et al. 2020, eq. 1; VATT (Akbari et al. 2021) official AsymmetricNCE for video–text",
  summary:
    "Treats a bag of loosely aligned candidates as jointly positive, so misaligned narrations cost less than in single-positive NCE.",
  terms: ({embeddings, candidates, candidateMask}, {temperature, variant, normalize}) =>
    nceTerms(embeddings!, candidates as tf.Tensor3D, {
      temperature,
      variant,
      normalize,
      mask: candidateMask as tf.Tensor2D | undefined
    })
});

export const vattLosses = [vattNce, milNce] as const;
