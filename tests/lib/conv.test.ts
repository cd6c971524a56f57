// The hand-written convolution against the lecture notes' worked examples and
// against TensorFlow.js's own kernels (cpu backend) on random volumes.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  convBackward,
  convForward,
  convMultiplies,
  distributeValue,
  maxPoolMask,
  convOutputSize,
  convolutionMatrix,
  filterFromMatrix,
  fromMatrix,
  poolBackward,
  poolForward,
  toMatrix,
  transposedConvByMatrix,
  transposedConvByZeroInsertion,
  transposedConvOutputSize,
  volume,
  zeroPad,
  type Filters,
  type Volume,
} from '../../lib/conv';
import { relativeError } from '../helpers/numeric';

const VERTICAL = [
  [1, 0, -1],
  [1, 0, -1],
  [1, 0, -1],
];
const HORIZONTAL = [
  [1, 1, 1],
  [0, 0, 0],
  [-1, -1, -1],
];
const conv2d = (image: number[][], kernel: number[][], stride = 1, pad = 0) =>
  toMatrix(convForward(fromMatrix(image), filterFromMatrix(kernel), [0], { stride, pad }).output);

describe("the notes' worked examples", () => {
  it('6x6 image * vertical edge filter = the 4x4 of the notes', () => {
    const image = [
      [3, 0, 1, 2, 7, 4],
      [1, 5, 8, 9, 3, 1],
      [2, 7, 2, 5, 1, 3],
      [0, 1, 3, 1, 7, 8],
      [4, 2, 1, 6, 2, 8],
      [2, 4, 5, 2, 3, 9],
    ];
    expect(conv2d(image, VERTICAL)).toEqual([
      [-5, -4, 0, 8],
      [-10, -2, 2, 3],
      [0, -2, -4, -7],
      [-3, -2, -3, -16],
    ]);
  });

  it('finds bright-to-dark and dark-to-bright vertical edges', () => {
    const brightLeft = Array.from({ length: 6 }, () => [10, 10, 10, 0, 0, 0]);
    const darkLeft = Array.from({ length: 6 }, () => [0, 0, 0, 10, 10, 10]);
    expect(conv2d(brightLeft, VERTICAL)).toEqual(Array.from({ length: 4 }, () => [0, 30, 30, 0]));
    expect(conv2d(darkLeft, VERTICAL)).toEqual(Array.from({ length: 4 }, () => [0, -30, -30, 0]));
  });

  it("finds the horizontal edge of the notes' example", () => {
    const image = [
      ...Array.from({ length: 3 }, () => [10, 10, 10, 0, 0, 0]),
      ...Array.from({ length: 3 }, () => [0, 0, 0, 10, 10, 10]),
    ];
    expect(conv2d(image, HORIZONTAL)).toEqual([
      [0, 0, 0, 0],
      [30, 10, -10, -30],
      [30, 10, -10, -30],
      [0, 0, 0, 0],
    ]);
  });

  it("strided convolution: 7x7 * 3x3 with stride 2 gives the notes' 3x3, except two misprinted entries", () => {
    const image = [
      [2, 3, 7, 4, 6, 2, 9],
      [6, 6, 9, 8, 7, 4, 3],
      [3, 4, 8, 3, 8, 9, 7],
      [7, 8, 3, 6, 6, 3, 4],
      [4, 2, 1, 8, 3, 4, 6],
      [3, 2, 4, 1, 9, 8, 3],
      [0, 1, 3, 9, 2, 1, 4],
    ];
    const kernel = [
      [3, 4, 4],
      [1, 0, 2],
      [-1, 0, 3],
    ];
    const notes = [
      [91, 100, 83],
      [69, 91, 127],
      [44, 72, 74],
    ];
    const ours = conv2d(image, kernel, 2);
    // The notes print 83 and 127 in the last column; the sums of products of the
    // printed input are 88 and 117 (TensorFlow.js agrees, below). The rest match.
    const differing = notes.flatMap((row, i) =>
      row.flatMap((v, j) => (ours[i]![j] === v ? [] : [[i, j, v, ours[i]![j]]])),
    );
    expect(differing).toEqual([
      [0, 2, 83, 88],
      [1, 2, 127, 117],
    ]);
    const reference = tf.tidy(
      () =>
        tf
          .conv2d(
            tf.tensor4d(image.flat(), [1, 7, 7, 1]),
            tf.tensor4d(kernel.flat(), [3, 3, 1, 1]),
            2,
            'valid',
          )
          .arraySync() as number[][][][],
    );
    expect(reference[0]!.map((row) => row.map((v) => v[0]))).toEqual(ours);
    expect(convOutputSize(7, 3, 0, 2)).toBe(3);
  });

  it('max pooling 4x4 (f=2, s=2) and 5x5 (f=3, s=1), and average pooling', () => {
    const x = [
      [1, 3, 2, 1],
      [2, 9, 1, 1],
      [1, 3, 2, 3],
      [5, 6, 1, 2],
    ];
    expect(toMatrix(poolForward(fromMatrix(x), { f: 2, stride: 2, mode: 'max' }).output)).toEqual([
      [9, 2],
      [6, 3],
    ]);
    expect(toMatrix(poolForward(fromMatrix(x), { f: 2, stride: 2, mode: 'average' }).output)).toEqual([
      [3.75, 1.25],
      [3.75, 2],
    ]);
    const y = [
      [1, 3, 2, 1, 3],
      [2, 9, 1, 1, 5],
      [1, 3, 2, 3, 2],
      [8, 3, 5, 1, 0],
      [5, 6, 1, 2, 9],
    ];
    expect(toMatrix(poolForward(fromMatrix(y), { f: 3, stride: 1, mode: 'max' }).output)).toEqual([
      [9, 9, 5],
      [9, 9, 5],
      [8, 6, 9],
    ]);
  });

  it('padding keeps a 6x6 input at 6x6 with a 3x3 filter and p = (f-1)/2', () => {
    expect(convOutputSize(6, 3, 1, 1)).toBe(6);
    expect(zeroPad(fromMatrix([[1]]), 2).shape).toEqual([1, 5, 5, 1]);
    expect(toMatrix(zeroPad(fromMatrix([[1, 2]]), 1))).toEqual([
      [0, 0, 0, 0],
      [0, 1, 2, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('the transposed-convolution matrix example: 4x4 input, 3x3 kernel, 2x2 output, a 4x16 matrix', () => {
    const k = [
      [1, 4, 1],
      [1, 4, 3],
      [3, 3, 1],
    ];
    const c = convolutionMatrix(4, k);
    expect(c.length).toBe(4);
    expect(c.every((row) => row.length === 16)).toBe(true);
    expect(c[0]).toEqual([1, 4, 1, 0, 1, 4, 3, 0, 3, 3, 1, 0, 0, 0, 0, 0]);
    expect(c[3]).toEqual([0, 0, 0, 0, 0, 1, 4, 1, 0, 1, 4, 3, 0, 3, 3, 1]);
    const input = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => i * 4 + j));
    expect(c.map((row) => row.reduce((s, v, i) => s + v * input.flat()[i]!, 0))).toEqual(
      conv2d(input, k).flat(),
    );
    // Cᵀ (16x4) maps a 2x2 back to 4x4, the same as zero insertion.
    const small = [
      [2, 1],
      [4, 4],
    ];
    const byMatrix = transposedConvByMatrix(small, k);
    const byZeros = toMatrix(
      transposedConvByZeroInsertion(fromMatrix(small), filterFromMatrix(k), { stride: 1, pad: 0 }),
    );
    expect(byMatrix).toEqual(byZeros);
    expect(transposedConvOutputSize(2, 3, 0, 1)).toBe(4);
  });

  it('counts multiplies', () => {
    // 28x28x32 output of 5x5x192 filters: the notes' 120M.
    expect(convMultiplies([28, 28, 192], 5, 32, { stride: 1, pad: 2 })).toBe(120_422_400);
  });
});

function random(shape: number[], seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  });
}

describe('against TensorFlow.js kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  const cases = [
    { x: [2, 7, 7, 3], f: 3, c: 4, stride: 1, pad: 0 },
    { x: [1, 8, 9, 2], f: 3, c: 5, stride: 2, pad: 1 },
    { x: [3, 11, 10, 4], f: 5, c: 3, stride: 3, pad: 2 },
    { x: [2, 6, 6, 1], f: 2, c: 2, stride: 2, pad: 0 },
  ];
  for (const k of cases) {
    it(`convolution forward and backward, input [${k.x}], ${k.f}x${k.f}x${k.c}, stride ${k.stride}, pad ${k.pad}`, () => {
      const before = tf.memory().numTensors;
      const x: Volume = volume(k.x as Volume['shape'], random(k.x, 1));
      const filters: Filters = { shape: [k.f, k.f, k.x[3]!, k.c], data: random([k.f, k.f, k.x[3]!, k.c], 2) };
      const bias = random([k.c], 3);
      const { output, cache } = convForward(x, filters, bias, { stride: k.stride, pad: k.pad });
      const dZ = volume(output.shape, random(output.shape, 4));
      const { dInput, dFilters, dBias } = convBackward(dZ, cache);
      tf.tidy(() => {
        const tx = tf.tensor4d(Float32Array.from(x.data), x.shape);
        const tw = tf.tensor4d(Float32Array.from(filters.data), filters.shape);
        const tb = tf.tensor1d(Float32Array.from(bias));
        const pad: [[number, number], [number, number], [number, number], [number, number]] = [
          [0, 0],
          [k.pad, k.pad],
          [k.pad, k.pad],
          [0, 0],
        ];
        const f = (a: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) =>
          tf.add(tf.conv2d(a, w, k.stride, pad), b);
        const expected = f(tx, tw, tb);
        expect(output.shape).toEqual(expected.shape);
        expect(relativeError(output.data, expected.dataSync())).toBeLessThan(1e-5);
        const [gx, gw, gb] = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.mul(
              f(a as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D),
              tf.tensor4d(Float32Array.from(dZ.data), dZ.shape),
            ),
          ),
        )([tx, tw, tb]);
        expect(relativeError(dInput.data, gx!.dataSync())).toBeLessThan(1e-5);
        expect(relativeError(dFilters.data, gw!.dataSync())).toBeLessThan(1e-5);
        expect(relativeError(dBias, gb!.dataSync())).toBeLessThan(1e-5);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  for (const mode of ['max', 'average'] as const) {
    it(`${mode} pooling forward and backward`, () => {
      const x = volume([2, 8, 8, 3], random([2, 8, 8, 3], 5));
      const params = { f: 2, stride: 2, mode };
      const { output, cache } = poolForward(x, params);
      const dA = volume(output.shape, random(output.shape, 6));
      const dx = poolBackward(dA, cache);
      tf.tidy(() => {
        const tx = tf.tensor4d(Float32Array.from(x.data), x.shape);
        const pool = (a: tf.Tensor4D) =>
          mode === 'max' ? tf.maxPool(a, 2, 2, 'valid') : tf.avgPool(a, 2, 2, 'valid');
        expect(relativeError(output.data, pool(tx).dataSync())).toBeLessThan(1e-5);
        const g = tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(pool(a as tf.Tensor4D), tf.tensor4d(Float32Array.from(dA.data), dA.shape))),
        )(tx);
        expect(relativeError(dx.data, g.dataSync())).toBeLessThan(1e-5);
      });
    });
  }

  it('transposed convolution equals tf.conv2dTranspose for stride 2 and padding', () => {
    const x = volume([2, 3, 4, 2], random([2, 3, 4, 2], 7));
    const filters: Filters = { shape: [3, 3, 5, 2], data: random([3, 3, 5, 2], 8) };
    const out = transposedConvByZeroInsertion(x, filters, { stride: 2, pad: 1 });
    expect(out.shape).toEqual([2, 5, 7, 5]);
    tf.tidy(() => {
      const expected = tf.conv2dTranspose(
        tf.tensor4d(Float32Array.from(x.data), x.shape),
        tf.tensor4d(Float32Array.from(filters.data), filters.shape),
        [2, 5, 7, 5],
        2,
        [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ] as never,
      );
      expect(relativeError(out.data, expected.dataSync())).toBeLessThan(1e-5);
    });
  });
});

describe('bad input', () => {
  it('names the shapes that do not fit', () => {
    const x = volume([1, 5, 5, 3]);
    const w: Filters = { shape: [3, 3, 2, 4], data: new Float64Array(72) };
    expect(() => convForward(x, w, [0, 0, 0, 0], { stride: 1, pad: 0 })).toThrow(
      /\[3,3,2,4\] expect 2 input channels, the input \[1,5,5,3\] has 3/,
    );
    expect(() => convOutputSize(5, 7, 0, 1)).toThrow(/does not fit/);
    expect(() => convOutputSize(5, 3, -1, 1)).toThrow(/padding p must be an integer ≥ 0/);
    expect(() => volume([1, 2, 2, 1], [1, 2, 3])).toThrow(/needs 4 values, got 3/);
    expect(() => volume([2, 2, 1] as never)).toThrow(/rank 4.*\[2,2,1\]/);
    expect(() =>
      convForward({ shape: [1, 2, 2, 1], data: new Float64Array(3) }, w, [0], { stride: 1, pad: 0 }),
    ).toThrow(/the input of shape \[1,2,2,1\] needs 4 values, has 3/);
    expect(() =>
      poolForward({ shape: [1, 2, 2] as never, data: new Float64Array(4) }, { f: 2, stride: 2, mode: 'max' }),
    ).toThrow(/rank 4, got shape \[1,2,2\]/);
  });
});

describe("the pieces of pooling's backward pass", () => {
  it('maxPoolMask marks the maximum (every tie), also in an all-negative, non-square window', () => {
    expect(
      maxPoolMask([
        [1, 3],
        [4, 2],
      ]),
    ).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(
      maxPoolMask([
        [-1, -5, -2],
        [-3, -0.5, -4],
      ]),
    ).toEqual([
      [0, 0, 0],
      [0, 1, 0],
    ]);
    expect(
      maxPoolMask([
        [2, 7],
        [7, 1],
      ]),
    ).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(() => maxPoolMask([[1, 2], [3]])).toThrow(/rectangular/);
  });

  it('distributeValue spreads dz evenly over a rows x cols window', () => {
    expect(distributeValue(2, [2, 2])).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    expect(distributeValue(6, [2, 3])).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(() => distributeValue(1, [0, 2])).toThrow(/window rows/);
  });

  it("together they give max pooling's and average pooling's gradient on one window (as poolBackward)", () => {
    const window = [
      [0.3, -1.2],
      [2.5, 0.7],
    ];
    for (const mode of ['max', 'average'] as const) {
      const dA = toMatrix(
        poolBackward(
          volume([1, 1, 1, 1], [3]),
          poolForward(fromMatrix(window), { f: 2, stride: 2, mode }).cache,
        ),
      );
      const parts =
        mode === 'max' ? maxPoolMask(window).map((r) => r.map((v) => v * 3)) : distributeValue(3, [2, 2]);
      expect(parts).toEqual(dA);
    }
  });

  it('poolBackward built from per-window pieces equals tfjs gradients, overlapping windows included', () => {
    const x = volume([2, 7, 7, 3], random([2, 7, 7, 3], 9));
    for (const mode of ['max', 'average'] as const) {
      const { output, cache } = poolForward(x, { f: 3, stride: 2, mode });
      const dA = volume(output.shape, random(output.shape, 10));
      const dx = poolBackward(dA, cache, { maxPoolMask, distributeValue });
      tf.tidy(() => {
        const pool = (a: tf.Tensor4D) =>
          mode === 'max' ? tf.maxPool(a, 3, 2, 'valid') : tf.avgPool(a, 3, 2, 'valid');
        const g = tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(pool(a as tf.Tensor4D), tf.tensor4d(Float32Array.from(dA.data), dA.shape))),
        )(tf.tensor4d(Float32Array.from(x.data), x.shape));
        expect(relativeError(dx.data, g.dataSync())).toBeLessThan(1e-5);
      });
    }
  });

  it('on a tie, poolBackward routes to the first maximum; built from maxPoolMask, to every tied one', () => {
    const { cache } = poolForward(
      fromMatrix([
        [5, 5],
        [1, 2],
      ]),
      { f: 2, stride: 2, mode: 'max' },
    );
    const dA = volume([1, 1, 1, 1], [4]);
    expect(toMatrix(poolBackward(dA, cache))).toEqual([
      [4, 0],
      [0, 0],
    ]);
    expect(toMatrix(poolBackward(dA, cache, { maxPoolMask, distributeValue }))).toEqual([
      [4, 4],
      [0, 0],
    ]);
  });
});
