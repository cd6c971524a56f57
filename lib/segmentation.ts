/**
 * Semantic segmentation metrics and pictures: confusion matrix, per-class IoU
 * and Dice, pixel accuracy, label masks coloured and overlaid on images.
 * (The training loss, pixel-wise cross-entropy, lives with the other losses.)
 */
import * as tf from '@tensorflow/tfjs';

/** Label maps: an int tensor of class indices, or plain numbers. */
export type LabelMap = tf.Tensor | ArrayLike<number>;

function labelValues(labels: LabelMap, what: string): ArrayLike<number> {
  if (labels instanceof tf.Tensor) return labels.dataSync();
  if (labels == null || typeof (labels as ArrayLike<number>).length !== 'number')
    throw new Error(`${what} must be a tensor or an array of class indices`);
  return labels;
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionOptions {
  /** Pixels whose true label is this are skipped (e.g. a "boundary" or "void" class). */
  ignoreLabel?: number;
}

/**
 * The confusion matrix over pixels: entry [t][p] counts pixels of true class t
 * predicted as p.
 *
 * @param truth - true class per pixel (any shape).
 * @param predicted - predicted class per pixel, same number of pixels.
 */
export function confusionMatrix(
  truth: LabelMap,
  predicted: LabelMap,
  numClasses: number,
  options: ConfusionOptions = {},
): number[][] {
  if (!(Number.isInteger(numClasses) && numClasses > 0))
    throw new Error(`numClasses must be a positive integer, got ${numClasses}`);
  if (
    truth instanceof tf.Tensor &&
    predicted instanceof tf.Tensor &&
    truth.shape.join() !== predicted.shape.join()
  ) {
    throw new Error(`truth has shape [${truth.shape}] but predictions have shape [${predicted.shape}]`);
  }
  const t = labelValues(truth, 'truth');
  const p = labelValues(predicted, 'predicted');
  if (t.length !== p.length) throw new Error(`truth has ${t.length} pixels but predictions have ${p.length}`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < t.length; i++) {
    const ti = t[i]!;
    if (ti === options.ignoreLabel) continue;
    const pi = p[i]!;
    if (!(Number.isInteger(ti) && ti >= 0 && ti < numClasses))
      throw new Error(`true label ${ti} at pixel ${i} is outside 0..${numClasses - 1}`);
    if (!(Number.isInteger(pi) && pi >= 0 && pi < numClasses))
      throw new Error(`predicted label ${pi} at pixel ${i} is outside 0..${numClasses - 1}`);
    m[ti]![pi]!++;
  }
  return m;
}

/**
 * Per-class intersection over union from a confusion matrix:
 * TP / (TP + FP + FN). NaN for a class absent from both truth and prediction.
 */
export function perClassIou(confusion: number[][]): number[] {
  return confusion.map((row, k) => {
    const tp = row[k]!;
    const fn = row.reduce((a, b) => a + b, 0) - tp;
    const fp = confusion.reduce((a, r) => a + r[k]!, 0) - tp;
    return tp + fp + fn > 0 ? tp / (tp + fp + fn) : NaN;
  });
}

/** Per-class Dice coefficient 2TP / (2TP + FP + FN) (= 2 IoU / (1 + IoU)); NaN for absent classes. */
export function perClassDice(confusion: number[][]): number[] {
  return perClassIou(confusion).map((j) => (Number.isNaN(j) ? NaN : (2 * j) / (1 + j)));
}

/** Mean of the non-NaN entries. */
function nanMean(values: number[]): number {
  const present = values.filter((v) => !Number.isNaN(v));
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN;
}

/** Every metric of one evaluation. */
export interface SegmentationReport {
  confusion: number[][];
  iou: number[];
  dice: number[];
  /** Mean over the classes present in truth or prediction. */
  meanIou: number;
  meanDice: number;
  pixelAccuracy: number;
}

/**
 * Evaluates a segmentation. `predicted` is either class indices (same shape as
 * `truth`) or scores/logits with one more trailing axis of size `numClasses`
 * (argmax is taken).
 */
export function evaluateSegmentation(
  truth: tf.Tensor,
  predicted: tf.Tensor,
  numClasses: number,
  options: ConfusionOptions = {},
): SegmentationReport {
  let labels: tf.Tensor = predicted;
  if (predicted.rank === truth.rank + 1) {
    if (predicted.shape[predicted.rank - 1] !== numClasses)
      throw new Error(
        `scores have ${predicted.shape[predicted.rank - 1]} channels but numClasses is ${numClasses}`,
      );
    labels = tf.argMax(predicted, -1);
  }
  try {
    const confusion = confusionMatrix(truth, labels, numClasses, options);
    const iou = perClassIou(confusion);
    const dice = perClassDice(confusion);
    const total = confusion.flat().reduce((a, b) => a + b, 0);
    const correct = confusion.reduce((a, row, k) => a + row[k]!, 0);
    return {
      confusion,
      iou,
      dice,
      meanIou: nanMean(iou),
      meanDice: nanMean(dice),
      pixelAccuracy: total ? correct / total : NaN,
    };
  } finally {
    if (labels !== predicted) labels.dispose();
  }
}

/** A colour per class, RGB bytes. The first is black-ish background, then well-separated hues. */
export const DEFAULT_PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0],
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
  [174, 199, 232],
  [255, 187, 120],
  [152, 223, 138],
];

/**
 * Colours a label map [h, w] (or [h, w, 1]) with one colour per class.
 *
 * @returns float32 [h, w, 3] in 0..1.
 */
export function colorizeMask(
  labels: tf.Tensor,
  palette: ReadonlyArray<readonly [number, number, number]> = DEFAULT_PALETTE,
): tf.Tensor3D {
  const mask = labels.rank === 3 && labels.shape[2] === 1 ? labels.shape.slice(0, 2) : labels.shape;
  if (mask.length !== 2)
    throw new Error(`colorizeMask expects a label map [h, w] or [h, w, 1], got [${labels.shape}]`);
  const values = labels.dataSync();
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  if (max >= palette.length)
    throw new Error(`label ${max} has no colour: the palette has ${palette.length} colours`);
  return tf.tidy(() => {
    const table = tf.div(
      tf.tensor2d(
        palette.map((c) => [...c]),
        [palette.length, 3],
      ),
      255,
    );
    const idx = tf.cast(tf.reshape(labels, [-1]), 'int32');
    return tf.reshape(tf.gather(table, idx), [mask[0]!, mask[1]!, 3]) as tf.Tensor3D;
  });
}

/** Options of {@link overlayMask}. */
export interface OverlayOptions {
  /** Opacity of the mask colours (default 0.5). */
  alpha?: number;
  palette?: ReadonlyArray<readonly [number, number, number]>;
  /** Classes left uncoloured (default [0], the background). */
  transparent?: number[];
}

/**
 * Blends a coloured label map over an image: pixel = (1 − α)·image + α·colour
 * where the class is not transparent.
 *
 * @param image - float [h, w, 3] in 0..1.
 * @param labels - [h, w] class indices.
 */
export function overlayMask(
  image: tf.Tensor3D,
  labels: tf.Tensor,
  options: OverlayOptions = {},
): tf.Tensor3D {
  const alpha = options.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha must be in [0, 1], got ${alpha}`);
  const [h, w] = image.shape;
  if (image.rank !== 3 || image.shape[2] !== 3)
    throw new Error(`overlayMask expects an RGB image [h, w, 3], got [${image.shape}]`);
  if (labels.shape[0] !== h || labels.shape[1] !== w)
    throw new Error(`mask [${labels.shape}] does not match image [${image.shape}]`);
  const transparent = options.transparent ?? [0];
  const colours = colorizeMask(labels, options.palette);
  try {
    return tf.tidy(() => {
      const flat = tf.reshape(tf.cast(labels, 'int32'), [h, w, 1]);
      let opaque = tf.onesLike(flat).asType('bool');
      for (const c of transparent) opaque = tf.logicalAnd(opaque, tf.notEqual(flat, c));
      const a = tf.mul(tf.cast(opaque, 'float32'), alpha);
      return tf.add(tf.mul(image, tf.sub(1, a)), tf.mul(colours, a)) as tf.Tensor3D;
    });
  } finally {
    colours.dispose();
  }
}
