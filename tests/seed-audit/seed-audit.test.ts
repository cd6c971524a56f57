// The seed audit (tools/seed-audit): its command line, how it reads nbconvert-ts's reports,
// its counts and Markdown table (hand-written expectations, no notebook run), then real runs
// of tiny fixture notebooks: one whose assert fails for even seeds, one whose kernel dies,
// and an audit stopped by SIGINT while a cell runs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/paths';
import { main } from '../../tools/seed-audit/bin';
import {
  AuditUsageError,
  parseAuditArgs,
  parseSeeds,
  resolveNotebooks,
} from '../../tools/seed-audit/options';
import { runResult, type SeedRun } from '../../tools/seed-audit/run-one';
import { appendSection, countLines, markdownSection, tally } from '../../tools/seed-audit/summary';

const root = projectRoot();
const fixture = (name: string) => join(root, 'tests', 'fixtures', 'notebooks', `${name}.ipynb`);
/** True while the process exists and is not a zombie (exited, not yet reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
const temp = () => mkdtempSync(join(tmpdir(), 'seed-audit-test-'));

describe('the seed audit command line', () => {
  it('reads seeds as a count or a list', () => {
    expect(parseSeeds('3')).toEqual([1, 2, 3]);
    expect(parseSeeds('3,7,11')).toEqual([3, 7, 11]);
    expect(parseSeeds('7,')).toEqual([7]);
    expect(() => parseSeeds('0')).toThrow(AuditUsageError);
    expect(() => parseSeeds('3,x')).toThrow(/"x" is not a whole number/);
    expect(() => parseSeeds('3,3')).toThrow(/twice/);
  });

  it('finds notebooks by number or path and says which numbers exist', () => {
    const dir = join(root, 'notebooks');
    expect(resolveNotebooks('3,00', dir).map((p) => p.slice(dir.length + 1, dir.length + 4))).toEqual([
      '03-',
      '00-',
    ]);
    expect(resolveNotebooks(fixture('kill'), dir)).toEqual([fixture('kill')]);
    expect(() => resolveNotebooks('99', dir)).toThrow(/no notebook 99 .*there are 00, 01/);
    expect(() => resolveNotebooks('nothing.txt', dir)).toThrow(/neither a notebook number nor/);
  });

  it('has defaults and rejects what it cannot run', () => {
    const o = parseAuditArgs(['--notebooks', '05', '--threads=1'], root);
    expect(o.seeds).toHaveLength(10);
    expect(o.profile).toBe('ci');
    expect(o.threads).toBe(1);
    expect(o.jobs).toBe(1);
    expect(o.out).toBe(join(root, 'notebooks', 'seed-audit.md'));
    expect(() => parseAuditArgs(['--profile', 'fast'], root)).toThrow(/ci or full/);
    expect(() => parseAuditArgs(['--jobs', '0'], root)).toThrow(/--jobs takes a whole number/);
    expect(() => parseAuditArgs(['--seeds'], root)).toThrow(/needs a value/);
    expect(() => parseAuditArgs(['--seed', '3'], root)).toThrow(/unknown argument --seed/);
  });
});

describe("reading a run's outcome", () => {
  const spec = { notebook: '/x/05-deep.ipynb', seed: 4, profile: 'ci' as const };
  const exit = { code: 1, signal: null, stderr: '' };

  it('takes the failing cell and its assert message from the report', () => {
    const report = {
      status: 'cell-failed',
      failedCell: { index: 11, ename: 'AssertionError', evalue: 'plain 32: accuracy 0.177 beats chance' },
    };
    expect(runResult(spec, 9, report, exit)).toEqual({
      notebook: spec.notebook,
      seed: 4,
      seconds: 9,
      status: 'cell-failed',
      cell: 11,
      error: 'AssertionError',
      message: 'plain 32: accuracy 0.177 beats chance',
    });
    expect(runResult(spec, 9, { status: 'ok' }, { ...exit, code: 0 }).status).toBe('passed');
  });

  it('counts a run without a report as crashed, with the end of its stderr', () => {
    const crashed = runResult(spec, 2, undefined, {
      code: null,
      signal: 'SIGSEGV',
      stderr: 'a\nb\nc\nsegfault here\n',
    });
    expect(crashed.status).toBe('crashed');
    expect(crashed.message).toBe(
      'nbconvert-ts ended (signal SIGSEGV) without a report: b | c | segfault here',
    );
  });
});

describe('counts and the results table', () => {
  const nb = (n: string) => `/p/notebooks/${n}.ipynb`;
  const runs: SeedRun[] = [
    {
      notebook: nb('05-deep'),
      seed: 2,
      status: 'cell-failed',
      seconds: 30,
      cell: 11,
      error: 'AssertionError',
      message: 'acc 0.17 | below 0.2',
    },
    { notebook: nb('05-deep'), seed: 1, status: 'passed', seconds: 31 },
    {
      notebook: nb('09-seg'),
      seed: 1,
      status: 'kernel-died',
      seconds: 5,
      cell: 3,
      error: 'DeadKernelError',
      message: 'kernel died: exit code 7',
    },
    { notebook: nb('09-seg'), seed: 2, status: 'stopped', seconds: 0 },
  ];
  const tallies = tally([nb('05-deep'), nb('09-seg')], runs);

  it('counts passes per notebook and leaves stopped runs out', () => {
    expect(tallies.map((t) => [t.passed, t.finished, t.unfinished])).toEqual([
      [1, 2, 0],
      [0, 1, 1],
    ]);
    expect(countLines(tallies)).toEqual([
      '05-deep: 1/2 seeds passed',
      '  seed 2: cell 11: AssertionError: acc 0.17 | below 0.2',
      '09-seg: 0/1 seeds passed (1 not run: stopped)',
      '  seed 1: cell 3 (kernel-died): DeadKernelError: kernel died: exit code 7',
    ]);
  });

  it('writes a dated Markdown section with profile, threads and load, appended to the file', () => {
    const context = {
      started: new Date('2026-12-05T05:40:00Z'),
      seconds: 61.6,
      profile: 'ci' as const,
      threads: undefined,
      defaultThreads: 2,
      seeds: [1, 2],
      jobs: 1,
      cores: 2,
      loadStart: 3.04,
      loadEnd: 4.46,
      stoppedBy: 'SIGINT',
    };
    const section = markdownSection(context, tallies);
    expect(section.split('\n')).toEqual([
      '## 2026-12-05 05:40 UTC: ci profile, 2 (the default) wasm threads',
      '',
      'Seeds: 1, 2. Runs at once: 1. Took 62 s. Machine: 2 cores, load average 3.0 at the start, 4.5 at the end. Stopped by SIGINT before every run had finished.',
      '',
      '| notebook | seeds passed | failures (seed: cell, error) |',
      '| --- | --- | --- |',
      '| 05-deep | 1/2 | seed 2: cell 11: AssertionError: acc 0.17 \\| below 0.2 |',
      '| 09-seg | 0/1 | seed 1: cell 3 (kernel-died): DeadKernelError: kernel died: exit code 7<br/>1 not run (stopped) |',
      '',
    ]);
    const file = join(temp(), 'audit.md');
    appendSection(file, section);
    appendSection(file, section.replace('05:40', '06:00'));
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# Seed audits\n')).toBe(true);
    expect(text.indexOf('05:40 UTC')).toBeLessThan(text.indexOf('06:00 UTC'));
  });
});

describe('auditing fixture notebooks', () => {
  const children: number[] = [];
  afterEach(() => {
    for (const pid of children.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });

  it('passes odd seeds, reports the failing assert of even ones and a dead kernel', async () => {
    const out = join(temp(), 'results.md');
    // Three runs at once: two seeds of the assert, one of the kernel that exits.
    const asserts = main([
      '--notebooks',
      fixture('seed-assert'),
      '--seeds',
      '1,2',
      '--jobs',
      '2',
      '--out',
      out,
    ]);
    const dies = main([
      '--notebooks',
      fixture('kill'),
      '--seeds',
      '5,',
      '--threads',
      '1',
      '--out',
      `${out}.kill`,
    ]);
    expect(await asserts).toBe(1);
    expect(await dies).toBe(1);
    const table = readFileSync(out, 'utf8');
    expect(table).toContain(
      '| seed-assert | 1/2 | seed 2: cell 3: AssertionError: seed 2 is even \\| odd seeds only |',
    );
    // vitest gives its forks COURSE_WASM_THREADS, which the runs inherit.
    expect(table).toContain(
      `ci profile, ${process.env.COURSE_WASM_THREADS} (COURSE_WASM_THREADS) wasm thread`,
    );
    const killed = readFileSync(`${out}.kill`, 'utf8');
    expect(killed).toMatch(
      /\| kill \| 0\/1 \| seed 5: cell 1 \(kernel-died\): DeadKernelError: [^|]*exit code 7[^|]* \|/,
    );
    expect(killed).toContain('ci profile, 1 wasm thread\n');
  }, 240_000);

  it('stops on SIGINT: kills the kernel, writes what it has and exits 130', async () => {
    const dir = temp();
    const out = join(dir, 'results.md');
    const pidsFile = join(dir, 'pids.json');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'tools', 'seed-audit', 'bin.ts'),
        '--notebooks',
        fixture('signal-sleep'),
        '--seeds',
        '3',
        '--out',
        out,
      ],
      {
        cwd: root,
        env: { ...process.env, NBCONVERT_TS_PIDS_FILE: pidsFile },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    children.push(child.pid!);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    while (!existsSync(pidsFile) || readFileSync(pidsFile, 'utf8') === '') {
      if (Date.now() > deadline) throw new Error(`the first seed's kernel never ran its cell: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { kernel } = JSON.parse(readFileSync(pidsFile, 'utf8')) as { kernel: number };
    process.kill(child.pid!, 'SIGINT');
    const stoppedAt = Date.now();
    expect(await exited, output).toBe(130);
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    const gone = Date.now() + 15_000;
    while (alive(kernel) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(kernel), 'the kernel is gone').toBe(false);
    expect(readFileSync(out, 'utf8')).toContain('| signal-sleep | 0/0 | 3 not run (stopped) |');
    writeFileSync(pidsFile, '');
  }, 240_000);
});
