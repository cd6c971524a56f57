import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectNoTensorLeaks } from '../helpers/leaks';
import {
  colorizeMask,
  confusionMatrix,
  evaluateSegmentation,
  overlayMask,
  perClassDice,
  perClassIou,
} from '../../lib/segmentation';

expectNoTensorLeaks();

describe('segmentation metrics', () => {
  it('confusion matrix equals one-hot(truth)^T one-hot(predicted) on random labels', async () => {
    const truth = tf.randomUniform([6, 7], 0, 4, 'int32', 1);
    const pred = tf.randomUniform([6, 7], 0, 4, 'int32', 2);
    // tf.math.confusionMatrix does this product in int32, which wasm's matMul refuses: do it in float32.
    const hot = (t: tf.Tensor) =>
      tf.cast(tf.oneHot(tf.reshape(t, [-1]) as tf.Tensor1D, 4), 'float32') as tf.Tensor2D;
    const ref = tf.tidy(() => tf.matMul(hot(truth), hot(pred), true, false));
    expect(confusionMatrix(truth, pred, 4)).toEqual(await ref.array());
    tf.dispose([truth, pred, ref]);
  });

  it('per-class IoU and Dice match hand counts', () => {
    // 3x3 masks, two classes.
    const truth = [1, 1, 0, 1, 1, 0, 0, 0, 0]; // class 1: 4 pixels
    const pred = [1, 1, 1, 1, 0, 0, 0, 0, 0]; //  class 1: 4 pixels, 3 shared
    const cm = confusionMatrix(truth, pred, 2);
    expect(cm).toEqual([
      [4, 1],
      [1, 3],
    ]);
    // class 1: TP 3, FP 1, FN 1 -> IoU 3/5, Dice 6/8. class 0: TP 4, FP 1, FN 1 -> IoU 4/6, Dice 8/10.
    const iou = perClassIou(cm);
    const dice = perClassDice(cm);
    expect(iou[1]).toBeCloseTo(3 / 5, 12);
    expect(iou[0]).toBeCloseTo(4 / 6, 12);
    expect(dice[1]).toBeCloseTo(6 / 8, 12);
    expect(dice[0]).toBeCloseTo(8 / 10, 12);
    // Ignoring class-0 truth pixels (a "void" label) keeps the 4 class-1 pixels only.
    expect(confusionMatrix(truth, pred, 2, { ignoreLabel: 0 })).toEqual([
      [0, 0],
      [1, 3],
    ]);
    expect(
      perClassIou([
        [5, 0, 0],
        [0, 0, 0],
        [0, 0, 2],
      ])[1],
    ).toBeNaN();
  });

  it('evaluates from logits with argmax and reports pixel accuracy', () => {
    const truth = tf.tensor2d(
      [
        [0, 1],
        [2, 2],
      ],
      [2, 2],
      'int32',
    );
    const logits = tf.tensor3d([
      [
        [5, 0, 0],
        [0, 3, 1],
      ],
      [
        [0, 0, 2],
        [4, 0, 1],
      ],
    ]); // argmax [[0,1],[2,0]]
    const r = evaluateSegmentation(truth, logits, 3);
    expect(r.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 1],
    ]);
    expect(r.pixelAccuracy).toBeCloseTo(0.75, 12);
    expect(r.iou).toEqual([0.5, 1, 0.5]);
    expect(r.meanIou).toBeCloseTo(2 / 3, 12);
    const wrong = tf.zeros([2, 2, 4]);
    expect(() => evaluateSegmentation(truth, wrong, 3)).toThrow(/4 channels/);
    tf.dispose([truth, logits, wrong]);
  });

  it('rejects mismatched shapes and labels out of range', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 pixels but predictions have 1/);
    expect(() => confusionMatrix([0, 3], [0, 1], 2)).toThrow(/true label 3/);
    const a = tf.zeros([2, 3]),
      b = tf.zeros([3, 2]);
    expect(() => confusionMatrix(a, b, 2)).toThrow(/\[2,3\].*\[3,2\]/);
    tf.dispose([a, b]);
  });
});

describe('mask pictures', () => {
  it('colours labels with the palette and overlays them with alpha, leaving the background', () => {
    const labels = tf.tensor2d(
      [
        [0, 1],
        [2, 1],
      ],
      [2, 2],
      'int32',
    );
    const palette: Array<[number, number, number]> = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 0, 255],
    ];
    const colours = colorizeMask(labels, palette);
    expect(colours.arraySync()).toEqual([
      [
        [0, 0, 0],
        [1, 0, 0],
      ],
      [
        [0, 0, 1],
        [1, 0, 0],
      ],
    ]);
    const image = tf.fill([2, 2, 3], 0.5) as tf.Tensor3D;
    const over = overlayMask(image, labels, { alpha: 0.25, palette });
    const v = over.arraySync() as number[][][];
    expect(v[0]![0]).toEqual([0.5, 0.5, 0.5]);
    [0.625, 0.375, 0.375].forEach((x, i) => expect(v[0]![1]![i]).toBeCloseTo(x, 6));
    [0.375, 0.375, 0.625].forEach((x, i) => expect(v[1]![0]![i]).toBeCloseTo(x, 6));
    const seven = tf.tensor2d([[7]], [1, 1], 'int32');
    expect(() => colorizeMask(seven, palette)).toThrow(/label 7 has no colour/);
    tf.dispose([labels, colours, image, over, seven]);
  });
});
