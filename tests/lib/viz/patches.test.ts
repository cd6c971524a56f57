// channelPeaks on a hand-made activation tensor, and cropPatches with boxes from elsewhere.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectNoTensorLeaks } from '../../helpers/leaks';
import { channelPeaks, cropPatches, receptiveField, topActivatingPatches } from '../../../lib/viz/patches';

expectNoTensorLeaks();

const init = (seed: number) => tf.initializers.randomUniform({ minval: 0.1, maxval: 1, seed });

function net(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [20, 20, 1],
        filters: 2,
        kernelSize: 3,
        padding: 'same',
        name: 'c1',
        kernelInitializer: init(1),
      }),
      tf.layers.averagePooling2d({ poolSize: 2, name: 'p1' }),
      tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, name: 'c2', kernelInitializer: init(2) }),
    ],
  });
}

describe('receptive field', () => {
  it('follows r += (k - 1) j, j *= s on hand-worked stacks', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 1, kernelSize: 3, name: 'a' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'b' }),
        tf.layers.conv2d({ filters: 1, kernelSize: 3, name: 'c' }),
        tf.layers.conv2d({ filters: 1, kernelSize: 3, dilationRate: 2, name: 'd' }),
      ],
    });
    expect(receptiveField(model, 'a')).toEqual({ size: [3, 3], stride: [1, 1], start: [1, 1] });
    expect(receptiveField(model, 'b')).toEqual({ size: [4, 4], stride: [2, 2], start: [1.5, 1.5] });
    expect(receptiveField(model, 'c')).toEqual({ size: [8, 8], stride: [2, 2], start: [3.5, 3.5] });
    // Dilated 3x3 covers 5: 8 + 4 * 2.
    expect(receptiveField(model, 'd')).toEqual({ size: [16, 16], stride: [2, 2], start: [7.5, 7.5] });
    expect(() => receptiveField(model, 'zz')).toThrow(/no layer "zz"/);
    model.dispose();
  });

  it('is exactly where the input gradient of a unit is non-zero', () => {
    const model = net();
    const field = receptiveField(model, 'c2');
    expect(field).toEqual({ size: [8, 8], stride: [4, 4], start: [2.5, 2.5] });
    const x = tf.randomUniform([1, 20, 20, 1], 0.1, 1, 'float32', 9);
    const [r, c] = [1, 2];
    const grad = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.slice(model.predict(input) as tf.Tensor, [0, r, c, 0], [1, 1, 1, 1])),
    )(x);
    const g = tf.tidy(() => tf.squeeze(grad).arraySync()) as number[][];
    const rows = g.map((row, i) => (row.some((v) => v !== 0) ? i : -1)).filter((i) => i >= 0);
    const cols = g[0]!.map((_, j) => (g.some((row) => row[j] !== 0) ? j : -1)).filter((j) => j >= 0);
    // Unit (1, 2): centre 2.5 + 4 = 6.5 and 2.5 + 8 = 10.5: rows 3..10, cols 7..14.
    expect([rows[0], rows[rows.length - 1], cols[0], cols[cols.length - 1]]).toEqual([3, 10, 7, 14]);
    tf.dispose([x, grad]);
    model.dispose();
  });
});

describe('top activating patches', () => {
  it('finds the strongest positions (one per image) and crops their receptive fields', () => {
    const model = net();
    const images = tf.randomUniform([5, 20, 20, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const patches = topActivatingPatches(model, 'c2', 1, images, 3);
    // Brute force over the activations.
    const acts = tf.tidy(() => (model.predict(images) as tf.Tensor).arraySync()) as number[][][][];
    const best = acts
      .map((img, n) => {
        let top = { n, r: 0, c: 0, v: -Infinity };
        img.forEach((row, r) =>
          row.forEach((px, c) => {
            if (px[1]! > top.v) top = { n, r, c, v: px[1]! };
          }),
        );
        return top;
      })
      .sort((a, b) => b.v - a.v)
      .slice(0, 3);
    expect(patches.map((p) => [p.image, p.row, p.col])).toEqual(best.map((b) => [b.n, b.r, b.c]));
    patches.forEach((p, i) => expect(p.activation).toBeCloseTo(best[i]!.v, 5));
    const p0 = patches[0]!;
    expect(p0.box).toEqual([
      Math.round(2.5 + 4 * p0.col - 3.5),
      Math.round(2.5 + 4 * p0.row - 3.5),
      Math.round(2.5 + 4 * p0.col - 3.5) + 8,
      Math.round(2.5 + 4 * p0.row - 3.5) + 8,
    ]);
    const crops = cropPatches(images, patches);
    expect(crops.shape).toEqual([3, 8, 8, 1]);
    // An interior patch equals the image slice.
    const [x1, y1] = p0.box;
    if (x1 >= 0 && y1 >= 0 && x1 + 8 <= 20 && y1 + 8 <= 20) {
      const want = tf.slice(images, [p0.image, y1, x1, 0], [1, 8, 8, 1]);
      const got = tf.slice(crops, [0, 0, 0, 0], [1, 8, 8, 1]);
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([want, got]);
    }
    // A patch hanging over the edge is padded with the fill value.
    const edge = cropPatches(images, [{ image: 0, row: 0, col: 0, activation: 0, box: [-1, -1, 7, 7] }], 0.5);
    expect((edge.arraySync() as number[][][][])[0]![0]![0]![0]).toBe(0.5);
    expect(() => topActivatingPatches(model, 'c2', 7, images)).toThrow(/unit 7 out of range/);
    tf.dispose([images, crops, edge]);
    model.dispose();
  });
});

describe('channelPeaks', () => {
  it("finds each image's peak of each channel, its position and value", () => {
    // 2 images, 2×3 maps, 2 channels: channel 0 holds 10·i + position, channel 1 its negation,
    // except one tie (image 1, channel 1: 5 at positions 1 and 4, the first one counts).
    const values: number[][][][] = [0, 1].map((i) =>
      [0, 1].map((y) =>
        [0, 1, 2].map((x) => {
          const position = 3 * y + x;
          const second = i === 1 && (position === 1 || position === 4) ? 5 : -(10 * i + position) - 1;
          return [10 * i + position, second];
        }),
      ),
    );
    const activations = tf.tensor4d(values);
    const before = tf.memory().numTensors;
    const peaks = channelPeaks(activations, 7);
    expect(tf.memory().numTensors).toBe(before);
    expect(peaks).toEqual([
      [
        { photo: 7, y: 1, x: 2, value: 5 },
        { photo: 8, y: 1, x: 2, value: 15 },
      ],
      [
        { photo: 7, y: 0, x: 0, value: -1 },
        { photo: 8, y: 0, x: 1, value: 5 },
      ],
    ]);
    const flat = tf.zeros([2, 3]);
    expect(() => channelPeaks(flat as unknown as tf.Tensor4D)).toThrow(/\[n, h, w, channels\], got \[2,3\]/);
    flat.dispose();
    activations.dispose();
  });
});

describe('cropPatches', () => {
  it('takes any object with an image index and a box', () => {
    const images = tf.tensor4d(
      Array.from({ length: 2 * 4 * 4 }, (_, i) => i),
      [2, 4, 4, 1],
    );
    const crops = cropPatches(images, [
      { image: 1, box: [1, 2, 3, 4] as [number, number, number, number], photo: 'extra field' },
    ]);
    // image 1 starts at 16; rows 2..3, columns 1..2: 16 + 4·2 + 1 = 25, 26, 29, 30.
    expect(crops.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(crops.dataSync())).toEqual([25, 26, 29, 30]);
    tf.dispose([images, crops]);
  });
});
