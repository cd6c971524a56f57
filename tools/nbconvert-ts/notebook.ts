/**
 * nbformat 4 notebooks: reading with clear errors, and writing as nbformat 4.5
 * (cell ids, stable key order, one-line-per-element sources) so that diffs and
 * caches stay stable.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One output of a code cell, as nbformat stores it. */
export type Output =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string | string[] }
  | {
      output_type: 'display_data';
      data: MimeBundle;
      metadata: Record<string, unknown>;
      transient?: { display_id?: string };
    }
  | {
      output_type: 'execute_result';
      data: MimeBundle;
      metadata: Record<string, unknown>;
      execution_count: number | null;
    }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/** MIME type → data (strings may be stored as line arrays; JSON types as objects). */
export type MimeBundle = Record<string, unknown>;

export interface CellMetadata {
  tags?: string[];
  execution?: Record<string, string>;
  jupyter?: { source_hidden?: boolean; outputs_hidden?: boolean };
  [key: string]: unknown;
}

export interface CodeCell {
  cell_type: 'code';
  id: string;
  metadata: CellMetadata;
  source: string | string[];
  execution_count: number | null;
  outputs: Output[];
}

export interface TextCell {
  cell_type: 'markdown' | 'raw';
  id: string;
  metadata: CellMetadata;
  source: string | string[];
  attachments?: Record<string, MimeBundle>;
}

export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown> & {
    kernelspec?: { name: string; display_name: string; language?: string };
    language_info?: Record<string, unknown>;
    papermill?: Record<string, unknown>;
  };
  cells: Cell[];
}

/** A notebook that could not be read or is not nbformat 4. */
export class NotebookFormatError extends Error {
  constructor(path: string, detail: string) {
    super(`${path}: not a readable nbformat 4 notebook: ${detail}`);
    this.name = 'NotebookFormatError';
  }
}

/** Joins a multiline field (string or list of lines) into one string. */
export function joinSource(source: string | string[] | undefined): string {
  if (source === undefined) return '';
  return Array.isArray(source) ? source.join('') : source;
}

/** Splits text into nbformat's list-of-lines form (each line keeps its newline). */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/(?<=\n)/);
  return lines;
}

/** The cell's tags (empty when none). */
export function tagsOf(cell: Cell): string[] {
  return Array.isArray(cell.metadata?.tags) ? cell.metadata.tags : [];
}

/** A fresh nbformat 4.5 cell id. */
export function newCellId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * Reads and checks a notebook file. Cells without ids (nbformat < 4.5) get
 * fresh ones, so that every notebook this tool writes is 4.5.
 *
 * @throws NotebookFormatError when the file is unreadable, not JSON, or not nbformat 4.
 */
export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new NotebookFormatError(path, (error as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new NotebookFormatError(path, `invalid JSON (${(error as Error).message})`);
  }
  const nb = parsed as Partial<Notebook>;
  if (typeof nb !== 'object' || nb === null || Array.isArray(nb))
    throw new NotebookFormatError(path, 'the top level is not an object');
  if (nb.nbformat !== 4)
    throw new NotebookFormatError(path, `nbformat is ${JSON.stringify(nb.nbformat)}, expected 4`);
  if (!Array.isArray(nb.cells)) throw new NotebookFormatError(path, 'it has no cells list');
  const seen = new Set<string>();
  nb.cells.forEach((cell, index) => {
    if (typeof cell !== 'object' || cell === null)
      throw new NotebookFormatError(path, `cell ${index} is not an object`);
    if (!['code', 'markdown', 'raw'].includes(cell.cell_type))
      throw new NotebookFormatError(path, `cell ${index} has cell_type ${JSON.stringify(cell.cell_type)}`);
    if (typeof cell.source !== 'string' && !Array.isArray(cell.source))
      throw new NotebookFormatError(path, `cell ${index} has no source`);
    cell.metadata ??= {};
    if (typeof cell.id !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id) || seen.has(cell.id))
      cell.id = newCellId();
    seen.add(cell.id);
    if (cell.cell_type === 'code') {
      cell.outputs ??= [];
      cell.execution_count ??= null;
    }
  });
  return {
    nbformat: 4,
    nbformat_minor: Math.max(5, nb.nbformat_minor ?? 5),
    metadata: nb.metadata ?? {},
    cells: nb.cells,
  };
}

/** A copy of a JSON value with object keys sorted (a stable form to hash or to write). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const MULTILINE_OUTPUT_TYPES = new Set(['display_data', 'execute_result']);

/** Stores strings of a MIME bundle as line lists (except JSON types), as Jupyter does. */
function normaliseBundle(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle)) {
    const isJson = mime === 'application/json' || mime.endsWith('+json');
    out[mime] = typeof data === 'string' && !isJson ? splitLines(data) : data;
  }
  return out;
}

/** The notebook as nbformat 4.5 JSON text, keys sorted, one-space indent like Jupyter. */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((cell) => {
    const base = { ...cell, source: splitLines(joinSource(cell.source)) } as Cell;
    if (base.cell_type === 'code') {
      base.outputs = base.outputs.map((output) => {
        if (output.output_type === 'stream') return { ...output, text: splitLines(joinSource(output.text)) };
        if (MULTILINE_OUTPUT_TYPES.has(output.output_type)) {
          const rich = output as Extract<Output, { data: MimeBundle }>;
          const copy = { ...rich, data: normaliseBundle(rich.data) } as Output & { transient?: unknown };
          delete copy.transient;
          return copy;
        }
        return output;
      });
    }
    return base;
  });
  const doc = sortKeys({ ...nb, nbformat: 4, nbformat_minor: 5, cells });
  return JSON.stringify(doc, null, 1) + '\n';
}

/** A copy of the notebook with every output and execution count removed. */
export function stripOutputs(nb: Notebook): Notebook {
  return {
    ...nb,
    cells: nb.cells.map((cell) => {
      if (cell.cell_type !== 'code') return cell;
      const metadata = { ...cell.metadata };
      delete metadata.execution;
      return { ...cell, metadata, outputs: [], execution_count: null };
    }),
  };
}
