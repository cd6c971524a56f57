/**
 * Browser stand-in for lib/engine/wasm-threads: the thread count comes from the page
 * (navigator.hardwareConcurrency, capped like in Node), and threads only where the page
 * is cross-origin isolated (SharedArrayBuffer needs it). Node's temporary-file patching
 * of tfjs's worker script is not needed: the browser build loads its worker itself.
 *
 * One patch is needed, as in Node: tfjs-backend-wasm's C++ caps its XNNPACK pool at half
 * the logical cores (`emscripten_num_logical_cores() / 2`, read once while the module
 * starts; in a browser that is navigator.hardwareConcurrency), whatever setThreadsCount
 * asks. On a 2-core machine the page thus ran 1 thread of the 2 it asked for.
 */
export const WASM_THREADS_ENV_VAR = 'COURSE_WASM_THREADS';
const MAX_THREADS = 8;

/** The thread count asked for with `?threads=N` in the page's address, if any. */
function requestedThreads(): number | undefined {
  const raw = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('threads');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`threads=${raw} is not a thread count; use a whole number from 1 to ${MAX_THREADS}`);
  return Math.min(n, MAX_THREADS);
}

/** Threads the wasm backend should use here: 1 unless the page is cross-origin isolated. */
export function wantedWasmThreads(): number {
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) return 1;
  const asked = requestedThreads();
  if (asked !== undefined) return asked;
  const cores =
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(cores, MAX_THREADS));
}

/** What {@link prepareWasmThreads} changed, to be undone once the backend has started. */
export interface WasmThreadSetup {
  /** Undoes the temporary patch. */
  restore(): void;
}

/**
 * Prepares the threaded build for `threads` threads: call before `tf.setBackend('wasm')`
 * (with `WASM_HAS_MULTITHREAD_SUPPORT` true), then `restore()` once it has settled. While
 * the module starts, navigator.hardwareConcurrency reports twice `threads`, so that the
 * C++ cap (half of it) lets the pool have the threads asked for.
 */
export function prepareWasmThreads(
  wasm: { setThreadsCount(n: number): void },
  threads: number,
): WasmThreadSetup {
  const navigator = globalThis.navigator as Navigator & { hardwareConcurrency: number };
  const own = Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency');
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  wasm.setThreadsCount(threads);
  return {
    restore() {
      if (own) Object.defineProperty(navigator, 'hardwareConcurrency', own);
      // The property was the prototype's getter: removing the own one shows it again.
      else delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
    },
  };
}
