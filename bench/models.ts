/**
 * The benchmark networks, layer for layer as the benchmark's specification
 * gives them (bench/torch_bench.py builds the same ones in PyTorch).
 */
import * as tf from '@tensorflow/tfjs';

/** Benchmark model names. */
export const BENCH_MODELS = ['lenet5', 'vgg64'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];

/** Images per training step. */
export const BENCH_BATCH = 64;

/** Input side length of each benchmark model (square RGB images). */
export const INPUT_SIZE: Record<BenchModel, number> = { lenet5: 32, vgg64: 64 };

/** LeNet-5 on 32x32x3: conv 8 5x5, pool, conv 16 5x5, pool, dense 120, 84, 10. */
function lenet5(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu' }),
      tf.layers.dense({ units: 84, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** A small VGG on 64x64x3: two blocks of two 3x3 convs, one of one, dense 256 and 10. */
function vgg64(): tf.Sequential {
  const conv = (filters: number, first = false) =>
    tf.layers.conv2d({
      ...(first ? { inputShape: [64, 64, 3] } : {}),
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    });
  return tf.sequential({
    layers: [
      conv(32, true),
      conv(32),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(64),
      conv(64),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(128),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** Builds a benchmark model, compiled with Adam and categorical cross-entropy. */
export function buildBenchModel(name: BenchModel): tf.Sequential {
  const model = name === 'lenet5' ? lenet5() : vgg64();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

/**
 * Images per second over `steps` Adam steps (trainOnBatch on one random batch) after a warm-up
 * pass of the same length.
 */
export async function trainingImagesPerSecond(
  model: tf.Sequential,
  size: number,
  steps: number,
): Promise<number> {
  const x = tf.randomUniform([BENCH_BATCH, size, size, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([BENCH_BATCH], 0, 10, 'int32'), 10).toFloat());
  // trainOnBatch resolves once the loss is read back: each step is really finished.
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  const start = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([x, y]);
  return (steps * BENCH_BATCH) / seconds;
}
