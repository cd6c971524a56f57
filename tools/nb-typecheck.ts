/**
 * `npm run nb:typecheck [-- nb...]`: compiles every code cell of the course's notebooks in
 * order, as the course kernel does (strict), without running anything, and prints each
 * cell that does not compile. Minutes faster than running the notebooks; exits 1 on an error.
 * Runs in a process of its own (the kernel's compiler settings are set once per process).
 */
import { resolve } from 'node:path';
import { projectRoot } from '../lib/paths';
import { createCourseConverter } from './kernel/compiler';
import { joinSource, readNotebook, tagsOf } from './nbconvert-ts/notebook';
import { courseNotebooks } from './site-build';

/** One cell that did not compile. */
export interface CellTypeError {
  notebook: string;
  cell: number;
  messages: string[];
}

/** tslab's diagnostic: zero-based line and character of the cell's start. */
interface Diagnostic {
  start: { line: number; character: number };
  messageText: string;
}

function describe(d: unknown): string {
  const diag = d as Diagnostic;
  return `${diag.start.line + 1}:${diag.start.character + 1} ${diag.messageText}`;
}

/**
 * Type-checks notebooks cell by cell with the declarations of the cells before, the way
 * tslab's executor does (parameters cells are compiled as written: their values are literals).
 */
export function typecheckNotebooks(files: string[], cwd: string): CellTypeError[] {
  process.chdir(cwd);
  const converter = createCourseConverter(projectRoot(), {
    strict: process.env.COURSE_KERNEL_STRICT !== '0',
  });
  const errors: CellTypeError[] = [];
  try {
    for (const file of files) {
      let prevDecl = '';
      readNotebook(file).cells.forEach((cell, index) => {
        if (
          cell.cell_type !== 'code' ||
          tagsOf(cell).includes('skip-execution') ||
          tagsOf(cell).includes('raises-exception')
        )
          return;
        const result = converter.convert(prevDecl, joinSource(cell.source));
        if (result.diagnostics.length > 0) {
          errors.push({ notebook: file, cell: index, messages: result.diagnostics.map(describe) });
          return;
        }
        prevDecl = String(result.declOutput ?? '');
      });
    }
  } finally {
    converter.close();
  }
  return errors;
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('nb-typecheck.ts')) {
  const files = process.argv.slice(2).map((f) => resolve(f));
  const list = files.length ? files : courseNotebooks();
  const errors = typecheckNotebooks(list, resolve(projectRoot(), 'notebooks'));
  for (const e of errors) console.error(`${e.notebook}: cell ${e.cell}:\n  ${e.messages.join('\n  ')}`);
  console.log(`${list.length} notebooks, ${errors.length} cells that do not compile`);
  process.exit(errors.length ? 1 : 0);
}
