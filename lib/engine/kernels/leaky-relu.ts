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
import { writeHeapOutput } from './course-wasm';

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
    return writeHeapOutput(
      args.backend,
      x.shape,
      [x],
      (kernels, [xAt, yAt], size) => kernels.leaky_relu(xAt!, yAt!, size, alpha),
      ([xs], y) => leakyReluInto(xs!, alpha, y),
    );
  };
