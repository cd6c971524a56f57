/**
 * Threads only where they pay: large convolutions and matrix products.
 *
 * Every XNNPACK call of the threaded wasm build goes through one pthreadpool,
 * held in a global of the module. Waking the pool's workers and waiting for
 * them costs tens of microseconds per call, more than the work of a small
 * kernel: a LeNet-5 training step (hundreds of small kernels) runs about 20%
 * slower on two threads than on one, while a VGG step (large convolutions)
 * runs 1.5x faster. So the course keeps two pools, the full one and a
 * one-thread pool that runs inline, and points the global at the full pool
 * only for the duration of a kernel whose work is large.
 *
 * The global's address is read from the module's own code: the exported
 * `get_threads_count` begins by loading it. The switch is checked (through
 * that same export) before it is used; when anything does not match, the
 * module keeps the full pool for every kernel.
 *
 * This module takes the binary's bytes and imports nothing from Node: Node's
 * start (lib/engine/backend) reads the file from the package, the page
 * (web/browser/backend) fetches the one it instantiates.
 */
import * as tf from '@tensorflow/tfjs';
import { wrapKernel } from './kernels/registry';
import { PARALLEL_WORK_THRESHOLD } from './thresholds';

/** The parts of the threaded emscripten module (the wasm backend's `wasm`) this uses. */
export interface ThreadedModule {
  HEAPU32: Uint32Array;
  tfjs: { initWithThreadsCount(n: number): void; getThreadsCount(): number };
}

// ---- reading the address of the threadpool global from the wasm binary ----

/** Reads a LEB128 number (unsigned, or two's-complement signed) at `at`: [value, next position]. */
function readLeb(bytes: Uint8Array, at: number, signed = false): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [signed && byte & 0x40 ? value - 2 ** shift : value, at];
  }
}

function skipLimits(bytes: Uint8Array, at: number): number {
  const flags = bytes[at++]!;
  at = readLeb(bytes, at)[1];
  return flags & 1 ? readLeb(bytes, at)[1] : at;
}

/**
 * The memory address that the exported function `exportName` loads first,
 * when its body starts with `i32.const A; i32.load offset=O` (returns A + O).
 *
 * @throws Error when the binary or the function does not have that shape.
 */
export function firstLoadAddress(wasm: Uint8Array, exportName: string): number {
  if (wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d)
    throw new Error('not a WebAssembly binary');
  const sections = new Map<number, number>();
  for (let at = 8; at < wasm.length;) {
    const id = wasm[at++]!;
    const [size, start] = readLeb(wasm, at);
    if (!sections.has(id)) sections.set(id, start);
    at = start + size;
  }
  let importedFunctions = 0;
  const imports = sections.get(2);
  if (imports !== undefined) {
    let [count, at] = readLeb(wasm, imports);
    for (; count > 0; count--) {
      for (let name = 0; name < 2; name++) {
        const [length, next] = readLeb(wasm, at);
        at = next + length;
      }
      const kind = wasm[at++]!;
      if (kind === 0) {
        at = readLeb(wasm, at)[1];
        importedFunctions++;
      } else if (kind === 1) at = skipLimits(wasm, at + 1);
      else if (kind === 2) at = skipLimits(wasm, at);
      else if (kind === 3) at += 2;
      else if (kind === 4) at = readLeb(wasm, at + 1)[1];
      else throw new Error(`unknown import kind ${kind}`);
    }
  }
  const exports = sections.get(7);
  if (exports === undefined) throw new Error('no export section');
  let functionIndex = -1;
  let [count, at] = readLeb(wasm, exports);
  for (; count > 0; count--) {
    const [length, nameStart] = readLeb(wasm, at);
    const name = new TextDecoder().decode(wasm.subarray(nameStart, nameStart + length));
    const kind = wasm[nameStart + length]!;
    const [index, next] = readLeb(wasm, nameStart + length + 1);
    at = next;
    if (kind === 0 && name === exportName) functionIndex = index;
  }
  if (functionIndex < importedFunctions) throw new Error(`no exported function ${exportName}`);
  const code = sections.get(10);
  if (code === undefined) throw new Error('no code section');
  [count, at] = readLeb(wasm, code);
  for (let i = 0; i < functionIndex - importedFunctions; i++) {
    const [size, start] = readLeb(wasm, at);
    at = start + size;
  }
  at = readLeb(wasm, at)[1]; // body size
  let [localGroups, next] = readLeb(wasm, at);
  for (at = next; localGroups > 0; localGroups--) at = readLeb(wasm, at)[1] + 1;
  if (wasm[at] !== 0x41) throw new Error(`${exportName} does not start with i32.const`);
  const [base, afterConst] = readLeb(wasm, at + 1, true);
  if (wasm[afterConst] !== 0x28) throw new Error(`${exportName} does not load from a constant address`);
  const [, afterAlign] = readLeb(wasm, afterConst + 1);
  const [offset] = readLeb(wasm, afterAlign);
  return base + offset;
}

// ---- the two pools ----

/** Points the module's threadpool global at one pool or the other. */
export interface ThreadPoolSwitch {
  /** Threads of the full pool. */
  readonly threads: number;
  /** Runs `work` with the full pool, then puts back the pool that was in place. */
  parallel<T>(work: () => T): T;
}

/**
 * Creates the one-thread pool next to the full one the backend made, makes it
 * the default, and returns the switch; checks the switch through the module's
 * `get_threads_count` first.
 *
 * @param module the threaded emscripten module the wasm backend started.
 * @param wasmBinary the bytes of the .wasm file that module was instantiated from.
 * @throws Error (leaving the full pool in place) when the module or the binary does not match.
 */
export function splitThreadPools(module: ThreadedModule, wasmBinary: Uint8Array): ThreadPoolSwitch {
  const slot = firstLoadAddress(wasmBinary, 'get_threads_count') >>> 2;
  const threads = module.tfjs.getThreadsCount();
  const full = module.HEAPU32[slot]!;
  if (full === 0 || threads < 2) throw new Error(`unexpected threadpool state (${threads} threads)`);
  // First, without creating anything: with no pool in the slot (null), the module's count
  // must change (tfjs's build then says -1). Where the slot is not the global, the count
  // stays, the word is put back, and the module keeps its full pool.
  module.HEAPU32[slot] = 0;
  const withoutPool = module.tfjs.getThreadsCount();
  module.HEAPU32[slot] = full;
  if (withoutPool === threads || module.tfjs.getThreadsCount() !== threads)
    throw new Error('the threadpool global is not where the module reads it');
  module.tfjs.initWithThreadsCount(1); // a new one-thread pool becomes the global
  const single = module.HEAPU32[slot]!;
  module.HEAPU32[slot] = full;
  if (single === full || module.tfjs.getThreadsCount() !== threads)
    throw new Error('the one-thread pool did not take the global');
  module.HEAPU32[slot] = single;
  if (module.tfjs.getThreadsCount() !== 1) {
    module.HEAPU32[slot] = full;
    throw new Error('the one-thread pool does not count one thread');
  }
  return {
    threads,
    parallel<T>(work: () => T): T {
      // HEAPU32 is read each time: a grown heap gets a new view.
      const before = module.HEAPU32[slot]!;
      module.HEAPU32[slot] = full;
      try {
        return work();
      } finally {
        module.HEAPU32[slot] = before;
      }
    },
  };
}

// ---- which kernels are large ----

const size = tf.util.sizeFromShape;
const strideOf = (attrs: tf.NamedAttrMap) => {
  const s = attrs.strides as number | [number, number] | undefined;
  return s === undefined ? 1 : typeof s === 'number' ? s * s : s[0] * s[1];
};

type Work = (inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap) => number;
// Output positions × filter taps × input channels (the filter holds KH·KW·Ci·Co).
const convWork: Work = ({ x, filter }, attrs) =>
  (size(x!.shape) / x!.shape[3]! / strideOf(attrs)) * size(filter!.shape);
const depthwiseWork: Work = ({ x, filter }, attrs) =>
  (size(x!.shape) / strideOf(attrs)) * size(filter!.shape.slice(0, 2)) * (filter!.shape[3] ?? 1);
// batch × M × K × N: a's elements times b's free dimension.
const matMulWork: Work = ({ a, b }, attrs) =>
  size(a!.shape) * b!.shape[b!.shape.length - (attrs.transposeB ? 2 : 1)]!;

/** Multiply-adds of a kernel call, by kernel name, from its input shapes and attributes. */
const WORK: Record<string, Work> = {
  Conv2D: convWork,
  FusedConv2D: convWork,
  Conv2DBackpropInput: ({ dy, filter }) => (size(dy!.shape) / dy!.shape[3]!) * size(filter!.shape),
  Conv2DBackpropFilter: ({ dy }, attrs) =>
    (size(dy!.shape) / dy!.shape[3]!) * size(attrs.filterShape as number[]),
  DepthwiseConv2dNative: depthwiseWork,
  FusedDepthwiseConv2D: depthwiseWork,
  BatchMatMul: matMulWork,
  _FusedMatMul: matMulWork,
};

/**
 * Wraps the backend's large-work kernels so that calls above
 * {@link PARALLEL_WORK_THRESHOLD} multiply-adds run on the full pool.
 *
 * @returns the names of the kernels wrapped.
 */
export function runLargeKernelsInParallel(backendName: string, pools: ThreadPoolSwitch): string[] {
  return Object.entries(WORK)
    .filter(([kernelName, work]) =>
      wrapKernel(
        kernelName,
        backendName,
        (inner) => (args) =>
          work(args.inputs as Record<string, tf.TensorInfo>, args.attrs as tf.NamedAttrMap) >=
          PARALLEL_WORK_THRESHOLD
            ? pools.parallel(() => inner(args))
            : inner(args),
      ),
    )
    .map(([kernelName]) => kernelName);
}
