// Card 26 (SuSana: Proto-Triplet and ICNN losses for few-shot metric learning): the ProtoNet baseline loss, the
// combined ProtoNet + α·Proto-Triplet + β·ICNN loss, and the few-shot evaluation on classes never trained on
// (seeded test episodes, nearest-prototype accuracy with a 95 % interval, the hard k-NN ICNN score, one episode drawn
// for the embedding plot). Plain float64 on the host except the two losses.
import * as tf from "../tf.js";
import {defineSchema} from "../params/schema.js";
import {defineLoss} from "../losses/defineLoss.js";
import {episode, episodeInputs, icnn, protoNetValues, protoTriplet} from "../losses/protoTriplet.js";
import {random} from "../random.js";

/**
 * Prototypical networks' loss (Snell et al. 2017, eq. 1–2): each query's cross-entropy over −d(q, c_k), the squared
 * Euclidean distances to its episode's class prototypes (means of the support embeddings). The registry's Proto-Triplet
 * and ICNN losses both contain this term; this is the term alone, the paper's baseline. `normalize` L2-normalises the
 * embeddings first (off in Snell et al.; on here by default so that the three losses see the same geometry).
 */
export const protoTripletIcnnProtoNet = defineLoss({
  id: "protonet",
  title: "Prototypical networks (ProtoNet)",
  family: "metric",
  paper: {
    title: "Prototypical Networks for Few-shot Learning",
    authors: "Jake Snell, Kevin Swersky, Richard Zemel",
    venue: "NeurIPS",
    year: 2017,
    url: "https://arxiv.org/abs/1703.05175"
  },
  code: "jakesnell/prototypical-networks:protonets/models/few_shot.py",
  schema: defineSchema({
    normalize: {
      type: "boolean",
      default: true,
      doc: "L2-normalise embeddings before building prototypes (Snell et al. do not; kept on to match the other losses)"
    }
  }),
  needs: ["embeddings", "labels", "isSupport"],
  inputs: episodeInputs,
  tex: String.raw`\ell = -\log\frac{e^{-d(q,c_y)}}{\sum_k e^{-d(q,c_k)}},\quad c_k = \tfrac{1}{|S_k|}\textstyle\sum_{x\in S_k} f(x)`,
  cite: "Snell et al. 2017, eq. 1–2",
  summary: "Each query's cross-entropy over its negative squared distances to the episode's class prototypes.",
  terms: ({embeddings, labels, isSupport}, {normalize}) => {
    const ep = episode(embeddings!, labels!, isSupport as tf.Tensor1D, normalize);
    return {proto: {values: protoNetValues(ep), kind: "element", weights: ep.query}};
  }
});

/**
 * The card's total objective L = L_proto + α·L_PT + β·L_ICNN (Mendez-Ruiz et al. 2023; weights and both extra terms
 * are reconstructions, unconfirmed). A composition of the registry's two losses: the ProtoNet term and the prototype
 * triplet hinge come from `proto-triplet`, the soft-neighbour-purity term from `icnn` (whose own ProtoNet term is
 * dropped so that it counts once).
 */
export const protoTripletIcnnCompose = defineLoss({
  id: "proto-triplet-icnn",
  title: "ProtoNet + Proto-Triplet + ICNN",
  family: "metric",
  paper: protoTriplet.paper,
  schema: defineSchema({
    margin: {...protoTriplet.schema.margin},
    alpha: {...protoTriplet.schema.alpha},
    negatives: {...protoTriplet.schema.negatives},
    beta: {...icnn.schema.beta},
    temperature: {...icnn.schema.temperature},
    separation: {...icnn.schema.separation},
    normalize: {...protoTriplet.schema.normalize}
  }),
  needs: ["embeddings", "labels", "isSupport"],
  inputs: episodeInputs,
  tex: String.raw`\ell = \ell_{\text{proto}} + \alpha\big[d(q,c_y) - \min_{k\neq y} d(q,c_k) + m\big]_+ + \beta\,(1 - \lambda_i\,\omega_i)`,
  cite: "Snell et al. 2017 (ProtoNet); Mendez-Ruiz et al. 2023 (Proto-Triplet + ICNN; reconstructed, unconfirmed)",
  summary: "ProtoNet's cross-entropy plus the prototype triplet hinge and the soft neighbour-purity (ICNN) term.",
  terms: (inputs, p) => {
    const pt = protoTriplet.terms(inputs, {
      margin: p.margin,
      alpha: p.alpha,
      negatives: p.negatives,
      normalize: p.normalize
    });
    const nn = icnn.terms(inputs, {
      beta: p.beta,
      temperature: p.temperature,
      separation: p.separation,
      normalize: p.normalize
    });
    return {proto: pt.proto, triplet: pt.triplet, icnn: nn.icnn};
  }
});

/** Host-side embeddings: a flat row-major [n, dims] array and its labels. */
export interface ProtoTripletIcnnPoints {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  dims: number;
}

export interface ProtoTripletIcnnEpisodeOptions {
  ways: number;
  shots: number;
  queries: number;
  seed: number;
  /** L2-normalise the embeddings first (as the losses do with `normalize`). */
  normalize?: boolean;
}

/** One few-shot episode drawn from host embeddings: rows of the support and query samples, class by class. */
export interface ProtoTripletIcnnEpisode {
  /** The episode's classes (original labels), in episode order. */
  classes: number[];
  /** [ways · shots] rows, class by class. */
  support: number[];
  /** [ways · queries] rows, class by class. */
  query: number[];
  /** [ways, dims] prototypes (support means). */
  prototypes: Float64Array;
  /** Nearest-prototype prediction (episode class index) of each query. */
  predicted: Int32Array;
  /** Episode class index of each query. */
  truth: Int32Array;
}

function rowOf(p: ProtoTripletIcnnPoints, i: number, normalize: boolean): Float64Array {
  const v = new Float64Array(p.dims);
  let s = 0;
  for (let j = 0; j < p.dims; ++j) {
    v[j] = p.x[i * p.dims + j];
    s += v[j] * v[j];
  }
  if (normalize) {
    const norm = Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < p.dims; ++j) v[j] /= norm;
  }
  return v;
}

/**
 * Draws test episode number `index` (seeded by `seed` and `index`, so that twin arms and reruns draw the same rows):
 * `ways` classes among those with at least shots + queries samples, then shots + queries distinct samples of each,
 * and classifies every query by its nearest prototype in squared Euclidean distance (ProtoNet's rule).
 */
export function protoTripletIcnnEpisode(
  p: ProtoTripletIcnnPoints,
  index: number,
  {ways, shots, queries, seed, normalize = false}: ProtoTripletIcnnEpisodeOptions
): ProtoTripletIcnnEpisode {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < p.y.length; ++i) {
    const rows = byClass.get(p.y[i]) ?? [];
    rows.push(i);
    byClass.set(p.y[i], rows);
  }
  const eligible = [...byClass.keys()].filter((k) => byClass.get(k)!.length >= shots + queries).sort((a, b) => a - b);
  if (eligible.length < ways) {
    throw new Error(
      `protoTripletIcnnEpisode: needs ${ways} classes with ${shots + queries} samples, has ${eligible.length}`
    );
  }
  const r = random(seed).fork("test-episodes").fork(index);
  const classes = Array.from(r.permutation(eligible.length).subarray(0, ways), (c) => eligible[c]);
  const support: number[] = [];
  const query: number[] = [];
  for (const k of classes) {
    const rows = byClass.get(k)!;
    const order = r.permutation(rows.length);
    for (let s = 0; s < shots; ++s) support.push(rows[order[s]]);
    for (let q = 0; q < queries; ++q) query.push(rows[order[shots + q]]);
  }
  const d = p.dims;
  const prototypes = new Float64Array(ways * d);
  support.forEach((row, i) => {
    const v = rowOf(p, row, normalize);
    const w = Math.floor(i / shots);
    for (let j = 0; j < d; ++j) prototypes[w * d + j] += v[j] / shots;
  });
  const predicted = new Int32Array(query.length);
  const truth = new Int32Array(query.length);
  query.forEach((row, i) => {
    const v = rowOf(p, row, normalize);
    truth[i] = Math.floor(i / queries);
    let best = Infinity;
    for (let w = 0; w < ways; ++w) {
      let s = 0;
      for (let j = 0; j < d; ++j) s += (v[j] - prototypes[w * d + j]) ** 2;
      if (s < best) ((best = s), (predicted[i] = w));
    }
  });
  return {classes, support, query, prototypes, predicted, truth};
}

/**
 * Few-shot accuracy over `episodes` seeded test episodes: the mean query accuracy and the half-width of its 95 %
 * interval (1.96 · sd / √episodes), as few-shot papers report "mean ± 95 % CI over 600 episodes".
 */
export function protoTripletIcnnFewShot(
  p: ProtoTripletIcnnPoints,
  o: ProtoTripletIcnnEpisodeOptions & {episodes: number}
): {accuracy: number; ci95: number} {
  const accs: number[] = [];
  for (let e = 0; e < o.episodes; ++e) {
    const ep = protoTripletIcnnEpisode(p, e, o);
    let right = 0;
    ep.predicted.forEach((k, i) => (right += k === ep.truth[i] ? 1 : 0));
    accs.push(right / ep.predicted.length);
  }
  const n = accs.length;
  const mean = accs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(accs.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return {accuracy: mean, ci95: (1.96 * sd) / Math.sqrt(n)};
}

/**
 * The hard ICNN score as a metric (the card's reconstruction, unconfirmed): for every point i and its k nearest
 * neighbours N_k(i) (squared Euclidean, i excluded, ties by index), neighbour purity λ_i = |{j ∈ N_k(i): y_j = y_i}|/k
 * and relative separation ω_i = d̄⁻_i / (d̄⁺_i + d̄⁻_i), the mean distance to other-class neighbours over the sum of
 * both means (ω_i = 1 when every neighbour shares i's class, 0 when none does); the score is mean_i λ_i · ω_i ∈ [0, 1].
 */
export function protoTripletIcnnScore(p: ProtoTripletIcnnPoints, k: number, normalize = false): number {
  const n = p.y.length;
  if (!(Number.isInteger(k) && k >= 1 && k < n)) throw new Error(`protoTripletIcnnScore: invalid k: ${k}`);
  const rows = Array.from({length: n}, (_, i) => rowOf(p, i, normalize));
  let total = 0;
  const dist = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const others: number[] = [];
    for (let j = 0; j < n; ++j) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < p.dims; ++c) s += (rows[i][c] - rows[j][c]) ** 2;
      dist[j] = s;
      others.push(j);
    }
    others.sort((a, b) => dist[a] - dist[b] || a - b);
    let same = 0,
      dSame = 0,
      dDiff = 0;
    for (const j of others.slice(0, k)) {
      if (p.y[j] === p.y[i]) ((same += 1), (dSame += dist[j]));
      else dDiff += dist[j];
    }
    const diff = k - same;
    const omega = diff === 0 ? 1 : same === 0 ? 0 : dDiff / diff / (dSame / same + dDiff / diff);
    total += (same / k) * omega;
  }
  return total / n;
}

/**
 * One test episode laid out for the embedding plot (2-D embeddings): the support samples, then the queries, then the
 * prototypes as extra points, labelled by episode class 0 … ways−1; `pos` pairs join each support sample to its
 * prototype, `neg` pairs join each misclassified query to the prototype that claimed it; `predicted` marks those
 * queries. Coordinates are what the losses measure (normalised when `normalize`).
 */
export function protoTripletIcnnEpisodeView(
  p: ProtoTripletIcnnPoints,
  o: ProtoTripletIcnnEpisodeOptions & {index?: number}
): {
  classes: number;
  points: {x: Float32Array; label: Int32Array; predicted: Int32Array; ids: Int32Array};
  weights: Float32Array;
  pairs: {pos: Int32Array; neg: Int32Array; posLabel: string; negLabel: string};
  accuracy: number;
} {
  if (p.dims !== 2) throw new Error(`protoTripletIcnnEpisodeView: needs 2-D embeddings, got ${p.dims}`);
  const ep = protoTripletIcnnEpisode(p, o.index ?? 0, o);
  const nS = ep.support.length,
    nQ = ep.query.length,
    W = o.ways;
  const n = nS + nQ + W;
  const x = new Float32Array(n * 2);
  const label = new Int32Array(n);
  const predicted = new Int32Array(n);
  const ids = Int32Array.from({length: n}, (_, i) => i);
  [...ep.support, ...ep.query].forEach((row, i) => {
    const v = rowOf(p, row, !!o.normalize);
    x[2 * i] = v[0];
    x[2 * i + 1] = v[1];
  });
  ep.support.forEach((_, i) => (label[i] = predicted[i] = Math.floor(i / o.shots)));
  ep.query.forEach((_, i) => {
    label[nS + i] = ep.truth[i];
    predicted[nS + i] = ep.predicted[i];
  });
  for (let w = 0; w < W; ++w) {
    x[2 * (nS + nQ + w)] = ep.prototypes[2 * w];
    x[2 * (nS + nQ + w) + 1] = ep.prototypes[2 * w + 1];
    label[nS + nQ + w] = predicted[nS + nQ + w] = w;
  }
  const pos: number[] = [];
  ep.support.forEach((_, i) => pos.push(i, nS + nQ + Math.floor(i / o.shots)));
  const neg: number[] = [];
  let right = 0;
  ep.query.forEach((_, i) => {
    if (ep.predicted[i] === ep.truth[i]) right++;
    else neg.push(nS + i, nS + nQ + ep.predicted[i]);
  });
  return {
    classes: W,
    points: {x, label, predicted, ids},
    weights: Float32Array.from(ep.prototypes),
    pairs: {
      pos: Int32Array.from(pos),
      neg: Int32Array.from(neg),
      posLabel: "support → its prototype",
      negLabel: "wrong query → the prototype that claimed it"
    },
    accuracy: right / nQ
  };
}

/**
 * The prototype margins of the queries of `episodes` seeded test episodes: d(q, nearest other prototype) − d(q, own
 * prototype), squared Euclidean; positive where the query is classified correctly, and the larger, the safer. The
 * Proto-Triplet hinge asks for at least m.
 */
export function protoTripletIcnnMargins(
  p: ProtoTripletIcnnPoints,
  o: ProtoTripletIcnnEpisodeOptions & {episodes: number}
): Float64Array {
  const out: number[] = [];
  for (let e = 0; e < o.episodes; ++e) {
    const ep = protoTripletIcnnEpisode(p, e, o);
    ep.query.forEach((row, i) => {
      const v = rowOf(p, row, !!o.normalize);
      let own = 0,
        other = Infinity;
      for (let w = 0; w < o.ways; ++w) {
        let s = 0;
        for (let j = 0; j < p.dims; ++j) s += (v[j] - ep.prototypes[w * p.dims + j]) ** 2;
        if (w === ep.truth[i]) own = s;
        else other = Math.min(other, s);
      }
      out.push(other - own);
    });
  }
  return Float64Array.from(out);
}
