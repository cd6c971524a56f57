/**
 * The learner's version of a notebook, as nbgrader's "generate assignment" makes it:
 * every `// BEGIN SOLUTION` … `// END SOLUTION` region becomes `// YOUR CODE HERE` and a
 * line that throws (naming the exercise, from the cell's `metadata.nbgrader.grade_id`),
 * every `// BEGIN HIDDEN TESTS` … `// END HIDDEN TESTS` region is removed, outputs and
 * execution counts are cleared. Cell metadata (nbgrader's fields too) is kept.
 * Course-agnostic: the throw line is a template with `{id}`.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  joinSource,
  readNotebook,
  serializeNotebook,
  stripOutputs,
  type Cell,
  type Notebook,
} from './notebook';

/** The default line that replaces a solution: `{id}` becomes the exercise's grade_id. */
export const DEFAULT_STUB_LINE = "throw notImplemented('{id}');";

/** A notebook whose markers cannot be released (the message names the cell and the line). */
export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseError';
  }
}

/** One marked region of a cell's source: the line numbers (0-based) of its two marker lines. */
export interface Region {
  kind: 'solution' | 'hidden tests';
  begin: number;
  end: number;
  /** The BEGIN line's leading whitespace. */
  indent: string;
}

const MARKER = /^(\s*)\/\/\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$/;

/** Whether any line of `source` is a region marker. */
export function hasMarkers(source: string): boolean {
  return source.split('\n').some((line) => MARKER.test(line));
}

/**
 * The regions of one code cell's source, in order. `where` starts error messages.
 * @throws ReleaseError on a nested, unopened, mismatched or unclosed region.
 */
export function findRegions(source: string, where: string): Region[] {
  const lines = source.split('\n');
  const regions: Region[] = [];
  let open: Region | undefined;
  lines.forEach((line, i) => {
    const m = MARKER.exec(line);
    if (!m) return;
    const kind = m[3] === 'SOLUTION' ? 'solution' : 'hidden tests';
    if (m[2] === 'BEGIN') {
      if (open)
        throw new ReleaseError(
          `${where}, line ${i + 1}: BEGIN ${m[3]} inside the ${open.kind} region opened on line ${open.begin + 1} (regions cannot nest)`,
        );
      open = { kind, begin: i, end: -1, indent: m[1]! };
      return;
    }
    if (!open) throw new ReleaseError(`${where}, line ${i + 1}: END ${m[3]} without a BEGIN before it`);
    if (open.kind !== kind)
      throw new ReleaseError(
        `${where}, line ${i + 1}: END ${m[3]} closes the ${open.kind} region opened on line ${open.begin + 1}`,
      );
    regions.push({ ...open, end: i });
    open = undefined;
  });
  if (open)
    throw new ReleaseError(
      `${where}: the ${open.kind} region opened on line ${open.begin + 1} is never closed`,
    );
  return regions;
}

/** The exercise id of a cell (`metadata.nbgrader.grade_id`), if any. */
export function gradeIdOf(cell: Cell): string | undefined {
  const nbgrader = cell.metadata?.nbgrader as { grade_id?: unknown } | undefined;
  return typeof nbgrader?.grade_id === 'string' && nbgrader.grade_id !== '' ? nbgrader.grade_id : undefined;
}

/**
 * `source` with the lines strictly between the markers of solution region `which`
 * (0-based, counting solution regions only) replaced by `replacement` (its lines as they
 * are; a trailing newline is ignored). The markers stay (they are comments).
 */
export function replaceSolution(source: string, which: number, replacement: string, where: string): string {
  const solutions = findRegions(source, where).filter((r) => r.kind === 'solution');
  const region = solutions[which];
  if (!region)
    throw new ReleaseError(
      `${where}: no solution region number ${which + 1} (the cell has ${solutions.length})`,
    );
  const lines = source.split('\n');
  const inner = replacement.replace(/\n$/, '').split('\n');
  return [...lines.slice(0, region.begin + 1), ...inner, ...lines.slice(region.end)].join('\n');
}

/** Where a cell is, for messages. */
function cellWhere(path: string, index: number, cell: Cell): string {
  return `${path}: cell ${index} (id ${cell.id})`;
}

/** The learner's source of one code cell (regions replaced or removed). */
export function releaseSource(
  source: string,
  exerciseId: string | undefined,
  where: string,
  stubLine = DEFAULT_STUB_LINE,
): string {
  const regions = findRegions(source, where);
  if (regions.length === 0) return source;
  const lines = source.split('\n');
  const out: string[] = [];
  let next = 0;
  for (const region of regions) {
    out.push(...lines.slice(next, region.begin));
    if (region.kind === 'solution') {
      if (exerciseId === undefined)
        throw new ReleaseError(
          `${where}: a solution region in a cell without metadata.nbgrader.grade_id (the learner's stub must name the exercise)`,
        );
      out.push(
        `${region.indent}// YOUR CODE HERE`,
        `${region.indent}${stubLine.split('{id}').join(exerciseId)}`,
      );
    }
    next = region.end + 1;
  }
  out.push(...lines.slice(next));
  return out.join('\n');
}

/**
 * The learner's version of a notebook (a new object; `nb` is not changed).
 * @throws ReleaseError for a marker outside a code cell or a malformed region.
 */
export function releaseNotebook(nb: Notebook, path: string, stubLine = DEFAULT_STUB_LINE): Notebook {
  const stripped = stripOutputs(nb);
  const cells = stripped.cells.map((cell, index) => {
    const source = joinSource(cell.source);
    const where = cellWhere(path, index, cell);
    if (cell.cell_type !== 'code') {
      if (hasMarkers(source))
        throw new ReleaseError(
          `${where}: a solution or hidden-tests marker in a ${cell.cell_type} cell (markers belong in code cells)`,
        );
      return cell;
    }
    return { ...cell, source: releaseSource(source, gradeIdOf(cell), where, stubLine) };
  });
  return { ...stripped, cells };
}

function samePath(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return existsSync(b) && realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Releases `paths` into `outDir` (same file names). Checks every notebook before writing
 * any, and never writes over an input. Returns the written paths.
 */
export function releaseNotebooks(paths: string[], outDir: string, stubLine = DEFAULT_STUB_LINE): string[] {
  const targets = paths.map((p) => join(outDir, basename(p)));
  const names = new Set<string>();
  paths.forEach((p, i) => {
    const name = basename(p);
    if (names.has(name))
      throw new ReleaseError(
        `two notebooks named ${name}: their learner versions would overwrite each other in ${outDir}`,
      );
    names.add(name);
    for (const input of paths)
      if (samePath(input, targets[i]!))
        throw new ReleaseError(
          `${p}: releasing into ${outDir} would write over the input ${input}; choose another --out-dir`,
        );
  });
  const texts = paths.map((p) => serializeNotebook(releaseNotebook(readNotebook(p), p, stubLine)));
  mkdirSync(outDir, { recursive: true });
  texts.forEach((text, i) => {
    mkdirSync(dirname(targets[i]!), { recursive: true });
    writeFileSync(targets[i]!, text);
  });
  return targets;
}
