// Choosing the thread pool per kernel: reading the pool global's address from
// a wasm binary (checked on a module assembled by hand here), and which kernel
// calls count as large (multiply-adds computed by hand).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  firstLoadAddress,
  runLargeKernelsInParallel,
  splitThreadPools,
  type ThreadPoolSwitch,
} from '../../../lib/engine/thread-pools';
import { PARALLEL_WORK_THRESHOLD } from '../../../lib/engine/thresholds';

// (module (import "env" "f" (func)) (import "env" "m" (memory 1))
//   (func (export "a") (result i32) i32.const 42)
//   (func (export "g") (result i32) (local i32) i32.const 1000 i32.load offset=4))
const HAND_MADE = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7f, // type 0: () -> i32
  0x02,
  0x12,
  0x02,
  0x03,
  0x65,
  0x6e,
  0x76,
  0x01,
  0x66,
  0x00,
  0x00,
  0x03,
  0x65,
  0x6e,
  0x76,
  0x01,
  0x6d,
  0x02,
  0x00,
  0x01,
  0x03,
  0x03,
  0x02,
  0x00,
  0x00, // two functions of type 0
  0x07,
  0x09,
  0x02,
  0x01,
  0x61,
  0x00,
  0x01,
  0x01,
  0x67,
  0x00,
  0x02,
  0x0a,
  0x11,
  0x02,
  0x04,
  0x00,
  0x41,
  0x2a,
  0x0b,
  0x0a,
  0x01,
  0x01,
  0x7f,
  0x41,
  0xe8,
  0x07,
  0x28,
  0x02,
  0x04,
  0x0b,
]);

// WebAssembly is a global of Node; the project's type library (ES2022, no DOM) does not declare it.
const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } })
  .WebAssembly;

describe('firstLoadAddress', () => {
  it('reads i32.const + load offset at the start of an exported function', () => {
    expect(wasmApi.validate(HAND_MADE)).toBe(true);
    expect(firstLoadAddress(HAND_MADE, 'g')).toBe(1004);
  });

  it('refuses a function that does not start by loading from a constant address, or a missing export', () => {
    expect(() => firstLoadAddress(HAND_MADE, 'a')).toThrow('a does not load from a constant address');
    expect(() => firstLoadAddress(HAND_MADE, 'missing')).toThrow('no exported function missing');
    expect(() => firstLoadAddress(Uint8Array.from([1, 2, 3, 4]), 'g')).toThrow('not a WebAssembly binary');
  });
});

// HAND_MADE with `g` exported as `get_threads_count` (the export section, from byte 40, rewritten).
const WITH_GET_THREADS_COUNT = Uint8Array.from([
  ...HAND_MADE.subarray(0, 40),
  ...[0x07, 25, 0x02, 0x01, 0x61, 0x00, 0x01, 17],
  ...new TextEncoder().encode('get_threads_count'),
  ...[0x00, 0x02],
  ...HAND_MADE.subarray(51),
]);

/**
 * A stand-in for the threaded module as far as the switch sees it: its pool global is the
 * word at byte `globalAt` of the heap; `get_threads_count` reads the pool there (a null
 * pool counts -1, as tfjs's threaded build says); `init_with_threads_count` puts a new pool there.
 */
function fakeModule(globalAt: number, threads: number) {
  const HEAPU32 = new Uint32Array(1024).fill(0xabc); // other data of the heap
  const pools = new Map<number, number>([[7, threads]]);
  HEAPU32[globalAt >>> 2] = 7;
  let created = 0;
  return {
    HEAPU32,
    created: () => created,
    tfjs: {
      getThreadsCount: () => {
        const pool = HEAPU32[globalAt >>> 2]!;
        return pool === 0 ? -1 : pools.get(pool)!;
      },
      initWithThreadsCount: (n: number) => {
        const id = 100 + ++created;
        pools.set(id, n);
        HEAPU32[globalAt >>> 2] = id;
      },
    },
  };
}

describe('splitThreadPools', () => {
  it('makes a one-thread pool the default and puts the full pool back in place around parallel work', () => {
    // HAND_MADE's `g` loads from 1004: the module's global is read there.
    const module = fakeModule(1004, 3);
    expect(wasmApi.validate(WITH_GET_THREADS_COUNT)).toBe(true);
    const pools = splitThreadPools(module, WITH_GET_THREADS_COUNT);
    expect(pools.threads).toBe(3);
    expect(module.created()).toBe(1);
    expect(module.tfjs.getThreadsCount()).toBe(1);
    expect(pools.parallel(() => module.tfjs.getThreadsCount())).toBe(3);
    expect(pools.parallel(() => pools.parallel(() => 0) + module.tfjs.getThreadsCount())).toBe(3);
    expect(module.tfjs.getThreadsCount()).toBe(1);
  });

  it('keeps the full pool, creating nothing, when the binary points elsewhere than the global', () => {
    const module = fakeModule(2000, 2);
    expect(() => splitThreadPools(module, WITH_GET_THREADS_COUNT)).toThrow(
      'the threadpool global is not where the module reads it',
    );
    expect(module.created()).toBe(0);
    expect(module.tfjs.getThreadsCount()).toBe(2);
    expect(module.HEAPU32[1004 >>> 2]).toBe(0xabc); // the word it tried is as it was
  });

  it('refuses a module with one thread, and a binary whose export does not read the global', () => {
    expect(() => splitThreadPools(fakeModule(1004, 1), WITH_GET_THREADS_COUNT)).toThrow(
      'unexpected threadpool state (1 threads)',
    );
    const module = fakeModule(1004, 2);
    expect(() => splitThreadPools(module, HAND_MADE)).toThrow('no exported function get_threads_count');
    expect(module.tfjs.getThreadsCount()).toBe(2);
  });
});

describe('runLargeKernelsInParallel', () => {
  // A backend of its own, so that the real ones are untouched.
  const backendName = 'thread-pool-test';
  const calls: string[] = [];
  const pools: ThreadPoolSwitch = {
    threads: 2,
    parallel: (work) => {
      calls.push('parallel');
      return work();
    },
  };
  const output = { dataId: {}, shape: [1], dtype: 'float32' } as unknown as tf.TensorInfo;
  for (const kernelName of ['Conv2D', 'BatchMatMul']) {
    tf.registerKernel({ kernelName, backendName, kernelFunc: () => (calls.push(kernelName), output) });
  }
  const wrapped = runLargeKernelsInParallel(backendName, pools);
  const run = (
    kernelName: string,
    inputs: Record<string, { shape: number[] }>,
    attrs: Record<string, unknown>,
  ) => {
    calls.length = 0;
    tf.getKernel(kernelName, backendName)!.kernelFunc({
      inputs: inputs as never,
      attrs: attrs as never,
      backend: {} as never,
    });
    return [...calls];
  };

  it('wraps only the kernels the backend has', () => {
    expect(wrapped.sort()).toEqual(['BatchMatMul', 'Conv2D']);
  });

  it('runs a convolution above the threshold on the full pool and a small one inline', () => {
    // 4·32·32 output positions × 3·3·16·32 weights = 18,874,368 multiply-adds.
    expect(4 * 32 * 32 * 3 * 3 * 16 * 32).toBeGreaterThan(PARALLEL_WORK_THRESHOLD);
    expect(
      run('Conv2D', { x: { shape: [4, 32, 32, 16] }, filter: { shape: [3, 3, 16, 32] } }, { strides: 1 }),
    ).toEqual(['parallel', 'Conv2D']);
    // Stride 2 quarters the output: 4·16·16 × 3·3·16·32 = 4,718,592, still large.
    expect(
      run(
        'Conv2D',
        { x: { shape: [4, 32, 32, 16] }, filter: { shape: [3, 3, 16, 32] } },
        { strides: [2, 2] },
      ),
    ).toEqual(['parallel', 'Conv2D']);
    // 8·8 × 3·3·4·4 = 9,216.
    expect(
      run('Conv2D', { x: { shape: [1, 8, 8, 4] }, filter: { shape: [3, 3, 4, 4] } }, { strides: 1 }),
    ).toEqual(['Conv2D']);
  });

  it('counts a matrix product as batch × M × K × N, with either operand transposed', () => {
    // 64×400 · 400×120 = 3,072,000: large. 64×84 · 84×10 = 53,760: small.
    expect(run('BatchMatMul', { a: { shape: [1, 64, 400] }, b: { shape: [1, 400, 120] } }, {})).toEqual([
      'parallel',
      'BatchMatMul',
    ]);
    expect(
      run('BatchMatMul', { a: { shape: [1, 64, 400] }, b: { shape: [1, 120, 400] } }, { transposeB: true }),
    ).toEqual(['parallel', 'BatchMatMul']);
    expect(run('BatchMatMul', { a: { shape: [1, 64, 84] }, b: { shape: [1, 84, 10] } }, {})).toEqual([
      'BatchMatMul',
    ]);
  });
});
