// lib/receptive-field against the notebook's hand-worked values and hand cases.
// modelReceptiveFields on hand-worked layer stacks: which layers count, strides, pools, dilation.
import { describe, expect, it } from 'vitest';
import {
  modelReceptiveFields,
  mostSelectiveChannel,
  receptiveFields,
  type SizeStride,
  topPatches,
} from '../../lib/receptive-field';
import * as tf from '@tensorflow/tfjs';

describe('receptiveFields', () => {
  it("gives the notes' first values: 3, then 4 (jump 2), 8, 10 (jump 4)", () => {
    const conv = { size: 3, stride: 1 };
    const pool = { size: 2, stride: 2 };
    expect(receptiveFields([conv, pool, conv, pool])).toEqual([
      { r: 3, jump: 1 },
      { r: 4, jump: 2 },
      { r: 8, jump: 2 },
      { r: 10, jump: 4 },
    ]);
    expect(
      receptiveFields([
        { size: 5, stride: 2 },
        { size: 3, stride: 3 },
        { size: 1, stride: 1 },
      ]),
    ).toEqual([
      { r: 5, jump: 2 },
      { r: 9, jump: 6 },
      { r: 9, jump: 6 },
    ]);
  });
});

describe('topPatches', () => {
  const hits = [
    { photo: 0, y: 0, x: 3, value: 2 },
    { photo: 1, y: 4, x: 4, value: 7.5 },
    { photo: 2, y: 7, x: 7, value: 4 },
    { photo: 3, y: 2, x: 6, value: -1 },
  ];
  it('keeps the k strongest, centred on the unit and moved inside the image, without changing the input', () => {
    const before = JSON.stringify(hits);
    expect(topPatches(hits, 3, 6, 2, 16)).toEqual([
      { photo: 1, y0: 6, x0: 6, size: 6, value: 7.5 },
      { photo: 2, y0: 10, x0: 10, size: 6, value: 4 },
      { photo: 0, y0: 0, x0: 4, size: 6, value: 2 },
    ]);
    expect(JSON.stringify(hits)).toBe(before);
    expect(topPatches(hits, 1, 20, 2, 16)).toEqual([{ photo: 1, y0: 0, x0: 0, size: 16, value: 7.5 }]);
  });
});

describe('mostSelectiveChannel', () => {
  it('takes the largest peak-to-mean ratio, not the largest peak', () => {
    expect(
      mostSelectiveChannel([
        [1, 1, 1, 1],
        [4, 1, 1, 1],
        [0.1, 0, 0, 0],
      ]),
    ).toBe(2);
  });
});

describe('modelReceptiveFields', () => {
  it('lists every conv and pool layer with r and jump, as computed by hand', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 2, kernelSize: 3, padding: 'same', name: 'c1' }),
        tf.layers.leakyReLU({ name: 'act' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }), // strides default to the pool size
        tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, name: 'c2' }), // effective size 5
        tf.layers.conv2d({ filters: 2, kernelSize: 5, strides: 2, name: 'c3' }),
        tf.layers.averagePooling2d({ poolSize: 3, strides: 1, name: 'p2' }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 3, name: 'dense' }),
      ],
    });
    // c1: r = 3, j = 1; p1: 3 + 1 = 4, j = 2; c2: 4 + 4·2 = 12; c3: 12 + 4·2 = 20, j = 4; p2: 20 + 2·4 = 28.
    expect(modelReceptiveFields(model)).toEqual([
      { layer: 'c1', r: 3, jump: 1 },
      { layer: 'p1', r: 4, jump: 2 },
      { layer: 'c2', r: 12, jump: 2 },
      { layer: 'c3', r: 20, jump: 4 },
      { layer: 'p2', r: 28, jump: 4 },
    ]);
    model.dispose();
  });

  it('hands the sizes and strides to the given computation and names its layers', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 1, kernelSize: 3, name: 'a' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'b' }),
      ],
    });
    const seen: SizeStride[][] = [];
    const fields = modelReceptiveFields(model, (layers) => {
      seen.push(layers);
      return layers.map((l) => ({ r: 10 * l.size, jump: l.stride }));
    });
    expect(seen).toEqual([
      [
        { size: 3, stride: 1 },
        { size: 2, stride: 2 },
      ],
    ]);
    expect(fields).toEqual([
      { layer: 'a', r: 30, jump: 1 },
      { layer: 'b', r: 20, jump: 2 },
    ]);
    expect(() => modelReceptiveFields(model, () => [])).toThrow(/2 conv\/pool layers but 0 fields/);
    model.dispose();
  });
});
