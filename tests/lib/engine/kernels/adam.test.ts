// The fused Adam update on wasm against TensorFlow.js's own AdamOptimizer, which
// runs op by op on the cpu backend (the fused kernel exists only on wasm).
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAM_UPDATE } from '../../../../lib/engine/kernels/adam';
import { seeded } from '../../../helpers/numeric';

// applyGradients takes gradients by variable name (typed as variables, any tensor works) or as a list.
type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
const byName = (map: Record<string, tf.Tensor>) => map as unknown as Gradients;

interface Run {
  variables: Float32Array[];
  optimizerWeights: Array<{ name: string; values: Float32Array }>;
  kernelCalls: number;
}

/** Five Adam steps on two variables with fixed gradients; returns everything the optimizer holds. */
async function train(backend: 'cpu' | 'wasm', make: () => tf.AdamOptimizer): Promise<Run> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const w = tf.tidy(() => tf.variable(tf.tensor2d(seeded(1000, 1), [25, 40]), true, `w-${backend}`));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(seeded(4, 2)), true, `b-${backend}`));
  const optimizer = make();
  let kernelCalls = 0;
  const profile = await tf.profile(async () => {
    for (let step = 0; step < 5; step++) {
      // Gradients of very different sizes, a zero and a sign change across steps.
      const gw = tf.tensor2d(
        seeded(1000, 10 + step).map((v, i) => (i === 5 ? 0 : v * 10 ** (step - 2))),
        [25, 40],
      );
      const gb = tf.tensor1d(seeded(4, 20 + step).map((v) => v * (step % 2 ? -1 : 1)));
      optimizer.applyGradients(
        step % 2
          ? [
              { name: w.name, tensor: gw },
              { name: b.name, tensor: gb },
            ]
          : byName({ [w.name]: gw, [b.name]: gb }),
      );
      tf.dispose([gw, gb]);
    }
  });
  kernelCalls = profile.kernels.filter((k) => k.name === ADAM_UPDATE).length;
  const weights = await optimizer.getWeights();
  const run: Run = {
    variables: [Float32Array.from(await w.data()), Float32Array.from(await b.data())],
    optimizerWeights: await Promise.all(
      weights.map(async (n) => ({
        name: n.name.replace(`-${backend}`, ''),
        values: Float32Array.from(await n.tensor.data()),
      })),
    ),
    kernelCalls,
  };
  weights[0]!.tensor.dispose(); // the iteration count, made for getWeights; the rest are the optimizer's own
  optimizer.dispose();
  tf.dispose([w, b]);
  expect(tf.memory().numTensors, `Adam on ${backend} leaked tensors`).toBe(before);
  return run;
}

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('fused Adam update', () => {
  it('gives the same bits as tfjs AdamOptimizer op by op: variables, moments and iterations', async () => {
    const make = () => tf.train.adam(0.01, 0.8, 0.95, 1e-6);
    const expected = await train('cpu', make);
    const actual = await train('wasm', make);
    expect(expected.kernelCalls).toBe(0);
    expect(actual.kernelCalls).toBe(10);
    expect(actual.variables).toEqual(expected.variables);
    expect(actual.optimizerWeights).toEqual(expected.optimizerWeights);
    expect(actual.optimizerWeights.map((w) => w.name)).toEqual(['iter', 'w/m', 'b/m', 'w/v', 'b/v']);
  });

  it('takes a first step of learning rate times the sign of the gradient, by the formula', async () => {
    await tf.setBackend('wasm');
    const x = tf.variable(tf.tensor1d([1, -2, 3]));
    const optimizer = tf.train.adam(0.1);
    const g = tf.tensor1d([4, 0.5, -1e-3]);
    optimizer.applyGradients(byName({ [x.name]: g }));
    // Step 1: m̂ = g, v̂ = g², so x − lr·g / (|g| + ε) with tfjs's ε = 1e-7 (to float32's
    // rounding of 1 − β1 and 1 − β2, about 1e-6 relative).
    const expected = [1, -2, 3].map(
      (v, i) => v - (0.1 * [4, 0.5, -1e-3][i]!) / (Math.abs([4, 0.5, -1e-3][i]!) + 1e-7),
    );
    const actual = await x.data();
    expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, 5));
    optimizer.dispose();
    tf.dispose([x, g]);
  });

  it('leaves backends without the kernel to tfjs own update', async () => {
    // On cpu the kernel is absent: the optimizer must still train (tfjs's own update).
    await tf.setBackend('cpu');
    expect(tf.getKernel(ADAM_UPDATE, 'cpu')).toBeUndefined();
    const x = tf.variable(tf.scalar(1));
    const optimizer = tf.train.adam(0.5);
    optimizer.minimize(() => tf.square(x));
    expect((await x.data())[0]).toBeCloseTo(0.5, 5);
    optimizer.dispose();
    x.dispose();
  });
});
