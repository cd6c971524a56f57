#!/usr/bin/env -S npx tsx
/**
 * nbconvert-ts: executes TypeScript notebooks on a Jupyter kernel and converts
 * executed notebooks into site pages.
 *
 *   nbconvert-ts execute <nb...> [--out-dir D | --inplace] [--kernel NAME | --kernel-cmd "..."]
 *       [--timeout S] [--startup-timeout S] [--allow-errors] [--profile P] [-p KEY=VALUE ...]
 *       [--jobs N] [--no-cache] [--json-report F] [--junit F] [--shard I/N [--times F]] [--record-times F]
 *   nbconvert-ts merge <shard report.json...> [--out-dir D] [--cache-dir D] [--json-report F] [--junit F]
 *       [--record-times F --profile P]
 *   nbconvert-ts convert <executed nb...> --to md --docs-dir DIR --assets-dir DIR [--assets-url U] [--notebooks-dir D]
 *   nbconvert-ts check <nb...>
 *   nbconvert-ts release <nb...> --out-dir D [--stub-line "throw notImplemented('{id}');"]
 *
 * A project's settings (profiles, cache, kernel, chart renderer) come from the
 * nearest nbconvert-ts.config.{ts,mjs,js,json} above the working directory, or
 * `--config FILE` (see ./config.ts).
 *
 * Exit status: 0 ok, 1 a cell failed, 2 a timeout, 3 the kernel died or did not start,
 * 4 bad usage or an unreadable notebook, 128 + n stopped by signal n.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { configuredKernel, findConfigFile, loadConfig, type NbconvertConfig } from './config';
import { convertNotebook } from './convert';
import {
  displayPath,
  executeMany,
  EXIT,
  outputPathFor,
  type ExecuteOptions,
  type NotebookReport,
  type ParameterValue,
} from './execute';
import { stopAllKernels, stoppedBy } from './kernel';
import { collectExecuted, readShardReports, storeInCache } from './merge';
import { outputCollisions, unwritableDir } from './preflight';
import { threadsPerKernel } from './pool';
import { DEFAULT_STUB_LINE, releaseNotebooks } from './release';
import { junitReport } from './report';
import { DEFAULT_PROFILE, parseShard, recordRunTimes, selectShard } from './shard';

class UsageError extends Error {}

interface Parsed {
  command: string;
  files: string[];
  flags: Map<string, string[]>;
  config: NbconvertConfig;
}

const VALUE_FLAGS = new Set([
  '--out-dir',
  '--kernel',
  '--kernel-cmd',
  '--timeout',
  '--startup-timeout',
  '--profile',
  '-p',
  '--jobs',
  '--json-report',
  '--junit',
  '--to',
  '--docs-dir',
  '--assets-dir',
  '--assets-url',
  '--notebooks-dir',
  '--cache-dir',
  '--edit-url',
  '--source-url',
  '--notebooks-url',
  '--shard',
  '--times',
  '--record-times',
  '--stub-line',
  '--config',
]);
const BOOLEAN_FLAGS = new Set(['--inplace', '--allow-errors', '--no-cache', '--help']);

function parse(argv: string[]): Omit<Parsed, 'config'> {
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
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag} must be a positive number, got ${raw}`);
  return value;
}

function parameters(p: Parsed): Record<string, ParameterValue> {
  const out: Record<string, ParameterValue> = {};
  for (const pair of p.flags.get('-p') ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`-p takes KEY=VALUE, got ${pair}`);
    const raw = pair.slice(at + 1);
    out[pair.slice(0, at)] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw;
  }
  const profile = one(p, '--profile');
  if (profile !== undefined) {
    const allowed = p.config.profiles;
    if (allowed && !allowed.includes(profile))
      throw new UsageError(`--profile is ${allowed.join(' or ')}, got ${profile}`);
    out.profile = profile;
  }
  return out;
}

function splitCommand(line: string): string[] {
  return (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((part) => part.replace(/^["']|["']$/g, ''));
}

async function execute(p: Parsed, check: boolean): Promise<number> {
  if (p.files.length === 0) throw new UsageError('no notebook given');
  if (one(p, '--out-dir') && p.flags.has('--inplace'))
    throw new UsageError('--out-dir and --inplace exclude each other');
  const outDir = one(p, '--out-dir');
  const inplace = p.flags.has('--inplace');
  const { config } = p;
  const params = check ? { ...parameters(p), ...config.checkParameters } : parameters(p);
  const kernelCmd = one(p, '--kernel-cmd');
  let cacheDir: string | undefined;
  if (!check && !p.flags.has('--no-cache')) cacheDir = one(p, '--cache-dir') ?? config.cacheDir;
  const defaultKernel = configuredKernel(config);
  const options = (path: string): ExecuteOptions => ({
    kernelName: one(p, '--kernel'),
    kernelCommand: kernelCmd ? splitCommand(kernelCmd) : undefined,
    timeoutSeconds: positiveNumber(p, '--timeout'),
    startupTimeoutSeconds: positiveNumber(p, '--startup-timeout'),
    allowErrors: p.flags.has('--allow-errors'),
    parameters: params,
    outputPath: check ? undefined : outDir ? outputPathFor(path, outDir) : inplace ? path : undefined,
    cacheDir,
    cacheInputs: config.cacheInputs,
    cacheEnv: config.cacheEnv,
    defaultKernel,
    kernelHint: config.kernelHint,
  });
  if (!check && !outDir && !inplace)
    throw new UsageError('execute needs --out-dir D or --inplace (or use check)');
  if (!check) cacheDir = preflightExecute(p, outDir, cacheDir);
  const files = shardFiles(p, String(params.profile ?? DEFAULT_PROFILE));
  const jobs = Math.floor(positiveNumber(p, '--jobs') ?? 1);
  // Kernels running side by side share the cores: each gets its part of the project's thread count.
  const threads = config.threadsEnv;
  if (threads && jobs > 1 && process.env[threads.name] === undefined) {
    const total = typeof threads.total === 'function' ? threads.total() : threads.total;
    process.env[threads.name] = String(threadsPerKernel(total, jobs, files.length));
  }
  const reports = await executeMany(files, options, jobs);
  return finishRun(p, reports, String(params.profile ?? DEFAULT_PROFILE));
}

/** The notebooks this run executes: all given, or the slice `--shard I/N` names. */
function shardFiles(p: Parsed, profile: string): string[] {
  const shard = one(p, '--shard');
  if (shard === undefined) {
    if (p.flags.has('--times')) throw new UsageError('--times is read by --shard only');
    return p.files;
  }
  let spec;
  try {
    spec = parseShard(shard);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const files = selectShard(p.files, spec, profile, one(p, '--times'));
  console.error(`shard ${spec.index}/${spec.count}: ${files.length} of ${p.files.length} notebooks`);
  return files;
}

/** Prints and writes the reports (and run times) of an execute or merge; returns the exit status. */
function finishRun(p: Parsed, reports: NotebookReport[], profile: string): number {
  for (const r of reports) printReport(r);
  const jsonReport = one(p, '--json-report');
  if (jsonReport) writeReport(jsonReport, JSON.stringify({ notebooks: reports }, null, 2));
  const junit = one(p, '--junit');
  if (junit) writeReport(junit, junitReport(reports));
  const timesFile = one(p, '--record-times');
  if (timesFile) {
    const recorded = recordRunTimes(timesFile, profile, reports);
    console.error(
      `times   ${recorded.length} run time(s) of profile ${profile} recorded in ${displayPath(resolve(timesFile))}`,
    );
  }
  return worstExit(reports);
}

/** `merge`: the shards' reports, executed notebooks and cache entries, as one run's. */
function merge(p: Parsed): number {
  if (p.files.length === 0) throw new UsageError("merge needs the shards' JSON reports");
  if (p.flags.has('--record-times') && !p.flags.has('--profile'))
    throw new UsageError('merge --record-times needs the --profile the shards ran');
  const profile = parameters(p).profile;
  const merged = readShardReports(p.files);
  const outDir = one(p, '--out-dir');
  const reports = outDir ? collectExecuted(merged, outDir) : merged.reports;
  const cacheDir = one(p, '--cache-dir');
  if (cacheDir)
    console.error(
      `cache   ${storeInCache(merged, cacheDir)} run(s) stored in ${displayPath(resolve(cacheDir))}`,
    );
  return finishRun(p, reports, String(profile ?? DEFAULT_PROFILE));
}

/**
 * Refuses, before any kernel starts, a run that would write over its own inputs or
 * each other's outputs, or whose outputs cannot be written. A cache folder that
 * cannot be written only costs the cache: a warning, and the run goes on without it.
 * @returns the cache folder to use
 */
function preflightExecute(
  p: Parsed,
  outDir: string | undefined,
  cacheDir: string | undefined,
): string | undefined {
  if (outDir) {
    const problems = outputCollisions(p.files, (file) => [outputPathFor(file, outDir)], 'the executed copy');
    if (problems.length)
      throw new UsageError(
        `refusing to run, nothing was written:\n  ${problems.join('\n  ')}\n(--out-dir must not be a notebook's own folder, and the notebooks given need different names; --inplace writes executed notebooks over their sources on purpose)`,
      );
  } else {
    const twice = outputCollisions(p.files, () => [], 'the executed copy');
    if (twice.length) throw new UsageError(`refusing to run: ${twice.join('; ')}`);
  }
  const outputFolders = new Set<string>(outDir ? [outDir] : p.files.map((file) => dirname(resolve(file))));
  for (const flag of ['--json-report', '--junit']) {
    const file = one(p, flag);
    if (file) outputFolders.add(dirname(resolve(file)));
  }
  for (const folder of outputFolders) {
    const problem = unwritableDir(folder);
    if (problem) throw new UsageError(`refusing to run, the results could not be saved: ${problem}`);
  }
  if (cacheDir) {
    const problem = unwritableDir(cacheDir);
    if (problem) {
      console.error(
        `nbconvert-ts: warning: ${problem}; running without the cache (use --cache-dir D or --no-cache)`,
      );
      return undefined;
    }
  }
  return cacheDir;
}

function writeReport(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text);
}

function printReport(r: NotebookReport): void {
  const name = displayPath(r.notebook);
  if (r.status === 'ok')
    console.error(`ok      ${name} (${r.cached ? 'cached' : `${r.seconds.toFixed(1)} s`})`);
  else if (r.status === 'stopped') console.error(`STOPPED ${r.message ?? name}`);
  else console.error(`FAILED  ${r.message ?? name}`);
  for (const warning of r.warnings ?? []) console.error(`warning ${warning}`);
}

/** The exit status of several runs: the most serious failure wins. */
export function worstExit(reports: NotebookReport[]): number {
  const stopped = reports.find((r) => r.status === 'stopped');
  if (stopped) return stopped.exitCode;
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
  const notebooksDir = one(p, '--notebooks-dir') ?? p.config.notebooksDir;
  if (!notebooksDir)
    throw new UsageError('convert needs --notebooks-dir (or notebooksDir in nbconvert-ts.config)');
  // A page is <docs-dir>/<name>.md and the download copy (outputs stripped) <notebooks-dir>/<name>.ipynb.
  const targets = (file: string) => [
    join(docsDir, `${basename(file, '.ipynb')}.md`),
    join(notebooksDir, `${basename(file, '.ipynb')}.ipynb`),
  ];
  const problems = outputCollisions(p.files, targets, 'the page or the download copy');
  if (problems.length)
    throw new UsageError(
      `refusing to convert, nothing was written:\n  ${problems.join('\n  ')}\n(--notebooks-dir must not be the folder of the executed notebooks: their download copies have the outputs stripped)`,
    );
  for (const file of p.files) {
    const page = await convertNotebook(file, {
      docsDir,
      assetsDir,
      assetsUrl: one(p, '--assets-url'),
      notebooksDir,
      notebooksUrl: one(p, '--notebooks-url'),
      editUrlBase: one(p, '--edit-url'),
      sourceUrlBase: one(p, '--source-url'),
      renderChart: p.config.renderChart,
      renderDiagram: p.config.renderDiagram,
    });
    console.error(`page    ${displayPath(page)}`);
  }
  return EXIT.ok;
}

function release(p: Parsed): number {
  if (p.files.length === 0) throw new UsageError('no notebook given');
  const outDir = one(p, '--out-dir');
  if (!outDir)
    throw new UsageError(
      "release needs --out-dir D (the learner versions never replace the instructors' notebooks)",
    );
  const stubLine = one(p, '--stub-line') ?? DEFAULT_STUB_LINE;
  if (!stubLine.includes('{id}'))
    throw new UsageError(`--stub-line must contain {id} (the exercise id), got ${stubLine}`);
  for (const written of releaseNotebooks(p.files, outDir, stubLine))
    console.error(`learner ${displayPath(written)}`);
  return EXIT.ok;
}

const USAGE = `usage:
  nbconvert-ts execute <nb...> [--out-dir D | --inplace] [--kernel NAME | --kernel-cmd "..."]
      [--timeout S] [--startup-timeout S] [--allow-errors] [--profile P] [-p KEY=VALUE ...]
      [--jobs N] [--no-cache] [--cache-dir D] [--json-report F] [--junit F]
      [--shard I/N [--times F]] [--record-times F]
  nbconvert-ts merge <shard report.json...> [--out-dir D] [--cache-dir D] [--json-report F] [--junit F]
      [--record-times F --profile P]
  nbconvert-ts convert <executed nb...> --to md --docs-dir DIR --assets-dir DIR [--assets-url /nb-assets/]
      [--notebooks-dir site/static/notebooks] [--notebooks-url /notebooks/] [--edit-url URL] [--source-url URL]
  nbconvert-ts check <nb...>
  nbconvert-ts release <nb...> --out-dir D [--stub-line "throw notImplemented('{id}');"]
every command takes --config FILE (default: the nearest nbconvert-ts.config.{ts,mjs,js,json} above the working directory)
exit status: 0 ok, 1 a cell failed, 2 a timeout, 3 the kernel died or did not start, 4 bad usage, an unreadable notebook, outputs that would overwrite inputs or cannot be written;
128 + n stopped by signal n (SIGINT 130, SIGTERM 143)`;

/** The configuration: `--config FILE`, else the nearest one above the working directory, else none. */
async function configFor(flags: Map<string, string[]>): Promise<NbconvertConfig> {
  const file = flags.get('--config')?.at(-1) ?? findConfigFile();
  return file ? loadConfig(file) : {};
}

/**
 * Runs the command line; returns the exit status. `config` replaces the
 * configuration file (which is then not looked for).
 */
export async function main(argv: string[], config?: NbconvertConfig): Promise<number> {
  try {
    const bare = parse(argv);
    const parsed: Parsed = { ...bare, config: config ?? (await configFor(bare.flags)) };
    if (parsed.command === 'execute') return await execute(parsed, false);
    if (parsed.command === 'check') return await execute(parsed, true);
    if (parsed.command === 'convert') return await convert(parsed);
    if (parsed.command === 'merge') return merge(parsed);
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

/** Seconds a stopped run has to write what it has before the process exits anyway. */
const STOP_GRACE_SECONDS = 5;

/**
 * SIGINT (Ctrl+C) and SIGTERM (a CI timeout): kill the kernels at once, let the runs
 * write what they have (reports, executed copies outside --inplace) and exit with
 * 128 + the signal's number. A second signal, or the grace period, exits at once;
 * either way the exit hook kills what is left and removes the connection files.
 */
function stopOnSignals(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy()) process.exit(128 + constants.signals[signal]);
    console.error(`nbconvert-ts: ${signal}: stopping the kernels`);
    stopAllKernels(signal);
    setTimeout(() => process.exit(128 + constants.signals[signal]), STOP_GRACE_SECONDS * 1000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

if (process.argv[1] && /nbconvert-ts[\\/]bin\.ts$|nbconvert-ts$/.test(process.argv[1])) {
  stopOnSignals();
  main(process.argv.slice(2)).then((code) => {
    const signal = stoppedBy();
    process.exit(signal ? 128 + constants.signals[signal] : code);
  });
}
