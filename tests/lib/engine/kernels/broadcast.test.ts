// Element-wise ops with a per-channel vector, which the course runs on wide rows on
// wasm, against the cpu backend: the same bits (these ops are exact in float32).
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { rowsToJoin, WIDE_ROW } from '../../../../lib/engine/kernels/broadcast';
import { sameAsCpu, seededTensor } from '../../../helpers/same-as-cpu';

afterAll(async () => {
  await tf.setBackend('wasm');
});

const vector = (shape: number[]) => seededTensor(shape, 'float32', 5);
const ops = {
  add: (a: tf.Tensor, b: tf.Tensor) => tf.add(a, b),
  sub: (a: tf.Tensor, b: tf.Tensor) => tf.sub(a, b),
  mul: (a: tf.Tensor, b: tf.Tensor) => tf.mul(a, b),
  div: (a: tf.Tensor, b: tf.Tensor) => tf.div(a, b),
};

describe('a tensor and a per-channel vector', () => {
  for (const [name, op] of Object.entries(ops)) {
    it(`${name}: a bias-like vector after the tensor, of rank 1 and of full rank`, async () => {
      await sameAsCpu([16, 6, 6, 8], (x) => tf.tidy(() => op(x, vector([8]))), ['float32']);
      await sameAsCpu([3, 5, 16], (x) => tf.tidy(() => op(x, vector([1, 1, 16]))), ['float32']);
    });
    it(`${name}: the vector first`, async () => {
      await sameAsCpu([16, 6, 6, 8], (x) => tf.tidy(() => op(vector([8]), x)), ['float32']);
    });
  }

  it('handles an odd number of rows, one channel and integer tensors as the backend does', async () => {
    await sameAsCpu([7, 3], (x) => tf.tidy(() => tf.add(x, vector([3]))), ['float32']);
    await sameAsCpu([64, 1], (x) => tf.tidy(() => tf.mul(x, vector([1]))), ['float32']);
    await sameAsCpu([8, 4], (x) => tf.tidy(() => tf.add(x, seededTensor([4], 'int32', 3))), ['int32']);
  });
});

describe('rowsToJoin', () => {
  const info = (shape: number[]) => ({ dataId: {}, shape, dtype: 'float32' as const });
  it('joins rows up to the wide row length, by powers of two that divide the row count', () => {
    expect(rowsToJoin(info([64, 28, 28, 8]), info([8]))).toBe(WIDE_ROW / 8);
    expect(rowsToJoin(info([6, 8]), info([8]))).toBe(2);
    expect(rowsToJoin(info([7, 8]), info([8]))).toBe(1);
  });
  it('refuses what is not a trailing vector of the other input', () => {
    expect(rowsToJoin(info([64, 8]), info([4]))).toBe(1);
    expect(rowsToJoin(info([64, 8]), info([2, 8]))).toBe(1);
    expect(rowsToJoin(info([8]), info([1, 1, 8]))).toBe(1);
    expect(rowsToJoin(info([64, 1024]), info([1024]))).toBe(1);
  });
});
