/**
 * The ReLU and leaky-ReLU gradients as one pass over the wasm heap.
 *
 * TensorFlow.js builds them from element-wise ops: dy · step(x) (Step, Cast,
 * Multiply) and where(x > 0, dy, α·dy) (Greater, Multiply, Select), each a
 * full pass over an activation. On wasm one kernel reads dy and x once; the
 * results are the same bits, NaN and signed zeros included.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';

/** The kernels' names in the tfjs registry: inputs dy and x; LeakyRelu's has attribute alpha. */
export const RELU_GRAD = 'CourseReluGrad';
export const LEAKY_RELU_GRAD = 'CourseLeakyReluGrad';

// Both loops turn the comparison into a 0/1 number instead of branching on it: with
// activations of random sign a branch is mispredicted half the time (4x slower).

/** dx = dy · step(x): dy where x > 0, a zero of dy's sign where x ≤ 0, NaN where x is NaN. */
export function reluGradInto(dy: Float32Array, x: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < dx.length; i++) {
    const v = x[i]!;
    dx[i] = dy[i]! * (+(v > 0) + (v !== v ? NaN : 0));
  }
}

/** dx = dy where x > 0, else α·dy (in float32, as tfjs multiplies). */
export function leakyReluGradInto(dy: Float32Array, x: Float32Array, alpha: number, dx: Float32Array): void {
  const slope = Math.fround(alpha);
  // slope + (1 − slope) is exactly 1: both are float32 values held in doubles.
  const rise = 1 - slope;
  for (let i = 0; i < dx.length; i++) dx[i] = dy[i]! * (slope + rise * +(x[i]! > 0));
}

function heapKernel(compute: (dy: Float32Array, x: Float32Array, dx: Float32Array, attrs: tf.NamedAttrMap) => void): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    const heap = backend as unknown as WasmHeapBackend;
    const dx = heap.makeOutput([...x.shape], 'float32');
    // Views after the allocation: growing the heap replaces its buffer.
    const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t) as Float32Array;
    compute(view(dy), view(x), view(dx), attrs ?? {});
    return dx;
  };
}

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
 * Registers {@link RELU_GRAD} and {@link LEAKY_RELU_GRAD} on the wasm backend and
 * makes the Relu and LeakyRelu gradients use them there. Calling it again changes nothing.
 */
export function registerActivationGradients(backendName: 'wasm'): void {
  if (!tf.getKernel(RELU_GRAD, backendName)) {
    tf.registerKernel({ kernelName: RELU_GRAD, backendName, kernelFunc: heapKernel((dy, x, dx) => reluGradInto(dy, x, dx)) });
  }
  if (!tf.getKernel(LEAKY_RELU_GRAD, backendName)) {
    tf.registerKernel({
      kernelName: LEAKY_RELU_GRAD,
      backendName,
      kernelFunc: heapKernel((dy, x, dx, attrs) => leakyReluGradInto(dy, x, (attrs as unknown as tf.LeakyReluAttrs).alpha, dx)),
    });
  }
  fuseGradient('Relu', RELU_GRAD);
  fuseGradient('LeakyRelu', LEAKY_RELU_GRAD);
}
