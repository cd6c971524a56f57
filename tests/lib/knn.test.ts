// lib/knn: distances against hand-worked values and plain loops, the vote against hand cases.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { knnVote, l1Distances, nearestByCosine, squaredL2Distances } from '../../lib/knn';

const loop = (a: number[][], b: number[][], f: (d: number) => number) =>
  a.map((r) => b.map((s) => r.reduce((t, v, p) => t + f(v - s[p]!), 0)));

describe('k-NN distances', () => {
  it('match the hand-worked pair of the notebook: d1 = 9, d2² = 29', () => {
    const a = tf.tensor2d([[1, 5, 2, 0]]);
    const b = tf.tensor2d([[4, 1, 2, 2]]);
    const [l1, l2] = [l1Distances(a, b), squaredL2Distances(a, b)];
    expect(Array.from(l1.dataSync())).toEqual([9]);
    expect(l2.dataSync()[0]).toBeCloseTo(29, 4);
    tf.dispose([a, b, l1, l2]);
  });

  it('match plain loops on [3, 5] × [4, 5] and leak nothing', () => {
    const A = [
      [0.1, -2, 3, 0, 1],
      [1, 1, 1, 1, 1],
      [-0.5, 0.25, 4, -3, 2],
    ];
    const B = [
      [0, 0, 0, 0, 0],
      [1, -1, 2, 0.5, 3],
      [2, 2, -2, 1, 0],
      [0.3, 0.3, 0.3, 0.3, -0.3],
    ];
    const [a, b] = [tf.tensor2d(A), tf.tensor2d(B)];
    const before = tf.memory().numTensors;
    const [l1, l2] = [l1Distances(a, b), squaredL2Distances(a, b)];
    expect(tf.memory().numTensors - before).toBe(2);
    expect(l1.shape).toEqual([3, 4]);
    const want1 = loop(A, B, Math.abs).flat();
    const want2 = loop(A, B, (d) => d * d).flat();
    Array.from(l1.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want1[i]!, 4));
    Array.from(l2.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want2[i]!, 3));
    expect(() => l1Distances(a, tf.tensor2d([[1, 2]]))).toThrow(/same D, got \[3,5\] and \[1,2\]/);
    tf.dispose([a, b, l1, l2]);
  });
});

describe('knnVote', () => {
  const labels = [0, 1, 1, 2, 2, 0];
  it('takes the majority among the first k only', () => {
    expect(knnVote([0, 1, 2, 3, 4], labels, 1)).toBe(0);
    expect(knnVote([0, 1, 2, 3, 4], labels, 3)).toBe(1);
    expect(knnVote([3, 1, 4, 2, 2], labels, 3)).toBe(2);
  });
  it('breaks a tie by the closest tied member, not the smaller label', () => {
    expect(knnVote([3, 0, 4, 5], labels, 4)).toBe(2); // 2: two votes, 0: two votes, 2 closest
    expect(knnVote([1, 3, 0], labels, 3)).toBe(1); // three classes with one vote each
  });
  it('rejects k outside 1..neighbours', () => {
    expect(() => knnVote([1, 2], labels, 3)).toThrow(/k must be in 1\.\.2/);
  });
});

describe('nearestByCosine', () => {
  it('ignores the length of the rows (a dot product would not)', () => {
    const test = tf.tensor2d([
      [1, 0],
      [0, 2],
    ]);
    const train = tf.tensor2d([
      [3, 3],
      [0.1, 0],
      [0, 5],
    ]);
    expect(nearestByCosine(test, train)).toEqual([1, 2]);
    tf.dispose([test, train]);
  });
});
