// nbconvert-ts against real tslab kernels, on small fixture notebooks.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../tools/nbconvert-ts/bin';
import { EXIT } from '../../tools/nbconvert-ts/execute';
import { executeNotebook } from './course';
import { digest, expectValid, FIXTURES, fixture, read, text } from './fixtures';

describe('execute', () => {
  it('records every output kind, merges streams and updates displays across cells', async () => {
    const input = fixture('outputs');
    const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'outputs.ipynb');
    const report = await executeNotebook(input, { outputPath: out });
    expect(report.status, report.message).toBe('ok');
    expectValid(out);
    expect(read(out).metadata.language_info).toMatchObject({
      name: 'typescript',
      file_extension: '.ts',
      pygments_lexer: 'typescript',
    }); // from the course kernel's kernel_info_reply
    const cells = read(out).cells;
    const outputsOf = (i: number) => cells[i].outputs;
    expect(outputsOf(1)).toEqual([{ output_type: 'stream', name: 'stdout', text: ['hello\n', 'world\n'] }]);
    // The last expression's value is an execute_result (tslab itself printed it on stdout).
    expect(text(outputsOf(2)[0].text)).toBe('progress 100%\n');
    expect(outputsOf(2)[1]).toEqual({
      output_type: 'execute_result',
      execution_count: 2,
      data: { 'text/plain': ['true'] },
      metadata: {},
    });
    expect(outputsOf(3)[0]).toMatchObject({ name: 'stderr' });
    expect(outputsOf(4)).toEqual([
      { output_type: 'execute_result', execution_count: 4, data: { 'text/plain': ['3'] }, metadata: {} },
    ]);
    const kinds = outputsOf(5).map((o: { data: Record<string, unknown> }) => Object.keys(o.data)[0]);
    expect(kinds).toEqual(['text/html', 'text/markdown', 'text/latex']);
    expect(text(outputsOf(6)[0].data['image/png'])).toMatch(/^iVBORw0KGgo/);
    expect(outputsOf(7)[0].data['application/vnd.vegalite.v5+json']).toMatchObject({ mark: 'line' });
    expect(text(outputsOf(8)[0].data['text/plain'])).toBe('updated from a later cell');
    expect(outputsOf(8)[0].transient).toBeUndefined();
    expect(
      cells
        .filter((c: { cell_type: string }) => c.cell_type === 'code')
        .map((c: { execution_count: number }) => c.execution_count),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // nbclient's timing keys (stored sorted), each an ISO date, in the order the messages came.
    const timing = cells[1].metadata.execution as Record<string, string>;
    expect(Object.keys(timing)).toEqual([
      'iopub.execute_input',
      'iopub.status.busy',
      'iopub.status.idle',
      'shell.execute_reply',
    ]);
    const times = [
      'iopub.execute_input',
      'iopub.status.busy',
      'shell.execute_reply',
      'iopub.status.idle',
    ].map((k) => Date.parse(timing[k]!));
    expect(times.every((t) => Number.isFinite(t))).toBe(true);
    expect(times[1]!).toBeLessThanOrEqual(times[2]!);
    expect(times[2]!).toBeLessThanOrEqual(times[3]! + 5); // reply and idle are sent within a few milliseconds
    expect(Math.abs(times[0]! - Date.now())).toBeLessThan(120_000);
  });

  it('stops at a failing cell, names it, runs nothing after it and leaves the input untouched', async () => {
    const input = fixture('failing');
    const before = digest(input);
    const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'failing.ipynb');
    const report = await executeNotebook(input, { outputPath: out });
    expect(report.exitCode).toBe(EXIT.cellFailed);
    expect(report.failedCell).toMatchObject({ index: 2, ename: 'RangeError', evalue: 'boom at cell two' });
    expect(report.message).toContain(`${input}: cell 2`);
    expect(report.message).toContain('RangeError: boom at cell two');
    expect(report.message).toContain('// second cell');
    expect(digest(input)).toBe(before);
    const cells = read(out).cells;
    expect(cells[2].outputs.at(-1)).toMatchObject({
      output_type: 'error',
      ename: 'RangeError',
      evalue: 'boom at cell two',
    });
    // The traceback points at the cell's own line and column (execution 2, line 2, the `new`), with no kernel internals.
    expect(cells[2].outputs.at(-1).traceback).toEqual([
      'RangeError: boom at cell two',
      '    at <cell [2]>:2:7',
    ]);
    expect(cells[3].execution_count).toBeNull();
    expect(cells[3].outputs).toEqual([]);
    expectValid(out);
  });

  it('reports a type error as a failure', async () => {
    const report = await executeNotebook(fixture('typeerror'));
    expect(report.exitCode).toBe(EXIT.cellFailed);
    expect(report.failedCell?.ename).toBe('TypeScriptError');
    expect(report.failedCell?.evalue).toContain("not assignable to type 'number'");
    expect(report.failedCell?.evalue).toMatch(/^line 1, column 7: /);
  });

  it('accepts an expected error, runs the next cell (no abort) and skips skip-execution cells', async () => {
    const input = fixture('raises');
    const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'raises.ipynb');
    const report = await executeNotebook(input, { outputPath: out });
    expect(report.status, report.message).toBe('ok');
    expect(report.cells.map((c) => c.status)).toEqual(['expected-error', 'ok', 'skipped', 'ok']);
    const cells = read(out).cells;
    expect(text(cells[2].outputs[0].text)).toBe('after the expected error\n');
    expect(cells[3].execution_count).toBeNull();
  });

  it('fails a raises-exception cell that does not raise', async () => {
    const report = await executeNotebook(fixture('raises-missing'));
    expect(report.exitCode).toBe(EXIT.cellFailed);
    expect(report.message).toContain('raises-exception');
  });

  it('rejects a malformed notebook with exit 4 and leaves it as it was', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nbm-')), 'bad.ipynb');
    copyFileSync(join(FIXTURES, 'malformed.ipynb'), path);
    const before = digest(path);
    const report = await executeNotebook(path, { outputPath: path });
    expect(report.exitCode).toBe(EXIT.badInput);
    expect(report.message).toContain('invalid JSON');
    expect(digest(path)).toBe(before);
    expect(await main(['execute', path, '--inplace'])).toBe(EXIT.badInput);
    expect(digest(path)).toBe(before);
  });

  it('injects parameters after the parameters cell, and replaces an earlier injection', async () => {
    const input = fixture('params');
    const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'params.ipynb');
    const first = await executeNotebook(input, { outputPath: out, parameters: { profile: 'ci', epochs: 2 } });
    expect(first.status, first.message).toBe('ok');
    let cells = read(out).cells;
    expect(cells[1].metadata.tags).toEqual(['injected-parameters']);
    expect(text(cells[2].outputs[0].text)).toBe('profile=ci epochs=2\n');
    const again = await executeNotebook(out, { outputPath: out, parameters: { profile: 'full' } });
    expect(again.status, again.message).toBe('ok');
    cells = read(out).cells;
    expect(
      cells.filter((c: { metadata: { tags?: string[] } }) =>
        c.metadata.tags?.includes('injected-parameters'),
      ),
    ).toHaveLength(1);
    expect(text(cells[2].outputs[0].text)).toBe('profile=full epochs=10\n');
  });
});
