// The wasm backend's slicing kernels, which the course replaces with copies on
// the heap, against the cpu backend's: the same values, shapes and dtypes, exactly.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../lib/backend';
import { sameAsCpu } from '../../../helpers/same-as-cpu';

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('Slice', () => {
  const cases: Array<{ name: string; shape: number[]; begin: number[]; size: number[] }> = [
    {
      name: 'rows of a batch (one contiguous run)',
      shape: [6, 4, 5, 3],
      begin: [2, 0, 0, 0],
      size: [3, -1, -1, -1],
    },
    { name: 'a window inside every image', shape: [3, 7, 6, 4], begin: [0, 2, 1, 1], size: [3, 4, 3, 2] },
    {
      name: 'the last channels only (runs of 2)',
      shape: [2, 5, 5, 6],
      begin: [0, 0, 0, 4],
      size: [-1, -1, -1, 2],
    },
    {
      name: 'rank 5, several partial axes',
      shape: [3, 4, 2, 5, 3],
      begin: [1, 1, 0, 2, 0],
      size: [2, 2, 2, 2, 3],
    },
    { name: 'a vector', shape: [11], begin: [3], size: [5] },
    { name: 'the whole tensor', shape: [4, 3], begin: [0, 0], size: [4, 3] },
    { name: 'an empty slice', shape: [4, 3], begin: [1, 0], size: [0, 3] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await sameAsCpu(c.shape, (x) => tf.slice(x, c.begin, c.size));
    });
  }

  it('leaves the input intact and readable after slicing', async () => {
    await initBackend({ backend: 'wasm' });
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const part = tf.slice(x, [1, 1], [1, 2]);
    expect(await part.array()).toEqual([[5, 6]]);
    expect(await x.array()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    tf.dispose([x, part]);
  });

  it('slices string tensors through the backend itself', async () => {
    await sameAsCpu([1], () => tf.tidy(() => tf.slice(tf.tensor1d(['a', 'b', 'c', 'd']), [1], [2])), [
      'float32',
    ]);
  });
});

describe('SplitV', () => {
  it('splits a concatenated gradient along channels, as a U-Net backprop does', async () => {
    await sameAsCpu([2, 4, 4, 10], (x) => tf.split(x, [4, 6], 3));
  });
  it('splits into equal parts along the first and a middle axis', async () => {
    await sameAsCpu([6, 4, 3], (x) => tf.split(x, 3, 0));
    await sameAsCpu([6, 4, 3], (x) => tf.split(x, [1, -1], 1));
  });
});

describe('Unpack', () => {
  it('unstacks a batch into images and a middle axis into planes', async () => {
    await sameAsCpu([5, 3, 2, 2], (x) => tf.unstack(x));
    await sameAsCpu([2, 3, 4], (x) => tf.unstack(x, -2));
  });
});

describe('StridedSlice', () => {
  it('takes plain slices (stride 1), shrinking and masking axes', async () => {
    await sameAsCpu([4, 5, 6], (x) => tf.stridedSlice(x, [1, 0, 2], [3, 5, 5], [1, 1, 1]));
    await sameAsCpu([4, 5, 6], (x) => tf.stridedSlice(x, [1, 2, 0], [2, 4, 6], [1, 1, 1], 0, 4, 0, 0, 1));
    await sameAsCpu([4, 5, 6], (x) => tf.stridedSlice(x, [2], [4], [1]));
  });
  it('leaves strided and reversed slices to the backend', async () => {
    await sameAsCpu([6, 5], (x) => tf.stridedSlice(x, [0, 4], [6, 0], [2, -1]), ['float32']);
  });
  it('refuses a range written backwards, as the cpu backend does', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.zeros([6, 5]);
      expect(() => tf.stridedSlice(x, [4, 0], [2, 5], [1, 1]), backend).toThrow(/Negative size/);
      x.dispose();
    }
  });
});

describe('Concat', () => {
  it('joins along channels (short runs), rows and the first axis', async () => {
    const parts = (x: tf.Tensor, axis: number, sizes: number[]) =>
      tf.tidy(() => {
        const pieces = tf.split(x, sizes, axis);
        return tf.concat([pieces[1]!, pieces[0]!, ...pieces.slice(2)], axis);
      });
    await sameAsCpu([3, 4, 4, 10], (x) => parts(x, 3, [4, 6]));
    await sameAsCpu([3, 4, 4, 10], (x) => parts(x, 3, [1, 2, 7]));
    await sameAsCpu([6, 130], (x) => parts(x, 1, [65, 65]));
    await sameAsCpu([6, 5, 2], (x) => parts(x, 0, [2, 4]));
  });

  it('skips empty inputs and keeps a single one', async () => {
    await sameAsCpu([2, 3], (x) => tf.tidy(() => tf.concat([x, tf.zeros([2, 0], x.dtype)], 1)));
    await sameAsCpu([2, 3], (x) => tf.tidy(() => tf.concat([tf.zeros([0, 3], x.dtype), x], 0)));
    await sameAsCpu([2, 3], (x) => tf.concat([x], 1));
  });
});
