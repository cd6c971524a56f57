// A kernel worker that cannot start (here: given something that is not a WebAssembly module)
// must not end the process with an unhandled error; every chunk then runs on this thread.
import { describe, expect, it } from 'vitest';
import { chunkPlan, runInChunks, startKernelWorker } from '../../../../lib/engine/kernels/kernel-worker';

const wasm = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => object };
  }
).WebAssembly;

describe('a kernel worker that fails to start', () => {
  it('leaves every chunk of the range to the calling thread', async () => {
    const ran: string[] = [];
    const memory = new wasm.Memory({ initial: 1, maximum: 1, shared: true });
    const worker = startKernelWorker(
      { not: 'a module' },
      memory,
      ['half'],
      (name, args) => void ran.push(`${name}(${args.join(',')}) here`),
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // long enough for it to have failed
    expect(worker.ready).toBe(false);
    // Rows [0, 40) in chunks of 3 (a sixteenth, rounded up), each told to zero its own output,
    // which lies 100 bytes after the previous chunk's.
    const range = { firstAt: 1, endAt: 2, low: 0, high: 40, zero: { at: 3 }, output: { at: 0, stride: 100 } };
    const shares = worker.share('half', [8, 0, 0, 0], range);
    expect(shares).toEqual({ here: 14, worker: 0 });
    expect(ran[0]).toBe('half(8,0,3,1) here');
    expect(ran[1]).toBe('half(108,3,6,1) here');
    expect(ran.at(-1)).toBe('half(1308,39,40,1) here');
    expect(ran).toHaveLength(14);
    expect(worker.jobs).toBe(0);
    // One thread without a worker runs the very same chunks, in order.
    const alone: string[] = [];
    expect(
      runInChunks((...args) => void alone.push(`half(${args.join(',')}) here`), [8, 0, 0, 0], range),
    ).toBe(14);
    expect(alone).toEqual(ran);
    expect(() => worker.share('other', [], { firstAt: 0, endAt: 1, low: 0, high: 1 })).toThrow(
      /cannot run other/,
    );
  });
});

describe('the chunks of a range', () => {
  it('depend on its length and the chunks asked for only', () => {
    const range = (low: number, high: number, chunks?: number) => ({
      firstAt: 0,
      endAt: 1,
      low,
      high,
      chunks,
    });
    expect(chunkPlan(range(0, 40))).toEqual({ size: 3, count: 14 }); // 16 wanted: 13 of 3 and one of 1
    expect(chunkPlan(range(100, 140))).toEqual({ size: 3, count: 14 });
    expect(chunkPlan(range(0, 10, 8))).toEqual({ size: 2, count: 5 }); // 8 wanted, 5 fit
    expect(chunkPlan(range(0, 3, 8))).toEqual({ size: 1, count: 3 });
    expect(chunkPlan(range(0, 64, 8))).toEqual({ size: 8, count: 8 });
    expect(chunkPlan(range(5, 5))).toEqual({ size: 1, count: 0 });
  });
});
