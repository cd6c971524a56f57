// npm run nb:times: each notebook's time note is rewritten from the recorded run times.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { roughly, timeNote, withMeasuredTime } from '../../tools/nb-times';

describe('nb:times', () => {
  it('writes durations as a reader estimates them', () => {
    expect(roughly(11)).toBe('about 10 s');
    expect(roughly(2)).toBe('about 5 s');
    expect(roughly(88)).toBe('about 90 s');
    expect(roughly(91)).toBe('about 1.5 minutes');
    expect(roughly(104)).toBe('about 1.5 minutes');
    expect(roughly(168)).toBe('about 3 minutes');
    expect(roughly(60 * 24 + 10)).toBe('about 24 minutes');
    expect(timeNote(236, 60)).toBe('*Time on a 2-core laptop (measured): about 4 minutes in the `full` profile, about 60 s in `ci`.*');
  });

  it("rewrites the first cell's note from the recorded times, the same way on every run", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nb-times-')), '01-images-knn.ipynb');
    copyFileSync(join('notebooks', '01-images-knn.ipynb'), path);
    const times = { full: { '01-images-knn.ipynb': 200 }, ci: { '01-images-knn.ipynb': 18 } };
    const once = withMeasuredTime(path, times);
    const firstCell = JSON.parse(once).cells[0].source.join('');
    expect(firstCell).toContain('*Time on a 2-core laptop (measured): about 3.5 minutes in the `full` profile, about 20 s in `ci`.*');
    expect(firstCell.match(/Time on a 2-core laptop/g)).toHaveLength(1);
    // Only the note changes.
    const before = JSON.parse(readFileSync(path, 'utf8'));
    const after = JSON.parse(once);
    expect(after.cells.slice(1)).toEqual(before.cells.slice(1));
    writeFileSync(path, once);
    expect(withMeasuredTime(path, times)).toBe(once);
    expect(() => withMeasuredTime(path, { full: times.full })).toThrow(/no recorded ci time/);
  });
});
