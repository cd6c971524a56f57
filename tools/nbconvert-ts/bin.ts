#!/usr/bin/env -S npx tsx
/**
 * nbconvert-ts: executes TypeScript notebooks on a Jupyter kernel and converts
 * executed notebooks into site pages.
 *
 *   nbconvert-ts execute <nb...> [--out-dir D | --inplace] [--kernel NAME | --kernel-cmd "..."]
 *       [--timeout S] [--startup-timeout S] [--allow-errors] [--profile ci|full] [-p KEY=VALUE ...]
 *       [--jobs N] [--no-cache] [--json-report F] [--junit F]
 *   nbconvert-ts convert <executed nb...> --to md --docs-dir DIR --assets-dir DIR [--assets-url U] [--notebooks-dir D]
 *   nbconvert-ts check <nb...>
 *   nbconvert-ts release <nb...> --out-dir D [--stub-line "throw notImplemented('{id}');"]
 *
 * Exit status: 0 ok, 1 a cell failed, 2 a timeout, 3 the kernel died or did not start,
 * 4 bad usage or an unreadable notebook.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from '../../lib/paths';
import { WASM_THREADS_ENV_VAR, wantedWasmThreads } from '../../lib/wasm-threads';
import { convertNotebook } from './convert';
import { displayPath, executeMany, EXIT, outputPathFor, type ExecuteOptions, type NotebookReport, type ParameterValue } from './execute';
import { DEFAULT_STUB_LINE, releaseNotebooks } from './release';
import { junitReport } from './report';

class UsageError extends Error {}

interface Parsed {
  command: string;
  files: string[];
  flags: Map<string, string[]>;
}

const VALUE_FLAGS = new Set(['--out-dir', '--kernel', '--kernel-cmd', '--timeout', '--startup-timeout', '--profile', '-p', '--jobs', '--json-report', '--junit', '--to', '--docs-dir', '--assets-dir', '--assets-url', '--notebooks-dir', '--cache-dir', '--edit-url', '--source-url', '--notebooks-url', '--stub-line']);
const BOOLEAN_FLAGS = new Set(['--inplace', '--allow-errors', '--no-cache', '--help']);

function parse(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (!command || command === '--help') throw new UsageError('');
  const flags = new Map<string, string[]>();
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (VALUE_FLAGS.has(arg)) {
      const value = rest[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      flags.set(arg, [...(flags.get(arg) ?? []), value]);
    } else if (BOOLEAN_FLAGS.has(arg)) flags.set(arg, ['true']);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else files.push(arg);
  }
  return { command, files, flags };
}

const one = (p: Parsed, flag: string) => p.flags.get(flag)?.at(-1);

function positiveNumber(p: Parsed, flag: string): number | undefined {
  const raw = one(p, flag);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number, got ${raw}`);
  return value;
}

function parameters(p: Parsed): Record<string, ParameterValue> {
  const out: Record<string, ParameterValue> = {};
  for (const pair of p.flags.get('-p') ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`-p takes KEY=VALUE, got ${pair}`);
    const raw = pair.slice(at + 1);
    out[pair.slice(0, at)] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  const profile = one(p, '--profile');
  if (profile !== undefined) {
    if (profile !== 'ci' && profile !== 'full') throw new UsageError(`--profile is ci or full, got ${profile}`);
    out.profile = profile;
  }
  return out;
}

function splitCommand(line: string): string[] {
  return (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((part) => part.replace(/^["']|["']$/g, ''));
}

/**
 * What a course notebook's run depends on besides its own cells: the library, the
 * notebooks' own helper modules and the locked dependencies. A change to any of them
 * makes cached runs stale. Empty outside the project.
 */
export function projectCacheInputs(): string[] {
  try {
    const root = projectRoot();
    return [join(root, 'lib'), join(root, 'notebooks', 'helpers'), join(root, 'package-lock.json')];
  } catch {
    return [];
  }
}

async function execute(p: Parsed, check: boolean): Promise<number> {
  if (p.files.length === 0) throw new UsageError('no notebook given');
  if (one(p, '--out-dir') && p.flags.has('--inplace')) throw new UsageError('--out-dir and --inplace exclude each other');
  const outDir = one(p, '--out-dir');
  const inplace = p.flags.has('--inplace');
  const params = check ? { ...parameters(p), profile: 'ci' } : parameters(p);
  const kernelCmd = one(p, '--kernel-cmd');
  let cacheDir: string | undefined;
  if (!check && !p.flags.has('--no-cache')) {
    try {
      cacheDir = one(p, '--cache-dir') ?? join(projectRoot(), 'build', '.nbcache');
    } catch {
      cacheDir = undefined;
    }
  }
  const options = (path: string): ExecuteOptions => ({
    kernelName: one(p, '--kernel'),
    kernelCommand: kernelCmd ? splitCommand(kernelCmd) : undefined,
    timeoutSeconds: positiveNumber(p, '--timeout'),
    startupTimeoutSeconds: positiveNumber(p, '--startup-timeout'),
    allowErrors: p.flags.has('--allow-errors'),
    parameters: params,
    outputPath: check ? undefined : outDir ? outputPathFor(path, outDir) : inplace ? path : undefined,
    cacheDir,
    cacheInputs: projectCacheInputs(),
  });
  if (!check && !outDir && !inplace) throw new UsageError('execute needs --out-dir D or --inplace (or use check)');
  const jobs = Math.floor(positiveNumber(p, '--jobs') ?? 1);
  // Kernels running side by side share the cores (the wasm backend's threads wait for each other).
  if (jobs > 1 && process.env[WASM_THREADS_ENV_VAR] === undefined) {
    process.env[WASM_THREADS_ENV_VAR] = String(Math.max(1, Math.floor(wantedWasmThreads() / Math.min(jobs, p.files.length))));
  }
  const reports = await executeMany(p.files, options, jobs);
  for (const r of reports) printReport(r);
  const jsonReport = one(p, '--json-report');
  if (jsonReport) writeReport(jsonReport, JSON.stringify({ notebooks: reports }, null, 2));
  const junit = one(p, '--junit');
  if (junit) writeReport(junit, junitReport(reports));
  return worstExit(reports);
}

function writeReport(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text);
}

function printReport(r: NotebookReport): void {
  const name = displayPath(r.notebook);
  if (r.status === 'ok') console.error(`ok      ${name} (${r.cached ? 'cached' : `${r.seconds.toFixed(1)} s`})`);
  else console.error(`FAILED  ${r.message ?? name}`);
}

/** The exit status of several runs: the most serious failure wins. */
export function worstExit(reports: NotebookReport[]): number {
  const order = [EXIT.badInput, EXIT.kernelDied, EXIT.timeout, EXIT.cellFailed];
  for (const code of order) if (reports.some((r) => r.exitCode === code)) return code;
  return EXIT.ok;
}

async function convert(p: Parsed): Promise<number> {
  if (p.files.length === 0) throw new UsageError('no notebook given');
  if ((one(p, '--to') ?? 'md') !== 'md') throw new UsageError(`--to supports md only, got ${one(p, '--to')}`);
  const docsDir = one(p, '--docs-dir');
  const assetsDir = one(p, '--assets-dir');
  if (!docsDir || !assetsDir) throw new UsageError('convert needs --docs-dir and --assets-dir');
  for (const file of p.files) {
    const page = await convertNotebook(file, {
      docsDir,
      assetsDir,
      assetsUrl: one(p, '--assets-url'),
      notebooksDir: one(p, '--notebooks-dir') ?? join(projectRoot(), 'site', 'static', 'notebooks'),
      notebooksUrl: one(p, '--notebooks-url'),
      editUrlBase: one(p, '--edit-url'),
      sourceUrlBase: one(p, '--source-url'),
    });
    console.error(`page    ${displayPath(page)}`);
  }
  return EXIT.ok;
}

function release(p: Parsed): number {
  if (p.files.length === 0) throw new UsageError('no notebook given');
  const outDir = one(p, '--out-dir');
  if (!outDir) throw new UsageError('release needs --out-dir D (the learner versions never replace the instructors\' notebooks)');
  const stubLine = one(p, '--stub-line') ?? DEFAULT_STUB_LINE;
  if (!stubLine.includes('{id}')) throw new UsageError(`--stub-line must contain {id} (the exercise id), got ${stubLine}`);
  for (const written of releaseNotebooks(p.files, outDir, stubLine)) console.error(`learner ${displayPath(written)}`);
  return EXIT.ok;
}

const USAGE = `usage:
  nbconvert-ts execute <nb...> [--out-dir D | --inplace] [--kernel NAME | --kernel-cmd "..."]
      [--timeout S] [--startup-timeout S] [--allow-errors] [--profile ci|full] [-p KEY=VALUE ...]
      [--jobs N] [--no-cache] [--cache-dir D] [--json-report F] [--junit F]
  nbconvert-ts convert <executed nb...> --to md --docs-dir DIR --assets-dir DIR [--assets-url /nb-assets/]
      [--notebooks-dir site/static/notebooks] [--notebooks-url /notebooks/] [--edit-url URL] [--source-url URL]
  nbconvert-ts check <nb...>
  nbconvert-ts release <nb...> --out-dir D [--stub-line "throw notImplemented('{id}');"]
exit status: 0 ok, 1 a cell failed, 2 a timeout, 3 the kernel died or did not start, 4 bad usage or an unreadable notebook`;

/** Runs the command line; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  try {
    const parsed = parse(argv);
    if (parsed.command === 'execute') return await execute(parsed, false);
    if (parsed.command === 'check') return await execute(parsed, true);
    if (parsed.command === 'convert') return await convert(parsed);
    if (parsed.command === 'release') return release(parsed);
    throw new UsageError(`unknown command ${parsed.command}`);
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) console.error(`nbconvert-ts: ${error.message}`);
      console.error(USAGE);
      return EXIT.badInput;
    }
    console.error(`nbconvert-ts: ${(error as Error).message}`);
    return EXIT.badInput;
  }
}

if (process.argv[1] && /nbconvert-ts[\\/]bin\.ts$|nbconvert-ts$/.test(process.argv[1])) {
  // Ctrl+C: exit through process.exit so that the kernels' exit hook kills them.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
