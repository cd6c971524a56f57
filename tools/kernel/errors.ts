/**
 * A cell's failures as Jupyter `error` content: the thrown value's real name
 * and message, and a traceback whose frames point at the cells' own lines
 * (`<cell [3]>:4:7`), without the frames of tslab, the kernel and Node.
 * TypeScript diagnostics become a `TypeScriptError` with the cell's line and column.
 */
import { inspect } from 'node:util';

/** The content of an `error` message (and of an error `execute_reply`). */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Maps a position in a cell's running script back to the cell, by the script's name. */
export type CellPositionMap = (
  scriptName: string,
  line: number,
  column: number,
) => { cell: string; line: number; column: number } | undefined;

/** A TypeScript diagnostic as tslab's executor reports it: one-based line and column, the file when it is not the cell. */
export interface CellDiagnostic {
  fileName: string;
  line: number;
  column: number;
  message: string;
}

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
/** The script names the kernel gives cells (`cell-3-1a2b3c4d`, `silent-…`): see server.ts. */
export const CELL_SCRIPT = /^(?:cell-\d+|silent)-[\w-]+$/;
/** Frames of code that is not the learner's: Node's internals, tslab, this kernel. */
function isInternal(file: string, internalRoots: string[]): boolean {
  return (
    file.startsWith('node:') ||
    file === 'evalmachine.<anonymous>' ||
    file.includes('/node_modules/tslab/') ||
    internalRoots.some((root) => file.startsWith(root))
  );
}

/**
 * The traceback of a thrown value: `Name: message`, then one `at` line per
 * frame, cell frames rewritten to the cell's line and column, internal frames dropped.
 *
 * @param internalRoots - folders whose frames are the kernel's own (dropped).
 */
export function errorContent(
  thrown: unknown,
  mapPosition: CellPositionMap,
  internalRoots: string[] = [],
): ErrorContent {
  if (!(thrown instanceof Error)) {
    // `throw "text"` or `throw 42`: no frames to show.
    const evalue = typeof thrown === 'string' ? thrown : inspect(thrown, { depth: 2 });
    return { ename: 'Uncaught', evalue, traceback: [`Uncaught ${evalue}`] };
  }
  const ename = thrown.name || thrown.constructor?.name || 'Error';
  const evalue = thrown.message;
  const frames: string[] = [];
  for (const line of (thrown.stack ?? '').split('\n')) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const [, fn, file, row, col] = match;
    const where = mapPosition(file!, Number(row), Number(col));
    // tslab calls a cell's functions through its exports proxy.
    const name = fn?.replace(/^Proxy\./, '').replace(/^Object\.<anonymous>$/, '');
    if (where)
      frames.push(
        `    at ${name ? `${name} (${where.cell}:${where.line}:${where.column})` : `${where.cell}:${where.line}:${where.column}`}`,
      );
    // A cell frame without a mapping is tslab's wrapper around the cell's code.
    else if (CELL_SCRIPT.test(file!) || isInternal(file!, internalRoots)) continue;
    else frames.push(line.replace(/\bProxy\./, '').replace(/^\s*/, '    '));
  }
  const code = (thrown as { code?: unknown }).code;
  // A static import of an ES-module-only package compiles to require(), which cannot load it.
  const hint =
    code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE'
      ? [
          "hint: that package is an ES module: in a cell, load it with `const { name } = await import('package')`",
        ]
      : [];
  return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames, ...hint] };
}

/**
 * One error for a cell that did not compile: the first diagnostic names the
 * error; the traceback shows each diagnostic with the cell's line and a caret.
 */
export function diagnosticsContent(
  diagnostics: CellDiagnostic[],
  cellName: string,
  source: string,
): ErrorContent {
  const lines = source.split('\n');
  const traceback: string[] = [];
  for (const d of diagnostics) {
    const where = d.fileName ? `${d.fileName}:${d.line}:${d.column}` : `${cellName}:${d.line}:${d.column}`;
    traceback.push(`${where} - ${d.message}`);
    const text = d.fileName ? undefined : lines[d.line - 1];
    if (text !== undefined) traceback.push(`    ${text}`, `    ${' '.repeat(Math.max(0, d.column - 1))}^`);
  }
  const first = diagnostics[0];
  const evalue = first
    ? `${first.fileName ? `${first.fileName} ` : ''}line ${first.line}, column ${first.column}: ${first.message}`
    : 'the cell did not compile';
  return { ename: 'TypeScriptError', evalue, traceback: [`TypeScriptError: ${evalue}`, ...traceback] };
}

/** A diagnostic from the arguments tslab's executor passes to `console.error` ("%s%d:%d - %s", file, line, column, message), else undefined. */
export function diagnosticFromConsole(args: unknown[]): CellDiagnostic | undefined {
  if (args[0] !== '%s%d:%d - %s' || args.length !== 5) return undefined;
  const [, file, line, column, message] = args;
  return {
    fileName: String(file).trim(),
    line: Number(line),
    column: Number(column),
    message: String(message),
  };
}
