// The course site, built and served once per test process for every test file that needs it
// (site.test.ts, run-on-site.test.ts): vitest.site.config.ts runs these files one after the
// other in one fork, which keeps globalThis, so the second file takes the first one's build.
// The notebooks' ci-profile runs come from nbconvert-ts's cache; with COURSE_EXECUTED_DIR
// (CI, after merging its shards) the executed notebooks in that folder are taken instead and
// nothing runs (a notebook missing there is reported as failed and gets no page).
// COURSE_SITE_DIR=build/site serves a site built before instead of building one (to rerun the
// browser tests quickly after changing only them).
import { join, resolve } from 'node:path';
import type { NotebookReport } from '../../tools/nbconvert-ts/execute';
import { buildSite, executeCourse, executedInDir, executedNotebooks } from '../../tools/site-build';
import { serveStatic } from '../../tools/static-server';

/** The built site and where it is served. */
export interface BuiltSite {
  /** The build folder (build/site). */
  out: string;
  /** The address it is served at (cross-origin isolated), without a trailing slash. */
  base: string;
  /** One report per course notebook: ok when it has a page. */
  reports: NotebookReport[];
  /** Seconds the build took (notebooks, page runtime, typedoc, Docusaurus). */
  seconds: number;
}

const KEY = '__courseBuiltSite';

async function build(): Promise<BuiltSite> {
  const start = performance.now();
  const root = process.cwd();
  const given = process.env.COURSE_EXECUTED_DIR;
  const executedDir = given ? resolve(given) : join(root, 'build', 'executed-ci');
  const built = process.env.COURSE_SITE_DIR;
  const reports = given || built ? executedInDir(executedDir) : await executeCourse('ci', executedDir);
  const out = built ? resolve(built) : await buildSite(executedNotebooks(reports, executedDir));
  const { server, url } = await serveStatic(out);
  // Served until the test process ends, whichever file finishes last.
  server.unref();
  return { out, base: url, reports, seconds: (performance.now() - start) / 1000 };
}

/** The site, built on the first call in this process; later calls get the same one. */
export function sharedSite(): Promise<BuiltSite> {
  const store = globalThis as { [KEY]?: Promise<BuiltSite> };
  store[KEY] ??= build();
  return store[KEY];
}
