/**
 * Slices as copies between views of the wasm heap.
 *
 * tfjs-backend-wasm's Slice first reads the whole input out of the heap into a
 * fresh array (`readSync` copies), then copies the slice out of that: a 1-row
 * slice of a 32 MB tensor costs as much as copying all of it (about 100 ms
 * here). SplitV, Unpack and StridedSlice call that same function once per
 * output, so splitting a U-Net's concatenated gradient in two copied it twice
 * and unstacking a batch of 64 images copied it 64 times.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeapArray, WasmHeapBackend } from './wasm-heap';

type NumericInfo = tf.TensorInfo & { dtype: 'float32' | 'int32' | 'bool' };

/** Below this many elements a loop copies faster than a subarray view and `set`. */
const SHORT_RUN = 64;

/**
 * Copies `rows` runs of `width` elements: run r from x[from + r·fromStride] to
 * out[to + r·toStride]. Short runs are copied in an unrolled loop (a view and
 * `set` per run costs more than the copy itself).
 */
export function copyRows(
  x: HeapArray,
  from: number,
  fromStride: number,
  out: HeapArray,
  to: number,
  toStride: number,
  rows: number,
  width: number,
): void {
  if (width >= SHORT_RUN) {
    for (let r = 0; r < rows; r++, from += fromStride, to += toStride)
      out.set(x.subarray(from, from + width), to);
    return;
  }
  for (let r = 0; r < rows; r++, from += fromStride, to += toStride) {
    let i = 0;
    for (; i + 3 < width; i += 4) {
      out[to + i] = x[from + i]!;
      out[to + i + 1] = x[from + i + 1]!;
      out[to + i + 2] = x[from + i + 2]!;
      out[to + i + 3] = x[from + i + 3]!;
    }
    for (; i < width; i++) out[to + i] = x[from + i]!;
  }
}

/**
 * out = x[begin[0] : begin[0] + size[0], …] for a row-major array of `shape`;
 * `out` holds the product of `size`. Copies runs as long as the trailing axes
 * the slice takes whole allow.
 */
export function sliceInto(
  x: HeapArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: HeapArray,
): void {
  const rank = shape.length;
  if (begin.length !== rank || size.length !== rank)
    throw new Error(`sliceInto: begin and size need ${rank} entries for shape [${shape}]`);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return;
  if (rank === 0) {
    out[0] = x[0]!;
    return;
  }
  // The last axis the slice does not take whole: runs span it and every axis after it.
  let partial = rank - 1;
  while (partial > 0 && begin[partial] === 0 && size[partial] === shape[partial]) partial--;
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  const run = size[partial]! * strides[partial]!;
  let from = 0;
  for (let d = 0; d <= partial; d++) from += begin[d]! * strides[d]!;
  // The axis before `partial` gives rows of runs (one strided copy); an odometer
  // over the axes before it moves `from`.
  const rowAxis = partial - 1;
  const rows = rowAxis >= 0 ? size[rowAxis]! : 1;
  const rowStride = rowAxis >= 0 ? strides[rowAxis]! : 0;
  const index = new Array<number>(Math.max(rowAxis, 0)).fill(0);
  for (let to = 0; to < total; to += rows * run) {
    copyRows(x, from, rowStride, out, to, run, rows, run);
    for (let d = rowAxis - 1; d >= 0; d--) {
      from += strides[d]!;
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
      from -= size[d]! * strides[d]!;
    }
  }
}

/** One slice of a numeric tensor, copied on the heap without reading the whole input out. */
export function wasmSlice(
  x: NumericInfo,
  begin: readonly number[],
  size: readonly number[],
  backend: unknown,
): tf.TensorInfo {
  const heap = backend as WasmHeapBackend;
  const out = heap.makeOutput([...size], x.dtype);
  // Views after the allocation: growing the heap replaces its buffer.
  sliceInto(heap.typedArrayFromHeap(x), x.shape, begin, size, heap.typedArrayFromHeap(out));
  return out;
}

const isNumeric = (x: tf.TensorInfo): x is NumericInfo => x.dtype !== 'string' && x.dtype !== 'complex64';

/** Slice: as the backend's, for numeric tensors. */
export const sliceKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!isNumeric(x)) return inner(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    tf.slice_util.assertParamsValid(x as tf.Tensor, begin_, size_);
    return wasmSlice(x, begin_, size_, args.backend);
  };

/** SplitV: one heap slice per part. */
export const splitVKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!isNumeric(x)) return inner(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const at = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, at);
    const begin = x.shape.map(() => 0);
    return sizes.map((part) => {
      const size = [...x.shape];
      size[at] = part;
      const out = wasmSlice(x, begin, size, args.backend);
      begin[at]! += part;
      return out;
    });
  };

/** Unpack (unstack): one heap slice per output, the unpacked axis dropped from its shape. */
export const unpackKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    if (!isNumeric(value)) return inner(args);
    const rank = value.shape.length;
    const axis = tf.util.parseAxisParam((args.attrs as unknown as tf.UnpackAttrs).axis, value.shape)[0]!;
    const outShape = value.shape.filter((_, d) => d !== axis);
    const size = [...value.shape];
    size[axis] = 1;
    return Array.from({ length: value.shape[axis]! }, (_, i) => {
      const begin = new Array<number>(rank).fill(0);
      begin[axis] = i;
      const { dataId, dtype } = wasmSlice(value, begin, size, args.backend);
      return { dataId, dtype, shape: outShape };
    });
  };

/** StridedSlice: where it is a plain slice (every stride 1), a heap slice with the op's final shape. */
export const stridedSliceKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!isNumeric(x)) return inner(args);
    const a = args.attrs as unknown as tf.StridedSliceAttrs;
    const info = tf.slice_util.sliceInfo(
      x.shape,
      a.begin,
      a.end,
      a.strides,
      a.beginMask,
      a.endMask,
      a.ellipsisMask,
      a.newAxisMask,
      a.shrinkAxisMask,
    );
    if (info.isIdentity || !(info.sliceDim0 || info.isSimpleSlice)) return inner(args);
    const size = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
    if (size.some((d) => d < 0)) return inner(args); // an empty range written backwards: the backend's reading
    const { dataId, dtype } = wasmSlice(x, info.begin, size, args.backend);
    return { dataId, dtype, shape: info.finalShape };
  };
