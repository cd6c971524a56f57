/**
 * `npm run nb:format [-- --check] [nb...]`: writes the course's notebooks in their one
 * canonical form (nbformat 4.5 as nbconvert-ts serialises it: sorted keys, one array entry
 * per source line, stable cell ids, no outputs or execution counts). `--check` writes
 * nothing and exits 1 naming every notebook that is not in that form.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readNotebook, serializeNotebook, stripOutputs } from './nbconvert-ts/notebook';
import { courseNotebooks } from './site-build';

/** The canonical text of a notebook file, or an error message naming what cannot be canonical. */
export function canonicalText(path: string): string {
  const nb = readNotebook(path);
  const ids = nb.cells.map((c) => c.id);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { cells: Array<{ id?: string }> };
  const missing = raw.cells.findIndex((c) => typeof c.id !== 'string');
  if (missing >= 0) throw new Error(`${path}: cell ${missing} has no id (ids must be stable: give it one)`);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`${path}: cell id ${duplicate} appears twice`);
  return serializeNotebook(stripOutputs(nb));
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const files = argv.filter((a) => a !== '--check').map((f) => resolve(f));
  let bad = 0;
  for (const file of files.length ? files : courseNotebooks()) {
    const want = canonicalText(file);
    if (readFileSync(file, 'utf8') === want) continue;
    if (check) {
      console.error(`${file}: not in canonical form (run npm run nb:format)`);
      bad++;
    } else {
      writeFileSync(file, want);
      console.log(`formatted ${file}`);
    }
  }
  return bad ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('tools', 'nb-format.ts')))
  process.exitCode = main(process.argv.slice(2));
