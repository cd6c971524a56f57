// lib/beyond2d: the 1D convolution against hand values and tf.conv1d; labels, ring times and
// event-level precision/recall of a trigger-word detector on hand-made outputs.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { conv1d, detectionScores, ringTimes, triggerLabels } from '../../lib/beyond2d';

describe('conv1d', () => {
  it("gives the notes' four outputs, the first 238", () => {
    expect(conv1d([1, 20, 15, 3, 18, 12, 4, 17], [1, 3, 10, 3, 1])).toEqual([238, 161, 244, 206]);
  });
  it('matches tf.conv1d with stride 2 and one zero of padding (asymmetric filter)', () => {
    expect(conv1d([1, 2, 3, 4, 5], [1, 0, -1], 2, 1)).toEqual([-2, -2, 4]);
    const signal = [3, -1, 4, 1, -5, 9, 2, -6, 5];
    const want = tf.tidy(() =>
      Array.from(
        tf
          .conv1d(
            tf.tensor3d([0, 0, ...signal, 0, 0], [1, 13, 1]),
            tf.tensor3d([2, -1, 0.5, 1], [4, 1, 1]),
            3,
            'valid',
          )
          .dataSync(),
      ),
    );
    expect(conv1d(signal, [2, -1, 0.5, 1], 3, 2)).toEqual(want);
  });
});

describe('triggerLabels', () => {
  const steps = [0.2, 0.4, 0.6, 0.8, 1.0, 1.2];
  it('puts ones in (end, end + window] after every trigger', () => {
    expect(triggerLabels([0.3], steps, 0.4)).toEqual([0, 1, 1, 0, 0, 0]);
    expect(triggerLabels([0.6], steps, 0.4)).toEqual([0, 0, 0, 1, 1, 0]);
    expect(triggerLabels([0.1, 0.9], steps, 0.4)).toEqual([1, 1, 0, 0, 1, 1]);
    expect(triggerLabels([], steps, 0.4)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

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
    expect(s).toEqual({
      precision: 2 / 4,
      recall: 2 / 3,
      rings: 4,
      correctRings: 2,
      triggers: 3,
      foundTriggers: 2,
    });
  });
  it('a ring exactly `before` early is not correct; exactly `after` late is', () => {
    expect(detectionScores([[0.75, 1.5]], [[1.0]], 0.25, 0.5)).toMatchObject({
      correctRings: 1,
      foundTriggers: 1,
    });
    expect(detectionScores([[0.75]], [[1.0]], 0.25, 0.5)).toMatchObject({
      correctRings: 0,
      foundTriggers: 0,
    });
  });
  it('refuses lists of different lengths', () => {
    expect(() => detectionScores([[]], [], 0.1, 0.5)).toThrow(/1 clips of rings but 0 of trigger ends/);
  });
});
