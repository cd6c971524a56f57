/**
 * Builds the course site: executes the notebooks (cached by content), converts
 * them into pages, generates the library reference, runs `docusaurus build`.
 *
 *   npm run site:build [-- --profile full|ci] [--executed-dir DIR [--no-execute]] [--serve] [--port N]
 *
 * `--no-execute` takes the executed notebooks already in `--executed-dir` (e.g. merged from
 * CI's shards by `nbconvert-ts merge --out-dir`) and fails when one is missing.
 * `COURSE_SITE_URL` and `COURSE_BASE_URL` (default `/`) say where the site is served.
 *
 * `npm start` is `site:build --serve`: it also serves the site on localhost.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { projectRoot } from '../lib/paths';
import { convertNotebook } from './nbconvert-ts/convert';
import { projectCacheInputs } from './nbconvert-ts/bin';
import { displayPath, executeNotebook, type NotebookReport } from './nbconvert-ts/execute';
import { COURSE_KERNEL_NAME, courseKernelSpec } from './kernel/spec';
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
export function courseNotebooks(): string[] {
  return readdirSync(paths.notebooks)
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .sort()
    .map((f) => join(paths.notebooks, f));
}

/** Executes one notebook in `profile` into `executedDir`, reusing a cached run when nothing changed. */
export function executeCourseNotebook(notebook: string, profile: 'ci' | 'full', executedDir: string): Promise<NotebookReport> {
  return executeNotebook(notebook, {
    outputPath: join(executedDir, basename(notebook)),
    parameters: { profile },
    cacheDir: paths.cache,
    cacheInputs: projectCacheInputs(),
    // This checkout's course kernel, whatever kernelspecs are installed.
    defaultKernel: { name: COURSE_KERNEL_NAME, spec: courseKernelSpec(root) },
  });
}

/**
 * Executes every course notebook in `profile` into `executedDir`, one after the other,
 * printing a line per notebook. Returns the reports; failures do not stop the others.
 */
export async function executeCourse(profile: 'ci' | 'full', executedDir: string): Promise<NotebookReport[]> {
  const reports: NotebookReport[] = [];
  for (const notebook of courseNotebooks()) {
    const r = await executeCourseNotebook(notebook, profile, executedDir);
    console.log(`${r.status === 'ok' ? 'ok    ' : 'FAILED'} ${displayPath(r.notebook)} ${r.cached ? '(cached)' : `${r.seconds.toFixed(1)} s`}`);
    reports.push(r);
  }
  return reports;
}

/**
 * Reports for notebooks executed elsewhere (no kernel runs): one per course notebook, ok
 * when its executed copy is in `executedDir`, a failure naming the missing file otherwise.
 */
export function executedInDir(executedDir: string): NotebookReport[] {
  return courseNotebooks().map((notebook) => {
    const copy = join(executedDir, basename(notebook));
    const report: NotebookReport = { notebook, status: 'ok', exitCode: 0, seconds: 0, cached: true, outputPath: copy, cells: [] };
    if (existsSync(copy)) return report;
    return { ...report, status: 'bad-input', exitCode: 4, outputPath: undefined, message: `${displayPath(notebook)}: no executed copy at ${displayPath(copy)}` };
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

/**
 * Converts the executed notebooks into pages (stale pages from earlier builds are removed
 * first), generates the library reference and builds the site into build/site.
 */
export async function buildSite(executed: string[]): Promise<string> {
  for (const dir of [paths.docs, paths.assets, paths.downloads, paths.api]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(paths.docs, { recursive: true });
  const repository = process.env.COURSE_REPOSITORY_URL ?? 'https://github.com/cnn-course-ts/cnn-course-ts';
  for (const notebook of executed) {
    if (!existsSync(notebook)) throw new Error(`no executed notebook at ${displayPath(notebook)}`);
    await convertNotebook(notebook, {
      docsDir: paths.docs,
      assetsDir: paths.assets,
      // The pages' own <img> and chart tags are not rewritten by Docusaurus: they carry the base.
      assetsUrl: `${siteBaseUrl()}nb-assets/`,
      notebooksDir: paths.downloads,
      editUrlBase: `${repository}/edit/main/notebooks`,
      sourceUrlBase: `${repository}/blob/main/notebooks`,
    });
  }
  // "Run in your browser": the page runtime, tfjs's wasm files and the published data.
  const runtime = await buildRuntime(join(root, 'site', 'static', 'run'));
  console.log(`page runtime: code ${(runtime.bundleBytes / 1e6).toFixed(1)} MB, data ${(runtime.dataBytes / 1e6).toFixed(1)} MB (fetched per notebook)`);
  run('npx', ['typedoc', '--logLevel', 'Error']);
  run('npx', ['docusaurus', 'build', '--out-dir', paths.out]);
  return paths.out;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit status ${result.status}`);
}

async function main(argv: string[]): Promise<void> {
  let profile: 'ci' | 'full' = 'full';
  let executedDir = join(root, 'build', 'executed');
  let serve = false;
  let execute = true;
  let port = 3000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--profile') {
      const value = argv[++i];
      if (value !== 'ci' && value !== 'full') throw new Error(`--profile is ci or full, got ${value}`);
      profile = value;
    } else if (arg === '--executed-dir') executedDir = argv[++i]!;
    else if (arg === '--serve') serve = true;
    else if (arg === '--no-execute') execute = false;
    else if (arg === '--port') {
      port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port is a port number, got ${argv[i]}`);
    }
    else throw new Error(`unknown argument ${arg}`);
  }
  if (execute) console.log(`Executing the notebooks (profile ${profile}; unchanged ones come from the cache)...`);
  else console.log(`Taking the executed notebooks from ${displayPath(executedDir)} (--no-execute)`);
  const reports = execute ? await executeCourse(profile, executedDir) : executedInDir(executedDir);
  const failed = reports.filter((r) => r.status !== 'ok');
  if (failed.length) throw new Error(`${failed.length} notebook(s) failed; the site is not built:\n${failed.map((r) => r.message ?? r.notebook).join('\n')}`);
  const out = await buildSite(executedNotebooks(reports, executedDir));
  console.log(`Site built in ${displayPath(out)}`);
  if (serve) {
    const { url } = await serveStatic(out, port).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use; pick another with: npm start -- --port N`) : error;
    });
    console.log(`Serving the course at ${url}/ (Ctrl+C stops it)`);
  }
}

if (process.argv[1]?.endsWith('site-build.ts')) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`site: ${error.message}`);
    process.exit(1);
  });
}
