// The course's Conv2DBackpropInput (replacing the wasm backend's loop nest: its SIMD
// function, lib/engine/kernels/wasm/input-grad.c) against the cpu backend's kernel and a float64 sum from the definition
// y[b,i,j,co] = Σ x[b, i·s + fh − top, j·s + fw − left, ci] · w[fh,fw,ci,co].
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { KERNEL_OVERRIDES, TRAINING_KERNELS } from '../../../../lib/engine/kernels/registry';
import { relativeError, seeded, size } from '../../../helpers/numeric';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface Case {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  rounding?: 'floor' | 'ceil' | 'round';
}

const cases: Case[] = [
  { name: 'stride 1, valid, batch 1', x: [1, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { name: 'stride 1, same, 5x5 filter', x: [2, 6, 9, 2], filter: [5, 5, 2, 3], strides: 1, pad: 'same' },
  { name: 'stride 2, same, odd width', x: [2, 8, 9, 2], filter: [3, 3, 2, 5], strides: 2, pad: 'same' },
  {
    name: 'strides [2, 3], explicit padding',
    x: [3, 11, 10, 4],
    filter: [5, 4, 4, 3],
    strides: [2, 3],
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  {
    name: '1x1 filter, stride 2, valid (inputs left unused)',
    x: [2, 9, 9, 3],
    filter: [1, 1, 3, 6],
    strides: 2,
    pad: 'valid',
  },
  { name: 'even filter, stride 2, same', x: [4, 6, 6, 1], filter: [2, 2, 1, 2], strides: 2, pad: 'same' },
  {
    name: 'numeric padding with rounding',
    x: [2, 10, 7, 2],
    filter: [3, 3, 2, 2],
    strides: 2,
    pad: 1,
    rounding: 'floor',
  },
  { name: 'stride larger than filter', x: [2, 13, 13, 3], filter: [2, 2, 3, 4], strides: 3, pad: 'valid' },
  // The SIMD function's blocks: 8 and 4 input channels at a time, then one by one (a dot
  // product over the output channels); 4 output columns at a time, then 3, 2 or 1.
  {
    name: "LeNet's second layer: 8 input channels, valid 5x5",
    x: [3, 14, 14, 8],
    filter: [5, 5, 8, 16],
    strides: 1,
    pad: 'valid',
  },
  {
    name: '13 input channels (8 + 4 + 1), 7 output channels, same 3x3',
    x: [2, 9, 11, 13],
    filter: [3, 3, 13, 7],
    strides: 1,
    pad: 'same',
  },
  {
    name: 'stride 2, 12 input channels, explicit uneven padding',
    x: [2, 12, 13, 12],
    filter: [4, 3, 12, 6],
    strides: 2,
    pad: [
      [0, 0],
      [2, 1],
      [1, 2],
      [0, 0],
    ],
  },
];

function reference(c: Case, dy: Float32Array, w: Float32Array): Float64Array {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.rounding);
  const [B, H, W, Ci] = c.x;
  const [FH, FW, , Co] = c.filter;
  const dx = new Float64Array(B * H * W * Ci);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < info.outHeight; i++)
      for (let j = 0; j < info.outWidth; j++)
        for (let fh = 0; fh < FH; fh++)
          for (let fw = 0; fw < FW; fw++) {
            const r = i * info.strideHeight + fh - info.padInfo.top;
            const q = j * info.strideWidth + fw - info.padInfo.left;
            if (r < 0 || r >= H || q < 0 || q >= W) continue;
            for (let ci = 0; ci < Ci; ci++)
              for (let co = 0; co < Co; co++)
                dx[((b * H + r) * W + q) * Ci + ci]! +=
                  dy[((b * info.outHeight + i) * info.outWidth + j) * Co + co]! *
                  w[((fh * FW + fw) * Ci + ci) * Co + co]!;
          }
  return dx;
}

async function run(
  backend: 'wasm' | 'cpu',
  c: Case,
  dy: Float32Array,
  w: Float32Array,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.rounding);
  const dyT = tf.tensor4d(dy, [c.x[0], info.outHeight, info.outWidth, c.filter[3]]);
  const wT = tf.tensor4d(w, c.filter);
  const out = tf.engine().runKernel('Conv2DBackpropInput', { dy: dyT, filter: wT }, {
    inputShape: c.x,
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: c.rounding,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: Float32Array.from(await out.data()), shape: out.shape };
  tf.dispose([out, dyT, wT]);
  expect(tf.memory().numTensors, `Conv2DBackpropInput on ${backend} leaked tensors`).toBe(before);
  return result;
}

describe('Conv2DBackpropInput on wasm', () => {
  it('is the course kernel, not the backend loop nest', async () => {
    await tf.setBackend('wasm');
    expect(KERNEL_OVERRIDES.wasm).toContain('Conv2DBackpropInput');
    expect(TRAINING_KERNELS.Conv2DBackpropInput).toBeDefined();
    // The backend's own kernel binds a wasm function in a setupFunc; the course's has none.
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.setupFunc).toBeUndefined();
    // And it runs as one kernel (the SIMD function), not composed of pad, reverse and conv.
    const dy = tf.ones([1, 4, 4, 8]);
    const w = tf.ones([3, 3, 5, 8]);
    const profile = await tf.profile(() => {
      tf.tidy(() => {
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy, filter: w },
          { inputShape: [1, 6, 6, 5], strides: [1, 1], pad: 'valid', dataFormat: 'NHWC' },
        );
      });
    });
    tf.dispose([dy, w]);
    expect(profile.kernels.map((k) => k.name)).toEqual(['Conv2DBackpropInput']);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.rounding);
      const dy = seeded(c.x[0] * info.outHeight * info.outWidth * c.filter[3], 11);
      const w = seeded(size(c.filter), 12);
      const actual = await run('wasm', c, dy, w);
      const cpu = await run('cpu', c, dy, w);
      expect(actual.shape).toEqual(c.x);
      expect(relativeError(actual.values, cpu.values)).toBeLessThan(1e-5);
      expect(relativeError(actual.values, reference(c, dy, w))).toBeLessThan(1e-5);
    });
  }

  it('names the wrong shapes', async () => {
    await tf.setBackend('wasm');
    const dy = tf.zeros([1, 4, 4, 2]);
    const w = tf.zeros([3, 3, 3, 2]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter: w },
          { inputShape: [1, 6, 6, 3], strides: [1, 1], pad: 'same', dataFormat: 'NHWC' },
        ),
    ).toThrow(/dy has shape \[1,4,4,2\], expected \[1,6,6,2\]/);
    tf.dispose([dy, w]);
  });
});

describe('Conv2DBackpropFilter with a 1x1 output and stride 2', () => {
  it('matches the cpu backend', async () => {
    const x = seeded(2 * 3 * 3 * 2, 13);
    const dy = seeded(2 * 1 * 1 * 4, 14);
    const out: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const xt = tf.tensor4d(x, [2, 3, 3, 2]);
      const dyt = tf.tensor4d(dy, [2, 1, 1, 4]);
      const dw = tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: xt, dy: dyt },
          { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 4] },
        ) as tf.Tensor;
      out.push(Float32Array.from(await dw.data()));
      tf.dispose([xt, dyt, dw]);
    }
    expect(relativeError(out[1]!, out[0]!)).toBeLessThan(1e-5);
  });
});

describe('BatchMatMul on wasm with transposed operands', () => {
  for (const [transposeA, transposeB] of [
    [true, false],
    [false, true],
    [true, true],
    [false, false],
  ] as const) {
    it(`transposeA=${transposeA} transposeB=${transposeB}, batch 2, odd sizes`, async () => {
      const aShape = transposeA ? [2, 5, 3] : [2, 3, 5];
      const bShape = transposeB ? [2, 7, 5] : [2, 5, 7];
      const a = seeded(30, 21);
      const b = seeded(70, 22);
      const out: Float32Array[] = [];
      for (const backend of ['cpu', 'wasm'] as const) {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const at = tf.tensor3d(a, aShape as [number, number, number]);
        const bt = tf.tensor3d(b, bShape as [number, number, number]);
        const y = tf.matMul(at, bt, transposeA, transposeB);
        expect(y.shape).toEqual([2, 3, 7]);
        out.push(Float32Array.from(await y.data()));
        tf.dispose([at, bt, y]);
        expect(tf.memory().numTensors).toBe(before);
      }
      // Hand check of one entry: y[1, 2, 6] = Σk A[1, 2, k] · B[1, k, 6].
      const A = (i: number, k: number) => a[transposeA ? 15 + k * 3 + i : 15 + i * 5 + k]!;
      const B = (k: number, j: number) => b[transposeB ? 35 + j * 5 + k : 35 + k * 7 + j]!;
      let expected = 0;
      for (let k = 0; k < 5; k++) expected += A(2, k) * B(k, 6);
      expect(out[1]![41]).toBeCloseTo(expected, 5);
      expect(relativeError(out[1]!, out[0]!)).toBeLessThan(1e-6);
    });
  }
});
