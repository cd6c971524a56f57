// Exact agreement of an op between the wasm backend and the cpu backend's reference kernels.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { seeded, size } from './numeric';

export type Dtype = 'float32' | 'int32' | 'bool';

/** A tensor of reproducible values of any numeric dtype (int32: ±1000, bool: about half true). */
export function seededTensor(shape: number[], dtype: Dtype, seed: number): tf.Tensor {
  const values = seeded(size(shape), seed);
  if (dtype === 'float32') return tf.tensor(values, shape);
  if (dtype === 'int32')
    return tf.tensor(
      Int32Array.from(values, (v) => Math.round(v * 1000)),
      shape,
      'int32',
    );
  return tf.tensor(
    Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)),
    shape,
    'bool',
  );
}

interface Output {
  shape: number[];
  dtype: string;
  values: number[];
}

/** Runs `op` on one backend and reads every output back; checks that nothing leaked. */
async function runOn(
  backend: 'wasm' | 'cpu',
  shape: number[],
  dtype: Dtype,
  op: (x: tf.Tensor) => tf.Tensor | tf.Tensor[],
): Promise<Output[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const x = seededTensor(shape, dtype, 17);
  const result = op(x);
  const outputs = Array.isArray(result) ? result : [result];
  const read = await Promise.all(
    outputs.map(async (t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(await t.data()) })),
  );
  tf.dispose([x, ...outputs]);
  expect(tf.memory().numTensors, `leaked tensors on ${backend}`).toBe(before);
  return read;
}

/**
 * Runs `op` on a seeded input of each dtype on the cpu backend (TensorFlow.js's reference
 * kernels) and on wasm: outputs must have the same shapes, dtypes and values, exactly.
 */
export async function sameAsCpu(
  shape: number[],
  op: (x: tf.Tensor) => tf.Tensor | tf.Tensor[],
  dtypes: Dtype[] = ['float32', 'int32', 'bool'],
): Promise<void> {
  for (const dtype of dtypes) {
    const expected = await runOn('cpu', shape, dtype, op);
    const actual = await runOn('wasm', shape, dtype, op);
    expect(actual, dtype).toEqual(expected);
  }
}
