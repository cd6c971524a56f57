/**
 * The few Node builtins that bundled library modules import for small things, done with
 * the browser's own APIs; see web/swaps.ts for which module imports what.
 */
import { mnistPackage } from './mnist-package';
import * as tslab from './tslab';

/** node:crypto's randomUUID (lib/display's live displays). */
export function randomUUID(): string {
  return crypto.randomUUID();
}

/** node:path's join, for the paths lib/display builds but never reads on the page. */
export function join(...parts: string[]): string {
  return parts.filter(Boolean).join('/').replace(/\/+/g, '/');
}

/**
 * node:module's createRequire: library modules require two packages at run time, which
 * the page provides: `mnist` (lib/data/mnist, from the data hub) and `tslab/dist/jupyter`
 * (lib/display, the page's display writer). Any other is an error naming it.
 */
export function createRequire(_from: string): (id: string) => unknown {
  return (id: string) => {
    if (id === 'mnist') return mnistPackage();
    if (id === 'tslab/dist/jupyter') return tslab;
    throw new Error(`require('${id}') is not available in the browser`);
  };
}

/** node:fs's readFileSync (lib/image's readImageFile): the page has no files to read. */
export function readFileSync(path: string): never {
  throw new Error(
    `cannot read ${path}: the page has no files (fetch published data through the data hub instead)`,
  );
}

/**
 * node:worker_threads' Worker, which the page does not have: constructing one throws, so
 * the course kernels' worker does not start and they run every chunk on the page's thread.
 */
export class Worker {
  constructor() {
    throw new Error('the page has no worker_threads: the course kernels run on the page thread');
  }
}
