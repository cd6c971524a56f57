/**
 * Checks made before anything runs, so that a long run never ends by losing its
 * results or by writing over its own inputs: output folders that cannot be
 * written, outputs that would land on a source notebook or on each other.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Why nothing can be written into `dir`, or undefined when a file could be.
 * Creates the folder (as the run would) and writes and removes a probe file:
 * permission bits alone say nothing for root, a read-only mount or a path
 * under a regular file.
 */
export function unwritableDir(dir: string): string | undefined {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    const probe = join(path, `.nbconvert-ts-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOTDIR'
        ? 'a part of the path is a file, not a folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EROFS'
            ? 'read-only file system'
            : (error as Error).message;
    return `${dir} cannot be written (${why})`;
  }
}

/** The path with symbolic links resolved as far as it exists, so two spellings of one file compare equal. */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  if (existsSync(absolute)) return realpathSync(absolute);
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(canonicalPath(parent), basename(absolute));
}

/**
 * Problems with where each input's output would go: onto an input (its own source or
 * another one), or onto another input's output. Empty when every output is distinct.
 *
 * @param inputs - the notebooks given
 * @param outputOf - where the run writes for one input (several files may be listed)
 * @param what - how the messages name the output ("the executed copy", "the page")
 */
export function outputCollisions(
  inputs: string[],
  outputOf: (input: string) => string[],
  what: string,
): string[] {
  const problems: string[] = [];
  const sources = new Map(inputs.map((input) => [canonicalPath(input), input]));
  const claimed = new Map<string, string>();
  const seen = new Set<string>();
  for (const input of inputs) {
    const key = canonicalPath(input);
    if (seen.has(key)) {
      problems.push(`${input} is given twice`);
      continue;
    }
    seen.add(key);
    for (const output of outputOf(input)) {
      const target = canonicalPath(output);
      const source = sources.get(target);
      if (source === input) problems.push(`${what} of ${input} would overwrite ${input} itself (${output})`);
      else if (source !== undefined)
        problems.push(`${what} of ${input} would overwrite the input ${source} (${output})`);
      const other = claimed.get(target);
      if (other !== undefined && other !== input)
        problems.push(`${input} and ${other} would both write ${output}: they have the same name`);
      claimed.set(target, input);
    }
  }
  return problems;
}
