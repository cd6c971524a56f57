// lib/adam against tfjs's own Adam optimizer, step by step, and a hand-computed first step.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adamState, adamStep } from '../../lib/adam';

describe('adamStep', () => {
  it('moves each parameter by about the learning rate on the first step (bias correction)', () => {
    // m̂ = g, v̂ = g²: θ − lr · g / (|g| + ε).
    const next = adamStep([1, -2], [0.5, -4], adamState(2), 0.1);
    expect(next[0]).toBeCloseTo(0.9, 6);
    expect(next[1]).toBeCloseTo(-1.9, 6);
  });

  it('follows tf.train.adam for five steps', () => {
    const grads = [
      [0.1, -0.3, 2],
      [0.2, 0.1, -1],
      [-0.5, 0.4, 0.3],
      [1, 1, 1],
      [-2, 0, 0.01],
    ];
    const variable = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 0.5])));
    const optimizer = tf.train.adam(0.05, 0.8, 0.99);
    const state = adamState(3);
    let params = [1, -2, 0.5];
    for (const g of grads) {
      params = adamStep(params, g, state, 0.05, 0.8, 0.99);
      const gradient = tf.tensor1d(g);
      optimizer.applyGradients([{ name: variable.name, tensor: gradient }]);
      gradient.dispose();
      Array.from(variable.dataSync()).forEach((v, i) => expect(params[i]).toBeCloseTo(v, 5));
    }
    expect(state.t).toBe(5);
    optimizer.dispose();
    variable.dispose();
  });

  it('rejects mismatched lengths', () => {
    expect(() => adamStep([1, 2], [1], adamState(2), 0.1)).toThrow(/params \(2\), grads \(1\)/);
  });
});
