/**
 * Conv2D (the unfused convolution of training steps), Conv2DBackpropFilter and
 * Conv2DBackpropInput on the wasm backend as WebAssembly SIMD functions of the
 * course's own (lib/engine/kernels/wasm/conv2d.c, filter-grad.c, input-grad.c), run
 * on the backend's heap, large ones split with the course's worker thread.
 *
 * Through XNNPACK the filter gradient is a convolution of the transposed input
 * with dy as its filter: a shape XNNPACK is slow at (a long reduction into a
 * small output), plus transposes and the repacking of dy on every call. The
 * course's function reads x and dy where they are (NHWC) and sums each tap's
 * products in registers: 22 GMAC/s on one thread, 2-3x the XNNPACK route on two
 * (a VGG layer 214 → ~110 ms, a U-Net layer 33 → 14 ms). The input gradient
 * went through a convolution of zero-inserted, padded dy with the flipped
 * filter; the course's function spreads each row of dy over the rows of dx its
 * filter reaches, and never multiplies padding. XNNPACK packs the filter of a
 * convolution before running it, again at every step of a training loop
 * (the filter has changed); the course's forward function reads it in place.
 */
import * as tf from '@tensorflow/tfjs';
import {
  convGeometry,
  courseKernelsOn,
  courseWorkerOn,
  heapOffsets,
  type ConvGeometry,
  type CourseWasmKernels,
} from './course-wasm';
import { chunkPlan, runChunked, splitWorth, type SharedRange } from './kernel-worker';
import type { WasmHeapBackend } from './wasm-heap';

/** The backend frees scratch tensors it allocated for a kernel. */
interface Disposing {
  disposeData(dataId: tf.DataId): boolean;
}

type Heap = WasmHeapBackend & Disposing;

const size = (shape: number[]) => tf.util.sizeFromShape(shape);

// Where the arguments after the geometry start, for functions taking 3 or 4 pointers first.
const GEOMETRY = 12 satisfies ConvGeometry['length'];
const AFTER_3 = 3 + GEOMETRY;
const AFTER_4 = 4 + GEOMETRY;

// Bytes of a cache line: a buffer that one thread writes must share no line with another
// thread's output (false sharing made a split filter gradient as slow as one thread).
const LINE = 64;

/**
 * A scratch buffer of `count` floats on the heap, alone on its cache lines:
 * `at(heap)` gives its (line-aligned) offset; take it, and views, after the
 * kernel's last allocation. Free it with `free()`.
 */
function isolatedScratch(heap: Heap, count: number): { at(): number; free(): void } {
  const info = heap.makeOutput([count + (2 * LINE) / 4], 'float32');
  return {
    at: () => Math.ceil((heap.typedArrayFromHeap(info).byteOffset + 1) / LINE) * LINE,
    free: () => heap.disposeData(info.dataId),
  };
}

/** Floats of partial sums a split reduction may take on the heap (16 MB). */
const PARTIAL_SUMS_BUDGET = 4_000_000;
/** At most this many partial sums: enough for two threads to even out their shares. */
const MAX_PARTIAL_SUMS = 8;

/** A kernel that sums rows [first, end) of its range into the output at argument `outputAt`. */
interface Reduction {
  name: 'filter_grad' | 'input_grad';
  /** The kernel's arguments, given its output's byte offset. */
  args(out: number): number[];
  /** Positions of the rows' first and end, the zero flag and the output pointer. */
  firstAt: number;
  zeroAt: number;
  outputAt: number;
}

/**
 * Runs a reduction over rows [0, rows) into `count` floats at `into()`, cut into
 * a fixed number of chunks (2-8: fewer for large outputs) that depends only on
 * those sizes. Chunk c sums its rows into buffer c of a scratch area, whichever
 * thread runs it, and the buffers are added in chunk order (in float64, rounded
 * once, by `sum_rows`): the same bits from run to run, and on one or two threads.
 * `into` and `reduction.args` read heap offsets: they are called after the
 * scratch area is allocated (growing the heap replaces its buffer).
 */
function reduceInChunks(
  heap: Heap,
  backend: unknown,
  rows: number,
  count: number,
  reduction: Reduction,
  into: () => number,
): void {
  const kernels = courseKernelsOn(backend)!;
  const range: SharedRange = {
    firstAt: reduction.firstAt,
    endAt: reduction.firstAt + 1,
    low: 0,
    high: rows,
    chunks: Math.max(2, Math.min(MAX_PARTIAL_SUMS, Math.floor(PARTIAL_SUMS_BUDGET / count))),
    zero: { at: reduction.zeroAt },
    output: { at: reduction.outputAt, stride: count * 4 },
  };
  const chunks = chunkPlan(range).count;
  const scratch = isolatedScratch(heap, chunks * count);
  try {
    const at = scratch.at();
    runChunked(courseWorkerOn(backend), kernels, reduction.name, reduction.args(at), range);
    kernels.sum_rows(at, into(), chunks, count);
  } finally {
    scratch.free();
  }
}

/**
 * dW for x and dy on the wasm heap, or undefined where the function does not
 * apply (it needs float32 tensors, a multiple of 4 output channels and NHWC):
 * the caller then composes the gradient from the backend's ops.
 */
export function simdConv2dBackpropFilter(
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: unknown,
): tf.TensorInfo | undefined {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  if (
    x.dtype !== 'float32' ||
    dy.dtype !== 'float32' ||
    outChannels % 4 !== 0 ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1
  )
    return undefined;
  const kernels = courseKernelsOn(backend);
  if (!kernels) return undefined;
  const heap = backend as Heap;
  const dw = heap.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  const count = size(dw.shape);
  const rows = batchSize * outHeight;
  if (size(x.shape) === 0 || size(dy.shape) === 0) {
    (heap.typedArrayFromHeap(dw) as Float32Array).fill(0);
    return dw;
  }
  // Pointers and geometry, then the range of dy's rows and the zero flag.
  const args = (out: number): Parameters<typeof kernels.filter_grad> => {
    const [xAt, dyAt] = heapOffsets(backend, x, dy) as [number, number];
    return [xAt, dyAt, out, ...convGeometry(info), 0, rows, 1];
  };
  const dwAt = () => heapOffsets(backend, dw)[0]!;
  // Large ones: partial sums over fixed chunks of dy's rows, shared with the worker if any.
  if (splitWorth(rows * outWidth * count) && rows >= 2) {
    const reduction: Reduction = {
      name: 'filter_grad',
      args,
      firstAt: AFTER_3,
      zeroAt: AFTER_3 + 2,
      outputAt: 2,
    };
    reduceInChunks(heap, backend, rows, count, reduction, dwAt);
  } else kernels.filter_grad(...args(dwAt()));
  return dw;
}

/**
 * dx for dy and the filter on the wasm heap, or undefined where the function
 * does not apply (float32 tensors and NHWC only): the caller then composes the
 * gradient from the backend's ops.
 */
export function simdConv2dBackpropInput(
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: unknown,
): tf.TensorInfo | undefined {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outChannels, filterHeight, filterWidth } =
    info;
  if (
    dy.dtype !== 'float32' ||
    filter.dtype !== 'float32' ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1
  )
    return undefined;
  const kernels = courseKernelsOn(backend);
  if (!kernels) return undefined;
  const heap = backend as Heap;
  const dx = heap.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  // Input channels left over after vectors of 4 take a dot product each per column and tap
  // (an RGB image's gradient: all three). Padded with zero filter columns to a multiple of 4,
  // they run as vectors into a wider scratch dx, copied out after.
  const lanes = Math.ceil(inChannels / 4) * 4;
  const target =
    lanes === inChannels ? dx : heap.makeOutput([batchSize, inHeight, inWidth, lanes], 'float32');
  const geometry = convGeometry({ ...info, inChannels: lanes });
  const count = size(target.shape);
  // The filter with each tap's matrix transposed, [KH, KW, Co, lanes]: rows of input channels.
  const taps = filterHeight * filterWidth;
  const transposed = heap.makeOutput([taps, outChannels, lanes], 'float32');
  // Large ones: fixed chunks of the images, each zeroing and writing its own images of dx; for
  // one image, partial sums over fixed chunks of dy's rows (they reach overlapping rows of dx).
  const split =
    splitWorth((size(dy.shape) / outChannels) * size(filter.shape)) && (batchSize >= 2 || outHeight >= 2);
  // With stride 1, dx is the forward convolution of dy with the filter turned by 180° (tap
  // (kh, kw) ← (KH-1-kh, KW-1-kw)) and padded by KH-1-top, KW-1-left: each row of dx is then
  // written once, by one thread, where the spread below adds every tap into dx's rows.
  // Measured against the spread (Tiny-Darknet at 224 px, CPU time on one thread, alternating
  // runs): 4.3 → 2.0 ms for its RGB layer with the padding above; no faster for 1x1 filters
  // or for windows past the forward's own limit (13.1 against 13.2 ms for its ten layers).
  const asForward =
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    taps > 1 &&
    taps * outChannels <= SIMD_CONV_MAX_WINDOW;
  try {
    const w = heap.typedArrayFromHeap(filter) as Float32Array;
    const wt = heap.typedArrayFromHeap(transposed) as Float32Array;
    wt.fill(0);
    for (let t = 0; t < taps; t++) {
      const from = t * inChannels * outChannels;
      const to = (asForward ? taps - 1 - t : t) * lanes * outChannels;
      for (let ci = 0; ci < inChannels; ci++) {
        for (let co = 0; co < outChannels; co++) wt[to + co * lanes + ci] = w[from + ci * outChannels + co]!;
      }
    }
    if (size(dy.shape) === 0) {
      (heap.typedArrayFromHeap(dx) as Float32Array).fill(0);
      return dx;
    }
    // Pointers and geometry, then the ranges of images and of dy's rows and the zero flag.
    const args = (out: number): Parameters<typeof kernels.input_grad> => {
      const [dyAt, wAt, wtAt] = heapOffsets(backend, dy, filter, transposed) as [number, number, number];
      return [dyAt, wAt, wtAt, out, ...geometry, 0, batchSize, 0, outHeight, 1];
    };
    const targetAt = () => heapOffsets(backend, target)[0]!;
    if (asForward) {
      const [dyAt, wtAt] = heapOffsets(backend, dy, transposed) as [number, number];
      const { top, left } = info.padInfo;
      runConv2d(
        kernels,
        backend,
        [
          dyAt,
          wtAt,
          targetAt(),
          outHeight,
          info.outWidth,
          outChannels,
          inHeight,
          inWidth,
          lanes,
          filterHeight,
          filterWidth,
          1,
          1,
          filterHeight - 1 - top,
          filterWidth - 1 - left,
          0,
          batchSize,
          0,
          inHeight,
        ],
        (count / lanes) * taps * outChannels * lanes,
      );
    } else if (!split) kernels.input_grad(...args(targetAt()));
    else if (batchSize >= 2) {
      const range = {
        firstAt: AFTER_4,
        endAt: AFTER_4 + 1,
        low: 0,
        high: batchSize,
        zero: { at: AFTER_4 + 4 },
      };
      runChunked(courseWorkerOn(backend), kernels, 'input_grad', args(targetAt()), range);
    } else {
      const reduction: Reduction = {
        name: 'input_grad',
        args,
        firstAt: AFTER_4 + 2,
        zeroAt: AFTER_4 + 4,
        outputAt: 3,
      };
      reduceInChunks(heap, backend, outHeight, count, reduction, targetAt);
    }
    if (target !== dx) {
      const wide = heap.typedArrayFromHeap(target) as Float32Array;
      const out = heap.typedArrayFromHeap(dx) as Float32Array;
      for (let from = 0, to = 0; to < out.length; from += lanes, to += inChannels)
        for (let ci = 0; ci < inChannels; ci++) out[to + ci] = wide[from + ci]!;
    }
  } finally {
    heap.disposeData(transposed.dataId);
    if (target !== dx) heap.disposeData(target.dataId);
  }
  return dx;
}

/**
 * Runs the module's conv2d on `args` (pointers, geometry, then images [0, batch) and rows
 * [0, height)): large ones in fixed chunks of the images, or of one image's rows (different
 * rows of y), shared with the worker if any.
 */
function runConv2d(
  kernels: CourseWasmKernels,
  backend: unknown,
  args: Parameters<CourseWasmKernels['conv2d']>,
  work: number,
): void {
  const batchSize = args[AFTER_3 + 1] as number;
  const outHeight = args[AFTER_3 + 3] as number;
  if (!(splitWorth(work) && (batchSize >= 2 || outHeight >= 2))) kernels.conv2d(...args);
  else if (batchSize >= 2)
    runChunked(courseWorkerOn(backend), kernels, 'conv2d', args, {
      firstAt: AFTER_3,
      endAt: AFTER_3 + 1,
      low: 0,
      high: batchSize,
    });
  else
    runChunked(courseWorkerOn(backend), kernels, 'conv2d', args, {
      firstAt: AFTER_3 + 2,
      endAt: AFTER_3 + 3,
      low: 0,
      high: outHeight,
    });
}

/**
 * Input values under one output position (KH·KW·Ci) up to which the course's
 * forward convolution runs: its filter panel (8 output channels of every tap)
 * then stays in the first-level cache. Measured against XNNPACK, in one process,
 * alternating (medians): 1.1-1.4x for windows of 27-576 values (LeNet, VGG,
 * U-Net, Tiny-Darknet layers), 0.63x for a 3x3x256 window.
 */
export const SIMD_CONV_MAX_WINDOW = 640;

/**
 * y = conv2d(x, filter) on the wasm heap, or undefined where the function does
 * not apply (float32, NHWC, no dilation, a multiple of 4 output channels, a
 * window of at most {@link SIMD_CONV_MAX_WINDOW} values): the caller then runs
 * the backend's kernel.
 */
export function simdConv2d(
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: unknown,
): tf.TensorInfo | undefined {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  if (
    x.dtype !== 'float32' ||
    filter.dtype !== 'float32' ||
    outChannels % 4 !== 0 ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1
  )
    return undefined;
  if (filterHeight * filterWidth * inChannels > SIMD_CONV_MAX_WINDOW) return undefined;
  const kernels = courseKernelsOn(backend);
  if (!kernels) return undefined;
  const heap = backend as Heap;
  const y = heap.makeOutput([batchSize, outHeight, outWidth, outChannels], 'float32');
  if (size(y.shape) === 0) return y;
  if (size(x.shape) === 0) {
    (heap.typedArrayFromHeap(y) as Float32Array).fill(0);
    return y;
  }
  const [xAt, wAt, yAt] = heapOffsets(backend, x, filter, y) as [number, number, number];
  // Pointers and geometry, then the ranges of images and of y's rows.
  const args: Parameters<typeof kernels.conv2d> = [
    xAt,
    wAt,
    yAt,
    ...convGeometry(info),
    0,
    batchSize,
    0,
    outHeight,
  ];
  runConv2d(kernels, backend, args, (size(y.shape) / outChannels) * size(filter.shape));
  return y;
}
