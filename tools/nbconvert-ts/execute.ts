/**
 * Executes a notebook cell by cell on a Jupyter kernel, the way a person
 * running it top to bottom would, and records outputs and timings in nbclient's
 * format. Never skips a cell after an error; reports the first failure with
 * the notebook, the cell index, its first source lines and the error.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  findKernelSpec,
  jupyterDataDirs,
  type FoundKernelSpec,
  KernelSpecFileError,
  listKernelSpecFiles,
  missingSpecFiles,
  type KernelSpec,
} from '../jupyter/paths';
import {
  CellTimeoutError,
  Kernel,
  KernelDiedError,
  KernelStartError,
  RunStoppedError,
  stoppedBy,
  type Message,
} from './kernel';
import {
  joinSource,
  NotebookFormatError,
  readNotebook,
  serializeNotebook,
  sortKeys,
  splitLines,
  tagsOf,
  type Cell,
  type CodeCell,
  type Notebook,
} from './notebook';
import { OutputCollector } from './outputs';
import { runPool } from './pool';

/** Exit statuses of the command line, one per kind of outcome. */
export const EXIT = { ok: 0, cellFailed: 1, timeout: 2, kernelDied: 3, badInput: 4 } as const;

/** A parameter value injected into a notebook. */
export type ParameterValue = string | number | boolean;

export interface ExecuteOptions {
  /**
   * An installed kernelspec to run, by name (looked up in the Jupyter data
   * directories). Without it (and without `kernelCommand`) `defaultKernel` runs:
   * never a user-wide spec that merely shares its name.
   */
  kernelName?: string;
  /**
   * The kernel to run when no name or command is given (a project's own kernel, from
   * its configuration). Without it, the kernelspec the notebook's metadata names.
   */
  defaultKernel?: { name: string; spec: KernelSpec };
  /** Said after a kernelspec problem: how to (re)install the project's kernel. */
  kernelHint?: string;
  /** Environment variables whose values change what a notebook computes: part of the cache key. */
  cacheEnv?: string[];
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
  /** Reuse an earlier run when notebook, cache inputs, `cacheEnv` variables, kernel and parameters are unchanged. */
  cacheDir?: string;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
  /** Files whose contents belong in the cache key besides the notebook (library sources, lockfile). */
  cacheInputs?: string[];
  /** Seconds an idle kernel has to echo a heartbeat before each cell (default 10). */
  heartbeatSeconds?: number;
  /** Seconds to wait for a cell's idle status after its execute_reply while no message comes (default 4). */
  iopubSeconds?: number;
  /** Called as each code cell starts: its 1-based position among the cells that run, and their count. */
  onCell?: (position: number, total: number) => void;
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
  /** `stopped`: nbconvert-ts was told to stop (SIGINT, SIGTERM); the exit code is then 128 + the signal's number. */
  status: 'ok' | 'cell-failed' | 'timeout' | 'kernel-died' | 'bad-input' | 'stopped';
  exitCode: number;
  seconds: number;
  cached: boolean;
  outputPath?: string;
  /** The run's cache key (the cached copy is `<cacheDir>/<key>.ipynb`); set when a cache was used. */
  cacheKey?: string;
  cells: CellReport[];
  /** One paragraph a person can act on; set when status is not ok. */
  message?: string;
  failedCell?: { index: number | undefined; source: string; ename: string; evalue: string };
  /** Things that did not fail the run but that a person should know (lost output, a cache not written). */
  warnings?: string[];
}

const DEFAULT_TIMEOUT = 600;
/** Bump when the executor's output changes, so older cached runs are not reused. */
const CACHE_VERSION = 'v3';
/** How long the executor listens after the last cell for an error its callbacks or promises report. */
const LATE_ERROR_WAIT_MS = 300;

/** Names every kernelspec found, for messages that must say what could be used instead. */
function installedKernels(): string {
  const found = listKernelSpecFiles();
  if (found.length === 0) return 'none is installed';
  return 'installed: ' + found.map((k) => `${k.name} (${k.file})`).join(', ');
}

function fixHint(options: ExecuteOptions): string {
  const own = options.defaultKernel ? "run without --kernel to use the project's own kernel, or " : '';
  return `${own}(re)install the spec${options.kernelHint ? ` (${options.kernelHint})` : ''}`;
}

/** The name of the kernel a run uses, for reports and the cache key. */
function kernelLabel(options: ExecuteOptions, notebookKernel: string | undefined): string {
  return (
    options.kernelCommand?.join(' ') ??
    options.kernelName ??
    options.defaultKernel?.name ??
    notebookKernel ??
    ''
  );
}

/**
 * The kernel to start: a command, a named kernelspec (checked), the default, or
 * else the kernelspec `notebookKernel` (the notebook's metadata) names.
 */
export function resolveKernel(
  options: ExecuteOptions,
  notebookKernel?: string,
): { spec: KernelSpec; name: string } {
  if (options.kernelCommand?.length) {
    return {
      spec: { argv: options.kernelCommand, display_name: 'custom', language: 'typescript' },
      name: 'custom',
    };
  }
  if (options.kernelName === undefined && options.defaultKernel) return options.defaultKernel;
  const name = options.kernelName ?? notebookKernel;
  if (name === undefined) {
    throw new KernelStartError(
      'no kernel to run: the notebook names no kernelspec (metadata.kernelspec.name); give --kernel NAME or --kernel-cmd "...", or a defaultKernel in nbconvert-ts.config',
    );
  }
  const FIX_HINT = fixHint(options);
  let found: FoundKernelSpec | undefined;
  try {
    found = findKernelSpec(name);
  } catch (error) {
    if (error instanceof KernelSpecFileError)
      throw new KernelStartError(
        `the kernelspec '${name}' is unusable: ${error.message}. Fix or remove that file; ${FIX_HINT}`,
      );
    throw error;
  }
  if (!found) {
    throw new KernelStartError(
      `no kernelspec named '${name}' in the Jupyter data directories (${jupyterDataDirs().join(', ')}); ${installedKernels()}. Pick one of those with --kernel, or ${FIX_HINT}`,
    );
  }
  // jupyter_client also fills in {resource_dir}, the kernelspec's own folder.
  const dir = found.dir;
  const spec = { ...found.spec, argv: found.spec.argv.map((arg) => arg.split('{resource_dir}').join(dir)) };
  const missing = missingSpecFiles(spec);
  if (missing.length > 0) {
    throw new KernelStartError(
      `the kernelspec '${name}' (${join(found.dir, 'kernel.json')}) runs ${missing.join(' and ')}, which no longer exist${missing.length === 1 ? 's' : ''} (was its checkout moved or deleted?). ${FIX_HINT[0]!.toUpperCase()}${FIX_HINT.slice(1)}`,
    );
  }
  return { spec, name };
}

/** Papermill's rule: after the `parameters` cell, put (or replace) an `injected-parameters` cell. */
export function injectParameters(nb: Notebook, parameters: Record<string, ParameterValue>): void {
  if (Object.keys(parameters).length === 0) return;
  const typeOf = (value: ParameterValue) =>
    typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';
  const lines = ['// Parameters injected by nbconvert-ts'];
  for (const [key, value] of Object.entries(parameters)) {
    if (!/^[A-Za-z_$][\w$]*$/.test(key))
      throw new Error(`parameter name ${JSON.stringify(key)} is not an identifier`);
    lines.push(`const ${key}: ${typeOf(value)} = ${JSON.stringify(value)};`);
  }
  // The same parameters give the same cell id, so executed copies of one run are byte-identical.
  const taken = new Set(nb.cells.map((c) => c.id));
  let id = createHash('sha256')
    .update(`injected-parameters\n${lines.join('\n')}`)
    .digest('hex')
    .slice(0, 12);
  while (taken.has(id)) id = createHash('sha256').update(id).digest('hex').slice(0, 12);
  const cell: CodeCell = {
    cell_type: 'code',
    id,
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
  const fromTag = tagsOf(cell)
    .map((t) => /^timeout=(\d+(?:\.\d+)?)$/.exec(t)?.[1])
    .find(Boolean);
  const meta = cell.metadata as { timeout?: unknown; execution?: { timeout?: unknown } };
  const value = Number(fromTag ?? meta.execution?.timeout ?? meta.timeout ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** tslab reports a failing cell on stderr only: make an nbformat error output from that text. */
export function errorFromStderr(stderr: string): { ename: string; evalue: string; traceback: string[] } {
  const lines = stderr
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const first = lines[0] ?? 'the cell failed without a message';
  // A thrown error comes after the source excerpt and caret that Node prints first.
  for (const line of lines) {
    const named =
      /^(?:Uncaught )?([A-Za-z_$][\w$.]*(?:Error|Exception|Warning)|Error)(?: \[[A-Z_]+\])?: ?(.*)$/.exec(
        line,
      );
    if (named) return { ename: named[1]!, evalue: named[2]!, traceback: lines };
  }
  // TypeScript diagnostics from tslab look like "3:7 - Type 'string' is not assignable ...".
  const diagnostic = /^(?:\S+ )?(\d+):(\d+) - (.*)$/.exec(first);
  if (diagnostic)
    return {
      ename: 'TypeScriptError',
      evalue: `line ${diagnostic[1]}, column ${diagnostic[2]}: ${diagnostic[3]}`,
      traceback: lines,
    };
  return { ename: 'Error', evalue: first, traceback: lines };
}

function hashFiles(hash: ReturnType<typeof createHash>, paths: string[]): void {
  for (const path of paths) {
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) {
      const entries = readdirSync(path).sort();
      hashFiles(
        hash,
        entries.map((e) => join(path, e)),
      );
    } else {
      hash.update(path).update('\0').update(readFileSync(path)).update('\0');
    }
  }
}

/** Cell metadata that records a run or a view of it, never an input of the run or of its page. */
const VOLATILE_CELL_METADATA = ['execution', 'collapsed', 'scrolled', 'trusted', 'ExecuteTime'];
/** Notebook metadata that the run itself writes. */
const VOLATILE_NOTEBOOK_METADATA = ['language_info'];

/** The kernelspec name a notebook's metadata gives, if any. */
function notebookKernelName(nb: Notebook): string | undefined {
  const name = (nb.metadata?.kernelspec as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : undefined;
}

function without(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
}

/**
 * The content hash that identifies one run: every cell's type, source, metadata
 * (tags, timeouts, what the converter reads) and attachments, the notebook's
 * metadata, and the inputs, backend, parameters and kernel. Cell ids, outputs,
 * execution counts and timing are not part of it.
 */
export function cacheKey(nb: Notebook, options: ExecuteOptions): string {
  const hash = createHash('sha256');
  hash.update(`nbconvert-ts cache ${CACHE_VERSION}\0`);
  const cells = nb.cells.map((c) => [
    c.cell_type,
    joinSource(c.source),
    without(c.metadata ?? {}, VOLATILE_CELL_METADATA),
    (c as { attachments?: unknown }).attachments ?? null,
  ]);
  hash.update(
    JSON.stringify(sortKeys({ cells, metadata: without(nb.metadata ?? {}, VOLATILE_NOTEBOOK_METADATA) })),
  );
  hash.update(
    JSON.stringify({
      parameters: options.parameters ?? {},
      cacheEnv: Object.fromEntries((options.cacheEnv ?? []).map((name) => [name, process.env[name] ?? ''])),
      kernel: kernelLabel(options, notebookKernelName(nb)),
      env: options.env ?? {},
      allowErrors: Boolean(options.allowErrors),
    }),
  );
  hashFiles(hash, options.cacheInputs ?? []);
  return hash.digest('hex').slice(0, 32);
}

function firstLines(source: string, count = 3): string {
  return source.split('\n').slice(0, count).join('\n');
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Puts a cached run's outputs, execution counts and timing into the notebook as
 * it is now, keeping everything else of the current notebook (its metadata, cell
 * metadata, attachments, ids). False when the cached notebook does not have the
 * same cells (a damaged or foreign cache file): then it is not used.
 */
export function mergeCachedRun(nb: Notebook, cached: Notebook): boolean {
  if (cached.cells.length !== nb.cells.length) return false;
  const same = nb.cells.every(
    (cell, i) =>
      cell.cell_type === cached.cells[i]!.cell_type &&
      joinSource(cell.source) === joinSource(cached.cells[i]!.source),
  );
  if (!same) return false;
  nb.cells.forEach((cell, i) => {
    const from = cached.cells[i]!;
    if (cell.cell_type !== 'code' || from.cell_type !== 'code') return;
    cell.outputs = from.outputs;
    cell.execution_count = from.execution_count;
    const { execution, ...rest } = cell.metadata;
    void execution;
    cell.metadata = from.metadata.execution ? { ...rest, execution: from.metadata.execution } : rest;
  });
  if (cached.metadata.language_info) nb.metadata.language_info = cached.metadata.language_info;
  return true;
}

/** tslab's words for an error that no cell's code caught: a callback threw, a rejected promise was never awaited. */
const ASYNC_ERROR = /^(UncaughtException|UnhandledPromiseRejection): /m;

/**
 * tslab publishes without waiting for its previous message to go out; under a flood
 * ZeroMQ refuses the overlapping sends, and tslab reports each refusal as an
 * unhandled rejection: lost output, not an error of the notebook.
 */
const KERNEL_SEND_FAILURE = /Socket is busy writing/;

/** An error that surfaced outside the synchronous run of a cell. */
interface AsyncError {
  cell: CodeCell;
  /** `after`: it came after the cell had finished; `during`: while it ran, though the cell itself succeeded. */
  when: 'after' | 'during';
  ename: string;
  evalue: string;
  traceback: string[];
}

/** The error in an asynchronous error's text (tslab prefixes it with UncaughtException: and the like). */
function asyncErrorFromText(text: string): { ename: string; evalue: string; traceback: string[] } {
  const at = text.search(ASYNC_ERROR);
  const body = text.slice(at >= 0 ? at : 0).replace(ASYNC_ERROR, '');
  return errorFromStderr(body);
}

function signalExit(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/**
 * Executes one notebook and returns what happened. Never throws for notebook
 * problems: the report carries the status and exit code. The input file is
 * never modified unless `outputPath` is the input itself and the run succeeded.
 */
export async function executeNotebook(
  notebookPath: string,
  options: ExecuteOptions = {},
): Promise<NotebookReport> {
  const path = resolve(notebookPath);
  const started = Date.now();
  const report: NotebookReport = {
    notebook: path,
    status: 'ok',
    exitCode: EXIT.ok,
    seconds: 0,
    cached: false,
    cells: [],
  };
  const warnings: string[] = [];
  const finish = (r: NotebookReport) => ({
    ...r,
    seconds: (Date.now() - started) / 1000,
    ...(warnings.length ? { warnings } : {}),
  });
  const stopped = (signal: NodeJS.Signals, detail: string): NotebookReport => ({
    ...report,
    status: 'stopped',
    exitCode: signalExit(signal),
    message: `${path}: ${detail}: nbconvert-ts received ${signal}`,
  });
  const alreadyStopped = stoppedBy();
  if (alreadyStopped) return finish(stopped(alreadyStopped, 'not run'));

  let nb: Notebook;
  try {
    nb = readNotebook(path);
    injectParameters(nb, options.parameters ?? {});
  } catch (error) {
    const message =
      error instanceof NotebookFormatError ? error.message : `${path}: ${(error as Error).message}`;
    return finish({ ...report, status: 'bad-input', exitCode: EXIT.badInput, message });
  }
  const originalIndex = new Map<Cell, number>();
  let counter = 0;
  for (const cell of nb.cells)
    if (!tagsOf(cell).includes('injected-parameters')) originalIndex.set(cell, counter++);

  const key = options.cacheDir ? cacheKey(nb, options) : undefined;
  if (key) report.cacheKey = key;
  const cached = key ? join(options.cacheDir!, `${key}.ipynb`) : undefined;
  if (cached && existsSync(cached)) {
    let merged = false;
    try {
      merged = mergeCachedRun(nb, readNotebook(cached));
    } catch (error) {
      warnings.push(
        `the cached run ${cached} could not be read (${(error as Error).message}); running the notebook instead`,
      );
    }
    if (merged) {
      if (options.outputPath) {
        try {
          writeAtomically(resolve(options.outputPath), serializeNotebook(nb));
        } catch (error) {
          return finish({
            ...report,
            status: 'bad-input',
            exitCode: EXIT.badInput,
            message: `${path}: could not write ${options.outputPath}: ${(error as Error).message}`,
          });
        }
      }
      return finish({ ...report, cached: true, outputPath: options.outputPath, cells: cachedCells(cached) });
    }
  }

  let kernel: Kernel;
  try {
    const { spec, name } = resolveKernel(options, notebookKernelName(nb));
    kernel = await Kernel.start({
      spec,
      name,
      cwd: dirname(path),
      startupTimeoutSeconds: options.startupTimeoutSeconds ?? 60,
      env: options.env,
      iopubSeconds: options.iopubSeconds,
    });
  } catch (error) {
    const signal = stoppedBy();
    if (signal) return finish(stopped(signal, 'stopped while its kernel started'));
    return finish({
      ...report,
      status: 'kernel-died',
      exitCode: EXIT.kernelDied,
      message: `${path}: ${(error as Error).message}`,
    });
  }

  const collector = new OutputCollector();
  // Errors thrown by callbacks and unawaited promises: tslab reports them on stderr with the
  // header of whichever cell ran last, often after that cell has finished.
  const cellOfRequest = new Map<
    string,
    { cell: CodeCell; index: number | undefined; executionCount: number }
  >();
  const asyncErrors: AsyncError[] = [];
  kernel.onLateMessage = (message: Message) => {
    const owner = cellOfRequest.get(message.parent_header.msg_id ?? '');
    if (!owner) return;
    collector.handleLate(owner.cell, message);
    const type = message.header.msg_type;
    if (type === 'error') {
      const content = message.content;
      asyncErrors.push({
        cell: owner.cell,
        when: 'after',
        ename: String(content.ename ?? 'Error'),
        evalue: String(content.evalue ?? ''),
        traceback: (content.traceback as string[] | undefined) ?? [],
      });
    } else if (
      type === 'stream' &&
      message.content.name === 'stderr' &&
      KERNEL_SEND_FAILURE.test(String(message.content.text ?? ''))
    ) {
      warnings.push(
        `${cellName(owner.cell)}: the kernel could not publish some output (${String(message.content.text).split('\n')[0]}): the cell's output may be incomplete`,
      );
    } else if (
      type === 'stream' &&
      message.content.name === 'stderr' &&
      ASYNC_ERROR.test(String(message.content.text ?? ''))
    ) {
      const error = asyncErrorFromText(String(message.content.text));
      asyncErrors.push({ cell: owner.cell, when: 'after', ...error });
      collector.addError(error.ename, error.evalue, error.traceback, owner.cell);
    }
  };
  let executionCount = 0;
  let lastFailedAt = 0;
  const cellName = (cell: CodeCell) => {
    const owner = [...cellOfRequest.values()].find((o) => o.cell === cell);
    return `${path}: cell ${owner?.index ?? '(injected parameters)'} (execution ${owner?.executionCount ?? '?'})`;
  };
  /** Fails the run on the first asynchronous error seen (unless errors are allowed); true when it did. */
  const failOnAsyncError = (): boolean => {
    const first = asyncErrors[0];
    if (!first || options.allowErrors) return false;
    const owner = [...cellOfRequest.values()].find((o) => o.cell === first.cell);
    const source = joinSource(first.cell.source);
    const when =
      first.when === 'after'
        ? 'surfaced after the cell had finished (it was scheduled by this cell or an earlier one)'
        : 'surfaced while the cell ran, outside its own code (it was scheduled by this cell or an earlier one)';
    report.failedCell = {
      index: owner?.index,
      source: firstLines(source),
      ename: first.ename,
      evalue: first.evalue,
    };
    report.status = 'cell-failed';
    report.exitCode = EXIT.cellFailed;
    report.message = `${cellName(first.cell)}: an asynchronous error ${when}: ${first.ename}: ${first.evalue}\n    A callback (setTimeout, an event handler) threw, or a promise was rejected and never awaited: await it, or catch the error where it is scheduled.\n${indent(firstLines(source))}`;
    return true;
  };
  const runs = (cell: Cell) =>
    cell.cell_type === 'code' &&
    !tagsOf(cell).includes('skip-execution') &&
    joinSource(cell.source).trim() !== '';
  const total = nb.cells.filter(runs).length;
  let position = 0;
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
      // An error reported since the last cell ended stops the run before the next cell.
      if (failOnAsyncError()) break;
      // tslab aborts every request that arrives within 200 ms of an error.
      const sinceFailure = Date.now() - lastFailedAt;
      if (sinceFailure < 300) await new Promise((r) => setTimeout(r, 300 - sinceFailure));
      options.onCell?.(++position, total);
      collector.begin(cell);
      cell.execution_count = ++executionCount;
      const cellStart = Date.now();
      const where = `${path}: cell ${index ?? '(injected parameters)'} (execution ${executionCount})`;
      let outcome;
      const previousRequest = kernel.lastExecuteId;
      try {
        // Between cells the kernel is idle and must echo at once; a kernel that
        // is stopped or wedged is reported instead of waited on until the timeout.
        const beatSeconds = options.heartbeatSeconds ?? 10;
        if (kernel.alive && !(await kernel.heartbeat(beatSeconds))) {
          throw (
            kernel.death ??
            new KernelDiedError(
              `no heartbeat within ${beatSeconds} s before the cell (the process runs but does not answer)`,
            )
          );
        }
        outcome = await kernel.execute(
          source,
          cellTimeout(cell, options.timeoutSeconds ?? DEFAULT_TIMEOUT),
          options.graceSeconds ?? 5,
          (m) => collector.handle(m),
        );
        collector.end();
      } catch (error) {
        collector.end();
        const seconds = (Date.now() - cellStart) / 1000;
        report.cells.push({ index, executionCount, seconds, status: 'error' });
        if (error instanceof RunStoppedError) {
          collector.addError('RunStopped', error.message, []);
          Object.assign(
            report,
            stopped(
              error.signal,
              `cell ${index ?? '(injected parameters)'} (execution ${executionCount}) was stopped`,
            ),
          );
          report.failedCell = {
            index,
            source: firstLines(source),
            ename: 'RunStopped',
            evalue: error.message,
          };
          break;
        }
        const timedOut = error instanceof CellTimeoutError;
        collector.addError(timedOut ? 'CellTimeoutError' : 'DeadKernelError', (error as Error).message, []);
        report.failedCell = {
          index,
          source: firstLines(source),
          ename: timedOut ? 'CellTimeoutError' : 'DeadKernelError',
          evalue: (error as Error).message,
        };
        report.status = timedOut ? 'timeout' : 'kernel-died';
        report.exitCode = timedOut ? EXIT.timeout : EXIT.kernelDied;
        report.message = `${where} ${timedOut ? 'timed out' : 'lost its kernel'}: ${(error as Error).message}\n${indent(firstLines(source))}`;
        break;
      } finally {
        if (kernel.lastExecuteId !== previousRequest)
          cellOfRequest.set(kernel.lastExecuteId, { cell, index, executionCount });
      }
      cell.metadata = { ...cell.metadata, execution: outcome.timing };
      if (outcome.idleMissing) {
        const lost = `the kernel's idle status for this cell never came (no message for ${options.iopubSeconds ?? 4} s after its execute_reply): the kernel dropped messages, so this cell's output may be incomplete (tslab drops output when a cell prints several hundred lines at once)`;
        warnings.push(`${where}: ${lost}`);
        collector.addNote(`[nbconvert-ts] ${lost}\n`);
      }
      const seconds = (Date.now() - cellStart) / 1000;
      const expectError = tags.includes('raises-exception');
      if (outcome.status === 'ok') {
        // The cell's code succeeded; an error reported meanwhile came from a callback or a promise.
        const published = cell.outputs.find((o) => o.output_type === 'error');
        const stderr = collector.stderrText();
        if (published && published.output_type === 'error')
          asyncErrors.push({
            cell,
            when: 'during',
            ename: published.ename,
            evalue: published.evalue,
            traceback: published.traceback,
          });
        else if (KERNEL_SEND_FAILURE.test(stderr)) {
          warnings.push(
            `${where}: the kernel could not publish some output (${KERNEL_SEND_FAILURE.exec(stderr)![0]}): the cell's output may be incomplete`,
          );
        } else if (ASYNC_ERROR.test(stderr)) {
          const error = asyncErrorFromText(stderr);
          asyncErrors.push({ cell, when: 'during', ...error });
          collector.addError(error.ename, error.evalue, error.traceback);
        }
        if (expectError) {
          report.cells.push({ index, executionCount, seconds, status: 'error' });
          report.failedCell = {
            index,
            source: firstLines(source),
            ename: 'ExpectedErrorMissing',
            evalue: 'the cell is tagged raises-exception but ran without error',
          };
          report.status = 'cell-failed';
          report.exitCode = EXIT.cellFailed;
          report.message = `${where} is tagged raises-exception but did not raise\n${indent(firstLines(source))}`;
          break;
        }
        report.cells.push({ index, executionCount, seconds, status: 'ok' });
        if (failOnAsyncError()) break;
        continue;
      }
      lastFailedAt = Date.now();
      let ename: string;
      let evalue: string;
      if (outcome.status === 'abort' || outcome.status === 'aborted') {
        ename = 'KernelAbort';
        evalue =
          'the kernel aborted the request (tslab aborts requests that follow an error too closely; a kernel aborts cells queued behind a failed one)';
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
        if (failOnAsyncError()) break;
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
    // What the last cell left running may still report an error in a moment (an unawaited
    // promise is rejected on the next turn of the kernel's event loop).
    if (report.status === 'ok' && kernel.alive) {
      await new Promise((r) => setTimeout(r, LATE_ERROR_WAIT_MS));
      failOnAsyncError();
    }
  } finally {
    kernel.onLateMessage = undefined;
    collector.finish();
    await kernel.shutdown();
  }

  // As nbclient does: record what the kernel says about its language.
  const languageInfo = kernel.info.language_info;
  if (
    languageInfo &&
    typeof languageInfo === 'object' &&
    typeof (languageInfo as { name?: unknown }).name === 'string'
  ) {
    nb.metadata.language_info = languageInfo as Record<string, unknown>;
  }
  const text = serializeNotebook(nb);
  const succeeded = report.status === 'ok';
  if (options.outputPath && (succeeded || resolve(options.outputPath) !== path)) {
    try {
      writeAtomically(resolve(options.outputPath), text);
      report.outputPath = options.outputPath;
    } catch (error) {
      // Checked before the run (see preflight.ts); this is a disk that filled up or the like.
      warnings.push(`could not write ${options.outputPath}: ${(error as Error).message}`);
      if (succeeded)
        Object.assign(report, {
          status: 'bad-input',
          exitCode: EXIT.badInput,
          message: `${path}: the run succeeded but ${options.outputPath} could not be written: ${(error as Error).message}`,
        });
    }
  }
  if (succeeded && cached) {
    try {
      writeAtomically(cached.replace(/\.ipynb$/, '.cells.json'), JSON.stringify(report.cells));
      writeAtomically(cached, text);
    } catch (error) {
      warnings.push(`the run was not cached: ${(error as Error).message}`);
    }
  }
  return finish(report);
}

/** The per-cell report of a cached run (empty when it was not kept). */
function cachedCells(cachedNotebook: string): CellReport[] {
  try {
    return JSON.parse(
      readFileSync(cachedNotebook.replace(/\.ipynb$/, '.cells.json'), 'utf8'),
    ) as CellReport[];
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
export async function executeMany(
  paths: string[],
  optionsFor: (path: string) => ExecuteOptions,
  jobs = 1,
): Promise<NotebookReport[]> {
  // After a SIGINT/SIGTERM, executeNotebook answers at once with a `stopped` report.
  const { results } = await runPool(paths, (path) => executeNotebook(path, optionsFor(path)), {
    jobs: Math.max(1, Math.floor(jobs)),
  });
  return results as NotebookReport[];
}

/** Relative path for messages. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

export { splitLines };
