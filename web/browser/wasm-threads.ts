/**
 * Browser stand-in for lib/engine/wasm-threads: the thread count comes from the page
 * (navigator.hardwareConcurrency, capped like in Node), and threads only where the page
 * is cross-origin isolated (SharedArrayBuffer needs it). Node's temporary-file patching
 * of tfjs's worker script is not needed: the browser build loads its worker itself.
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
