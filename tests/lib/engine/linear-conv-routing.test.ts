// Linear fused convolutions under a tape run as Conv2D (+ Add) on wasm: only the
// gradients asked for, and the same values as TensorFlow.js's fused op on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { isLinearNhwc } from '../../../lib/engine/linear-conv-routing';
import { relativeError, seeded, size } from '../../helpers/numeric';

afterAll(async () => {
  await tf.setBackend('wasm');
});

type Shape4 = [number, number, number, number];
const X: Shape4 = [2, 9, 10, 3];
const W: Shape4 = [3, 3, 3, 8];

/** Gradients of sum(fused conv ²) with respect to `wrt`, and the kernels that ran. */
async function gradientsOn(
  backend: 'wasm' | 'cpu',
  wrt: ('x' | 'filter' | 'bias')[],
  withBias: boolean,
): Promise<{ grads: Float32Array[]; kernels: string[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const x = tf.tensor4d(seeded(size(X), 21), X);
  const filter = tf.tensor4d(seeded(size(W), 22), W);
  const bias = tf.tensor1d(seeded(8, 23));
  const f = (...args: tf.Tensor[]) => {
    const given = Object.fromEntries(wrt.map((name, i) => [name, args[i]!]));
    const y = tf.fused.conv2d({
      x: (given.x ?? x) as tf.Tensor4D,
      filter: (given.filter ?? filter) as tf.Tensor4D,
      strides: 1,
      pad: 'same',
      bias: withBias ? (given.bias ?? bias) : undefined,
    });
    return tf.sum(tf.square(y));
  };
  const inputs = wrt.map((name) => ({ x, filter, bias })[name]);
  let grads: tf.Tensor[] = [];
  const profile = await tf.profile(() => {
    grads = tf.grads(f)(inputs);
  });
  const values = await Promise.all(grads.map(async (g) => Float32Array.from(await g.data())));
  tf.dispose([x, filter, bias, ...grads]);
  expect(tf.memory().numTensors, `gradients on ${backend} leaked tensors`).toBe(before);
  return { grads: values, kernels: profile.kernels.map((k) => k.name) };
}

describe('linear fused convolutions under a tape (wasm)', () => {
  it('compute only the input gradient when only the input is differentiated', async () => {
    const expected = await gradientsOn('cpu', ['x'], false);
    const actual = await gradientsOn('wasm', ['x'], false);
    // tfjs's fused op on cpu computes the filter gradient too, and throws it away.
    expect(expected.kernels).toContain('Conv2DBackpropFilter');
    expect(actual.kernels).not.toContain('Conv2DBackpropFilter');
    expect(actual.kernels).toContain('Conv2DBackpropInput');
    expect(relativeError(actual.grads[0]!, expected.grads[0]!)).toBeLessThan(1e-5);
  });

  it('give the fused op’s gradients of input, filter and bias when all are asked for', async () => {
    const expected = await gradientsOn('cpu', ['x', 'filter', 'bias'], true);
    const actual = await gradientsOn('wasm', ['x', 'filter', 'bias'], true);
    for (let i = 0; i < 3; i++)
      expect(relativeError(actual.grads[i]!, expected.grads[i]!)).toBeLessThan(1e-5);
  });

  it('leave a frozen layer’s filter gradient out of an image gradient (style transfer)', async () => {
    await tf.setBackend('wasm');
    const layer = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false });
    const image = tf.tensor4d(seeded(size(X), 24), X);
    let grad: tf.Tensor | undefined;
    const profile = await tf.profile(() => {
      grad = tf.grad((x: tf.Tensor) => tf.sum(layer.apply(x) as tf.Tensor))(image);
    });
    expect(profile.kernels.map((k) => k.name)).not.toContain('Conv2DBackpropFilter');
    expect(grad!.shape).toEqual(X);
    tf.dispose([image, grad!, ...layer.getWeights()]);
  });

  it('stay one FusedConv2D outside a tape', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seeded(size(X), 25), X);
    const filter = tf.tensor4d(seeded(size(W), 26), W);
    const profile = await tf.profile(() => {
      tf.fused.conv2d({ x, filter, strides: 1, pad: 'same' }).dispose();
    });
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain('FusedConv2D');
    expect(names).not.toContain('Conv2D');
    tf.dispose([x, filter]);
  });

  it('are told apart from activated and channels-first ones', () => {
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    const filter = tf.zeros([1, 1, 1, 1]) as tf.Tensor4D;
    const base = { x, filter, strides: 1, pad: 'same' as const };
    expect(isLinearNhwc(base)).toBe(true);
    expect(isLinearNhwc({ ...base, activation: 'linear', dataFormat: 'NHWC' })).toBe(true);
    expect(isLinearNhwc({ ...base, activation: 'relu' })).toBe(false);
    expect(isLinearNhwc({ ...base, dataFormat: 'NCHW' })).toBe(false);
    tf.dispose([x, filter]);
  });
});

describe('FusedConv2D on wasm, linear and without bias (the course convolution)', () => {
  const cases: { name: string; x: Shape4; filter: Shape4; strides: number; pad: 'same' | 'valid' }[] = [
    {
      name: "Tiny-Darknet's first layer: RGB, same 3x3",
      x: [1, 16, 18, 3],
      filter: [3, 3, 3, 16],
      strides: 1,
      pad: 'same',
    },
    { name: '1x1, 32 to 16 channels', x: [2, 7, 7, 32], filter: [1, 1, 32, 16], strides: 1, pad: 'valid' },
    {
      name: 'stride 2, 12 output channels',
      x: [2, 9, 11, 5],
      filter: [3, 3, 5, 12],
      strides: 2,
      pad: 'same',
    },
  ];
  for (const c of cases) {
    for (const variant of ['linear', 'linear with bias', 'relu with bias'] as const) {
      it(`${c.name}, ${variant}: the cpu backend's values`, async () => {
        const run = async (backend: 'wasm' | 'cpu') => {
          await tf.setBackend(backend);
          const before = tf.memory().numTensors;
          const x = tf.tensor(seeded(size(c.x), 31), c.x) as tf.Tensor4D;
          const filter = tf.tensor(seeded(size(c.filter), 32), c.filter) as tf.Tensor4D;
          const bias = tf.tensor1d(seeded(c.filter[3]!, 33));
          const y = tf.fused.conv2d({
            x,
            filter,
            strides: c.strides,
            pad: c.pad,
            bias: variant === 'linear' ? undefined : bias,
            activation: variant === 'relu with bias' ? 'relu' : 'linear',
          });
          const values = Float32Array.from(await y.data());
          tf.dispose([x, filter, bias, y]);
          expect(tf.memory().numTensors).toBe(before);
          return values;
        };
        const expected = await run('cpu');
        expect(relativeError(await run('wasm'), expected)).toBeLessThan(1e-5);
      });
    }
  }
});
