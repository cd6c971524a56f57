// The leaky ReLU on wasm (the course's SIMD pass in doubles, and the JavaScript loop kept for
// engines without WebAssembly SIMD) against the cpu backend's kernel: the same bits, NaN and
// signed zeros included. The backend's own kernel multiplies in float32 and fails this.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { leakyReluInto } from '../../../../lib/engine/kernels/leaky-relu';
import { seeded } from '../../../helpers/numeric';

afterAll(async () => {
  await tf.setBackend('wasm');
});

// An odd count (SIMD tail), values of both signs over several magnitudes, zeros, NaN, infinities.
const xs = Float32Array.from([
  ...Array.from(seeded(1001, 7), (v, i) => v * 10 ** ((i % 9) - 4)),
  0,
  -0,
  Number.NaN,
  Infinity,
  -Infinity,
  1e-45,
  -1e-45,
  -3.4e38,
]);

async function leakyOn(backend: 'cpu' | 'wasm', values: Float32Array, alpha: number): Promise<number[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const x = tf.tensor1d(values);
  const y = tf.leakyRelu(x, alpha);
  const out = Array.from(await y.data());
  tf.dispose([x, y]);
  expect(tf.memory().numTensors, `leaked tensors on ${backend}`).toBe(before);
  return out;
}

describe('leaky ReLU on wasm', () => {
  for (const alpha of [0.1, 0.2, 0.3]) {
    it(`alpha ${alpha}: the cpu backend's bits`, async () => {
      const expected = await leakyOn('cpu', xs, alpha);
      expect(await leakyOn('wasm', xs, alpha)).toEqual(expected);
      // The SIMD tail alone, and in a 4D activation.
      for (const length of [1, 3, 6]) {
        const part = xs.subarray(1001, 1001 + length);
        expect(await leakyOn('wasm', part, alpha)).toEqual(await leakyOn('cpu', part, alpha));
      }
    });
  }

  it("keeps the backend's kernel for int32 inputs (float32 out)", async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([-3, 0, 5], 'int32');
    const y = tf.leakyRelu(x, 0.5);
    expect(y.dtype).toBe('float32');
    expect(Array.from(await y.data())).toEqual([-1.5, 0, 5]);
    tf.dispose([x, y]);
  });

  it("the JavaScript loop gives the cpu backend's bits", async () => {
    const expected = await leakyOn('cpu', xs, 0.1);
    const y = new Float32Array(xs.length);
    leakyReluInto(xs, 0.1, y);
    expect(Array.from(y)).toEqual(expected);
  });
});
