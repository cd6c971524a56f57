/**
 * Browser implementation of lib/backend's API (initBackend, describeBackend, …): WebGPU
 * when `navigator.gpu` gives an adapter whose results read back exactly (./webgpu-readback),
 * else the wasm backend with the course's SIMD training kernels (lib/engine, the same
 * module Node uses), on several threads only where the page is cross-origin isolated,
 * else pure JavaScript. The page may force
 * one (its backend menu, or `?backend=wasm` in the address).
 */
import * as tf from '@tensorflow/tfjs';
import {
  BACKEND_ENV_VAR,
  BackendUnavailableError,
  type BackendChoice,
  type BackendName,
  type BackendProbe,
  rememberedChoice,
} from '../../lib/engine/choice';
import { registerDirectWebgpuKernels } from '../../lib/engine/kernels/webgpu-direct';
import { registerCourseKernels } from '../../lib/engine/register-kernels';
import {
  runLargeKernelsInParallel,
  splitThreadPools,
  type ThreadedModule,
} from '../../lib/engine/thread-pools';
import { runtimeBase } from './data-hub';
import { checkWebgpuReadback } from './webgpu-readback';
import { prepareWasmThreads, wantedWasmThreads } from './wasm-threads';

/** The backends the page can run, in order of preference (the course's names, less tensorflow). */
export const BACKEND_ORDER = ['webgpu', 'wasm', 'cpu'] as const;

export { BACKEND_ENV_VAR, BackendUnavailableError, type BackendChoice, type BackendName, type BackendProbe };

/** A backend the page can run. */
export type PageBackend = (typeof BACKEND_ORDER)[number];

let pageChoice: PageBackend | undefined;

/** The page's backend menu: forces `name` for the next initBackend (undefined: the best one). */
export function setPageBackend(name: PageBackend | undefined): void {
  pageChoice = name;
}

/** The backend asked for by the page's menu or `?backend=` in its address. */
export function requestedBackend(): PageBackend | undefined {
  const raw =
    pageChoice ??
    (typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('backend'));
  if (!raw) return undefined;
  if ((BACKEND_ORDER as readonly string[]).includes(raw)) return raw as PageBackend;
  throw new Error(`backend=${raw} is not a backend the page can run; use one of ${BACKEND_ORDER.join(', ')}`);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 240);
}

interface GpuAdapter {
  info?: { vendor?: string; architecture?: string; description?: string };
  isFallbackAdapter?: boolean;
}

/** Why WebGPU failed the readback check (it is not tried again: its device may be lost). */
let webgpuFailure: BackendProbe | undefined;

async function startWebgpu(): Promise<BackendProbe> {
  if (webgpuFailure) return webgpuFailure;
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<GpuAdapter | null> } }).gpu;
  if (!gpu)
    return {
      name: 'webgpu',
      available: false,
      detail: 'this browser has no WebGPU (navigator.gpu is missing)',
    };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter)
      return {
        name: 'webgpu',
        available: false,
        detail: 'WebGPU found no adapter (no usable GPU, or WebGPU disabled)',
      };
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise');
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'a GPU';
    const fallback = adapter.isFallbackAdapter || (info as { isFallbackAdapter?: boolean }).isFallbackAdapter;
    const adapterLine = `WebGPU adapter: ${name}${fallback ? ' (a software fallback adapter)' : ''}`;
    // A software adapter runs tfjs's tiled GPU shaders slowly: the course's direct ones instead.
    if (fallback) registerDirectWebgpuKernels();
    const check = await checkWebgpuReadback();
    if (check.problem) {
      // The device may be lost: drop the backend so nothing runs on it, and remember why.
      try {
        tf.removeBackend('webgpu');
      } catch {
        // Disposing a lost device's buffers may throw; the backend is gone from the registry either way.
      }
      webgpuFailure = { name: 'webgpu', available: false, detail: `${adapterLine}, but ${check.problem}` };
      return webgpuFailure;
    }
    return {
      name: 'webgpu',
      available: true,
      detail:
        `${adapterLine}; a synchronous read (dataSync) took ${check.syncReadMs.toFixed(0)} ms` +
        (fallback ? "; convolutions and matrix products on the course's direct shaders" : ''),
    };
  } catch (error) {
    return { name: 'webgpu', available: false, detail: messageOf(error) };
  }
}

let wasmThreading: string | undefined;

/** The threaded build's binary (tfjs picks it when threads are asked for and SIMD validates). */
const THREADED_BINARY = 'tfjs-backend-wasm-threaded-simd.wasm';

/** The bytes of the runtime's copy of the threaded binary. */
async function fetchThreadedBinary(folder: string): Promise<Uint8Array> {
  const url = `${folder}${THREADED_BINARY}`;
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Where tfjs finds its binaries: the runtime's folder, except the threaded binary when its
 * bytes were fetched here, which the backend then instantiates from them (a blob: URL), so
 * that the thread-pool split reads exactly the code that runs, downloaded once.
 */
function wasmPaths(folder: string, threadedBytes: Uint8Array | undefined): string | Record<string, string> {
  if (!threadedBytes) return folder;
  const blob = new Blob([threadedBytes as Uint8Array<ArrayBuffer>], { type: 'application/wasm' });
  return {
    'tfjs-backend-wasm.wasm': `${folder}tfjs-backend-wasm.wasm`,
    'tfjs-backend-wasm-simd.wasm': `${folder}tfjs-backend-wasm-simd.wasm`,
    [THREADED_BINARY]: URL.createObjectURL(blob),
  };
}

/**
 * As in Node (lib/engine/thread-pools): the full pool of threads only for large convolutions
 * and matrix products, a one-thread pool inline for the rest (waking the pool costs more than
 * a small kernel's work). Says how the threads are used; when the split cannot be installed,
 * every kernel keeps the full pool and this says why.
 */
function splitPools(threads: number, binary: Uint8Array | undefined, problem: string): string {
  const whole = (why: string) =>
    `every kernel on ${threads} threads (the one-thread pool for small kernels failed: ${why})`;
  if (!binary) return whole(problem);
  try {
    const backend = tf.backend() as unknown as { wasm: ThreadedModule };
    const pools = splitThreadPools(backend.wasm, binary);
    runLargeKernelsInParallel('wasm', pools);
    return `large convolutions and matrix products on ${pools.threads} threads, the rest on one`;
  } catch (error) {
    return whole(messageOf(error));
  }
}

async function startWasm(): Promise<BackendProbe> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const starting = wasmThreading === undefined;
    let threading = '';
    let binary: Uint8Array | undefined;
    let binaryProblem = '';
    let running = 1;
    if (starting) {
      const folder = `${runtimeBase()}wasm/`;
      const threads = wantedWasmThreads();
      const isolated = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
      if (threads > 1 && !(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')))
        binaryProblem = 'no SIMD in this browser, so no threaded build';
      else if (threads > 1)
        binary = await fetchThreadedBinary(folder).catch((error: unknown) => {
          binaryProblem = messageOf(error);
          return undefined;
        });
      const paths = wasmPaths(folder, binary);
      wasm.setWasmPaths(paths);
      const setup = threads > 1 ? prepareWasmThreads(wasm, threads) : undefined;
      try {
        if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
      } finally {
        setup?.restore();
        // The module is compiled (its workers get it compiled, not the URL): the blob can go.
        if (typeof paths !== 'string') URL.revokeObjectURL(paths[THREADED_BINARY]!);
      }
      running = threads > 1 ? wasm.getThreadsCount() : 1;
      threading =
        threads > 1
          ? `threaded build, ${running} of ${threads} threads asked for (the page is cross-origin isolated)`
          : `1 thread (${isolated ? 'one asked for' : 'the page is not cross-origin isolated: its server sends no COOP/COEP headers'})`;
    } else if (!(await tf.setBackend('wasm'))) {
      throw new Error('the wasm backend failed to initialise');
    }
    // The course's split kernels get one thread on the page (no kernel worker there).
    registerCourseKernels('wasm', { threads: 1 });
    // After the course's kernels: they leave a wrapped kernel alone (lib/engine/kernels/registry).
    if (starting)
      wasmThreading = running > 1 ? `${threading}, ${splitPools(running, binary, binaryProblem)}` : threading;
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return {
      name: 'wasm',
      available: true,
      detail: `WebAssembly (XNNPACK${simd ? ', SIMD' : ''}, ${wasmThreading}) with the course's training kernels`,
    };
  } catch (error) {
    return { name: 'wasm', available: false, detail: messageOf(error) };
  }
}

async function startCpu(): Promise<BackendProbe> {
  const ok = await tf.setBackend('cpu');
  return {
    name: 'cpu',
    available: ok,
    detail: ok ? 'pure JavaScript (slow: for checks only)' : 'failed to initialise',
  };
}

const STARTERS: Record<PageBackend, () => Promise<BackendProbe>> = {
  webgpu: startWebgpu,
  wasm: startWasm,
  cpu: startCpu,
};

function versions(): Record<string, string> {
  return { browser: navigator.userAgent, 'tfjs-core': tf.version_core };
}

/** Starts the best backend the page has (or the one asked for); later calls return the same choice. */
export async function initBackend(options: { backend?: BackendName } = {}): Promise<BackendChoice> {
  if (options.backend === 'tensorflow')
    throw new BackendUnavailableError(
      'tensorflow',
      'the page has no native TensorFlow; it runs webgpu, wasm or cpu',
    );
  return choice.init(options.backend ?? requestedBackend());
}

async function chooseBackend(wanted: PageBackend | undefined): Promise<BackendChoice> {
  if (wanted) {
    const probe = await STARTERS[wanted]();
    if (!probe.available) throw new BackendUnavailableError(wanted, probe.detail);
    return {
      name: wanted,
      forced: true,
      reason: `${wanted}: chosen on the page; ${probe.detail}`,
      probes: [probe],
      versions: versions(),
    };
  }
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_ORDER) {
    const probe = await STARTERS[name]();
    probes.push(probe);
    if (probe.available) {
      const passed = probes.filter((p) => !p.available).map((p) => `${p.name} unavailable (${p.detail})`);
      return {
        name,
        forced: false,
        reason: [`${name}: ${probe.detail}`, ...passed].join('; '),
        probes,
        versions: versions(),
      };
    }
  }
  throw new Error(
    `No TensorFlow.js backend could start: ${probes.map((p) => `${p.name}: ${p.detail}`).join('; ')}`,
  );
}

const choice = rememberedChoice<PageBackend>(chooseBackend);

/** The backend chosen by the last initBackend, if any. */
export function currentBackend(): BackendChoice | undefined {
  return choice.current();
}

/** One line per fact: the backend, the reason and the versions. */
export function describeBackend(choice: BackendChoice): string[] {
  const lines = [`backend: ${choice.name}${choice.forced ? ' (forced)' : ''}`, `why: ${choice.reason}`];
  for (const [pkg, version] of Object.entries(choice.versions)) lines.push(`${pkg}: ${version}`);
  return lines;
}
