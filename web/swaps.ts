/**
 * The one list of what the page bundle replaces, and why: each Node-only module of the
 * course's library that the page reaches (lib/platform/* and the few others ARCHITECTURE.md
 * lists) is swapped at bundle time for a browser implementation in web/browser/. The rest
 * of lib imports no Node builtin (tests/tooling/browser-bundle.test.ts checks it).
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
  'platform/files': {
    by: 'browser/files.ts',
    why: 'reads and writes files with node:fs (lib/image readImageFile, lib/face database files); on the page that throws, saying so',
  },
  'platform/png-codec': {
    by: 'browser/png-codec.ts',
    why: 'pngjs needs node:zlib and streams; the page encodes PNG outputs itself',
  },
  'platform/kernel-display': {
    by: 'browser/kernel-display.ts',
    why: "tslab's display channel in the Jupyter kernel; the page's runner sets the writer",
  },
  'platform/script-thread': {
    by: 'browser/script-thread.ts',
    why: "the course kernels' second thread is a node:worker_threads Worker; on the page starting it throws and the kernels run their fixed chunks in order on the page's thread (the same bits)",
  },
  'engine/wasm-threads': {
    by: 'browser/wasm-threads.ts',
    why: "thread count from os and environment, temp files for tfjs's worker script; the page uses hardwareConcurrency and crossOriginIsolated",
  },
};

/** Packages and Node builtins replaced. */
export const PACKAGE_SWAPS: Record<string, { by: string; why: string }> = {
  'node:assert/strict': {
    by: 'browser/assert.ts',
    why: 'notebooks import it; strict-mode asserts written for the page',
  },
  'node:assert': { by: 'browser/assert.ts', why: 'the same, non-strict import path' },
};
