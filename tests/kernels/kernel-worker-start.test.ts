// A kernel worker that cannot start (here: given something that is not a WebAssembly module)
// must not end the process with an unhandled error; every part then runs on this thread.
import { describe, expect, it } from 'vitest';
import { startKernelWorker } from '../../lib/kernels/kernel-worker';

const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => object } }).WebAssembly;

describe('a kernel worker that fails to start', () => {
  it('leaves both parts of each split to the calling thread', async () => {
    const ran: string[] = [];
    const memory = new wasm.Memory({ initial: 1, maximum: 1, shared: true });
    const worker = startKernelWorker({ not: 'a module' }, memory, ['half'], (name, args) => ran.push(`${name}(${args.join(',')}) here`));
    await new Promise((resolve) => setTimeout(resolve, 500)); // long enough for it to have failed
    expect(worker.ready).toBe(false);
    worker.split('half', [2, 3], () => ran.push('main part'));
    expect(ran).toEqual(['main part', 'half(2,3) here']);
    expect(worker.jobs).toBe(0);
    expect(() => worker.split('other', [], () => undefined)).toThrow(/cannot run other/);
  });
});
