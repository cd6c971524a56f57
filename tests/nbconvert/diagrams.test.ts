// Diagram references in Markdown cells: the page shows the drawing made from the reference's
// call (stored with the page's assets), and a reference that cannot be drawn stops the
// conversion with a message naming the notebook, the cell and the call.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePages } from '../../tools/site-build';
import * as convert from '../../tools/nbconvert-ts/convert';
import { findDiagramReferences } from '../../tools/nbconvert-ts/diagrams';
import { svgElements } from '../helpers/svg-elements';
import { convertNotebook } from './course';

const work = mkdtempSync(join(tmpdir(), 'nbdiagrams-'));

/** A notebook (no code: nothing to execute) with one Markdown cell per text. */
function notebook(name: string, markdown: string[]): string {
  const path = join(work, `${name}.ipynb`);
  const cells = markdown.map((source, i) => ({
    cell_type: 'markdown',
    id: `cell-${i}`,
    metadata: {},
    source,
  }));
  writeFileSync(path, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return path;
}

const REF = '![A 3×3 filter, stride 2](diagrams/padding.svg "diagram: sliding-filter n=5 f=3 p=1 s=2")';

describe('diagram references', () => {
  it('finds only images titled diagram:, and says whether each is a paragraph of its own', () => {
    const refs = findDiagramReferences(
      `# Title\n\n${REF}\n\nText ![x](a.svg "a title") and ![inline](diagrams/b.svg "diagram: pooling n=4").\n\n` +
        '```\n![code](diagrams/c.svg "diagram: unet")\n```\n',
    );
    expect(refs.map((r) => [r.src, r.call, r.alone, r.alt])).toEqual([
      ['diagrams/padding.svg', 'sliding-filter n=5 f=3 p=1 s=2', true, 'A 3×3 filter, stride 2'],
      ['diagrams/b.svg', 'pooling n=4', false, 'inline'],
    ]);
  });

  it('draws the diagram into the assets and shows it on the page', async () => {
    const dirs = { docsDir: join(work, 'docs'), assetsDir: join(work, 'assets') };
    const page = readFileSync(
      await convertNotebook(notebook('good', [`# Good\n\nPadding and stride:\n\n${REF}\n\nAfter.`]), dirs),
      'utf8',
    );
    const img =
      /<img class="nb-diagram" src="\/nb-assets\/([0-9a-f]{16}\.svg)" alt="A 3×3 filter, stride 2" \/>/.exec(
        page,
      );
    expect(img, page).not.toBeNull();
    expect(page).toContain('Padding and stride:\n\n<img');
    expect(page).toContain('/>\n\nAfter.');
    expect(page).not.toContain('diagrams/padding.svg');
    // the stored picture is the sanitised drawing, still well-formed XML with its title and dashes
    const svg = readFileSync(join(dirs.assetsDir, img![1]!), 'utf8');
    const elements = svgElements(svg);
    expect(elements.find((e) => e.name === 'title')?.text).toBe('A 3×3 filter sliding over a 5×5 input');
    expect(elements.filter((e) => e.attrs.class === 'out-cell')).toHaveLength(9); // (5 + 2 − 3)/2 + 1 = 3
    expect(elements.some((e) => e.attrs['stroke-dasharray'] === '6 3')).toBe(true);
  });

  it('attaches the drawings to the download copy, which has no diagrams/ folder beside it', async () => {
    const dirs = {
      docsDir: join(work, 'docs'),
      assetsDir: join(work, 'assets'),
      notebooksDir: join(work, 'dl'),
    };
    await convertNotebook(notebook('download', ['# D', `Text.\n\n${REF}\n`]), dirs);
    const cell = JSON.parse(readFileSync(join(dirs.notebooksDir, 'download.ipynb'), 'utf8')).cells[1];
    expect(cell.source.join('')).toBe(
      'Text.\n\n![A 3×3 filter, stride 2](attachment:padding.svg "diagram: sliding-filter n=5 f=3 p=1 s=2")\n',
    );
    // Jupyter stores (and decodes) an attachment as base64
    const svg = Buffer.from(cell.attachments['padding.svg']['image/svg+xml'], 'base64').toString('utf8');
    expect(svgElements(svg).filter((e) => e.attrs.class === 'out-cell')).toHaveLength(9);
  });

  it('stops on an unknown diagram or bad parameters, naming the notebook, cell and call', async () => {
    const dirs = { docsDir: join(work, 'docs'), assetsDir: join(work, 'assets') };
    const bad = (name: string, ref: string) =>
      convertNotebook(notebook(name, ['# T', `Intro.\n\n${ref}\n`]), dirs);
    await expect(bad('unknown', '![x](diagrams/x.svg "diagram: slidingfilter n=5")')).rejects.toThrow(
      /^unknown\.ipynb, cell cell-1: "slidingfilter n=5": unknown diagram "slidingfilter" \(known: sliding-filter/,
    );
    await expect(bad('params', '![x](diagrams/x.svg "diagram: sliding-filter n=5 f=9")')).rejects.toThrow(
      'params.ipynb, cell cell-1: "sliding-filter n=5 f=9": diagram sliding-filter: convOutputSize: a 9×9 filter does not fit a 5×5 input padded by 0 (5×5)',
    );
    await expect(
      bad('inline', 'See ![x](diagrams/x.svg "diagram: sliding-filter n=5 f=3") here.'),
    ).rejects.toThrow(/inline\.ipynb, cell cell-1: .*a diagram reference must be a paragraph of its own/);
    // nbconvert-ts without the course's renderer cannot draw it
    await expect(convert.convertNotebook(notebook('bare', ['# T', REF]), dirs)).rejects.toThrow(
      /bare\.ipynb, cell cell-1: .*no diagram renderer configured \(renderDiagram\)/,
    );
  });

  it("fails the site's page writer, before it publishes a page, on a bad reference", async () => {
    const dirs = {
      docs: join(work, 'site-docs'),
      assets: join(work, 'site-assets'),
      downloads: join(work, 'dl'),
    };
    const pages = [
      { executed: notebook('03-bad', ['# T', '![x](diagrams/x.svg "diagram: pooling n=4 f=3 s=0")']) },
    ];
    await expect(writePages(pages, dirs)).rejects.toThrow(
      /03-bad\.ipynb, cell cell-1: "pooling n=4 f=3 s=0": diagram pooling: convOutputSize: s must be an integer >= 1, got 0/,
    );
    expect(readdirSync(dirs.docs)).toEqual([]);
  });
});
