/**
 * The leaky ReLU on the wasm backend as the cpu backend computes it.
 *
 * The wasm backend's LeakyRelu takes about 6 ns an element (its Relu: 0.25)
 * and multiplies in float32: about a fifth of its negative outputs differ from
 * the cpu backend's in the last bit. The course's runs α·x in double, rounded to
 * float32, as the cpu backend does (lib/engine/kernels/wasm/leaky-relu.c, or
 * JavaScript where that module cannot load).
 */
import * as tf from '@tensorflow/tfjs';
import { courseKernelsOn, heapOffsets } from './course-wasm';
import type { WasmHeapBackend } from './wasm-heap';

/** y = x < 0 ? α·x : x, the product in double (α as given) rounded to float32 by the store. */
export function leakyReluInto(x: Float32Array, alpha: number, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) {
    const v = x[i]!;
    y[i] = v < 0 ? alpha * v : v;
  }
}

/**
 * The wasm backend's LeakyRelu replaced for float32 inputs (int32 ones, which
 * it turns into float32, stay with `inner`, the backend's own kernel).
 */
export const leakyReluKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return inner(args);
    const { alpha } = args.attrs as unknown as tf.LeakyReluAttrs;
    const heap = args.backend as unknown as WasmHeapBackend;
    const y = heap.makeOutput([...x.shape], 'float32');
    const size = tf.util.sizeFromShape(x.shape);
    if (size === 0) return y;
    const kernels = courseKernelsOn(args.backend);
    if (kernels) {
      const [xAt, yAt] = heapOffsets(args.backend, x, y) as [number, number];
      kernels.leaky_relu(xAt, yAt, size, alpha);
      return y;
    }
    // Views after the allocation: growing the heap replaces its buffer.
    const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t) as Float32Array;
    leakyReluInto(view(x), alpha, view(y));
    return y;
  };
