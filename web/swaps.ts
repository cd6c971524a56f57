/**
 * The one list of what the page bundle replaces, and why: each Node-only module the
 * course's library imports (directly or through a package) is swapped at bundle time
 * for a browser implementation in web/browser/. Library sources stay as they are; when
 * lib isolates these behind interfaces (issue #16), each entry maps onto one of them.
 *
 * Keys of LIB_SWAPS are paths under lib/ (without `.ts`), matched on the resolved import;
 * keys of PACKAGE_SWAPS are import specifiers, matched as written.
 */

/** lib modules replaced whole. */
export const LIB_SWAPS: Record<string, { by: string; why: string }> = {
  backend: {
    by: 'browser/backend.ts',
    why: 'Node probes tfjs-node, Dawn (npm webgpu), the Vulkan loader on disk and patches worker_threads; the page probes navigator.gpu, then wasm (threads when crossOriginIsolated)',
  },
  paths: {
    by: 'browser/paths.ts',
    why: 'finds the project folder on disk (node:fs, createRequire); the page has none',
  },
  'viz/svg-sync': {
    by: 'browser/svg-sync.ts',
    why: 'draws SVG synchronously in a worker thread (node:worker_threads); the page draws charts from their Vega-Lite spec',
  },
  'engine/wasm-threads': {
    by: 'browser/wasm-threads.ts',
    why: "thread count from os and environment, temp files for tfjs's worker script; the page uses hardwareConcurrency and crossOriginIsolated",
  },
};

/** Packages and Node builtins replaced. */
export const PACKAGE_SWAPS: Record<string, { by: string; why: string }> = {
  tslab: {
    by: 'browser/tslab.ts',
    why: "the display channel of the Jupyter kernel; the page's runner sets the writer",
  },
  'tslab/dist/jupyter': { by: 'browser/tslab.ts', why: "lib/display reads tslab's writer from this module" },
  pngjs: {
    by: 'browser/pngjs.ts',
    why: 'pngjs needs node:zlib and streams; the page encodes PNG outputs itself',
  },
  'node:crypto': {
    by: 'browser/node-builtins.ts',
    why: 'lib/display uses randomUUID (crypto.randomUUID on the page)',
  },
  'node:path': {
    by: 'browser/node-builtins.ts',
    why: 'lib/display and lib/data/mnist join a path they only pass to createRequire',
  },
  'node:module': {
    by: 'browser/node-builtins.ts',
    why: "createRequire loads `mnist` (lib/data/mnist: served by the page's data hub) and tslab's writer (lib/display)",
  },
  'node:worker_threads': {
    by: 'browser/node-builtins.ts',
    why: "the course kernels' second thread (lib/engine/kernels/kernel-worker) is a Node Worker; on the page starting it throws and the kernels run their fixed chunks in order on the page's thread (the same bits)",
  },
  'node:fs': {
    by: 'browser/node-builtins.ts',
    why: 'lib/image reads image files (readImageFile); on the page that throws, saying so',
  },
  'node:assert/strict': {
    by: 'browser/assert.ts',
    why: 'notebooks import it; strict-mode asserts written for the page',
  },
  'node:assert': { by: 'browser/assert.ts', why: 'the same, non-strict import path' },
};
