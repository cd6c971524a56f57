/**
 * What the seed audit prints and writes: a line per finished run, pass counts per
 * notebook, and a Markdown section (date, profile, threads, machine load, a table
 * with each failing seed's cell and message) for the results file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { notebookName } from './options';
import type { SeedRun } from './run-one';

/** Where and how the audit ran, for the section's header. */
export interface AuditContext {
  started: Date;
  seconds: number;
  profile: 'ci' | 'full';
  /** The thread count given (--threads); else the runs' count, from COURSE_WASM_THREADS or the backend's default. */
  threads: number | undefined;
  defaultThreads: number;
  /** Whether that count came from COURSE_WASM_THREADS in the audit's environment. */
  threadsFromEnvironment?: boolean;
  seeds: number[];
  jobs: number;
  cores: number;
  /** One-minute load averages at the start and the end. */
  loadStart: number;
  loadEnd: number;
  /** How the audit was stopped (SIGINT, SIGTERM), when it was. */
  stoppedBy?: string;
}

/** A notebook's runs: how many passed, of how many finished, and the failed ones. */
export interface NotebookTally {
  notebook: string;
  passed: number;
  finished: number;
  /** Runs not finished because the audit was stopped. */
  unfinished: number;
  failures: SeedRun[];
}

/** Per notebook, in the order of `notebooks`. */
export function tally(notebooks: string[], runs: SeedRun[]): NotebookTally[] {
  return notebooks.map((notebook) => {
    const own = runs.filter((r) => r.notebook === notebook).sort((a, b) => a.seed - b.seed);
    const finished = own.filter((r) => r.status !== 'stopped');
    return {
      notebook,
      passed: finished.filter((r) => r.status === 'passed').length,
      finished: finished.length,
      unfinished: own.length - finished.length,
      failures: finished.filter((r) => r.status !== 'passed'),
    };
  });
}

/** One line, at most `max` characters. */
function oneLine(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Why a run failed: `cell 11: AssertionError: …`, or the kind of failure and its message. */
export function failureText(run: SeedRun): string {
  const what = run.error ? `${run.error}: ${run.message ?? ''}` : (run.message ?? '');
  const where = run.cell !== undefined ? `cell ${run.cell}` : run.status;
  const kind = run.status === 'cell-failed' || run.cell === undefined ? '' : ` (${run.status})`;
  return oneLine(`${where}${kind}: ${what}`);
}

/** The console line for a finished run. */
export function runLine(run: SeedRun): string {
  const name = `${notebookName(run.notebook)} seed ${run.seed}`;
  if (run.status === 'passed') return `✔ ${name} (${run.seconds.toFixed(0)} s)`;
  if (run.status === 'stopped') return `■ ${name}: stopped`;
  return `✘ ${name}: ${failureText(run)} (${run.seconds.toFixed(0)} s)`;
}

/** The pass counts printed at the end: one line per notebook, then each failing seed. */
export function countLines(tallies: NotebookTally[]): string[] {
  const lines: string[] = [];
  for (const t of tallies) {
    const rest = t.unfinished ? ` (${t.unfinished} not run: stopped)` : '';
    lines.push(`${notebookName(t.notebook)}: ${t.passed}/${t.finished} seeds passed${rest}`);
    for (const f of t.failures) lines.push(`  seed ${f.seed}: ${failureText(f)}`);
  }
  return lines;
}

const cellText = (text: string) => text.replace(/\|/g, '\\|');

const seedList = (seeds: number[]) => {
  const range = seeds.length > 2 && seeds.every((s, i) => s === seeds[0]! + i);
  return range ? `${seeds[0]}-${seeds.at(-1)}` : seeds.join(', ');
};

/** The Markdown section of one audit. */
export function markdownSection(context: AuditContext, tallies: NotebookTally[]): string {
  const date = context.started.toISOString().replace('T', ' ').slice(0, 16);
  const from = context.threadsFromEnvironment ? 'COURSE_WASM_THREADS' : 'the default';
  const threads =
    context.threads === undefined ? `${context.defaultThreads} (${from})` : String(context.threads);
  const lines = [
    `## ${date} UTC: ${context.profile} profile, ${threads} wasm thread${threads === '1' ? '' : 's'}`,
    '',
    `Seeds: ${seedList(context.seeds)}. Runs at once: ${context.jobs}. Took ${Math.round(context.seconds)} s. ` +
      `Machine: ${context.cores} cores, load average ${context.loadStart.toFixed(1)} at the start, ${context.loadEnd.toFixed(1)} at the end.` +
      (context.stoppedBy ? ` Stopped by ${context.stoppedBy} before every run had finished.` : ''),
    '',
    '| notebook | seeds passed | failures (seed: cell, error) |',
    '| --- | --- | --- |',
  ];
  for (const t of tallies) {
    const failures = t.failures.map((f) => `seed ${f.seed}: ${failureText(f)}`);
    if (t.unfinished) failures.push(`${t.unfinished} not run (stopped)`);
    lines.push(
      `| ${notebookName(t.notebook)} | ${t.passed}/${t.finished} | ${cellText(failures.join('<br/>'))} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const FILE_HEADER = `# Seed audits

Each section is one run of \`npm run audit:seeds\` (tools/seed-audit): every notebook executed
with \`-p seed=N\` for each seed, newest last. A seed fails when a cell fails (an assert, with
its message), times out, or the kernel dies. Timings are from a shared machine: see its load.
`;

/** Appends `section` to the results file, creating it (with its header) where missing. */
export function appendSection(path: string, section: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const before = existsSync(path) ? readFileSync(path, 'utf8') : FILE_HEADER;
  writeFileSync(path, `${before.replace(/\n*$/, '\n')}\n${section}`);
}
