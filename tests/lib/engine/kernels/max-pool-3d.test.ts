// The wasm backend's 3D max pool and its gradient, which the course replaces, against a
// hand-computed pool and the cpu backend's kernels (TensorFlow.js's reference): exactly.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { sameAsCpu } from '../../../helpers/same-as-cpu';
import { seeded, size } from '../../../helpers/numeric';

afterAll(async () => {
  await tf.setBackend('wasm');
});

type Shape5 = [number, number, number, number, number];
type Triple = number | [number, number, number];
type Pad = 'valid' | 'same';

const geometries: Array<{ name: string; x: Shape5; filter: Triple; strides: Triple; pad: Pad }> = [
  { name: '2x2x2 windows tiling the volume', x: [2, 4, 6, 4, 3], filter: 2, strides: 2, pad: 'valid' },
  { name: "overlapping 3x3x3, stride 1, 'same'", x: [1, 5, 4, 6, 2], filter: 3, strides: 1, pad: 'same' },
  {
    name: "uneven filter and strides, 'same', a plane past the last window",
    x: [2, 7, 5, 6, 4],
    filter: [3, 2, 2],
    strides: [2, 1, 3],
    pad: 'same',
  },
  {
    name: 'one channel, stride larger than the window',
    x: [1, 7, 7, 7, 1],
    filter: 2,
    strides: 3,
    pad: 'valid',
  },
];

/** Runs one kernel by name on a backend and returns its values, exactly as stored. */
async function kernelOn(
  backend: 'wasm' | 'cpu',
  kernel: string,
  inputs: Record<string, { shape: number[]; values: Float32Array }>,
  attrs: Record<string, unknown>,
): Promise<{ shape: number[]; values: number[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([name, spec]) => [name, tf.tensor(spec.values, spec.shape)]),
  );
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: out.shape, values: Array.from(await out.data()) };
  tf.dispose([out, ...Object.values(tensors)]);
  expect(tf.memory().numTensors, `${kernel} on ${backend} leaked tensors`).toBe(before);
  return result;
}

describe('MaxPool3D', () => {
  it('pools a window of negative values to its largest value, -1 (hand-computed)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor5d([-5, -3, -7, -1, -2, -8, -4, -6], [1, 2, 2, 2, 1]);
    const pooled = tf.maxPool3d(x, 2, 1, 'valid');
    expect(Array.from(await pooled.data())).toEqual([-1]);
    // 'same' with a 2x2x2 window: each output reads the taps at and after its position.
    const same = tf.maxPool3d(x, 2, 1, 'same');
    expect(Array.from(await same.data())).toEqual([-1, -1, -1, -1, -2, -6, -4, -6]);
    tf.dispose([x, pooled, same]);
  });

  for (const g of geometries)
    it(`matches the cpu backend: ${g.name}`, async () => {
      await sameAsCpu(g.x, (x) => tf.maxPool3d(x as tf.Tensor5D, g.filter, g.strides, g.pad), [
        'float32',
        'int32',
      ]);
    });
});

describe('MaxPool3DGrad', () => {
  // Not against cpu: its kernel numbers a window's taps with the filter's height where the
  // width belongs, so windows of unequal height and width send the gradient astray there.
  it('sends dy to the largest tap of a 1x3x2 window (hand-computed)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor5d([1, 0, 2, 5, 3, 4], [1, 1, 3, 2, 1]);
    const dx = tf.grad((v: tf.Tensor) =>
      tf
        .maxPool3d(v as tf.Tensor5D, [1, 3, 2], 1, 'valid')
        .mul(7)
        .sum(),
    )(x);
    expect(Array.from(await dx.data())).toEqual([0, 0, 0, 7, 0, 0]);
    tf.dispose([x, dx]);
  });

  for (const g of geometries)
    it(`matches the cpu backend's gradient: ${g.name}`, async () => {
      await sameAsCpu(
        g.x,
        (x) =>
          tf.tidy(() => {
            const y = tf.maxPool3d(x as tf.Tensor5D, g.filter, g.strides, g.pad);
            const weights = tf.tensor(seeded(y.size, 5), y.shape);
            return tf.grad((v: tf.Tensor) =>
              tf
                .maxPool3d(v as tf.Tensor5D, g.filter, g.strides, g.pad)
                .mul(weights)
                .sum(),
            )(x);
          }),
        ['float32'],
      );
    });

  // Ties (after a ReLU most taps are 0), NaN and -Infinity: the last largest tap takes the
  // gradient, NaN never does, -Infinity does when the window holds nothing larger.
  const palette = [0, 0, 0, 1, 1, -Infinity, Number.NaN, 0.5];
  for (const g of geometries)
    it(`ties, NaN and -Infinity: ${g.name}`, async () => {
      const input = Float32Array.from(
        seeded(size(g.x), 31),
        (v) => palette[Math.floor(((v + 1) / 2) * palette.length)]!,
      );
      const attrs = { filterSize: g.filter, strides: g.strides, pad: g.pad };
      await tf.setBackend('cpu');
      const yShape = tf.backend_util.computePool3DInfo(g.x, g.filter, g.strides, 1, g.pad).outShape;
      const inputs = {
        dy: { shape: yShape, values: seeded(size(yShape), 32) },
        input: { shape: g.x, values: input },
      };
      const expected = await kernelOn('cpu', 'MaxPool3DGrad', inputs, attrs);
      const actual = await kernelOn('wasm', 'MaxPool3DGrad', inputs, attrs);
      expect(actual).toEqual(expected);
    });
});
