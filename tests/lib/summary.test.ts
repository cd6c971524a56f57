// Model summaries against the lecture notes' network table and hand counts,
// and LeNet-5 training a step on the wasm backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { lenet5, notesExampleNetwork } from '../../lib/models/lenet';
import { summary, summaryText } from '../../lib/summary';

describe("the notes' example network", () => {
  it("has the activation shapes, sizes and parameter counts of the notes' table", () => {
    const model = notesExampleNetwork();
    const s = summary(model);
    expect(s.rows.map((r) => r.outputShape)).toEqual([
      [28, 28, 8],
      [14, 14, 8],
      [10, 10, 16],
      [5, 5, 16],
      [400],
      [120],
      [84],
      [10],
    ]);
    expect(s.rows.map((r) => r.activationSize)).toEqual([6272, 1568, 1600, 400, 400, 120, 84, 10]);
    expect(s.rows.filter((r) => r.params > 0).map((r) => r.params)).toEqual([608, 3216, 48120, 10164, 850]);
    expect(s.totalParams).toBe(608 + 3216 + 48120 + 10164 + 850);
    // Hand counts: conv1 = 28·28·8 outputs × 5·5·3 products; fc3 = 120 × 400.
    expect(s.rows[0]!.multiplyAdds).toBe(28 * 28 * 8 * 5 * 5 * 3);
    expect(s.rows[5]!.multiplyAdds).toBe(120 * 400);
    expect(summaryText(s)).toMatch(/conv1\s+Conv2D\s+\(28, 28, 8\)\s+6,272\s+608/);
    model.dispose();
  });
});

describe('LeNet-5', () => {
  it("has LeNet-5's feature map sizes and trains a step on wasm without leaking", async () => {
    const model = lenet5();
    expect(summary(model).rows.map((r) => r.outputShape.join('x'))).toEqual([
      '28x28x6',
      '14x14x6',
      '10x10x16',
      '5x5x16',
      '400',
      '120',
      '84',
      '10',
    ]);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([8, 28, 28, 1]);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'float32');
    const first = (await model.trainOnBatch(x, y)) as number;
    let last = first;
    for (let i = 0; i < 20; i++) last = (await model.trainOnBatch(x, y)) as number;
    expect(Number.isFinite(first)).toBe(true);
    expect(last).toBeLessThan(first);
    tf.dispose([x, y]);
    // Adam's slots are created on the first step and then kept: compare after them.
    const optimizerState = model.optimizer.getWeights ? (await model.optimizer.getWeights()).length : 0;
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + optimizerState + 1);
    model.dispose();
  });
});
