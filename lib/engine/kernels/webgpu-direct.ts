/**
 * Direct WGSL shaders for convolutions and matrix products on a software WebGPU adapter
 * (SwiftShader, which headless Chromium offers without a GPU). tfjs-backend-webgpu's
 * convolutions and matrix products are tiled programs built for GPUs: they share tiles
 * through workgroup memory with a barrier per tile, which SwiftShader emulates on the CPU at
 * great cost (LeNet-5's first convolution on 64 digits: 3.6-11 s; bench/RESULTS.md). These
 * shaders compute one output value per invocation in a plain loop, with no workgroup memory
 * and no barrier: on a CPU that is the fast form. They are registered only for a fallback
 * adapter (web/browser/backend.ts): on a real GPU tfjs's own tiled shaders stay.
 *
 * Every shape the shaders do not take (NCHW, another dtype, an activation other than
 * linear or ReLU, a bias or PReLU weights that are not one value per output channel) goes to
 * tfjs's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { wrapKernel } from './registry';

/** What a shader program gives tfjs-backend-webgpu's `runWebGPUProgram` (its WebGPUProgram). */
interface DirectProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms: string;
  getUserCode: () => string;
  /** Invocations of a {@link counted} program. */
  count?: number;
}

type Uniform = { type: 'int32'; data: number[] };

/** The part of tfjs-backend-webgpu's backend the shaders use. */
interface WebgpuRunner {
  runWebGPUProgram(
    program: DirectProgram,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms: Uniform[],
  ): tf.TensorInfo;
}

/** Invocations per workgroup: SwiftShader runs a workgroup on one thread, 4 lanes at a time. */
const WORKGROUP = 64;

/** Activations the shaders apply after the sum (and the bias), by tfjs's names. */
const ACTIVATIONS: Record<string, string> = {
  linear: 'value',
  relu: 'max(value, 0.0)',
};

/** A program with one output value per invocation, over a flat dispatch. */
function program(
  key: string,
  outputShape: number[],
  variableNames: string[],
  uniformNames: string[],
  body: string,
): DirectProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    outputShape,
    shaderKey: key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    variableNames,
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: uniformNames.map((n) => `${n} : i32,`).join(' '),
    // tfjs's preamble declares the arrays, `uniforms` (with each input's and the output's
    // shape) and setOutputAtIndex; `main(index)` runs once per invocation.
    getUserCode: () => `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        ${body}
      }`,
  };
}

/**
 * A program of `count` invocations (not one per output value), whose WGSL constants
 * `constants` precede `main`; `count` is its one uniform.
 */
function counted(
  key: string,
  outputShape: number[],
  variableNames: string[],
  count: number,
  constants: string,
  body: string,
  keyExtra = '',
): DirectProgram {
  return {
    outputShape,
    shaderKey: `${key}${keyExtra}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(count / WORKGROUP), 1, 1],
    variableNames,
    workgroupSize: [WORKGROUP, 1, 1],
    size: false,
    uniforms: 'count : i32,',
    count,
    getUserCode: () => `
      ${constants}
      fn main(index : i32) {
        if (index >= uniforms.count) { return; }
        ${body}
      }`,
  };
}

const ints = (values: number[]): Uniform[] => values.map((v) => ({ type: 'int32', data: [v] }));

/** The bias-and-activation epilogue: `value` is the sum; one bias per output channel `oc`. */
function epilogue(hasBias: boolean, activation: string): string {
  return `var value = acc;
        ${hasBias ? 'value = value + bias[oc];' : ''}
        setOutputAtIndex(index, ${ACTIVATIONS[activation]});`;
}

/** The largest divisor of `n` up to 16: how many neighbouring channels one invocation computes. */
function channelGroup(n: number): number {
  for (let g = Math.min(n, 16); g > 1; g--) if (n % g === 0) return g;
  return 1;
}

/** The geometry of a convolution, by the names its shaders give each value. */
function geometryValues(info: tf.backend_util.Conv2DInfo): Record<string, number> {
  return {
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    OH: info.outHeight,
    OW: info.outWidth,
    OC: info.outChannels,
    FH: info.filterHeight,
    FW: info.filterWidth,
    SH: info.strideHeight,
    SW: info.strideWidth,
    DH: info.dilationHeight,
    DW: info.dilationWidth,
    PT: info.padInfo.top,
    PL: info.padInfo.left,
  };
}

/**
 * The geometry of a convolution as WGSL constants: shaders are compiled per layer shape
 * (the compiler then unrolls the filter loops and folds the index arithmetic), not per batch.
 */
function geometry(info: tf.backend_util.Conv2DInfo): string {
  return Object.entries(geometryValues(info))
    .map(([k, v]) => `const ${k} = ${v};`)
    .join(' ');
}

/** A key naming the geometry, for the shader cache. */
const geometryKey = (info: tf.backend_util.Conv2DInfo) => Object.values(geometryValues(info)).join('_');

/**
 * Conv2D / FusedConv2D, NHWC: out[b, oy, ox, oc] = Σ x[b, iy, ix, c] · w[fy, fx, c, oc]. One
 * invocation computes `G` neighbouring output channels of one pixel, reading each input once.
 */
function conv2dProgram(info: tf.backend_util.Conv2DInfo, hasBias: boolean, activation: string) {
  const G = channelGroup(info.outChannels);
  const count = info.batchSize * info.outHeight * info.outWidth * (info.outChannels / G);
  return counted(
    `course_direct_conv-forward_${geometryKey(info)}_${hasBias}_${activation}`,
    info.outShape,
    hasBias ? ['x', 'w', 'bias'] : ['x', 'w'],
    count,
    `${geometry(info)} const G = ${G};`,
    `let og = index % (OC / G);
        let pix = index / (OC / G);
        let ox = pix % OW;
        let t = pix / OW;
        let oy = t % OH;
        let b = t / OH;
        var acc : array<f32, G>;
        for (var fy = 0; fy < FH; fy = fy + 1) {
          let iy = oy * SH + fy * DH - PT;
          if (iy < 0 || iy >= H) { continue; }
          for (var fx = 0; fx < FW; fx = fx + 1) {
            let ix = ox * SW + fx * DW - PL;
            if (ix < 0 || ix >= W) { continue; }
            let xAt = ((b * H + iy) * W + ix) * C;
            let wAt = (fy * FW + fx) * C * OC + og * G;
            for (var c = 0; c < C; c = c + 1) {
              let xv = x[xAt + c];
              let wc = wAt + c * OC;
              for (var g = 0; g < G; g = g + 1) {
                acc[g] = acc[g] + xv * w[wc + g];
              }
            }
          }
        }
        for (var g = 0; g < G; g = g + 1) {
          let oc = og * G + g;
          var value = acc[g];
          ${hasBias ? 'value = value + bias[oc];' : ''}
          setOutputAtIndex(pix * OC + oc, ${ACTIVATIONS[activation]});
        }`,
  );
}

/**
 * Conv2DBackpropInput, NHWC: dx[b, iy, ix, c] = Σ dy[b, oy, ox, oc] · w[fy, fx, c, oc] over the
 * (oy, ox) whose window covers (iy, ix). One invocation computes `G` channels of one pixel.
 */
function conv2dBackpropInputProgram(info: tf.backend_util.Conv2DInfo) {
  const G = channelGroup(info.inChannels);
  const count = info.batchSize * info.inHeight * info.inWidth * (info.inChannels / G);
  return counted(
    `course_direct_conv-dx_${geometryKey(info)}`,
    info.inShape,
    ['dy', 'w'],
    count,
    `${geometry(info)} const G = ${G};`,
    `let cg = index % (C / G);
        let pix = index / (C / G);
        let ix = pix % W;
        let t = pix / W;
        let iy = t % H;
        let b = t / H;
        var acc : array<f32, G>;
        for (var fy = 0; fy < FH; fy = fy + 1) {
          // oy · SH = iy + PT − fy · DH, for a whole oy in range.
          let ty = iy + PT - fy * DH;
          if (ty < 0 || ty % SH != 0) { continue; }
          let oy = ty / SH;
          if (oy >= OH) { continue; }
          for (var fx = 0; fx < FW; fx = fx + 1) {
            let tx = ix + PL - fx * DW;
            if (tx < 0 || tx % SW != 0) { continue; }
            let ox = tx / SW;
            if (ox >= OW) { continue; }
            let dyAt = ((b * OH + oy) * OW + ox) * OC;
            let wAt = ((fy * FW + fx) * C + cg * G) * OC;
            for (var oc = 0; oc < OC; oc = oc + 1) {
              let d = dy[dyAt + oc];
              for (var g = 0; g < G; g = g + 1) {
                acc[g] = acc[g] + d * w[wAt + g * OC + oc];
              }
            }
          }
        }
        for (var g = 0; g < G; g = g + 1) {
          setOutputAtIndex(pix * C + cg * G + g, acc[g]);
        }`,
  );
}

/**
 * How many slices of the batch the filter gradient sums apart (then adds in order): enough
 * invocations to keep every thread of the adapter busy, and shorter float32 sums.
 */
function batchSlices(info: tf.backend_util.Conv2DInfo): number {
  const invocations =
    (info.filterHeight * info.filterWidth * info.inChannels * info.outChannels) /
    channelGroup(info.outChannels);
  return Math.max(1, Math.min(info.batchSize, Math.ceil(256 / invocations)));
}

/**
 * Conv2DBackpropFilter, NHWC, first pass: partial[s, fy, fx, c, oc] = Σ x[b, iy, ix, c] ·
 * dy[b, oy, ox, oc] over the images b of slice s. One invocation computes `G` channels.
 */
function conv2dBackpropFilterProgram(info: tf.backend_util.Conv2DInfo, slices: number) {
  const G = channelGroup(info.outChannels);
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const perSlice = Math.ceil(info.batchSize / slices);
  return counted(
    `course_direct_conv-dw_${geometryKey(info)}_${slices}_${perSlice}`,
    // One slice writes the gradient itself.
    [...(slices > 1 ? [slices] : []), info.filterHeight, info.filterWidth, info.inChannels, info.outChannels],
    ['x', 'dy'],
    slices * taps * (info.outChannels / G),
    `${geometry(info)} const G = ${G};`,
    `let N = uniforms.xShape.x;
        let PER = ${perSlice};
        let og = index % (OC / G);
        let rest = index / (OC / G);
        let tap = rest % (FH * FW * C);
        let s = rest / (FH * FW * C);
        let c = tap % C;
        let t = tap / C;
        let fx = t % FW;
        let fy = t / FW;
        var acc : array<f32, G>;
        let last = min(N, (s + 1) * PER);
        for (var b = s * PER; b < last; b = b + 1) {
          for (var oy = 0; oy < OH; oy = oy + 1) {
            let iy = oy * SH + fy * DH - PT;
            if (iy < 0 || iy >= H) { continue; }
            for (var ox = 0; ox < OW; ox = ox + 1) {
              let ix = ox * SW + fx * DW - PL;
              if (ix < 0 || ix >= W) { continue; }
              let xv = x[((b * H + iy) * W + ix) * C + c];
              let dyAt = ((b * OH + oy) * OW + ox) * OC + og * G;
              for (var g = 0; g < G; g = g + 1) {
                acc[g] = acc[g] + xv * dy[dyAt + g];
              }
            }
          }
        }
        for (var g = 0; g < G; g = g + 1) {
          setOutputAtIndex(rest * OC + og * G + g, acc[g]);
        }`,
  );
}

/** The filter gradient's second pass: the slices' partial sums added in slice order. */
function sumSlicesProgram(slices: number, filterShape: number[]) {
  const size = filterShape.reduce((a, b) => a * b, 1);
  return counted(
    'course_direct_sum-slices_',
    filterShape,
    ['partial'],
    size,
    '',
    `var acc = 0.0;
        for (var s = 0; s < ${slices}; s = s + 1) {
          acc = acc + partial[s * ${size} + index];
        }
        setOutputAtIndex(index, acc);`,
    `${slices}_${size}`,
  );
}

/**
 * BatchMatMul / _FusedMatMul: out[i, m, n] = Σ_k a[i, m, k] · b[i, k, n], each operand read through
 * strides, so one shader serves every transpose and a batch of 1 broadcast.
 */
function matMulProgram(outputShape: number[], hasBias: boolean, activation: string) {
  return program(
    `course_direct_matmul_${hasBias}_${activation}`,
    outputShape,
    hasBias ? ['a', 'b', 'bias'] : ['a', 'b'],
    ['K', 'aBatch', 'aM', 'aK', 'bBatch', 'bK', 'bN'],
    `let N = uniforms.outShape.z;
        let M = uniforms.outShape.y;
        let oc = index % N;
        let r = index / N;
        let m = r % M;
        let i = r / M;
        var aAt = i * uniforms.aBatch + m * uniforms.aM;
        var bAt = i * uniforms.bBatch + oc * uniforms.bN;
        var acc = 0.0;
        for (var k = 0; k < uniforms.K; k = k + 1) {
          acc = acc + a[aAt] * b[bAt];
          aAt = aAt + uniforms.aK;
          bAt = bAt + uniforms.bK;
        }
        ${epilogue(hasBias, activation)}`,
  );
}

const isNhwc = (format: string | undefined) => (format ?? 'NHWC') === 'NHWC';
const is4d = (...ts: tf.TensorInfo[]) => ts.every((t) => t.shape.length === 4 && t.dtype === 'float32');

/** A bias the epilogue takes: one float32 value per output channel. */
const biasFits = (bias: tf.TensorInfo | undefined, channels: number) =>
  bias === undefined ||
  (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === channels && bias.shape.length <= 1);

function convInfo(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number] | undefined,
  pad: unknown,
  rounding: unknown,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad as 'same',
    rounding as undefined,
  );
}

/** Runs a {@link counted} program. */
function run(backend: unknown, p: DirectProgram, inputs: tf.TensorInfo[]): tf.TensorInfo {
  return runner(backend).runWebGPUProgram(p, inputs, 'float32', ints([p.count!]));
}

/** The wrappers, by tfjs kernel name: each runs its shader where it applies, else tfjs's kernel. */
const DIRECT_KERNELS: Record<string, (inner: tf.KernelFunc) => tf.KernelFunc> = {
  Conv2D: (inner) => (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    if (!isNhwc(attrs.dataFormat) || !is4d(x, filter) || x.shape[3] !== filter.shape[2]) return inner(args);
    const info = convInfo(
      x.shape,
      filter.shape,
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    return run(args.backend, conv2dProgram(info, false, 'linear'), [x, filter]);
  },
  FusedConv2D: (inner) => (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<
      string,
      tf.TensorInfo | undefined
    >;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const activation = attrs.activation ?? 'linear';
    if (
      !isNhwc(attrs.dataFormat) ||
      !is4d(x!, filter!) ||
      x!.shape[3] !== filter!.shape[2] ||
      preluActivationWeights !== undefined ||
      !(activation in ACTIVATIONS) ||
      !biasFits(bias, filter!.shape[3]!)
    )
      return inner(args);
    const info = convInfo(
      x!.shape,
      filter!.shape,
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const inputs = bias ? [x!, filter!, bias] : [x!, filter!];
    return run(args.backend, conv2dProgram(info, bias !== undefined, activation), inputs);
  },
  Conv2DBackpropInput: (inner) => (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const inputShape = attrs.inputShape as number[];
    if (!isNhwc(attrs.dataFormat) || !is4d(dy, filter) || inputShape[3] !== filter.shape[2])
      return inner(args);
    const info = convInfo(inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    if (info.outShape.some((d, i) => d !== dy.shape[i])) return inner(args);
    return run(args.backend, conv2dBackpropInputProgram(info), [dy, filter]);
  },
  Conv2DBackpropFilter: (inner) => (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const filterShape = attrs.filterShape as number[];
    if (!isNhwc(attrs.dataFormat) || !is4d(x, dy) || filterShape[2] !== x.shape[3]) return inner(args);
    const info = convInfo(x.shape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    if (info.outShape.some((d, i) => d !== dy.shape[i])) return inner(args);
    const slices = batchSlices(info);
    const partial = run(args.backend, conv2dBackpropFilterProgram(info, slices), [x, dy]);
    if (slices === 1) return partial;
    try {
      return run(args.backend, sumSlicesProgram(slices, filterShape), [partial]);
    } finally {
      (args.backend as { disposeData(id: tf.DataId): void }).disposeData(partial.dataId);
    }
  },
  BatchMatMul: (inner) => (args) => runMatMul(args, inner, undefined, 'linear'),
  _FusedMatMul: (inner) => (args) => {
    const { bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const activation = (args.attrs as unknown as tf._FusedMatMulAttrs).activation ?? 'linear';
    if (preluActivationWeights !== undefined || !(activation in ACTIVATIONS)) return inner(args);
    return runMatMul(args, inner, bias, activation);
  },
};

function runMatMul(
  args: Parameters<tf.KernelFunc>[0],
  inner: tf.KernelFunc,
  bias: tf.TensorInfo | undefined,
  activation: string,
): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA?: boolean; transposeB?: boolean };
  if (a.shape.length < 2 || b.shape.length < 2 || a.dtype !== 'float32' || b.dtype !== 'float32')
    return inner(args);
  // Leading (batch) dimensions: one flat batch, where each operand has all of them or none.
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const batch = tf.util.sizeFromShape(outer);
  const fits = (own: number[], n: number) => n === 1 || tf.util.arraysEqual(own, outer);
  const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
  const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
  const [M, K] = transposeA ? [colsA, rowsA] : [rowsA, colsA];
  const [K2, N] = transposeB ? [colsB, rowsB] : [rowsB, colsB];
  if (K !== K2 || !fits(outerA, batchA) || !fits(outerB, batchB) || !biasFits(bias, N)) return inner(args);
  const uniforms = ints([
    K,
    batchA === 1 ? 0 : rowsA * colsA,
    transposeA ? 1 : colsA, // step to the next row of op(a)
    transposeA ? colsA : 1, // step along k in op(a)
    batchB === 1 ? 0 : rowsB * colsB,
    transposeB ? 1 : colsB, // step along k in op(b)
    transposeB ? colsB : 1, // step to the next column of op(b)
  ]);
  const inputs = bias ? [a, b, bias] : [a, b];
  const out = runner(args.backend).runWebGPUProgram(
    matMulProgram([batch, M, N], bias !== undefined, activation),
    inputs,
    'float32',
    uniforms,
  );
  // The shader sees [batch, M, N]; the result has the operands' leading dimensions (as tfjs's Reshape).
  return { ...out, shape: [...outer, M, N] };
}

function runner(backend: unknown): WebgpuRunner {
  return backend as WebgpuRunner;
}

/** The kernels {@link registerDirectWebgpuKernels} replaces on the webgpu backend. */
export const DIRECT_WEBGPU_KERNELS: readonly string[] = Object.keys(DIRECT_KERNELS);

/**
 * The tfjs flag that turns the direct shaders off once registered (`tf.env().set(FLAG, false)`:
 * tfjs's own kernels again), for benchmarks and tests that compare the two.
 */
export const DIRECT_WEBGPU_FLAG = 'COURSE_WEBGPU_DIRECT_SHADERS';

let wrapped: string[] | undefined;

/**
 * Wraps the webgpu backend's convolutions and matrix products so that those the direct
 * shaders take run them (see the module's comment). For a software adapter only: on a GPU
 * tfjs's tiled shaders are the fast ones. Needs tfjs-backend-webgpu imported (its kernels
 * registered); calling it again changes nothing.
 *
 * @returns the kernels wrapped by this call.
 */
export function registerDirectWebgpuKernels(): string[] {
  if (wrapped) return [];
  tf.env().registerFlag(DIRECT_WEBGPU_FLAG, () => true);
  wrapped = DIRECT_WEBGPU_KERNELS.filter((name) =>
    wrapKernel(name, 'webgpu', (inner) => {
      const direct = DIRECT_KERNELS[name]!(inner);
      return (args) => (tf.env().getBool(DIRECT_WEBGPU_FLAG) ? direct(args) : inner(args));
    }),
  );
  return wrapped;
}
