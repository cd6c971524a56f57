/**
 * Reading and writing files, for library code that otherwise runs anywhere (lib/image's
 * `readImageFile`, lib/face's database files). Node-only: the page replaces this module with one that says it
 * has no files (web/browser/files.ts, listed in web/swaps.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** The bytes of the file at `path`. */
export function readFileBytes(path: string): Uint8Array {
  return readFileSync(path);
}

/** The text (UTF-8) of the file at `path`. */
export function readTextFile(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Writes `text` (UTF-8) to the file at `path`, replacing it. */
export function writeTextFile(path: string, text: string): void {
  writeFileSync(path, text);
}
