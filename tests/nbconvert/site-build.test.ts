// The site build with a notebook that fails: its page shows the error where it happened under
// a banner, the others are published, and the summary says where the executed copy is and how
// to rerun just that notebook. (The progress lines are tested in progress.test.ts.)
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NotebookReport } from '../../tools/nbconvert-ts/execute';
import { executeCourse, failureSummary, pagesToPublish, writePages } from '../../tools/site-build';
import { fixture } from './fixtures';

const work = mkdtempSync(join(tmpdir(), 'site-build-'));
const executedDir = join(work, 'executed');
const dirs = { docs: join(work, 'docs'), assets: join(work, 'assets'), downloads: join(work, 'downloads') };
const written: string[] = [];
let reports: NotebookReport[] = [];
let failingPage = '';

beforeAll(async () => {
  const timesFile = join(work, 'run-times.json');
  writeFileSync(timesFile, JSON.stringify({ ci: { 'failing.ipynb': 75 } }));
  const notebooks = [fixture('failing'), fixture('params')];
  // Not a terminal (a CI log): one line per notebook, nothing else.
  const progress = { write: (text: string) => written.push(text), isTTY: false };
  reports = await executeCourse('ci', executedDir, { notebooks, progress, timesFile });
  await writePages(pagesToPublish(reports, executedDir), dirs);
  const page = join(dirs.docs, 'failing.md');
  // A run that went wrong some other way (the kernel did not start) says how, not just ENOENT.
  if (!existsSync(page))
    throw new Error(
      `no failing.md; the reports: ${JSON.stringify(reports.map((r) => [r.status, r.message]))}`,
    );
  failingPage = readFileSync(page, 'utf8');
}, 120_000);

describe('a site build with a failing notebook', () => {
  it('publishes every page, the failing one with a banner linking to the error where it happened', () => {
    expect(reports.map((r) => r.status)).toEqual(['cell-failed', 'ok']);
    expect(readFileSync(join(dirs.docs, 'params.md'), 'utf8')).not.toContain('did not run to the end');
    const banner = failingPage.indexOf(':::danger[This notebook did not run to the end]');
    const anchor = failingPage.indexOf('<a id="failed-cell"></a>');
    const thrower = failingPage.indexOf("throw new RangeError('boom at cell two');");
    const error = failingPage.indexOf('**RangeError**: boom at cell two');
    const notRun = failingPage.indexOf("console.log('must not run');");
    expect(banner).toBeGreaterThan(0);
    expect(failingPage.slice(banner, anchor)).toContain('cell 2: RangeError: boom at cell two');
    // Banner, anchor, the failing cell's code, its error, then the cell that did not run (no count).
    expect(
      [banner, anchor, thrower, error, notRun].every((at, i, all) => at > 0 && (i === 0 || at > all[i - 1]!)),
    ).toBe(true);
    expect(failingPage).toContain('```ts title="[ ]"\nconsole.log(\'must not run\');');
    expect(failingPage).not.toContain('must not run\n```\n\n```text');
  });

  it('ends with a summary naming the executed copy and the command that reruns just that notebook', () => {
    const summary = failureSummary(
      reports.filter((r) => r.status !== 'ok'),
      reports.length,
      executedDir,
      'ci',
    );
    expect(summary).toContain('1 of 2 notebook(s) failed');
    expect(summary).toContain('failing.ipynb: cell 2: RangeError: boom at cell two');
    expect(summary).toContain(`executed copy: ${join(executedDir, 'failing.ipynb')}`);
    expect(summary).toMatch(
      /rerun just it: npm run nbconvert-ts -- execute \S*failing\.ipynb --out-dir \S*executed --profile ci\n/,
    );
    expect(readFileSync(join(executedDir, 'failing.ipynb'), 'utf8')).toContain('boom at cell two');
  });

  it('numbers the cells on the page without the injected parameters cell, and leaves it out of the download', () => {
    const executed = JSON.parse(readFileSync(join(executedDir, 'params.ipynb'), 'utf8'));
    expect(executed.cells.map((c: { execution_count: number }) => c.execution_count)).toEqual([1, 2, 3]);
    const page = readFileSync(join(dirs.docs, 'params.md'), 'utf8');
    expect([...page.matchAll(/title="(\[\d+\])"/g)].map((m) => m[1])).toEqual(['[1]', '[2]']);
    expect(page).toContain('profile=ci epochs=10');
    const download = JSON.parse(readFileSync(join(dirs.downloads, 'params.ipynb'), 'utf8'));
    expect(download.cells.map((c: { metadata: { tags?: string[] } }) => c.metadata.tags ?? [])).toEqual([
      ['parameters'],
      [],
    ]);
  });

  it('prints one line per notebook when the output is not a terminal', () => {
    // (params.ipynb comes from the build cache when an earlier run left it there.)
    expect(written.join('')).toMatch(
      /^FAILED \[1\/2\] \S*failing\.ipynb \d+\.\d s\nok     \[2\/2\] \S*params\.ipynb (\d+\.\d s|\(cached\))\n$/,
    );
  });
});
