// nbconvert-ts when the kernel misbehaves: endless loops, long waits, a kernel
// that exits, one that cannot start, one that stops answering heartbeats; and
// notebooks run side by side with --jobs.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, executeMany, executeNotebook } from '../../tools/nbconvert-ts/execute';

const FIXTURES = join(process.cwd(), 'tests', 'fixtures', 'notebooks');
const TSLAB = join(process.cwd(), 'node_modules', '.bin', 'tslab');

function fixture(name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'nbk-')), `${name}.ipynb`);
  copyFileSync(join(FIXTURES, `${name}.ipynb`), path);
  return path;
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('kernel trouble', () => {
  it('stops an endless loop at its tag timeout and exits 2 within limit plus grace', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'loop.ipynb');
    const started = Date.now();
    // The default timeout is long: the cell's `timeout=2` tag must be what stops it.
    const report = await executeNotebook(fixture('loop'), { outputPath: out, timeoutSeconds: 300, graceSeconds: 2 });
    const seconds = (Date.now() - started) / 1000;
    expect(report.exitCode).toBe(EXIT.timeout);
    expect(report.failedCell).toMatchObject({ index: 1, ename: 'CellTimeoutError', source: 'while (true) {}' });
    expect(report.message).toMatch(/cell 1 .*timed out: the cell ran past its 2 s timeout/);
    expect(seconds).toBeLessThan(2 + 2 + 10); // kernel start-up and shutdown included
    expect(read(out).cells[1].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'CellTimeoutError' });
  });

  it('interrupts a waiting cell at its metadata timeout; the next cell does not run', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'sleep.ipynb');
    const started = Date.now();
    const report = await executeNotebook(fixture('sleep'), { outputPath: out, graceSeconds: 5 });
    expect(report.exitCode).toBe(EXIT.timeout);
    expect(report.message).toContain('ran past its 1 s timeout and was interrupted');
    expect((Date.now() - started) / 1000).toBeLessThan(1 + 5 + 10);
    expect(read(out).cells[1]).toMatchObject({ execution_count: null, outputs: [] });
  });

  it('reports a kernel that dies during a cell', async () => {
    const report = await executeNotebook(fixture('kill'));
    expect(report.exitCode).toBe(EXIT.kernelDied);
    expect(report.failedCell?.index).toBe(1);
    expect(report.message).toMatch(/exit code 7/);
    expect(report.cells.map((c) => c.status)).toEqual(['ok', 'error']);
  });

  it('reports a kernel command that cannot start', async () => {
    const report = await executeNotebook(fixture('params'), { kernelCommand: ['/nonexistent/kernel', '{connection_file}'], startupTimeoutSeconds: 5 });
    expect(report.exitCode).toBe(EXIT.kernelDied);
    expect(report.message).toContain('did not start');
  });

  it('reports a kernel that runs but does not answer heartbeats', async () => {
    const started = Date.now();
    const report = await executeNotebook(fixture('deaf'), {
      kernelCommand: [process.execPath, join(FIXTURES, 'deaf-kernel.cjs'), TSLAB, '{connection_file}'],
      heartbeatSeconds: 1,
    });
    expect(report.exitCode).toBe(EXIT.kernelDied);
    expect(report.message).toContain('no heartbeat within 1 s');
    expect((Date.now() - started) / 1000).toBeLessThan(20);
  });

  it('runs notebooks side by side with jobs = 2 and reports them in input order', async () => {
    // Both copies share a folder: each waits until the other has started (up to 30 s), so
    // they can only pass together, when run in parallel.
    const dir = mkdtempSync(join(tmpdir(), 'nbj-'));
    const paths = ['a', 'b'].map((name) => join(dir, `${name}.ipynb`));
    for (const path of paths) copyFileSync(join(FIXTURES, 'wait.ipynb'), path);
    const started = Date.now();
    const reports = await executeMany([...paths, fixture('params')], () => ({}), 2);
    expect(reports.map((r) => [r.notebook.split('/').pop(), r.status, r.message])).toEqual([
      ['a.ipynb', 'ok', undefined],
      ['b.ipynb', 'ok', undefined],
      ['params.ipynb', 'ok', undefined],
    ]);
    expect((Date.now() - started) / 1000).toBeLessThan(30);
  });
});
