/**
 * Locating the project on disk without `import.meta` or `__dirname`, which are
 * not both available when the library is compiled by tslab.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The `name` field of the course's package.json, used to recognise its root. */
export const PROJECT_PACKAGE_NAME = 'cnn-course-ts';

let cachedRoot: string | undefined;

/**
 * Finds the course's root folder (the one holding its package.json) by walking
 * up from `start`, which defaults to the working directory: the project root in
 * tests and scripts, `notebooks/` inside a kernel.
 *
 * @throws Error when no ancestor holds the course's package.json.
 */
export function projectRoot(start: string = process.cwd()): string {
  if (cachedRoot && start === process.cwd()) return cachedRoot;
  let dir = resolve(start);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
        if (parsed.name === PROJECT_PACKAGE_NAME) {
          if (start === process.cwd()) cachedRoot = dir;
          return dir;
        }
      } catch {
        // an unreadable package.json is not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot find the course's root (a package.json named "${PROJECT_PACKAGE_NAME}") above ${resolve(start)}.`,
      );
    }
    dir = parent;
  }
}

/**
 * A `require` that resolves packages as the project does (from its root, else
 * from the working directory). It works whether the caller runs as an ES
 * module or was compiled to CommonJS by the tslab kernel (no `import.meta`).
 */
export function projectRequire(): NodeRequire {
  let base: string;
  try {
    base = join(projectRoot(), 'package.json');
  } catch {
    base = join(process.cwd(), 'package.json');
  }
  return createRequire(base);
}
