// channelPeaks on a hand-made activation tensor, and cropPatches with boxes from elsewhere.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { channelPeaks, cropPatches } from '../../../lib/viz/patches';

describe('channelPeaks', () => {
  it('finds each image\'s peak of each channel, its position and value', () => {
    // 2 images, 2×3 maps, 2 channels: channel 0 holds 10·i + position, channel 1 its negation,
    // except one tie (image 1, channel 1: 5 at positions 1 and 4, the first one counts).
    const values: number[][][][] = [0, 1].map((i) => [0, 1].map((y) => [0, 1, 2].map((x) => {
      const position = 3 * y + x;
      const second = i === 1 && (position === 1 || position === 4) ? 5 : -(10 * i + position) - 1;
      return [10 * i + position, second];
    })));
    const activations = tf.tensor4d(values);
    const before = tf.memory().numTensors;
    const peaks = channelPeaks(activations, 7);
    expect(tf.memory().numTensors).toBe(before);
    expect(peaks).toEqual([
      [{ photo: 7, y: 1, x: 2, value: 5 }, { photo: 8, y: 1, x: 2, value: 15 }],
      [{ photo: 7, y: 0, x: 0, value: -1 }, { photo: 8, y: 0, x: 1, value: 5 }],
    ]);
    expect(() => channelPeaks(tf.zeros([2, 3]) as unknown as tf.Tensor4D)).toThrow(/\[n, h, w, channels\], got \[2,3\]/);
    activations.dispose();
  });
});

describe('cropPatches', () => {
  it('takes any object with an image index and a box', () => {
    const images = tf.tensor4d(Array.from({ length: 2 * 4 * 4 }, (_, i) => i), [2, 4, 4, 1]);
    const crops = cropPatches(images, [{ image: 1, box: [1, 2, 3, 4] as [number, number, number, number], photo: 'extra field' }]);
    // image 1 starts at 16; rows 2..3, columns 1..2: 16 + 4·2 + 1 = 25, 26, 29, 30.
    expect(crops.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(crops.dataSync())).toEqual([25, 26, 29, 30]);
    tf.dispose([images, crops]);
  });
});
