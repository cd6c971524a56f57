/**
 * A second thread for the course's WebAssembly kernels.
 *
 * The threaded wasm backend keeps its heap in a shared memory. A worker thread
 * instantiates the course's module on that same memory and waits on a small
 * shared control block; the main thread hands it one part of a kernel (a
 * function name and integer arguments: pointers and sizes), runs the other part
 * itself, and waits for the worker's part to finish. No data is copied: both
 * threads read the same tensors and write different parts of the output (or
 * different buffers that the caller adds).
 *
 * Handing over costs an atomic store and a wake-up of the worker, and the
 * halves of the data move between the cores' caches, so callers split only
 * kernels of ten million multiply-adds and more. The worker's copy of the code
 * warms up on its own: its first few dozen parts run slower.
 */
import { Worker } from 'node:worker_threads';

/**
 * Multiply-adds from which a kernel is split over two threads (about 0.5 ms of
 * one thread's work). At 2M, LeNet-5's dense-layer products were split too and
 * its training ran ~10% slower than with none split; at 10M only its
 * convolution gradients are, ~8% faster (medians of 4 runs, bench/RESULTS.md).
 */
export const SPLIT_WORK_THRESHOLD = 10_000_000;

/** Whether a kernel of `multiplyAdds` is worth handing half of to the worker. */
export const splitWorth = (multiplyAdds: number): boolean => multiplyAdds >= SPLIT_WORK_THRESHOLD;

// Control block (Int32 slots).
const JOB = 0; // sequence number of the last job handed over
const DONE = 1; // sequence number of the last job finished
const READY = 2; // 1 once the worker has instantiated the module
const FAILED = 3; // 1 when the last job threw
const FUNCTION = 4; // index into the worker's function names
const COUNT = 5; // number of arguments
const ARGS = 6; // the arguments
const MAX_ARGS = 26;

// The worker: plain JavaScript (evaluated as CommonJS), no imports but worker_threads.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, names } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(control);
Atomics.store(ctl, ${READY}, 1);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${JOB}, seen);
  seen = Atomics.load(ctl, ${JOB});
  try {
    const args = Array.from(ctl.subarray(${ARGS}, ${ARGS} + ctl[${COUNT}]));
    exports[names[ctl[${FUNCTION}]]](...args);
    ctl[${FAILED}] = 0;
  } catch (error) {
    ctl[${FAILED}] = 1;
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

/** A worker that runs the course's kernels on a shared memory. */
export interface KernelWorker {
  /** Whether the worker has started (until then {@link split} runs both parts here). */
  readonly ready: boolean;
  /** Parts run on the worker so far. */
  readonly jobs: number;
  /**
   * Runs `name(...workerArgs)` on the worker while `mainPart` runs here, and
   * returns when both are done. Runs both parts here, one after the other,
   * while the worker is still starting, or when it could not start.
   *
   * @throws Error when the worker's part failed (a trap in the kernel).
   */
  split(name: string, workerArgs: number[], mainPart: () => void): void;
}

/**
 * Starts a worker on `memory` (a shared WebAssembly memory) with the compiled
 * module `module` whose functions `names` it may run. The worker does not keep
 * the process alive.
 */
export function startKernelWorker(module: object, memory: object, names: readonly string[], runHere: (name: string, args: number[]) => void): KernelWorker {
  const control = new SharedArrayBuffer(4 * (ARGS + MAX_ARGS));
  const ctl = new Int32Array(control);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, names } });
  worker.unref();
  // A worker that fails to start (or dies) leaves every part to this thread, and no
  // unhandled 'error' event to end the process.
  let dead = false;
  worker.on('error', () => {
    dead = true;
  });
  worker.on('exit', () => {
    dead = true;
  });
  let sequence = 0;
  const ready = () => !dead && Atomics.load(ctl, READY) === 1;
  return {
    get ready() {
      return ready();
    },
    get jobs() {
      return sequence;
    },
    split(name, workerArgs, mainPart) {
      const index = names.indexOf(name);
      if (index < 0 || workerArgs.length > MAX_ARGS) throw new Error(`kernel worker: cannot run ${name} with ${workerArgs.length} arguments`);
      if (!ready()) {
        mainPart();
        runHere(name, workerArgs);
        return;
      }
      ctl[FUNCTION] = index;
      ctl[COUNT] = workerArgs.length;
      ctl.set(workerArgs, ARGS);
      sequence++;
      Atomics.store(ctl, JOB, sequence);
      Atomics.notify(ctl, JOB);
      try {
        mainPart();
      } finally {
        // Wait for the worker even when this part failed: it is still writing the heap.
        for (let done = Atomics.load(ctl, DONE); done !== sequence; done = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, done);
      }
      if (ctl[FAILED] === 1) throw new Error(`kernel worker: ${name} failed`);
    },
  };
}
