/**
 * The recorded wrong solutions of a notebook's exercises (`notebooks/wrong-solutions/NN-topic.md`)
 * and the rules that tie them to the notebook: one section per wrong solution,
 *
 *     ## 03.2: bias added twice
 *     A learner adds `b` inside the sum over the window.
 *     ```ts
 *     <the lines that replace those between BEGIN/END SOLUTION of exercise 03.2>
 *     ```
 *
 * headed `## 03.2#2: …` to replace the second solution region of that cell.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { joinSource, type Cell, type Notebook } from '../nbconvert-ts/notebook';
import { findRegions, gradeIdOf } from '../nbconvert-ts/release';

/** One recorded wrong solution. */
export interface WrongSolution {
  exerciseId: string;
  /** Which solution region of the exercise cell it replaces (0-based). */
  region: number;
  title: string;
  /** The replacement lines, without the fences. */
  code: string;
  /** Where it is written, for messages (`file:line`). */
  where: string;
}

/** An exercise of a notebook: its solution cell and its check cell. */
export interface Exercise {
  id: string;
  cellIndex: number;
  checkIndex: number;
}

/** The wrong-solutions file of a notebook: `<dir>/wrong-solutions/<name>.md`. */
export function wrongSolutionsPath(notebookPath: string): string {
  return join(dirname(notebookPath), 'wrong-solutions', basename(notebookPath).replace(/\.ipynb$/, '.md'));
}

const HEADING = /^## (\d+\.\d+)(?:#(\d+))?: (\S.*)$/;

/**
 * Parses a wrong-solutions file.
 * @throws Error naming the line of a malformed section.
 */
export function parseWrongSolutions(text: string, path: string): WrongSolution[] {
  const lines = text.split('\n');
  const out: WrongSolution[] = [];
  let section: { heading: RegExpExecArray; line: number; body: string[] } | undefined;
  const close = () => {
    if (!section) return;
    const where = `${path}:${section.line}`;
    const fences = section.body.map((l, i) => (/^```/.test(l) ? i : -1)).filter((i) => i >= 0);
    if (fences.length !== 2 || !/^```(ts|typescript)\s*$/.test(section.body[fences[0]!]!) || section.body[fences[1]!]!.trim() !== '```') {
      throw new Error(`${where}: a wrong solution needs exactly one \`\`\`ts … \`\`\` block (found ${fences.length} fence lines)`);
    }
    const code = section.body.slice(fences[0]! + 1, fences[1]!).join('\n');
    if (code.trim() === '') throw new Error(`${where}: the code block is empty`);
    const region = section.heading[2] ? Number(section.heading[2]) - 1 : 0;
    if (region < 0) throw new Error(`${where}: region numbers start at 1`);
    out.push({ exerciseId: section.heading[1]!, region, title: section.heading[3]!.trim(), code, where });
  };
  lines.forEach((line, i) => {
    if (line.startsWith('## ')) {
      close();
      const heading = HEADING.exec(line);
      if (!heading) throw new Error(`${path}:${i + 1}: a section heading is "## NN.K: what is wrong" (or "## NN.K#R: …"), got ${JSON.stringify(line)}`);
      section = { heading, line: i + 1, body: [] };
    } else if (section) section.body.push(line);
  });
  close();
  return out;
}

/** Reads the wrong solutions of a notebook (none when it has no file). */
export function readWrongSolutions(notebookPath: string): WrongSolution[] {
  const path = wrongSolutionsPath(notebookPath);
  return existsSync(path) ? parseWrongSolutions(readFileSync(path, 'utf8'), path) : [];
}

function nbgraderOf(cell: Cell): { solution?: unknown; grade?: unknown } {
  return (cell.metadata?.nbgrader ?? {}) as { solution?: unknown; grade?: unknown };
}

/** The exercises of a notebook, in order: cells with `nbgrader.solution` and their `<id>-check` cells. */
export function exercisesOf(nb: Notebook, path: string): Exercise[] {
  const exercises: Exercise[] = [];
  nb.cells.forEach((cell, cellIndex) => {
    const id = gradeIdOf(cell);
    if (cell.cell_type !== 'code' || id === undefined || nbgraderOf(cell).solution !== true) return;
    const checkIndex = nb.cells.findIndex((c, j) => j > cellIndex && gradeIdOf(c) === `${id}-check` && nbgraderOf(c).grade === true);
    if (checkIndex < 0) throw new Error(`${path}: exercise ${id} (cell ${cellIndex}) has no check cell with grade_id ${id}-check after it`);
    exercises.push({ id, cellIndex, checkIndex });
  });
  return exercises;
}

/**
 * What is wrong with a notebook's set of wrong solutions, one message per problem: an
 * exercise without any, one naming no exercise or a region the cell does not have, one
 * that is the solution itself, or whose lines are not at the region's indentation.
 */
export function wrongSolutionProblems(nb: Notebook, path: string, wrongs: WrongSolution[]): string[] {
  const problems: string[] = [];
  const exercises = exercisesOf(nb, path);
  for (const exercise of exercises) {
    if (!wrongs.some((w) => w.exerciseId === exercise.id)) problems.push(`${path}: exercise ${exercise.id} has no wrong solution in ${wrongSolutionsPath(path)}`);
  }
  for (const wrong of wrongs) {
    const exercise = exercises.find((e) => e.id === wrong.exerciseId);
    if (!exercise) {
      problems.push(`${wrong.where}: names exercise ${wrong.exerciseId}, which ${path} does not have`);
      continue;
    }
    const source = joinSource(nb.cells[exercise.cellIndex]!.source);
    const regions = findRegions(source, `${path}: cell ${exercise.cellIndex}`).filter((r) => r.kind === 'solution');
    const region = regions[wrong.region];
    if (!region) {
      problems.push(`${wrong.where}: exercise ${wrong.exerciseId} has ${regions.length} solution region(s), not ${wrong.region + 1}`);
      continue;
    }
    const solution = source.split('\n').slice(region.begin + 1, region.end).join('\n');
    if (solution.trim() === wrong.code.trim()) problems.push(`${wrong.where}: is the solution of ${wrong.exerciseId} itself`);
    const misplaced = wrong.code.split('\n').findIndex((l) => l.trim() !== '' && !l.startsWith(region.indent));
    if (misplaced >= 0) problems.push(`${wrong.where}: line ${misplaced + 1} of the code is not indented like the region it replaces (${JSON.stringify(region.indent)})`);
  }
  return problems;
}
