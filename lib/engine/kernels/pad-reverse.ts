/**
 * PadV2 and Reverse as run copies on the wasm heap.
 *
 * tfjs-backend-wasm computes each output element's source position alone in both:
 * padding one 32×32×3 image by 4 took about 125 µs of CPU and mirroring it 250 µs,
 * most of the cost of the per-image augmentations of notebook 06 (a random crop
 * of the padded image, a random mirror, for every image of every epoch). Here the
 * data moves in runs: the input's rows into the padded output, and, for a
 * reversal, runs of the axes after the last reversed one, in reversed order. The
 * values are copies, the same bits as the backend's.
 */
import * as tf from '@tensorflow/tfjs';
import { copyRows } from './slice';
import type { HeapArray, WasmHeapBackend } from './wasm-heap';

const stridesOf = (shape: readonly number[]) => {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  return strides;
};

/**
 * out (already filled with the constant) receives x at offset `before` on every axis.
 * Runs span the trailing axes that are not padded.
 */
export function padInto(
  x: HeapArray,
  shape: readonly number[],
  before: readonly number[],
  outShape: readonly number[],
  out: HeapArray,
): void {
  const rank = shape.length;
  const total = tf.util.sizeFromShape([...shape]);
  if (total === 0) return;
  let partial = rank - 1;
  while (partial > 0 && outShape[partial] === shape[partial]) partial--;
  const xStrides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  const run = shape[partial]! * xStrides[partial]!;
  let to = 0;
  for (let d = 0; d < rank; d++) to += before[d]! * outStrides[d]!;
  const index = new Array<number>(partial).fill(0);
  for (let from = 0; from < total; from += run) {
    copyRows(x, from, 0, out, to, 0, 1, run);
    for (let d = partial - 1; d >= 0; d--) {
      to += outStrides[d]!;
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
      to -= shape[d]! * outStrides[d]!;
    }
  }
}

/** out = x with the order of the elements reversed along each axis in `axes`. */
export function reverseInto(
  x: HeapArray,
  shape: readonly number[],
  axes: readonly number[],
  out: HeapArray,
): void {
  const total = tf.util.sizeFromShape([...shape]);
  if (total === 0) return;
  const last = Math.max(...axes);
  const strides = stridesOf(shape);
  // Runs: the elements after the last reversed axis keep their order.
  const run = strides[last]!;
  const reversed = shape.map((_, d) => axes.includes(d));
  // Where out's first run comes from: the far end of every reversed axis.
  let from = 0;
  for (let d = 0; d <= last; d++) if (reversed[d]) from += (shape[d]! - 1) * strides[d]!;
  const step = strides.map((s, d) => (reversed[d] ? -s : s));
  const index = new Array<number>(last + 1).fill(0);
  for (let to = 0; to < total; to += run) {
    copyRows(x, from, 0, out, to, 0, 1, run);
    for (let d = last; d >= 0; d--) {
      from += step[d]!;
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
      from -= shape[d]! * step[d]!;
    }
  }
}

const isNumeric = (x: tf.TensorInfo) => x.dtype !== 'string' && x.dtype !== 'complex64';

/** PadV2 for numeric tensors: the output filled with the constant, then the input's runs. */
export const padKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!isNumeric(x) || x.shape.length === 0) return inner(args);
    const { paddings, constantValue } = args.attrs as unknown as tf.PadV2Attrs;
    const outShape = paddings.map(([b, a], d) => b + x.shape[d]! + a);
    const heap = args.backend as WasmHeapBackend;
    const out = heap.makeOutput(outShape, x.dtype);
    // Views after the allocation: growing the heap replaces its buffer.
    const target = heap.typedArrayFromHeap(out);
    target.fill(constantValue);
    padInto(
      heap.typedArrayFromHeap(x),
      x.shape,
      paddings.map(([b]) => b),
      outShape,
      target,
    );
    return out;
  };

/** Reverse for numeric tensors of rank 1 or more. */
export const reverseKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!isNumeric(x) || x.shape.length === 0) return inner(args);
    const { dims } = args.attrs as unknown as tf.ReverseAttrs;
    const axes = tf.util.parseAxisParam(dims, x.shape);
    const heap = args.backend as WasmHeapBackend;
    const out = heap.makeOutput([...x.shape], x.dtype);
    if (axes.length === 0) {
      heap.typedArrayFromHeap(out).set(heap.typedArrayFromHeap(x));
      return out;
    }
    reverseInto(heap.typedArrayFromHeap(x), x.shape, axes, heap.typedArrayFromHeap(out));
    return out;
  };
