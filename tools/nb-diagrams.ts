/**
 * `npm run nb:diagrams [-- --check]`: writes the picture of every diagram reference in the
 * course notebooks to the file its link names, `notebooks/diagrams/*.svg` (see
 * tools/diagram-files.ts), so that Jupyter shows the drawing the site makes during its build;
 * files no reference names are removed. `--check` writes nothing and exits 1 naming each file
 * that is missing, differs or is stale; a reference that cannot be drawn fails both.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGRAMS_DIR, diagramDifferences, diagramFiles } from './diagram-files';
import { courseNotebooks } from './site-build';

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length)
    throw new Error(`unknown argument(s) ${unknown.join(' ')}; usage: nb:diagrams [--check]`);
  const wanted = diagramFiles(courseNotebooks());
  const differences = diagramDifferences(wanted, DIAGRAMS_DIR);
  if (check) {
    for (const line of differences) console.error(`${line} (run npm run nb:diagrams)`);
    return differences.length ? 1 : 0;
  }
  mkdirSync(DIAGRAMS_DIR, { recursive: true });
  for (const file of readdirSync(DIAGRAMS_DIR))
    if (file.endsWith('.svg') && !wanted.has(file)) rmSync(join(DIAGRAMS_DIR, file));
  for (const [file, svg] of wanted) writeFileSync(join(DIAGRAMS_DIR, file), svg);
  console.log(`${wanted.size} diagram(s) in ${DIAGRAMS_DIR}; ${differences.length} written or removed`);
  return 0;
}

if (process.argv[1]?.endsWith('nb-diagrams.ts')) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`nb:diagrams: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
