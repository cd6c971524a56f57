/**
 * Conv2DBackpropFilter on the wasm backend as one WebAssembly SIMD function of
 * the course's own (lib/kernels/wasm/filter-grad.c), run on the backend's heap.
 *
 * Through XNNPACK the filter gradient is a convolution of the transposed input
 * with dy as its filter: a shape XNNPACK is slow at (a long reduction into a
 * small output), plus transposes and the repacking of dy on every call. The
 * course's function reads x and dy where they are (NHWC) and sums each tap's
 * products in registers: 22 GMAC/s on one thread, 2-3x the XNNPACK route on two
 * (a VGG layer 214 → ~110 ms, a U-Net layer 33 → 14 ms).
 */
import * as tf from '@tensorflow/tfjs';
import { WASM_KERNEL_BINARIES } from './wasm/binaries';
import type { WasmHeapBackend } from './wasm-heap';

type FilterGrad = (
  x: number, dy: number, dw: number,
  batch: number, height: number, width: number, inChannels: number,
  outHeight: number, outWidth: number, outChannels: number,
  filterHeight: number, filterWidth: number,
  strideHeight: number, strideWidth: number, padTop: number, padLeft: number,
) => void;

/** A WebAssembly memory, as far as this module uses it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The parts of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What the wasm backend exposes of its module: its memory, under one of two names. */
interface WasmModuleMemory {
  wasm: { wasmMemory?: unknown; asm?: { memory?: unknown } };
}

// Per memory: the function, or null where the module could not be instantiated (an engine
// without WebAssembly SIMD): the gradient then keeps the composed route.
const instances = new WeakMap<WasmMemory, FilterGrad | null>();

/**
 * The course's filter-gradient function instantiated on the memory of a wasm
 * backend (threaded builds share theirs, which the module must declare), or
 * undefined when the backend's memory cannot be found or the module not instantiated.
 */
export function filterGradOn(backend: unknown): FilterGrad | undefined {
  const module = (backend as Partial<WasmModuleMemory>).wasm;
  const memory = module?.wasmMemory ?? module?.asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) return undefined;
  let fn = instances.get(memory);
  if (fn === undefined) {
    const binaries = WASM_KERNEL_BINARIES['filter-grad']!;
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    try {
      const compiled = new wasmApi.Module(Buffer.from(shared ? binaries.shared : binaries.plain, 'base64'));
      fn = new wasmApi.Instance(compiled, { env: { memory } }).exports.filter_grad as FilterGrad;
    } catch {
      fn = null;
    }
    instances.set(memory, fn);
  }
  return fn ?? undefined;
}

/**
 * dW for x and dy on the wasm heap, or undefined where the function does not
 * apply (it needs float32 tensors, a multiple of 4 output channels and NHWC):
 * the caller then composes the gradient from the backend's ops.
 */
export function simdConv2dBackpropFilter(
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: unknown,
): tf.TensorInfo | undefined {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || outChannels % 4 !== 0 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const filterGrad = filterGradOn(backend);
  if (!filterGrad) return undefined;
  const heap = backend as WasmHeapBackend;
  const dw = heap.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  // Offsets after the allocation: growing the heap replaces its buffer (not the addresses).
  const [xs, dys, dws] = [x, dy, dw].map((t) => heap.typedArrayFromHeap(t)) as [Float32Array, Float32Array, Float32Array];
  dws.fill(0);
  if (xs.length > 0 && dys.length > 0) {
    filterGrad(
      xs.byteOffset, dys.byteOffset, dws.byteOffset,
      batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
      filterHeight, filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    );
  }
  return dw;
}
