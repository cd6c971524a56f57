// The seeded augmentations against hand-made images, and fine-tuning's unfreezing by
// counting trainable weights (hand-computed parameter counts).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomCropWithPadding, randomFlipLeftRight } from '../../lib/augment';
import { unfreezeFrom } from '../../lib/transfer';

const draw = (n: number, seed: number) =>
  tf.tidy(() => Array.from(tf.randomUniform(n === 1 ? [] : [n], 0, 1, 'float32', seed).dataSync()));

describe('randomFlipLeftRight', () => {
  it('reverses the columns when the seeded draw is below 0.5, copies otherwise, and leaks nothing', () => {
    const image = tf.tensor3d([
      [
        [0, 0],
        [1, -1],
        [2, -2],
      ],
      [
        [10, -10],
        [11, -11],
        [12, -12],
      ],
    ]);
    const before = tf.memory().numTensors;
    const outcomes = new Set<boolean>();
    for (let seed = 1; seed <= 8; seed++) {
      const flip = draw(1, seed)[0]! < 0.5;
      outcomes.add(flip);
      const got = randomFlipLeftRight(image, seed);
      expect(got.arraySync()).toEqual(
        flip
          ? [
              [
                [2, -2],
                [1, -1],
                [0, 0],
              ],
              [
                [12, -12],
                [11, -11],
                [10, -10],
              ],
            ]
          : image.arraySync(),
      );
      expect(got).not.toBe(image);
      got.dispose();
    }
    expect(outcomes.size).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    image.dispose();
  });
});

describe('randomCropWithPadding', () => {
  it('cuts the window at row ⌊u·(2p+1)⌋, column ⌊v·(2p+1)⌋ of the zero-padded image', () => {
    const rows = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ];
    const image = tf.tensor3d(rows.map((r) => r.map((v) => [v])));
    const before = tf.memory().numTensors;
    const seen = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) {
      const [u, v] = draw(2, seed);
      const [top, left] = [Math.floor(u! * 3), Math.floor(v! * 3)];
      seen.add(`${top},${left}`);
      const want = Array.from({ length: 3 }, (_, i) =>
        Array.from({ length: 4 }, (_, j) => {
          const [r, c] = [top + i - 1, left + j - 1];
          return [r >= 0 && r < 3 && c >= 0 && c < 4 ? rows[r]![c]! : 0];
        }),
      );
      const got = randomCropWithPadding(image, 1, seed);
      expect(got.arraySync()).toEqual(want);
      got.dispose();
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
    const same = randomCropWithPadding(image, 0, 5);
    expect(same.arraySync()).toEqual(image.arraySync());
    same.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => randomCropWithPadding(image, -1, 1)).toThrow(/pad must be/);
    image.dispose();
  });
});

describe('unfreezeFrom', () => {
  it('freezes the layers before the named one and unfreezes the rest', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 3],
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          name: 'block1_conv',
        }),
        tf.layers.batchNormalization({ name: 'block1_bn' }),
        tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'block2_conv' }),
        tf.layers.batchNormalization({ name: 'block2_bn' }),
        tf.layers.globalAveragePooling2d({ name: 'pool' }),
        tf.layers.dense({ units: 5, name: 'head' }),
      ],
    });
    const count = () =>
      model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    unfreezeFrom(model, 'block2_conv');
    expect(count()).toBe((3 * 3 * 4 + 1) * 8 + 2 * 8 + 8 * 5 + 5);
    model.layers.forEach((l) => {
      l.trainable = false;
    });
    unfreezeFrom(model, 'block1_bn');
    expect(count()).toBe(2 * 4 + (3 * 3 * 4 + 1) * 8 + 2 * 8 + 8 * 5 + 5);
    expect(() => unfreezeFrom(model, 'nope')).toThrow(/no layer named 'nope'/);
    expect(count()).toBe(2 * 4 + (3 * 3 * 4 + 1) * 8 + 2 * 8 + 8 * 5 + 5);
    model.dispose();
  });
});
