/**
 * The course's own WebAssembly SIMD kernels (C in lib/engine/kernels/wasm, built into
 * one module by tools/build-wasm-kernels.ts), instantiated on the memory of a
 * wasm backend so that they read and write tensors where the backend keeps them.
 *
 * Pointer arguments are byte offsets into that memory (a heap view's
 * `byteOffset`); counts and sizes are element counts.
 */
import type * as tf from '@tensorflow/tfjs';
import { startKernelWorker, type KernelWorker } from './kernel-worker';
import { WASM_KERNELS_MODULE } from './wasm/binaries';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * A convolution's geometry, in the order the module's convolution functions
 * take it after their pointers.
 */
export type ConvGeometry = [
  height: number,
  width: number,
  inChannels: number,
  outHeight: number,
  outWidth: number,
  outChannels: number,
  filterHeight: number,
  filterWidth: number,
  strideHeight: number,
  strideWidth: number,
  padTop: number,
  padLeft: number,
];

/** The geometry of `info` as the module's convolution functions take it. */
export function convGeometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return [
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** The functions the module exports (see each C file for what it computes). */
export interface CourseWasmKernels {
  /** lib/engine/kernels/wasm/conv2d.c: y = the convolution of x and w, images [firstImage, endImage) and rows [firstRow, endRow) of y. */
  conv2d(
    x: number,
    w: number,
    y: number,
    ...rest: [
      ...geometry: ConvGeometry,
      firstImage: number,
      endImage: number,
      firstRow: number,
      endRow: number,
    ]
  ): void;
  /** lib/engine/kernels/wasm/filter-grad.c: dw = the filter gradient of x and dy, rows [firstRow, endRow) of dy (row = b·OH + oh). */
  filter_grad(
    x: number,
    dy: number,
    dw: number,
    ...rest: [...geometry: ConvGeometry, firstRow: number, endRow: number, zeroFirst: number]
  ): void;
  /** lib/engine/kernels/wasm/input-grad.c: dx = the input gradient of dy through w (wt: w as [KH, KW, Co, Ci]), for images [firstImage, endImage) and rows [firstRow, endRow) of dy. */
  input_grad(
    dy: number,
    w: number,
    wt: number,
    dx: number,
    ...rest: [
      ...geometry: ConvGeometry,
      firstImage: number,
      endImage: number,
      firstRow: number,
      endRow: number,
      zeroFirst: number,
    ]
  ): void;
  /** lib/engine/kernels/wasm/matmul.c: rows [firstRow, endRow) of c = a · b, b [K, N], a(m, k) at a[m·ams + k·aks]. */
  matmul_kn(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    ams: number,
    aks: number,
    firstRow: number,
    endRow: number,
  ): void;
  /** lib/engine/kernels/wasm/matmul.c: rows [firstRow, endRow) of c = a · bᵀ, a [M, K], b [N, K]. */
  matmul_nt(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    firstRow: number,
    endRow: number,
  ): void;
  /** lib/engine/kernels/wasm/max-pool-grad.c: dx of a 2x2, stride-2 max pool inside the image. */
  max_pool_grad_2x2(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    outHeight: number,
    outWidth: number,
  ): void;
  /** lib/engine/kernels/wasm/sum-rows.c: out[c] = Σ_r x[r][c], in float64. */
  sum_rows(x: number, out: number, rows: number, cols: number): void;
  /** lib/engine/kernels/wasm/adam.c: one Adam step of n weights (constants in float32). */
  adam_update(
    x: number,
    g: number,
    m: number,
    v: number,
    xOut: number,
    mOut: number,
    vOut: number,
    n: number,
    beta1: number,
    beta2: number,
    keep1: number,
    keep2: number,
    correct1: number,
    correct2: number,
    epsilon: number,
    step: number,
  ): void;
  /** lib/engine/kernels/wasm/relu-grad.c: dx = dy · step(x). */
  relu_grad(dy: number, x: number, dx: number, n: number): void;
  /** lib/engine/kernels/wasm/relu-grad.c: dx = dy where x > 0, else slope · dy. */
  leaky_relu_grad(dy: number, x: number, dx: number, n: number, slope: number): void;
  /** lib/engine/kernels/wasm/leaky-relu.c: y = x < 0 ? alpha · x : x, in double. */
  leaky_relu(x: number, y: number, n: number, alpha: number): void;
  /**
   * lib/engine/kernels/wasm/batch-norm.c: y = offset[c] + (x − mean[c]) · scale[c] / √(variance[c] + ε)
   * in double (flags: 1 scale given, 2 offset given).
   */
  batch_norm(
    x: number,
    mean: number,
    variance: number,
    scale: number,
    offset: number,
    y: number,
    pixels: number,
    channels: number,
    epsilon: number,
    flags: number,
  ): void;
  /** lib/engine/kernels/wasm/batch-norm.c: dx = (dy · inv[c]) · scale[c] (scaled = 0: no scale). */
  batch_norm_grad_x(
    dy: number,
    inv: number,
    scale: number,
    dx: number,
    pixels: number,
    channels: number,
    scaled: number,
  ): void;
}

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

/** The module instantiated on one memory, and the worker started for it (if any). */
interface Loaded {
  kernels: CourseWasmKernels;
  module: object;
  memory: WasmMemory;
  shared: boolean;
  worker?: KernelWorker | null;
}

// Per memory: the instance, or null where the module could not be instantiated (an engine
// without WebAssembly SIMD): callers then keep their other route.
const loaded = new WeakMap<WasmMemory, Loaded | null>();

function load(backend: unknown): Loaded | undefined {
  const wasmModule = (backend as Partial<WasmModuleMemory>).wasm;
  const memory = wasmModule?.wasmMemory ?? wasmModule?.asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) return undefined;
  let entry = loaded.get(memory);
  if (entry === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    try {
      const module = new wasmApi.Module(
        Buffer.from(shared ? WASM_KERNELS_MODULE.shared : WASM_KERNELS_MODULE.plain, 'base64'),
      );
      const kernels = new wasmApi.Instance(module, { env: { memory } })
        .exports as unknown as CourseWasmKernels;
      entry = { kernels, module, memory, shared };
    } catch {
      entry = null;
    }
    loaded.set(memory, entry);
  }
  return entry ?? undefined;
}

/**
 * The course's kernels instantiated on the memory of a wasm backend (threaded
 * builds share theirs, which the module must declare), or undefined when the
 * backend has no such memory or the module cannot be instantiated.
 */
export function courseKernelsOn(backend: unknown): CourseWasmKernels | undefined {
  return load(backend)?.kernels;
}

// The backend's thread count, passed down once by registerCourseKernels (lib/engine/register-kernels)
// when the backend starts: 1 until then, i.e. no worker.
let threadsGiven = 1;

/** Sets the thread count the kernels may use (2 or more: a worker thread for large kernels). */
export function setCourseKernelThreads(threads: number): void {
  threadsGiven = threads;
}

/**
 * A worker thread running the course's kernels on the same memory, for kernels
 * that split their work in two; undefined for the single-threaded backend
 * (its memory is not shared) or when one thread was passed down
 * ({@link setCourseKernelThreads}, from `COURSE_WASM_THREADS=1`). Started on first use.
 */
export function courseWorkerOn(backend: unknown): KernelWorker | undefined {
  const entry = load(backend);
  if (!entry?.shared) return undefined;
  if (entry.worker === undefined) {
    const { kernels } = entry;
    const names = Object.keys(kernels).filter(
      (name) => typeof (kernels as unknown as Record<string, unknown>)[name] === 'function',
    );
    const runHere = (name: string, args: number[]) =>
      (kernels as unknown as Record<string, (...a: number[]) => void>)[name]!(...args);
    try {
      entry.worker = threadsGiven >= 2 ? startKernelWorker(entry.module, entry.memory, names, runHere) : null;
    } catch {
      entry.worker = null;
    }
  }
  return entry.worker ?? undefined;
}

/**
 * Byte offsets of tensors on the wasm heap, for the kernels' pointer arguments.
 * Take them after the kernel's last allocation: growing the heap replaces its
 * buffer (the offsets stay, but views of the old buffer go stale).
 */
export function heapOffsets(backend: unknown, ...tensors: tf.TensorInfo[]): number[] {
  const heap = backend as WasmHeapBackend;
  return tensors.map((t) => heap.typedArrayFromHeap(t).byteOffset);
}

/**
 * A kernel that writes one new float32 tensor of `shape` on the wasm heap: allocates it, then
 * runs `simd` with the byte offsets of `inputs` and of the output (0 for an absent input) where
 * the course's module loads, else `js` on float32 views of them (undefined for an absent input),
 * taken after the allocation since growing the heap replaces its buffer. An empty output is
 * returned as allocated.
 */
export function writeHeapOutput(
  backend: unknown,
  shape: readonly number[],
  inputs: readonly (tf.TensorInfo | undefined)[],
  simd: (kernels: CourseWasmKernels, offsets: number[], size: number) => void,
  js: (views: (Float32Array | undefined)[], out: Float32Array) => void,
): tf.TensorInfo {
  const heap = backend as WasmHeapBackend;
  const out = heap.makeOutput([...shape], 'float32');
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return out;
  const kernels = courseKernelsOn(backend);
  if (kernels) {
    const offsets = [...inputs, out].map((t) => (t ? heap.typedArrayFromHeap(t).byteOffset : 0));
    simd(kernels, offsets, size);
  } else {
    const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t) as Float32Array;
    js(
      inputs.map((t) => (t ? view(t) : undefined)),
      view(out),
    );
  }
  return out;
}
