/**
 * Executes a notebook cell by cell on a Jupyter kernel, the way a person
 * running it top to bottom would, and records outputs and timings in nbclient's
 * format. Never skips a cell after an error; reports the first failure with
 * the notebook, the cell index, its first source lines and the error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { findKernelSpec, type KernelSpec } from '../jupyter/paths';
import { courseKernelSpec } from '../kernel-install';
import { CellTimeoutError, Kernel, KernelDiedError, KernelStartError } from './kernel';
import {
  joinSource,
  newCellId,
  NotebookFormatError,
  readNotebook,
  serializeNotebook,
  splitLines,
  tagsOf,
  type Cell,
  type CodeCell,
  type Notebook,
} from './notebook';
import { OutputCollector } from './outputs';

/** Exit statuses of the command line, one per kind of outcome. */
export const EXIT = { ok: 0, cellFailed: 1, timeout: 2, kernelDied: 3, badInput: 4 } as const;

/** A parameter value injected into a notebook. */
export type ParameterValue = string | number | boolean;

export interface ExecuteOptions {
  /** Kernelspec name (default `tslab`); the project's own tslab serves when no such kernelspec is installed. */
  kernelName?: string;
  /** A full kernel command line with `{connection_file}`, instead of a kernelspec. */
  kernelCommand?: string[];
  /** Default per-cell timeout in seconds (default 600). */
  timeoutSeconds?: number;
  startupTimeoutSeconds?: number;
  /** Seconds between an interrupt and a kill (default 5). */
  graceSeconds?: number;
  allowErrors?: boolean;
  parameters?: Record<string, ParameterValue>;
  /** Where to write the executed notebook; undefined writes nothing (check mode). */
  outputPath?: string;
  /** Reuse an earlier run when notebook, library, lockfile, backend and parameters are unchanged. */
  cacheDir?: string;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
  /** Files whose contents belong in the cache key besides the notebook (library sources, lockfile). */
  cacheInputs?: string[];
  /** Seconds an idle kernel has to echo a heartbeat before each cell (default 10). */
  heartbeatSeconds?: number;
}

export interface CellReport {
  /** Index in the notebook file as given (undefined for the injected parameters cell). */
  index: number | undefined;
  executionCount: number | null;
  seconds: number;
  status: 'ok' | 'error' | 'expected-error' | 'skipped';
}

export interface NotebookReport {
  notebook: string;
  status: 'ok' | 'cell-failed' | 'timeout' | 'kernel-died' | 'bad-input';
  exitCode: number;
  seconds: number;
  cached: boolean;
  outputPath?: string;
  cells: CellReport[];
  /** One paragraph a person can act on; set when status is not ok. */
  message?: string;
  failedCell?: { index: number | undefined; source: string; ename: string; evalue: string };
}

const DEFAULT_TIMEOUT = 600;
/** Bump when the executor's output changes, so older cached runs are not reused. */
const CACHE_VERSION = 'v2';

/** The kernelspec a run uses (see {@link ExecuteOptions.kernelName}). */
export function resolveKernel(options: ExecuteOptions): { spec: KernelSpec; name: string } {
  if (options.kernelCommand?.length) {
    return { spec: { argv: options.kernelCommand, display_name: 'custom', language: 'typescript' }, name: 'custom' };
  }
  const name = options.kernelName ?? 'tslab';
  const found = findKernelSpec(name);
  // jupyter_client also fills in {resource_dir}, the kernelspec's own folder.
  if (found) return { spec: { ...found.spec, argv: found.spec.argv.map((arg) => arg.split('{resource_dir}').join(found.dir)) }, name };
  if (name === 'tslab') return { spec: courseKernelSpec(), name };
  throw new KernelStartError(`no kernelspec named '${name}' in the Jupyter data directories`);
}

/** Papermill's rule: after the `parameters` cell, put (or replace) an `injected-parameters` cell. */
export function injectParameters(nb: Notebook, parameters: Record<string, ParameterValue>): void {
  if (Object.keys(parameters).length === 0) return;
  const typeOf = (value: ParameterValue) => (typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean');
  const lines = ['// Parameters injected by nbconvert-ts'];
  for (const [key, value] of Object.entries(parameters)) {
    if (!/^[A-Za-z_$][\w$]*$/.test(key)) throw new Error(`parameter name ${JSON.stringify(key)} is not an identifier`);
    lines.push(`const ${key}: ${typeOf(value)} = ${JSON.stringify(value)};`);
  }
  const cell: CodeCell = {
    cell_type: 'code',
    id: newCellId(),
    metadata: { tags: ['injected-parameters'] },
    source: lines.join('\n'),
    execution_count: null,
    outputs: [],
  };
  const existing = nb.cells.findIndex((c) => tagsOf(c).includes('injected-parameters'));
  if (existing >= 0) {
    cell.id = nb.cells[existing]!.id;
    nb.cells[existing] = cell;
    return;
  }
  const at = nb.cells.findIndex((c) => tagsOf(c).includes('parameters'));
  nb.cells.splice(at + 1, 0, cell);
}

/** A cell's timeout: metadata `execution.timeout` or `timeout`, or a `timeout=N` tag. */
function cellTimeout(cell: Cell, fallback: number): number {
  const fromTag = tagsOf(cell).map((t) => /^timeout=(\d+(?:\.\d+)?)$/.exec(t)?.[1]).find(Boolean);
  const meta = cell.metadata as { timeout?: unknown; execution?: { timeout?: unknown } };
  const value = Number(fromTag ?? meta.execution?.timeout ?? meta.timeout ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** tslab reports a failing cell on stderr only: make an nbformat error output from that text. */
export function errorFromStderr(stderr: string): { ename: string; evalue: string; traceback: string[] } {
  const lines = stderr.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim() !== '');
  const first = lines[0] ?? 'the cell failed without a message';
  // A thrown error comes after the source excerpt and caret that Node prints first.
  for (const line of lines) {
    const named = /^(?:Uncaught )?([A-Za-z_$][\w$.]*(?:Error|Exception|Warning)|Error)(?: \[[A-Z_]+\])?: ?(.*)$/.exec(line);
    if (named) return { ename: named[1]!, evalue: named[2]!, traceback: lines };
  }
  // TypeScript diagnostics from tslab look like "3:7 - Type 'string' is not assignable ...".
  const diagnostic = /^(?:\S+ )?(\d+):(\d+) - (.*)$/.exec(first);
  if (diagnostic) return { ename: 'TypeScriptError', evalue: `line ${diagnostic[1]}, column ${diagnostic[2]}: ${diagnostic[3]}`, traceback: lines };
  return { ename: 'Error', evalue: first, traceback: lines };
}

function hashFiles(hash: ReturnType<typeof createHash>, paths: string[]): void {
  for (const path of paths) {
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) {
      const entries = readdirSync(path).sort();
      hashFiles(hash, entries.map((e) => join(path, e)));
    } else {
      hash.update(path).update('\0').update(readFileSync(path)).update('\0');
    }
  }
}

/** The content hash that identifies one run: notebook, inputs, backend, parameters, kernel. */
export function cacheKey(nb: Notebook, options: ExecuteOptions): string {
  const hash = createHash('sha256');
  hash.update(`nbconvert-ts cache ${CACHE_VERSION}\0`);
  hash.update(JSON.stringify(nb.cells.map((c) => [c.cell_type, joinSource(c.source), tagsOf(c)])));
  hash.update(JSON.stringify({ parameters: options.parameters ?? {}, backend: process.env.COURSE_BACKEND ?? '', kernel: options.kernelCommand ?? options.kernelName ?? 'tslab', env: options.env ?? {}, allowErrors: Boolean(options.allowErrors) }));
  hashFiles(hash, options.cacheInputs ?? []);
  return hash.digest('hex').slice(0, 32);
}

function firstLines(source: string, count = 3): string {
  return source.split('\n').slice(0, count).join('\n');
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/**
 * Executes one notebook and returns what happened. Never throws for notebook
 * problems: the report carries the status and exit code. The input file is
 * never modified unless `outputPath` is the input itself and the run succeeded.
 */
export async function executeNotebook(notebookPath: string, options: ExecuteOptions = {}): Promise<NotebookReport> {
  const path = resolve(notebookPath);
  const started = Date.now();
  const report: NotebookReport = { notebook: path, status: 'ok', exitCode: EXIT.ok, seconds: 0, cached: false, cells: [] };
  const finish = (r: NotebookReport) => ({ ...r, seconds: (Date.now() - started) / 1000 });

  let nb: Notebook;
  try {
    nb = readNotebook(path);
    injectParameters(nb, options.parameters ?? {});
  } catch (error) {
    const message = error instanceof NotebookFormatError ? error.message : `${path}: ${(error as Error).message}`;
    return finish({ ...report, status: 'bad-input', exitCode: EXIT.badInput, message });
  }
  const originalIndex = new Map<Cell, number>();
  let counter = 0;
  for (const cell of nb.cells) if (!tagsOf(cell).includes('injected-parameters')) originalIndex.set(cell, counter++);

  const key = options.cacheDir ? cacheKey(nb, options) : undefined;
  const cached = key ? join(options.cacheDir!, `${key}.ipynb`) : undefined;
  if (cached && existsSync(cached)) {
    if (options.outputPath && resolve(options.outputPath) !== cached) {
      mkdirSync(dirname(resolve(options.outputPath)), { recursive: true });
      copyFileSync(cached, options.outputPath);
    }
    return finish({ ...report, cached: true, outputPath: options.outputPath, cells: cachedCells(cached) });
  }

  let kernel: Kernel;
  try {
    const { spec, name } = resolveKernel(options);
    kernel = await Kernel.start({ spec, name, cwd: dirname(path), startupTimeoutSeconds: options.startupTimeoutSeconds ?? 60, env: options.env });
  } catch (error) {
    return finish({ ...report, status: 'kernel-died', exitCode: EXIT.kernelDied, message: `${path}: ${(error as Error).message}` });
  }

  const collector = new OutputCollector();
  let executionCount = 0;
  let lastFailedAt = 0;
  try {
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'code') continue;
      const index = originalIndex.get(cell);
      const source = joinSource(cell.source);
      const tags = tagsOf(cell);
      if (tags.includes('skip-execution') || source.trim() === '') {
        cell.outputs = [];
        cell.execution_count = null;
        report.cells.push({ index, executionCount: null, seconds: 0, status: 'skipped' });
        continue;
      }
      // tslab aborts every request that arrives within 200 ms of an error.
      const sinceFailure = Date.now() - lastFailedAt;
      if (sinceFailure < 300) await new Promise((r) => setTimeout(r, 300 - sinceFailure));
      collector.begin(cell);
      cell.execution_count = ++executionCount;
      const cellStart = Date.now();
      const where = `${path}: cell ${index ?? '(injected parameters)'} (execution ${executionCount})`;
      let outcome;
      try {
        // Between cells the kernel is idle and must echo at once; a kernel that
        // is stopped or wedged is reported instead of waited on until the timeout.
        const beatSeconds = options.heartbeatSeconds ?? 10;
        if (kernel.alive && !(await kernel.heartbeat(beatSeconds))) {
          throw kernel.death ?? new KernelDiedError(`no heartbeat within ${beatSeconds} s before the cell (the process runs but does not answer)`);
        }
        outcome = await kernel.execute(source, cellTimeout(cell, options.timeoutSeconds ?? DEFAULT_TIMEOUT), options.graceSeconds ?? 5, (m) => collector.handle(m));
        collector.end();
      } catch (error) {
        collector.end();
        const seconds = (Date.now() - cellStart) / 1000;
        report.cells.push({ index, executionCount, seconds, status: 'error' });
        const timedOut = error instanceof CellTimeoutError;
        collector.addError(timedOut ? 'CellTimeoutError' : 'DeadKernelError', (error as Error).message, []);
        report.failedCell = { index, source: firstLines(source), ename: timedOut ? 'CellTimeoutError' : 'DeadKernelError', evalue: (error as Error).message };
        report.status = timedOut ? 'timeout' : 'kernel-died';
        report.exitCode = timedOut ? EXIT.timeout : EXIT.kernelDied;
        report.message = `${where} ${timedOut ? 'timed out' : 'lost its kernel'}: ${(error as Error).message}\n${indent(firstLines(source))}`;
        break;
      }
      cell.metadata = { ...cell.metadata, execution: outcome.timing };
      const seconds = (Date.now() - cellStart) / 1000;
      const expectError = tags.includes('raises-exception');
      if (outcome.status === 'ok') {
        if (expectError) {
          report.cells.push({ index, executionCount, seconds, status: 'error' });
          report.failedCell = { index, source: firstLines(source), ename: 'ExpectedErrorMissing', evalue: 'the cell is tagged raises-exception but ran without error' };
          report.status = 'cell-failed';
          report.exitCode = EXIT.cellFailed;
          report.message = `${where} is tagged raises-exception but did not raise\n${indent(firstLines(source))}`;
          break;
        }
        report.cells.push({ index, executionCount, seconds, status: 'ok' });
        continue;
      }
      lastFailedAt = Date.now();
      let ename: string;
      let evalue: string;
      if (outcome.status === 'abort') {
        ename = 'KernelAbort';
        evalue = 'the kernel aborted the request (tslab aborts requests that follow an error too closely)';
        collector.addError(ename, evalue, []);
      } else {
        const published = cell.outputs.find((o) => o.output_type === 'error');
        if (published && published.output_type === 'error') ({ ename, evalue } = published);
        else {
          const synthesized = errorFromStderr(collector.stderrText());
          ({ ename, evalue } = synthesized);
          collector.addError(ename, evalue, synthesized.traceback);
        }
      }
      if (expectError && outcome.status === 'error') {
        report.cells.push({ index, executionCount, seconds, status: 'expected-error' });
        continue;
      }
      report.cells.push({ index, executionCount, seconds, status: 'error' });
      if (options.allowErrors && outcome.status === 'error') continue;
      report.failedCell = { index, source: firstLines(source), ename, evalue };
      report.status = 'cell-failed';
      report.exitCode = EXIT.cellFailed;
      report.message = `${where} failed: ${ename}: ${evalue}\n${indent(firstLines(source))}`;
      break;
    }
  } finally {
    collector.finish();
    await kernel.shutdown();
  }

  // As nbclient does: record what the kernel says about its language.
  const languageInfo = kernel.info.language_info;
  if (languageInfo && typeof languageInfo === 'object' && typeof (languageInfo as { name?: unknown }).name === 'string') {
    nb.metadata.language_info = languageInfo as Record<string, unknown>;
  }
  const text = serializeNotebook(nb);
  const succeeded = report.status === 'ok';
  if (options.outputPath && (succeeded || resolve(options.outputPath) !== path)) {
    writeAtomically(resolve(options.outputPath), text);
    report.outputPath = options.outputPath;
  }
  if (succeeded && cached) {
    writeAtomically(cached.replace(/\.ipynb$/, '.cells.json'), JSON.stringify(report.cells));
    writeAtomically(cached, text);
  }
  return finish(report);
}

/** The per-cell report of a cached run (empty when it was not kept). */
function cachedCells(cachedNotebook: string): CellReport[] {
  try {
    return JSON.parse(readFileSync(cachedNotebook.replace(/\.ipynb$/, '.cells.json'), 'utf8')) as CellReport[];
  } catch {
    return [];
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    | ${l}`)
    .join('\n');
}

/** Where `execute --out-dir D` writes a notebook. */
export function outputPathFor(notebook: string, outDir: string): string {
  return join(outDir, basename(notebook));
}

/** Runs notebooks with at most `jobs` at a time, reports in input order. */
export async function executeMany(paths: string[], optionsFor: (path: string) => ExecuteOptions, jobs = 1): Promise<NotebookReport[]> {
  const reports: NotebookReport[] = new Array(paths.length);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      reports[i] = await executeNotebook(paths[i]!, optionsFor(paths[i]!));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, paths.length)) }, worker));
  return reports;
}

/** Relative path for messages. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

export { splitLines };
