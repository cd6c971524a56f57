// Every course notebook, executed top to bottom in the ci profile through
// nbconvert-ts and the project's tslab kernel. Cached by content: an unchanged
// notebook (and library, lockfile, backend) is not re-run. The executed copies
// in build/executed-ci feed the site's browser tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { courseNotebooks, executeCourseNotebook } from '../../tools/site-build';

const executedDir = join(process.cwd(), 'build', 'executed-ci');
const timings: Array<{ notebook: string; seconds: number; cached: boolean }> = [];

describe('notebooks (ci profile)', () => {
  const notebooks = courseNotebooks();

  it('exist in syllabus order', () => {
    expect(notebooks.length).toBeGreaterThan(0);
  });

  for (const notebook of notebooks) {
    const name = notebook.split(/[\\/]/).pop()!;
    it(`${name} runs without error`, async () => {
      const report = await executeCourseNotebook(notebook, 'ci', executedDir);
      timings.push({ notebook: name, seconds: report.seconds, cached: report.cached });
      mkdirSync(join(process.cwd(), 'build'), { recursive: true });
      writeFileSync(join(process.cwd(), 'build', 'notebook-times.json'), JSON.stringify(timings, null, 2));
      expect(report.status, report.message).toBe('ok');
    }, 900_000);
  }
});
