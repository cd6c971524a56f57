// Same seed, same bits: a small conv net trained twice from one seed on two wasm threads
// (the course's worker takes chunks of the large kernels, XNNPACK's pool the large
// convolutions it runs) ends with bit-identical weights and predictions, and with the same
// bits as on one thread. Child processes, since the test files themselves run one thread each.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../../lib/paths';
import { WASM_THREADS_ENV_VAR } from '../../../../lib/engine/wasm-threads';

interface Runs {
  threads: number;
  ready: boolean;
  jobs: number;
  first: string;
  second: string;
  otherSeed: string;
}

// Asynchronous, so that vitest's worker keeps answering while the child trains.
async function train(threads: number): Promise<Runs> {
  const tsx = join(projectRoot(), 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [tsx, join(projectRoot(), 'tests', 'lib', 'engine', 'kernels', 'reproducible-training-child.ts')],
    {
      cwd: projectRoot(),
      env: { ...process.env, COURSE_BACKEND: 'wasm', [WASM_THREADS_ENV_VAR]: String(threads) },
      encoding: 'utf8',
      timeout: 150_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Runs;
}

describe('training on the wasm backend', () => {
  it('repeats bit for bit from one seed, on two threads as on one', async () => {
    const two = await train(2);
    expect(two.ready, 'the worker started').toBe(true);
    expect(two.jobs, 'the worker took part in the large kernels').toBeGreaterThan(10);
    expect(two.second, 'two runs on two threads').toBe(two.first);
    expect(two.otherSeed, 'another seed trains another net').not.toBe(two.first);
    const one = await train(1);
    expect(one.jobs).toBe(0);
    expect(one.second, 'two runs on one thread').toBe(one.first);
    expect(one.first, 'one thread gives the bits of two').toBe(two.first);
  }, 300_000);
});
