// The site build running notebooks side by side, with fake notebook runs (no kernels): the
// longest recorded start first, at most `jobs` at once, each kernel on its part of the threads,
// the reports (and so the pages and the failure summary) in syllabus order.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotebookReport } from '../../tools/nbconvert-ts/execute';
import { defaultJobs, executeCourse, failureSummary, type executeCourseNotebook } from '../../tools/site-build';
import { fakeRuns, settle } from './fake-runs';

const work = mkdtempSync(join(tmpdir(), 'site-build-jobs-'));
const timesFile = join(work, 'run-times.json');
writeFileSync(timesFile, JSON.stringify({ full: { '00-a.ipynb': 20, '01-b.ipynb': 300, '02-c.ipynb': 90 } }));
const notebooks = ['00-a', '01-b', '02-c', '03-new'].map((n) => join(work, `${n}.ipynb`));

function report(notebook: string, status: NotebookReport['status'], seconds: number): NotebookReport {
  return { notebook, status, exitCode: status === 'ok' ? 0 : 1, seconds, cached: false, cells: [] };
}

/** A fake notebook run that ends when the test says, recording the environment it was given. */
function fakeExecute() {
  const fake = fakeRuns<NotebookReport>();
  const envs: Array<Record<string, string> | undefined> = [];
  const execute: typeof executeCourseNotebook = (notebook, _profile, _dir, onCell, env) => {
    envs.push(env);
    onCell?.(1, 3);
    return fake.run(notebook);
  };
  return { fake, envs, execute };
}

let savedThreads: string | undefined;
beforeEach(() => {
  savedThreads = process.env.COURSE_WASM_THREADS;
  delete process.env.COURSE_WASM_THREADS;
});
afterEach(() => {
  if (savedThreads === undefined) delete process.env.COURSE_WASM_THREADS;
  else process.env.COURSE_WASM_THREADS = savedThreads;
});

describe('the site build with two notebooks at once', () => {
  it('starts the longest recorded first, two at a time, and reports in syllabus order', async () => {
    const { fake, envs, execute } = fakeExecute();
    const written: string[] = [];
    const progress = { write: (t: string) => written.push(t), isTTY: false };
    const run = executeCourse('full', join(work, 'out'), { notebooks, jobs: 2, progress, timesFile, execute });
    await settle();
    const [a, b, c, added] = notebooks as [string, string, string, string];
    // 300 s, then 90 s; the unrecorded one counts as the median (90 s) and comes after 02-c.
    expect(fake.running()).toEqual([b, c]);
    await fake.end(c, report(c, 'cell-failed', 95));
    expect(fake.running()).toEqual([b, added]);
    await fake.end(added, report(added, 'ok', 40));
    expect(fake.running()).toEqual([b, a]);
    await fake.end(a, report(a, 'ok', 21));
    await fake.end(b, report(b, 'ok', 310));
    const reports = await run;
    expect(fake.most()).toBe(2);
    expect(reports.map((r) => [r.notebook, r.status])).toEqual([
      [a, 'ok'],
      [b, 'ok'],
      [c, 'cell-failed'],
      [added, 'ok'],
    ]);
    // Counters say the order of starts; the lines come as notebooks end.
    expect(written.join('')).toBe(
      [
        `FAILED [2/4] ${c} 95.0 s`,
        `ok     [3/4] ${added} 40.0 s`,
        `ok     [4/4] ${a} 21.0 s`,
        `ok     [1/4] ${b} 310.0 s`,
        '',
      ].join('\n'),
    );
    const summary = failureSummary(reports.filter((r) => r.status !== 'ok'), 4, join(work, 'out'), 'full');
    expect(summary).toContain('1 of 4 notebook(s) failed');
    expect(summary).toMatch(/rerun just it: npm run nbconvert-ts -- execute \S*02-c\.ipynb --out-dir \S*out/);
    // Each kernel gets its part of the machine's wasm threads (at least one).
    const share = String(Math.max(1, Math.floor(Math.min(8, availableParallelism()) / 2)));
    expect(envs).toEqual(new Array(4).fill({ COURSE_WASM_THREADS: share }));
  });

  it('leaves a thread count set in the environment to the kernels, and runs one at a time in syllabus order with jobs 1', async () => {
    process.env.COURSE_WASM_THREADS = '2';
    const { fake, envs, execute } = fakeExecute();
    const progress = { write: () => {}, isTTY: false };
    const run = executeCourse('full', join(work, 'out'), { notebooks, jobs: 2, progress, timesFile, execute });
    await settle();
    expect(envs).toEqual([undefined, undefined]);
    for (const n of fake.running()) await fake.end(n, report(n, 'ok', 1));
    for (const n of fake.running()) await fake.end(n, report(n, 'ok', 1));
    await run;
    const serial = fakeExecute();
    const one = executeCourse('full', join(work, 'out'), {
      notebooks,
      jobs: 1,
      progress,
      timesFile,
      execute: serial.execute,
    });
    for (const n of notebooks) {
      await settle();
      expect(serial.fake.running()).toEqual([n]);
      await serial.fake.end(n, report(n, 'ok', 1));
    }
    await one;
    expect(serial.envs).toEqual(new Array(4).fill(undefined));
  });

  it('runs two at once by default where there are two cores or more', () => {
    expect(defaultJobs(1)).toBe(1);
    expect(defaultJobs(2)).toBe(2);
    expect(defaultJobs(16)).toBe(2);
  });
});
