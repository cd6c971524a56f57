// foldedCopy against tfjs's own Conv2D + BatchNormalization layers in inference mode, and a
// hand-computed fold of one 1×1 convolution.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { foldedCopy } from '../../lib/transfer';

/** conv 3×3 (no bias) → BN → leaky ReLU → conv 1×1 (bias) → BN → ReLU, with non-trivial BN statistics. */
function pretrained(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [5, 5, 3],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.batchNormalization({ epsilon: 0.001 }),
      tf.layers.leakyReLU({ alpha: 0.1 }),
      tf.layers.conv2d({
        filters: 6,
        kernelSize: 1,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        biasInitializer: tf.initializers.constant({ value: 0.3 }),
      }),
      tf.layers.batchNormalization({ epsilon: 0.01 }),
      tf.layers.reLU(),
    ],
  });
  // Statistics as a trained network has them: γ, β, moving mean and variance far from 1, 0, 0, 1.
  for (const [index, channels] of [
    [1, 4],
    [4, 6],
  ] as const) {
    const values = (offset: number, scale: number) =>
      tf.tensor1d(Array.from({ length: channels }, (_, c) => offset + scale * Math.sin(3 * c + index)));
    const stats = [values(1.5, 0.5), values(-0.2, 0.4), values(0.3, 0.8), values(2, 1.5)];
    model.layers[index]!.setWeights(stats);
    tf.dispose(stats);
  }
  return model;
}

describe('foldedCopy', () => {
  it('computes what the pretrained layers compute in inference mode, with BN folded into the convolutions', () => {
    const model = pretrained();
    const copy = foldedCopy(model.layers, [5, 5, 3]);
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 3);
    const expected = model.predict(x) as tf.Tensor;
    const got = copy.predict(x) as tf.Tensor;
    expect(copy.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'LeakyReLU', 'Conv2D', 'ReLU']);
    expect(tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(expected)).dataSync()[0]).toBeGreaterThan(0.1); // not a trivially zero output
    tf.dispose([x, expected, got]);
    copy.dispose();
    model.dispose();
  });

  it('folds one 1×1 convolution as computed by hand', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [1, 1, 1], filters: 1, kernelSize: 1, useBias: true }),
        tf.layers.batchNormalization({ epsilon: 0 }),
      ],
    });
    model.layers[0]!.setWeights([tf.tensor4d([[[[2]]]]), tf.tensor1d([1])]);
    // γ = 3, β = 0.5, μ = 4, σ² = 9: s = 3/3 = 1, kernel 2·1 = 2, bias 0.5 + (1 − 4)·1 = −2.5.
    model.layers[1]!.setWeights([tf.tensor1d([3]), tf.tensor1d([0.5]), tf.tensor1d([4]), tf.tensor1d([9])]);
    const copy = foldedCopy(model.layers, [1, 1, 1]);
    const [kernel, bias] = copy.layers[0]!.getWeights();
    expect(Array.from(kernel!.dataSync())).toEqual([2]);
    expect(Array.from(bias!.dataSync())).toEqual([-2.5]);
    copy.dispose();
    model.dispose();
  });

  it('shares no weights with the original and leaks no tensors', async () => {
    const model = pretrained();
    const before = tf.memory().numTensors;
    const copy = foldedCopy(model.layers, [5, 5, 3]);
    const original = model.layers[0]!.getWeights()[0]!.dataSync().slice();
    copy.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const x = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 4);
    const y = tf.zeros([4, 5, 5, 6]);
    await copy.fit(x, y, { epochs: 2, verbose: 0 });
    expect(Array.from(model.layers[0]!.getWeights()[0]!.dataSync())).toEqual(Array.from(original));
    tf.dispose([x, y]);
    copy.optimizer.dispose();
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('names the layer it cannot copy, and leaks nothing', () => {
    const model = pretrained();
    const dense = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 2, name: 'the_dense' })],
    });
    const before = tf.memory().numTensors;
    expect(() => foldedCopy([model.layers[1]!], [5, 5, 4])).toThrow(
      /batch_normalization.*does not follow a Conv2D/,
    );
    expect(() => foldedCopy(dense.layers, [3])).toThrow(/the_dense.*Dense/);
    expect(tf.memory().numTensors).toBe(before);
    dense.dispose();
    model.dispose();
  });
});
