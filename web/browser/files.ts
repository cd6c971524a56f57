/**
 * Browser implementation of lib/platform/files: the page has no files (lib/image's
 * readImageFile, lib/face's database files), so using one is an error that says so.
 */
import type * as NodeFiles from '../../lib/platform/files';

/** Throws: the page has no files. */
export const readFileBytes: typeof NodeFiles.readFileBytes = (path) => {
  throw new Error(
    `cannot read ${path}: the page has no files (fetch published data through the data hub instead)`,
  );
};

/** Throws: the page has no files. */
export const readTextFile: typeof NodeFiles.readTextFile = (path) => {
  throw new Error(`cannot read ${path}: the page has no files`);
};

/** Throws: the page has no files. */
export const writeTextFile: typeof NodeFiles.writeTextFile = (path) => {
  throw new Error(`cannot write ${path}: the page has no files`);
};
