/**
 * Builds notebooks/NN-topic.ipynb from the readable source notebooks/src/NN-topic.md.
 * Cells start with a marker line: `%% md`, `%% code`, `%% code parameters` (the
 * parameters cell) or `%% solution` (a code cell hidden in JupyterLab, tagged solution).
 *   npx tsx notebooks/src/build.ts [NN-topic.md ...]   (default: every source here)
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const here = join(process.cwd(), 'notebooks', 'src');

function build(file: string): void {
  const name = basename(file, '.md');
  const text = readFileSync(join(here, file), 'utf8');
  const cells: Array<Record<string, unknown>> = [];
  const parts = text.split(/^%% /m).slice(1);
  parts.forEach((part, index) => {
    const newline = part.indexOf('\n');
    const marker = part.slice(0, newline).trim();
    const body = part.slice(newline + 1).replace(/\s+$/, '');
    const lines = body.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
    const id = createHash('sha1').update(`${name}:${index}`).digest('hex').slice(0, 12);
    if (marker === 'md') cells.push({ cell_type: 'markdown', id, metadata: {}, source: lines });
    else if (marker === 'code' || marker === 'code parameters' || marker === 'solution') {
      const metadata = marker === 'code parameters' ? { tags: ['parameters'] } : marker === 'solution' ? { jupyter: { source_hidden: true }, tags: ['solution'] } : {};
      cells.push({ cell_type: 'code', id, metadata, execution_count: null, outputs: [], source: lines });
    } else throw new Error(`${file}: unknown cell marker "%% ${marker}"`);
  });
  const notebook = {
    cells,
    metadata: {
      kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' },
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(here, '..', `${name}.ipynb`), `${JSON.stringify(notebook, null, 1)}\n`);
  console.log(`notebooks/${name}.ipynb: ${cells.length} cells`);
}

const files = process.argv.slice(2);
for (const f of files.length ? files.map((f) => basename(f)) : readdirSync(here).filter((f) => /^\d\d-.*\.md$/.test(f))) build(f);
