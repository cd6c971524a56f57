// nbconvert-ts when the kernel misbehaves: endless loops, long waits, a kernel
// that exits, one that cannot start, one that stops answering heartbeats; and
// notebooks run side by side with --jobs.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../tools/nbconvert-ts/execute';
import { executeMany, executeNotebook } from './course';
import { FIXTURES, fixture, read } from './fixtures';

const TSLAB = join(process.cwd(), 'node_modules', '.bin', 'tslab');

describe('kernel trouble', () => {
  it('stops an endless loop at its tag timeout and exits 2 within limit plus grace', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'loop.ipynb');
    const started = Date.now();
    // The default timeout is long: the cell's `timeout=2` tag must be what stops it.
    const report = await executeNotebook(fixture('loop'), {
      outputPath: out,
      timeoutSeconds: 300,
      graceSeconds: 2,
    });
    const seconds = (Date.now() - started) / 1000;
    expect(report.exitCode).toBe(EXIT.timeout);
    expect(report.failedCell).toMatchObject({
      index: 1,
      ename: 'CellTimeoutError',
      source: 'while (true) {}',
    });
    expect(report.message).toMatch(/cell 1 .*timed out: the cell ran past its 2 s timeout/);
    expect(seconds).toBeLessThan(2 + 2 + 10); // kernel start-up and shutdown included
    expect(read(out).cells[1].outputs.at(-1)).toMatchObject({
      output_type: 'error',
      ename: 'CellTimeoutError',
    });
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
    const report = await executeNotebook(fixture('params'), {
      kernelCommand: ['/nonexistent/kernel', '{connection_file}'],
      startupTimeoutSeconds: 5,
    });
    expect(report.exitCode).toBe(EXIT.kernelDied);
    expect(report.message).toContain('did not start');
  });

  it('starts a kernel again with other ports when one of its ports was taken before it could bind it', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'taken-')), 'taken-once');
    const report = await executeNotebook(fixture('params'), {
      kernelCommand: [
        process.execPath,
        join(FIXTURES, 'taken-port-kernel.cjs'),
        marker,
        TSLAB,
        '{connection_file}',
      ],
    });
    expect(existsSync(marker)).toBe(true); // the first start did meet a taken port
    expect(report.exitCode).toBe(EXIT.ok);
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

  it('starts a kernel from its kernelspec in JUPYTER_PATH, in the notebook folder, and interrupts it by message', async () => {
    const data = mkdtempSync(join(tmpdir(), 'nbspec-'));
    const specDir = join(data, 'kernels', 'course-test');
    mkdirSync(specDir, { recursive: true });
    symlinkSync(TSLAB, join(specDir, 'tslab'));
    const spec = {
      argv: ['{resource_dir}/tslab', 'kernel', '--config-path', '{connection_file}'],
      display_name: 'T',
      language: 'typescript',
      interrupt_mode: 'message',
      env: { NBCONVERT_TS_MARK: 'from-spec' },
    };
    writeFileSync(join(specDir, 'kernel.json'), JSON.stringify(spec));
    const saved = process.env.JUPYTER_PATH;
    process.env.JUPYTER_PATH = data;
    try {
      const input = fixture('kernelspec');
      const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'kernelspec.ipynb');
      const report = await executeNotebook(input, {
        kernelName: 'course-test',
        outputPath: out,
        graceSeconds: 1,
      });
      expect(read(out).cells[0].outputs[0].text.join('')).toBe(`cwd=${dirname(input)} mark=from-spec\n`);
      // tslab ignores interrupt_request, so the message path ends in a kill (SIGINT would have interrupted it).
      expect(report.exitCode).toBe(EXIT.timeout);
      expect(report.message).toContain('ran past its 1 s timeout and was killed with the kernel');
      expect((await executeNotebook(input, { kernelName: 'no-such-kernel' })).message).toContain(
        "no kernelspec named 'no-such-kernel'",
      );
    } finally {
      if (saved === undefined) delete process.env.JUPYTER_PATH;
      else process.env.JUPYTER_PATH = saved;
    }
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
