// What CI's site job relies on in tools/site-build.ts: notebooks executed elsewhere taken from
// a folder (site:build --no-execute, the browser tests with COURSE_EXECUTED_DIR), and the
// base path a fork's Pages address gives the site.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { courseNotebooks, executedInDir, executedNotebooks, siteBaseUrl } from '../../tools/site-build';

const savedBase = process.env.COURSE_BASE_URL;
afterEach(() => {
  if (savedBase === undefined) delete process.env.COURSE_BASE_URL;
  else process.env.COURSE_BASE_URL = savedBase;
});

describe('site build from executed notebooks', () => {
  it('takes every course notebook present in the folder and reports each missing one by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'site-exec-'));
    const notebooks = courseNotebooks();
    const present = notebooks.filter((_, i) => i % 3 !== 1);
    for (const nb of present) copyFileSync(nb, join(dir, basename(nb)));
    const reports = executedInDir(dir);
    expect(reports.map((r) => r.notebook)).toEqual(notebooks);
    expect(reports.filter((r) => r.status === 'ok').map((r) => r.notebook)).toEqual(present);
    for (const r of reports.filter((r) => r.status !== 'ok')) {
      expect(r.exitCode).toBe(4);
      expect(r.message).toContain(`no executed copy at`);
      expect(r.message).toContain(basename(r.notebook));
    }
    expect(executedNotebooks(reports, dir)).toEqual(present.map((nb) => join(dir, basename(nb))));
  });

  it('serves under the base path of COURSE_BASE_URL, with or without its final slash', () => {
    delete process.env.COURSE_BASE_URL;
    expect(siteBaseUrl()).toBe('/');
    process.env.COURSE_BASE_URL = '';
    expect(siteBaseUrl()).toBe('/');
    process.env.COURSE_BASE_URL = '/my-fork';
    expect(siteBaseUrl()).toBe('/my-fork/');
    process.env.COURSE_BASE_URL = '/my-fork/';
    expect(siteBaseUrl()).toBe('/my-fork/');
  });
});
