/**
 * Proves that each exercise's check can fail: one kernel runs a notebook's cells in order
 * up to its last check cell and, before each exercise cell, runs every recorded wrong
 * solution (the exercise cell with its region replaced) followed by the check cell, which
 * must fail with an ExerciseCheckError naming the exercise. The real cells then go on.
 */
import { dirname, resolve } from 'node:path';
import { courseExecuteOptions } from '../course-notebooks';
import { errorFromStderr, injectParameters, resolveKernel, type ParameterValue } from '../nbconvert-ts/execute';
import { Kernel } from '../nbconvert-ts/kernel';
import { joinSource, readNotebook, tagsOf, type CodeCell } from '../nbconvert-ts/notebook';
import { OutputCollector } from '../nbconvert-ts/outputs';
import { replaceSolution } from '../nbconvert-ts/release';
import { exercisesOf, wrongSolutionProblems, type WrongSolution } from './wrong-solutions';

/** What one wrong solution did. */
export interface WrongOutcome {
  wrong: WrongSolution;
  caught: boolean;
  /** The check's error when caught, else why it was not. */
  detail: string;
}

export interface WrongSolutionsRun {
  notebook: string;
  exercises: string[];
  outcomes: WrongOutcome[];
  /** Set when the notebook's own cells failed or the wrong solutions do not match it. */
  failure?: string;
  seconds: number;
}

export interface RunOptions {
  parameters?: Record<string, ParameterValue>;
  /** Per-cell timeout in seconds (default 600). */
  timeoutSeconds?: number;
  env?: Record<string, string>;
  /**
   * The kernel's working folder (default: the notebook's). It must resolve the notebook's
   * relative imports; a folder nobody writes in keeps tslab's file watching quiet (tslab
   * fails a cell after a change in a folder it watches).
   */
  cwd?: string;
}

/** How one cell ended. */
export interface CellResult {
  ok: boolean;
  ename: string;
  evalue: string;
}

/** Runs one cell's source; a failure is a result, not an exception (timeouts and kernel deaths throw). */
async function runCell(kernel: Kernel, source: string, timeoutSeconds: number): Promise<CellResult> {
  const collector = new OutputCollector();
  const scratch: CodeCell = { cell_type: 'code', id: 'scratch', metadata: {}, source, outputs: [], execution_count: null };
  collector.begin(scratch);
  const outcome = await kernel.execute(source, timeoutSeconds, 5, (m) => collector.handle(m));
  collector.end();
  if (outcome.status === 'ok') return { ok: true, ename: '', evalue: '' };
  // tslab aborts every request that arrives within 200 ms of an error.
  await new Promise((r) => setTimeout(r, 300));
  if (outcome.status === 'abort') return { ok: false, ename: 'KernelAbort', evalue: 'the kernel aborted the request' };
  const published = scratch.outputs.find((o) => o.output_type === 'error');
  if (published && published.output_type === 'error') return { ok: false, ename: published.ename, evalue: published.evalue };
  const { ename, evalue } = errorFromStderr(collector.stderrText());
  return { ok: false, ename, evalue };
}

/** Whether a check cell's result is the failure a wrong solution must cause. */
export function namesExercise(result: CellResult, exerciseId: string): boolean {
  return !result.ok && result.ename === 'ExerciseCheckError' && result.evalue.startsWith(`exercise ${exerciseId} `);
}

/** Runs the wrong solutions of one notebook (see the module comment). */
export async function runWrongSolutions(notebookPath: string, wrongs: WrongSolution[], options: RunOptions = {}): Promise<WrongSolutionsRun> {
  const started = Date.now();
  const path = resolve(notebookPath);
  const nb = readNotebook(path);
  const exercises = exercisesOf(nb, path);
  const run: WrongSolutionsRun = { notebook: path, exercises: exercises.map((e) => e.id), outcomes: [], seconds: 0 };
  const done = () => ({ ...run, seconds: (Date.now() - started) / 1000 });
  const notRun = (reason: string) => {
    for (const wrong of wrongs) if (!run.outcomes.some((o) => o.wrong === wrong)) run.outcomes.push({ wrong, caught: false, detail: `not run: ${reason}` });
  };
  const problems = wrongSolutionProblems(nb, path, wrongs);
  if (problems.length) {
    run.failure = problems.join('\n');
    notRun('the wrong solutions do not match the notebook');
    return done();
  }
  if (exercises.length === 0) return done();

  // Indexes shift by one when the parameters cell is injected: find cells by identity.
  const exerciseCells = new Map(exercises.map((e) => [nb.cells[e.cellIndex]!, { ...e, check: joinSource(nb.cells[e.checkIndex]!.source) }]));
  const lastCheck = nb.cells[Math.max(...exercises.map((e) => e.checkIndex))]!;
  injectParameters(nb, options.parameters ?? { profile: 'ci' });
  const timeout = options.timeoutSeconds ?? 600;
  const { spec, name } = resolveKernel(courseExecuteOptions());
  const kernel = await Kernel.start({ spec, name, cwd: options.cwd ?? dirname(path), startupTimeoutSeconds: 120, env: options.env });
  try {
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'code') continue;
      const source = joinSource(cell.source);
      if (tagsOf(cell).includes('skip-execution') || source.trim() === '') continue;
      const exercise = exerciseCells.get(cell);
      if (exercise) {
        for (const wrong of wrongs.filter((w) => w.exerciseId === exercise.id)) {
          const modified = replaceSolution(source, wrong.region, wrong.code, wrong.where);
          const defined = await runCell(kernel, modified, timeout);
          if (!defined.ok) {
            run.outcomes.push({ wrong, caught: false, detail: `the exercise cell with this wrong solution does not run (${defined.ename}: ${defined.evalue}); a wrong solution must compile and fail its check` });
            continue;
          }
          const checked = await runCell(kernel, exercise.check, timeout);
          const caught = namesExercise(checked, exercise.id);
          const detail = checked.ok ? 'its check passed' : caught ? checked.evalue : `its check failed with ${checked.ename}: ${checked.evalue} instead of an ExerciseCheckError naming exercise ${exercise.id}`;
          run.outcomes.push({ wrong, caught, detail });
        }
      }
      const result = await runCell(kernel, source, timeout);
      const expected = tagsOf(cell).includes('raises-exception');
      if (result.ok === expected) {
        run.failure = `${path}: the cell with id ${cell.id} ${result.ok ? 'should raise but did not' : `failed: ${result.ename}: ${result.evalue}`}`;
        break;
      }
      if (cell === lastCheck) break;
    }
  } catch (error) {
    run.failure = `${path}: ${(error as Error).message}`;
  } finally {
    await kernel.shutdown();
  }
  if (run.failure) notRun(run.failure.split('\n')[0]!);
  return done();
}

/** The summary line over several runs. */
export function summaryLine(runs: WrongSolutionsRun[]): string {
  const outcomes = runs.flatMap((r) => r.outcomes);
  const wrongs = runs.reduce((n, r) => n + r.outcomes.length, 0);
  return `exercises: ${runs.reduce((n, r) => n + r.exercises.length, 0)}, wrong solutions caught: ${outcomes.filter((o) => o.caught).length}/${wrongs}`;
}
