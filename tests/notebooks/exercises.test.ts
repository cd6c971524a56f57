// The course's exercises (issue #17): every recorded wrong solution makes its check fail
// (one kernel per notebook, cells run up to the last check cell). Cached by content in
// build/.nbcache like the notebooks. The learner's versions run in learner-versions.test.ts.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectCacheInputs } from '../../tools/course-notebooks';
import { cacheKey } from '../../tools/nbconvert-ts/execute';
import { readNotebook } from '../../tools/nbconvert-ts/notebook';
import { linkCourseModules } from '../../tools/exercises/release-course';
import { runWrongSolutions, summaryLine, type WrongSolutionsRun } from '../../tools/exercises/run-wrong-solutions';
import { exercisesOf, readWrongSolutions, wrongSolutionProblems, wrongSolutionsPath } from '../../tools/exercises/wrong-solutions';
import { courseNotebooks } from '../../tools/site-build';

const root = process.cwd();
const cacheDir = join(root, 'build', '.nbcache');
const notebooks = courseNotebooks();
const withExercises = notebooks.filter((nb) => exercisesOf(readNotebook(nb), nb).length > 0 || readWrongSolutions(nb).length > 0);
const nameOf = (path: string) => basename(path);

describe('exercises: recorded wrong solutions', () => {
  it('belong to notebooks that exist', () => {
    const dir = join(root, 'notebooks', 'wrong-solutions');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md')) : [];
    const orphans = files.filter((f) => !notebooks.some((nb) => wrongSolutionsPath(nb) === join(dir, f)));
    expect(orphans, 'wrong-solution files without a notebook of the same name').toEqual([]);
  });

  it('cover every exercise, name existing exercises and replace exactly a region', () => {
    const problems = notebooks.flatMap((nb) => wrongSolutionProblems(readNotebook(nb), nb, readWrongSolutions(nb)));
    expect(problems).toEqual([]);
  });

  const runs: WrongSolutionsRun[] = [];
  for (const notebook of withExercises) {
    it(`${nameOf(notebook)}: each makes its check fail`, async () => {
      const wrongs = readWrongSolutions(notebook);
      // Same content (notebook, its wrong solutions, lib, helpers, lockfile, this runner) → same result.
      const key = cacheKey(readNotebook(notebook), {
        parameters: { profile: 'ci', run: 'wrong-solutions' },
        cacheInputs: [...projectCacheInputs(), wrongSolutionsPath(notebook), join(root, 'tools', 'exercises'), join(root, 'tools', 'nbconvert-ts')],
      });
      const cached = join(cacheDir, `wrong-solutions-${key}.json`);
      let run: WrongSolutionsRun;
      if (existsSync(cached)) run = JSON.parse(readFileSync(cached, 'utf8')) as WrongSolutionsRun;
      else {
        // The kernel works in a folder of its own: tslab fails a cell after any change in a folder it watches.
        const cwd = join(root, 'build', 'exercise-kernel');
        linkCourseModules(cwd, { nodeModules: true });
        run = await runWrongSolutions(notebook, wrongs, { parameters: { profile: 'ci' }, cwd });
        if (!run.failure && run.outcomes.every((o) => o.caught)) {
          mkdirSync(cacheDir, { recursive: true });
          writeFileSync(cached, JSON.stringify(run));
        }
      }
      runs.push(run);
      console.log(`${nameOf(notebook)}: ${summaryLine([run])} (${run.seconds.toFixed(1)} s)`);
      expect(run.failure, run.failure).toBeUndefined();
      const passed = run.outcomes.filter((o) => !o.caught).map((o) => `${o.wrong.where} (${o.wrong.exerciseId}: ${o.wrong.title}): ${o.detail}`);
      expect(passed, `wrong solutions not caught by their check:\n${passed.join('\n')}`).toEqual([]);
    }, 1_800_000);
  }

  afterAll(() => {
    if (runs.length === 0) return;
    const line = summaryLine(runs);
    console.log(line);
    mkdirSync(join(root, 'build'), { recursive: true });
    writeFileSync(join(root, 'build', 'exercises-summary.txt'), `${line}\n${runs.map((r) => `${nameOf(r.notebook)}: ${summaryLine([r])}, ${r.seconds.toFixed(1)} s`).join('\n')}\n`);
  });
});
