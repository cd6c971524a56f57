#!/usr/bin/env node
// One-off, re-runnable edit of the notebooks' import lines after issue #16's moves:
//   './helpers/assets' -> './lib/data/assets', './helpers/cifar' -> './lib/data/cifar-subset',
//   kMeans, elbowCurve, elbowPoint: './lib/face' -> './lib/kmeans'.
// Touches only code cells' import lines; a notebook already edited is left as it is (idempotent).
// Run: node tools/migrations/arch16-notebook-imports.mjs [notebooks/*.ipynb], then npm run nb:format.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MOVED_MODULES = {
  './helpers/assets': './lib/data/assets',
  './helpers/cifar': './lib/data/cifar-subset',
};
const KMEANS_NAMES = ['kMeans', 'elbowCurve', 'elbowPoint'];

/** One line of source, edited. */
function editLine(line) {
  let out = line;
  for (const [from, to] of Object.entries(MOVED_MODULES)) out = out.replace(`from '${from}'`, `from '${to}'`);
  const face = /^(\s*)import \{([^}]*)\} from '\.\/lib\/face';(\s*)$/.exec(out);
  if (face) {
    const names = face[2]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const moved = names.filter((n) => KMEANS_NAMES.includes(n));
    if (moved.length > 0) {
      const kept = names.filter((n) => !KMEANS_NAMES.includes(n));
      const lines = [];
      if (kept.length > 0) lines.push(`${face[1]}import { ${kept.join(', ')} } from './lib/face';`);
      lines.push(`${face[1]}import { ${moved.join(', ')} } from './lib/kmeans';`);
      out = lines.join('\n') + face[3];
    }
  }
  return out;
}

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync('notebooks')
        .filter((f) => f.endsWith('.ipynb'))
        .map((f) => join('notebooks', f));
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const nb = JSON.parse(text);
  let changed = false;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    const edited = source.split('\n').map(editLine).join('\n');
    if (edited !== source) {
      // Stored as nbformat's list of lines, each keeping its newline.
      cell.source = edited.split(/(?<=\n)/);
      changed = true;
    }
  }
  if (changed) {
    writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');
    console.log(`edited ${file}`);
  }
}
