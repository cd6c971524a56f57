/**
 * Concat as copies between views of the wasm heap, with short runs copied in a loop.
 *
 * tfjs-backend-wasm's Concat copies each input's run of every outer row with a
 * subarray view and `set`: joining two [8, 128, 128, 16] activations along
 * channels makes 262,144 such calls of 16 elements (12 ms, where adding the
 * two takes 1 ms). U-Net skip connections and Inception modules concatenate
 * along channels at every level.
 */
import * as tf from '@tensorflow/tfjs';
import { copyRows } from './slice';
import type { HeapArray, WasmHeapBackend } from './wasm-heap';

/**
 * out = the inputs joined along an axis, given as [rows, width_i] views: row r
 * of the output is row r of each input in turn.
 */
export function concatRowsInto(
  inputs: Array<{ values: HeapArray; width: number }>,
  rows: number,
  out: HeapArray,
): void {
  const outWidth = inputs.reduce((sum, input) => sum + input.width, 0);
  let column = 0;
  for (const { values, width } of inputs) {
    copyRows(values, 0, width, out, column, outWidth, rows, width);
    column += width;
  }
}

/** Concat for the wasm backend on numeric tensors. */
export const concatKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const dtype = inputs[0]?.dtype;
    if (
      dtype === undefined ||
      dtype === 'string' ||
      dtype === 'complex64' ||
      inputs.some((t) => t.dtype !== dtype)
    )
      return inner(args);
    const axis = tf.util.parseAxisParam((args.attrs as unknown as tf.ConcatAttrs).axis, inputs[0]!.shape)[0]!;
    const shapes = inputs.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape = tf.backend_util.computeOutShape(shapes, axis);
    const heap = args.backend as unknown as WasmHeapBackend;
    const out = heap.makeOutput(outShape, dtype);
    const rows = tf.util.sizeFromShape(outShape.slice(0, axis));
    const parts = inputs
      .filter((t) => tf.util.sizeFromShape(t.shape) > 0)
      // Views after the allocation: growing the heap replaces its buffer.
      .map((t) => ({
        values: heap.typedArrayFromHeap(t),
        width: tf.util.sizeFromShape(t.shape.slice(axis)),
      }));
    if (tf.util.sizeFromShape(outShape) > 0) concatRowsInto(parts, rows, heap.typedArrayFromHeap(out));
    return out;
  };
