// lib/exercises: what a learner sees from a check, with values worked out by hand.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  check,
  expectClose,
  expectEqual,
  expectThat,
  ExerciseCheckError,
  notImplemented,
  orReference,
} from '../../lib/exercises';

function printed(run: () => unknown): string[] {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    run();
    return log.mock.calls.map((c) => c.join(' '));
  } finally {
    log.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('check', () => {
  it('prints a pass line and returns nothing when the tests hold', () => {
    let result: unknown = 'unset';
    expect(printed(() => (result = check('03.2', 'one step', () => expectClose('sum', 1 + 2, 3))))).toEqual([
      '✔ exercise 03.2 passed: one step',
    ]);
    expect(result).toBeUndefined();
  });

  it('says "not attempted yet" and lets the notebook go on while the exercise throws notImplemented', () => {
    const unwritten = (): number => {
      throw notImplemented('03.2');
    };
    expect(printed(() => check('03.2', 'one step', () => expectClose('sum', unwritten(), 3)))).toEqual([
      '○ exercise 03.2: not attempted yet (one step).',
    ]);
  });

  it('fails with an error naming the exercise, the input, expected vs got and the hint', () => {
    const wrong = () =>
      check('03.2', 'one step', () =>
        expectClose(
          'step(a, W, b) on the 3x3 example',
          [
            [1, 2],
            [3, 5],
          ],
          [
            [1, 2],
            [3, 4],
          ],
          { hint: 'add b once' },
        ),
      );
    expect(wrong).toThrow(ExerciseCheckError);
    expect(wrong).toThrow(
      'exercise 03.2 (one step) is not right yet: step(a, W, b) on the 3x3 example: expected 4 at [1, 1], got 5. Hint: add b once',
    );
  });

  it('handles async bodies the same way', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await expect(check('08.1', 'iou', async () => expectEqual('iou', 0.5, 0.5))).resolves.toBeUndefined();
    await check('08.1', 'iou', async () => {
      throw notImplemented('08.1');
    });
    await expect(
      check('08.1', 'iou', async () =>
        expectThat(false, 'iou of disjoint boxes is 0', 'clip the overlap at 0'),
      ),
    ).rejects.toThrow(
      'exercise 08.1 (iou) is not right yet: iou of disjoint boxes is 0. Hint: clip the overlap at 0',
    );
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      '✔ exercise 08.1 passed: iou',
      '○ exercise 08.1: not attempted yet (iou).',
    ]);
  });
});

describe('expectClose', () => {
  it('compares shapes first, then values within a relative tolerance, tensors included', () => {
    expect(() => expectClose('x', [1, 2, 3], [[1, 2, 3]])).toThrow('x: expected shape [1, 3], got [3].');
    expect(() => expectClose('x', [1000.05], [1000], { tolerance: 1e-4 })).not.toThrow();
    expect(() => expectClose('x', [1.001], [1], { tolerance: 1e-4 })).toThrow(
      'x: expected 1 at [0], got 1.00100.',
    );
    const t = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect(() =>
      expectClose('t', t, [
        [1, 2],
        [3, 4.5],
      ]),
    ).toThrow('t: expected 4.50000 at [1, 1], got 4.');
    t.dispose();
    expect(() => expectClose('r', [[1], [2, 3]] as number[][], [[1], [2]])).toThrow('r is ragged');
    expect(() => expectClose('u', undefined as unknown as number, 1)).toThrow(
      'u is undefined (did the function return its result?)',
    );
  });

  it('counts every differing value', () => {
    expect(() => expectClose('v', [0, 0, 0, 1], [1, 1, 0, 1])).toThrow(
      'v: expected 1 at [0], got 0 (2 of 4 values differ).',
    );
  });
});

describe('orReference', () => {
  it('uses the learner function once written, the reference (with one notice) before', () => {
    const unwritten = (_x: number): number => {
      throw notImplemented('01.1');
    };
    const ref = (x: number) => x * 2;
    const f = orReference('01.1', unwritten, ref);
    const lines = printed(() => expect([f(1), f(2)]).toEqual([2, 4]));
    expect(lines).toEqual(["(exercise 01.1 not written yet: the notebook uses the library's version here)"]);
    expect(orReference('01.9', (x: number) => x + 1, ref)(1)).toBe(2);
    expect(() =>
      orReference(
        '01.8',
        (): number => {
          throw new RangeError('bug');
        },
        () => 0,
      )(),
    ).toThrow('bug');
  });
});

describe('expectClose on a number', () => {
  it('names no index for a scalar', () => {
    expect(() => expectClose('loss', 0.75, 0.5)).toThrow('loss: expected 0.500000, got 0.750000.');
  });
});
