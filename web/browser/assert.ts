/**
 * Browser implementation of the part of `node:assert/strict` the notebooks use
 * (ok, equal, notEqual, deepEqual, notDeepEqual, throws, rejects, match, fail), with
 * strict semantics: `equal` is Object.is, `deepEqual` compares prototypes, keys and
 * element types like Node's deepStrictEqual.
 */
export class AssertionError extends Error {
  readonly code = 'ERR_ASSERTION';
  constructor(
    message: string,
    readonly actual?: unknown,
    readonly expected?: unknown,
  ) {
    super(message);
    this.name = 'AssertionError';
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return String(value);
  try {
    const text = JSON.stringify(value, (_k, v: unknown) =>
      ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
    );
    return text.length > 400 ? `${text.slice(0, 400)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function fail(
  message: string | Error | undefined,
  fallback: string,
  actual?: unknown,
  expected?: unknown,
): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback, actual, expected);
}

/** Deep strict equality, as Node's assert.deepStrictEqual decides it for plain data. */
export function isDeepStrictEqual(a: unknown, b: unknown, seen = new Map<object, object>()): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof RegExp) return String(a) === String(b);
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return false;
    for (const [k, v] of a) if (!m.has(k) || !isDeepStrictEqual(v, m.get(k), seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    const s = b as Set<unknown>;
    if (a.size !== s.size) return false;
    for (const v of a) if (!s.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!isDeepStrictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], seen))
      return false;
  }
  return true;
}

export function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) fail(message, `The expression evaluated to a falsy value: ${show(value)}`, value, true);
}

export function equal(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!Object.is(actual, expected))
    fail(
      message,
      `Expected values to be strictly equal:\n\n${show(actual)} !== ${show(expected)}`,
      actual,
      expected,
    );
}

export function notEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (Object.is(actual, expected))
    fail(message, `Expected "actual" to be strictly unequal to: ${show(expected)}`, actual, expected);
}

export function deepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!isDeepStrictEqual(actual, expected)) {
    fail(
      message,
      `Expected values to be strictly deep-equal:\nactual:   ${show(actual)}\nexpected: ${show(expected)}`,
      actual,
      expected,
    );
  }
}

export function notDeepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (isDeepStrictEqual(actual, expected))
    fail(message, `Expected "actual" not to be strictly deep-equal to: ${show(expected)}`, actual, expected);
}

function matches(error: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp)
    return expected.test(error instanceof Error ? error.message : String(error));
  if (typeof expected === 'function') return error instanceof (expected as new () => unknown);
  return true;
}

export function throws(fn: () => unknown, expected?: unknown, message?: string): void {
  try {
    fn();
  } catch (error) {
    if (!matches(error, expected))
      fail(message, `The error did not match ${String(expected)}: ${String(error)}`);
    return;
  }
  fail(message, 'Missing expected exception.');
}

export async function rejects(
  promise: Promise<unknown> | (() => Promise<unknown>),
  expected?: unknown,
  message?: string,
): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (!matches(error, expected))
      fail(message, `The rejection did not match ${String(expected)}: ${String(error)}`);
    return;
  }
  fail(message, 'Missing expected rejection.');
}

export function match(text: string, pattern: RegExp, message?: string | Error): void {
  if (!pattern.test(text))
    fail(message, `The input did not match the regular expression ${String(pattern)}. Input: ${show(text)}`);
}

function failNow(message = 'Failed'): never {
  throw new AssertionError(message);
}

export {
  deepEqual as deepStrictEqual,
  equal as strictEqual,
  failNow as fail,
  notDeepEqual as notDeepStrictEqual,
  notEqual as notStrictEqual,
};

/** `import assert from 'node:assert/strict'` and `assert(value)` work too. */
const assert = Object.assign((value: unknown, message?: string | Error) => ok(value, message), {
  ok,
  equal,
  notEqual,
  deepEqual,
  notDeepEqual,
  throws,
  rejects,
  match,
  fail: failNow,
  AssertionError,
  strictEqual: equal,
  deepStrictEqual: deepEqual,
  notStrictEqual: notEqual,
  notDeepStrictEqual: notDeepEqual,
});
export default assert;
