/**
 * A second thread for the course's WebAssembly kernels.
 *
 * The threaded wasm backend keeps its heap in a shared memory. A worker thread
 * instantiates the course's module on that same memory and waits on a small
 * shared control block; the main thread hands it a kernel (a function name and
 * integer arguments: pointers and sizes) and a range of its work (images, rows),
 * and both threads take chunks of the range until none is left. No data is
 * copied: both threads read the same tensors and write different parts of the
 * output (or different buffers that the caller adds).
 *
 * Handing over costs an atomic store and a wake-up of the worker, and the
 * halves of the data move between the cores' caches, so callers split only
 * kernels of ten million multiply-adds and more. The worker's copy of the code
 * warms up on its own: its first few dozen parts run slower.
 */
import { Worker } from 'node:worker_threads';
import { SPLIT_WORK_THRESHOLD } from '../thresholds';

/** Whether a kernel of `multiplyAdds` is worth handing half of to the worker ({@link SPLIT_WORK_THRESHOLD}). */
export const splitWorth = (multiplyAdds: number): boolean => multiplyAdds >= SPLIT_WORK_THRESHOLD;

// Control block (Int32 slots).
const JOB = 0; // sequence number of the last job handed over
const DONE = 1; // sequence number of the last job finished
const READY = 2; // 1 once the worker has instantiated the module
const FAILED = 3; // 1 when the last job threw
const FUNCTION = 4; // index into the worker's function names
const COUNT = 5; // number of arguments
const NEXT = 6; // the next chunk to take (both threads add 1 to take one)
const FIRST_AT = 7; // argument positions of the chunk's first and end
const END_AT = 8;
const LOW = 9; // the range, and its chunk size
const HIGH = 10;
const CHUNK = 11;
const ZERO_AT = 12; // argument position of the "zero first" flag, or -1
const ZERO_EVERY = 13; // 1: the flag is set for every chunk; 0: for each thread's first
const TAKEN = 14; // chunks the worker took in the last job
const ARGS = 15; // the worker's arguments
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
  let taken = 0;
  try {
    const fn = exports[names[ctl[${FUNCTION}]]];
    const args = Array.from(ctl.subarray(${ARGS}, ${ARGS} + ctl[${COUNT}]));
    const low = ctl[${LOW}], high = ctl[${HIGH}], chunk = ctl[${CHUNK}], zeroAt = ctl[${ZERO_AT}];
    for (;;) {
      const first = low + Atomics.add(ctl, ${NEXT}, 1) * chunk;
      if (first >= high) break;
      args[ctl[${FIRST_AT}]] = first;
      args[ctl[${END_AT}]] = Math.min(high, first + chunk);
      if (zeroAt >= 0) args[zeroAt] = ctl[${ZERO_EVERY}] === 1 || taken === 0 ? 1 : 0;
      fn(...args);
      taken++;
    }
    ctl[${FAILED}] = 0;
  } catch (error) {
    ctl[${FAILED}] = 1;
  }
  ctl[${TAKEN}] = taken;
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

/** A range of work shared out in chunks, and where its bounds go in a kernel's arguments. */
export interface SharedRange {
  /** Positions of the chunk's first and end in the argument lists. */
  firstAt: number;
  endAt: number;
  /** The whole range [low, high). */
  low: number;
  high: number;
  /** A flag argument that makes the kernel zero its output first: its position, and whether
   * every chunk sets it (disjoint outputs) or only each thread's first (a thread's own sum). */
  zero?: { at: number; everyChunk: boolean };
}

/** Chunks each thread took: a thread that took none has not written (or zeroed) its output. */
export interface Shares {
  here: number;
  worker: number;
}

/** A worker that runs the course's kernels on a shared memory. */
export interface KernelWorker {
  /** Whether the worker has started (until then {@link share} runs everything here). */
  readonly ready: boolean;
  /** Jobs handed to the worker so far. */
  readonly jobs: number;
  /**
   * Runs `name` over `range` on both threads: each takes the next chunk (about a
   * sixteenth of the range) until none is left, so a thread slowed down (by
   * other work on its core, or its code still warming up) takes fewer. The
   * worker calls `name(...workerArgs)`, this thread `name(...hereArgs)`, with
   * the chunk's bounds (and zero flag) filled in. Runs everything here while
   * the worker is starting, or when it could not start.
   *
   * @throws Error when the worker's part failed (a trap in the kernel).
   */
  share(name: string, workerArgs: number[], hereArgs: number[], range: SharedRange): Shares;
}

/**
 * Starts a worker on `memory` (a shared WebAssembly memory) with the compiled
 * module `module` whose functions `names` it may run; `runHere` runs one of
 * them on this thread. The worker does not keep the process alive.
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
    share(name, workerArgs, hereArgs, range) {
      const index = names.indexOf(name);
      if (index < 0 || workerArgs.length > MAX_ARGS) throw new Error(`kernel worker: cannot run ${name} with ${workerArgs.length} arguments`);
      const size = range.high - range.low;
      const chunk = Math.max(1, Math.ceil(size / 16));
      const count = Math.ceil(size / chunk);
      // This thread's loop: the same chunks, taken through the same counter.
      let here = 0;
      const args = [...hereArgs];
      const takeHere = (take: () => number) => {
        for (let c = take(); c < count; c = take()) {
          args[range.firstAt] = range.low + c * chunk;
          args[range.endAt] = Math.min(range.high, range.low + (c + 1) * chunk);
          if (range.zero) args[range.zero.at] = range.zero.everyChunk || here === 0 ? 1 : 0;
          runHere(name, args);
          here++;
        }
      };
      if (!ready()) {
        let next = 0;
        takeHere(() => next++);
        return { here, worker: 0 };
      }
      ctl[FUNCTION] = index;
      ctl[COUNT] = workerArgs.length;
      ctl.set(workerArgs, ARGS);
      ctl[FIRST_AT] = range.firstAt;
      ctl[END_AT] = range.endAt;
      ctl[LOW] = range.low;
      ctl[HIGH] = range.high;
      ctl[CHUNK] = chunk;
      ctl[ZERO_AT] = range.zero?.at ?? -1;
      ctl[ZERO_EVERY] = range.zero?.everyChunk ? 1 : 0;
      Atomics.store(ctl, NEXT, 0);
      sequence++;
      Atomics.store(ctl, JOB, sequence);
      Atomics.notify(ctl, JOB);
      try {
        takeHere(() => Atomics.add(ctl, NEXT, 1));
      } finally {
        // Wait for the worker even when this part failed: it is still writing the heap.
        for (let done = Atomics.load(ctl, DONE); done !== sequence; done = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, done);
      }
      if (ctl[FAILED] === 1) throw new Error(`kernel worker: ${name} failed`);
      return { here, worker: ctl[TAKEN]! };
    },
  };
}
