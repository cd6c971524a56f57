import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { accuracyOf, predictClasses } from '../../lib/metrics';

describe('accuracyOf', () => {
  it('counts the equal positions: 3 of 4 right is 0.75, typed arrays too', () => {
    expect(accuracyOf([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75);
    expect(accuracyOf(new Int32Array([0, 0]), [1, 1])).toBe(0);
    expect(accuracyOf([7], new Float32Array([7]))).toBe(1);
  });

  it('refuses lengths that differ and empty inputs', () => {
    expect(() => accuracyOf([1, 2], [1])).toThrow('2 predictions for 1 true labels');
    expect(() => accuracyOf([], [])).toThrow('no labels');
  });
});

describe('predictClasses', () => {
  it("gives the arg-max of a model's outputs per example, leaking no tensor", () => {
    // A dense layer whose weights pick column 2, then 0, then 1 (hand-set: outputs = x · W).
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 3,
          inputShape: [3],
          useBias: false,
          weights: [
            tf.tensor2d([
              [0, 0, 1],
              [1, 0, 0],
              [0, 1, 0],
            ]),
          ],
        }),
      ],
    });
    const x = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, 0.5],
    ]);
    const before = tf.memory().numTensors;
    expect(predictClasses(model, x)).toEqual([2, 0, 1, 1]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('refuses outputs that are not [examples, classes]', () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] })] });
    const x = tf.zeros([1, 2, 2]);
    const reshaped = tf.sequential({ layers: [tf.layers.reshape({ targetShape: [2, 2], inputShape: [4] })] });
    const y = tf.zeros([1, 4]);
    expect(predictClasses(model, x)).toEqual([0]);
    expect(() => predictClasses(reshaped, y)).toThrow('expected outputs [examples, classes], got [1,2,2]');
    tf.dispose([x, y]);
    model.dispose();
    reshaped.dispose();
  });
});
