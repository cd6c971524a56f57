import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mirrorDirectories } from '../../lib/data/hub';
import { loadAssetImage } from '../../lib/data/images';
import { loadNanoDet } from '../../lib/data/models';
import { decodeNanoDet, nonMaxSuppressionPerClass } from '../../lib/detection';

describe('decodeNanoDet', () => {
  it('places boxes from cell centres and expected bin distances, by hand', () => {
    // Stride 8 on a 16-pixel input: a 2×2 grid; 3 classes; regMax 2 (bins 0, 1, 2).
    const scores = tf.tensor2d([
      [0.1, 0.2, 0.1],
      [0.1, 0.1, 0.1],
      [0.3, 0.1, 0.2],
      [0.1, 0.2, 0.9],
    ]);
    const d = new Float32Array(4 * 12);
    const cell = 3; // row 1, col 1: centre (12, 12)
    d[cell * 12 + 0 * 3 + 1] = 50; // left: bin 1 → 8 px
    // top: all logits 0 → expected bin (0 + 1 + 2) / 3 = 1 → 8 px
    d[cell * 12 + 2 * 3 + 2] = 50; // right: bin 2 → 16 px, past the edge: clipped
    d[cell * 12 + 3 * 3 + 0] = 50; // bottom: bin 0 → 0 px
    const distances = tf.tensor2d(d, [4, 12]);
    const found = decodeNanoDet([{ scores: scores, distances: distances, stride: 8 }], {
      inputSize: 16,
      regMax: 2,
      scoreThreshold: 0.25,
      labels: ['a', 'b', 'c'],
    });
    expect(found.length).toBe(2);
    const [first, second] = found;
    expect(first!.classId).toBe(0); // cell 2 (row 1, col 0): score 0.3, class 0
    expect(first!.score).toBeCloseTo(0.3, 6);
    expect(second!.classId).toBe(2);
    expect(second!.label).toBe('c');
    expect(second!.score).toBeCloseTo(0.9, 6);
    [4 / 16, 4 / 16, 1, 12 / 16].forEach((v, k) => expect(second!.box[k]).toBeCloseTo(v, 6));
    // cell 2's distances are all-zero logits: 8 px on every side around (4, 12)
    [0, 4 / 16, 12 / 16, 20 / 16 > 1 ? 1 : 20 / 16].forEach((v, k) =>
      expect(first!.box[k]).toBeCloseTo(v, 6),
    );
    tf.dispose([scores, distances]);
  });

  it('names the expected shapes when a level does not fit its stride', () => {
    const scores = tf.zeros([1, 5, 3]),
      distances = tf.zeros([1, 5, 12]);
    expect(() =>
      decodeNanoDet([{ scores: scores, distances: distances, stride: 8 }], { inputSize: 16, regMax: 2 }),
    ).toThrow(
      /stride 8 on a 16-pixel input needs scores \[4, classes\] and distances \[4, 12\], got \[1,5,3\]/,
    );
    tf.dispose([scores, distances]);
  });
});

const mirror = mirrorDirectories().find(
  (m) =>
    existsSync(join(m, 'models', 'nanodet', 'nanodet.bin')) && existsSync(join(m, 'photos', 'giraffe.jpg')),
);

describe.skipIf(!mirror)('NanoDet on real photos', () => {
  it('finds the known objects of two photos (giraffe and zebra; bus and people)', async () => {
    const { model, classes } = await loadNanoDet();
    const before = tf.memory().numTensors;
    const labelsOf = async (photo: string) => {
      const image = await loadAssetImage(`photos/${photo}`, { size: [416, 416] });
      // NanoDet's preprocessing: BGR, minus the ImageNet means, over the standard deviations, channels first.
      const x = tf.tidy(() =>
        image
          .mul(255)
          .reverse(-1)
          .sub([103.53, 116.28, 123.675])
          .div([57.375, 57.12, 58.395])
          .transpose([2, 0, 1])
          .expandDims(0),
      );
      const outs = model.execute(x) as tf.Tensor[];
      const levels = [8, 16, 32].map((stride) => {
        const cells = (416 / stride) ** 2;
        return {
          stride: stride,
          scores: outs.find((o) => o.shape[1] === cells && o.shape[2] === 80)!,
          distances: outs.find((o) => o.shape[1] === cells && o.shape[2] === 44)!,
        };
      });
      const found = nonMaxSuppressionPerClass(
        decodeNanoDet(levels, { inputSize: 416, labels: classes, scoreThreshold: 0.5 }),
        { iouThreshold: 0.5 },
      );
      tf.dispose([image, x, ...outs]);
      return found.map((d) => d.label).sort();
    };
    expect(await labelsOf('giraffe.jpg')).toEqual(['giraffe', 'zebra']);
    expect(await labelsOf('bus.jpg')).toEqual(['bus', 'person', 'person', 'person']);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  }, 120_000);
});
