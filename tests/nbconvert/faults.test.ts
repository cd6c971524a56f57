// nbconvert-ts under faults a careful user meets: a cell that floods its output, errors
// thrown by callbacks and unawaited promises, a cache hit on a notebook whose metadata
// changed, outputs that would overwrite sources or each other, folders that cannot be written.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../tools/nbconvert-ts/bin';
import { cacheKey, EXIT, mergeCachedRun } from '../../tools/nbconvert-ts/execute';
import { executeNotebook } from './course';
import { readNotebook } from '../../tools/nbconvert-ts/notebook';
import { digest, expectValid, FIXTURES, fixture, read, text } from './fixtures';

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** Runs the command line and returns its exit status and what it printed on stderr. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const spy = vi
    .spyOn(console, 'error')
    .mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  try {
    return { code: await main(args), stderr: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('a cell that floods its output', () => {
  it('finishes on the execute_reply plus a bounded wait (600 and 5000 lines), and says what may be lost', async () => {
    const out = join(tempDir('nbo-'), 'flood.ipynb');
    const started = Date.now();
    // Before: tslab dropped the idle status and the run waited for the whole 90 s timeout, then killed the kernel.
    const report = await executeNotebook(fixture('flood'), {
      outputPath: out,
      timeoutSeconds: 90,
      iopubSeconds: 2,
    });
    expect(report.status, report.message).toBe('ok');
    expect((Date.now() - started) / 1000).toBeLessThan(60);
    const cells = read(out).cells;
    for (const [i, count] of [
      [0, 600],
      [1, 5000],
    ] as const) {
      const stdout = cells[i].outputs
        .filter((o: { name?: string }) => o.name === 'stdout')
        .map((o: { text: string[] }) => text(o.text))
        .join('');
      const lines = stdout.split('\n').filter(Boolean).map(Number);
      // Whatever arrived is the start of the sequence, in order.
      expect(lines).toEqual(Array.from({ length: lines.length }, (_, n) => n));
      const warned = (report.warnings ?? []).some(
        (w) => w.includes(`cell ${i} (execution ${i + 1})`) && w.includes('output may be incomplete'),
      );
      const note = cells[i].outputs.find(
        (o: { name?: string; text?: string[] }) =>
          o.name === 'stderr' && text(o.text ?? []).includes('[nbconvert-ts]'),
      );
      if (lines.length < count) {
        // Lines were lost: the report and the page say so.
        expect(warned, JSON.stringify(report.warnings)).toBe(true);
        expect(text(note.text)).toContain('output may be incomplete');
      }
      expect(Boolean(note)).toBe(warned);
    }
    expect(text(cells[2].outputs[0].text)).toBe('after the flood\n');
    expectValid(out);
  });
});

describe('asynchronous errors', () => {
  it('fails the run on a throw in a timer of an earlier cell, naming that cell, not the next one', async () => {
    const out = join(tempDir('nbo-'), 'async-timer.ipynb');
    const report = await executeNotebook(fixture('async-timer'), { outputPath: out });
    expect(report.exitCode).toBe(EXIT.cellFailed);
    expect(report.failedCell).toMatchObject({ index: 0, ename: 'Error', evalue: 'thrown in a timer' });
    // A 0 ms timer fires as the cell's reply goes out: before or after its idle status, never in the next cell.
    expect(report.message).toMatch(
      /cell 0 \(execution 1\): an asynchronous error surfaced (after the cell had finished|while the cell ran)/,
    );
    expect(report.message).toContain('never awaited');
    const cells = read(out).cells;
    // The error is shown with the cell that scheduled it, not with the next one.
    expect(cells[0].outputs.at(-1)).toMatchObject({
      output_type: 'error',
      ename: 'Error',
      evalue: 'thrown in a timer',
    });
    expect(JSON.stringify(cells[1].outputs)).not.toContain('thrown in a timer');
    // The next cell may have started before the message came; the one after it never runs.
    expect(cells[2].execution_count).toBeNull();
  });

  it('fails the run on a throw in a timer that fires while its cell still waits', async () => {
    const out = join(tempDir('nbo-'), 'async-during.ipynb');
    const report = await executeNotebook(fixture('async-during'), { outputPath: out });
    expect(report.exitCode).toBe(EXIT.cellFailed);
    expect(report.failedCell).toMatchObject({
      index: 1,
      ename: 'TypeError',
      evalue: 'thrown while the cell waits',
    });
    expect(report.message).toContain(
      'cell 1 (execution 2): an asynchronous error surfaced while the cell ran',
    );
    const cells = read(out).cells;
    // The error is among the cell's own outputs (the course kernel shows it when it happens, before 'waited').
    expect(cells[1].outputs).toContainEqual(
      expect.objectContaining({
        output_type: 'error',
        ename: 'TypeError',
        evalue: 'thrown while the cell waits',
      }),
    );
    expect(cells[2].execution_count).toBeNull();
  });

  it('fails the run on an unawaited promise the last cell rejects after it ended; --allow-errors keeps it as an output only', async () => {
    const input = fixture('async-rejection');
    const report = await executeNotebook(input);
    expect(report.exitCode).toBe(EXIT.cellFailed);
    expect(report.failedCell).toMatchObject({ index: 1, ename: 'RangeError', evalue: 'nobody awaited me' });
    expect(report.message).toContain(
      'cell 1 (execution 2): an asynchronous error surfaced after the cell had finished',
    );
    const out = join(tempDir('nbo-'), 'async-rejection.ipynb');
    const allowed = await executeNotebook(input, { outputPath: out, allowErrors: true });
    expect(allowed.status, allowed.message).toBe('ok');
    expect(read(out).cells[1].outputs.at(-1)).toMatchObject({
      output_type: 'error',
      ename: 'RangeError',
      evalue: 'nobody awaited me',
    });
  });
});

describe('cache hits', () => {
  it('--inplace on a hit merges the cached outputs into the current notebook, keeping its ids, metadata and attachments', async () => {
    const cacheDir = tempDir('nbc-');
    const first = fixture('metadata');
    expect(await main(['execute', first, '--inplace', '--cache-dir', cacheDir])).toBe(EXIT.ok);
    const executed = read(first);
    expect(text(executed.cells[1].outputs[0].text)).toBe('computed 42\n');
    // The same notebook as a user keeps it: other cell ids, a collapsed cell, no outputs.
    const second = fixture('metadata');
    const edited = read(second);
    edited.cells.forEach((cell: { id: string }, i: number) => (cell.id = `mine-${i}`));
    edited.cells[2].metadata.collapsed = true;
    writeFileSync(second, JSON.stringify(edited));
    const { code, stderr } = await cli(['execute', second, '--inplace', '--cache-dir', cacheDir]);
    expect(code, stderr).toBe(EXIT.ok);
    expect(stderr).toContain('(cached)');
    const merged = read(second);
    expect(merged.cells.map((c: { id: string }) => c.id)).toEqual(['mine-0', 'mine-1', 'mine-2']);
    expect(merged.metadata).toMatchObject({ authors: [{ name: 'A. Learner' }], custom: { kept: true } });
    expect(merged.cells[0].metadata).toEqual({ custom: { note: 'kept' } });
    expect(merged.cells[0].attachments['dot.png']['image/png']).toMatch(/^iVBORw0KGgo/);
    expect(merged.cells[1].metadata).toMatchObject({ tags: ['keep-me'], jupyter: { source_hidden: true } });
    expect(merged.cells[2].metadata.collapsed).toBe(true);
    // The outputs, counts and timing are the cached run's.
    for (const i of [1, 2]) {
      expect(merged.cells[i].outputs).toEqual(executed.cells[i].outputs);
      expect(merged.cells[i].execution_count).toBe(executed.cells[i].execution_count);
      expect(merged.cells[i].metadata.execution).toEqual(executed.cells[i].metadata.execution);
    }
    // The cell's last value: an execute_result from the course kernel (plain tslab printed it on stdout).
    expect(merged.cells[2].outputs[0]).toMatchObject({
      output_type: 'execute_result',
      data: { 'text/plain': ['42'] },
    });
    expectValid(second);
  });

  it('keys the cache on everything the page shows besides outputs: markdown, attachments, cell and notebook metadata', () => {
    const load = () => readNotebook(join(FIXTURES, 'metadata.ipynb'));
    const key = cacheKey(load(), {});
    const changed = (edit: (nb: ReturnType<typeof load>) => void) => {
      const nb = load();
      edit(nb);
      return cacheKey(nb, {});
    };
    expect(changed((nb) => (nb.cells[0]!.source = '# Another title'))).not.toBe(key);
    expect(
      changed(
        (nb) =>
          ((nb.cells[0] as { attachments?: Record<string, unknown> }).attachments = {
            'dot.png': { 'image/png': 'AAAA' },
          }),
      ),
    ).not.toBe(key);
    expect(changed((nb) => (nb.cells[1]!.metadata.jupyter = { source_hidden: false }))).not.toBe(key);
    expect(changed((nb) => (nb.cells[1]!.metadata.tags = ['remove-output']))).not.toBe(key);
    expect(changed((nb) => (nb.metadata.authors = [{ name: 'Someone else' }]))).not.toBe(key);
    // What a run or a view of it writes does not change the key.
    expect(
      changed((nb) => {
        nb.cells.forEach((cell, i) => (cell.id = `other-${i}`));
        nb.cells[2]!.metadata.collapsed = true;
        nb.cells[2]!.metadata.execution = { 'iopub.status.busy': '2020-01-01T00:00:00Z' };
        (nb.cells[2] as { execution_count: number | null }).execution_count = 9;
        nb.metadata.language_info = { name: 'typescript', version: '9' };
      }),
    ).toBe(key);
  });

  it('does not use a cached run whose cells are not the notebook’s (a damaged cache file)', () => {
    const nb = readNotebook(join(FIXTURES, 'metadata.ipynb'));
    const other = readNotebook(join(FIXTURES, 'params.ipynb'));
    expect(mergeCachedRun(nb, other)).toBe(false);
    expect(nb.cells[1]).toMatchObject({ outputs: [], execution_count: null });
  });
});

describe('outputs that would overwrite sources or each other', () => {
  it('refuses --out-dir equal to the notebook’s folder, before running anything', async () => {
    const input = fixture('params');
    const before = digest(input);
    const started = Date.now();
    const { code, stderr } = await cli(['execute', input, '--out-dir', dirname(input), '--no-cache']);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toContain(`the executed copy of ${input} would overwrite ${input} itself`);
    expect((Date.now() - started) / 1000).toBeLessThan(3); // no kernel was started
    expect(digest(input)).toBe(before);
  });

  it('refuses two inputs with the same name into one --out-dir, and one input given twice', async () => {
    const a = fixture('params');
    const b = fixture('params');
    const outDir = tempDir('nbo-');
    const { code, stderr } = await cli(['execute', a, b, '--out-dir', outDir, '--no-cache']);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toContain(`${b} and ${a} would both write ${join(outDir, 'params.ipynb')}`);
    expect(readdirSync(outDir)).toEqual([]);
    const twice = await cli(['execute', a, a, '--inplace', '--no-cache']);
    expect(twice.code).toBe(EXIT.badInput);
    expect(twice.stderr).toContain(`${a} is given twice`);
  });

  it('refuses convert --notebooks-dir equal to the executed notebook’s folder', async () => {
    const input = join(tempDir('nbv-'), '05-executed.ipynb');
    writeFileSync(input, readFileSync(join(FIXTURES, '05-executed.ipynb')));
    const before = digest(input);
    const docs = tempDir('nbd-');
    const { code, stderr } = await cli([
      'convert',
      input,
      '--to',
      'md',
      '--docs-dir',
      docs,
      '--assets-dir',
      tempDir('nba-'),
      '--notebooks-dir',
      dirname(input),
    ]);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toContain(`would overwrite ${input} itself`);
    expect(digest(input)).toBe(before);
    expect(readdirSync(docs)).toEqual([]);
  });
});

describe('folders that cannot be written', () => {
  // The tests run as root in CI, where permission bits stop nothing: a path under a
  // regular file cannot be created by anyone (ENOTDIR).
  const underAFile = () => {
    const file = join(tempDir('nbw-'), 'a-file');
    writeFileSync(file, 'not a folder');
    return join(file, 'out');
  };

  it('refuses an --out-dir or report that cannot be written before running anything (exit 4)', async () => {
    const input = fixture('params');
    const outDir = underAFile();
    const started = Date.now();
    const { code, stderr } = await cli(['execute', input, '--out-dir', outDir, '--no-cache']);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toContain(
      `refusing to run, the results could not be saved: ${outDir} cannot be written (a part of the path is a file, not a folder)`,
    );
    expect((Date.now() - started) / 1000).toBeLessThan(3);
    const report = await cli([
      'execute',
      input,
      '--out-dir',
      tempDir('nbo-'),
      '--no-cache',
      '--json-report',
      join(underAFile(), 'r.json'),
    ]);
    expect(report.code).toBe(EXIT.badInput);
    expect(report.stderr).toContain('cannot be written');
  });

  it('runs without the cache when the cache folder cannot be written, and says so', async () => {
    const input = fixture('params');
    const outDir = tempDir('nbo-');
    const cacheDir = underAFile();
    const { code, stderr } = await cli(['execute', input, '--out-dir', outDir, '--cache-dir', cacheDir]);
    expect(code, stderr).toBe(EXIT.ok);
    expect(stderr).toContain(
      `warning: ${cacheDir} cannot be written (a part of the path is a file, not a folder); running without the cache`,
    );
    expect(existsSync(join(outDir, 'params.ipynb'))).toBe(true);
  });

  it('keeps a successful run whose cache cannot be written after all, with a warning', async () => {
    // executeNotebook itself (what the site build calls) is not preflighted: the write fails at the end.
    const out = join(tempDir('nbo-'), 'params.ipynb');
    const report = await executeNotebook(fixture('params'), {
      outputPath: out,
      cacheDir: underAFile(),
      parameters: { profile: 'ci' },
    });
    expect(report.status, report.message).toBe('ok');
    expect(report.warnings?.join('\n')).toMatch(/the run was not cached: .*ENOTDIR/);
    expect(read(out).cells[2].outputs[0].text.join('')).toBe('profile=ci epochs=10\n');
  });
});
