/**
 * Tile as block copies on the wasm heap.
 *
 * The batch-norm gradient of TensorFlow.js tiles per-channel statistics to the
 * full activation shape; tfjs-backend-wasm's Tile visits every output element
 * one by one (about half of a style-transfer step on Tiny-Darknet). Here each
 * input row is copied once and every repetition is made by doubling
 * `copyWithin`, i.e. memcpy.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeapArray, WasmHeapBackend } from './wasm-heap';

/**
 * out = x repeated `reps[i]` times along each axis i (row-major arrays;
 * `out` holds the product of `shape[i] * reps[i]` elements).
 */
export function tileInto(
  x: HeapArray,
  shape: readonly number[],
  reps: readonly number[],
  out: HeapArray,
): void {
  const rank = shape.length;
  if (reps.length !== rank) throw new Error(`tileInto: ${reps.length} repetitions for a rank-${rank} input`);
  if (rank === 0) {
    out[0] = x[0]!;
    return;
  }
  const inStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  inStride[rank - 1] = 1;
  outStride[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) {
    inStride[i] = inStride[i + 1]! * shape[i + 1]!;
    outStride[i] = outStride[i + 1]! * shape[i + 1]! * reps[i + 1]!;
  }
  // Copies out[at, at + length) to the next `times - 1` blocks after it, doubling each time.
  const repeat = (at: number, length: number, times: number) => {
    const total = length * times;
    for (let done = length; done < total;) {
      const n = Math.min(done, total - done);
      out.copyWithin(at + done, at, at + n);
      done += n;
    }
  };
  const fill = (axis: number, from: number, to: number) => {
    const rows = shape[axis]!;
    if (axis === rank - 1) {
      out.set(x.subarray(from, from + rows), to);
    } else {
      for (let j = 0; j < rows; j++) fill(axis + 1, from + j * inStride[axis]!, to + j * outStride[axis]!);
    }
    repeat(to, rows * outStride[axis]!, reps[axis]!);
  };
  if (shape.every((d) => d > 0) && reps.every((r) => r > 0)) fill(0, 0, 0);
}

/** Tile for the wasm backend on numeric tensors, computed in place on its heap. */
export function wasmTile({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  const { reps } = attrs as unknown as tf.TileAttrs;
  const heap = backend as unknown as WasmHeapBackend;
  const out = heap.makeOutput(
    x.shape.map((d, i) => d * reps[i]!),
    x.dtype,
  );
  tileInto(heap.typedArrayFromHeap(x), x.shape, reps, heap.typedArrayFromHeap(out));
  return out;
}
