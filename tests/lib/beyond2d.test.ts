// Ring times and event-level precision/recall of a trigger-word detector, on hand-made outputs.
import { describe, expect, it } from 'vitest';
import { detectionScores, ringTimes } from '../../lib/beyond2d';

describe('ringTimes', () => {
  it('rings at the first step of each run strictly above the threshold', () => {
    expect(ringTimes([0.9, 0.6, 0.2, 0.5, 0.7, 0.8, 0.1], 0.5, (t) => t * 10)).toEqual([0, 40]);
    expect(ringTimes([0.5, 0.5], 0.5, (t) => t)).toEqual([]);
  });
});

describe('detectionScores', () => {
  it('counts correct rings and found trigger words clip by clip', () => {
    // clip 0: trigger ends at 1.0; rings at 1.2 (correct) and 2.5 (false). clip 1: no trigger, one ring (false).
    // clip 2: triggers end at 0.5 and 2.0; a ring at 0.45 (correct: within 0.1 s before) finds only the first.
    const s = detectionScores([[1.2, 2.5], [1.0], [0.45]], [[1.0], [], [0.5, 2.0]], 0.1, 0.6);
    expect(s).toEqual({ precision: 2 / 4, recall: 2 / 3, rings: 4, correctRings: 2, triggers: 3, foundTriggers: 2 });
  });
  it('a ring exactly `before` early is not correct; exactly `after` late is', () => {
    expect(detectionScores([[0.75, 1.5]], [[1.0]], 0.25, 0.5)).toMatchObject({ correctRings: 1, foundTriggers: 1 });
    expect(detectionScores([[0.75]], [[1.0]], 0.25, 0.5)).toMatchObject({ correctRings: 0, foundTriggers: 0 });
  });
  it('refuses lists of different lengths', () => {
    expect(() => detectionScores([[]], [], 0.1, 0.5)).toThrow(/1 clips of rings but 0 of trigger ends/);
  });
});
