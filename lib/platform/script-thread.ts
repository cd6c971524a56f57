/**
 * A second thread running a script of its own (the course kernels' worker,
 * lib/engine/kernels/kernel-worker). Node-only: the page replaces this module with one
 * that cannot start a thread (web/browser/script-thread.ts, listed in web/swaps.ts), and
 * the kernels then run every chunk on the page's thread.
 */
import { Worker } from 'node:worker_threads';

/** A started thread. */
export interface ScriptThread {
  /** Calls `listener` when the thread fails or ends (it may never). */
  onEnd(listener: () => void): void;
}

/**
 * Starts `source`, CommonJS that reads `data` as `require('node:worker_threads').workerData`,
 * on a thread that does not keep the process alive.
 */
export function startScriptThread(source: string, data: unknown): ScriptThread {
  const worker = new Worker(source, { eval: true, workerData: data });
  worker.unref();
  return {
    onEnd(listener) {
      worker.on('error', listener);
      worker.on('exit', listener);
    },
  };
}
