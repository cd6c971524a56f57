import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { layerGradientNorms } from '../../lib/gradients';

const meanCrossEntropy = (y: tf.Tensor, p: tf.Tensor) => tf.mean(tf.metrics.categoricalCrossentropy(y, p));

describe('layerGradientNorms', () => {
  it('matches the hand-derived gradient of a softmax layer, x^T (p - y) / n, and of the layer below', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [3], units: 4, activation: 'linear', name: 'hidden' }),
        tf.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
      ],
    });
    const x = tf.tensor2d([
      [1, -2, 0.5],
      [0.3, 0.7, -1],
      [2, 0, 1],
      [-1, 1, 1],
    ]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
    const before = tf.memory().numTensors;
    const norms = layerGradientNorms(model, x, y, meanCrossEntropy);
    expect(tf.memory().numTensors).toBe(before);
    expect(norms.map((n) => n.layer)).toEqual(['hidden', 'out']);
    const [w1, b1, w2] = model.getWeights();
    const [want1, want2] = tf.tidy(() => {
      const h = tf.add(tf.matMul(x, w1), b1);
      const delta = tf.div(tf.sub(tf.softmax(tf.matMul(h, w2)), y), 4); // dL/dlogits
      const g2 = tf.matMul(h, delta, true, false);
      const g1 = tf.matMul(x, tf.matMul(delta, w2, false, true), true, false);
      return [tf.norm(g1).dataSync()[0], tf.norm(g2).dataSync()[0]];
    });
    expect(norms[0].norm).toBeCloseTo(want1, 5);
    expect(norms[1].norm).toBeCloseTo(want2, 5);
    expect(norms[0].norm).toBeGreaterThan(0);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('says so when nothing is selected or the loss is not a scalar', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })],
    });
    const x = tf.ones([1, 2]);
    const y = tf.tensor2d([[1, 0]]);
    expect(() => layerGradientNorms(model, x, y, meanCrossEntropy, () => false)).toThrow(
      /no trainable weight/,
    );
    expect(() => layerGradientNorms(model, x, y, (t, p) => tf.sub(t, p))).toThrow(
      /scalar, got shape \[1,2\]/,
    );
    tf.dispose([x, y]);
    model.dispose();
  });
});
