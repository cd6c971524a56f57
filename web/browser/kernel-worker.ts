/**
 * Browser stand-in for lib/kernels/kernel-worker (Node's worker_threads): no second
 * thread for the course's split kernels yet, so they run whole on the page's thread
 * (course-wasm falls back to that when starting a worker throws). tfjs's own threaded
 * wasm build still uses its Web Workers for XNNPACK when the page is cross-origin isolated.
 */
export type { KernelWorker, SharedRange, Shares } from '../../lib/kernels/kernel-worker';
import type { KernelWorker } from '../../lib/kernels/kernel-worker';

/** Multiply-adds from which a kernel would split its work (same figure as in Node). */
export const SPLIT_WORK_THRESHOLD = 10_000_000;

/** Whether a kernel of this size would split its work between two threads. */
export const splitWorth = (multiplyAdds: number): boolean => multiplyAdds >= SPLIT_WORK_THRESHOLD;

/** Always throws: the page has no kernel worker; the caller runs the kernel on one thread. */
export function startKernelWorker(): KernelWorker {
  throw new Error('the page starts no kernel worker: the course kernels run on the page thread');
}
