/**
 * Loss functions of the course as TensorFlow.js ops (differentiable, so they
 * train models): cross-entropies, classification with localisation, the YOLO
 * loss, the triplet loss, the Siamese logistic form and total variation.
 * Every function checks shapes and names them in its errors.
 */
import * as tf from '@tensorflow/tfjs';

function sameShape(fn: string, a: tf.Tensor, b: tf.Tensor, names = ['yTrue', 'yPred']): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    throw new Error(`${fn}: ${names[0]} has shape [${a.shape}] but ${names[1]} has shape [${b.shape}]`);
}

function rank(fn: string, name: string, t: tf.Tensor, expected: number): void {
  if (t.rank !== expected)
    throw new Error(`${fn}: ${name} must have rank ${expected}, got shape [${t.shape}]`);
}

/** Keeps probabilities away from 0 and 1 so that log stays finite. */
const EPSILON = 1e-7;

/**
 * −[w · y log ŷ + (1 − y) log(1 − ŷ)], averaged over every element.
 *
 * @param positiveWeight w, the weight of the positive term (default 1, the plain cross-entropy).
 *   Where ones are rare (a trigger word's few steps among many), w > 1 makes a missed one cost
 *   as much as w false alarms, so the model does not learn to say 0 everywhere.
 */
export function binaryCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor, positiveWeight = 1): tf.Scalar {
  sameShape('binaryCrossEntropy', yTrue, yPred);
  if (!(positiveWeight > 0) || !Number.isFinite(positiveWeight))
    throw new Error(`binaryCrossEntropy: positiveWeight must be a positive number, got ${positiveWeight}`);
  return tf.tidy(() => {
    const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
    const positive = tf.mul(yTrue, tf.log(p));
    return tf.neg(
      tf.mean(
        tf.add(
          positiveWeight === 1 ? positive : tf.mul(positive, positiveWeight),
          tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))),
        ),
      ),
    ) as tf.Scalar;
  });
}

/** −Σ_c y_c log ŷ_c over the last axis (classes), averaged over the rest (examples). */
export function categoricalCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  sameShape('categoricalCrossEntropy', yTrue, yPred);
  if (yTrue.rank < 1) throw new Error('categoricalCrossEntropy: expects at least a class axis, got a scalar');
  return tf.tidy(
    () => tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(yPred, EPSILON, 1))), -1))) as tf.Scalar,
  );
}

/**
 * Cross-entropy per pixel of a segmentation mask [batch, h, w, C], averaged over
 * pixels: categorical for C > 1 (softmax masks), binary for C = 1 (sigmoid masks).
 * Optional per-class weights counter class imbalance (each pixel weighted by its true class's weight).
 */
export function pixelwiseCrossEntropy(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: { classWeights?: number[] } = {},
): tf.Scalar {
  sameShape('pixelwiseCrossEntropy', yTrue, yPred);
  rank('pixelwiseCrossEntropy', 'yTrue', yTrue, 4);
  const c = yTrue.shape[3]!;
  const weights = options.classWeights;
  if (weights && weights.length !== c)
    throw new Error(
      `pixelwiseCrossEntropy: ${weights.length} class weights for ${c} classes (masks of shape [${yTrue.shape}])`,
    );
  return tf.tidy(() => {
    const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
    let perPixel: tf.Tensor;
    if (c === 1)
      perPixel = tf.neg(tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p)))));
    else perPixel = tf.neg(tf.sum(tf.mul(yTrue, tf.log(p)), -1, true));
    if (weights) {
      const w =
        c === 1
          ? tf.add(tf.mul(yTrue, weights[0]!), tf.sub(1, yTrue))
          : tf.sum(tf.mul(yTrue, tf.tensor1d(weights)), -1, true);
      perPixel = tf.mul(perPixel, w);
    }
    return tf.mean(perPixel);
  });
}

/**
 * Classification with localisation. y = [p_c, b_x, b_y, b_h, b_w, c_1 … c_C] per example
 * (shape [batch, 5 + C]). The loss is Σ_i (ŷ_i − y_i)² when p_c = 1 and (ŷ_1 − y_1)²
 * when p_c = 0, averaged over the batch.
 */
export function localizationLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  sameShape('localizationLoss', yTrue, yPred);
  rank('localizationLoss', 'yTrue', yTrue, 2);
  if (yTrue.shape[1]! < 5)
    throw new Error(
      `localizationLoss: y needs p_c, 4 box values and at least one class (≥ 6 values), got shape [${yTrue.shape}]`,
    );
  return tf.tidy(() => {
    const sq = tf.square(tf.sub(yPred, yTrue));
    const pc = tf.slice(yTrue, [0, 0], [-1, 1]);
    const all = tf.sum(sq, 1, true);
    const first = tf.slice(sq, [0, 0], [-1, 1]);
    return tf.mean(tf.add(tf.mul(pc, all), tf.mul(tf.sub(1, pc), first)));
  });
}

/** The five terms of the YOLO loss (each already weighted) and their sum, averaged over the batch. */
export interface YoloLossTerms {
  /** λ_coord Σ 1^obj [(x − x̂)² + (y − ŷ)²]. */
  coordinates: tf.Scalar;
  /** λ_coord Σ 1^obj [(√w − √ŵ)² + (√h − √ĥ)²]. */
  sizes: tf.Scalar;
  /** Σ 1^obj (C − Ĉ)². */
  objectConfidence: tf.Scalar;
  /** λ_noobj Σ 1^noobj (C − Ĉ)². */
  noObjectConfidence: tf.Scalar;
  /** Σ 1^obj Σ_c (p(c) − p̂(c))². */
  classes: tf.Scalar;
  total: tf.Scalar;
}

/** Weights of the YOLO loss (the paper's λ_coord = 5, λ_noobj = 0.5). */
export interface YoloLossOptions {
  lambdaCoord?: number;
  lambdaNoobj?: number;
  /** Anchors per cell B, needed only for flat volumes [batch, S, S, B·(5 + C)]. Default 1. */
  anchors?: number;
}

/** [batch, S, S, B·(5 + C)] (the layout of `encodeYoloTargets`) → [batch, S, S, B, 5 + C]. */
function anchorAxis(t: tf.Tensor, anchors: number): tf.Tensor {
  if (t.rank !== 4) return t;
  const [b, s1, s2, depth] = t.shape as number[];
  if (!Number.isInteger(anchors) || anchors < 1 || depth! % anchors !== 0)
    throw new Error(`yoloLoss: a flat volume of shape [${t.shape}] does not split into ${anchors} anchors`);
  return tf.reshape(t, [b!, s1!, s2!, anchors, depth! / anchors]);
}

/**
 * The YOLO loss term by term. Tensors have shape [batch, S, S, B, 5 + C] (or
 * [batch, S, S, B·(5 + C)] with `options.anchors`) with [p_c, x, y, w, h, p(c_1) … p(c_C)]
 * per anchor (w and h enter symmetrically, so [p_c, b_x, b_y, b_h, b_w, …] works the
 * same); the target's p_c (1 for the anchor
 * responsible for an object, 0 elsewhere) is both the indicator 1^obj and the
 * confidence target. Class terms are counted per responsible anchor (with one
 * object per cell, the paper's per-cell sum). w and h must be ≥ 0 (sigmoid outputs);
 * √ is taken of max(w, 1e-9) so that gradients stay finite at 0.
 * The caller disposes the returned scalars.
 */
export function yoloLossTerms(
  yTrueIn: tf.Tensor,
  yPredIn: tf.Tensor,
  options: YoloLossOptions = {},
): YoloLossTerms {
  sameShape('yoloLoss', yTrueIn, yPredIn);
  if (yTrueIn.rank !== 4 && yTrueIn.rank !== 5)
    throw new Error(
      `yoloLoss: yTrue must have rank 5 [batch, S, S, B, 5 + C] (or 4 with options.anchors), got shape [${yTrueIn.shape}]`,
    );
  const anchors = options.anchors ?? 1;
  const yTrue = anchorAxis(yTrueIn, anchors);
  const yPred = anchorAxis(yPredIn, anchors);
  const depth = yTrue.shape[4]!;
  if (depth < 6) {
    if (yTrue !== yTrueIn) tf.dispose([yTrue, yPred]);
    throw new Error(
      `yoloLoss: the last axis needs p_c, x, y, w, h and at least one class (≥ 6), got shape [${yTrue.shape}]`,
    );
  }
  const lambdaCoord = options.lambdaCoord ?? 5;
  const lambdaNoobj = options.lambdaNoobj ?? 0.5;
  const batch = yTrue.shape[0]!;
  const parts = tf.tidy(() => {
    const [pc, xy, wh, cls] = tf.split(yTrue, [1, 2, 2, depth - 5], -1) as tf.Tensor[];
    const [pcHat, xyHat, whHat, clsHat] = tf.split(yPred, [1, 2, 2, depth - 5], -1) as tf.Tensor[];
    const obj = pc!;
    const noobj = tf.sub(1, obj);
    const perExample = (t: tf.Tensor) => tf.div(tf.sum(t), batch) as tf.Scalar;
    const root = (t: tf.Tensor) => tf.sqrt(tf.maximum(t, 1e-9));
    const coordinates = tf.mul(
      lambdaCoord,
      perExample(tf.mul(obj, tf.square(tf.sub(xy!, xyHat!)))),
    ) as tf.Scalar;
    const sizes = tf.mul(
      lambdaCoord,
      perExample(tf.mul(obj, tf.square(tf.sub(root(wh!), root(whHat!))))),
    ) as tf.Scalar;
    const confidenceError = tf.square(tf.sub(pc!, pcHat!));
    const objectConfidence = perExample(tf.mul(obj, confidenceError));
    const noObjectConfidence = tf.mul(lambdaNoobj, perExample(tf.mul(noobj, confidenceError))) as tf.Scalar;
    const classes = perExample(tf.mul(obj, tf.square(tf.sub(cls!, clsHat!))));
    const total = tf.addN([coordinates, sizes, objectConfidence, noObjectConfidence, classes]) as tf.Scalar;
    return { coordinates, sizes, objectConfidence, noObjectConfidence, classes, total };
  });
  if (yTrue !== yTrueIn) tf.dispose([yTrue, yPred]);
  return parts;
}

/** The YOLO loss: the sum of {@link yoloLossTerms}. */
export function yoloLoss(yTrue: tf.Tensor, yPred: tf.Tensor, options: YoloLossOptions = {}): tf.Scalar {
  return tf.tidy(() => yoloLossTerms(yTrue, yPred, options).total);
}

/**
 * The triplet loss: max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0) per triplet, over
 * embeddings of shape [batch, d]; summed (FaceNet's J) or averaged over the batch.
 */
export function tripletLoss(
  anchor: tf.Tensor,
  positive: tf.Tensor,
  negative: tf.Tensor,
  options: { margin?: number; reduction?: 'sum' | 'mean' } = {},
): tf.Scalar {
  sameShape('tripletLoss', anchor, positive, ['anchor', 'positive']);
  sameShape('tripletLoss', anchor, negative, ['anchor', 'negative']);
  rank('tripletLoss', 'anchor', anchor, 2);
  const margin = options.margin ?? 0.2;
  if (!(margin >= 0)) throw new Error(`tripletLoss: the margin must be ≥ 0, got ${margin}`);
  return tf.tidy(() => {
    const dPos = tf.sum(tf.square(tf.sub(anchor, positive)), -1);
    const dNeg = tf.sum(tf.square(tf.sub(anchor, negative)), -1);
    const perTriplet = tf.relu(tf.add(tf.sub(dPos, dNeg), margin));
    return (options.reduction ?? 'mean') === 'sum' ? tf.sum(perTriplet) : tf.mean(perTriplet);
  });
}

/**
 * The Siamese verification as logistic regression on embedding differences:
 * ŷ = σ(Σ_k w_k · d_k + b) with d_k = |f(x_i)_k − f(x_j)_k| ('l1') or
 * (f(x_i)_k − f(x_j)_k)² / (f(x_i)_k + f(x_j)_k) ('chiSquared'). Returns ŷ, shape [batch].
 */
export function siameseLogistic(
  fA: tf.Tensor,
  fB: tf.Tensor,
  weights: tf.Tensor,
  bias: number | tf.Tensor,
  options: { form?: 'l1' | 'chiSquared' } = {},
): tf.Tensor1D {
  sameShape('siameseLogistic', fA, fB, ['f(x_i)', 'f(x_j)']);
  rank('siameseLogistic', 'f(x_i)', fA, 2);
  if (weights.rank !== 1 || weights.shape[0] !== fA.shape[1])
    throw new Error(
      `siameseLogistic: weights of shape [${weights.shape}] for embeddings of shape [${fA.shape}]`,
    );
  return tf.tidy(() => {
    const diff = tf.sub(fA, fB);
    const d =
      (options.form ?? 'l1') === 'l1'
        ? tf.abs(diff)
        : tf.div(tf.square(diff), tf.maximum(tf.add(fA, fB), EPSILON));
    return tf.sigmoid(tf.add(tf.sum(tf.mul(d, weights), -1), bias)) as tf.Tensor1D;
  });
}

/**
 * Total variation of an image [h, w, c] or a batch [batch, h, w, c]:
 * Σ |x[i+1, j] − x[i, j]| + |x[i, j+1] − x[i, j]| over pixels, channels and the batch
 * (power 1, as `tf.image.total_variation` summed over the batch), or with squared
 * differences (power 2: the smoothness term of style transfer, which penalises pixel noise).
 */
export function totalVariation(images: tf.Tensor, options: { power?: 1 | 2 } = {}): tf.Scalar {
  if (images.rank !== 3 && images.rank !== 4)
    throw new Error(
      `totalVariation: images must have rank 3 [h, w, c] or 4 [batch, h, w, c], got shape [${images.shape}]`,
    );
  const power = options.power ?? 1;
  if (power !== 1 && power !== 2) throw new Error(`totalVariation: power must be 1 or 2, got ${power}`);
  return tf.tidy(() => {
    const batch = images.rank === 3 ? tf.expandDims(images, 0) : images;
    const [, h, w] = batch.shape as number[];
    const f = power === 1 ? tf.abs : tf.square;
    const terms: tf.Tensor[] = [];
    if (h! > 1)
      terms.push(
        tf.sum(
          f(
            tf.sub(
              tf.slice(batch, [0, 1, 0, 0], [-1, -1, -1, -1]),
              tf.slice(batch, [0, 0, 0, 0], [-1, h! - 1, -1, -1]),
            ),
          ),
        ),
      );
    if (w! > 1)
      terms.push(
        tf.sum(
          f(
            tf.sub(
              tf.slice(batch, [0, 0, 1, 0], [-1, -1, -1, -1]),
              tf.slice(batch, [0, 0, 0, 0], [-1, -1, w! - 1, -1]),
            ),
          ),
        ),
      );
    return (terms.length ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
  });
}
