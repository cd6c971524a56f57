/**
 * Multi-threaded WebAssembly in Node.
 *
 * `@tensorflow/tfjs-backend-wasm` ships a threaded build (XNNPACK on a
 * pthreadpool of Web Workers) but turns it off under Node, for three reasons
 * this module works around while the backend starts:
 * 1. the `WASM_HAS_MULTITHREAD_SUPPORT` flag is hard-wired to false in Node;
 * 2. the pthread workers are started from `blob:` URLs, which Node's
 *    `Worker` refuses: a file with the package's own worker script is written
 *    instead, loading the package's own threaded module by path;
 * 3. the C++ side caps the pool at half the logical cores
 *    (`emscripten_num_logical_cores() / 2`, read from `os.cpus()`), i.e. one
 *    thread on a 2-core machine: `os.cpus()` reports twice the wanted count
 *    while the module initialises.
 * Every patch is undone once the backend has started. The pthread workers are
 * then unreferenced, so that a script still exits when its work is done.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRequire } from '../paths';

// The patches go on the builtins' CommonJS export objects: those are what the
// backend's own require() sees (an ES namespace import could not be patched).
const builtins = createRequire(join(process.cwd(), 'index.js'));
const os = builtins('node:os') as typeof import('node:os');
const workerThreads = builtins('node:worker_threads') as typeof import('node:worker_threads');

/** The environment variable that sets the number of wasm threads (1 = the single-threaded build). */
export const WASM_THREADS_ENV_VAR = 'COURSE_WASM_THREADS';

/** The backend's pool holds 8 workers: more threads than that are never used. */
const MAX_THREADS = 8;

/**
 * How many threads the wasm backend should use: `COURSE_WASM_THREADS` when set,
 * else every core this process may use (at most 8).
 */
export function wantedWasmThreads(env: Record<string, string | undefined> = process.env): number {
  const raw = env[WASM_THREADS_ENV_VAR]?.trim();
  if (raw) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(
        `${WASM_THREADS_ENV_VAR}=${raw} is not a thread count; use a whole number from 1 to ${MAX_THREADS}`,
      );
    }
    return Math.min(n, MAX_THREADS);
  }
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, MAX_THREADS));
}

/** What {@link prepareWasmThreads} changed, to be undone once the backend has started. */
export interface WasmThreadSetup {
  /** Undoes the temporary patches. */
  restore(): void;
}

/** The tfjs-backend-wasm module's thread API. */
interface WasmThreadApi {
  setThreadsCount(n: number): void;
}

// The worker's branch that loads the main script from a blob URL or a path.
const LOAD_BRANCH =
  /if\(typeof e\.data\.urlOrBlob=="string"\)\{importScripts\(e\.data\.urlOrBlob\)\}else\{var objectUrl=URL\.createObjectURL\(e\.data\.urlOrBlob\);importScripts\(objectUrl\);URL\.revokeObjectURL\(objectUrl\)\}/;

/**
 * Writes the pthread worker script for this process and returns its path.
 * Throws when the package's worker does not have the expected shape.
 */
function writeWorkerScript(): string {
  const require = projectRequire();
  const mainScript =
    require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } =
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string;
    };
  if (!LOAD_BRANCH.test(wasmWorkerContents)) {
    throw new Error('the threaded worker of @tensorflow/tfjs-backend-wasm has an unexpected shape');
  }
  // The package keeps the script in a template string whose "\n" became real newlines.
  const source = wasmWorkerContents
    .replace(/\n/g, '\\n')
    .replace(LOAD_BRANCH, `importScripts(${JSON.stringify(mainScript)});`);
  // A private directory of this process: a shared, predictable path would let another
  // user of the machine put their own script there.
  const dir = mkdtempSync(join(os.tmpdir(), 'cnn-course-wasm-'));
  const path = join(dir, 'worker.cjs');
  writeFileSync(path, source);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return path;
}

/**
 * Prepares the threaded wasm build for `threads` threads: call after importing
 * `@tensorflow/tfjs-backend-wasm` and before `tf.setBackend('wasm')` (with the
 * flag `WASM_HAS_MULTITHREAD_SUPPORT` set to true), then call `restore()` once
 * it has settled. Throws (changing nothing) when the
 * package does not have the shape this relies on.
 */
export function prepareWasmThreads(wasm: WasmThreadApi, threads: number): WasmThreadSetup {
  const workerPath = writeWorkerScript();
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  const Worker = workerThreads.Worker;

  URL.createObjectURL = (blob: Blob) =>
    blob.type === 'application/javascript' ? workerPath : createObjectURL.call(URL, blob);
  const realCpus = cpus.call(os);
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => realCpus[i % realCpus.length]!);
  // Workers would inherit this process's loader flags (tsx): the worker script is plain CommonJS.
  (workerThreads as { Worker: unknown }).Worker = class extends Worker {
    constructor(filename: string | URL, options: import('node:worker_threads').WorkerOptions = {}) {
      super(filename, { execArgv: [], ...options });
    }
  };
  wasm.setThreadsCount(threads);
  return {
    restore() {
      URL.createObjectURL = createObjectURL;
      os.cpus = cpus;
      (workerThreads as { Worker: unknown }).Worker = Worker;
    },
  };
}

/** The emscripten pthread bookkeeping the threaded module exposes. */
interface PThreadPool {
  runningWorkers: { unref(): void }[];
  unusedWorkers: { unref(): void }[];
}

/**
 * Lets the process exit while the pool's threads wait for work (emscripten
 * keeps a worker referenced while it runs a thread, and pthreadpool's threads
 * never end). Returns the number of running pthread workers.
 */
export function unrefWasmWorkers(backend: unknown): number {
  const pool = (backend as { wasm?: { PThread?: PThreadPool } }).wasm?.PThread;
  if (!pool) return 0;
  for (const worker of [...pool.runningWorkers, ...pool.unusedWorkers]) worker.unref();
  return pool.runningWorkers.length;
}
