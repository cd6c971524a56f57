// Files that come and go in a notebook's folder while a cell runs (an editor's swap file, a
// `git commit` or checkout) must not kill the course kernel. tslab's TypeScript watches the
// modules cells import and, after a failed module lookup, the folder itself; a change there
// used to make it set a second timer where tslab allows one ("Unexpected pending rebuildTimer"
// in a file watcher's callback: "kernel died: exit code 7"). The fixture's cell imports a
// module whose own lookup of a missing file is watched, churns files in the folder, rewrites
// and removes that module, and the next cells must still compile and run.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/paths';
import { executeNotebook } from '../nbconvert/course';
import { read, text } from '../nbconvert/fixtures';

const fixtures = join(projectRoot(), 'tests', 'fixtures', 'notebooks');
// Under the project (TypeScript does not watch folders just below the file system's root, as /tmp/x).
mkdirSync(join(projectRoot(), 'build'), { recursive: true });
const folder = mkdtempSync(join(projectRoot(), 'build', 'watch-churn-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the course kernel while files change in the notebook folder', () => {
  it('keeps running, and the cell and the next ones give their results', async () => {
    for (const name of ['watch-churn.ipynb', 'churn-helper.ts'])
      copyFileSync(join(fixtures, name), join(folder, name));
    const out = join(folder, 'executed.ipynb');
    const report = await executeNotebook(join(folder, 'watch-churn.ipynb'), { outputPath: out });
    expect(report.status, report.message).toBe('ok');
    const printed = read(out).cells.map((cell: { outputs: Array<{ text?: string | string[] }> }) =>
      cell.outputs.map((o) => text(o.text ?? '')).join(''),
    );
    expect(printed).toEqual(['churned 15\n', 'after 30\n', 'still alive\n']);
  }, 180_000);
});
