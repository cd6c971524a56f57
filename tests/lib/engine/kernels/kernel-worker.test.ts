// Kernels split over two threads: the course's worker on the threaded backend's shared heap
// (a child process with two wasm threads, since test files run one thread each) takes fixed
// chunks of large convolutions (by images, or by rows of one image), filter gradients (partial
// sums over chunks of dy's rows, added in chunk order), input gradients (by images, or for one
// image partial sums over chunks of dy's rows) and products a · bᵀ (by rows). Each must match
// the cpu backend, the worker must have run its part, the process must still exit by itself,
// and the bits must be the same on a second run and in a child with one thread.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../../lib/paths';
import { WASM_THREADS_ENV_VAR } from '../../../../lib/engine/wasm-threads';

interface Found {
  ready: boolean;
  cases: Array<{
    name: string;
    error: number;
    jobs: number;
    leaked: number;
    digest: string;
    repeats: boolean;
  }>;
}

// Asynchronous, so that vitest's worker keeps answering while the child runs.
async function runChild(threads: number, ...args: string[]): Promise<Found> {
  const tsx = join(projectRoot(), 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [tsx, join(projectRoot(), 'tests', 'lib', 'engine', 'kernels', 'kernel-worker-child.ts'), ...args],
    {
      cwd: projectRoot(),
      env: { ...process.env, COURSE_BACKEND: 'wasm', [WASM_THREADS_ENV_VAR]: String(threads) },
      encoding: 'utf8',
      // A child kept alive by the worker is killed here, and the test fails.
      timeout: 90_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Found;
}

describe('kernels split over two threads', () => {
  it('match the cpu backend, run half on the worker, let the process exit, and give the bits of one thread', async () => {
    const two = await runChild(2);
    expect(two.ready).toBe(true);
    expect(two.cases).toHaveLength(6);
    for (const c of two.cases) {
      expect(c.error, c.name).toBeLessThan(1e-5);
      expect(c.jobs, c.name).toBe(c.name.includes('batch of 2') ? 2 : 1);
      expect(c.leaked, c.name).toBe(0);
      expect(c.repeats, `${c.name}: a second run on two threads`).toBe(true);
    }
    const one = await runChild(1, '--bits-only');
    expect(one.ready).toBe(false);
    for (const [i, c] of one.cases.entries()) {
      expect(c.jobs, c.name).toBe(0);
      expect(c.digest, `${c.name}: one thread vs two`).toBe(two.cases[i]!.digest);
    }
  }, 200_000);
});
