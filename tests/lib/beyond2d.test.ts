// lib/beyond2d: the 1D convolution against the notes' hand values and tf.conv1d; labels by hand.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { conv1d, triggerLabels } from '../../lib/beyond2d';

describe('conv1d', () => {
  it("gives the notes' four outputs, the first 238", () => {
    expect(conv1d([1, 20, 15, 3, 18, 12, 4, 17], [1, 3, 10, 3, 1])).toEqual([238, 161, 244, 206]);
  });
  it('matches tf.conv1d with stride 2 and one zero of padding (asymmetric filter)', () => {
    expect(conv1d([1, 2, 3, 4, 5], [1, 0, -1], 2, 1)).toEqual([-2, -2, 4]);
    const signal = [3, -1, 4, 1, -5, 9, 2, -6, 5];
    const want = tf.tidy(() => Array.from(tf.conv1d(tf.tensor3d([0, 0, ...signal, 0, 0], [1, 13, 1]), tf.tensor3d([2, -1, 0.5, 1], [4, 1, 1]), 3, 'valid').dataSync()));
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
