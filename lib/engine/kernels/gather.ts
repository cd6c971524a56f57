/**
 * GatherV2 as copies of whole slices on the wasm heap.
 *
 * tfjs-layers' `fit` picks every batch with a gather along the first axis (the
 * shuffled rows of the training set). tfjs-backend-wasm's Gather computes the
 * input position of each output element separately: about 7 ms of CPU for 32
 * images of 32×32×3, a fifth of a small CNN's training step. Each picked slice
 * is one contiguous run of the input, so a copy per index does the same work at
 * memcpy speed, with the same values bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { copyRows } from './slice';
import type { HeapArray, WasmHeapBackend } from './wasm-heap';

/**
 * out[o, j, s] = x[o, indices[j], s], where o runs over the axes before `axis` (`outer`
 * of them), j over the indices and s over the `inner` elements after `axis`.
 */
export function gatherInto(
  x: HeapArray,
  axisSize: number,
  inner: number,
  outer: number,
  indices: ArrayLike<number>,
  out: HeapArray,
): void {
  const count = indices.length;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < count; j++)
      copyRows(x, (o * axisSize + indices[j]!) * inner, 0, out, (o * count + j) * inner, 0, 1, inner);
}

/** GatherV2 for numeric tensors without batch dimensions; anything else goes to the backend's own. */
export const gatherKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    if (x.dtype === 'string' || x.dtype === 'complex64' || (batchDims ?? 0) !== 0) return inner(args);
    const heap = args.backend as WasmHeapBackend & { readSync(dataId: tf.DataId): ArrayLike<number> };
    const at = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const axisSize = x.shape[at]!;
    // The same check, and the same message, as the backend's own kernel.
    const picked = heap.readSync(indices.dataId);
    for (let i = 0; i < picked.length; i++) {
      const index = picked[i]!;
      tf.util.assert(
        index <= axisSize - 1 && index >= 0,
        () => `GatherV2: the index value ${index} is not in [0, ${axisSize - 1}]`,
      );
    }
    const outShape = [...x.shape.slice(0, at), ...indices.shape, ...x.shape.slice(at + 1)];
    const out = heap.makeOutput(outShape, x.dtype);
    if (tf.util.sizeFromShape(outShape) === 0) return out;
    const outer = tf.util.sizeFromShape(x.shape.slice(0, at));
    const innerSize = tf.util.sizeFromShape(x.shape.slice(at + 1));
    // Views after the allocation: growing the heap replaces its buffer.
    gatherInto(heap.typedArrayFromHeap(x), axisSize, innerSize, outer, picked, heap.typedArrayFromHeap(out));
    return out;
  };
