// Each course notebook has one source, the .ipynb, stored in one canonical form
// (what `npm run nb:format` writes): no outputs, stable unique cell ids, one array
// entry per source line, sorted keys. A hand-edited or tool-rewritten notebook fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalText } from '../../tools/nb-format';
import { courseNotebooks } from '../../tools/site-build';

describe('notebook sources', () => {
  for (const notebook of courseNotebooks()) {
    const name = notebook.split(/[\\/]/).pop()!;
    it(`${name} is in canonical form (npm run nb:format)`, () => {
      const text = readFileSync(notebook, 'utf8');
      const doc = JSON.parse(text) as { cells: Array<{ source: unknown; outputs?: unknown[] }> };
      for (const cell of doc.cells) {
        expect(Array.isArray(cell.source), 'source stored as a list of lines').toBe(true);
        expect(cell.outputs ?? [], 'no stored outputs').toEqual([]);
      }
      expect(text === canonicalText(notebook), `${name} differs from its canonical form`).toBe(true);
    });
  }
});
