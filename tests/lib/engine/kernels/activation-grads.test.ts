// The ReLU and leaky-ReLU gradients, one heap pass each on wasm (SIMD, and the JavaScript
// loops kept for engines without it), against TensorFlow.js's own gradients on the cpu
// backend: the same bits, NaN and signed zeros included.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LEAKY_RELU_GRAD,
  RELU_GRAD,
  leakyReluGradInto,
  reluGradInto,
} from '../../../../lib/engine/kernels/activation-grads';
import { seeded } from '../../../helpers/numeric';

afterAll(async () => {
  await tf.setBackend('wasm');
});

// Inputs with zeros, NaN and infinities; upstream gradients of both signs and non-finite ones.
const xs = Float32Array.from([...seeded(200, 3), 0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 0]);
const dys = Float32Array.from([...seeded(200, 4), -2, 3, 1, -1, 2, NaN, Infinity, -Infinity]);

async function gradient(
  backend: 'cpu' | 'wasm',
  activation: (x: tf.Tensor) => tf.Tensor,
  fused: string,
): Promise<{ dx: number[]; fusedCalls: number }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const x = tf.tensor(xs, [2, 4, 26]);
  const dy = tf.tensor(dys, [2, 4, 26]);
  let dx: tf.Tensor | undefined;
  const profile = await tf.profile(() => {
    dx = tf.grad((input: tf.Tensor) => activation(input))(x, dy);
  });
  const result = {
    dx: Array.from(await dx!.data()),
    fusedCalls: profile.kernels.filter((k) => k.name === fused).length,
  };
  tf.dispose([x, dy, dx!]);
  expect(tf.memory().numTensors, `leaked tensors on ${backend}`).toBe(before);
  return result;
}

describe('activation gradients on wasm', () => {
  const cases: Array<[string, (x: tf.Tensor) => tf.Tensor, string]> = [
    ['leaky relu, alpha 0.1 (Tiny-Darknet, YOLO)', (x) => tf.leakyRelu(x, 0.1), LEAKY_RELU_GRAD],
    ['leaky relu, alpha 0.3', (x) => tf.leakyRelu(x, 0.3), LEAKY_RELU_GRAD],
    ['relu', (x) => tf.relu(x), RELU_GRAD],
  ];
  for (const [name, activation, fused] of cases) {
    it(`${name}: one fused kernel, the same bits as tfjs`, async () => {
      const expected = await gradient('cpu', activation, fused);
      const actual = await gradient('wasm', activation, fused);
      expect(expected.fusedCalls).toBe(0);
      expect(actual.fusedCalls).toBe(1);
      expect(actual.dx).toEqual(expected.dx);
    });
  }

  it('the JavaScript loops (for engines without WebAssembly SIMD) give the same bits', async () => {
    const expectedRelu = await gradient('cpu', (x) => tf.relu(x), RELU_GRAD);
    const expectedLeaky = await gradient('cpu', (x) => tf.leakyRelu(x, 0.1), LEAKY_RELU_GRAD);
    const dx = new Float32Array(xs.length);
    reluGradInto(dys, xs, dx);
    expect(Array.from(dx)).toEqual(expectedRelu.dx);
    leakyReluGradInto(dys, xs, 0.1, dx);
    expect(Array.from(dx)).toEqual(expectedLeaky.dx);
  });

  it('leaves the cpu backend, which lacks the kernel, to tfjs', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor1d([-2, 0, 3]);
    const dy = tf.ones([3]);
    const dx = tf.grad((input: tf.Tensor) => tf.leakyRelu(input, 0.5))(x, dy);
    expect(Array.from(await dx.data())).toEqual([0.5, 0.5, 1]);
    tf.dispose([x, dy, dx]);
  });
});
