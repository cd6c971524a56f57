// The site build running notebooks side by side, with fake notebook runs (no kernels): the
// longest recorded start first, at most `jobs` at once, the reports (and so the pages and the
// failure summary) in syllabus order; each kernel's part of the threads.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NotebookReport } from '../../tools/nbconvert-ts/execute';
import {
  defaultJobs,
  executeCourse,
  failureSummary,
  shareWasmThreads,
  type executeCourseNotebook,
} from '../../tools/site-build';
import { fakeRuns, settle } from './fake-runs';

const work = mkdtempSync(join(tmpdir(), 'site-build-jobs-'));
const timesFile = join(work, 'run-times.json');
writeFileSync(timesFile, JSON.stringify({ full: { '00-a.ipynb': 20, '01-b.ipynb': 300, '02-c.ipynb': 90 } }));
const notebooks = ['00-a', '01-b', '02-c', '03-new'].map((n) => join(work, `${n}.ipynb`));

function report(notebook: string, status: NotebookReport['status'], seconds: number): NotebookReport {
  return { notebook, status, exitCode: status === 'ok' ? 0 : 1, seconds, cached: false, cells: [] };
}

/** A fake notebook run that ends when the test says. */
function fakeExecute() {
  const fake = fakeRuns<NotebookReport>();
  const execute: typeof executeCourseNotebook = (notebook, _profile, _dir, onCell) => {
    onCell?.(1, 3);
    return fake.run(notebook);
  };
  return { fake, execute };
}

describe('the site build with two notebooks at once', () => {
  it('starts the longest recorded first, two at a time, and reports in syllabus order', async () => {
    const { fake, execute } = fakeExecute();
    const written: string[] = [];
    const progress = { write: (t: string) => written.push(t), isTTY: false };
    const run = executeCourse('full', join(work, 'out'), {
      notebooks,
      jobs: 2,
      progress,
      timesFile,
      execute,
    });
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
    const summary = failureSummary(
      reports.filter((r) => r.status !== 'ok'),
      4,
      join(work, 'out'),
      'full',
    );
    expect(summary).toContain('1 of 4 notebook(s) failed');
    expect(summary).toMatch(/rerun just it: npm run nbconvert-ts -- execute \S*02-c\.ipynb --out-dir \S*out/);
  });

  it('runs one at a time in syllabus order with jobs 1', async () => {
    const serial = fakeExecute();
    const progress = { write: () => {}, isTTY: false };
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
    expect((await one).map((r) => r.notebook)).toEqual(notebooks);
  });

  it("gives each kernel its part of the machine's wasm threads, unless the thread count is set", () => {
    const env: NodeJS.ProcessEnv = {};
    const share = Math.max(1, Math.floor(Math.min(8, availableParallelism()) / 2));
    expect(shareWasmThreads(2, 14, env)).toBe(share);
    expect(env).toEqual({ COURSE_WASM_THREADS: String(share) });
    const set: NodeJS.ProcessEnv = { COURSE_WASM_THREADS: '2' };
    expect(shareWasmThreads(2, 14, set)).toBe(2);
    expect(set).toEqual({ COURSE_WASM_THREADS: '2' });
    const alone: NodeJS.ProcessEnv = {};
    expect(shareWasmThreads(1, 14, alone)).toBe(Math.min(8, availableParallelism()));
    expect(alone).toEqual({});
  });

  it('runs two at once by default where there are two cores or more', () => {
    expect(defaultJobs(1)).toBe(1);
    expect(defaultJobs(2)).toBe(2);
    expect(defaultJobs(16)).toBe(2);
  });
});
