/**
 * A second thread for the course's WebAssembly kernels.
 *
 * The threaded wasm backend keeps its heap in a shared memory. A worker thread
 * instantiates the course's module on that same memory and waits on a small
 * shared control block; the main thread hands it a kernel (a function name and
 * integer arguments: pointers and sizes) and a range of its work (images, rows)
 * cut into a fixed set of chunks, and both threads take chunks until none is
 * left. No data is copied: both threads read the same tensors and write
 * different parts of the output, or each chunk its own buffer of partial sums,
 * which the caller adds in chunk order.
 *
 * Reproducible: the chunks depend only on the size of the range, and every
 * chunk writes its own output, so which thread took which chunk (timing) never
 * changes a result; {@link runInChunks} runs the same chunks on one thread, so
 * one and two threads give the same bits.
 *
 * Handing over costs an atomic store and a wake-up of the worker, and the
 * halves of the data move between the cores' caches, so callers split only
 * kernels of ten million multiply-adds and more. The worker's copy of the code
 * warms up on its own: its first few dozen parts run slower.
 */
import { startScriptThread } from '../../platform/script-thread';
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
const ZERO_AT = 12; // argument position of the "zero first" flag (set for every chunk), or -1
const OUTPUT_AT = 13; // argument position of a per-chunk output pointer, or -1
const OUTPUT_STRIDE = 14; // bytes between two chunks' outputs
const TAKEN = 15; // chunks the worker took in the last job
const ARGS = 16; // the worker's arguments
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
    const outputAt = ctl[${OUTPUT_AT}], output = outputAt >= 0 ? args[outputAt] : 0;
    for (;;) {
      const c = Atomics.add(ctl, ${NEXT}, 1);
      const first = low + c * chunk;
      if (first >= high) break;
      args[ctl[${FIRST_AT}]] = first;
      args[ctl[${END_AT}]] = Math.min(high, first + chunk);
      if (zeroAt >= 0) args[zeroAt] = 1;
      if (outputAt >= 0) args[outputAt] = output + c * ctl[${OUTPUT_STRIDE}];
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

/** Chunks a range is cut into unless a caller asks for others: enough for two threads to even out. */
export const DEFAULT_CHUNKS = 16;

/** A range of work cut into chunks, and where a chunk's bounds go in a kernel's arguments. */
export interface SharedRange {
  /** Positions of the chunk's first and end in the argument lists. */
  firstAt: number;
  endAt: number;
  /** The whole range [low, high). */
  low: number;
  high: number;
  /** Chunks wanted (default {@link DEFAULT_CHUNKS}); {@link chunkPlan} says how many there are. */
  chunks?: number;
  /** The position of a flag argument, set for every chunk, that makes the kernel zero its output first. */
  zero?: { at: number };
  /** A pointer argument moved by `stride` bytes per chunk: chunk c writes its own buffer at
   * pointer + c · stride (partial sums, added by the caller in chunk order). */
  output?: { at: number; stride: number };
}

/** How a range is cut: chunks of `size` (the last may be shorter), `count` of them. */
export interface ChunkPlan {
  size: number;
  count: number;
}

/** The chunks of a range: they depend on its length and the chunks wanted, nothing else. */
export function chunkPlan(range: SharedRange): ChunkPlan {
  const length = range.high - range.low;
  const wanted = range.chunks ?? DEFAULT_CHUNKS;
  if (!(length > 0) || !(wanted >= 1)) return { size: 1, count: 0 };
  const size = Math.ceil(length / Math.min(wanted, length));
  return { size, count: Math.ceil(length / size) };
}

/** Sets chunk `c`'s bounds, zero flag and output pointer in `args` (a copy of the base arguments). */
function chunkArgs(
  args: number[],
  base: readonly number[],
  range: SharedRange,
  plan: ChunkPlan,
  c: number,
): number[] {
  args[range.firstAt] = range.low + c * plan.size;
  args[range.endAt] = Math.min(range.high, range.low + (c + 1) * plan.size);
  if (range.zero) args[range.zero.at] = 1;
  if (range.output) args[range.output.at] = base[range.output.at]! + c * range.output.stride;
  return args;
}

/**
 * Runs `kernel` over the chunks of `range` on this thread, in order: the same
 * chunks, with the same outputs, as {@link KernelWorker.share} on two threads.
 *
 * @returns the number of chunks run.
 */
export function runInChunks(
  kernel: (...args: number[]) => void,
  args: readonly number[],
  range: SharedRange,
): number {
  const plan = chunkPlan(range);
  const chunk = [...args];
  for (let c = 0; c < plan.count; c++) kernel(...chunkArgs(chunk, args, range, plan, c));
  return plan.count;
}

/** Chunks each thread took. */
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
   * Runs `name(...args)` over the chunks of `range` ({@link chunkPlan}) on both
   * threads: each takes the next chunk until none is left, so a thread slowed
   * down (by other work on its core, or its code still warming up) takes fewer.
   * Each chunk gets its bounds, zero flag and output pointer filled in, the same
   * whichever thread runs it. Runs everything here while the worker is
   * starting, or when it could not start.
   *
   * @throws Error when the worker's part failed (a trap in the kernel).
   */
  share(name: string, args: number[], range: SharedRange): Shares;
}

/**
 * Starts a worker on `memory` (a shared WebAssembly memory) with the compiled
 * module `module` whose functions `names` it may run; `runHere` runs one of
 * them on this thread. The worker does not keep the process alive.
 */
export function startKernelWorker(
  module: object,
  memory: object,
  names: readonly string[],
  runHere: (name: string, args: number[]) => void,
): KernelWorker {
  const control = new SharedArrayBuffer(4 * (ARGS + MAX_ARGS));
  const ctl = new Int32Array(control);
  const worker = startScriptThread(WORKER_SOURCE, { module, memory, control, names });
  // A worker that fails to start (or dies) leaves every part to this thread, and no
  // unhandled 'error' event to end the process.
  let dead = false;
  worker.onEnd(() => {
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
    share(name, args, range) {
      const index = names.indexOf(name);
      if (index < 0 || args.length > MAX_ARGS)
        throw new Error(`kernel worker: cannot run ${name} with ${args.length} arguments`);
      const plan = chunkPlan(range);
      // This thread's loop: the same chunks, taken through the same counter.
      let here = 0;
      const chunk = [...args];
      const takeHere = (take: () => number) => {
        for (let c = take(); c < plan.count; c = take()) {
          runHere(name, chunkArgs(chunk, args, range, plan, c));
          here++;
        }
      };
      if (!ready()) {
        let next = 0;
        takeHere(() => next++);
        return { here, worker: 0 };
      }
      ctl[FUNCTION] = index;
      ctl[COUNT] = args.length;
      ctl.set(args, ARGS);
      ctl[FIRST_AT] = range.firstAt;
      ctl[END_AT] = range.endAt;
      ctl[LOW] = range.low;
      ctl[HIGH] = range.high;
      ctl[CHUNK] = plan.size;
      ctl[ZERO_AT] = range.zero?.at ?? -1;
      ctl[OUTPUT_AT] = range.output?.at ?? -1;
      ctl[OUTPUT_STRIDE] = range.output?.stride ?? 0;
      Atomics.store(ctl, NEXT, 0);
      sequence++;
      Atomics.store(ctl, JOB, sequence);
      Atomics.notify(ctl, JOB);
      try {
        takeHere(() => Atomics.add(ctl, NEXT, 1));
      } finally {
        // Wait for the worker even when this part failed: it is still writing the heap.
        for (let done = Atomics.load(ctl, DONE); done !== sequence; done = Atomics.load(ctl, DONE))
          Atomics.wait(ctl, DONE, done);
      }
      if (ctl[FAILED] === 1) throw new Error(`kernel worker: ${name} failed`);
      return { here, worker: ctl[TAKEN]! };
    },
  };
}

/**
 * Runs kernel `name` of `kernels` over the chunks of `range`: shared with
 * `worker` when there is one, else in order on this thread. Either way the same
 * chunks, so the result has the same bits.
 */
export function runChunked(
  worker: KernelWorker | undefined,
  kernels: object,
  name: string,
  args: number[],
  range: SharedRange,
): void {
  if (worker) {
    worker.share(name, args, range);
    return;
  }
  const kernel = (kernels as Record<string, unknown>)[name];
  if (typeof kernel !== 'function') throw new Error(`no course kernel ${name}`);
  runInChunks(kernel as (...a: number[]) => void, args, range);
}
