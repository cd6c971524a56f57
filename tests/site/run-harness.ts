// A bare page that mounts "Run in your browser" on one notebook's code cells, built from
// the .ipynb the way the site's page shows them (exercises in the learner's version, the
// solution behind "Show solution"), for the browser tests of the page runtime.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findRegions, gradeIdOf, releaseSource } from '../../tools/nbconvert-ts/release';
import { joinSource, tagsOf, type Notebook } from '../../tools/nbconvert-ts/notebook';

/** One code cell as the page runtime takes it. */
export interface HarnessCell {
  source: string;
  solution?: string;
  parameters?: boolean;
  gradeId?: string;
}

/** The code cells of a notebook as its site page shows them. */
export function pageCells(notebookPath: string): HarnessCell[] {
  const nb = JSON.parse(readFileSync(notebookPath, 'utf8')) as Notebook;
  return nb.cells
    .filter((c) => c.cell_type === 'code' && joinSource(c.source).trim() !== '')
    .map((cell) => {
      const source = joinSource(cell.source);
      const gradeId = gradeIdOf(cell);
      const hasSolution = findRegions(source, `cell ${cell.id}`).some((r) => r.kind === 'solution');
      return {
        source: releaseSource(source, gradeId, `cell ${cell.id}`),
        ...(hasSolution ? { solution: source } : {}),
        ...(tagsOf(cell).includes('parameters') ? { parameters: true } : {}),
        ...(gradeId ? { gradeId } : {}),
      };
    });
}

/** Writes `<dir>/<notebook>.html` (with its cells beside it); returns the page's path under dir. */
export function writeHarnessPage(dir: string, notebookPath: string): string {
  const name = basename(notebookPath, '.ipynb');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '404.html'), '<!doctype html><title>not found</title>');
  writeFileSync(join(dir, `${name}.cells.json`), JSON.stringify(pageCells(notebookPath)));
  writeFileSync(
    join(dir, `${name}.html`),
    `<!doctype html>
<html><head><meta charset="utf-8"><title>${name}</title><link rel="stylesheet" href="/run/katex.min.css"></head>
<body><main id="notebook"></main>
<script type="module">
const { mountRunner } = await import('/run/runner.js');
const cells = await (await fetch('/${name}.cells.json')).json();
mountRunner(document.getElementById('notebook'), cells, { runtimeBase: '/run/', profile: 'ci' });
document.body.dataset.mounted = 'yes';
</script></body></html>
`,
  );
  return `/${name}.html`;
}
