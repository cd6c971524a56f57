/**
 * Exercises in notebooks: the learner's code sits between `// BEGIN SOLUTION` and
 * `// END SOLUTION` in the instructors' notebooks; the learner's version (made by
 * `nbconvert-ts release`) has `throw notImplemented('03.2')` there instead. A check
 * cell calls {@link check}, which says "passed", "not attempted yet" (the notebook goes
 * on) or fails with which input, what was expected, what came back, and a hint.
 */
import * as tf from '@tensorflow/tfjs';

/** Thrown by an exercise the learner has not written yet. */
export class NotImplementedError extends Error {
  /** The exercise's id, e.g. `03.2`. */
  readonly exerciseId: string;
  constructor(exerciseId: string) {
    super(
      `exercise ${exerciseId} is not written yet: replace the 'YOUR CODE HERE' line and the throw below it with your code`,
    );
    this.name = 'NotImplementedError';
    this.exerciseId = exerciseId;
  }
}

/** The error a learner's unwritten exercise throws: `throw notImplemented('03.2')`. */
export function notImplemented(exerciseId: string): NotImplementedError {
  return new NotImplementedError(exerciseId);
}

/** Whether an error (or the cause chain of one) is an unwritten exercise. */
export function isNotImplemented(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof NotImplementedError) return true;
    // A second copy of this module (another compile of lib) makes another class: match by name.
    if ((e as { name?: unknown }).name === 'NotImplementedError') return true;
  }
  return false;
}

/** A check that found a wrong answer; its message says what, where and a hint. */
export class ExerciseCheckError extends Error {
  readonly exerciseId: string;
  constructor(exerciseId: string, title: string, detail: string) {
    super(`exercise ${exerciseId} (${title}) is not right yet: ${detail}`);
    this.name = 'ExerciseCheckError';
    this.exerciseId = exerciseId;
  }
}

function report(exerciseId: string, title: string, error: unknown): void {
  if (error === undefined) {
    console.log(`✔ exercise ${exerciseId} passed: ${title}`);
    return;
  }
  if (isNotImplemented(error)) {
    console.log(`○ exercise ${exerciseId}: not attempted yet (${title}).`);
    return;
  }
  const detail = error instanceof Error ? error.message : String(error);
  throw new ExerciseCheckError(exerciseId, title, detail);
}

/**
 * Runs the tests of exercise `exerciseId`. Prints a pass line; prints "not attempted yet"
 * and returns when the learner's code still throws {@link notImplemented}; throws an
 * {@link ExerciseCheckError} naming the exercise when a test fails (use {@link expectClose},
 * {@link expectEqual} and {@link expectThat} inside, so the message says what went wrong).
 * An async body makes `check` return a promise (await it in the cell).
 */
// It returns nothing (a promise of nothing for an async body), so a check cell shows only its line.
export function check(exerciseId: string, title: string, body: () => void): void;
export function check(exerciseId: string, title: string, body: () => Promise<void>): Promise<void>;
export function check(
  exerciseId: string,
  title: string,
  body: () => void | Promise<void>,
): void | Promise<void> {
  let result: void | Promise<void>;
  try {
    result = body();
  } catch (error) {
    return report(exerciseId, title, error ?? new Error('the check threw an empty error'));
  }
  if (result && typeof (result as Promise<void>).then === 'function') {
    return (result as Promise<void>).then(
      () => report(exerciseId, title, undefined),
      (error: unknown) => report(exerciseId, title, error ?? new Error('the check threw an empty error')),
    );
  }
  return report(exerciseId, title, undefined);
}

const noticed = new Set<string>();

/**
 * The learner's function where it is written, else the library's `reference`, so the rest
 * of a notebook runs before an exercise is done. Says once per exercise which one is used.
 * Errors other than "not implemented" are the learner's to see and are thrown as they are.
 */
export function orReference<A extends unknown[], R>(
  exerciseId: string,
  learner: (...args: A) => R,
  reference: (...args: A) => R,
): (...args: A) => R {
  return (...args: A): R => {
    try {
      return learner(...args);
    } catch (error) {
      if (!isNotImplemented(error)) throw error;
      if (!noticed.has(exerciseId)) {
        noticed.add(exerciseId);
        console.log(`(exercise ${exerciseId} not written yet: the notebook uses the library's version here)`);
      }
      return reference(...args);
    }
  };
}

/** Numbers, nested arrays of numbers, typed arrays or a tensor. */
export type NumericValue = number | boolean | ArrayLike<number> | NumericValue[] | tf.Tensor;

interface Flat {
  shape: number[];
  values: number[];
}

function flatten(value: NumericValue, what: string): Flat {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed)
      throw new Error(`${what} is a disposed tensor (return a tensor that is still alive)`);
    return { shape: value.shape.slice(), values: Array.from(value.dataSync() as ArrayLike<number>) };
  }
  if (typeof value === 'number') return { shape: [], values: [value] };
  if (typeof value === 'boolean') return { shape: [], values: [value ? 1 : 0] };
  if (value === null || value === undefined)
    throw new Error(`${what} is ${value} (did the function return its result?)`);
  const items = Array.from(value as ArrayLike<NumericValue>);
  if (items.length === 0) return { shape: [0], values: [] };
  const parts = items.map((item, i) => flatten(item, `${what}[${i}]`));
  const inner = parts[0]!.shape;
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.shape.join(',') !== inner.join(','))
      throw new Error(
        `${what} is ragged: ${what}[0] has shape [${inner}] but ${what}[${i}] has shape [${parts[i]!.shape}]`,
      );
  }
  return { shape: [items.length, ...inner], values: parts.flatMap((p) => p.values) };
}

function indexOf(flat: number, shape: number[]): string {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${index.join(', ')}]`;
}

const show = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6));

/** Options of {@link expectClose}. */
export interface CloseOptions {
  /** Largest allowed |got − want| relative to max(1, |want|) (default 1e-4, float32 arithmetic). */
  tolerance?: number;
  /** One sentence that points at the likely mistake, shown when the values differ. */
  hint?: string;
}

/**
 * Fails with "`what`: expected … at [i, j], got …" when `got` and `want` differ in shape or
 * in any value by more than the tolerance. Both may be numbers, nested arrays or tensors.
 */
export function expectClose(
  what: string,
  got: NumericValue,
  want: NumericValue,
  options: CloseOptions = {},
): void {
  const tolerance = options.tolerance ?? 1e-4;
  const hint = options.hint ? ` Hint: ${options.hint}` : '';
  const g = flatten(got, what);
  const w = flatten(want, 'the expected value');
  if (g.shape.join(',') !== w.shape.join(','))
    throw new Error(`${what}: expected shape [${w.shape.join(', ')}], got [${g.shape.join(', ')}].${hint}`);
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < w.values.length; i++) {
    const a = g.values[i]!;
    const b = w.values[i]!;
    const ok = Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));
    if (!ok) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  if (mismatches === 0) return;
  const at = g.shape.length ? ` at ${indexOf(first, g.shape)}` : '';
  const more = mismatches > 1 ? ` (${mismatches} of ${w.values.length} values differ)` : '';
  throw new Error(
    `${what}: expected ${show(w.values[first]!)}${at}, got ${show(g.values[first]!)}${more}.${hint}`,
  );
}

/** Fails with "`what`: expected X, got Y" unless `got` and `want` are deeply equal (JSON-comparable values). */
export function expectEqual<T>(what: string, got: T, want: T, hint?: string): void {
  const a = JSON.stringify(got);
  const b = JSON.stringify(want);
  if (a !== b) throw new Error(`${what}: expected ${b}, got ${a}.${hint ? ` Hint: ${hint}` : ''}`);
}

/** Fails with `message` (and the hint) unless `condition` holds; TypeScript then knows it holds. */
export function expectThat(condition: boolean, message: string, hint?: string): asserts condition {
  if (!condition) throw new Error(`${message}.${hint ? ` Hint: ${hint}` : ''}`);
}
