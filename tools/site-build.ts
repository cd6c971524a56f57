/**
 * Builds the course site: executes the notebooks (cached by content), converts
 * them into pages, generates the library reference, runs `docusaurus build`.
 *
 *   npm run site:build [-- --profile full|ci] [--jobs N] [--executed-dir DIR [--no-execute]] [--record-times]
 *                      [--serve] [--port N]
 *
 * `--jobs N` runs N notebooks at once (default {@link defaultJobs}), the longest recorded first,
 * each kernel on its part of the wasm threads unless `COURSE_WASM_THREADS` is set.
 *
 * A notebook that fails does not stop the build: its page shows the error where it happened
 * under a banner, the others are published, and the command ends with a summary (the executed
 * copy, the command that reruns just that notebook) and exit status 1. `--record-times` writes
 * the notebooks' run times (those not taken from the cache) into notebooks/run-times.json,
 * which the progress line's estimates, CI's shards and `npm run nb:times` read; it runs them
 * one at a time, as those times are each notebook's alone.
 *
 * `--no-execute` takes the executed notebooks already in `--executed-dir` (e.g. merged from
 * CI's shards by `nbconvert-ts merge --out-dir`) and fails when one is missing.
 * `COURSE_SITE_URL` and `COURSE_BASE_URL` (default `/`) say where the site is served.
 *
 * `npm start` is `site:build --serve`: it also serves the site on localhost.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { WASM_THREADS_ENV_VAR, wantedWasmThreads } from '../lib/engine/wasm-threads';
import { projectRoot } from '../lib/paths';
import { convertNotebook } from './nbconvert-ts/convert';
import {
  displayPath,
  executeNotebook,
  type ExecuteOptions,
  type NotebookReport,
} from './nbconvert-ts/execute';
import { longestFirst, runPool, threadsPerKernel } from './nbconvert-ts/pool';
import { NotebookProgress, type ProgressStream } from './nbconvert-ts/progress';
import { readRunTimes, recordRunTimes } from './nbconvert-ts/shard';
import { courseConvertOptions, courseExecuteOptions } from './course-notebooks';
import { diagramFiles } from './diagram-files';
import { serveStatic } from './static-server';
import { buildRuntime } from '../web/build';

const root = projectRoot();
const paths = {
  notebooks: join(root, 'notebooks'),
  docs: join(root, 'site', 'docs', 'notebooks'),
  assets: join(root, 'site', 'static', 'nb-assets'),
  downloads: join(root, 'site', 'static', 'notebooks'),
  api: join(root, 'site', 'docs', 'api'),
  out: join(root, 'build', 'site'),
  cache: join(root, 'build', '.nbcache'),
};

/** The course's notebooks in syllabus order. */
export function courseNotebooks(dir = paths.notebooks): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The file of recorded run times (per profile) that estimates and shards read. */
export const RUN_TIMES_FILE = join(paths.notebooks, 'run-times.json');

/** Executes one notebook in `profile` into `executedDir`, reusing a cached run when nothing changed. */
export function executeCourseNotebook(
  notebook: string,
  profile: 'ci' | 'full',
  executedDir: string,
  onCell?: ExecuteOptions['onCell'],
): Promise<NotebookReport> {
  return executeNotebook(notebook, {
    outputPath: join(executedDir, basename(notebook)),
    parameters: { profile },
    cacheDir: paths.cache,
    // This checkout's course kernel (whatever kernelspecs are installed), cache inputs and environment.
    ...courseExecuteOptions(),
    onCell,
  });
}

/** How {@link executeCourse} runs: which notebooks, how many at once, where progress goes, the recorded times. */
export interface CourseRunOptions {
  /** Default: {@link courseNotebooks}. */
  notebooks?: string[];
  /**
   * How many notebooks run at once (default 1: one after the other, in syllabus order).
   * With more, the longest recorded ones start first (the caller gives each kernel its part
   * of the threads: {@link shareWasmThreads}).
   */
  jobs?: number;
  /** Default: stderr (live status lines on a terminal, one line per notebook elsewhere). */
  progress?: ProgressStream;
  /** Default: {@link RUN_TIMES_FILE}; the estimates shown are this file's times of the profile. */
  timesFile?: string;
  /** Runs one notebook (default {@link executeCourseNotebook}); tests give a fake. */
  execute?: typeof executeCourseNotebook;
}

/** Seconds of each notebook's last recorded run in `profile`, by file name; empty when none is recorded. */
export function recordedTimes(timesFile: string, profile: string): Record<string, number> {
  try {
    return readRunTimes(timesFile)[profile] ?? {};
  } catch {
    return {};
  }
}

/**
 * The default number of notebooks the site build runs at once: two where there are two
 * cores or more (measured in bench/RESULTS.md, "Full profile: where the time goes"), else one.
 */
export function defaultJobs(cores = availableParallelism()): number {
  return Math.min(2, Math.max(1, cores));
}

/**
 * With `jobs` notebooks at once, sets `COURSE_WASM_THREADS` in `env` to each kernel's part of
 * the wasm threads (1 each for 2 at once on 2 cores), unless it is set already; returns the
 * count the kernels will use. It goes through the environment, as with `nbconvert-ts execute
 * --jobs`, so it is not part of the cache key (course-notebooks.ts, COURSE_CACHE_ENV): a
 * notebook rerun alone, on every core, is taken from the cache by the next build.
 */
export function shareWasmThreads(
  jobs: number,
  notebooks: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (jobs > 1 && !env[WASM_THREADS_ENV_VAR]?.trim())
    env[WASM_THREADS_ENV_VAR] = String(threadsPerKernel(wantedWasmThreads(env), jobs, notebooks));
  return wantedWasmThreads(env);
}

/**
 * Executes every course notebook in `profile` into `executedDir`, `options.jobs` at once,
 * showing which notebooks and cells run and a line per notebook when it ends. Returns the
 * reports in syllabus order; failures do not stop the others.
 */
export async function executeCourse(
  profile: 'ci' | 'full',
  executedDir: string,
  options: CourseRunOptions = {},
): Promise<NotebookReport[]> {
  const notebooks = options.notebooks ?? courseNotebooks();
  const jobs = options.jobs ?? 1;
  const times = recordedTimes(options.timesFile ?? RUN_TIMES_FILE, profile);
  const progress = new NotebookProgress(options.progress ?? process.stderr);
  const execute = options.execute ?? executeCourseNotebook;
  // Started longest first, side by side runs end together rather than on one long notebook.
  const order = jobs > 1 ? longestFirst(notebooks, times, (notebook) => basename(notebook)) : notebooks;
  const { results } = await runPool(
    order,
    async (notebook, i) => {
      const counter = `[${i + 1}/${order.length}]`;
      const line = progress.start(counter, basename(notebook), times[basename(notebook)]);
      const r = await execute(notebook, profile, executedDir, (position, total) =>
        line.cell(position, total),
      );
      line.finish(
        `${r.status === 'ok' ? 'ok    ' : 'FAILED'} ${counter} ${displayPath(r.notebook)} ${r.cached ? '(cached)' : `${r.seconds.toFixed(1)} s`}`,
      );
      return r;
    },
    { jobs },
  );
  const reports = new Map(order.map((notebook, i) => [notebook, results[i]!]));
  return notebooks.map((notebook) => reports.get(notebook)!);
}

/**
 * Reports for notebooks executed elsewhere (no kernel runs): one per course notebook, ok
 * when its executed copy is in `executedDir`, a failure naming the missing file otherwise.
 */
export function executedInDir(executedDir: string): NotebookReport[] {
  return courseNotebooks().map((notebook) => {
    const copy = join(executedDir, basename(notebook));
    const report: NotebookReport = {
      notebook,
      status: 'ok',
      exitCode: 0,
      seconds: 0,
      cached: true,
      outputPath: copy,
      cells: [],
    };
    if (existsSync(copy)) return report;
    return {
      ...report,
      status: 'bad-input',
      exitCode: 4,
      outputPath: undefined,
      message: `${displayPath(notebook)}: no executed copy at ${displayPath(copy)}`,
    };
  });
}

/** The path the site is served under (Docusaurus's baseUrl): `COURSE_BASE_URL`, default `/`. */
export function siteBaseUrl(): string {
  const base = process.env.COURSE_BASE_URL || '/';
  return base.endsWith('/') ? base : `${base}/`;
}

/** The executed copies of the notebooks that ran without error, in syllabus order. */
export function executedNotebooks(reports: NotebookReport[], executedDir: string): string[] {
  return reports.filter((r) => r.status === 'ok').map((r) => join(executedDir, basename(r.notebook)));
}

/** A page to publish: an executed notebook, and its failure when it did not run to the end. */
export interface PageSource {
  executed: string;
  failure?: NotebookReport;
}

/**
 * What the site publishes: every notebook that has an executed copy, in syllabus order; a
 * failed one with its failure (its page shows the error where it happened, under a banner).
 */
export function pagesToPublish(reports: NotebookReport[], executedDir: string): PageSource[] {
  return reports.flatMap((r) => {
    const executed = join(executedDir, basename(r.notebook));
    if (r.status === 'ok') return [{ executed }];
    return existsSync(executed) && r.outputPath ? [{ executed, failure: r }] : [];
  });
}

/** The command that executes just `notebook` again, as the site build does (a success is then cached for it). */
export function rerunCommand(notebook: string, executedDir: string, profile: 'ci' | 'full'): string {
  return `npm run nbconvert-ts -- execute ${displayPath(notebook)} --out-dir ${displayPath(executedDir)} --profile ${profile}`;
}

/** One line saying where and how a notebook failed. */
export function failureLine(r: NotebookReport): string {
  const cell = r.failedCell;
  if (cell)
    return `cell ${cell.index ?? '(injected parameters)'}: ${cell.ename}: ${cell.evalue}`.split('\n')[0]!;
  return (r.message ?? r.status).split('\n')[0]!;
}

/**
 * What a build with failed notebooks prints at its end: each failure, where its executed
 * copy is, and the command that reruns just that notebook.
 */
export function failureSummary(
  failed: NotebookReport[],
  total: number,
  executedDir: string,
  profile: 'ci' | 'full',
): string {
  const lines = [
    `${failed.length} of ${total} notebook(s) failed; their pages show the error where it happened, the others are published:`,
  ];
  for (const r of failed) {
    lines.push(`  ${basename(r.notebook)}: ${failureLine(r)}`);
    const copy = join(executedDir, basename(r.notebook));
    lines.push(
      `    executed copy: ${r.outputPath && existsSync(copy) ? displayPath(copy) : `none (${displayPath(copy)} was not written)`}`,
    );
    lines.push(`    rerun just it: ${rerunCommand(r.notebook, executedDir, profile)}`);
  }
  lines.push('A notebook that then runs is taken from the cache by the next build.');
  return lines.join('\n');
}

/** Where {@link writePages} writes: the pages, their assets and the download copies. */
export interface PageDirs {
  docs: string;
  assets: string;
  downloads: string;
}

/** Converts the executed notebooks into pages, removing stale pages of earlier builds first. */
export async function writePages(pages: PageSource[], dirs: PageDirs = paths): Promise<string[]> {
  for (const dir of [dirs.docs, dirs.assets, dirs.downloads]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirs.docs, { recursive: true });
  const repository = process.env.COURSE_REPOSITORY_URL ?? 'https://github.com/cnn-course-ts/cnn-course-ts';
  const written: string[] = [];
  for (const { executed, failure } of pages) {
    if (!existsSync(executed)) throw new Error(`no executed notebook at ${displayPath(executed)}`);
    written.push(
      await convertNotebook(executed, {
        docsDir: dirs.docs,
        assetsDir: dirs.assets,
        // The pages' own <img> and chart tags are not rewritten by Docusaurus: they carry the base.
        assetsUrl: `${siteBaseUrl()}nb-assets/`,
        notebooksDir: dirs.downloads,
        editUrlBase: `${repository}/edit/main/notebooks`,
        sourceUrlBase: `${repository}/blob/main/notebooks`,
        failure: failure ? { summary: failureLine(failure) } : undefined,
        ...courseConvertOptions(),
      }),
    );
  }
  return written;
}

/**
 * Converts the executed notebooks into pages (stale pages from earlier builds are removed
 * first), generates the library reference and builds the site into build/site.
 */
export async function buildSite(executed: Array<string | PageSource>): Promise<string> {
  rmSync(paths.api, { recursive: true, force: true });
  await writePages(executed.map((e) => (typeof e === 'string' ? { executed: e } : e)));
  // "Run in your browser": the page runtime, tfjs's wasm files and the published data.
  const runtime = await buildRuntime(join(root, 'site', 'static', 'run'));
  console.log(
    `page runtime: code ${(runtime.bundleBytes / 1e6).toFixed(1)} MB, data ${(runtime.dataBytes / 1e6).toFixed(1)} MB (fetched per notebook)`,
  );
  run('npx', ['typedoc', '--logLevel', 'Error']);
  run('npx', ['docusaurus', 'build', '--out-dir', paths.out]);
  return paths.out;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed with exit status ${result.status}`);
}

async function main(argv: string[]): Promise<number> {
  let profile: 'ci' | 'full' = 'full';
  let executedDir = join(root, 'build', 'executed');
  let serve = false;
  let execute = true;
  let port = 3000;
  let recordTimes = false;
  let jobs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--profile') {
      const value = argv[++i];
      if (value !== 'ci' && value !== 'full') throw new Error(`--profile is ci or full, got ${value}`);
      profile = value;
    } else if (arg === '--executed-dir') executedDir = argv[++i]!;
    else if (arg === '--serve') serve = true;
    else if (arg === '--no-execute') execute = false;
    else if (arg === '--record-times') recordTimes = true;
    else if (arg === '--jobs') {
      jobs = Number(argv[++i]);
      if (!Number.isInteger(jobs) || jobs < 1)
        throw new Error(`--jobs is how many notebooks run at once, a whole number >= 1, got ${argv[i]}`);
    } else if (arg === '--port') {
      port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port is a port number, got ${argv[i]}`);
    } else throw new Error(`unknown argument ${arg}`);
  }
  // Recorded times are a notebook's alone (its time note, the estimates, CI's shards), not beside another's.
  if (recordTimes && jobs !== undefined && jobs > 1)
    throw new Error('--record-times runs the notebooks one at a time: leave out --jobs or give --jobs 1');
  jobs ??= recordTimes ? 1 : defaultJobs();
  const threads = execute ? shareWasmThreads(jobs, courseNotebooks().length) : undefined;
  // A diagram reference that cannot be drawn fails now, not after the notebooks have run.
  diagramFiles(courseNotebooks());
  if (execute)
    console.log(
      `Executing the notebooks (profile ${profile}, ${jobs} at once on ${threads} wasm thread(s) each; unchanged ones come from the cache)...`,
    );
  else console.log(`Taking the executed notebooks from ${displayPath(executedDir)} (--no-execute)`);
  const reports = execute ? await executeCourse(profile, executedDir, { jobs }) : executedInDir(executedDir);
  if (recordTimes) {
    const recorded = recordRunTimes(RUN_TIMES_FILE, profile, reports);
    console.log(
      `Recorded ${recorded.length} run time(s) of profile ${profile} in ${displayPath(RUN_TIMES_FILE)} (npm run nb:times writes them into the notebooks)`,
    );
  }
  const failed = reports.filter((r) => r.status !== 'ok');
  const out = await buildSite(pagesToPublish(reports, executedDir));
  console.log(`Site built in ${displayPath(out)}`);
  const summary = failed.length ? failureSummary(failed, reports.length, executedDir, profile) : undefined;
  if (serve) {
    const { url } = await serveStatic(out, port).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EADDRINUSE'
        ? new Error(`port ${port} is in use; pick another with: npm start -- --port N`)
        : error;
    });
    if (summary) console.error(`site: ${summary}`);
    console.log(
      `Serving the course at ${url}/ (Ctrl+C stops it${summary ? '; the command then exits with status 1, as notebooks failed' : ''})`,
    );
    // Ctrl+C ends the server; the exit status still says whether every notebook ran.
    process.once('SIGINT', () => process.exit(summary ? 1 : 0));
    return 0;
  }
  if (summary) {
    console.error(`site: ${summary}`);
    return 1;
  }
  return 0;
}

if (process.argv[1]?.endsWith('site-build.ts')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      console.error(`site: ${error.message}`);
      process.exit(1);
    },
  );
}
