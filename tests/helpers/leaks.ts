// Every test of a file that calls this must leave tfjs with the tensors it found.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, expect } from 'vitest';

/** Registers hooks that fail a test which leaves more (or fewer) tensors than it started with. */
export function expectNoTensorLeaks(): void {
  let tensorsBefore = 0;
  beforeEach(() => {
    tensorsBefore = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, 'tensors alive after the test').toBe(tensorsBefore);
  });
}
