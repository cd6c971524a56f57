/**
 * MaxPool3D and its gradient as passes over the wasm heap.
 *
 * tfjs-backend-wasm 4.22 starts each window's maximum at the smallest positive float
 * (FLT_MIN, 1.2e-38) instead of -Infinity: a window whose values are all negative
 * pools to 1.2e-38, and its gradient goes nowhere. These kernels follow the cpu
 * backend: NaN never wins, the forward pass takes the largest value of the window's
 * taps inside the volume, and the gradient goes to the window's LAST largest tap
 * (depth, row, column order), summed over windows in output order.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeapArray, WasmHeapBackend } from './wasm-heap';

/** The pooling geometry, as `backend_util.computePool3DInfo` gives it. */
type Pool3DInfo = tf.backend_util.Conv3DInfo;

/** The first and one-past-last input index a window starting at `corner` reads (dilation 1). */
const tapRange = (corner: number, filter: number, size: number): [number, number] => [
  Math.max(0, corner),
  Math.min(size, corner + filter),
];

/**
 * Visits every window of a 3D pool (NDHWC): `visit(window, taps)` gets the window's index in
 * the output (without channels) and the heap offsets (without channel) of its taps inside the
 * volume, in depth, row, column order.
 */
function forEachWindow(info: Pool3DInfo, visit: (window: number, taps: readonly number[]) => void): void {
  const { batchSize, inDepth, inHeight, inWidth, inChannels: channels } = info;
  const { outDepth, outHeight, outWidth, strideDepth, strideHeight, strideWidth } = info;
  const { filterDepth, filterHeight, filterWidth } = info;
  const { front, top, left } = info.padInfo;
  const rowStride = inWidth * channels;
  const depthStride = inHeight * rowStride;
  const taps: number[] = [];
  let window = 0;
  for (let b = 0; b < batchSize; b++) {
    const volume = b * inDepth * depthStride;
    for (let od = 0; od < outDepth; od++) {
      const [d0, d1] = tapRange(od * strideDepth - front, filterDepth, inDepth);
      for (let oh = 0; oh < outHeight; oh++) {
        const [h0, h1] = tapRange(oh * strideHeight - top, filterHeight, inHeight);
        for (let ow = 0; ow < outWidth; ow++, window++) {
          const [w0, w1] = tapRange(ow * strideWidth - left, filterWidth, inWidth);
          taps.length = 0;
          for (let d = d0; d < d1; d++)
            for (let h = h0; h < h1; h++)
              for (let w = w0; w < w1; w++)
                taps.push(volume + d * depthStride + h * rowStride + w * channels);
          visit(window, taps);
        }
      }
    }
  }
}

/** out[window, c] = the largest non-NaN x over the window's taps (-Infinity when there is none). */
export function maxPool3dInto(x: HeapArray, out: HeapArray, info: Pool3DInfo): void {
  const channels = info.inChannels;
  forEachWindow(info, (window, taps) => {
    const base = window * channels;
    for (let c = 0; c < channels; c++) {
      let best = -Infinity;
      for (const tap of taps) {
        const v = x[tap + c]!;
        if (v > best) best = v;
      }
      out[base + c] = best;
    }
  });
}

/**
 * dx = the gradient of a 3D max pool: each window's dy is added to its last largest tap
 * (`>=`, so -Infinity can win but NaN cannot); `dx` is overwritten.
 */
export function maxPool3dGradInto(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: Pool3DInfo,
): void {
  const channels = info.inChannels;
  // Sums in double precision, rounded once, as the cpu kernel does.
  const sums = new Float64Array(dx.length);
  forEachWindow(info, (window, taps) => {
    const base = window * channels;
    for (let c = 0; c < channels; c++) {
      let best = -Infinity;
      let at = -1;
      for (const tap of taps) {
        const v = x[tap + c]!;
        if (v >= best) {
          best = v;
          at = tap + c;
        }
      }
      if (at >= 0) sums[at]! += dy[base + c]!;
    }
  });
  dx.set(sums);
}

const pool3dInfo = (shape: number[], attrs: tf.MaxPool3DAttrs | tf.MaxPool3DGradAttrs) =>
  tf.backend_util.computePool3DInfo(
    shape as [number, number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );

/** MaxPool3D (NDHWC, float32 or int32 input, float32 output) on the heap; other inputs go to the backend's kernel. */
export const maxPool3dKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.MaxPool3DAttrs;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || (attrs.dataFormat ?? 'NDHWC') !== 'NDHWC')
      return inner(args);
    const info = pool3dInfo(x.shape, attrs);
    const heap = args.backend as WasmHeapBackend;
    // float32 for int32 input too, as on cpu (exact below 2^24).
    const out = heap.makeOutput(info.outShape, 'float32');
    // Views after the allocation: growing the heap replaces its buffer.
    maxPool3dInto(heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(out), info);
    return out;
  };

/** MaxPool3DGrad for float32 input on the heap; other inputs go to the backend's kernel. */
export const maxPool3dGradKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    if (input.dtype !== 'float32' || dy.dtype !== 'float32') return inner(args);
    const info = pool3dInfo(input.shape, args.attrs as unknown as tf.MaxPool3DGradAttrs);
    const heap = args.backend as WasmHeapBackend;
    const dx = heap.makeOutput([...input.shape], 'float32');
    maxPool3dGradInto(
      heap.typedArrayFromHeap(input) as Float32Array,
      heap.typedArrayFromHeap(dy) as Float32Array,
      heap.typedArrayFromHeap(dx) as Float32Array,
      info,
    );
    return dx;
  };
