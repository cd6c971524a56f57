/**
 * The leaky-ReLU gradient as one pass over the wasm heap.
 *
 * TensorFlow.js builds it as where(x > 0, dy, α·dy): Greater, Multiply and
 * Select, each a full pass over an activation, Select a slow one on wasm
 * (Tiny-Darknet's and YOLO's activations: 24 ms of a 300 ms style-transfer
 * step). One kernel reads dy and x once; the results are the same bits.
 * (The ReLU gradient, dy · step(x), was tried the same way and is slower in
 * JavaScript than the backend's two vectorised passes: it is left to tfjs.)
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';

/** The kernel's name in the tfjs registry: inputs dy and x, attribute alpha. */
export const LEAKY_RELU_GRAD = 'CourseLeakyReluGrad';

// The comparison becomes a 0/1 number instead of a branch: with activations of
// random sign a branch is mispredicted half the time (3x slower).

/** dx = dy where x > 0, else α·dy (in float32, as tfjs multiplies). */
export function leakyReluGradInto(dy: Float32Array, x: Float32Array, alpha: number, dx: Float32Array): void {
  const slope = Math.fround(alpha);
  // slope + (1 − slope) is exactly 1: both are float32 values held in doubles.
  const rise = 1 - slope;
  for (let i = 0; i < dx.length; i++) dx[i] = dy[i]! * (slope + rise * +(x[i]! > 0));
}

/** The wasm kernel: inputs dy and x, attribute alpha; dx as {@link leakyReluGradInto}. */
const wasmLeakyReluGrad: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const heap = backend as unknown as WasmHeapBackend;
  const dx = heap.makeOutput([...x.shape], 'float32');
  // Views after the allocation: growing the heap replaces its buffer.
  const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t) as Float32Array;
  leakyReluGradInto(view(dy), view(x), (attrs as unknown as tf.LeakyReluAttrs).alpha, view(dx));
  return dx;
};

const FUSED = Symbol.for('course.fusedActivationGradient');

/**
 * Replaces the gradient of `kernelName` by one that runs `fusedKernel` when the
 * current backend has it and both tensors are float32, else tfjs's own.
 */
function fuseGradient(kernelName: string, fusedKernel: string): void {
  const original = tf.getGradient(kernelName);
  if (!original || (original as unknown as Record<symbol, boolean>)[FUSED]) return;
  const config: tf.GradConfig = {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      const single = dy as tf.Tensor;
      if (!x || x.dtype !== 'float32' || single.dtype !== 'float32' || !tf.getKernel(fusedKernel, tf.getBackend())) {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(fusedKernel, { dy: single, x }, attrs) as tf.Tensor };
    },
  };
  (config as unknown as Record<symbol, boolean>)[FUSED] = true;
  tf.registerGradient(config);
}

/**
 * Registers {@link LEAKY_RELU_GRAD} on the wasm backend and makes the LeakyRelu
 * gradient use it there. Calling it again changes nothing.
 */
export function registerActivationGradients(backendName: 'wasm'): void {
  if (!tf.getKernel(LEAKY_RELU_GRAD, backendName)) tf.registerKernel({ kernelName: LEAKY_RELU_GRAD, backendName, kernelFunc: wasmLeakyReluGrad });
  fuseGradient('LeakyRelu', LEAKY_RELU_GRAD);
}
