/**
 * Choosing the TensorFlow.js backend at run time.
 *
 * Order of preference: `tensorflow` (the native libtensorflow binding of
 * `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`) → `webgpu` (Dawn
 * from the npm `webgpu` package, when it finds a GPU adapter) → `wasm` (the
 * embedded default, with the course's training kernels) → `cpu` (pure JS).
 * `COURSE_BACKEND` forces one; a forced backend that cannot start is an error
 * that says what to install.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { importEsm } from '../esm';
import { projectRequire } from '../paths';
import { registerCourseKernels } from './register-kernels';
import { runLargeKernelsInParallel, splitThreadPools, type ThreadedModule } from './thread-pools';
import { prepareWasmThreads, unrefWasmWorkers, wantedWasmThreads } from './wasm-threads';
import {
  BACKEND_ENV_VAR,
  BACKEND_ORDER,
  BackendUnavailableError,
  type BackendChoice,
  type BackendName,
  type BackendProbe,
  rememberedChoice,
} from './choice';

export {
  BACKEND_ENV_VAR,
  BACKEND_ORDER,
  BackendUnavailableError,
  type BackendChoice,
  type BackendName,
  type BackendProbe,
};

const INSTALL_HINT: Record<BackendName, string> = {
  tensorflow:
    'install @tensorflow/tfjs-node-gpu (CUDA 11.2 + cuDNN 8.1) or @tensorflow/tfjs-node with internet access, ' +
    'then let its install script download libtensorflow: npm install-scripts approve <package> && npm rebuild <package>',
  webgpu:
    'needs a GPU with a Vulkan driver (Linux: the libvulkan1 loader and the vendor ICD), Metal (macOS) or D3D12 (Windows); the npm package webgpu ships Dawn',
  wasm: 'reinstall the project dependencies (npm ci): @tensorflow/tfjs-backend-wasm is missing or broken',
  cpu: 'reinstall the project dependencies (npm ci): @tensorflow/tfjs is missing or broken',
};

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 240);
}

function packageVersion(name: string): string | undefined {
  try {
    const manifest = projectRequire()(`${name}/package.json`) as { version?: string };
    return manifest.version;
  } catch {
    return undefined;
  }
}

/**
 * Loads a package with tfjs's warnings about kernels registered twice for the
 * tensorflow backend silenced: when tfjs-node-gpu is installed without its
 * native addon (npm 11 runs no install scripts by default), its kernels stay
 * registered, and loading tfjs-node next would print ~150 such lines into
 * every notebook.
 */
function requireQuietly(pkg: string): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (
      typeof args[0] === 'string' &&
      /^The kernel '.*' for backend 'tensorflow' is already registered$/.test(args[0])
    )
      return;
    warn(...args);
  };
  try {
    projectRequire()(pkg);
  } finally {
    console.warn = warn;
  }
}

async function startTensorflow(): Promise<BackendProbe> {
  const failures: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      requireQuietly(pkg);
      if (tf.findBackend('tensorflow') === null) throw new Error('it registered no tensorflow backend');
      if (!(await tf.setBackend('tensorflow')))
        throw new Error('the tensorflow backend failed to initialise');
      return { name: 'tensorflow', available: true, detail: `${pkg} loaded libtensorflow` };
    } catch (error) {
      const missing =
        (error as { code?: string }).code === 'MODULE_NOT_FOUND' && messageOf(error).includes(`'${pkg}'`);
      failures.push(`${pkg}: ${missing ? 'not installed' : messageOf(error)}`);
    }
  }
  return { name: 'tensorflow', available: false, detail: failures.join('; ') };
}

interface DawnModule {
  create(flags: string[]): {
    requestAdapter(): Promise<{
      info?: { vendor?: string; architecture?: string; description?: string };
    } | null>;
  };
  globals: Record<string, unknown>;
}

/**
 * On Linux, Dawn reaches the GPU through Vulkan; without the loader library it
 * can only fail (noisily), so look for it first.
 */
function vulkanLoaderFound(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean),
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    '/usr/lib64',
    '/usr/lib',
    '/lib64',
    '/lib',
    '/usr/local/lib',
  ];
  return dirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')));
}

async function startWebgpu(): Promise<BackendProbe> {
  if (!vulkanLoaderFound()) {
    return {
      name: 'webgpu',
      available: false,
      detail: 'no Vulkan loader (libvulkan.so.1) for Dawn to reach a GPU',
    };
  }
  try {
    const dawn = await importEsm<DawnModule>('webgpu');
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      return { name: 'webgpu', available: false, detail: 'Dawn (npm webgpu) found no GPU adapter' };
    }
    // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is imported.
    Object.assign(globalThis, dawn.globals);
    const g = globalThis as { navigator?: Record<string, unknown> };
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    else g.navigator = { gpu };
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise');
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'a GPU';
    return { name: 'webgpu', available: true, detail: `Dawn found ${name}` };
  } catch (error) {
    return { name: 'webgpu', available: false, detail: messageOf(error) };
  }
}

/** How the wasm backend's threads were set up, said once it first started. */
let wasmThreading: string | undefined;
/** The wasm backend's thread count, decided when it first starts. */
let wasmThreads: number | undefined;

async function startWasm(): Promise<BackendProbe> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The one read of COURSE_WASM_THREADS: from here the count is passed down.
    if (wasmThreads === undefined) wasmThreads = wantedWasmThreads();
    const threads = wasmThreads;
    registerCourseKernels('wasm', { threads });
    if (wasmThreading === undefined) {
      // Narrowed with `in`: tslab compiles this file without strict mode, where a boolean
      // discriminant would not narrow.
      const threaded = threads > 1 ? await startThreadedWasm(wasm, threads) : { why: '' };
      if ('why' in threaded) {
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
        wasmThreading = `1 thread${threaded.why ? ` (threads unavailable: ${threaded.why})` : ''}`;
      } else {
        wasmThreading = threaded.how;
      }
    } else if (!(await tf.setBackend('wasm'))) {
      throw new Error('the wasm backend failed to initialise');
    }
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    return {
      name: 'wasm',
      available: true,
      detail: `embedded WebAssembly (XNNPACK${simd ? ', SIMD' : ''}, ${wasmThreading}) with the course's training kernels`,
    };
  } catch (error) {
    return { name: 'wasm', available: false, detail: messageOf(error) };
  }
}

/**
 * Starts the threaded wasm build on `threads` threads, used by large kernels
 * only (lib/engine/thread-pools). Says how it runs, or why it did not start (the
 * caller then starts the single-threaded build).
 */
async function startThreadedWasm(
  wasm: typeof import('@tensorflow/tfjs-backend-wasm'),
  threads: number,
): Promise<{ how: string } | { why: string }> {
  let setup;
  try {
    setup = prepareWasmThreads(wasm, threads);
  } catch (error) {
    return { why: messageOf(error) };
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  try {
    if (!(await tf.setBackend('wasm'))) return { why: 'the threaded build failed to initialise' };
  } finally {
    setup.restore();
  }
  const backend = tf.backend() as unknown as { wasm: ThreadedModule };
  unrefWasmWorkers(backend);
  const running = wasm.getThreadsCount();
  try {
    // The binary the threaded build instantiates in Node: the package's own file.
    const binary = readFileSync(
      projectRequire().resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm'),
    );
    runLargeKernelsInParallel('wasm', splitThreadPools(backend.wasm, binary));
    return { how: `${running} threads for large convolutions and matrix products` };
  } catch (error) {
    const why = messageOf(error);
    return { how: `${running} threads for every kernel (the one-thread pool for small ones failed: ${why})` };
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

const STARTERS: Record<BackendName, () => Promise<BackendProbe>> = {
  tensorflow: startTensorflow,
  webgpu: startWebgpu,
  wasm: startWasm,
  cpu: startCpu,
};

/** Reads `COURSE_BACKEND`, rejecting names the course does not know. */
export function requestedBackend(
  env: Record<string, string | undefined> = process.env,
): BackendName | undefined {
  const raw = env[BACKEND_ENV_VAR]?.trim().toLowerCase();
  if (!raw) return undefined;
  if ((BACKEND_ORDER as readonly string[]).includes(raw)) return raw as BackendName;
  throw new Error(`${BACKEND_ENV_VAR}=${raw} is not a backend; use one of ${BACKEND_ORDER.join(', ')}`);
}

function versions(name: BackendName): Record<string, string> {
  const found: Record<string, string> = { node: process.versions.node, 'tfjs-core': tf.version_core };
  const packages = ['@tensorflow/tfjs', 'tslab'];
  if (name === 'wasm') packages.push('@tensorflow/tfjs-backend-wasm');
  if (name === 'webgpu') packages.push('@tensorflow/tfjs-backend-webgpu', 'webgpu');
  if (name === 'tensorflow') packages.push('@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node');
  for (const pkg of packages) {
    const version = packageVersion(pkg);
    if (version) found[pkg] = version;
  }
  return found;
}

/**
 * Starts the best available backend (or the one asked for) and makes it
 * TensorFlow.js's current backend. Safe to call repeatedly: later calls
 * return the first choice unless a different backend is requested.
 *
 * @param options.backend - force this backend; defaults to `COURSE_BACKEND`.
 * @throws BackendUnavailableError when a forced backend cannot start.
 */
export async function initBackend(options: { backend?: BackendName } = {}): Promise<BackendChoice> {
  return choice.init(options.backend ?? requestedBackend());
}

async function chooseBackend(wanted: BackendName | undefined): Promise<BackendChoice> {
  if (wanted) {
    const probe = await STARTERS[wanted]();
    if (!probe.available)
      throw new BackendUnavailableError(wanted, `${probe.detail}. To use it: ${INSTALL_HINT[wanted]}.`);
    return {
      name: wanted,
      forced: true,
      reason: `${wanted}: requested (${BACKEND_ENV_VAR} or the caller); ${probe.detail}`,
      probes: [probe],
      versions: versions(wanted),
    };
  }
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_ORDER) {
    const probe = await STARTERS[name]();
    probes.push(probe);
    if (probe.available) {
      const passed = probes.filter((p) => !p.available).map((p) => `${p.name} unavailable (${p.detail})`);
      const reason = [`${name}: ${probe.detail}`, ...passed].join('; ');
      return { name, forced: false, reason, probes, versions: versions(name) };
    }
  }
  throw new Error(
    `No TensorFlow.js backend could start: ${probes.map((p) => `${p.name}: ${p.detail}`).join('; ')}`,
  );
}

const choice = rememberedChoice<BackendName>(chooseBackend);

/** The backend chosen by the last {@link initBackend}, if any. */
export function currentBackend(): BackendChoice | undefined {
  return choice.current();
}

/** One line per fact: the backend, the reason and the versions, for notebooks and `npm run doctor`. */
export function describeBackend(choice: BackendChoice): string[] {
  const lines = [`backend: ${choice.name}${choice.forced ? ' (forced)' : ''}`, `why: ${choice.reason}`];
  for (const [pkg, version] of Object.entries(choice.versions)) lines.push(`${pkg}: ${version}`);
  return lines;
}
