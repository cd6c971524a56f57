/**
 * Notebook-side access to the offline data mirror (until the data hub in lib/data
 * has a loader for an asset): the folder named by COURSE_DATA_MIRROR, else
 * `../shared/data` beside the project.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../lib/paths';

/** Absolute path of a file or folder inside the data mirror; throws a clear error when missing. */
export function mirrorPath(...parts: string[]): string {
  const base = process.env.COURSE_DATA_MIRROR ?? resolve(projectRoot(), '..', 'shared', 'data');
  const path = join(base, ...parts);
  if (!existsSync(path)) throw new Error(`data mirror: ${path} not found (set COURSE_DATA_MIRROR to the mirror folder)`);
  return path;
}

/** Sorted file names in a mirror folder that match `pattern`. */
export function mirrorFiles(folder: string[], pattern: RegExp): string[] {
  const dir = mirrorPath(...folder);
  return readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => join(dir, f));
}
