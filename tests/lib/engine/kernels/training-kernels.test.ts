// The course's wasm training kernels against the cpu backend's own kernels,
// which are TensorFlow.js's reference implementations.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { TRAINING_KERNELS } from '../../../../lib/engine/kernels/registry';
import { relativeError, seeded, size } from '../../../helpers/numeric';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** Runs one kernel by name on a backend and returns its output values and shape. */
async function runOn(
  backend: 'wasm' | 'cpu',
  kernel: string,
  inputs: Record<string, { shape: number[]; values: Float32Array | Int32Array; dtype?: 'float32' | 'int32' }>,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([name, spec]) => [
      name,
      tf.tensor(spec.values, spec.shape, spec.dtype ?? 'float32'),
    ]),
  );
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: Float32Array.from(await out.data()), shape: out.shape };
  out.dispose();
  Object.values(tensors).forEach((t) => t.dispose());
  expect(tf.memory().numTensors, `${kernel} on ${backend} leaked tensors`).toBe(before);
  return result;
}

async function compare(
  kernel: string,
  inputs: Parameters<typeof runOn>[2],
  attrs: Record<string, unknown>,
): Promise<void> {
  const expected = await runOn('cpu', kernel, inputs, attrs);
  const actual = await runOn('wasm', kernel, inputs, attrs);
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-5);
}

function outputShape(
  xShape: Shape4,
  filterShape: Shape4,
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number],
  depthwise: boolean,
  rounding?: 'floor' | 'round' | 'ceil',
): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    dilations,
    pad,
    rounding,
    depthwise,
  );
  return [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

interface Case {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  rounding?: 'floor' | 'round' | 'ceil';
}

/**
 * Float64 depthwise-convolution gradients straight from the definition
 * y[b,i,j,c·M+m] = Σ x[b, i·s + fh·d − top, j·s + fw·d − left, c] · w[fh,fw,c,m].
 * The cpu backend's depthwise gradients ignore dilation, so dilated cases need this.
 */
function depthwiseReference(
  c: Case,
  x: Float32Array,
  dy: Float32Array,
  w: Float32Array,
): { dW: Float64Array; dX: Float64Array } {
  const dilations = c.dilations ?? 1;
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    c.filter,
    c.strides,
    dilations,
    c.pad,
    c.rounding,
    true,
  );
  const [B, H, W, C] = c.x;
  const [FH, FW, , M] = c.filter;
  const {
    outHeight: OH,
    outWidth: OW,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const { top, left } = info.padInfo;
  const dW = new Float64Array(FH * FW * C * M);
  const dX = new Float64Array(B * H * W * C);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++)
        for (let fh = 0; fh < FH; fh++)
          for (let fw = 0; fw < FW; fw++) {
            const r = i * sh + fh * dh - top;
            const q = j * sw + fw * dw - left;
            if (r < 0 || r >= H || q < 0 || q >= W) continue;
            for (let ch = 0; ch < C; ch++)
              for (let m = 0; m < M; m++) {
                const g = dy[((b * OH + i) * OW + j) * C * M + ch * M + m]!;
                const wi = ((fh * FW + fw) * C + ch) * M + m;
                const xi = ((b * H + r) * W + q) * C + ch;
                dW[wi] += x[xi]! * g;
                dX[xi] += w[wi]! * g;
              }
          }
  return { dW, dX };
}

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('registration', () => {
  it('provides every kernel the wasm backend lacks for conv-net training', () => {
    for (const name of Object.keys(TRAINING_KERNELS)) {
      expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    }
  });
});

describe('Conv2D (the course SIMD forward convolution where the output channels are a multiple of 4)', () => {
  const cases: Case[] = [
    {
      name: "LeNet's first layer: 3 input channels, valid 5x5",
      x: [3, 14, 15, 3],
      filter: [5, 5, 3, 8],
      strides: 1,
      pad: 'valid',
    },
    {
      name: '9 input and 12 output channels (8 + 4), same 3x3',
      x: [2, 9, 12, 9],
      filter: [3, 3, 9, 12],
      strides: 1,
      pad: 'same',
    },
    { name: 'stride 2, same, odd width', x: [2, 9, 11, 5], filter: [3, 3, 5, 16], strides: 2, pad: 'same' },
    {
      name: 'strides [2, 3], explicit uneven padding',
      x: [2, 13, 14, 6],
      filter: [4, 3, 6, 8],
      strides: [2, 3],
      pad: [
        [0, 0],
        [2, 1],
        [0, 2],
        [0, 0],
      ],
    },
    {
      name: 'image narrower than the filter, same (every column an edge)',
      x: [2, 6, 3, 5],
      filter: [5, 5, 5, 4],
      strides: 1,
      pad: 'same',
    },
    { name: '1x1 filter, stride 2', x: [2, 9, 9, 7], filter: [1, 1, 7, 20], strides: 2, pad: 'valid' },
    {
      name: 'numeric padding with ceil rounding',
      x: [2, 11, 11, 4],
      filter: [3, 3, 4, 4],
      strides: 2,
      pad: 1,
      rounding: 'ceil',
    },
    {
      name: '6 output channels (the backend kernel)',
      x: [2, 8, 8, 3],
      filter: [3, 3, 3, 6],
      strides: 1,
      pad: 'same',
    },
    {
      name: 'a window of 3x3x80 values (the backend kernel)',
      x: [1, 6, 6, 80],
      filter: [3, 3, 80, 8],
      strides: 1,
      pad: 'same',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await compare(
        'Conv2D',
        {
          x: { shape: c.x, values: seeded(size(c.x), 3) },
          filter: { shape: c.filter, values: seeded(size(c.filter), 4) },
        },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: c.rounding },
      );
    });
  }
});

describe('Conv2DBackpropFilter', () => {
  const cases: Case[] = [
    { name: 'stride 1, valid, batch 1', x: [1, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
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
    { name: '1x1 filter, stride 2, valid', x: [2, 9, 9, 3], filter: [1, 1, 3, 6], strides: 2, pad: 'valid' },
    {
      name: 'even filter, stride 2, same, single channel',
      x: [4, 6, 6, 1],
      filter: [2, 2, 1, 2],
      strides: 2,
      pad: 'same',
    },
    {
      name: 'numeric padding with rounding',
      x: [2, 10, 7, 2],
      filter: [3, 3, 2, 2],
      strides: 2,
      pad: 1,
      rounding: 'floor',
    },
    {
      name: 'stride larger than filter leaves inputs unused',
      x: [2, 13, 13, 3],
      filter: [2, 2, 3, 4],
      strides: 3,
      pad: 'valid',
    },
    // Stride 1, x no larger than dy and little padding: x plays the filter of the inner convolution.
    {
      name: 'stride 1, same, channels growing (x as the filter)',
      x: [2, 20, 20, 3],
      filter: [3, 3, 3, 5],
      strides: 1,
      pad: 'same',
    },
    {
      name: 'stride 1, even filter, same (x as the filter)',
      x: [2, 24, 20, 2],
      filter: [2, 4, 2, 4],
      strides: 1,
      pad: 'same',
    },
    {
      name: 'stride 1, explicit uneven padding (x as the filter)',
      x: [2, 20, 24, 2],
      filter: [3, 4, 2, 6],
      strides: 1,
      pad: [
        [0, 0],
        [2, 0],
        [1, 2],
        [0, 0],
      ],
    },
    {
      name: 'stride 1, same, small image: much padding (dy as the filter)',
      x: [2, 8, 8, 3],
      filter: [3, 3, 3, 5],
      strides: 1,
      pad: 'same',
    },
    {
      name: 'stride 1, valid, x larger than dy (dy as the filter)',
      x: [2, 9, 9, 8],
      filter: [5, 5, 8, 2],
      strides: 1,
      pad: 'valid',
    },
    // A multiple of 4 output channels: the course's SIMD function (blocks of 4 input and 8 or 4
    // output channels, the rest one input channel at a time).
    {
      name: 'SIMD: LeNet-like, 3 input channels, valid 5x5',
      x: [4, 14, 14, 3],
      filter: [5, 5, 3, 8],
      strides: 1,
      pad: 'valid',
    },
    {
      name: 'SIMD: 9 input and 12 output channels, same 3x3',
      x: [3, 10, 9, 9],
      filter: [3, 3, 9, 12],
      strides: 1,
      pad: 'same',
    },
    {
      name: 'SIMD: strides [2, 3], explicit uneven padding',
      x: [2, 13, 14, 6],
      filter: [4, 3, 6, 16],
      strides: [2, 3],
      pad: [
        [0, 0],
        [2, 1],
        [0, 2],
        [0, 0],
      ],
    },
    {
      name: 'SIMD: stride 2, same, ceil rounding of a numeric pad',
      x: [2, 11, 11, 4],
      filter: [3, 3, 4, 4],
      strides: 2,
      pad: 1,
      rounding: 'ceil',
    },
    // Stride 1: a filter row's taps are summed as one row of KW·Ci values where the whole row
    // is inside the image, tap by tap at the edges.
    {
      name: 'SIMD: stride 1, uneven padding, 3 input and 12 output channels',
      x: [2, 9, 11, 3],
      filter: [3, 4, 3, 12],
      strides: 1,
      pad: [
        [0, 0],
        [1, 0],
        [2, 1],
        [0, 0],
      ],
    },
    {
      name: 'SIMD: stride 1, image narrower than the filter, same',
      x: [2, 6, 3, 5],
      filter: [5, 5, 5, 4],
      strides: 1,
      pad: 'same',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const dyShape = outputShape(c.x, c.filter, c.strides, c.pad, 1, false, c.rounding);
      await compare(
        'Conv2DBackpropFilter',
        {
          x: { shape: c.x, values: seeded(size(c.x), 1) },
          dy: { shape: dyShape, values: seeded(size(dyShape), 2) },
        },
        {
          strides: c.strides,
          pad: c.pad,
          dataFormat: 'NHWC',
          dimRoundingMode: c.rounding,
          filterShape: c.filter,
        },
      );
    });
  }

  it('runs as one kernel where the SIMD function applies, composed of backend ops elsewhere', async () => {
    await tf.setBackend('wasm');
    const kernelsFor = async (outChannels: number) => {
      const x = tf.tensor4d(seeded(2 * 8 * 8 * 4, 7), [2, 8, 8, 4]);
      const dy = tf.tensor4d(seeded(2 * 8 * 8 * outChannels, 8), [2, 8, 8, outChannels]);
      const profile = await tf.profile(() => {
        tf.tidy(() => {
          tf.engine().runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 4, outChannels] },
          );
        });
      });
      tf.dispose([x, dy]);
      return profile.kernels.map((k) => k.name);
    };
    expect(await kernelsFor(8)).toEqual(['Conv2DBackpropFilter']);
    expect(await kernelsFor(6)).toContain('Conv2D');
  });

  it('refuses channels-first data with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 5, 5]);
    const dy = tf.zeros([1, 2, 3, 3]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] },
        ),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});

const depthwiseCases: Case[] = [
  { name: 'stride 1, valid, multiplier 1', x: [1, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'valid' },
  { name: 'stride 2, same, multiplier 2', x: [2, 9, 8, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'same' },
  {
    name: 'dilation 2, same',
    x: [2, 10, 10, 3],
    filter: [3, 3, 3, 2],
    strides: 1,
    pad: 'same',
    dilations: 2,
  },
  {
    name: 'dilation [2, 3], valid, odd sizes',
    x: [3, 11, 13, 2],
    filter: [2, 3, 2, 3],
    strides: 1,
    pad: 'valid',
    dilations: [2, 3],
  },
  {
    name: 'strides [1, 2], explicit padding',
    x: [1, 8, 8, 2],
    filter: [3, 3, 2, 1],
    strides: [1, 2],
    pad: [
      [0, 0],
      [1, 1],
      [0, 2],
      [0, 0],
    ],
  },
  {
    name: 'stride 2, valid, inputs left unused',
    x: [2, 8, 8, 4],
    filter: [3, 3, 4, 1],
    strides: 2,
    pad: 'valid',
  },
  {
    name: 'numeric padding with rounding',
    x: [2, 9, 7, 2],
    filter: [3, 3, 2, 2],
    strides: 2,
    pad: 1,
    rounding: 'ceil',
  },
];

describe('DepthwiseConv2dNativeBackpropFilter', () => {
  for (const c of depthwiseCases) {
    it(c.name, async () => {
      const dilations = c.dilations ?? 1;
      const dyShape = outputShape(c.x, c.filter, c.strides, c.pad, dilations, true, c.rounding);
      const x = seeded(size(c.x), 3);
      const dy = seeded(size(dyShape), 4);
      const inputs = { x: { shape: c.x, values: x }, dy: { shape: dyShape, values: dy } };
      const attrs = {
        strides: c.strides,
        dilations,
        pad: c.pad,
        dimRoundingMode: c.rounding,
        filterShape: c.filter,
      };
      const actual = await runOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
      expect(actual.shape).toEqual(c.filter);
      const { dW } = depthwiseReference(c, x, dy, seeded(size(c.filter), 6));
      expect(relativeError(actual.values, dW)).toBeLessThan(1e-5);
      if (dilations === 1) await compare('DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    });
  }
});

describe('DepthwiseConv2dNativeBackpropInput', () => {
  for (const c of depthwiseCases) {
    it(c.name, async () => {
      const dilations = c.dilations ?? 1;
      const dyShape = outputShape(c.x, c.filter, c.strides, c.pad, dilations, true, c.rounding);
      const dy = seeded(size(dyShape), 5);
      const w = seeded(size(c.filter), 6);
      const inputs = { dy: { shape: dyShape, values: dy }, filter: { shape: c.filter, values: w } };
      const attrs = {
        strides: c.strides,
        dilations,
        pad: c.pad,
        dimRoundingMode: c.rounding,
        inputShape: c.x,
      };
      const actual = await runOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs);
      expect(actual.shape).toEqual(c.x);
      const { dX } = depthwiseReference(c, seeded(size(c.x), 3), dy, w);
      expect(relativeError(actual.values, dX)).toBeLessThan(1e-5);
      // The cpu backend's depthwise gradients ignore dilation: compare with it only without.
      if (dilations === 1) await compare('DepthwiseConv2dNativeBackpropInput', inputs, attrs);
    });
  }
});

describe('MaxPoolGrad', () => {
  const cases: Array<{
    name: string;
    x: Shape4;
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: Pad;
    rounding?: 'floor' | 'ceil';
  }> = [
    { name: '2x2 windows tiling the input', x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
    // 2x2 windows of stride 2 run the course's SIMD function: 4 channels at a time, then one by one.
    {
      name: '2x2 windows, 8 channels (two vectors)',
      x: [2, 8, 8, 8],
      filterSize: 2,
      strides: 2,
      pad: 'valid',
    },
    {
      name: '2x2 windows, 6 channels, a row and a column past the last window',
      x: [2, 9, 7, 6],
      filterSize: 2,
      strides: 2,
      pad: 'valid',
    },
    {
      name: 'rows and columns past the last window',
      x: [1, 7, 9, 2],
      filterSize: 2,
      strides: 2,
      pad: 'valid',
    },
    { name: '3x3 windows', x: [2, 9, 9, 4], filterSize: 3, strides: 3, pad: 'valid' },
    { name: '2x4 windows', x: [2, 6, 8, 2], filterSize: [2, 4], strides: [2, 4], pad: 'valid' },
    { name: "'same' padding that adds nothing", x: [1, 6, 6, 5], filterSize: 2, strides: 2, pad: 'same' },
    {
      name: "'same' padding at the bottom and right edges",
      x: [1, 7, 7, 2],
      filterSize: 2,
      strides: 2,
      pad: 'same',
    },
    { name: 'overlapping 3x3 windows, stride 2', x: [2, 9, 9, 3], filterSize: 3, strides: 2, pad: 'valid' },
    {
      name: "overlapping 3x3 windows, stride 2, 'same' (ResNet's stem)",
      x: [2, 10, 11, 3],
      filterSize: 3,
      strides: 2,
      pad: 'same',
    },
    { name: 'numeric padding', x: [1, 8, 8, 2], filterSize: 3, strides: 2, pad: 1 },
    {
      name: 'numeric padding with ceil rounding',
      x: [1, 8, 8, 2],
      filterSize: 3,
      strides: 2,
      pad: 1,
      rounding: 'ceil',
    },
    { name: 'stride 1', x: [1, 5, 6, 2], filterSize: 2, strides: 1, pad: 'valid' },
  ];
  // Two inputs per pool: distinct values in [-1, 1), so that some windows have a negative
  // maximum (which the backend's own kernel gets wrong), and the same shifted above 0.
  const inputs: Record<string, (v: number) => number> = {
    'signed values': (v) => v,
    'positive values': (v) => v + 1.5,
  };
  const runs = cases.flatMap((c) =>
    Object.entries(inputs).map(([label, map]) => ({ ...c, name: `${c.name}, ${label}`, map })),
  );
  for (const c of runs) {
    it(c.name, async () => {
      const xValues = seeded(size(c.x), 21).map(c.map);
      await tf.setBackend('cpu');
      const y = tf.tidy(() =>
        tf.maxPool(tf.tensor4d(xValues, c.x), c.filterSize, c.strides, c.pad as 'valid', c.rounding),
      );
      const yValues = (await y.data()) as Float32Array;
      const yShape = y.shape;
      tf.dispose(y);
      await compare(
        'MaxPoolGrad',
        {
          dy: { shape: yShape, values: seeded(size(yShape), 22) },
          input: { shape: c.x, values: xValues },
          output: { shape: yShape, values: yValues },
        },
        { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: c.rounding },
      );
    });
  }
  // After a ReLU most windows tie at 0; NaN never wins and a window of -Infinity passes
  // nothing on. The first maximum in row-major order takes the gradient, as on cpu.
  const palette = [0, 0, 0, 1, 1, -Infinity, Number.NaN, 0.5];
  const tieCases: Array<{ name: string; x: Shape4; filterSize: number; strides: number; pad: Pad }> = [
    { name: '2x2 tiling', x: [2, 6, 6, 3], filterSize: 2, strides: 2, pad: 'valid' },
    { name: '2x2 tiling, 4 channels', x: [2, 6, 6, 4], filterSize: 2, strides: 2, pad: 'valid' },
    { name: '2x2 tiling, 5 channels', x: [2, 6, 6, 5], filterSize: 2, strides: 2, pad: 'valid' },
    { name: "overlapping 3x3, 'same'", x: [1, 7, 7, 2], filterSize: 3, strides: 2, pad: 'same' },
    { name: '2x2, stride 1', x: [1, 5, 5, 2], filterSize: 2, strides: 1, pad: 'valid' },
  ];
  for (const c of tieCases) {
    it(`ties, NaN and -Infinity: ${c.name}`, async () => {
      const xValues = seeded(size(c.x), 31).map((v) => palette[Math.floor(((v + 1) / 2) * palette.length)]!);
      await tf.setBackend('cpu');
      const yShape = outputShape(
        c.x,
        [c.filterSize, c.filterSize, c.x[3], c.x[3]],
        c.strides,
        c.pad,
        1,
        false,
      );
      await compare(
        'MaxPoolGrad',
        {
          dy: { shape: yShape, values: seeded(size(yShape), 32) },
          input: { shape: c.x, values: xValues },
          output: { shape: yShape, values: new Float32Array(size(yShape)) },
        },
        { filterSize: c.filterSize, strides: c.strides, pad: c.pad },
      );
    });
  }
});

describe('Tile', () => {
  const cases: Array<{ name: string; shape: number[]; reps: number[] }> = [
    {
      name: "per-channel statistics to an activation's shape (the batch-norm gradient)",
      shape: [1, 1, 1, 5],
      reps: [2, 3, 4, 1],
    },
    { name: 'a matrix both ways', shape: [2, 3], reps: [3, 2] },
    { name: 'a vector', shape: [7], reps: [3] },
    { name: 'rank 5, some axes not repeated', shape: [2, 1, 3, 2, 2], reps: [1, 4, 1, 2, 3] },
    { name: 'no repetition', shape: [3, 4], reps: [1, 1] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await compare('Tile', { x: { shape: c.shape, values: seeded(size(c.shape), 41) } }, { reps: c.reps });
      await compare(
        'Tile',
        {
          x: {
            shape: c.shape,
            values: Int32Array.from(seeded(size(c.shape), 42), (v) => Math.round(v * 100)),
            dtype: 'int32',
          },
        },
        { reps: c.reps },
      );
    });
  }

  it('repeats booleans and empty tensors', async () => {
    await tf.setBackend('wasm');
    const flags = tf.tile(tf.tensor2d([[true, false]], [1, 2], 'bool'), [2, 2]);
    expect(await flags.array()).toEqual([
      [1, 0, 1, 0],
      [1, 0, 1, 0],
    ]);
    const empty = tf.tile(tf.zeros([0, 3]), [4, 2]);
    expect(empty.shape).toEqual([0, 6]);
    tf.dispose([flags, empty]);
  });
});

describe('Sum', () => {
  const cases: Array<{ name: string; shape: number[]; axis: number | number[]; keepDims: boolean }> = [
    {
      name: 'a bias gradient: over batch, height and width',
      shape: [16, 12, 12, 8],
      axis: [0, 1, 2],
      keepDims: false,
    },
    {
      name: 'the same, kept dimensions, axes given out of order and negative',
      shape: [16, 12, 12, 8],
      axis: [2, -4, 1],
      keepDims: true,
    },
    { name: 'over the first axis of a matrix', shape: [600, 5], axis: 0, keepDims: false },
    // Columns in stripes of 16, then 4 at a time, then one by one.
    {
      name: 'wide rows: 2 stripes of 16, 3 vectors and 2 single columns',
      shape: [7, 9, 46],
      axis: [0, 1],
      keepDims: false,
    },
    { name: 'a stripe of 16 exactly', shape: [300, 16], axis: 0, keepDims: true },
    {
      name: "over trailing axes (the backend's own path)",
      shape: [4, 30, 20],
      axis: [1, 2],
      keepDims: false,
    },
    { name: 'over every axis', shape: [40, 30], axis: [0, 1], keepDims: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await compare(
        'Sum',
        { x: { shape: c.shape, values: seeded(size(c.shape), 51) } },
        { axis: c.axis, keepDims: c.keepDims },
      );
    });
  }
});

describe('Identity', () => {
  it('gives a clone that outlives the original, with the same values', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(await y.data()).toEqual(Float32Array.from([1, 2, 3]));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Cast', () => {
  it('casts to the same dtype as a clone that outlives the original', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const y = tf.cast(x, 'float32');
    x.dispose();
    expect(await y.data()).toEqual(Float32Array.from([1.5, -2.25, 3]));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('still converts between dtypes as the cpu backend does', async () => {
    await compare(
      'Cast',
      { x: { shape: [5], values: Float32Array.from([1.7, -2.7, 0, 0.2, -0.6]) } },
      { dtype: 'int32' },
    );
    // The backend's own cast to bool gave 254 for -2.7 and false for 0.2, -0.6 and 256.
    await compare(
      'Cast',
      { x: { shape: [8], values: Float32Array.from([1.7, -2.7, 0, 0.2, -0.6, 256, NaN, -0]) } },
      { dtype: 'bool' },
    );
    await compare(
      'Cast',
      { x: { shape: [4], values: Int32Array.from([0, 256, -2, 1]), dtype: 'int32' } },
      { dtype: 'bool' },
    );
    await compare(
      'Cast',
      { x: { shape: [3], values: Int32Array.from([5, -1, 0]), dtype: 'int32' } },
      { dtype: 'float32' },
    );
  });
});

describe('UnsortedSegmentSum', () => {
  it('sums rows by id and drops negative ids', async () => {
    await compare(
      'UnsortedSegmentSum',
      {
        x: { shape: [6, 2, 3], values: seeded(36, 7) },
        segmentIds: { shape: [6], values: Int32Array.from([0, 2, 0, -1, 1, 2]), dtype: 'int32' },
      },
      { numSegments: 4 },
    );
  });

  it('matches a hand-computed sum', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ids = tf.tensor1d([1, 0, 1], 'int32');
    const out = tf.unsortedSegmentSum(x, ids, 2);
    expect(await out.array()).toEqual([
      [3, 4],
      [6, 8],
    ]);
    tf.dispose([x, ids, out]);
  });
});

describe('training a small conv net on wasm', () => {
  // The gradients of a net that uses every registered kernel, wasm vs cpu.
  async function gradients(backend: 'wasm' | 'cpu'): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(seeded(2 * 12 * 12 * 3, 11), [2, 12, 12, 3]);
    const w1 = tf.tensor4d(seeded(3 * 3 * 3 * 4, 12), [3, 3, 3, 4]);
    const dw = tf.tensor4d(seeded(3 * 3 * 4 * 2, 13), [3, 3, 4, 2]);
    const table = tf.tensor2d(seeded(10 * 8, 14), [10, 8]);
    const ids = tf.tensor1d([3, 1, 3], 'int32');
    const loss = (w1: tf.Tensor, dw: tf.Tensor, table: tf.Tensor) => {
      const a = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 2, 'same'));
      const b = tf.depthwiseConv2d(a, dw as tf.Tensor4D, 2, 'same');
      const pooled = tf.mean(b, [1, 2]);
      const embedded = tf.gather(table, ids);
      return tf.add(tf.sum(tf.square(pooled)), tf.sum(tf.mul(embedded, embedded)));
    };
    const grads = tf.grads(loss)([w1, dw, table]);
    const values = await Promise.all(grads.map(async (g) => Float32Array.from(await g.data())));
    tf.dispose([x, w1, dw, table, ids, ...grads]);
    expect(tf.memory().numTensors, `gradient computation on ${backend} leaked tensors`).toBe(before);
    return values;
  }

  it('gives the cpu backend gradients for conv2d, depthwise conv and gather', async () => {
    const expected = await gradients('cpu');
    const actual = await gradients('wasm');
    for (let i = 0; i < expected.length; i++) {
      expect(relativeError(actual[i]!, expected[i]!)).toBeLessThan(1e-5);
    }
  });
});
