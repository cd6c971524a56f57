// A kernel worker that cannot start (here: given something that is not a WebAssembly module)
// must not end the process with an unhandled error; every chunk then runs on this thread.
import { describe, expect, it } from 'vitest';
import { startKernelWorker } from '../../../../lib/engine/kernels/kernel-worker';

const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => object } }).WebAssembly;

describe('a kernel worker that fails to start', () => {
  it('leaves every chunk of the range to the calling thread', async () => {
    const ran: string[] = [];
    const memory = new wasm.Memory({ initial: 1, maximum: 1, shared: true });
    const worker = startKernelWorker({ not: 'a module' }, memory, ['half'], (name, args) => void ran.push(`${name}(${args.join(',')}) here`));
    await new Promise((resolve) => setTimeout(resolve, 500)); // long enough for it to have failed
    expect(worker.ready).toBe(false);
    // Rows [0, 40) in chunks of 3 (a sixteenth, rounded up), the first chunk told to zero.
    const shares = worker.share('half', [7, 0, 0, 9], [8, 0, 0, 9], { firstAt: 1, endAt: 2, low: 0, high: 40, zero: { at: 3, everyChunk: false } });
    expect(shares).toEqual({ here: 14, worker: 0 });
    expect(ran[0]).toBe('half(8,0,3,1) here');
    expect(ran[1]).toBe('half(8,3,6,0) here');
    expect(ran.at(-1)).toBe('half(8,39,40,0) here');
    expect(worker.jobs).toBe(0);
    expect(() => worker.share('other', [], [], { firstAt: 0, endAt: 1, low: 0, high: 1 })).toThrow(/cannot run other/);
  });
});
