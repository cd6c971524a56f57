// The files Jupyter shows for the notebooks' diagram references: drawn from the references,
// up to date in the checkout, and a bad reference named with its notebook and cell.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGRAMS_DIR, diagramDifferences, diagramFiles } from '../../tools/diagram-files';
import { courseNotebooks } from '../../tools/site-build';

const work = mkdtempSync(join(tmpdir(), 'diagram-files-'));

function notebook(name: string, markdown: string[]): string {
  const path = join(work, `${name}.ipynb`);
  const cells = markdown.map((source, i) => ({ cell_type: 'markdown', id: `c${i}`, metadata: {}, source }));
  writeFileSync(path, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return path;
}

describe('diagram files', () => {
  it('are up to date for every reference in the course notebooks (npm run nb:diagrams)', () => {
    const wanted = diagramFiles(courseNotebooks());
    // the references the notebooks teach with (#22): one per concept
    expect([...wanted.keys()].sort()).toEqual([
      '03-conv-volume.svg',
      '03-max-pooling.svg',
      '03-padding-stride.svg',
      '05-depthwise-separable.svg',
      '05-inception-3a.svg',
      '05-residual-block.svg',
      '08-yolo-grid.svg',
      '09-unet.svg',
      '10-triplet.svg',
    ]);
    expect(diagramDifferences(wanted, DIAGRAMS_DIR)).toEqual([]);
  });

  it('reports files missing, different or named by no reference', () => {
    const dir = join(work, 'diagrams');
    mkdirSync(dir);
    const wanted = diagramFiles([
      notebook('a', [
        '![x](diagrams/one.svg "diagram: triplet")',
        '![y](diagrams/two.svg "diagram: inception")',
      ]),
    ]);
    writeFileSync(join(dir, 'one.svg'), wanted.get('one.svg')!);
    writeFileSync(join(dir, 'old.svg'), '<svg/>');
    expect(diagramDifferences(wanted, dir)).toEqual([
      `${join(dir, 'two.svg')}: missing`,
      `${join(dir, 'old.svg')}: no notebook refers to it`,
    ]);
    writeFileSync(join(dir, 'one.svg'), wanted.get('one.svg')!.replace('0.19', '0.2'));
    expect(diagramDifferences(wanted, dir)[0]).toBe(
      `${join(dir, 'one.svg')}: differs from its reference's drawing`,
    );
  });

  it('names the notebook, cell and call of a reference it cannot take', () => {
    expect(() => diagramFiles([notebook('b', ['# T', '![x](pictures/one.svg "diagram: triplet")'])])).toThrow(
      'b.ipynb, cell c1: "triplet": its link must be diagrams/NAME.svg, got pictures/one.svg',
    );
    expect(() =>
      diagramFiles([notebook('c', ['![x](diagrams/one.svg "diagram: triplet margin=-1")'])]),
    ).toThrow(
      'c.ipynb, cell c0: "triplet margin=-1": diagram triplet: tripletDiagram: margin must be > 0, got -1',
    );
    expect(() =>
      diagramFiles([
        notebook('d', ['![x](diagrams/one.svg "diagram: triplet")']),
        notebook('e', ['![x](diagrams/one.svg "diagram: triplet margin=0.3")']),
      ]),
    ).toThrow(/e\.ipynb, cell c0: .*diagrams\/one\.svg is drawn differently by d\.ipynb, cell c0/);
  });
});
