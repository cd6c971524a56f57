/**
 * The one entry that puts the course's kernels on a backend: the training
 * kernels the backend lacks or runs slowly (kernels/registry), the fused Adam
 * step, the activation and batch-norm gradients, linear convolutions under a
 * tape as Conv2D, and the thread count the kernels may use, decided once when
 * the backend starts (lib/engine/backend).
 */
import * as tf from '@tensorflow/tfjs';
import { registerActivationGradients } from './kernels/activation-grads';
import { registerFusedAdam } from './kernels/adam';
import { registerBatchNormGradient } from './kernels/batch-norm';
import { setCourseKernelThreads } from './kernels/course-wasm';
import { registerTrainingKernels } from './kernels/registry';
import { routeLinearConvUnderTape } from './linear-conv-routing';

/** The backends the course has kernels for. */
export type CourseKernelBackend = 'wasm';

/** What the backend start passes down to the kernels. */
export interface CourseKernelOptions {
  /** The backend's thread count (1: the course's kernels run on the calling thread only). */
  threads: number;
}

/**
 * Registers the course's kernels on `backendName` before it starts (a kernel's
 * setup runs then). Calling it again changes nothing but the thread count.
 *
 * @returns the names of the kernels registered or wrapped by the registry in this call.
 */
export function registerCourseKernels(
  backendName: CourseKernelBackend,
  options: CourseKernelOptions,
): string[] {
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new Error(`registerCourseKernels: threads must be a whole number ≥ 1, got ${options.threads}`);
  }
  setCourseKernelThreads(options.threads);
  const names = registerTrainingKernels(backendName);
  registerFusedAdam(backendName);
  registerActivationGradients(backendName);
  registerBatchNormGradient(backendName);
  // Under a tape, linear convolutions as Conv2D: only the gradients asked for, the course's kernel.
  routeLinearConvUnderTape(() => tf.getBackend() === backendName);
  return names;
}
