// Parsing notebooks/wrong-solutions/*.md, matching them to a notebook's exercises, and running them on a fixture.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namesExercise, runWrongSolutions, summaryLine } from '../../tools/exercises/run-wrong-solutions';
import { exercisesOf, parseWrongSolutions, wrongSolutionProblems, wrongSolutionsPath } from '../../tools/exercises/wrong-solutions';
import { readNotebook } from '../../tools/nbconvert-ts/notebook';
import { FIXTURES } from '../nbconvert/fixtures';

const fixture = () => readNotebook(join(FIXTURES, 'exercises.ipynb'));

describe('wrong-solution files', () => {
  it('parse into one entry per section, code verbatim, region from #R', () => {
    const text = ['# Wrong solutions', 'intro', '', '## 01.1: doubled twice', 'Why.', '```ts', '  return 4 * x;', '```', '', '## 01.1#2: scale ignored', '```typescript', '    const out = xs;', '    return out;', '```', ''].join('\n');
    expect(parseWrongSolutions(text, 'w.md')).toEqual([
      { exerciseId: '01.1', region: 0, title: 'doubled twice', code: '  return 4 * x;', where: 'w.md:4' },
      { exerciseId: '01.1', region: 1, title: 'scale ignored', code: '    const out = xs;\n    return out;', where: 'w.md:10' },
    ]);
  });

  it('reject malformed sections with the line', () => {
    expect(() => parseWrongSolutions('## 1: x\n```ts\na\n```', 'w.md')).toThrow(/w\.md:1: a section heading is/);
    expect(() => parseWrongSolutions('## 01.1: no code\ntext', 'w.md')).toThrow(/w\.md:1: a wrong solution needs exactly one ```ts/);
    expect(() => parseWrongSolutions('## 01.1: two\n```ts\na\n```\n```ts\nb\n```', 'w.md')).toThrow(/found 4 fence lines/);
    expect(() => parseWrongSolutions('## 01.1: empty\n```ts\n\n```', 'w.md')).toThrow(/empty/);
  });

  it('sit beside the notebook under wrong-solutions/', () => {
    expect(wrongSolutionsPath('/a/notebooks/03-convolutions.ipynb')).toBe('/a/notebooks/wrong-solutions/03-convolutions.md');
  });
});

describe('matching a notebook', () => {
  it('finds exercises and their check cells', () => {
    expect(exercisesOf(fixture(), 'nb')).toEqual([{ id: '01.1', cellIndex: 2, checkIndex: 3 }]);
  });

  it('names every problem: an exercise without wrong solutions, unknown exercise or region, the solution itself, wrong indentation', () => {
    const nb = fixture();
    expect(wrongSolutionProblems(nb, 'nb', [])).toEqual([expect.stringMatching(/nb: exercise 01\.1 has no wrong solution/)]);
    const w = (code: string, exerciseId = '01.1', region = 0) => ({ exerciseId, region, title: 't', code, where: 'w.md:1' });
    expect(wrongSolutionProblems(nb, 'nb', [w('  return 3 * x;'), w('    return xs;', '01.1', 1)])).toEqual([]);
    expect(wrongSolutionProblems(nb, 'nb', [w('  return 3 * x;'), w('  return 1;', '02.1')])).toEqual(['w.md:1: names exercise 02.1, which nb does not have']);
    expect(wrongSolutionProblems(nb, 'nb', [w('  return 3 * x;', '01.1', 2)])).toEqual(['w.md:1: exercise 01.1 has 2 solution region(s), not 3']);
    expect(wrongSolutionProblems(nb, 'nb', [w('  return 2 * x;')])).toEqual(['w.md:1: is the solution of 01.1 itself']);
    expect(wrongSolutionProblems(nb, 'nb', [w('return 3 * x;')])).toEqual(['w.md:1: line 1 of the code is not indented like the region it replaces ("  ")']);
  });

  it('counts only an ExerciseCheckError naming the exercise as caught', () => {
    expect(namesExercise({ ok: false, ename: 'ExerciseCheckError', evalue: 'exercise 03.2 (x) is not right yet: …' }, '03.2')).toBe(true);
    expect(namesExercise({ ok: false, ename: 'ExerciseCheckError', evalue: 'exercise 03.21 (x) is not right yet' }, '03.2')).toBe(false);
    expect(namesExercise({ ok: false, ename: 'TypeError', evalue: 'exercise 03.2 x' }, '03.2')).toBe(false);
    expect(namesExercise({ ok: true, ename: '', evalue: '' }, '03.2')).toBe(false);
  });
});

describe('running wrong solutions (tslab kernel)', () => {
  it('counts a check failing with ExerciseCheckError as caught, a passing check or a cell that does not compile as not, and stops at the last check cell', async () => {
    const w = (title: string, code: string) => ({ exerciseId: '01.1', region: 0, title, code, where: `fixture: ${title}` });
    const run = await runWrongSolutions(join(FIXTURES, 'wrong-solutions.ipynb'), [
      w('times three', '  return 3 * x;'),
      w('the same as the solution, written differently', '  return x + x;'),
      w('does not compile', "  return 'six';"),
    ]);
    expect(run.failure).toBeUndefined(); // the last cell, which throws, is after the last check cell
    expect(run.exercises).toEqual(['01.1']);
    expect(run.outcomes.map((o) => o.caught)).toEqual([true, false, false]);
    expect(run.outcomes[0]!.detail).toBe('exercise 01.1 (fixture) is not right yet: double(3): expected 6, got 9');
    expect(run.outcomes[1]!.detail).toBe('its check passed');
    expect(run.outcomes[2]!.detail).toMatch(/does not run \(TypeScriptError: .*not assignable to type 'number'/);
    expect(summaryLine([run])).toBe('exercises: 1, wrong solutions caught: 1/3');
  }, 120_000);
});
