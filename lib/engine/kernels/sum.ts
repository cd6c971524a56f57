/**
 * Sums over leading axes (bias gradients) as one pass over the wasm heap.
 *
 * tfjs-backend-wasm's Sum first transposes the reduced axes to the end, a
 * scattered copy of the whole tensor (60-90 ms for one VGG activation
 * gradient). Summing the rows of the [rows, cols] view needs a single pass.
 */
import * as tf from '@tensorflow/tfjs';
import { courseKernelsOn, heapOffsets } from './course-wasm';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * out[c] = Σ_r x[r·cols + c], accumulated in float64 (then rounded once).
 */
export function sumRowsInto(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const acc = new Float64Array(cols);
  for (let r = 0, at = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, at++) acc[c]! += x[at]!;
  }
  out.set(acc);
}

/**
 * Sum over the first `leading` axes of a float32 tensor on the wasm backend;
 * the kept axes keep their order (as size-1 axes in front when `keepDims`).
 */
export function wasmSumLeading(
  x: tf.TensorInfo,
  leading: number,
  keepDims: boolean,
  backend: unknown,
): tf.TensorInfo {
  const rows = tf.util.sizeFromShape(x.shape.slice(0, leading));
  const kept = x.shape.slice(leading);
  const heap = backend as WasmHeapBackend;
  const out = heap.makeOutput(
    keepDims ? [...x.shape.slice(0, leading).map(() => 1), ...kept] : kept,
    'float32',
  );
  const kernels = courseKernelsOn(backend);
  if (kernels) {
    // The same sums in SIMD (lib/engine/kernels/wasm/sum-rows.c): float64, row after row, same bits.
    const [from, to] = heapOffsets(backend, x, out) as [number, number];
    kernels.sum_rows(from, to, rows, tf.util.sizeFromShape(kept));
    return out;
  }
  sumRowsInto(
    heap.typedArrayFromHeap(x) as Float32Array,
    rows,
    tf.util.sizeFromShape(kept),
    heap.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
}
