// The learner's versions of the course's notebooks (issue #17; nbconvert-ts release) run to
// the end in the ci profile, each check saying "not attempted yet". Cached by content in
// build/.nbcache like the notebooks. (The wrong solutions are checked in exercises.test.ts:
// two files, so that vitest's two forks take them side by side.)
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { courseExecuteOptions } from '../../tools/course-notebooks';
import { executeNotebook } from '../../tools/nbconvert-ts/execute';
import { joinSource, readNotebook, type Notebook } from '../../tools/nbconvert-ts/notebook';
import { gradeIdOf } from '../../tools/nbconvert-ts/release';
import { releaseCourse } from '../../tools/exercises/release-course';
import { exercisesOf } from '../../tools/exercises/wrong-solutions';
import { courseNotebooks } from '../../tools/site-build';

const root = process.cwd();
const cacheDir = join(root, 'build', '.nbcache');
const notebooks = courseNotebooks();
const nameOf = (path: string) => path.split(/[\\/]/).pop()!;

/** The code cells' sources, in order. */
const codeOf = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === 'code').map((c) => joinSource(c.source));

describe('exercises: learner versions (ci profile)', () => {
  const learnerDir = join(root, 'build', 'learner');
  const executedDir = join(root, 'build', 'learner-executed');
  beforeAll(() => {
    releaseCourse(learnerDir, notebooks, { nodeModules: true });
  });

  for (const notebook of notebooks) {
    const name = nameOf(notebook);
    it(`${name} runs to the end, every check "not attempted yet"`, async () => {
      const learner = join(learnerDir, name);
      const exercises = exercisesOf(readNotebook(learner), learner);
      if (exercises.length === 0) {
        // Nothing to release: its code is the source's, which notebooks.test.ts runs.
        expect(codeOf(readNotebook(learner))).toEqual(codeOf(readNotebook(notebook)));
        return;
      }
      const report = await executeNotebook(learner, {
        outputPath: join(executedDir, name),
        parameters: { profile: 'ci' },
        cacheDir,
        ...courseExecuteOptions(),
      });
      expect(report.status, report.message).toBe('ok');
      const executed = readNotebook(join(executedDir, name));
      for (const cell of executed.cells) {
        const id = gradeIdOf(cell);
        if (cell.cell_type !== 'code' || !id?.endsWith('-check')) continue;
        const exercise = id.slice(0, -'-check'.length);
        const printed = cell.outputs.map((o) => (o.output_type === 'stream' ? joinSource(o.text) : '')).join('');
        expect(printed, `${name}: the check of ${exercise} in the learner's version`).toContain(`exercise ${exercise}: not attempted yet`);
      }
    }, 1_800_000);
  }
});
