// Kernels split over two threads: the course's worker on the threaded backend's shared heap
// (a child process with two wasm threads, since test files run one thread each) computes
// half of large convolutions (by images, or by rows of one image), filter gradients (into
// its own dW, then added), input gradients (by images, or for one image by rows of dy into
// its own dx, then added) and products a · bᵀ (by rows). Each must match the cpu backend,
// the worker must have run its part, and the process must still exit by itself.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../../lib/paths';
import { WASM_THREADS_ENV_VAR } from '../../../../lib/engine/wasm-threads';

describe('kernels split over two threads', () => {
  it('match the cpu backend, run half on the worker and let the process exit', () => {
    const tsx = join(projectRoot(), 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const result = spawnSync(process.execPath, [tsx, join(projectRoot(), 'tests', 'lib', 'engine', 'kernels', 'kernel-worker-child.ts')], {
      cwd: projectRoot(),
      env: { ...process.env, COURSE_BACKEND: 'wasm', [WASM_THREADS_ENV_VAR]: '2' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.signal, `the child did not exit by itself: ${result.stderr}`).toBeNull();
    expect(result.status, result.stderr).toBe(0);
    const found = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { ready: boolean; cases: Array<{ name: string; error: number; jobs: number; leaked: number }> };
    expect(found.ready).toBe(true);
    expect(found.cases).toHaveLength(6);
    for (const c of found.cases) {
      expect(c.error, c.name).toBeLessThan(1e-5);
      expect(c.jobs, c.name).toBe(c.name.includes('batch of 2') ? 2 : 1);
      expect(c.leaked, c.name).toBe(0);
    }
  });
});
