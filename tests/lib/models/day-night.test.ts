import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dayNightNet } from '../../../lib/models/day-night';

describe('dayNightNet', () => {
  it("has the notebook's shapes and a hand-counted 1,649 parameters at 64×64×3", () => {
    const before = tf.memory().numTensors;
    const model = dayNightNet();
    expect(model.layers.map((l) => l.outputShape)).toEqual([
      [null, 64, 64, 8],
      [null, 16, 16, 8],
      [null, 16, 16, 16],
      [null, 4, 4, 16],
      [null, 256],
      [null, 1],
    ]);
    // conv 3·3·3·8 + 8, conv 3·3·8·16 + 16, dense 256 + 1.
    expect(model.countParams()).toBe(224 + 1168 + 257);
    const p = tf.tidy(() =>
      Array.from(
        (model.predict(tf.randomNormal([3, 64, 64, 3], 0, 5, 'float32', 1)) as tf.Tensor).dataSync(),
      ),
    );
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes other input shapes and rejects a shape that is not [h, w, c]', () => {
    const grey = dayNightNet([32, 48, 1]);
    expect(grey.outputs[0]!.shape).toEqual([null, 1]);
    expect(grey.countParams()).toBe(80 + 1168 + 97);
    grey.dispose();
    expect(() => dayNightNet([64, 64] as unknown as [number, number, number])).toThrow(
      /\[height, width, channels\].*64,64/,
    );
  });
});
