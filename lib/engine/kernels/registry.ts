/**
 * Kernels the course registers on backends that lack them. The wasm backend
 * has no convolution filter gradients: without these, no conv net trains on it.
 */
import * as tf from '@tensorflow/tfjs';
import {
  conv2dBackpropFilter,
  conv2dBackpropInput,
  depthwiseConv2dBackpropFilter,
  depthwiseConv2dBackpropInput,
  unsortedSegmentSum,
} from './conv-backprop';
import { widenVectorBroadcast } from './broadcast';
import { batchNormKernel } from './batch-norm';
import { concatKernel } from './concat';
import { gatherKernel } from './gather';
import { leakyReluKernel } from './leaky-relu';
import { padKernel, reverseKernel } from './pad-reverse';
import { simdBatchMatMul } from './matmul';
import { wasmMaxPoolGrad } from './max-pool-grad';
import { maxPool3dGradKernel, maxPool3dKernel } from './max-pool-3d';
import { simdConv2d, simdConv2dBackpropFilter, simdConv2dBackpropInput } from './simd-conv';
import { wasmSumLeading } from './sum';
import { sliceKernel, splitVKernel, stridedSliceKernel, unpackKernel } from './slice';
import { wasmTile } from './tile';
import type { WasmHeapBackend } from './wasm-heap';

export {
  conv2dBackpropFilter,
  conv2dBackpropInput,
  depthwiseConv2dBackpropFilter,
  depthwiseConv2dBackpropInput,
  unsortedSegmentSum,
};

type Attrs = Record<string, unknown>;
type Inputs = Record<string, tf.TensorInfo>;

// A kernel may return a Tensor: the engine keeps it as the output as it is.
const asTensor = <T extends tf.Tensor>(info: tf.TensorInfo): T => info as unknown as T;

/** Whether dy has the output shape of the convolution `info` describes. */
const dyFits = (dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo) =>
  dy.shape.length === 4 &&
  [info.batchSize, info.outHeight, info.outWidth, info.outChannels].every((d, i) => d === dy.shape[i]);

/**
 * The kernels this module provides, by tfjs kernel name. The filter and input gradients
 * run the course's WebAssembly SIMD functions on the wasm backend where they apply
 * (lib/engine/kernels/simd-conv), else the compositions of {@link conv2dBackpropFilter}
 * and {@link conv2dBackpropInput}.
 */
export const TRAINING_KERNELS: Record<
  string,
  (inputs: Inputs, attrs: Attrs, backend: unknown) => tf.Tensor | tf.TensorInfo
> = {
  Conv2DBackpropFilter: ({ x, dy }, attrs, backend) => {
    const filterShape = attrs.filterShape as [number, number, number, number];
    const strides = attrs.strides as [number, number];
    const dataFormat = attrs.dataFormat as string | undefined;
    const rounding = attrs.dimRoundingMode as undefined;
    if ((dataFormat === undefined || dataFormat === 'NHWC') && tf.getBackend() === 'wasm') {
      const info = tf.backend_util.computeConv2DInfo(
        x!.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        attrs.pad as 'same',
        rounding,
      );
      const fast = dyFits(dy!, info) ? simdConv2dBackpropFilter(x!, dy!, info, backend) : undefined;
      if (fast) return fast;
    }
    return conv2dBackpropFilter(
      asTensor(x!),
      asTensor(dy!),
      filterShape,
      strides,
      attrs.pad as 'same',
      dataFormat,
      rounding,
    );
  },
  Conv2DBackpropInput: ({ dy, filter }, attrs, backend) => {
    const inputShape = attrs.inputShape as [number, number, number, number];
    const dataFormat = attrs.dataFormat as string | undefined;
    if (
      (dataFormat === undefined || dataFormat === 'NHWC') &&
      tf.getBackend() === 'wasm' &&
      filter!.shape.length === 4 &&
      inputShape[3] === filter!.shape[2]
    ) {
      const info = tf.backend_util.computeConv2DInfo(
        inputShape,
        filter!.shape as [number, number, number, number],
        attrs.strides as [number, number],
        1,
        attrs.pad as 'same',
        attrs.dimRoundingMode as undefined,
      );
      // Shapes that do not fit go on to the composition, which names what is wrong.
      const fast = dyFits(dy!, info) ? simdConv2dBackpropInput(dy!, filter!, info, backend) : undefined;
      if (fast) return fast;
    }
    return conv2dBackpropInput(
      asTensor(dy!),
      asTensor(filter!),
      attrs.inputShape as [number, number, number, number],
      attrs.strides as [number, number],
      attrs.pad as 'same',
      attrs.dataFormat as string | undefined,
      attrs.dimRoundingMode as undefined,
    );
  },
  DepthwiseConv2dNativeBackpropFilter: ({ x, dy }, attrs) =>
    depthwiseConv2dBackpropFilter(
      asTensor(x!),
      asTensor(dy!),
      attrs.filterShape as [number, number, number, number],
      attrs.strides as [number, number],
      attrs.pad as 'same',
      (attrs.dilations as [number, number] | undefined) ?? [1, 1],
      attrs.dimRoundingMode as undefined,
    ),
  DepthwiseConv2dNativeBackpropInput: ({ dy, filter }, attrs) =>
    depthwiseConv2dBackpropInput(
      asTensor(dy!),
      asTensor(filter!),
      attrs.inputShape as [number, number, number, number],
      attrs.strides as [number, number],
      attrs.pad as 'same',
      (attrs.dilations as [number, number] | undefined) ?? [1, 1],
      attrs.dimRoundingMode as undefined,
    ),
  UnsortedSegmentSum: ({ x, segmentIds }, attrs) =>
    unsortedSegmentSum(asTensor(x!), asTensor(segmentIds!), attrs.numSegments as number),
};

/** The kernel functions this module registered, to recognise them later. */
const ours = new Set<tf.KernelFunc>();

/**
 * Kernels a backend has but that the course replaces, per backend: the wasm
 * backend's Conv2DBackpropInput is a plain loop nest, about 10x slower than
 * the XNNPACK convolution {@link conv2dBackpropInput} reduces it to.
 */
export const KERNEL_OVERRIDES: Record<string, readonly string[]> = {
  wasm: ['Conv2DBackpropInput'],
};

/**
 * Wrappers around kernels a backend already has, per backend. The wasm
 * backend's BatchMatMul takes a slow path when asked to transpose an operand
 * (about 50x slower for the weight gradient of a dense layer, x^T·dy); an
 * explicit Transpose first costs little and keeps the fast path.
 */
const WRAPPERS: Record<string, Record<string, (inner: tf.KernelFunc) => tf.KernelFunc>> = {
  wasm: {
    BatchMatMul:
      (inner) =>
      ({ inputs, attrs, backend }) => {
        const { transposeA, transposeB } = attrs as { transposeA?: boolean; transposeB?: boolean };
        const fast = simdBatchMatMul(
          inputs.a as tf.TensorInfo,
          inputs.b as tf.TensorInfo,
          !!transposeA,
          !!transposeB,
          backend,
        );
        if (fast) return fast;
        if (!transposeA && !transposeB) return inner({ inputs, attrs, backend });
        const swapLast = (t: tf.Tensor) =>
          tf.transpose(
            t,
            [...t.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : 2 * all.length - 3 - i)),
          );
        const { a, b } = inputs as { a: tf.Tensor; b: tf.Tensor };
        const a2 = transposeA ? swapLast(a) : a;
        const b2 = transposeB ? swapLast(b) : b;
        try {
          return inner({
            inputs: { a: a2, b: b2 },
            attrs: { ...attrs, transposeA: false, transposeB: false },
            backend,
          });
        } finally {
          if (a2 !== a) a2.dispose();
          if (b2 !== b) b2.dispose();
        }
      },
    // The backend's MaxPoolGrad is a slow loop nest that, checked against the cpu kernel,
    // sends the gradient of a window whose maximum is negative to the wrong input or into
    // the padding: float32 pools run the course's single pass over the heap instead.
    MaxPoolGrad: (inner) => (args) =>
      (args.inputs as { input: tf.TensorInfo }).input.dtype === 'float32'
        ? wasmMaxPoolGrad(args)
        : inner(args),
    // The backend's 3D max pool starts each window at +1.2e-38, not -Infinity: windows of
    // negative values pool to 1.2e-38 and pass no gradient on. Both follow the cpu backend here.
    MaxPool3D: maxPool3dKernel,
    MaxPool3DGrad: maxPool3dGradKernel,
    // The engine clones every tensor a gradient needs through Identity, which this backend
    // copies (about 200 copies of full activations per style-transfer step). Tensors are never
    // written in place, so the clone shares the data and its reference count, as on cpu.
    Identity: (inner) => (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      return x.dtype === 'string' ? inner(args) : shareData(x, args.backend);
    },
    // A cast to the dtype a tensor already has (the ReLU gradient casts its float32 step
    // mask to float32) is a copy on this backend: share the data instead, as Identity does.
    // A cast to bool converts bytewise there (0.2 → false, -2 → 254): true is any non-zero.
    Cast: (inner) => (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { dtype } = args.attrs as unknown as tf.CastAttrs;
      if (x.dtype === 'string' || x.dtype === 'complex64') return inner(args);
      if (x.dtype === dtype) return shareData(x, args.backend);
      return dtype === 'bool' ? wasmNonZero(x, args.backend) : inner(args);
    },
    // A sum over the leading axes (a bias gradient: dy summed over batch, height and width)
    // makes the backend transpose the whole tensor first: summing the rows is one pass.
    Sum: (inner) => (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = axes.length;
      if (
        x.dtype !== 'float32' ||
        leading === 0 ||
        leading === x.shape.length ||
        axes.some((a, i) => a !== i)
      )
        return inner(args);
      return wasmSumLeading(x, leading, keepDims, args.backend);
    },
    // The backend's Tile visits every output element; block copies do the same work at memcpy speed.
    Tile: (inner) => (args) =>
      (args.inputs as { x: tf.TensorInfo }).x.dtype === 'string' ? inner(args) : wasmTile(args),
    // The backend's slice reads the whole input out of the heap before copying the part it
    // wants (and SplitV, Unpack and StridedSlice call it once per output): copy on the heap.
    Slice: sliceKernel,
    SplitV: splitVKernel,
    Unpack: unpackKernel,
    StridedSlice: stridedSliceKernel,
    // Its Gather computes each element's position alone; fit gathers every batch of rows.
    GatherV2: gatherKernel,
    // Both compute each element's source position alone: run copies do the same (notebook 06's
    // per-image crops pad every image, its mirrors reverse half of them, at every epoch).
    PadV2: padKernel,
    Reverse: reverseKernel,
    // XNNPACK packs the filter before every convolution; in training it is new at each step.
    Conv2D: (inner) => (args) => courseConv2d(args) ?? inner(args),
    // A linear convolution without bias (every layer before a batch norm: Tiny-Darknet, YOLO)
    // is a Conv2D. Even with its packed filter cached, XNNPACK ran Tiny-Darknet's ten first
    // layers at 224 px in 31 ms against 17 ms for the course's (medians of 25, alternating).
    FusedConv2D: (inner) => (args) => {
      const { bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      const { activation } = args.attrs as unknown as tf.FusedConv2DAttrs;
      const linear = (activation ?? 'linear') === 'linear' && !bias && !preluActivationWeights;
      return (linear ? courseConv2d(args) : undefined) ?? inner(args);
    },
    // Its Concat copies short runs (a pixel's channels) one subarray call each.
    Concat: concatKernel,
    // Adding a bias (or scaling by a per-channel vector) loops over the few channels of each
    // pixel: viewed as wide rows with the vector repeated, the same op runs 4-8x faster.
    Add: widenVectorBroadcast(true),
    Multiply: widenVectorBroadcast(true),
    Sub: widenVectorBroadcast(false),
    RealDiv: widenVectorBroadcast(false),
    // Its LeakyRelu (about 6 ns an element) and FusedBatchNorm (about 4) round in float32 and
    // differ from the cpu backend's bits: one SIMD pass each in doubles, as the cpu backend computes.
    LeakyRelu: leakyReluKernel,
    FusedBatchNorm: batchNormKernel,
  },
};

/** The course's convolution of a Conv2D-like call, or undefined where it does not apply. */
function courseConv2d(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | undefined {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as tf.Conv2DAttrs;
  if (
    (dataFormat ?? 'NHWC') !== 'NHWC' ||
    x.shape.length !== 4 ||
    filter.shape.length !== 4 ||
    x.shape[3] !== filter.shape[2]
  )
    return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
  );
  return simdConv2d(x, filter, info, args.backend);
}

/** A bool tensor, true where `x` is not zero (NaN included), computed on the wasm heap. */
function wasmNonZero(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  const heap = backend as WasmHeapBackend;
  const out = heap.makeOutput(x.shape, 'bool');
  const values = heap.typedArrayFromHeap(x);
  const flags = heap.typedArrayFromHeap(out);
  for (let i = 0; i < values.length; i++) flags[i] = values[i] !== 0 ? 1 : 0;
  return out;
}

/** A new tensor on the same data (counted once more): tensors are never written in place. */
function shareData(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Registers every kernel of {@link TRAINING_KERNELS} that `backendName` lacks,
 * replaces the ones {@link KERNEL_OVERRIDES} lists for it, and wraps a few of
 * its own kernels to avoid slow paths. Other kernels the backend already has
 * are left alone. Call it before the backend starts (a kernel's setup runs
 * then); calling it again changes nothing.
 *
 * @returns the names of the kernels registered or wrapped by this call.
 */
export function registerTrainingKernels(backendName: string): string[] {
  const registered: string[] = [];
  const overrides = KERNEL_OVERRIDES[backendName] ?? [];
  for (const [kernelName, compute] of Object.entries(TRAINING_KERNELS)) {
    const existing = tf.getKernel(kernelName, backendName);
    if (existing) {
      if (!overrides.includes(kernelName) || ours.has(existing.kernelFunc)) continue;
      tf.unregisterKernel(kernelName, backendName);
    }
    const kernelFunc: tf.KernelFunc = ({ inputs, attrs, backend }) =>
      compute(inputs as Inputs, attrs as Attrs, backend);
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
    registered.push(kernelName);
  }
  for (const [kernelName, wrap] of Object.entries(WRAPPERS[backendName] ?? {})) {
    const existing = tf.getKernel(kernelName, backendName);
    if (!existing || ours.has(existing.kernelFunc)) continue;
    wrapKernel(kernelName, backendName, wrap);
    registered.push(kernelName);
  }
  return registered;
}

/**
 * Replaces a backend's kernel by `wrap(kernel)`, keeping its setup (which
 * binds the wasm function the kernel calls). The wrapper counts as the
 * course's own: {@link registerTrainingKernels} leaves it in place.
 *
 * @returns false when the backend has no such kernel.
 */
export function wrapKernel(
  kernelName: string,
  backendName: string,
  wrap: (inner: tf.KernelFunc) => tf.KernelFunc,
): boolean {
  const existing = tf.getKernel(kernelName, backendName);
  if (!existing) return false;
  const kernelFunc = wrap(existing.kernelFunc);
  ours.add(kernelFunc);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...existing, kernelFunc });
  return true;
}
