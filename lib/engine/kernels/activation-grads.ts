/**
 * The ReLU and leaky-ReLU gradients as one pass over the wasm heap each.
 *
 * TensorFlow.js builds the leaky one as where(x > 0, dy, α·dy): Greater,
 * Multiply and Select, each a full pass over an activation, Select a slow one
 * on wasm (Tiny-Darknet's and YOLO's activations: 24 ms of a 300 ms
 * style-transfer step); and the ReLU gradient as dy · step(x), two passes. One
 * kernel reads dy and x once, in the course's WebAssembly SIMD
 * (lib/engine/kernels/wasm/relu-grad.c), or in JavaScript where that module cannot
 * load; the results are the same bits as tfjs's ops.
 */
import * as tf from '@tensorflow/tfjs';
import { type CourseWasmKernels, writeHeapOutput } from './course-wasm';

/** The kernel's name in the tfjs registry: inputs dy and x, attribute alpha. */
export const LEAKY_RELU_GRAD = 'CourseLeakyReluGrad';

/** The kernel's name in the tfjs registry: inputs dy and x. */
export const RELU_GRAD = 'CourseReluGrad';

// The comparison becomes a 0/1 number instead of a branch: with activations of
// random sign a branch is mispredicted half the time (3x slower).

/** dx = dy where x > 0, else α·dy (in float32, as tfjs multiplies). */
export function leakyReluGradInto(dy: Float32Array, x: Float32Array, alpha: number, dx: Float32Array): void {
  const slope = Math.fround(alpha);
  // slope + (1 − slope) is exactly 1: both are float32 values held in doubles.
  const rise = 1 - slope;
  for (let i = 0; i < dx.length; i++) dx[i] = dy[i]! * (slope + rise * +(x[i]! > 0));
}

/** dx = dy · step(x): dy where x > 0, NaN where x is NaN, else dy · 0 (float32, as tfjs multiplies). */
export function reluGradInto(dy: Float32Array, x: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < dx.length; i++) {
    const xi = x[i]!;
    dx[i] = dy[i]! * (xi !== xi ? xi : +(xi > 0));
  }
}

/**
 * A wasm kernel of inputs dy and x: dx by the SIMD function where the course's
 * module loads, else by the JavaScript loop on heap views.
 */
function heapGradient(
  simd: (k: CourseWasmKernels, dy: number, x: number, dx: number, n: number, attrs: tf.NamedAttrMap) => void,
  js: (dy: Float32Array, x: Float32Array, dx: Float32Array, attrs: tf.NamedAttrMap) => void,
): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    return writeHeapOutput(
      backend,
      x.shape,
      [dy, x],
      (kernels, [dyAt, xAt, dxAt], size) => simd(kernels, dyAt!, xAt!, dxAt!, size, attrs ?? {}),
      ([dys, xs], dx) => js(dys!, xs!, dx, attrs ?? {}),
    );
  };
}

const alphaOf = (attrs: tf.NamedAttrMap) => (attrs as unknown as tf.LeakyReluAttrs).alpha;

const wasmLeakyReluGrad = heapGradient(
  (k, dy, x, dx, n, attrs) => k.leaky_relu_grad(dy, x, dx, n, Math.fround(alphaOf(attrs))),
  (dy, x, dx, attrs) => leakyReluGradInto(dy, x, alphaOf(attrs), dx),
);

const wasmReluGrad = heapGradient(
  (k, dy, x, dx, n) => k.relu_grad(dy, x, dx, n),
  (dy, x, dx) => reluGradInto(dy, x, dx),
);

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
      if (
        !x ||
        x.dtype !== 'float32' ||
        single.dtype !== 'float32' ||
        !tf.getKernel(fusedKernel, tf.getBackend())
      ) {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(fusedKernel, { dy: single, x }, attrs) as tf.Tensor };
    },
  };
  (config as unknown as Record<symbol, boolean>)[FUSED] = true;
  tf.registerGradient(config);
}

/**
 * Registers {@link LEAKY_RELU_GRAD} and {@link RELU_GRAD} on the wasm backend
 * and makes the LeakyRelu and Relu gradients use them there. Calling it again
 * changes nothing.
 */
export function registerActivationGradients(backendName: 'wasm'): void {
  if (!tf.getKernel(LEAKY_RELU_GRAD, backendName))
    tf.registerKernel({ kernelName: LEAKY_RELU_GRAD, backendName, kernelFunc: wasmLeakyReluGrad });
  if (!tf.getKernel(RELU_GRAD, backendName))
    tf.registerKernel({ kernelName: RELU_GRAD, backendName, kernelFunc: wasmReluGrad });
  fuseGradient('LeakyRelu', LEAKY_RELU_GRAD);
  fuseGradient('Relu', RELU_GRAD);
}
