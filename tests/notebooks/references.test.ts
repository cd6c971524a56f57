// Every notebook ends its prose with the sources it follows, written by npm run nb:course-edits,
// and speaks of what the reader can see or follow, never of notes or lectures the reader lacks.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinSource, readNotebook } from '../../tools/nbconvert-ts/notebook';
import { REFERENCES, REFERENCES_CELL_ID, withCourseCells } from '../../tools/nb-course-edits';
import { courseNotebooks } from '../../tools/site-build';

const notebooks = courseNotebooks();

describe('references', () => {
  it.each(notebooks.map((nb) => [basename(nb), nb]))('%s has its References cell as written by nb:course-edits', (_, path) => {
    const cell = readNotebook(path).cells.find((c) => c.id === REFERENCES_CELL_ID);
    expect(cell, `no cell with id "${REFERENCES_CELL_ID}": run npm run nb:course-edits`).toBeDefined();
    expect(joinSource(cell!.source)).toMatch(/^## References\n/);
    expect(readFileSync(path, 'utf8') === withCourseCells(path), 'the cell differs from the script\'s: run npm run nb:course-edits').toBe(true);
  });

  it('lists links a reader can follow: https, each source once per notebook', () => {
    expect(Object.keys(REFERENCES).sort()).toEqual(notebooks.map((nb) => basename(nb)).sort());
    for (const [name, references] of Object.entries(REFERENCES)) {
      expect(references.length, name).toBeGreaterThan(0);
      for (const r of references) expect(() => new URL(r.url), r.url).not.toThrow();
      expect(references.every((r) => r.url.startsWith('https://')), name).toBe(true);
      expect(new Set(references.map((r) => r.url)).size, `${name}: a source listed twice`).toBe(references.length);
    }
  });

  it.each(notebooks.map((nb) => [basename(nb), nb]))('%s never points the reader at "the notes" or "the lecture"', (_, path) => {
    const said = readNotebook(path).cells
      .filter((c) => c.cell_type === 'markdown' || c.cell_type === 'code')
      .flatMap((c) => joinSource(c.source).match(/[^\n]{0,40}\bthe (?:lecture )?notes\b[^\n]{0,20}|[^\n]{0,40}\bthe lectures?\b[^\n]{0,20}/gi) ?? []);
    expect(said).toEqual([]);
  });
});
