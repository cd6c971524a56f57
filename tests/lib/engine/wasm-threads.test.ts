// The threaded wasm build under Node: thread count from the environment, the
// pool really running, results equal to the cpu backend's, and a process that
// still exits by itself once its work is done.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../lib/paths';
import { WASM_THREADS_ENV_VAR, wantedWasmThreads } from '../../../lib/engine/wasm-threads';

describe('wantedWasmThreads', () => {
  it('takes every core this process may use, at most 8, unless told otherwise', () => {
    expect(wantedWasmThreads({})).toBe(Math.min(availableParallelism(), 8));
    expect(wantedWasmThreads({ [WASM_THREADS_ENV_VAR]: ' 3 ' })).toBe(3);
    expect(wantedWasmThreads({ [WASM_THREADS_ENV_VAR]: '1' })).toBe(1);
    expect(wantedWasmThreads({ [WASM_THREADS_ENV_VAR]: '64' })).toBe(8);
  });

  it('rejects a value that is not a whole number of threads', () => {
    for (const bad of ['0', '-2', '1.5', 'many']) {
      expect(() => wantedWasmThreads({ [WASM_THREADS_ENV_VAR]: bad })).toThrow(
        `${WASM_THREADS_ENV_VAR}=${bad} is not a thread count`,
      );
    }
  });
});

/** Runs the child script with the given thread setting; fails if it does not end within a minute. */
function runChild(threads: string): {
  threads: number;
  idlePool: number;
  detail: string;
  kernelsKept: boolean;
  maxError: number;
} {
  const tsx = join(projectRoot(), 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = spawnSync(
    process.execPath,
    [tsx, join(projectRoot(), 'tests', 'lib', 'engine', 'wasm-child.ts')],
    {
      cwd: projectRoot(),
      env: { ...process.env, COURSE_BACKEND: 'wasm', [WASM_THREADS_ENV_VAR]: threads },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(result.signal, `the child did not exit by itself: ${result.stderr}`).toBeNull();
  expect(result.status, result.stderr).toBe(0);
  const last = result.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last);
}

describe('the threaded wasm build', () => {
  it('runs large kernels on two threads, small ones inline, matches the cpu backend and lets the process exit', () => {
    const found = runChild('2');
    expect(found.threads).toBe(2);
    expect(found.detail).toContain('2 threads for large convolutions and matrix products');
    expect(found.idlePool).toBe(1); // between kernels the one-thread pool is in place
    expect(found.kernelsKept).toBe(true);
    expect(found.maxError).toBeLessThan(1e-4);
  });

  it('falls back to the single-threaded build when asked for one thread', () => {
    const found = runChild('1');
    expect(found.threads).toBe(1);
    expect(found.idlePool).toBe(1);
    expect(found.detail).toContain('1 thread)');
    expect(found.maxError).toBeLessThan(1e-4);
  });
});
