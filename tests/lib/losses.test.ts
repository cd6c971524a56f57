// Losses against values computed by hand, their edge cases, finite gradients and no leaks.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  categoricalCrossEntropy,
  localizationLoss,
  pixelwiseCrossEntropy,
  siameseLogistic,
  totalVariation,
  tripletLoss,
  yoloLoss,
  yoloLossTerms,
} from '../../lib/losses';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

const value = (f: () => tf.Tensor) => {
  const t = tf.tidy(f);
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

/** Every gradient of f with respect to x is finite. */
function gradientsFinite(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor): boolean {
  const g = tf.grad(f)(x);
  const ok = Array.from(g.dataSync()).every(Number.isFinite);
  g.dispose();
  return ok;
}

describe('cross-entropies', () => {
  it('binary: mean of -[y log p + (1-y) log(1-p)]', () => {
    const expected = -(Math.log(0.9) + Math.log(1 - 0.2) + Math.log(0.6)) / 3;
    expect(value(() => binaryCrossEntropy(tf.tensor1d([1, 0, 1]), tf.tensor1d([0.9, 0.2, 0.6])))).toBeCloseTo(
      expected,
      5,
    );
  });

  it('binary with a positive weight: only the terms of ones are scaled', () => {
    // By hand: -(3 ln 0.9 + ln 0.8 + 3 ln 0.6) / 3 = -(-0.316082 - 0.223144 - 1.532477) / 3 = 0.690567.
    expect(
      value(() => binaryCrossEntropy(tf.tensor1d([1, 0, 1]), tf.tensor1d([0.9, 0.2, 0.6]), 3)),
    ).toBeCloseTo(0.690567, 5);
    // No ones: the weight changes nothing, -(ln 0.8 + ln 0.7) / 2 = 0.289909.
    expect(value(() => binaryCrossEntropy(tf.tensor1d([0, 0]), tf.tensor1d([0.2, 0.3]), 5))).toBeCloseTo(
      0.289909,
      5,
    );
    const [y, p] = [tf.tensor1d([1]), tf.tensor1d([0.5])];
    expect(() => binaryCrossEntropy(y, p, 0)).toThrow(/positiveWeight must be a positive number, got 0/);
    expect(() => binaryCrossEntropy(y, p, Number.NaN)).toThrow(/positiveWeight/);
    tf.dispose([y, p]);
  });

  it('binary: confident mistakes stay finite, and so do the gradients', () => {
    const yTrue = tf.tensor1d([1, 0]);
    const yPred = tf.tensor1d([0, 1]);
    expect(Number.isFinite(value(() => binaryCrossEntropy(yTrue, yPred)))).toBe(true);
    expect(gradientsFinite((p) => binaryCrossEntropy(yTrue, p), yPred)).toBe(true);
    tf.dispose([yTrue, yPred]);
  });

  it('categorical: -sum y log p per example, averaged', () => {
    const expected = -(Math.log(0.7) + Math.log(0.5)) / 2;
    expect(
      value(() =>
        categoricalCrossEntropy(
          tf.tensor2d([
            [1, 0, 0],
            [0, 0, 1],
          ]),
          tf.tensor2d([
            [0.7, 0.2, 0.1],
            [0.25, 0.25, 0.5],
          ]),
        ),
      ),
    ).toBeCloseTo(expected, 5);
  });

  it('pixel-wise: per pixel categorical, averaged over pixels; binary for one channel; class weights', () => {
    // 1 image, 1x2 pixels, 2 classes.
    const yTrue = tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]);
    const yPred = tf.tensor4d([0.8, 0.2, 0.4, 0.6], [1, 1, 2, 2]);
    expect(value(() => pixelwiseCrossEntropy(yTrue, yPred))).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.6)) / 2,
      5,
    );
    expect(value(() => pixelwiseCrossEntropy(yTrue, yPred, { classWeights: [1, 3] }))).toBeCloseTo(
      -(Math.log(0.8) + 3 * Math.log(0.6)) / 2,
      5,
    );
    expect(
      value(() =>
        pixelwiseCrossEntropy(tf.tensor4d([1, 0], [1, 1, 2, 1]), tf.tensor4d([0.9, 0.3], [1, 1, 2, 1])),
      ),
    ).toBeCloseTo(-(Math.log(0.9) + Math.log(0.7)) / 2, 5);
    expect(() => pixelwiseCrossEntropy(yTrue, yPred, { classWeights: [1] })).toThrow(
      /1 class weights for 2 classes/,
    );
    tf.dispose([yTrue, yPred]);
  });

  it('names the shapes that do not match', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    expect(() => categoricalCrossEntropy(a, b)).toThrow(/\[2,3\].*\[3,2\]/);
    expect(() => pixelwiseCrossEntropy(a, a)).toThrow(/rank 4.*\[2,3\]/);
    tf.dispose([a, b]);
  });
});

describe('classification with localisation', () => {
  it('squared error on all of y when p_c = 1, on p_c alone when p_c = 0', () => {
    const yTrue = tf.tensor2d([
      [1, 0.5, 0.5, 0.2, 0.3, 0, 1, 0],
      [0, 9, 9, 9, 9, 9, 9, 9],
    ]);
    const yPred = tf.tensor2d([
      [0.9, 0.4, 0.5, 0.2, 0.1, 0.1, 0.8, 0],
      [0.3, 0, 0, 0, 0, 0, 0, 0],
    ]);
    const first = 0.01 + 0.01 + 0 + 0 + 0.04 + 0.01 + 0.04 + 0;
    const second = 0.09; // the "don't care" entries (9s) do not count
    expect(value(() => localizationLoss(yTrue, yPred))).toBeCloseTo((first + second) / 2, 6);
    expect(gradientsFinite((p) => localizationLoss(yTrue, p), yPred)).toBe(true);
    expect(() => tf.tidy(() => localizationLoss(tf.zeros([2, 4]), tf.zeros([2, 4])))).toThrow(/\[2,4\]/);
    tf.dispose([yTrue, yPred]);
  });
});

describe('YOLO loss', () => {
  // One image, S = 1, B = 2 anchors, C = 2: anchor 0 holds an object, anchor 1 is empty.
  const truth = [1, 0.5, 0.5, 0.25, 0.16, 1, 0, /* anchor 1 */ 0, 0, 0, 0, 0, 0, 0];
  const pred = [0.8, 0.4, 0.7, 0.36, 0.09, 0.6, 0.4, /* anchor 1 */ 0.3, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5];

  it('has the five hand-computed terms with lambda_coord = 5 and lambda_noobj = 0.5', () => {
    const yTrue = tf.tensor5d(truth, [1, 1, 1, 2, 7]);
    const yPred = tf.tensor5d(pred, [1, 1, 1, 2, 7]);
    const terms = yoloLossTerms(yTrue, yPred);
    const got = Object.fromEntries(Object.entries(terms).map(([k, t]) => [k, t.dataSync()[0]!]));
    tf.dispose(Object.values(terms));
    // (0.5-0.4)^2 + (0.5-0.7)^2 = 0.05; sqrt: (0.5-0.6)^2 + (0.4-0.3)^2 = 0.02
    expect(got.coordinates).toBeCloseTo(5 * 0.05, 6);
    expect(got.sizes).toBeCloseTo(5 * 0.02, 5);
    expect(got.objectConfidence).toBeCloseTo(0.04, 6);
    expect(got.noObjectConfidence).toBeCloseTo(0.5 * 0.09, 6);
    expect(got.classes).toBeCloseTo(0.16 + 0.16, 6);
    expect(got.total).toBeCloseTo(0.25 + 0.1 + 0.04 + 0.045 + 0.32, 5);
    expect(value(() => yoloLoss(yTrue, yPred, { lambdaCoord: 1, lambdaNoobj: 1 }))).toBeCloseTo(
      0.05 + 0.02 + 0.04 + 0.09 + 0.32,
      5,
    );
    tf.dispose([yTrue, yPred]);
  });

  it('penalises the same size error more on a small box than on a big one (the square roots)', () => {
    const box = (w: number, dw: number) =>
      value(() =>
        yoloLoss(
          tf.tensor5d([1, 0.5, 0.5, w, w, 1], [1, 1, 1, 1, 6]),
          tf.tensor5d([1, 0.5, 0.5, w + dw, w, 1], [1, 1, 1, 1, 6]),
        ),
      );
    expect(box(0.05, 0.05)).toBeGreaterThan(5 * box(0.8, 0.05));
  });

  it('an image with no boxes counts only the no-object confidence, with finite gradients even at w = 0', () => {
    const yTrue = tf.zeros([2, 3, 3, 2, 7]);
    const yPred = tf.fill([2, 3, 3, 2, 7], 0.5);
    // 18 anchors per image, each (0 - 0.5)^2 * 0.5, averaged over 2 images.
    expect(value(() => yoloLoss(yTrue, yPred))).toBeCloseTo(18 * 0.25 * 0.5, 5);
    const zeroWidth = tf.zeros([2, 3, 3, 2, 7]);
    expect(gradientsFinite((p) => yoloLoss(yTrue, p), zeroWidth)).toBe(true);
    const withObject = tf.tensor5d(truth, [1, 1, 1, 2, 7]);
    const zeroPred = tf.zeros([1, 1, 1, 2, 7]);
    expect(gradientsFinite((p) => yoloLoss(withObject, p), zeroPred)).toBe(true);
    tf.dispose([yTrue, yPred, zeroWidth, withObject, zeroPred]);
  });

  it('takes the flat layout [batch, S, S, B·(5 + C)] of encodeYoloTargets with options.anchors', () => {
    const yTrue = tf.tensor4d(truth, [1, 1, 1, 14]);
    const yPred = tf.tensor4d(pred, [1, 1, 1, 14]);
    expect(value(() => yoloLoss(yTrue, yPred, { anchors: 2 }))).toBeCloseTo(
      0.25 + 0.1 + 0.04 + 0.045 + 0.32,
      5,
    );
    expect(() => yoloLoss(yTrue, yPred, { anchors: 3 })).toThrow(
      /\[1,1,1,14\] does not split into 3 anchors/,
    );
    tf.dispose([yTrue, yPred]);
  });

  it('wants rank 5 (or 4) and at least one class', () => {
    const a = tf.zeros([2, 2, 7]);
    expect(() => yoloLoss(a, a)).toThrow(/rank 5.*\[2,2,7\]/);
    const b = tf.zeros([1, 2, 2, 1, 5]);
    expect(() => yoloLoss(b, b)).toThrow(/at least one class.*\[1,2,2,1,5\]/);
    tf.dispose([a, b]);
  });
});

describe('triplet loss and the Siamese logistic form', () => {
  it('max(d(A,P) - d(A,N) + margin, 0) per triplet', () => {
    const a = tf.tensor2d([
      [0, 0],
      [0, 0],
    ]);
    const p = tf.tensor2d([
      [1, 0],
      [0, 0.1],
    ]);
    const n = tf.tensor2d([
      [0, 2],
      [1, 0],
    ]);
    // Triplet 1: 1 - 4 + 0.2 < 0 -> 0. Triplet 2: 0.01 - 1 + 0.2 < 0 -> 0. With margin 4: 1 and 3.01.
    expect(value(() => tripletLoss(a, p, n))).toBe(0);
    expect(value(() => tripletLoss(a, p, n, { margin: 4, reduction: 'sum' }))).toBeCloseTo(1 + 3.01, 5);
    expect(value(() => tripletLoss(a, p, n, { margin: 4 }))).toBeCloseTo((1 + 3.01) / 2, 5);
    // Zero margin: the trivial solution f = 0 (all distances 0) costs nothing.
    const zero = tf.zeros([2, 2]);
    expect(value(() => tripletLoss(zero, zero, zero, { margin: 0 }))).toBe(0);
    expect(value(() => tripletLoss(zero, zero, zero))).toBeCloseTo(0.2, 6);
    expect(gradientsFinite((x) => tripletLoss(x, p, n, { margin: 4 }), a)).toBe(true);
    expect(() => tf.tidy(() => tripletLoss(a, p, tf.zeros([3, 2])))).toThrow(/negative has shape \[3,2\]/);
    expect(() => tripletLoss(a, p, n, { margin: -1 })).toThrow(/margin/);
    tf.dispose([a, p, n, zero]);
  });

  it('sigma(sum_k w_k |f_i - f_j|_k + b), and the chi-squared form', () => {
    const fa = tf.tensor2d([[1, 2]]);
    const fb = tf.tensor2d([[3, 1]]);
    const w = tf.tensor1d([0.5, -1]);
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    expect(value(() => siameseLogistic(fa, fb, w, 0.25))).toBeCloseTo(sigmoid(0.5 * 2 - 1 * 1 + 0.25), 6);
    expect(value(() => siameseLogistic(fa, fb, w, 0, { form: 'chiSquared' }))).toBeCloseTo(
      sigmoid((0.5 * 4) / 4 - (1 * 1) / 3),
      6,
    );
    expect(() => tf.tidy(() => siameseLogistic(fa, fb, tf.tensor1d([1]), 0))).toThrow(
      /weights of shape \[1\] for embeddings of shape \[1,2\]/,
    );
    tf.dispose([fa, fb, w]);
  });
});

describe('total variation', () => {
  it('sums absolute (or squared) differences of neighbours, like tf.image.total_variation', () => {
    // 2x2 image [[1, 3], [4, 8]]: vertical |4-1| + |8-3| = 8, horizontal |3-1| + |8-4| = 6.
    const img = tf.tensor4d([1, 3, 4, 8], [1, 2, 2, 1]);
    expect(value(() => totalVariation(img))).toBe(14);
    expect(value(() => totalVariation(img, { power: 2 }))).toBe(9 + 25 + 4 + 16);
    const flat = tf.fill([2, 4, 4, 3], 0.7);
    expect(value(() => totalVariation(flat))).toBe(0);
    expect(value(() => totalVariation(tf.ones([1, 1, 1, 3])))).toBe(0);
    expect(gradientsFinite((x) => totalVariation(x, { power: 2 }), img)).toBe(true);
    expect(() => tf.tidy(() => totalVariation(tf.zeros([2, 2])))).toThrow(/rank 3 .* or 4 .*\[2,2\]/);
    expect(() => tf.tidy(() => totalVariation(img, { power: 3 as 2 }))).toThrow(
      /power must be 1 or 2, got 3/,
    );
    tf.dispose([img, flat]);
  });

  it("takes one image [h, w, c] as a batch of one: the squared form is style transfer's smoothness term", () => {
    // [[0, 1], [3, 7]]: vertical (3-0)² + (7-1)² = 45; horizontal (1-0)² + (7-3)² = 17.
    const one = tf.tensor3d([0, 1, 3, 7], [2, 2, 1]);
    expect(value(() => totalVariation(one, { power: 2 }))).toBe(62);
    expect(value(() => totalVariation(one))).toBe(3 + 6 + 1 + 4);
    // a two-channel image: the channels add up, each on its own neighbours
    const two = tf.tensor3d([0, 5, 1, 5, 3, 5, 7, 6], [2, 2, 2]);
    expect(value(() => totalVariation(two, { power: 2 }))).toBe(62 + 1 + 1);
    tf.dispose([one, two]);
  });
});
